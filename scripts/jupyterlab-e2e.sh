#!/usr/bin/env bash
# The JupyterLab extension's end-to-end tests: real JupyterLab from PyPI with
# the extension, driven by Galata/Playwright in Debian's chromium, against a
# real Ferry server in a private FERRY_HOME. The Slurm scenario runs too when
# the dev cluster is up (scripts/dev-slurm.sh), holding the cluster lock, and
# the Kubernetes one when FERRY_DEV_K8S names the dev control plane's
# cluster.json (scripts/dev-k8s.sh).
#   bash scripts/jupyterlab-e2e.sh [playwright args...]
# Screenshots and traces of failed tests stay in jupyterlab-ext/ui-tests/test-results.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=$(bash "$root/scripts/jupyterlab.sh")
venv=$(dirname "$(dirname "$python")")

work=$(mktemp -d "${TMPDIR:-/tmp}/ferry-jlab-e2e.XXXXXX")
export FERRY_HOME="$work/ferry-home"
export JUPYTERLAB_GALATA_ROOT_DIR="$work/root"
export FERRY_JLAB_VENV="$venv"
export FERRY_PYTHON="${FERRY_PYTHON:-$root/.venv/bin/python}"
unset FERRY_DATA_DIR
mkdir -p "$FERRY_HOME" "$JUPYTERLAB_GALATA_ROOT_DIR"
FERRY_JLAB_PORT=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export FERRY_JLAB_PORT

stop() {
  # The Ferry server the Jupyter server started for these tests, then the files
  # (FERRY_E2E_KEEP=1 keeps them, e.g. the Ferry server's log, for a look after a failure).
  node "$root/server/bin/ferry.js" server stop >/dev/null 2>&1 || true
  if [ -n "${FERRY_E2E_KEEP:-}" ]; then echo "jupyterlab e2e: files kept in $work" >&2; else rm -rf "$work"; fi
}
trap stop EXIT

# Targets: the local one, the dev cluster's Slurm when it is up, and the dev
# Kubernetes control plane when FERRY_DEV_K8S names its cluster.json.
cluster="${FERRY_DEV_CLUSTER:-/var/lib/ferry-dev-cluster/cluster.json}"
node "$root/jupyterlab-ext/ui-tests/write-config.mjs" "$FERRY_HOME/config.json" "$FERRY_PYTHON" "$cluster" "${FERRY_DEV_K8S:-}"

cd "$root/jupyterlab-ext"
status=0
# FERRY_E2E_RESULTS: where scripts/jupyterlab-test.sh collects JUnit reports.
junit() { [ -n "${FERRY_E2E_RESULTS:-}" ] && echo "$FERRY_E2E_RESULTS/jlab-e2e-$1.xml" || true; }
PLAYWRIGHT_JUNIT_OUTPUT_FILE=$(junit local) npx playwright test --config ui-tests/playwright.config.ts --project=local "$@" || status=1
if [ -f "$cluster" ] && [ "${FERRY_SLURM_TESTS:-1}" != 0 ]; then
  # The dev cluster is shared with other suites: this part holds its lock.
  PLAYWRIGHT_JUNIT_OUTPUT_FILE=$(junit slurm) flock /tmp/ferry-cluster.lock \
    npx playwright test --config ui-tests/playwright.config.ts --project=slurm "$@" || status=1
elif [ "${FERRY_SLURM_TESTS:-1}" = 0 ]; then
  echo "jupyterlab e2e: FERRY_SLURM_TESTS=0; the Slurm scenario is skipped" >&2
else
  echo "jupyterlab e2e: no dev Slurm cluster ($cluster); the Slurm scenario is skipped" >&2
fi
if [ -n "${FERRY_DEV_K8S:-}" ] && [ -f "$FERRY_DEV_K8S" ]; then
  # A namespace of its own on the dev control plane: no lock needed.
  PLAYWRIGHT_JUNIT_OUTPUT_FILE=$(junit kubernetes) \
    npx playwright test --config ui-tests/playwright.config.ts --project=kubernetes "$@" || status=1
else
  echo "jupyterlab e2e: no dev Kubernetes control plane (FERRY_DEV_K8S unset or missing); the Kubernetes scenario is skipped" >&2
fi
exit $status
