"""A real Jupyter server with the extension, against a real Ferry server in a private FERRY_HOME."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FERRY = ["node", str(REPO / "server" / "bin" / "ferry.js")]
EXAMPLES = REPO / "examples"

pytest_plugins = ["pytest_jupyter.jupyter_server"]


def step_python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return os.environ.get("FERRY_PYTHON") or (str(venv) if venv.exists() else "python3")


@pytest.fixture
def ferry_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("ferry-home")
    monkeypatch.setenv("FERRY_HOME", str(home))
    monkeypatch.setenv("FERRY_PYTHON", step_python())
    monkeypatch.delenv("FERRY_DATA_DIR", raising=False)
    yield home
    # Stop the server the extension started for this test.
    subprocess.run([*FERRY, "server", "stop"], env={**os.environ, "FERRY_HOME": str(home)}, capture_output=True, timeout=30)


@pytest.fixture
def ferry_token(ferry_home) -> callable:
    def read() -> str:
        return json.loads((ferry_home / "server.json").read_text())["token"]

    return read


@pytest.fixture
def jp_server_config(ferry_home):
    return {"ServerApp": {"jpserver_extensions": {"ferry_jupyterlab": True}}}


@pytest.fixture
def notebook_in_root(jp_root_dir):
    """examples/train_pipeline.ipynb copied into the Jupyter server's root, as `work/train.ipynb`."""
    (jp_root_dir / "work").mkdir()
    shutil.copy(EXAMPLES / "train_pipeline.ipynb", jp_root_dir / "work" / "train.ipynb")
    return "work/train.ipynb"
