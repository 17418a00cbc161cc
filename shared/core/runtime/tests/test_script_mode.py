"""Script mode, seen from outside: the files a step leaves and its exit code."""

import json
import re

import pytest

from conftest import cell, step


@pytest.fixture
def plain_pickle_env(tmp_path):
    """What happens with plain pickle only shows where neither cloudpickle nor dill is
    importable: modules that refuse to import shadow installed ones (MLflow, for one,
    installs cloudpickle)."""
    hiding = tmp_path / "hide-picklers"
    hiding.mkdir()
    for name in ("cloudpickle", "dill"):
        (hiding / (name + ".py")).write_text("raise ImportError('hidden by the test')\n")
    return {"PYTHONPATH": str(hiding)}

EVIL = 'it\'s "quoted"\nsecond line\r\n"; import os; os.system("touch pwned") #\\ \u2028 end'


def test_parameters_arrive_unchanged_and_never_execute(make_run):
    run = make_run(
        [step("only", [cell(2, """
            import json
            print(json.dumps({"text": text, "count": count, "rate": rate, "flags": flags, "opts": opts}))
        """)])],
        defaults={"text": "default", "count": 1, "rate": 0.5, "flags": [True], "opts": {}},
        params={"text": EVIL, "count": 42, "rate": 2, "flags": [False, None, 1.5], "opts": {"a'b": {"c": [1]}}},
    )
    result = run.run("only")
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {"text": EVIL, "count": 42, "rate": 2.0, "flags": [False, None, 1.5], "opts": {"a'b": {"c": [1]}}}
    assert not (run.path / "pwned").exists()


def test_float_parameter_given_an_int_is_a_float(make_run):
    # JavaScript's JSON.stringify(1.0) is "1": a float parameter must stay a float.
    run = make_run([step("only", [cell(2, "print(type(rate).__name__, type(count).__name__)")])],
                   defaults={"rate": 0.5, "count": 3}, params={"rate": 1, "count": 4})
    result = run.run("only")
    assert result.stdout.split() == ["float", "int"]


def test_values_flow_between_steps_through_artifacts(make_run):
    run = make_run(
        [
            step("prepare", [cell(2, "data = [i * scale for i in range(4)]\nlabel = 'x'")], outputs=["data", "label"]),
            step("train", [cell(3, "total = sum(data)\nprint(label, total)")],
                 inputs=[("data", "prepare"), ("label", "prepare")], outputs=["total"]),
        ],
        defaults={"scale": 2},
    )
    assert run.run("prepare").returncode == 0
    assert run.artifact("prepare", "data") == [0, 2, 4, 6]
    result = run.run("train")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "x 12"
    assert run.artifact("train", "total") == 12


def test_prelude_runs_first_and_its_classes_travel_between_steps(make_run):
    # With plain pickle a class is saved by reference to __main__; it loads
    # downstream because the prelude (which defines it) runs before the inputs load.
    prelude = [cell(1, "import math"), cell(2, """
        class Point:
            def __init__(self, x):
                self.x = x
        def norm(p):
            return math.sqrt(p.x * p.x)
    """)]
    run = make_run(
        [
            step("make", [cell(4, "point = Point(-3)")], outputs=["point"]),
            step("use", [cell(5, "print(type(point).__name__, norm(point))")], inputs=[("point", "make")]),
        ],
        prelude=prelude,
    )
    assert run.run("make").returncode == 0
    result = run.run("use")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Point 3.0"


def test_a_class_defined_in_a_step_cannot_be_loaded_downstream_with_plain_pickle(make_run, plain_pickle_env):
    run = make_run(
        [
            step("make", [cell(4, "class Local:\n    pass\nvalue = Local()")], outputs=["value"]),
            step("use", [cell(5, "print(value)")], inputs=[("value", "make")]),
        ],
    )
    assert run.run("make", extra_env=plain_pickle_env).returncode == 0
    result = run.run("use", extra_env=plain_pickle_env)
    assert result.returncode == 2
    assert "could not be loaded" in result.stderr and "cloudpickle" in result.stderr
    assert run.status("use")["state"] == "failed"


