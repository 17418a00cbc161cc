"""--sweep-point I --runs-dir DIR: one pod of a sweep's Indexed Job runs point I
of the sweep's ConfigMap (points.json: each point's run id and files), in that
point's run directory under DIR."""

import json
import os
import subprocess
import sys

import pytest

from conftest import RUNTIME, cell, parameters, step
from test_stage_from import RUNTIME_FILES, configmap_mount

STATUS = "##ferry:status "
RUN_IDS = ["r-20260102-030405-aaaaaa", "r-20260102-030405-bbbbbb", "r-20260102-030405-cccccc"]

TRAIN = step("train", [cell(2, """
    import os
    print("train lr=%s run=%s cwd=%s" % (lr, os.environ["FERRY_RUN_ID"], os.getcwd()))
    weights = lr * 10
""")], outputs=["weights"])
EVALUATE = step("evaluate", [cell(3, "print('evaluate weights=%s' % weights)")], inputs=[("weights", "train")])
SPEC = json.dumps({"specVersion": 1, "name": "swept", "notebook": "swept.ipynb", "prelude": [],
                   "parameters": parameters({"lr": 0.5}), "steps": [TRAIN, EVALUATE]}).encode("utf-8")


def sweep_code(folder, rates, points=None):
    """A sweep's ConfigMap mount: spec.json stored once, one params.json per point."""
    files = {name: (RUNTIME.parent / name).read_bytes() for name in RUNTIME_FILES}
    files["f0"] = SPEC
    listed = []
    for number, (run_id, rate) in enumerate(zip(RUN_IDS, rates), start=1):
        files["f%d" % number] = json.dumps({"lr": rate}).encode("utf-8")
        listed.append({"runId": run_id, "files": {"f0": "spec.json", "f%d" % number: "params.json"}})
    files["points.json"] = json.dumps(listed if points is None else points).encode("utf-8")
    return configmap_mount(folder, files)


def run_point(code, runs_dir, point, step_name, extra_args=()):
    env = {k: v for k, v in os.environ.items() if k not in ("FERRY_RUN_DIR", "FERRY_STEP", "FERRY_RUN_ID")}
    env["FERRY_STDOUT_RECORDS"] = "1"
    command = [sys.executable, str(code / "ferry_runtime.py"), "--stage-from", str(code), "--sweep-point", point,
               "--runs-dir", str(runs_dir), "--step", step_name, "--mode", "script"] + list(extra_args)
    # The pod of a sweep has no working directory of its own: the runtime moves into the point's.
    return subprocess.run(command, cwd=str(code.parent), env=env, capture_output=True, text=True, timeout=120)


def text_and_status(stdout):
    lines = stdout.splitlines()
    assert lines and lines[-1].startswith(STATUS), stdout
    return lines[:-1], json.loads(lines[-1][len(STATUS):])


def test_each_index_runs_its_own_point_in_its_own_run_directory(tmp_path):
    code = sweep_code(tmp_path / "code", [0.1, 0.2, 0.3])
    runs = tmp_path / "volume" / "runs"
    result = run_point(code, runs, "1", "train")
    assert result.returncode == 0, result.stderr
    run_dir = runs / RUN_IDS[1]
    text, status = text_and_status(result.stdout)
    assert text == ["train lr=0.2 run=%s cwd=%s" % (RUN_IDS[1], run_dir)]
    assert status["state"] == "succeeded"
    assert json.loads((run_dir / "params.json").read_text()) == {"lr": 0.2}
    assert (run_dir / "spec.json").read_bytes() == SPEC
    assert json.loads((run_dir / "steps" / "train" / "status.json").read_text())["state"] == "succeeded"
    # The other points are not touched.
    assert sorted(os.listdir(str(runs))) == [RUN_IDS[1]]

    downstream = run_point(code, runs, "1", "evaluate")
    assert downstream.returncode == 0, downstream.stderr
    assert text_and_status(downstream.stdout)[0] == ["evaluate weights=2.0"]


