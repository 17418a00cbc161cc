"""FERRY_STDOUT_RECORDS=1: every line appended to metrics.jsonl is repeated on
stdout as ``##ferry:metric <line>``, and the last line is ``##ferry:status
<status.json>``: how metrics and failures reach a target that reads only the
step's log (Kubernetes' pods/log)."""

import json

import pytest

from conftest import RUNTIME, cell, has_notebook_packages, step

RECORDS = {"FERRY_STDOUT_RECORDS": "1"}
METRIC = "##ferry:metric "
STATUS = "##ferry:status "


def metrics_lines(run, step_name):
    return (run.step_dir(step_name) / "metrics.jsonl").read_text().splitlines()


def metric_records(stdout):
    return [line[len(METRIC):] for line in stdout.split("\n") if line.startswith(METRIC)]


def status_record(stdout):
    last = stdout.rstrip("\n").split("\n")[-1]
    assert last.startswith(STATUS), "the last line is not the status: %r" % last
    return json.loads(last[len(STATUS):])


def test_logged_metrics_appear_between_the_steps_lines_then_the_status(make_run):
    run = make_run([step("train", [cell(1, """
        import ferry
        print("epoch 0")
        ferry.log_metric("loss", 0.5)
        print("epoch 1 ...", end="")
        ferry.log_metric("loss", 0.25)
        print(" done")
    """)])])
    without = run.run("train")
    assert without.returncode == 0, without.stderr
    assert without.stdout == "epoch 0\nepoch 1 ... done\n"

    result = run.run("train", extra_env=RECORDS)
    assert result.returncode == 0, result.stderr
    # Only this attempt's points, exactly as metrics.jsonl holds them; the one
    # logged in the middle of a line waits for the line to end.
    this_attempt = metrics_lines(run, "train")[2:]
    assert result.stdout.split("\n") == [
        "epoch 0", METRIC + this_attempt[0], "epoch 1 ... done", METRIC + this_attempt[1],
        STATUS + json.dumps(run.status("train")), "",
    ]
    assert [json.loads(text)["value"] for text in this_attempt] == [0.5, 0.25]


def test_a_failing_step_ends_with_its_status_and_traceback(make_run):
    run = make_run([step("train", [
        cell(0, "import ferry\nferry.log_metric('acc', 0.75)"),
        cell(2, """
            def check(value):
                raise ValueError("accuracy too low: %s" % value)
            check(0.75)
        """),
    ])])
    result = run.run("train", extra_env=RECORDS)
    assert result.returncode == 1
    assert metric_records(result.stdout) == metrics_lines(run, "train")
    status = status_record(result.stdout)
    assert status == run.status("train")
    assert (status["state"], status["exitCode"], status["error"]["cell"]) == ("failed", 1, 2)
    assert status["error"]["type"] == "ValueError"
    assert status["error"]["message"] == "accuracy too low: 0.75"
    assert 'File "<cell 2>", line 2, in check' in status["error"]["traceback"]


def test_points_from_other_processes_come_once_and_only_through_the_runtime(make_run):
    run = make_run([step("train", [cell(0, """
        import subprocess, sys
        child = '''
        import sys
        sys.path.insert(0, %r)
        import ferry_runtime
        for epoch in range(3):
            ferry_runtime.log_metric("child_loss", 1.0 / (epoch + 1))
        print("child finished")
        '''
        done = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True)
        print("child said:", repr(done.stdout))
    """ % str(RUNTIME.parent))])])
    result = run.run("train", extra_env=RECORDS)
    assert result.returncode == 0, result.stderr
    # The child's own output (captured by the step) has no records in it.
    assert "child said: 'child finished\\n'" in result.stdout.split("\n")
    assert metric_records(result.stdout) == metrics_lines(run, "train")
    assert [json.loads(text)["name"] for text in metric_records(result.stdout)] == ["child_loss"] * 3


def test_a_line_left_open_is_broken_for_waiting_records(make_run):
    # A progress bar that rewrites its line with \r: the metrics still come live.
    run = make_run([step("train", [cell(0, """
        import time, ferry
        print("batch 1/2", end="\\r", flush=True)
        ferry.log_metric("loss", 0.5)
        time.sleep(3)
        print("batch 2/2")
    """)])])
    result = run.run("train", extra_env=RECORDS)
    assert result.returncode == 0, result.stderr
    (record,) = metrics_lines(run, "train")
    # (Read with universal newlines: the "\r\n" after the bar reads "\n".)
    assert result.stdout.startswith("batch 1/2\n" + METRIC + record + "\nbatch 2/2\n")


def test_points_read_from_a_logging_library_are_repeated_too(make_run, tmp_path):
    pytest.importorskip("dvclive")
    work = tmp_path / "work"
    work.mkdir()
    run = make_run([step("train", [cell(0, """
        from dvclive import Live
        with Live(save_dvc_exp=False) as live:
            for epoch in range(2):
                live.log_metric("loss", 2.0 - epoch)
                live.next_step()
    """)])])
    result = run.run("train", cwd=work, extra_env=RECORDS)
    assert result.returncode == 0, result.stderr
    records = [json.loads(text) for text in metric_records(result.stdout)]
    assert records == [json.loads(line) for line in metrics_lines(run, "train")]
    assert [(r["name"], r["step"], r["value"], r["source"]) for r in records] == [
        ("loss", 0, 2.0, "dvclive"), ("loss", 1, 1.0, "dvclive")]
    assert status_record(result.stdout)["state"] == "succeeded"


@pytest.mark.skipif(not has_notebook_packages(), reason="needs nbformat, nbclient and ipykernel")
def test_metrics_logged_in_the_notebook_kernel_are_repeated(make_run):
    run = make_run([step("train", [cell(0, """
        import ferry
        for epoch in range(2):
            ferry.log_metric("loss", 1.0 / (epoch + 1))
        print("trained")
    """)])])
    result = run.run("train", mode="notebook", extra_env=RECORDS)
    assert result.returncode == 0, result.stderr
    assert metric_records(result.stdout) == metrics_lines(run, "train")
    assert len(metric_records(result.stdout)) == 2
    assert "trained" in result.stdout.split("\n")
    assert status_record(result.stdout) == run.status("train")
