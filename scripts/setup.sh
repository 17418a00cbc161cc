#!/usr/bin/env bash
# Everything Ferry needs on a fresh machine with Node ≥ 20 and Python ≥ 3.8:
# npm packages, the Python environment, and a build. Safe to run again: each
# part is skipped when it is already up to date.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# better-sqlite3 compiles from source when no prebuilt binary can be fetched;
# Debian's nodejs ships the headers node-gyp needs under /usr/include/node.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ferry setup: installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "ferry setup: preparing the Python environment (.venv)" >&2
bash scripts/python-env.sh

echo "ferry setup: building" >&2
npx tsc -b
