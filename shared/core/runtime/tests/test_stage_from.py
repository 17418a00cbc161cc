"""--stage-from: the run directory staged from a folder laid out like a mounted
Kubernetes ConfigMap (the runtime's files, the run's files under keys f0, f1, ...,
and files.json mapping each key to its path in the run directory)."""

import json
import os
import subprocess
import sys

import pytest

from conftest import RUNTIME, cell, parameters, step

RUNTIME_FILES = ("ferry_runtime.py", "ferry_log_sources.py", "ferry_tfevents.py")


def configmap_mount(folder, files):
    """As the kubelet mounts a ConfigMap: the data in a timestamped folder,
    ``..data`` linking to it, and each key a link through ``..data``."""
    folder.mkdir()
    data = folder / "..2025_01_02_03_04_05.000000001"
    data.mkdir()
    for key, content in files.items():
        (data / key).write_bytes(content)
        (folder / key).symlink_to(os.path.join("..data", key))
    (folder / "..data").symlink_to(data.name)
    return folder


def code_folder(folder, staged, index=None):
    """The runtime's files plus ``staged`` ({path in the run directory: bytes})."""
    files = {name: (RUNTIME.parent / name).read_bytes() for name in RUNTIME_FILES}
    keys = {}
    for number, (relative, content) in enumerate(staged.items()):
        files["f%d" % number] = content
        keys["f%d" % number] = relative
    files["files.json"] = json.dumps(keys if index is None else index).encode("utf-8")
    return configmap_mount(folder, files)


def pipeline(steps, defaults):
    spec = {"specVersion": 1, "name": "staged", "notebook": "staged.ipynb", "prelude": [],
            "parameters": parameters(defaults), "steps": steps}
    return {"spec.json": json.dumps(spec).encode("utf-8"), "params.json": json.dumps(defaults).encode("utf-8")}


def run_staged(code, run_dir, step_name, extra_env=None):
    env = {k: v for k, v in os.environ.items() if k not in ("FERRY_RUN_DIR", "FERRY_STEP")}
    env.update(extra_env or {})
    command = [sys.executable, str(code / "ferry_runtime.py"), "--stage-from", str(code),
               "--run-dir", str(run_dir), "--step", step_name, "--mode", "script"]
    return subprocess.run(command, cwd=str(code.parent), env=env, capture_output=True, text=True, timeout=120)


COUNT_WORDS = step("count", [cell(2, """
    import os, ferry
    with open(os.path.join(ferry.run_dir(), "inputs", "words.txt")) as file:
        print("words:", len(file.read().split()) * factor)
""")])


def files_under(folder):
    return sorted(os.path.relpath(os.path.join(where, name), str(folder))
                  for where, _, names in os.walk(str(folder)) for name in names)


def test_a_step_runs_from_files_staged_out_of_a_configmap_mount(tmp_path):
    staged = dict(pipeline([COUNT_WORDS], {"factor": 10}), **{"inputs/words.txt": b"one two three\n"})
    code = code_folder(tmp_path / "code", staged)
    run_dir = tmp_path / "volume" / "runs" / "r1"  # created by the runtime, folders and all
    result = run_staged(code, run_dir, "count")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "words: 30\n"
    for relative, content in staged.items():
        assert (run_dir / relative).read_bytes() == content
    # Only the staged files and the step's own: no temp file left behind, no runtime copied.
    assert files_under(run_dir) == ["inputs/words.txt", "params.json", "spec.json", "steps/count/status.json"]
    assert oct((run_dir / "spec.json").stat().st_mode & 0o777) == oct(0o644)


def test_staging_again_leaves_identical_files_alone_and_replaces_changed_ones(tmp_path):
    staged = dict(pipeline([COUNT_WORDS], {"factor": 1}), **{"inputs/words.txt": b"a b\n"})
    code = code_folder(tmp_path / "code", staged)
    run_dir = tmp_path / "run"
    assert run_staged(code, run_dir, "count").returncode == 0
    spec_before = os.stat(str(run_dir / "spec.json"))
    (run_dir / "inputs" / "words.txt").write_bytes(b"left over from another version\n")

    result = run_staged(code, run_dir, "count")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "words: 2\n"
    spec_after = os.stat(str(run_dir / "spec.json"))
    assert (spec_after.st_ino, spec_after.st_mtime_ns) == (spec_before.st_ino, spec_before.st_mtime_ns)
    assert (run_dir / "inputs" / "words.txt").read_bytes() == b"a b\n"


@pytest.mark.parametrize("bad_path", ["../x", "<absolute>", "inputs/../../x", "inputs//x"])
def test_a_path_leaving_the_run_directory_is_refused_before_anything_runs(tmp_path, bad_path):
    if bad_path == "<absolute>":
        bad_path = str(tmp_path / "x")
    staged = pipeline([step("hello", [cell(0, "print('hello')")])], {})
    index = {"f0": "spec.json", "f1": "params.json", "f2": bad_path}
    code = code_folder(tmp_path / "code", dict(staged, **{"x": b"payload"}), index)
    run_dir = tmp_path / "volume" / "run"
    result = run_staged(code, run_dir, "mark", {"FERRY_STDOUT_RECORDS": "1"})
    assert result.returncode == 2
    assert "files.json" in result.stderr and repr(bad_path) in result.stderr
    assert "not a path inside the run directory" in result.stderr
    # Not even the valid files listed before it were written.
    assert not (tmp_path / "volume").exists() and not (tmp_path / "x").exists()
    # Ferry reads the pod's log, not the volume: the reason reaches it there too.
    (line,) = result.stdout.splitlines()
    assert line.startswith("##ferry:status ")
    status = json.loads(line[len("##ferry:status "):])
    assert (status["state"], status["exitCode"], status["error"]["type"]) == ("failed", 2, "FerryStepError")
    assert repr(bad_path) in status["error"]["message"]


def test_a_key_missing_from_the_mount_is_refused(tmp_path):
    staged = pipeline([COUNT_WORDS], {"factor": 1})
    code = code_folder(tmp_path / "code", staged, {"f0": "spec.json", "f1": "params.json", "f7": "inputs/words.txt"})
    run_dir = tmp_path / "run"
    result = run_staged(code, run_dir, "count")
    assert result.returncode == 2
    assert str(code / "f7") in result.stderr and "could not be read" in result.stderr
    assert not run_dir.exists()


def test_a_folder_linked_out_of_the_run_directory_is_not_written_through(tmp_path):
    staged = dict(pipeline([COUNT_WORDS], {"factor": 1}), **{"inputs/words.txt": b"a\n"})
    code = code_folder(tmp_path / "code", staged)
    run_dir = tmp_path / "run"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    run_dir.mkdir()
    (run_dir / "inputs").symlink_to(outside)
    result = run_staged(code, run_dir, "count")
    assert result.returncode == 2
    assert "leads outside the run directory" in result.stderr
    assert list(outside.iterdir()) == []
