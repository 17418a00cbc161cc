#!/usr/bin/env bash
# Sets up the real VS Code workbench the extension's end-to-end tests drive:
# code-server (pinned) in an ignored cache folder, plus Debian's chromium and
# ripgrep. Idempotent: a second run with everything in place does nothing.
# Prints the code-server executable on success. Facts behind each step:
# ../shared/notes/real-vscode.md (no network access to GitHub is assumed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# 4.99.4 (VS Code 1.99.3) is the newest code-server that runs on Node 20.
version=4.99.4
cache="${FERRY_CODE_SERVER_CACHE:-$root/.cache/code-server}"
prefix="$cache/$version"
bin="$prefix/node_modules/.bin/code-server"

missing=()
for pair in libkrb5-dev:/usr/include/gssapi/gssapi.h ripgrep:/usr/bin/rg chromium:/usr/bin/chromium; do
  [ -e "${pair#*:}" ] || missing+=("${pair%%:*}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "code-server setup: installing ${missing[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2 \
      || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2; }
  else
    echo "code-server setup: missing Debian packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

if [ -x "$bin" ] && [ -f "$prefix/.complete" ]; then
  echo "$bin"
  exit 0
fi

# @vscode/ripgrep downloads rg from GitHub unless this cache already holds it.
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
rg_tarball="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$rg_tarball" ]; then
  staging=$(mktemp -d)
  mkdir -p "$staging/bin" "$rg_cache"
  cp /usr/bin/rg "$staging/bin/rg"
  tar -czf "$rg_tarball.tmp" -C "$staging/bin" rg
  mv "$rg_tarball.tmp" "$rg_tarball"
  rm -rf "$staging"
fi

echo "code-server setup: installing code-server $version into $prefix (a few minutes)" >&2
mkdir -p "$prefix"
[ -f "$prefix/package.json" ] || echo '{ "name": "ferry-code-server-cache", "private": true }' >"$prefix/package.json"
# node-gyp finds Debian's Node headers here when it cannot download them.
[ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ] && export npm_config_nodedir=/usr
(
  cd "$prefix"
  npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --loglevel=error --no-save "code-server@$version" >&2
)
touch "$prefix/.complete"
echo "$bin"
