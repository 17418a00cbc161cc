"""Builds run directories by hand (spec.json / params.json shaped as in
shared/core/src/spec.ts) and runs ferry_runtime.py on them as a real subprocess."""

import importlib.util
import json
import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

RUNTIME = Path(__file__).resolve().parents[1] / "ferry_runtime.py"
REPO = Path(__file__).resolve().parents[4]


def cell(index, source):
    """A CellSource; index is the cell's position in the notebook."""
    return {"cell": index, "source": textwrap.dedent(source).strip("\n")}


def step(name, cells, inputs=(), outputs=(), metrics=(), depends_on=None):
    inputs = [{"name": n, "from": f} for n, f in inputs]
    return {
        "name": name,
        "cells": list(cells),
        "dependsOn": sorted({i["from"] for i in inputs}) if depends_on is None else list(depends_on),
        "inputs": inputs,
        "outputs": list(outputs),
        "metrics": list(metrics),
        "resources": {},
    }


_PY_TYPES = {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict", type(None): "None"}


def parameters(defaults):
    """ParameterSpecs for {name: default}, as if declared in notebook cell 1."""
    return [
        {"name": name, "type": _PY_TYPES[type(default)], "default": default, "cell": 1, "line": line}
        for line, (name, default) in enumerate(defaults.items(), start=1)
    ]


class RunDir:
    def __init__(self, path):
        self.path = path

    def write(self, spec, params):
        (self.path / "spec.json").write_text(json.dumps(spec, indent=2))
        (self.path / "params.json").write_text(json.dumps(params))

    def run(self, step_name, mode="script", python=sys.executable, cwd=None, timeout=180, extra_env=None):
        env = dict(os.environ)
        for name in ("FERRY_RUN_DIR", "FERRY_STEP"):  # never inherit a step from the test's environment
            env.pop(name, None)
        env.update(extra_env or {})
        interpreter = [python] if isinstance(python, str) else list(python)
        return subprocess.run(
            interpreter + [str(RUNTIME), "--run-dir", str(self.path), "--step", step_name, "--mode", mode],
            cwd=str(cwd or self.path), env=env, capture_output=True, text=True, timeout=timeout,
        )

    def popen(self, step_name, mode="script", cwd=None):
        env = {k: v for k, v in os.environ.items() if k not in ("FERRY_RUN_DIR", "FERRY_STEP")}
        return subprocess.Popen(
            [sys.executable, str(RUNTIME), "--run-dir", str(self.path), "--step", step_name, "--mode", mode],
            cwd=str(cwd or self.path), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    def step_dir(self, step_name):
        return self.path / "steps" / step_name

    def status(self, step_name):
        return json.loads((self.step_dir(step_name) / "status.json").read_text())

    def metrics(self, step_name):
        path = self.step_dir(step_name) / "metrics.jsonl"
        if not path.exists():
            return []
        text = path.read_text()
        assert text == "" or text.endswith("\n"), "metrics.jsonl must end with a whole line"
        return [json.loads(line) for line in text.splitlines()]

    def artifact(self, step_name, name):
        with open(self.path / "artifacts" / step_name / (name + ".pkl"), "rb") as file:
            return pickle.load(file)

    def executed_notebook(self, step_name):
        return json.loads((self.step_dir(step_name) / "executed.ipynb").read_text())


@pytest.fixture
def make_run(tmp_path):
    """make_run(steps, prelude=[], defaults={}, params=None, **spec_overrides) -> RunDir."""

    def make(steps, prelude=(), defaults=None, params=None, **overrides):
        defaults = defaults or {}
        spec = {
            "specVersion": 1,
            "name": "test_pipeline",
            "notebook": "test_pipeline.ipynb",
            "prelude": list(prelude),
            "parameters": parameters(defaults),
            "steps": list(steps),
        }
        spec.update(overrides)
        run = RunDir(tmp_path / "run")
        run.path.mkdir(exist_ok=True)
        run.write(spec, dict(defaults, **(params or {})))
        return run

    return make


@pytest.fixture(scope="session")
def runtime_module():
    """ferry_runtime imported in the test process, for its pure functions."""
    spec = importlib.util.spec_from_file_location("ferry_runtime_under_test", str(RUNTIME))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def has_notebook_packages():
    return all(importlib.util.find_spec(name) for name in ("nbformat", "nbclient", "ipykernel"))
