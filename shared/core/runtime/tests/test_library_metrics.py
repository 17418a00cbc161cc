"""Metrics logged through MLflow, DVCLive, Lightning's CSVLogger and TensorBoard end
up in the step's metrics.jsonl, with the user's code unchanged."""

import json
import os
import subprocess
import sys
import time

import pytest

from conftest import RUNTIME, cell, step

sys.path.insert(0, str(RUNTIME.parent))
import ferry_log_sources  # noqa: E402


def series(records, name, source=None):
    return [(r["step"], r["value"]) for r in records
            if r["name"] == name and (source is None or r.get("source") == source)]


def run_step(make_run, source, tmp_path, mode="script", extra_env=None):
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    run = make_run([step("train", [cell(3, source)])])
    result = run.run("train", mode=mode, cwd=work, extra_env=extra_env)
    assert result.returncode == 0, result.stderr
    return run, result, work


# ---------------------------------------------------------------------------
# MLflow


def test_mlflow_metrics_arrive_with_steps_and_times(make_run, tmp_path):
    pytest.importorskip("mlflow")
    run, result, work = run_step(make_run, """
        import mlflow
        for epoch in range(3):
            mlflow.log_metric("loss", 1.0 / (epoch + 1), step=epoch)
        mlflow.log_metrics({"val/acc": 0.5, "lr": 0.01}, step=2)
        mlflow.log_metric("diverged", float("nan"), step=3)
        print(mlflow.get_tracking_uri())
    """, tmp_path)
    records = run.metrics("train")
    assert series(records, "loss", "mlflow") == [(0, 1.0), (1, 0.5), (2, 1.0 / 3)]
    assert series(records, "val/acc") == [(2, 0.5)] and series(records, "lr") == [(2, 0.01)]
    assert series(records, "diverged") == [(3, "NaN")]
    assert all(abs(r["time"] - time.time()) < 600 for r in records)
    # The store lives in the step's directory, not in the user's working directory.
    assert result.stdout.strip().startswith("file://" + str(run.step_dir("train") / "mlruns"))
    assert not (work / "mlruns").exists() and not (work / "mlflow.db").exists()


def test_a_metric_logged_through_ferry_and_mlflow_is_recorded_once(make_run, tmp_path):
    pytest.importorskip("mlflow")
    run, _, _ = run_step(make_run, """
        import ferry, mlflow
        for epoch in range(4):
            loss = 0.5 ** epoch
            ferry.log_metric("loss", loss, step=epoch)
            mlflow.log_metric("loss", loss, step=epoch)
        mlflow.log_metric("loss", 9.0, step=0)  # another value at a logged step: kept
    """, tmp_path)
    records = run.metrics("train")
    assert sorted(series(records, "loss")) == [(0, 1.0), (0, 9.0), (1, 0.5), (2, 0.25), (3, 0.125)]


def test_a_tracking_uri_set_by_the_user_is_left_alone(make_run, tmp_path):
    pytest.importorskip("mlflow")
    theirs = tmp_path / "their-store"
    env = {"MLFLOW_TRACKING_URI": "file://" + str(theirs), "MLFLOW_ALLOW_FILE_STORE": "true"}
    run, result, _ = run_step(make_run, """
        import mlflow
        mlflow.log_metric("loss", 0.5, step=1)
    """, tmp_path, extra_env=env)
    assert "MLFLOW_TRACKING_URI is set" in result.stderr
    assert list(theirs.glob("*/*/metrics/loss"))
    assert not (run.step_dir("train") / "mlruns").exists()


# ---------------------------------------------------------------------------
# DVCLive


def test_dvclive_metrics_arrive(make_run, tmp_path):
    pytest.importorskip("dvclive")
    run, _, work = run_step(make_run, """
        from dvclive import Live
        with Live(save_dvc_exp=False) as live:
            for epoch in range(3):
                live.log_metric("train/loss", 2.0 - epoch)
                live.log_metric("acc", 0.25 * epoch, timestamp=True)
                live.next_step()
    """, tmp_path)
    records = run.metrics("train")
    assert series(records, "train/loss", "dvclive") == [(0, 2.0), (1, 1.0), (2, 0.0)]
    assert series(records, "acc", "dvclive") == [(0, 0.0), (1, 0.25), (2, 0.5)]
    assert (work / "dvclive" / "plots" / "metrics" / "train" / "loss.tsv").exists()


# ---------------------------------------------------------------------------
# Lightning's CSVLogger


LIGHTNING_CSV = (
    # What lightning.pytorch.loggers.CSVLogger writes (its _ExperimentWriter: one
    # header with every key seen, sorted, "step" among them; empty cells).
    "epoch,step,train_loss,val_loss\n"
    "0,0,0.9,\n"
    "0,1,0.7,\n"
    "0,1,,0.8\n"
)


