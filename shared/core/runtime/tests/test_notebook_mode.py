"""Notebook mode: the step runs as a small notebook in a real ipykernel."""

import ast
import json
import math

import pytest

from conftest import cell, has_notebook_packages, step

needs_kernel = pytest.mark.skipif(not has_notebook_packages(), reason="needs nbformat, nbclient, ipykernel")

EVIL = 'it\'s "quoted"\nsecond\r\n"""; import os; os.system("touch pwned") #\\ \u2028\x00 end'


def roles(notebook):
    return [c["metadata"]["ferry"]["role"] for c in notebook["cells"]]


def text(value):
    """.ipynb files store multi-line strings as lists of lines."""
    return "".join(value) if isinstance(value, list) else value


def outputs_text(notebook_cell):
    parts = []
    for output in notebook_cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(text(output["text"]))
        elif output["output_type"] == "execute_result":
            parts.append(text(output["data"]["text/plain"]))
    return "".join(parts)


@needs_kernel
def test_notebook_step_runs_with_magics_and_keeps_outputs(make_run):
    run = make_run(
        [
            step("prepare", [
                cell(3, "%time data = [i * scale for i in range(count)]\n!echo from-the-shell"),
                cell(4, "print(repr(text))\nlog_metric('size', len(data))\nlen(data)"),
            ], outputs=["data"], metrics=["count"]),
            step("report", [cell(6, "import ferry\nprint('sum', sum(data), ferry.step_name())")],
                 inputs=[("data", "prepare")]),
        ],
        prelude=[cell(1, "from ferry import log_metric")],
        defaults={"scale": 1.0, "count": 2, "text": "plain"},
        params={"scale": 2, "count": 4, "text": EVIL},
    )
    result = run.run("prepare", mode="notebook")
    assert result.returncode == 0, result.stderr
    # Cell output is echoed to the step's stdout (the log) as it arrives.
    assert "from-the-shell" in result.stdout and repr(EVIL) in result.stdout
    assert not (run.path / "pwned").exists()
    assert run.status("prepare")["state"] == "succeeded"
    assert run.artifact("prepare", "data") == [0.0, 2.0, 4.0, 6.0]
    assert [(r["name"], r["value"]) for r in run.metrics("prepare")] == [("size", 4), ("count", 4)]

    notebook = run.executed_notebook("prepare")
    assert roles(notebook) == ["setup", "prelude", "parameters", "step", "step", "finish"]
    params_cell = notebook["cells"][2]
    assert params_cell["metadata"]["tags"] == ["injected-parameters"]
    shown = {}
    for line in text(params_cell["source"]).splitlines():
        if line.startswith("# ") and " = " in line:
            name, literal = line[2:].split(" = ", 1)
            shown[name] = ast.literal_eval(literal)
    assert shown == {"scale": 2.0, "count": 4, "text": EVIL}
    assert [c["metadata"]["ferry"].get("cell") for c in notebook["cells"]] == [None, 1, None, 3, 4, None]
    assert "from-the-shell" in outputs_text(notebook["cells"][3])
    assert outputs_text(notebook["cells"][4]).endswith("4")  # the cell's value, as Jupyter shows it

    result = run.run("report", mode="notebook")
    assert result.returncode == 0, result.stderr
    assert "sum 12.0 report" in result.stdout
    assert roles(run.executed_notebook("report")) == ["setup", "prelude", "parameters", "inputs", "step", "finish"]


@needs_kernel
def test_failing_cell_keeps_what_ran(make_run):
    run = make_run([step("only", [
        cell(2, "print('before')"),
        cell(5, "x = 1\nraise ValueError('bad value %d' % x)"),
        cell(6, "print('never')"),
    ])])
    result = run.run("only", mode="notebook")
    assert result.returncode == 1
    assert "ValueError" in result.stderr and "bad value 1" in result.stderr
    status = run.status("only")
    assert status["state"] == "failed" and status["exitCode"] == 1
    error = status["error"]
    assert (error["type"], error["message"], error["cell"]) == ("ValueError", "bad value 1", 5)
    assert "\x1b[" not in error["traceback"] and "bad value 1" in error["traceback"]
    notebook = run.executed_notebook("only")
    cells = {c["metadata"]["ferry"].get("cell"): c for c in notebook["cells"]}
    assert outputs_text(cells[2]) == "before\n"
    assert [o["output_type"] for o in cells[5]["outputs"]] == ["error"]
    assert cells[6]["outputs"] == [] and cells[6]["execution_count"] is None


