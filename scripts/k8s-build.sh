#!/usr/bin/env bash
# Builds a real Kubernetes control plane from the Go module proxy (no Docker,
# no downloads from elsewhere): kube-apiserver, kube-controller-manager,
# kube-scheduler and kubectl (k8s.io/kubernetes), etcd, kwok and kwokctl.
#
# The binaries are cached outside the repository in a folder keyed by the
# versions, so a machine builds them once; a rebuild with a warm Go build cache
# takes minutes. Prints the folder holding the binaries on its last line.
#
#   bash scripts/k8s-build.sh            # build what is missing
#   bash scripts/k8s-build.sh --cached   # exit 1 unless all are built
#   FERRY_K8S_CACHE=/some/dir bash ...   # cache elsewhere
set -euo pipefail

K8S_VERSION=v1.36.1
ETCD_VERSION=v3.6.10
KWOK_VERSION=v0.8.0
key="k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION"
cache_root=${FERRY_K8S_CACHE:-$([ "$(id -u)" -eq 0 ] && echo /var/cache/ferry-k8s || echo "${XDG_CACHE_HOME:-$HOME/.cache}/ferry-k8s")}
bin="$cache_root/$key/bin"
binaries=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok kwokctl)
# kwok's stage manifests (what moves fake nodes and pods along), kept beside the binaries.
stages=(node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease
  pod/general/{pod-create,pod-init-container-running,pod-init-container-completed,pod-ready,pod-complete,pod-delete}
  pod/chaos/pod-container-running-failed)

missing=()
for b in "${binaries[@]}"; do [ -x "$bin/$b" ] || missing+=("$b"); done
[ -f "$bin/../stages/pod-complete.yaml" ] || missing+=(stages)
if [ ${#missing[@]} -eq 0 ]; then echo "$bin"; exit 0; fi
# --cached: only say whether they are all there (exit 1 when not), build nothing.
[ "${1:-}" = --cached ] && exit 1

# Kubernetes 1.36 needs Go >= 1.26. Without such a go on the PATH, take the
# toolchain from the Go module proxy (golang.org/toolchain), as `go` itself does.
GO_TOOLCHAIN=go1.26.8
go_ok() { command -v go >/dev/null && [ "$(printf '%s\n' "$(go env GOVERSION 2>/dev/null)" "$GO_TOOLCHAIN" | sort -V | head -n1)" = "$GO_TOOLCHAIN" ]; }
if ! go_ok; then
  toolchain="$cache_root/toolchain/$GO_TOOLCHAIN"
  if [ ! -x "$toolchain/bin/go" ]; then
    echo "k8s-build: fetching $GO_TOOLCHAIN from the Go module proxy" >&2
    mkdir -p "$cache_root/toolchain"
    zip="$cache_root/toolchain/$GO_TOOLCHAIN.zip"
    python3 -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' \
      "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-$GO_TOOLCHAIN.linux-amd64.zip" "$zip"
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$zip" "$cache_root/toolchain/x"
    mv "$cache_root/toolchain/x/golang.org/toolchain@v0.0.1-$GO_TOOLCHAIN.linux-amd64" "$toolchain"
    chmod -R +x "$toolchain/bin" "$toolchain/pkg/tool"
    rm -rf "$zip" "$cache_root/toolchain/x"
  fi
  export PATH="$toolchain/bin:$PATH" GOROOT="$toolchain"
fi
export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$bin.partial"
start=$(date +%s)
log() { echo "k8s-build: $* ($(( $(date +%s) - start )) s)" >&2; }

# A wrapper module that requires MODULE@VERSION and turns each of its local
# `replace X => ./path` lines into `replace X => X STAGING_VERSION`, the
# published copy of the same code (what `go install` cannot do on its own).
wrapper() {
  local dir=$1 module=$2 version=$3 staging_version=$4 prefix=$5
  mkdir -p "$dir" && cd "$dir"
  go mod init ferry.local/wrapper >/dev/null 2>&1
  go mod edit -require="$module@$version"
  local gomod
  gomod=$(go mod download -json "$module@$version" | sed -n 's/^\s*"GoMod": "\(.*\)",\?$/\1/p')
  [ -f "$gomod" ] || { echo "k8s-build: no go.mod for $module@$version" >&2; exit 1; }
  local go_line; go_line=$(sed -n 's/^go \(.*\)$/\1/p' "$gomod")
  go mod edit -go="$go_line"
  sed -n "s#^\s*\($prefix[^ ]*\) => \..*#\1#p" "$gomod" | sort -u | while read -r m; do
    go mod edit -replace="$m=$m@$staging_version"
  done
}

if printf '%s\n' "${missing[@]}" | grep -q '^kube'; then
  log "kubernetes $K8S_VERSION: resolving modules"
  wrapper "$work/kube" k8s.io/kubernetes "$K8S_VERSION" "v0${K8S_VERSION#v1}" 'k8s.io/'
  pkgs=(cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler cmd/kubectl)
  # Each package pinned: a bare `go get PKG` would move to the newest release.
  targets=(); for p in "${pkgs[@]}"; do targets+=("k8s.io/kubernetes/$p@$K8S_VERSION"); done
  go get "${targets[@]}"
  major=${K8S_VERSION#v}; major=${major%%.*}; minor=${K8S_VERSION#v*.}; minor=${minor%%.*}
  ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=$major -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  for p in "${pkgs[@]}"; do
    log "building ${p#cmd/}"
    go build -trimpath -ldflags "$ldflags" -o "$bin.partial/${p#cmd/}" "k8s.io/kubernetes/$p"
  done
fi

if [ ! -x "$bin/etcd" ]; then
  log "etcd $ETCD_VERSION"
  wrapper "$work/etcd" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "$ETCD_VERSION" 'go.etcd.io/etcd/'
  go get "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  go build -trimpath -ldflags "-s -w" -o "$bin.partial/etcd" go.etcd.io/etcd/server/v3
fi

if [ ! -x "$bin/kwok" ] || [ ! -x "$bin/kwokctl" ]; then
  log "kwok $KWOK_VERSION"
  GOBIN="$bin.partial" go install -trimpath -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
    "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION"
fi

if [ ! -f "$bin/../stages/pod-complete.yaml" ]; then
  kwok_src=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",\?$/\1/p')
  mkdir -p "$bin/../stages"
  for f in "${stages[@]}"; do cp "$kwok_src/kustomize/stage/$f.yaml" "$bin/../stages/"; done
  chmod 644 "$bin/../stages/"*.yaml
fi

# Only whole binaries enter the cache: a build that stopped half-way leaves none.
mkdir -p "$bin"
for f in "$bin.partial"/*; do [ -e "$f" ] && mv -f "$f" "$bin/"; done
rmdir "$bin.partial" 2>/dev/null || true
"$bin/kube-apiserver" --version >&2
log "done"
echo "$bin"