def test_lightning_csv_metrics_arrive_and_a_rewritten_header_is_followed(tmp_path):
    version = tmp_path / "lightning_logs" / "version_0"
    version.mkdir(parents=True)
    csv_path = version / "metrics.csv"
    csv_path.write_text(LIGHTNING_CSV)
    reader = ferry_log_sources.DelimitedMetricsReader(str(csv_path), "lightning", ",")
    warnings = []
    points = reader.read_new(warnings.append)
    assert [(p.name, p.step, p.value) for p in points] == [
        ("epoch", 0, 0.0), ("train_loss", 0, 0.9), ("epoch", 1, 0.0), ("train_loss", 1, 0.7),
        ("epoch", 1, 0.0), ("val_loss", 1, 0.8)]
    # A new key makes Lightning rewrite the file with a wider header.
    csv_path.write_text("epoch,lr,step,train_loss,val_loss\n0,,0,0.9,\n0,,1,0.7,\n0,,1,,0.8\n1,0.01,2,0.5,\n")
    again = reader.read_new(warnings.append)
    assert ("lr", 2, 0.01) in [(p.name, p.step, p.value) for p in again]
    assert warnings == []


def test_real_lightning_csv_logger_if_installed(tmp_path):
    loggers = pytest.importorskip("lightning.pytorch.loggers")
    logger = loggers.CSVLogger(str(tmp_path))
    logger.log_metrics({"train_loss": 0.5}, step=0)
    logger.log_metrics({"train_loss": 0.25, "val_loss": 0.3}, step=1)
    logger.save()
    (csv_path,) = (tmp_path / "lightning_logs").glob("version_*/metrics.csv")
    points = ferry_log_sources.DelimitedMetricsReader(str(csv_path), "lightning", ",").read_new(pytest.fail)
    assert sorted((p.name, p.step, p.value) for p in points) == [
        ("train_loss", 0, 0.5), ("train_loss", 1, 0.25), ("val_loss", 1, 0.3)]


def test_lightning_csv_through_the_step(make_run, tmp_path):
    run, _, _ = run_step(make_run, """
        import os
        os.makedirs("lightning_logs/version_3")
        with open("lightning_logs/version_3/metrics.csv", "w") as file:
            file.write(%r)
    """ % LIGHTNING_CSV, tmp_path)
    records = run.metrics("train")
    assert series(records, "train_loss", "lightning") == [(0, 0.9), (1, 0.7)]
    assert series(records, "val_loss", "lightning") == [(1, 0.8)]


def test_a_malformed_line_is_skipped_with_a_warning_naming_file_and_line(make_run, tmp_path):
    run, result, work = run_step(make_run, """
        import os
        os.makedirs("logs/version_0")
        with open("logs/version_0/metrics.csv", "w") as file:
            file.write("step,loss\\n0,0.5\\nzero,0.4\\n2,lots\\n3,0.1\\n")
    """, tmp_path)
    assert series(run.metrics("train"), "loss") == [(0, 0.5), (3, 0.1)]
    path = work / "logs" / "version_0" / "metrics.csv"
    assert "%s, line 3: step 'zero' is not an int >= 0; skipped" % path in result.stderr
    assert "%s, line 4: loss value 'lots' is not a number; skipped" % path in result.stderr
    assert run.status("train")["state"] == "succeeded"


# ---------------------------------------------------------------------------
# TensorBoard


def test_tensorboard_scalars_arrive_in_notebook_mode_too(make_run, tmp_path):
    pytest.importorskip("tensorboardX")
    from conftest import has_notebook_packages

    if not has_notebook_packages():
        pytest.skip("needs nbformat, nbclient, ipykernel")
    run, _, _ = run_step(make_run, """
        from tensorboardX import SummaryWriter
        with SummaryWriter("runs/exp1") as writer:
            for step in range(4):
                writer.add_scalar("loss", 1.0 / (step + 1), step)
    """, tmp_path, mode="notebook")
    points = series(run.metrics("train"), "loss", "tensorboard")
    assert points == [(s, pytest.approx(1.0 / (s + 1), rel=1e-6)) for s in range(4)]


def test_logs_that_existed_before_the_step_are_not_picked_up(make_run, tmp_path):
    work = tmp_path / "work"
    old = work / "lightning_logs" / "version_0"
    old.mkdir(parents=True)
    (old / "metrics.csv").write_text("step,loss\n0,0.5\n")
    run, _, _ = run_step(make_run, """
        with open("lightning_logs/version_0/metrics.csv", "a") as file:
            file.write("1,0.25\\n")  # appended during the step: the step's
    """, tmp_path)
    assert series(run.metrics("train"), "loss") == [(1, 0.25)]


def test_turned_off_with_ferry_library_metrics_0(make_run, tmp_path):
    pytest.importorskip("mlflow")
    run, result, _ = run_step(make_run, """
        import os
        print(os.environ.get("MLFLOW_TRACKING_URI"))
    """, tmp_path, extra_env={"FERRY_LIBRARY_METRICS": "0"})
    assert result.stdout.strip() == "None"
    assert run.metrics("train") == []