@needs_kernel
def test_sys_exit_in_a_notebook_step(make_run):
    run = make_run([step("only", [cell(0, "import sys\nsys.exit(5)")])])
    assert run.run("only", mode="notebook").returncode == 5
    assert run.status("only")["exitCode"] == 5
    run = make_run([step("only", [cell(0, "v = 1\nimport sys\nsys.exit(0)"), cell(1, "v = 2")], outputs=["v"])])
    assert run.run("only", mode="notebook").returncode == 0
    assert run.artifact("only", "v") == 1


def test_missing_input_fails_before_starting_a_kernel(make_run):
    run = make_run([
        step("a", [cell(0, "v = 1")], outputs=["v"]),
        step("b", [cell(1, "print(v)")], inputs=[("v", "a")]),
    ])
    result = run.run("b", mode="notebook")
    assert result.returncode == 2
    assert "input 'v' of step 'b' is missing" in result.stderr


def test_missing_notebook_packages_exit_2(make_run, tmp_path):
    blocker = tmp_path / "blocker"
    (blocker / "nbclient").mkdir(parents=True)
    (blocker / "nbclient" / "__init__.py").write_text("raise ImportError('nbclient is blocked for this test')\n")
    run = make_run([step("only", [cell(0, "pass")])])
    result = run.run("only", mode="notebook", extra_env={"PYTHONPATH": str(blocker)})
    assert result.returncode == 2
    assert "notebook mode needs nbformat, nbclient and ipykernel" in result.stderr
    assert "script mode" in result.stderr
    assert run.status("only")["state"] == "failed"


TRICKY = [
    None, True, False, 0, -1, 2 ** 80, -(2 ** 70), 0.1, -0.0, 1e300, 5e-324, 1.0,
    "", "plain", "it's", 'say "hi"', "back\\slash", "new\nline", "cr\rlf\r\n", "tab\t", "nul\x00",
    "\u2028\u2029\x85\x0b\x0c", "\ud800", "\U0001f600 emoji", "'''", '"""', "\\", "\\'", "%s {0} {x}",
    "'); import os; os.system('x') #", [], {}, [1, [2, [3, "x"]]], {"a": {"b": [None, 1.5]}, "": 0, "k'\n": "v"},
]


@pytest.mark.parametrize("value", TRICKY, ids=[repr(v)[:30] for v in TRICKY])
def test_literal_renderer_round_trips(runtime_module, value):
    literal = runtime_module.render_literal(value)
    assert len(literal.splitlines()) <= 1
    decoded = ast.literal_eval(literal)
    assert decoded == value
    assert json.dumps(decoded) == json.dumps(value)  # same types all the way down (bool vs int, float vs int)
    if isinstance(value, float):
        assert math.copysign(1, decoded) == math.copysign(1, value)


def test_literal_renderer_matches_papermill_for_non_finite_floats(runtime_module):
    assert runtime_module.render_literal(float("nan")) == "float('nan')"
    assert runtime_module.render_literal(float("inf")) == "float('inf')"
    assert runtime_module.render_literal([float("-inf")]) == "[-float('inf')]"


def test_literal_renderer_refuses_anything_not_json(runtime_module):
    class Sneaky(str):
        def __repr__(self):
            return "__import__('os').system('x')"

    for value in (Sneaky("a"), {1: "int key"}, (1, 2), {1, 2}, b"bytes", object()):
        with pytest.raises(TypeError):
            runtime_module.render_literal(value)


def test_parameters_cell_has_one_line_per_parameter(runtime_module):
    source = runtime_module.render_parameters_cell({"a": "x\ny", "b": [1, "\u2028"], "c": None})
    lines = source.splitlines()
    assert lines[1:4] == ["# a = 'x\\ny'", "# b = [1, '\\u2028']", "# c = None"]
    assert lines[-1] == "_ferry_runtime.kernel_bind_parameters(globals())"
    assert len(lines) == 5


@needs_kernel
def test_kernel_death_fails_the_step(make_run):
    run = make_run([step("only", [cell(0, "print('bye', flush=True)"), cell(3, "import os\nos._exit(9)")])])
    result = run.run("only", mode="notebook")
    assert result.returncode == 1
    error = run.status("only")["error"]
    assert error["type"] == "DeadKernelError" and error["cell"] == 3
    assert "kernel died" in result.stderr
    assert (run.step_dir("only") / "executed.ipynb").exists()
