"""ferry.log_metric and pipeline metrics, as metrics.jsonl shows them."""

import importlib.util
import json

import pytest

from conftest import RUNTIME, cell, step


def points(records, name):
    return [(r["step"], r["value"]) for r in records if r["name"] == name]


def test_explicit_and_automatic_steps(make_run):
    run = make_run([step("only", [cell(0, """
        import ferry
        for epoch in range(3):
            ferry.log_metric("loss", 1.0 / (epoch + 1), step=epoch)
        ferry.log_metric("acc", 0.5)
        ferry.log_metric("acc", 0.6)
        ferry.log_metric("acc", 0.9, step=10)
        ferry.log_metric("acc", 0.95)
        ferry.log_metric("count", 7)
    """)])])
    result = run.run("only")
    assert result.returncode == 0, result.stderr
    records = run.metrics("only")
    assert points(records, "loss") == [(0, 1.0), (1, 0.5), (2, 1.0 / 3)]
    assert points(records, "acc") == [(0, 0.5), (1, 0.6), (10, 0.9), (11, 0.95)]
    assert points(records, "count") == [(0, 7)] and type(records[-1]["value"]) is int
    assert all(set(r) == {"name", "value", "step", "time"} for r in records)
    times = [r["time"] for r in records]
    assert times == sorted(times) and all(isinstance(t, float) for t in times)


def test_numpy_scalars_accepted_bools_refused(make_run):
    run = make_run([step("only", [
        cell(0, """
            import numpy as np
            from ferry import log_metric
            log_metric("f32", np.float32(0.5))
            log_metric("i64", np.int64(3), step=np.int64(2))
            log_metric("mean", np.mean(np.array([1.0, 2.0])))
            for index, bad in enumerate((np.bool_(True), "0.5", None, [1.0])):
                try:
                    log_metric("bad", bad)
                except TypeError as exc:
                    print("refused", index)
        """),
        cell(1, "log_metric('flag', True)"),
    ])])
    result = run.run("only")
    assert result.returncode == 1
    records = run.metrics("only")
    assert points(records, "f32") == [(0, 0.5)]
    assert points(records, "i64") == [(2, 3)]
    assert points(records, "mean") == [(0, 1.5)]
    assert points(records, "bad") == [] and points(records, "flag") == []
    assert result.stdout.splitlines() == ["refused 0", "refused 1", "refused 2", "refused 3"]
    error = run.status("only")["error"]
    assert error["type"] == "TypeError" and "not bool" in error["message"] and error["cell"] == 1


def test_non_finite_values_are_written_as_strings(make_run):
    run = make_run([step("only", [cell(0, """
        from ferry import log_metric
        log_metric("x", float("nan"))
        log_metric("x", float("inf"))
        log_metric("x", -float("inf"))
    """)])])
    assert run.run("only").returncode == 0
    assert [r["value"] for r in run.metrics("only")] == ["NaN", "Infinity", "-Infinity"]


def test_invalid_names_and_steps_raise(make_run):
    run = make_run([step("only", [cell(0, """
        from ferry import log_metric
        for args in [("", 1), (3, 1), ("x", 1, -1), ("x", 1, 1.5), ("x", 1, True)]:
            try:
                log_metric(*args)
            except (TypeError, ValueError) as exc:
                print(type(exc).__name__)
    """)])])
    result = run.run("only")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ValueError", "ValueError", "ValueError", "TypeError", "TypeError"]
    assert run.metrics("only") == []


def test_pipeline_metrics_are_logged_at_the_end_of_the_step(make_run):
    run = make_run([step("only", [cell(0, """
        import numpy as np
        accuracy = np.float64(0.875)
        epochs_run = 12
        label = "not a number"
        flag = True
    """)], metrics=["accuracy", "epochs_run", "label", "flag", "never_defined"])])
    result = run.run("only")
    assert result.returncode == 0, result.stderr
    assert [(r["name"], r["value"], r["step"]) for r in run.metrics("only")] == [
        ("accuracy", 0.875, 0), ("epochs_run", 12, 0)]
    assert "pipeline metric 'label' skipped" in result.stderr
    assert "pipeline metric 'flag' skipped" in result.stderr
    assert "pipeline metric 'never_defined' is not defined" in result.stderr
    assert run.status("only")["state"] == "succeeded"


def test_concurrent_threads_write_whole_lines(make_run):
    run = make_run([step("only", [cell(0, """
        import threading
        from ferry import log_metric
        def work(n):
            for i in range(300):
                log_metric("t%d" % n, i * 0.5)
        threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
        for t in threads: t.start()
        for t in threads: t.join()
    """)])])
    assert run.run("only").returncode == 0
    records = run.metrics("only")  # fails on any half-written line
    assert len(records) == 8 * 300
    for n in range(8):
        assert points(records, "t%d" % n) == [(i, i * 0.5) for i in range(300)]


def test_processes_started_by_the_step_log_to_it(make_run):
    # FERRY_RUN_DIR / FERRY_STEP tell a child process which step it works for.
    run = make_run([step("only", [cell(0, """
        import os, subprocess, sys
        runtime_dir = os.path.dirname(sys.modules["ferry_runtime"].__file__)
        env = dict(os.environ, PYTHONPATH=runtime_dir)
        code = "import ferry_runtime as f; f.log_metric('child', 1.5); print(f.step_name())"
        print(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout)
    """)])])
    result = run.run("only")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "only"
    assert points(run.metrics("only"), "child") == [(0, 1.5)]


def test_outside_a_step_log_metric_warns_once_and_returns(monkeypatch, capsys):
    monkeypatch.delenv("FERRY_RUN_DIR", raising=False)
    monkeypatch.delenv("FERRY_STEP", raising=False)
    spec = importlib.util.spec_from_file_location("ferry_outside_step", str(RUNTIME))
    ferry = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ferry)
    assert ferry.log_metric("loss", 0.1) is None
    assert ferry.log_metric("loss", 0.2) is None
    warnings = capsys.readouterr().err.strip().splitlines()
    assert len(warnings) == 1 and "not running in a Ferry step" in warnings[0]
    assert ferry.get_parameters() == {} and ferry.run_dir() is None and ferry.step_name() is None
    with pytest.raises(TypeError):
        ferry.log_metric("loss", True)  # still checked, so mistakes show interactively


def test_metric_lines_match_the_documented_shape(make_run):
    run = make_run([step("only", [cell(0, "import ferry\nferry.log_metric('loss', 0.25, step=3)")])])
    assert run.run("only").returncode == 0
    line = (run.step_dir("only") / "metrics.jsonl").read_text()
    record = json.loads(line)
    assert line.startswith('{"name": "loss", "value": 0.25, "step": 3, "time": ')
    assert line.endswith("}\n") and line.count("\n") == 1 and record["step"] == 3
