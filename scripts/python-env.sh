#!/usr/bin/env bash
# Creates (or refreshes) the project's Python environment in .venv: what the
# step runtime's tests, notebook mode and the examples need. Idempotent.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.venv"
stamp="$venv/.ferry-requirements"
want=$(cat "$root/scripts/requirements-dev.txt" "$root/examples/requirements.txt" ${FERRY_BENCH:+"$root/scripts/requirements-bench.txt"} | sha256sum | cut -c1-16)
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/scripts/requirements-dev.txt"
  if [ -n "${FERRY_BENCH:-}" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/scripts/requirements-bench.txt"
  fi
  "$venv/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null
  echo "$want" > "$stamp"
fi
