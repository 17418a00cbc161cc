#!/usr/bin/env bash
# Sets up what the JupyterLab extension needs to build and to be tested in a
# real JupyterLab: its own npm install under jupyterlab-ext/ (the @jupyterlab
# packages are large, so they stay out of the root workspace's `npm ci`), a
# Python environment in .cache/jlab-venv with JupyterLab from PyPI and the
# extension installed editable, the labextension build, and Debian's chromium
# for the Galata tests. Idempotent: each part is skipped when up to date.
#   bash scripts/jupyterlab.sh           # everything
#   bash scripts/jupyterlab.sh --no-browser
# Prints the venv's python on success.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ext="$root/jupyterlab-ext"
venv="${FERRY_JLAB_VENV:-$root/.cache/jlab-venv}"
want_browser=1
[ "${1:-}" = "--no-browser" ] && want_browser=0

if [ "$want_browser" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "jupyterlab setup: installing chromium" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 \
      || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2; }
  else
    echo "jupyterlab setup: Debian's chromium is missing (as root: apt-get install chromium)" >&2
    exit 1
  fi
fi

# The extension imports the browser-safe @ferry/core from the root workspace.
if [ ! -f "$root/node_modules/.package-lock.json" ] || [ ! -f "$root/shared/core/dist/index.js" ]; then
  bash "$root/scripts/setup.sh" >&2
fi

if [ ! -f "$ext/node_modules/.package-lock.json" ] || [ "$ext/package-lock.json" -nt "$ext/node_modules/.package-lock.json" ]; then
  echo "jupyterlab setup: installing the extension's npm packages" >&2
  (cd "$ext" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

stamp="$venv/.ferry-requirements"
want=$(cat "$ext/requirements-e2e.txt" "$ext/pyproject.toml" | sha256sum | cut -c1-16)
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "jupyterlab setup: installing JupyterLab into $venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ext/requirements-e2e.txt" >&2
  "$venv/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null
  rm -f "$venv/.ferry-installed"
  echo "$want" >"$stamp"
fi

# The shared views' stylesheet (@ferry/ui/style.css) is part of @ferry/ui's web build.
if [ ! -f "$root/shared/ui/dist-web/ferry-ui.css" ]; then
  (cd "$root" && npm run --silent build:web -w @ferry/ui >&2)
fi

# The TypeScript and the labextension, rebuilt when a source is newer than the bundle.
bundle="$ext/ferry_jupyterlab/labextension/package.json"
if [ ! -f "$bundle" ] || [ -n "$(find "$ext/src" "$ext/style" "$ext/schema" "$ext/package.json" "$root/shared/core/dist" "$root/shared/ui/dist" "$root/shared/ui/dist-web" -newer "$bundle" -print -quit 2>/dev/null)" ]; then
  echo "jupyterlab setup: building the labextension" >&2
  (cd "$ext" && PATH="$venv/bin:$PATH" npm run build >&2)
fi

if [ ! -f "$venv/.ferry-installed" ]; then
  # Editable, without build isolation: the labextension was just built above,
  # and a linked data dir makes JupyterLab load this checkout's bundle.
  echo "jupyterlab setup: installing the extension into $venv" >&2
  (cd "$ext" && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-build-isolation -e . >&2)
  "$venv/bin/jupyter" labextension develop --overwrite "$ext" >/dev/null 2>&1
  "$venv/bin/jupyter" server extension enable ferry_jupyterlab >/dev/null 2>&1
  touch "$venv/.ferry-installed"
fi
echo "$venv/bin/python"