# ---------------------------------------------------------------------------
# The watcher while a step runs


def test_points_appear_while_the_step_is_still_running(tmp_path):
    tensorboardX = pytest.importorskip("tensorboardX")
    run_dir, work = tmp_path / "run", tmp_path / "work"
    (run_dir / "steps" / "train").mkdir(parents=True)
    work.mkdir()
    written = []
    watcher = ferry_log_sources.LogWatcher(
        str(run_dir), "train", str(work), None,
        lambda name, value, step, when, source: written.append((name, step, value, source)), interval=0.05)
    watcher.start()
    try:
        writer = tensorboardX.SummaryWriter(str(work / "runs"))
        writer.add_scalar("loss", 0.5, 0)
        deadline = time.monotonic() + 20
        while not written and time.monotonic() < deadline:
            writer.flush()  # tensorboardX writes events from a queue: flush until it has
            time.sleep(0.05)
        assert written == [("loss", 0, 0.5, "tensorboard")]
        writer.add_scalar("loss", 0.25, 1)
        writer.close()
    finally:
        watcher.stop()
    assert written == [("loss", 0, 0.5, "tensorboard"), ("loss", 1, 0.25, "tensorboard")]


def test_an_event_file_of_another_steps_live_process_is_not_read(tmp_path):
    import socket

    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                             env=dict(os.environ, FERRY_RUN_DIR=str(tmp_path), FERRY_STEP="other"))
    try:
        name = "events.out.tfevents.1700000000.%s.%d.0" % (socket.gethostname(), other.pid)
        path = str(tmp_path / name)
        if not os.path.exists("/proc/%d/environ" % other.pid):
            pytest.skip("no /proc on this system")
        assert ferry_log_sources._tensorboard_writer_elsewhere(path, str(tmp_path), "other") is False
        assert ferry_log_sources._tensorboard_writer_elsewhere(path, str(tmp_path), "train") is True
    finally:
        other.kill()
        other.wait()


def test_the_mlflow_environment_points_into_the_step_directory(tmp_path):
    environ = {}
    store = ferry_log_sources.mlflow_environment(str(tmp_path / "a dir"), "pipe", environ)
    assert environ["MLFLOW_TRACKING_URI"] == "file://" + str(tmp_path / "a%20dir" / "mlruns")
    assert environ["MLFLOW_EXPERIMENT_NAME"] == "pipe" and store == str(tmp_path / "a dir" / "mlruns")
    theirs = {"MLFLOW_TRACKING_URI": "http://tracking:5000"}
    assert ferry_log_sources.mlflow_environment(str(tmp_path), "pipe", theirs) is None
    assert theirs == {"MLFLOW_TRACKING_URI": "http://tracking:5000"}


def test_a_malformed_mlflow_line_is_reported_with_its_line(tmp_path):
    path = tmp_path / "loss"
    path.write_text("1700000000000 0.5 0\nnot a metric line\n1700000000001 0.25 1\n1700000000002 0.1 2")
    warnings = []
    reader = ferry_log_sources.MlflowMetricReader(str(path), "loss")
    points = reader.read_new(warnings.append)
    assert [(p.step, p.value, p.time) for p in points] == [(0, 0.5, 1700000000.0), (1, 0.25, 1700000000.001)]
    assert warnings == ["%s, line 2: not an MLflow metric line (timestamp value step): 'not a metric line'; skipped"
                        % path]
    with open(path, "a") as file:
        file.write("\n")  # the last line is complete now
    assert [(p.step, p.value) for p in reader.read_new(warnings.append)] == [(2, 0.1)]


def test_watcher_output_is_what_the_monitor_parses(make_run, tmp_path):
    run, _, _ = run_step(make_run, """
        import os
        os.makedirs("dvclive/plots/metrics")
        with open("dvclive/plots/metrics/loss.tsv", "w") as file:
            file.write("timestamp\\tstep\\tloss\\n1700000000000\\t0\\t0.5\\n")
    """, tmp_path)
    text = (run.step_dir("train") / "metrics.jsonl").read_text()
    assert json.loads(text) == {"name": "loss", "value": 0.5, "step": 0, "time": 1700000000.0, "source": "dvclive"}


def test_logs_under_the_step_directory_are_read(make_run, tmp_path):
    pytest.importorskip("tensorboardX")
    run, _, _ = run_step(make_run, """
        import os, ferry
        from tensorboardX import SummaryWriter
        with SummaryWriter(os.path.join(ferry.run_dir(), "steps", ferry.step_name(), "tb")) as writer:
            writer.add_scalar("loss", 0.5, 7)
    """, tmp_path)
    assert series(run.metrics("train"), "loss", "tensorboard") == [(7, 0.5)]
