"""SIGTERM (how every target cancels a step): state "cancelled", exit 143."""

import signal
import time

import pytest

from conftest import cell, has_notebook_packages, step


def wait_for_line(stream, text, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = stream.readline()
        if text in line:
            return
        if not line:
            break
    raise AssertionError("never saw %r" % text)


def pid_alive(pid):
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        with open("/proc/%d/stat" % pid) as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_sigterm_cancels_and_lets_finally_blocks_run(make_run):
    run = make_run([step("only", [cell(0, """
        import time
        x = 1
        try:
            print("started", flush=True)
            time.sleep(60)
        finally:
            print("cleaned up", flush=True)
    """), cell(1, "print('not reached')")], outputs=["x"])])
    process = run.popen("only")
    wait_for_line(process.stdout, "started")
    assert run.status("only")["state"] == "running"
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 143
    assert "cleaned up" in stdout and "not reached" not in stdout
    assert "cancelled (SIGTERM)" in stderr
    status = run.status("only")
    assert status["state"] == "cancelled" and status["exitCode"] == 143 and "finishedAt" in status
    assert not (run.path / "artifacts" / "only").exists()


def test_cancel_stands_even_if_the_code_swallows_it(make_run):
    run = make_run([step("only", [cell(0, """
        import time
        try:
            print("started", flush=True)
            time.sleep(60)
        except BaseException:
            pass
        print("carried on", flush=True)
    """)])])
    process = run.popen("only")
    wait_for_line(process.stdout, "started")
    process.send_signal(signal.SIGTERM)
    stdout, _ = process.communicate(timeout=30)
    assert process.returncode == 143
    assert "carried on" in stdout  # the code went on, but the step stays cancelled
    assert run.status("only")["state"] == "cancelled"


@pytest.mark.skipif(not has_notebook_packages(), reason="needs nbformat, nbclient, ipykernel")
def test_sigterm_in_notebook_mode_stops_the_kernel(make_run):
    run = make_run([step("only", [cell(0, """
        import os, time
        print("kernel pid", os.getpid(), flush=True)
        time.sleep(60)
    """)])])
    process = run.popen("only", mode="notebook")
    line = ""
    deadline = time.monotonic() + 60
    while "kernel pid" not in line and time.monotonic() < deadline:
        line = process.stdout.readline()  # streamed live from the kernel
    kernel_pid = int(line.split()[-1])
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)
    assert process.returncode == 143
    assert run.status("only")["state"] == "cancelled"
    deadline = time.monotonic() + 10
    while pid_alive(kernel_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_alive(kernel_pid)
    assert (run.step_dir("only") / "executed.ipynb").exists()
