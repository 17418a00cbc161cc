#!/usr/bin/env bash
# The README's first command: set up, then run the example pipeline on the
# local target and show its steps, states and final metrics.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/setup.sh"
# Steps run with the project's Python environment, which has the examples' packages.
export FERRY_PYTHON="${FERRY_PYTHON:-$root/.venv/bin/python}"
exec node "$root/server/bin/ferry.js" run "$root/examples/train_pipeline.ipynb" -p epochs=30 --wait "$@"
