"""The real notebooks in examples/, split into steps by hand the way the compiler
splits them (same cells, same data flow), run through the runtime."""

import json

import pytest

from conftest import REPO, has_notebook_packages, step


def notebook_cells(name):
    notebook = json.loads((REPO / "examples" / name).read_text())
    return [
        {"cell": index, "source": "".join(c["source"]) if isinstance(c["source"], list) else c["source"]}
        for index, c in enumerate(notebook["cells"])
    ]


def test_train_pipeline_kale_style(make_run):
    cells = notebook_cells("train_pipeline.ipynb")
    split = ["x_train", "x_test", "y_train", "y_test"]
    run = make_run(
        [
            step("prepare", [cells[5], cells[6]], outputs=split),
            step("train", [cells[8]], inputs=[("x_train", "prepare"), ("y_train", "prepare")], outputs=["weights"]),
            step("evaluate", [cells[10]],
                 inputs=[("weights", "train"), ("x_test", "prepare"), ("y_test", "prepare")],
                 metrics=["test_accuracy", "weight_norm"]),
        ],
        prelude=[cells[1], cells[2]],
        defaults={"epochs": 20, "learning_rate": 0.5, "n_samples": 400, "seed": 7},
        params={"epochs": 5},
    )
    for name in ("prepare", "train", "evaluate"):
        result = run.run(name)
        assert result.returncode == 0, result.stderr
        assert run.status(name)["state"] == "succeeded"
    losses = [r for r in run.metrics("train") if r["name"] == "loss"]
    assert [r["step"] for r in losses] == [0, 1, 2, 3, 4]
    assert losses[-1]["value"] < losses[0]["value"]
    final = {r["name"]: r["value"] for r in run.metrics("evaluate")}
    assert set(final) == {"test_accuracy", "weight_norm"} and final["test_accuracy"] > 0.8


def test_parallel_branches_run_at_the_same_time(make_run):
    cells = notebook_cells("parallel_branches.ipynb")
    run = make_run(
        [
            step("load", [cells[3]], outputs=["samples"]),
            step("mean_branch", [cells[4]], inputs=[("samples", "load")], outputs=["mean"]),
            step("spread_branch", [cells[5]], inputs=[("samples", "load")], outputs=["spread"]),
            step("report", [cells[6]],
                 inputs=[("mean", "mean_branch"), ("spread", "spread_branch"), ("samples", "load")]),
        ],
        prelude=[cells[1]],
        defaults={"count": 1000, "work_seconds": 1.5},
        params={"count": 10, "work_seconds": 0.2},
    )
    assert run.run("load").returncode == 0
    branches = [run.popen("mean_branch"), run.popen("spread_branch")]
    for process in branches:
        process.communicate(timeout=60)
        assert process.returncode == 0
    result = run.run("report")
    assert result.returncode == 0, result.stderr
    assert "summary {'mean': " in result.stdout and "'count': 10" in result.stdout


@pytest.mark.skipif(not has_notebook_packages(), reason="needs nbformat, nbclient, ipykernel")
def test_papermill_report_in_notebook_mode(make_run):
    cells = notebook_cells("papermill_report.ipynb")
    run = make_run(
        [step("papermill_report", [cells[2], cells[3]])],
        defaults={"terms": 12, "greeting": "hello", "scale": 1.0, "show_ratio": True},
        params={"terms": 8, "greeting": "hi 'there'", "scale": 2},
    )
    result = run.run("papermill_report", mode="notebook")
    assert result.returncode == 0, result.stderr
    assert "hi 'there' [0.0, 2.0, 2.0, 4.0, 6.0, 10.0, 16.0, 26.0]" in result.stdout
    assert "ratio 1.625000" in result.stdout
    values = [(r["step"], r["value"]) for r in run.metrics("papermill_report") if r["name"] == "value"]
    assert values == list(enumerate([0.0, 2.0, 2.0, 4.0, 6.0, 10.0, 16.0, 26.0]))
    assert (run.step_dir("papermill_report") / "executed.ipynb").exists()


def test_papermill_report_in_script_mode(make_run):
    cells = notebook_cells("papermill_report.ipynb")
    run = make_run([step("papermill_report", [cells[2], cells[3]])],
                   defaults={"terms": 12, "greeting": "hello", "scale": 1.0, "show_ratio": True})
    result = run.run("papermill_report")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "ratio 1.618182"
