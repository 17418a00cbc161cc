#!/usr/bin/env bash
# The JupyterLab extension's tests, one command: the models' unit tests
# (node:test), the server extension's pytest suite, and the Galata scenarios
# in real JupyterLab (scripts/jupyterlab-e2e.sh). Needs Debian's chromium,
# installed here when running as root with apt (as in CI); elsewhere without
# it the stage is skipped, saying why.
#   bash scripts/jupyterlab-test.sh [RESULTS_DIR]
# Writes "PASSED FAILED" to RESULTS_DIR/jupyterlab.counts for scripts/test.sh.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
results=${1:-$(mktemp -d)}
mkdir -p "$results"
cd "$root"
if [ ! -x /usr/bin/chromium ] && ! { [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; }; then
  echo "skipped: Debian's chromium is missing and cannot be installed here (as root: apt-get install chromium)"
  echo "0 0" >"$results/jupyterlab.counts"
  exit 0
fi
if ! python=$(bash scripts/jupyterlab.sh | tail -n 1); then
  echo "the JupyterLab test environment could not be set up (see above)"
  echo "0 1" >"$results/jupyterlab.counts"
  exit 1
fi
status=0

echo "-- extension unit tests"
(cd jupyterlab-ext && node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$results/jlab-node.tap" lib/) || status=1

echo "-- server extension tests"
"$python" -m pytest -q -p no:cacheprovider --junitxml="$results/jlab-pytest.xml" jupyterlab-ext/tests || status=1

echo "-- Galata in real JupyterLab"
FERRY_E2E_RESULTS="$results" bash scripts/jupyterlab-e2e.sh || status=1

"$python" - "$results" <<'PY' >"$results/jupyterlab.counts" || { echo "0 1" >"$results/jupyterlab.counts"; status=1; }
import pathlib, re, sys, xml.etree.ElementTree as ET
results = pathlib.Path(sys.argv[1])
tap = (results / "jlab-node.tap").read_text() if (results / "jlab-node.tap").exists() else "# fail 1\n"
passed = sum(int(n) for n in re.findall(r"^# pass (\d+)", tap, re.M))
failed = sum(int(n) for n in re.findall(r"^# fail (\d+)", tap, re.M))
for name in ["jlab-pytest.xml", "jlab-e2e-local.xml", "jlab-e2e-slurm.xml", "jlab-e2e-kubernetes.xml"]:
    path = results / name
    if not path.exists():
        # The Slurm and Kubernetes scenarios are absent without their clusters.
        failed += name not in ("jlab-e2e-slurm.xml", "jlab-e2e-kubernetes.xml")
        continue
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    tests = sum(int(s.get("tests", 0)) for s in suites)
    bad = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    passed += tests - bad - skipped
    failed += bad
print(passed, failed)
PY
exit $status
