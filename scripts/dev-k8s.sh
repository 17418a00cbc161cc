#!/usr/bin/env bash
# A real Kubernetes control plane for development and tests, without Docker:
# etcd, kube-apiserver (RBAC, Pod Security admission), kube-controller-manager
# (Job, garbage-collector, TTL controllers) and kube-scheduler built from the
# Go module proxy (scripts/k8s-build.sh), with kwok's fake nodes "running" the
# pods: kwok stages move them through their lives, and its Logs resources
# serve pods/log from files. Nothing executes in a pod; step execution is
# covered by the local and Slurm targets, which run the same step runtime.
#
#   bash scripts/dev-k8s.sh up       # build what is missing, start, write cluster.json
#   bash scripts/dev-k8s.sh status   # is it up?
#   bash scripts/dev-k8s.sh down     # stop and delete the cluster
#   bash scripts/dev-k8s.sh kubectl get jobs -A
#
# The cluster listens on 127.0.0.1 only. cluster.json (in the state folder)
# names the admin kubeconfig and the test namespace, which enforces Pod
# Security "restricted".
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state=${FERRY_K8S_STATE:-$([ "$(id -u)" -eq 0 ] && echo /var/lib/ferry-dev-k8s || echo "${XDG_STATE_HOME:-$HOME/.local/state}/ferry-dev-k8s")}
name=ferry
namespace=ferry-test
export KWOK_WORKDIR="$state/kwok"
kubeconfig="$state/kubeconfig"

bin() { bash "$root/scripts/k8s-build.sh" | tail -n 1; }
kubectl() { "$(bin)/kubectl" --kubeconfig "$kubeconfig" "$@"; }

up() {
  local b; b=$(bin)
  mkdir -p "$state"
  if "$b/kwokctl" get clusters 2>/dev/null | grep -qx "$name" && kubectl get --raw /readyz >/dev/null 2>&1; then
    echo "dev-k8s: already up"
  else
    "$b/kwokctl" delete cluster --name "$name" >/dev/null 2>&1 || true
    cat > "$state/kwokctl.yaml" <<EOF
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  runtime: binary
  bindAddress: 127.0.0.1
  kubeApiserverBinary: $b/kube-apiserver
  kubeControllerManagerBinary: $b/kube-controller-manager
  kubeSchedulerBinary: $b/kube-scheduler
  etcdBinary: $b/etcd
  kwokControllerBinary: $b/kwok
  kubectlBinary: $b/kubectl
  enableCRDs: [Stage, Logs, ClusterLogs]
EOF
    local started; started=$(date +%s)
    "$b/kwokctl" create cluster --name "$name" --config "$state/kwokctl.yaml" --kubeconfig "$kubeconfig" --wait 120s >"$state/create.log" 2>&1 ||
      { cat "$state/create.log" >&2; echo "dev-k8s: the control plane did not start (logs: $KWOK_WORKDIR/clusters/$name/logs)" >&2; exit 1; }
    echo "dev-k8s: control plane up in $(( $(date +%s) - started )) s"
  fi
  # kwok's own stages (k8s-build.sh keeps them beside the binaries): nodes
  # become ready and keep their leases; pods are created, become ready, and
  # Job pods complete after ~1-6 s (a pod annotation
  # pod-complete.stage.kwok.x-k8s.io/delay sets it). Tests add Stage objects
  # of their own (a step failing with an exit code).
  for f in "$b/../stages/"*.yaml; do kubectl apply -f "$f" >/dev/null; done
  # One fake node big enough for any step (GPUs included), and the test namespace.
  kubectl apply -f - >/dev/null <<'EOF'
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-0
  annotations: { kwok.x-k8s.io/node: fake }
  labels: { kubernetes.io/hostname: kwok-node-0, type: kwok }
status:
  allocatable: { cpu: "64", memory: 512Gi, pods: "250", nvidia.com/gpu: "8" }
  capacity: { cpu: "64", memory: 512Gi, pods: "250", nvidia.com/gpu: "8" }
---
apiVersion: v1
kind: Namespace
metadata:
  name: ferry-test
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: latest
EOF
  for _ in $(seq 60); do
    kubectl get node kwok-node-0 -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -q True && break
    sleep 1
  done
  cat > "$state/cluster.json" <<EOF
{ "kubeconfig": "$kubeconfig", "namespace": "$namespace", "kubectl": "$b/kubectl", "kwokctl": "$b/kwokctl", "logs": "$KWOK_WORKDIR/clusters/$name/logs" }
EOF
  echo "dev-k8s: up; $state/cluster.json"
}

case ${1:-up} in
  up) up ;;
  status) kubectl get --raw /readyz && echo && kubectl get nodes ;;
  down) "$(bin)/kwokctl" delete cluster --name "$name" && rm -f "$state/cluster.json" ;;
  kubectl) shift; kubectl "$@" ;;
  *) echo "usage: dev-k8s.sh up|status|down|kubectl ARGS" >&2; exit 2 ;;
esac