def test_user_code_runs_as_main_module_and_imports_ferry(make_run):
    run = make_run([step("only", [cell(2, """
        import ferry
        from ferry import log_metric, get_parameters
        import sys
        if __name__ == "__main__":
            print("main", sys.modules["__main__"].__dict__ is globals())
        print(ferry.step_name(), ferry.run_dir() is not None, get_parameters())
        print(sorted(ferry.__all__))
        print(sys.argv)
    """)])], defaults={"n": 1})
    result = run.run("only")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "main True",
        "only True {'n': 1}",
        "['get_parameters', 'log_metric', 'run_dir', 'step_name']",
        "['test_pipeline.ipynb']",
    ]


def test_the_working_directory_is_importable(make_run, tmp_path):
    notebook_dir = tmp_path / "notebook_dir"
    notebook_dir.mkdir()
    (notebook_dir / "helpers.py").write_text("ANSWER = 42\n")
    run = make_run([step("only", [cell(0, "import helpers\nprint(helpers.ANSWER)")])])
    result = run.run("only", cwd=notebook_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "42"


def test_success_status(make_run):
    run = make_run([step("only", [cell(0, "x = 1")])])
    assert run.run("only").returncode == 0
    status = run.status("only")
    assert status["state"] == "succeeded"
    assert status["exitCode"] == 0
    assert isinstance(status["pid"], int) and status["host"]
    iso = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"
    assert re.match(iso, status["startedAt"]) and re.match(iso, status["finishedAt"])
    assert status["startedAt"] <= status["finishedAt"]
    assert "error" not in status
    leftovers = [p.name for p in run.step_dir("only").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    assert "node" not in status and "restarts" not in status  # not in a Slurm job


def test_status_names_the_slurm_node_and_restarts(make_run):
    run = make_run([step("only", [cell(0, "x = 1")])])
    assert run.run("only", extra_env={"SLURMD_NODENAME": "gpu07", "SLURM_JOB_ID": "12"}).returncode == 0
    status = run.status("only")
    assert (status["node"], status["restarts"]) == ("gpu07", 0)
    assert run.run("only", extra_env={"SLURM_JOB_ID": "12", "SLURM_RESTART_COUNT": "2"}).returncode == 0
    assert run.status("only")["restarts"] == 2  # a requeued job


def test_raise_fails_with_a_traceback_pointing_at_the_cell(make_run):
    prelude = [cell(1, "def check(v):\n    if v > 2:\n        raise ValueError('too big: %d' % v)")]
    run = make_run([step("only", [cell(3, "x = 1"), cell(4, "y = 2\nfor v in range(5):\n    check(v)")])],
                   prelude=prelude)
    result = run.run("only")
    assert result.returncode == 1
    assert 'File "<cell 4>", line 3' in result.stderr
    assert "    check(v)" in result.stderr  # the cell's own source line
    assert 'File "<cell 1>", line 3, in check' in result.stderr
    assert "ValueError: too big: 3" in result.stderr
    assert "ferry_runtime.py" not in result.stderr  # the runtime's frames are trimmed
    status = run.status("only")
    assert status["state"] == "failed" and status["exitCode"] == 1
    error = status["error"]
    assert error["type"] == "ValueError" and error["message"] == "too big: 3"
    assert error["cell"] == 4 and error["line"] == 3
    assert "<cell 4>" in error["traceback"] and "ferry_runtime.py" not in error["traceback"]


def test_syntax_error_names_the_cell(make_run):
    run = make_run([step("only", [cell(7, "x = 1\ny = (2,\n")])])
    result = run.run("only")
    assert result.returncode == 1
    error = run.status("only")["error"]
    assert error["type"] == "SyntaxError" and error["cell"] == 7
    assert '<cell 7>' in result.stderr


def test_sys_exit_codes(make_run):
    run = make_run([step("only", [cell(0, "import sys\nsys.exit(code)"), cell(1, "print('not reached')")])],
                   defaults={"code": 3})
    result = run.run("only")
    assert result.returncode == 3
    assert "not reached" not in result.stdout
    status = run.status("only")
    assert status["state"] == "failed" and status["exitCode"] == 3
    assert status["error"]["type"] == "SystemExit" and status["error"]["cell"] == 0


def test_sys_exit_zero_stops_early_and_succeeds(make_run):
    run = make_run([step("only", [cell(0, "result = 5\nimport sys\nsys.exit()"), cell(1, "result = 6")],
                         outputs=["result"])])
    result = run.run("only")
    assert result.returncode == 0, result.stderr
    assert run.status("only")["state"] == "succeeded"
    assert run.artifact("only", "result") == 5


def test_sys_exit_with_a_message_prints_it_and_exits_1(make_run):
    run = make_run([step("only", [cell(0, "raise SystemExit('giving up: no data')")])])
    result = run.run("only")
    assert result.returncode == 1
    assert "giving up: no data" in result.stderr
    assert run.status("only")["error"]["message"] == "giving up: no data"


def test_missing_input_exits_2_naming_the_input_and_its_producer(make_run):
    run = make_run([
        step("prepare", [cell(0, "data = 1")], outputs=["data"]),
        step("train", [cell(1, "print(data)")], inputs=[("data", "prepare")]),
    ])
    result = run.run("train")
    assert result.returncode == 2
    assert "input 'data' of step 'train' is missing" in result.stderr
    assert "step 'prepare' should have saved it" in result.stderr
    status = run.status("train")
    assert status["state"] == "failed" and status["exitCode"] == 2
    assert "'prepare'" in status["error"]["message"]


def test_undefined_output_fails_the_step(make_run):
    run = make_run([
        step("prepare", [cell(0, "if False:\n    data = 1")], outputs=["data"]),
        step("train", [cell(1, "print(data)")], inputs=[("data", "prepare")]),
    ])
    result = run.run("prepare")
    assert result.returncode == 1
    assert "step 'prepare' did not define 'data', which step(s) train use" in result.stderr


def test_unsupported_spec_version_exits_2(make_run):
    run = make_run([step("only", [cell(0, "x = 1")])], specVersion=2)
    result = run.run("only")
    assert result.returncode == 2
    assert "specVersion 2" in result.stderr
    assert run.status("only")["exitCode"] == 2


def test_unknown_step_and_unsafe_names_exit_2(make_run):
    run = make_run([step("only", [cell(0, "x = 1")])])
    result = run.run("other")
    assert result.returncode == 2 and "step 'other' is not in spec.json" in result.stderr
    result = run.run("../escape")
    assert result.returncode == 2 and "not a usable step name" in result.stderr
    assert not (run.path.parent / "escape").exists()


def test_parameter_names_must_be_identifiers(make_run):
    for bad in ("x; import os", "class", "__builtins__", "a-b", "\ufb01le"):
        run = make_run([step("only", [cell(0, "pass")])], defaults={bad: 1})
        result = run.run("only")
        assert result.returncode == 2, bad
        assert "not a usable Python identifier" in result.stderr


def test_params_json_may_not_add_names(make_run):
    run = make_run([step("only", [cell(0, "pass")])], defaults={"a": 1}, params={"b": 2})
    result = run.run("only")
    assert result.returncode == 2
    assert "params.json sets 'b', which is not a parameter" in result.stderr


def test_params_json_is_strict_json(make_run):
    run = make_run([step("only", [cell(0, "pass")])], defaults={"a": 1.0})
    (run.path / "params.json").write_text('{"a": NaN}')
    result = run.run("only")
    assert result.returncode == 2 and "params.json" in result.stderr


def test_magics_are_commented_out_in_script_mode(make_run):
    run = make_run([step("only", [
        cell(0, """
            %matplotlib inline
            x = 1
            !echo from-shell
            for i in range(2):
                %time y = i
            files = !ls
            print('x', x)
        """),
        cell(1, "%%bash\necho from-bash\n  weird indent"),
        cell(2, "%%time\nz = 3\nprint('z', z)"),
        cell(3, "a = (10\n% 4)\nprint('a', a)"),  # valid Python: a % on a continuation line is no magic
        cell(4, "%who\nraise RuntimeError('line 2')"),
    ])])
    result = run.run("only")
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["x 1", "z 3", "a 2"]
    assert "from-shell" not in result.stdout and "from-bash" not in result.stdout
    assert "<cell 0>, line 1: IPython syntax skipped in script mode: %matplotlib inline" in result.stderr
    assert "<cell 0>, line 3" in result.stderr and "<cell 0>, line 6" in result.stderr
    assert "cell magic %%bash needs IPython" in result.stderr
    error = run.status("only")["error"]
    assert (error["cell"], error["line"]) == (4, 2)  # line numbers kept


def test_non_utf8_and_unicode_output(make_run):
    run = make_run([step("only", [cell(0, "print('h\u00e9llo \u2603')")])], defaults={"s": "\u00fc"})
    result = run.run("only")
    assert result.returncode == 0
    assert result.stdout.strip() == "h\u00e9llo \u2603"


FAKE_PICKLER = '''
import os, pickle
def dump(obj, file, protocol=None):
    with open(os.environ["PICKLER_LOG"], "a") as log:
        log.write(__name__ + "\\n")
    pickle.dump(obj, file, protocol)
'''


def test_outputs_prefer_cloudpickle_then_dill(make_run, tmp_path):
    # Stand-ins that record which one the runtime used, then pickle normally.
    fakes = tmp_path / "fakes"
    fakes.mkdir()
    (fakes / "dill.py").write_text(FAKE_PICKLER)
    # A real cloudpickle may be installed (MLflow depends on it): hide it first.
    (fakes / "cloudpickle.py").write_text("raise ImportError('hidden by the test')\n")
    log = tmp_path / "pickler.log"
    env = {"PYTHONPATH": str(fakes), "PICKLER_LOG": str(log)}
    run = make_run([step("only", [cell(0, "a = 1\nb = 2")], outputs=["a", "b"])])
    assert run.run("only", extra_env=env).returncode == 0
    assert log.read_text() == "dill\ndill\n"
    (fakes / "cloudpickle.py").write_text(FAKE_PICKLER)
    log.unlink()
    assert run.run("only", extra_env=env).returncode == 0
    assert log.read_text() == "cloudpickle\ncloudpickle\n"
    assert run.artifact("only", "b") == 2


def test_unpicklable_output_fails_with_a_hint(make_run, plain_pickle_env):
    run = make_run([step("only", [cell(0, "square = lambda x: x * x")], outputs=["square"])])
    result = run.run("only", extra_env=plain_pickle_env)
    assert result.returncode == 1
    assert "could not save 'square' (a function) with pickle" in result.stderr
    assert "Installing cloudpickle may help" in run.status("only")["error"]["message"]
    assert not list((run.path / "artifacts" / "only").iterdir())  # no half-written file


def test_with_cloudpickle_a_class_defined_in_a_step_travels(make_run):
    pytest.importorskip("cloudpickle")
    run = make_run([
        step("make", [cell(4, "class Local:\n    def hi(self):\n        return 'hi'\nvalue = Local()")],
             outputs=["value"]),
        step("use", [cell(5, "print(value.hi())")], inputs=[("value", "make")]),
    ])
    assert run.run("make").returncode == 0
    result = run.run("use")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "hi"