@pytest.mark.parametrize("upstream_status, said", [
    (None, "did not run (no status.json)"),
    ({"state": "failed", "exitCode": 1}, "failed"),
    ({"state": "running"}, "did not finish"),
])
def test_a_step_whose_upstream_step_did_not_succeed_in_its_point_is_not_run(tmp_path, upstream_status, said):
    code = sweep_code(tmp_path / "code", [0.1, 0.2])
    runs = tmp_path / "runs"
    if upstream_status is not None:
        train_dir = runs / RUN_IDS[0] / "steps" / "train"
        train_dir.mkdir(parents=True)
        (train_dir / "status.json").write_text(json.dumps(upstream_status))
    result = run_point(code, runs, "0", "evaluate")
    assert result.returncode == 3, result.stderr
    assert "step 'evaluate' not run: its upstream step 'train' %s" % said in result.stderr
    assert RUN_IDS[0] in result.stderr
    text, status = text_and_status(result.stdout)
    assert text == []  # none of the step's code ran
    assert (status["state"], status["exitCode"]) == ("failed", 3)
    assert "upstream step 'train'" in status["error"]["message"]
    assert not (runs / RUN_IDS[0] / "steps" / "evaluate").exists()


@pytest.mark.parametrize("point, said", [
    ("2", "lists 2 point(s), indexes 0 to 1"),
    ("$(JOB_COMPLETION_INDEX)", "is not a point index"),
    ("-1", "is not a point index"),
    ("01", "is not a point index"),
])
def test_an_index_that_names_no_point_is_refused(tmp_path, point, said):
    code = sweep_code(tmp_path / "code", [0.1, 0.2])
    runs = tmp_path / "runs"
    result = run_point(code, runs, point, "train")
    assert result.returncode == 2
    assert said in result.stderr
    status = text_and_status(result.stdout)[1]
    assert (status["state"], status["exitCode"]) == ("failed", 2)
    assert said in status["error"]["message"]
    assert not runs.exists()


@pytest.mark.parametrize("run_id", ["../escape", "r-20260102-030405-aaaaaa/..", "", 7, "r-２0260102-030405-aaaaaa"])
def test_a_run_id_that_is_not_one_ferry_makes_is_refused_before_anything_is_written(tmp_path, run_id):
    points = [{"runId": run_id, "files": {"f0": "spec.json", "f1": "params.json"}}]
    code = sweep_code(tmp_path / "code", [0.1], points)
    runs = tmp_path / "volume" / "runs"
    result = run_point(code, runs, "0", "train")
    assert result.returncode == 2
    assert "points.json, point 0: runId %r is not a Ferry run id" % (run_id,) in result.stderr
    assert not (tmp_path / "volume").exists()


@pytest.mark.parametrize("points, said", [
    ({"0": {}}, "must hold a JSON list"),
    (["r-20260102-030405-aaaaaa"], 'point 0 must be a JSON object {"runId", "files"}'),
    ([{"runId": RUN_IDS[0], "files": {"f0": "../spec.json"}}], "point 0: files: '../spec.json' (key 'f0') is not a path inside"),
    ([{"runId": RUN_IDS[0], "files": ["spec.json"]}], "point 0: files must hold a JSON object"),
])
def test_a_malformed_points_list_is_refused_naming_the_entry(tmp_path, points, said):
    code = sweep_code(tmp_path / "code", [0.1], points)
    runs = tmp_path / "runs"
    result = run_point(code, runs, "0", "train")
    assert result.returncode == 2
    assert said in result.stderr
    assert not runs.exists()


@pytest.mark.parametrize("args, said", [
    (["--stage-from", "code", "--sweep-point", "0", "--step", "train"], "--sweep-point needs --stage-from"),
    (["--sweep-point", "0", "--runs-dir", "runs", "--step", "train"], "--sweep-point needs --stage-from"),
    (["--stage-from", "code", "--sweep-point", "0", "--runs-dir", "runs", "--run-dir", "run", "--step", "train"],
     "give it no --run-dir"),
    (["--run-dir", "run", "--runs-dir", "runs", "--step", "train"], "--runs-dir goes with --sweep-point"),
    (["--step", "train"], "--run-dir (or --sweep-point)"),
])
def test_a_command_line_mixing_a_run_and_a_sweep_point_is_refused(tmp_path, args, said):
    result = subprocess.run([sys.executable, str(RUNTIME)] + args, cwd=str(tmp_path), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert said in result.stderr
    assert os.listdir(str(tmp_path)) == []
