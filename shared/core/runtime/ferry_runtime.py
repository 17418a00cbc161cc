"""Ferry's step runtime: runs one step of a compiled pipeline from its run directory.

    python3 ferry_runtime.py --run-dir DIR --step NAME [--mode script|notebook] [--stage-from DIR]
    python3 ferry_runtime.py --stage-from DIR --sweep-point I --runs-dir DIR --step NAME [--mode ...]

The contract (files, states, exit codes) is docs/run-directory.md. This file is
copied into every run directory, so it is pure Python >= 3.8 using only the
standard library; notebook mode additionally needs nbformat, nbclient and
ipykernel, and artifacts use cloudpickle or dill when one is importable.

Inside a step, ``import ferry`` gives the public API defined here:
``log_metric``, ``get_parameters``, ``run_dir`` and ``step_name``.
"""

import argparse
import builtins
import copy
import datetime
import importlib
import json
import keyword
import linecache
import math
import numbers
import operator
import os
import pickle
import re
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
import types
import unicodedata

SPEC_VERSION = 1

EXIT_OK = 0
EXIT_USER_ERROR = 1  # the step's code raised, or produced outputs that can't be saved
EXIT_RUNTIME_ERROR = 2  # the step could not be run as staged (spec, params, inputs, packages)
EXIT_UPSTREAM_NOT_SUCCEEDED = 3  # a sweep point's step not run: an upstream step of that point did not succeed
EXIT_CANCELLED = 128 + signal.SIGTERM  # 143, what a shell reports for a SIGTERM'd process

# Artifacts are read by other steps, possibly under another Python >= 3.8:
# protocol 5 is the newest every such Python reads.
PICKLE_PROTOCOL = min(pickle.HIGHEST_PROTOCOL, 5)


class FerryStepError(Exception):
    """A problem the runtime detected itself; carries the exit code it maps to."""

    def __init__(self, message, exit_code=EXIT_RUNTIME_ERROR):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


class StepCancelled(BaseException):
    """Raised from the SIGTERM handler. A BaseException, like KeyboardInterrupt,
    so that an ``except Exception`` in the user's code does not swallow it."""


# ---------------------------------------------------------------------------
# Small helpers


def _now_iso():
    """UTC time as JavaScript's Date.toISOString() writes it: 2024-01-02T03:04:05.678Z."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (now.microsecond // 1000)


def _write_atomically(path, write):
    """Calls write(binary_file) on a temp file next to path, then renames it over path,
    so readers (the monitor, downstream steps) see the old file or the new one, never
    half of one. The temp name is unique because the SIGTERM handler may write
    status.json while the main code is in the middle of writing it."""
    directory, name = os.path.split(path)
    fd, temp = tempfile.mkstemp(dir=directory, prefix="." + name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def _write_json_atomically(path, data):
    payload = (json.dumps(data, indent=2) + "\n").encode("utf-8")
    _write_atomically(path, lambda file: file.write(payload))


def _warn(message):
    sys.stderr.write("ferry: warning: %s\n" % message)
    sys.stderr.flush()


def _is_safe_path_part(name):
    """Step names become directory names: refuse anything that could leave the run dir."""
    return (
        isinstance(name, str)
        and name not in ("", ".", "..")
        and not any(char in name for char in "/\\\0")
    )


def _check_identifier(name, what):
    """Names from the spec end up as namespace keys that the user's code refers to:
    they must be plain identifiers. NFKC-changing names are refused because Python
    normalizes identifiers in source (the key would not be the name the code uses),
    and dunders because they would overwrite the module's own attributes."""
    if (
        not isinstance(name, str)
        or not name.isidentifier()
        or keyword.iskeyword(name)
        or unicodedata.normalize("NFKC", name) != name
        or (name.startswith("__") and name.endswith("__"))
    ):
        raise FerryStepError("%s %r is not a usable Python identifier" % (what, name))
    return name


# ---------------------------------------------------------------------------
# The public API (``import ferry``)


class _StepContext(object):
    """The step this process works for, and its metrics file."""

    def __init__(self, run_dir, step, parameters=None):
        self.run_dir = run_dir
        self.step = step
        self.parameters = parameters
        self.metrics_path = os.path.join(run_dir, "steps", step, "metrics.jsonl")
        self.lock = threading.Lock()
        self._fd = None
        self._next_step = {}

    def append_metric(self, name, value, step):
        with self.lock:
            if step is None:
                step = self._next_step.get(name, 0)
            self._next_step[name] = max(self._next_step.get(name, 0), step + 1)
            record = {"name": name, "value": value, "step": step, "time": time.time()}
            self._write_line((json.dumps(record, allow_nan=False) + "\n").encode("utf-8"))
        _records_appended()

    def _write_line(self, line):
        """Called holding self.lock."""
        if self._fd is None:
            # O_APPEND: every write lands at the end, even with other writers
            # (forked workers share this fd); a single write per line keeps a
            # tailing reader from seeing lines interleaved.
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
            self._fd = os.open(self.metrics_path, flags, 0o644)
        written = os.write(self._fd, line)
        if written < len(line):  # not expected for regular files, but never lose the end
            os.write(self._fd, line[written:])

    def append_record(self, name, value, step, when, source):
        """A point read from another library's log (see ferry_log_sources): written
        as log_metric writes, with its own time and where it came from."""
        record = {"name": name, "value": _metric_value(value), "step": step, "time": when, "source": source}
        line = (json.dumps(record, allow_nan=False) + "\n").encode("utf-8")
        with self.lock:
            self._write_line(line)
        _records_appended()

    def get_parameters(self):
        if self.parameters is None:  # configured from the environment: read lazily
            try:
                with open(os.path.join(self.run_dir, "params.json"), encoding="utf-8") as file:
                    self.parameters = json.load(file)
            except (OSError, ValueError):
                self.parameters = {}
        return self.parameters


_context = None
_warned_outside_step = False


def _configure(run_dir, step, parameters=None):
    global _context
    _context = _StepContext(run_dir, step, parameters)
    # Child processes of the step (a training script started with subprocess,
    # a notebook kernel) find the step through these.
    os.environ["FERRY_RUN_DIR"] = run_dir
    os.environ["FERRY_STEP"] = step


def _current_context():
    """The configured step, else the one FERRY_RUN_DIR / FERRY_STEP name, else None."""
    global _context
    if _context is None:
        run_dir, step = os.environ.get("FERRY_RUN_DIR"), os.environ.get("FERRY_STEP")
        if run_dir and step and _is_safe_path_part(step):
            _context = _StepContext(run_dir, step)
    return _context


def _reset_lock_after_fork():
    # A fork while another thread held the lock would leave it locked forever in the child.
    if _context is not None:
        _context.lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_lock_after_fork)


def _is_bool_like(value):
    """bool and numpy's bool (numpy.bool_ / numpy.bool), which is not a bool subclass."""
    if isinstance(value, bool):
        return True
    kind = type(value)
    return kind.__module__ == "numpy" and kind.__name__ in ("bool_", "bool")


def _metric_value(value):
    """The JSON value for a metric: ints stay exact, other real numbers (numpy
    scalars included) become floats; JSON has no NaN or infinities, so those are
    written as the strings "NaN", "Infinity" and "-Infinity"."""
    kind = type(value)
    if _is_bool_like(value) or isinstance(value, (str, bytes)):
        raise TypeError("metric value must be a number, not %s" % kind.__name__)
    if isinstance(value, numbers.Integral):  # int and numpy integers stay exact
        return int(value)
    if not hasattr(kind, "__float__"):
        raise TypeError("metric value must be a number, not %s" % kind.__name__)
    number = float(value)
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    return number


def _metric_step(step):
    if step is None:
        return None
    if _is_bool_like(step) or not hasattr(type(step), "__index__"):
        raise TypeError("metric step must be an int, not %s" % type(step).__name__)
    step = operator.index(step)
    if step < 0:
        raise ValueError("metric step must be >= 0, got %d" % step)
    return step


def log_metric(name, value, step=None):
    """Records one point of the metric series ``name`` for this step.

    ``value`` is a real number (int, float, numpy scalar; not bool). ``step`` is
    an int >= 0; without it, one more than the largest step logged for this name
    so far (0 first). Outside a Ferry step, warns once and does nothing, so a
    notebook that logs metrics still runs interactively.
    """
    global _warned_outside_step
    if not isinstance(name, str) or not name:
        raise ValueError("metric name must be a non-empty string, got %r" % (name,))
    value = _metric_value(value)
    step = _metric_step(step)
    context = _current_context()
    if context is None:
        if not _warned_outside_step:
            _warned_outside_step = True
            _warn("not running in a Ferry step; log_metric() records nothing")
        return
    context.append_metric(name, value, step)


def get_parameters():
    """The step's parameter values (a copy), or {} outside a Ferry step."""
    context = _current_context()
    return copy.deepcopy(context.get_parameters()) if context else {}


def run_dir():
    """The run directory's absolute path, or None outside a Ferry step."""
    context = _current_context()
    return context.run_dir if context else None


def step_name():
    """The name of the step being run, or None outside a Ferry step."""
    context = _current_context()
    return context.step if context else None


_PUBLIC_API = ("log_metric", "get_parameters", "run_dir", "step_name")


def _install_ferry_module():
    """Makes ``import ferry`` give a small module holding just the public API
    (rather than this whole file), without anything installed."""
    module = types.ModuleType("ferry", "Ferry's step API: log_metric, get_parameters, run_dir, step_name.")
    for name in _PUBLIC_API:
        setattr(module, name, globals()[name])
    module.__all__ = list(_PUBLIC_API)
    sys.modules["ferry"] = module
    return module


# ---------------------------------------------------------------------------
# Reading spec.json and params.json


def _reject_json_constant(name):
    raise ValueError("%s is not valid JSON" % name)


def _read_json(path, what):
    """Strict JSON (no NaN/Infinity, which Python's json would otherwise accept)."""
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file, parse_constant=_reject_json_constant)
    except FileNotFoundError:
        raise FerryStepError("%s not found: %s" % (what, path))
    except (OSError, ValueError) as exc:
        raise FerryStepError("%s could not be read (%s): %s" % (what, path, exc))


class StepPlan(object):
    """One step as the runtime runs it, read from spec.json and params.json and checked."""

    def __init__(self, run_dir, spec, step, parameters):
        self.run_dir = run_dir
        self.spec = spec
        self.step = step
        self.name = step["name"]
        self.parameters = parameters  # name -> JSON-decoded value, in spec order

    def artifact_path(self, step, name):
        return os.path.join(self.run_dir, "artifacts", step, name + ".pkl")

    def consumers_of(self, output):
        """Names of the steps that load this step's output (for error messages)."""
        return [
            other["name"]
            for other in self.spec["steps"]
            if any(i["from"] == self.name and i["name"] == output for i in other["inputs"])
        ]


def _check_cells(cells, where):
    if not isinstance(cells, list):
        raise FerryStepError("spec.json: %s must be a list of cells" % where)
    for cell in cells:
        if not (
            isinstance(cell, dict)
            and type(cell.get("cell")) is int
            and isinstance(cell.get("source"), str)
        ):
            raise FerryStepError("spec.json: %s has a malformed cell: %r" % (where, cell))


def _check_name_list(names, where):
    if not isinstance(names, list):
        raise FerryStepError("spec.json: %s must be a list of names" % where)
    for name in names:
        _check_identifier(name, "spec.json: %s:" % where)


def _check_step(step, step_names):
    where = "step %r" % step["name"]
    _check_cells(step.get("cells"), where + " cells")
    _check_name_list(step.get("outputs"), where + " outputs")
    _check_name_list(step.get("metrics"), where + " metrics")
    inputs = step.get("inputs")
    if not isinstance(inputs, list) or not all(isinstance(i, dict) for i in inputs):
        raise FerryStepError("spec.json: %s inputs must be a list of {name, from}" % where)
    for item in inputs:
        _check_identifier(item.get("name"), "spec.json: %s input" % where)
        if item.get("from") not in step_names or item.get("from") == step["name"]:
            raise FerryStepError(
                "spec.json: %s input %r comes from %r, which is not another step of the pipeline"
                % (where, item.get("name"), item.get("from"))
            )


def _find_step(spec, name):
    steps = spec.get("steps")
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise FerryStepError("spec.json: steps must be a list of step objects")
    step_names = [s.get("name") for s in steps]
    for other in step_names:
        if not _is_safe_path_part(other):
            raise FerryStepError("spec.json: %r is not a usable step name" % (other,))
    if name not in step_names:
        raise FerryStepError(
            "step %r is not in spec.json (its steps: %s)" % (name, ", ".join(step_names) or "none")
        )
    for step in steps:  # downstream steps are checked too: consumers_of() reads them
        _check_step(step, step_names)
    return steps[step_names.index(name)]


def _bind_parameter_values(spec, values):
    """params.json values, in spec order. A name the spec does not declare is refused
    (it would be an unexpected variable in the user's namespace). A float parameter
    given an int is made a float: JavaScript writes 1.0 as 1."""
    declared = spec.get("parameters")
    if not isinstance(declared, list) or not all(isinstance(p, dict) for p in declared):
        raise FerryStepError("spec.json: parameters must be a list of parameter objects")
    if not isinstance(values, dict):
        raise FerryStepError("params.json must hold a JSON object {name: value}")
    names = [_check_identifier(p.get("name"), "spec.json: parameter") for p in declared]
    for name in values:
        if name not in names:
            raise FerryStepError("params.json sets %r, which is not a parameter of the pipeline" % name)
    bound = {}
    for spec_param in declared:
        name = spec_param["name"]
        value = values[name] if name in values else spec_param.get("default")
        if spec_param.get("type") == "float" and type(value) is int:
            value = float(value)
        bound[name] = value
    return bound


def load_plan(run_dir, step_name):
    """Reads and checks everything the step needs; FerryStepError (exit 2) otherwise."""
    spec = _read_json(os.path.join(run_dir, "spec.json"), "spec.json")
    if not isinstance(spec, dict) or spec.get("specVersion") != SPEC_VERSION:
        version = spec.get("specVersion") if isinstance(spec, dict) else None
        raise FerryStepError(
            "spec.json has specVersion %r; this runtime reads version %d (recompile the "
            "pipeline with a matching Ferry)" % (version, SPEC_VERSION)
        )
    _check_cells(spec.get("prelude"), "prelude")
    step = _find_step(spec, step_name)
    values = _read_json(os.path.join(run_dir, "params.json"), "params.json")
    return StepPlan(run_dir, spec, step, _bind_parameter_values(spec, values))


# ---------------------------------------------------------------------------
# Inputs, outputs and pipeline metrics (shared by script mode and the notebook kernel)

_UNPICKLE_HINT = (
    " A class or function defined in a step cell can only travel between steps by "
    "value, which needs cloudpickle (or dill) installed where the producing step "
    "runs; or define it in an `imports`/`functions` cell, which every step runs."
)


def _missing_input(plan, item):
    return FerryStepError(
        "input %r of step %r is missing: step %r should have saved it to %s (did %r succeed?)"
        % (item["name"], plan.name, item["from"], plan.artifact_path(item["from"], item["name"]), item["from"])
    )


def check_inputs_exist(plan):
    for item in plan.step["inputs"]:
        if not os.path.isfile(plan.artifact_path(item["from"], item["name"])):
            raise _missing_input(plan, item)


def load_inputs(plan, namespace):
    for item in plan.step["inputs"]:
        name, producer = item["name"], item["from"]
        try:
            with open(plan.artifact_path(producer, name), "rb") as file:
                namespace[name] = pickle.load(file)
        except FileNotFoundError:
            raise _missing_input(plan, item)
        except Exception as exc:
            hint = ""
            if isinstance(exc, AttributeError):
                hint = _UNPICKLE_HINT
            elif isinstance(exc, ImportError):
                hint = " Install the module it names in this step's environment."
            raise FerryStepError(
                "input %r of step %r (saved by step %r) could not be loaded: %s: %s.%s"
                % (name, plan.name, producer, type(exc).__name__, exc, hint)
            )


def _choose_pickler():
    """cloudpickle, else dill, else pickle. The first two save functions and classes
    defined in the step by value; plain pickle saves them by reference to
    ``__main__``, which only works downstream when the prelude defines them."""
    for name in ("cloudpickle", "dill"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return pickle


def save_outputs(plan, namespace):
    """Output problems are the step's (exit 1): it never defined the value, or made one
    that can't be pickled."""
    pickler = None
    for name in plan.step["outputs"]:
        if name not in namespace:
            raise FerryStepError(
                "step %r did not define %r, which step(s) %s use"
                % (plan.name, name, ", ".join(plan.consumers_of(name)) or "downstream"),
                EXIT_USER_ERROR,
            )
        pickler = pickler or _choose_pickler()
        path = plan.artifact_path(plan.name, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        value = namespace[name]
        try:
            _write_atomically(path, lambda file: pickler.dump(value, file, protocol=PICKLE_PROTOCOL))
        except Exception as exc:
            hint = " Installing cloudpickle may help." if pickler is pickle else ""
            raise FerryStepError(
                "step %r could not save %r (a %s) with %s: %s: %s.%s"
                % (plan.name, name, type(value).__name__, pickler.__name__,
                   type(exc).__name__, exc, hint),
                EXIT_USER_ERROR,
            )


def log_pipeline_metrics(plan, namespace):
    """Logs the step's `pipeline-metrics` variables. A missing or non-number one is
    skipped with a warning: it should not fail a step whose work is done."""
    for name in plan.step["metrics"]:
        if name not in namespace:
            _warn("pipeline metric %r is not defined at the end of step %r; skipped" % (name, plan.name))
            continue
        try:
            log_metric(name, namespace[name])
        except (TypeError, ValueError, OverflowError) as exc:
            _warn("pipeline metric %r skipped: %s" % (name, exc))


def finish_step(plan, namespace):
    save_outputs(plan, namespace)
    log_pipeline_metrics(plan, namespace)


# ---------------------------------------------------------------------------
# Script mode: the cells run with exec() in one namespace


class CellFailure(Exception):
    """The user's code in one cell raised ``error`` (SystemExit included)."""

    def __init__(self, cell, error):
        super().__init__(cell, error)
        self.cell = cell
        self.error = error


# A line magic (`%time f()`), a shell escape (`!ls`, but not `!=`), or an
# assignment from one (`files = !ls`, `t = %timeit -o f()`).
_MAGIC_LINE = re.compile(r"^\s*(?:[%!](?!=)|[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!](?!=))")
# Cell magics whose body is Python: script mode runs the body without the magic.
_PYTHON_BODY_CELL_MAGICS = ("time", "timeit", "capture", "prun")


def _comment_out_magics(source, filename):
    """Script mode has no IPython: comments out magics and shell lines, keeping every
    line where it was so tracebacks still point at the right line. A line magic
    becomes ``pass  # ...`` at its indentation so an enclosing block stays valid."""
    lines = source.splitlines(True)
    if lines and lines[0].lstrip().startswith("%%"):
        magic = lines[0].split()[0][2:]
        if magic not in _PYTHON_BODY_CELL_MAGICS:
            _warn("%s: cell magic %%%%%s needs IPython; the cell is skipped in script mode "
                  "(use --mode notebook to run it)" % (filename, magic))
            return "".join("# " + line for line in lines)
        _warn("%s: cell magic %%%%%s ignored in script mode; its body runs as Python" % (filename, magic))
        lines[0] = "# " + lines[0]
    continuing, indent = False, ""
    for number, line in enumerate(lines):
        if continuing or _MAGIC_LINE.match(line):
            if not continuing:
                indent = line[: len(line) - len(line.lstrip())]
                _warn("%s, line %d: IPython syntax skipped in script mode: %s"
                      % (filename, number + 1, line.strip()))
            continuing = line.rstrip("\r\n").endswith("\\")
            lines[number] = indent + "pass  # " + line.lstrip()
    return "".join(lines)


def compile_cell(source, filename):
    """Compiles a cell, registering its text with linecache so that tracebacks show
    the cell's lines. Magics are only looked for when the cell is not valid Python:
    a line starting with % can be a continued modulo expression."""
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError:
        transformed = _comment_out_magics(source, filename)
        if transformed == source:
            raise
        source = transformed
        code = compile(source, filename, "exec", dont_inherit=True)
    lines = source.splitlines(True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    # mtime None: linecache.checkcache() leaves entries without a file alone.
    linecache.cache[filename] = (len(source), None, lines, filename)
    return code


def cell_filename(cell):
    return "<cell %d>" % cell["cell"]


def run_cells(cells, namespace):
    for cell in cells:
        try:
            exec(compile_cell(cell["source"], cell_filename(cell)), namespace)
        except StepCancelled:
            raise
        except BaseException as exc:
            raise CellFailure(cell["cell"], exc)


def _new_main_namespace():
    """A fresh module for the user's code, registered as ``__main__``: the code
    sees ``__name__ == "__main__"``, and pickle finds the classes and functions it
    defines (pickle looks them up as attributes of ``sys.modules["__main__"]``)."""
    module = types.ModuleType("__main__")
    module.__builtins__ = builtins
    sys.modules["__main__"] = module
    return module.__dict__


def _run_script_step(plan):
    """Runs the step in this process; returns (exit code, error or None)."""
    namespace = _new_main_namespace()
    # Like a notebook: the working directory is importable, and argv has no
    # runtime flags for an argparse in a cell to trip over.
    sys.argv = [plan.spec.get("notebook") or plan.spec.get("name") or "notebook"]
    try:
        run_cells(plan.spec["prelude"], namespace)
        namespace.update(copy.deepcopy(plan.parameters))
        load_inputs(plan, namespace)
        run_cells(plan.step["cells"], namespace)
    except CellFailure as failure:
        if not isinstance(failure.error, SystemExit):
            return EXIT_USER_ERROR, _report_exception(plan, failure)
        code, message = _system_exit_status(failure.error.code)
        if code != EXIT_OK:
            return code, _report_exit(plan, failure, code, message)
        # sys.exit(0) ends the cells early but the step still succeeds: save as usual.
    finish_step(plan, namespace)
    return EXIT_OK, None


def _system_exit_status(code):
    """(exit status, message to print) for SystemExit(code), as the interpreter does it."""
    if code is None:
        return EXIT_OK, None
    if isinstance(code, int):
        return code & 0xFF, None
    return EXIT_USER_ERROR, str(code)


def _user_traceback(exc):
    """The traceback without the runtime's own frames at its head, so it starts at the
    ``<cell N>`` frame the user's code raised from."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _line_in_cell(exc, cell):
    """1-based line of the cell where the exception came out of it, if known."""
    filename = "<cell %d>" % cell
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        return exc.lineno
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            return tb.tb_lineno
        tb = tb.tb_next
    return None


def _error_record(exc, cell, text):
    record = {"type": type(exc).__qualname__, "message": str(exc), "traceback": text, "cell": cell}
    line = _line_in_cell(exc, cell)
    if line is not None:
        record["line"] = line
    return record


def _report_exception(plan, failure):
    text = _user_traceback(failure.error)
    sys.stderr.write(text)
    error = _error_record(failure.error, failure.cell, text)
    where = "cell %d" % failure.cell + (", line %d" % error["line"] if "line" in error else "")
    sys.stderr.write("ferry: step %r failed: %s in %s\n" % (plan.name, error["type"], where))
    return error


def _report_exit(plan, failure, code, message):
    if message is not None:
        sys.stderr.write(message + "\n")  # what Python prints for sys.exit("message")
    error = _error_record(failure.error, failure.cell, _user_traceback(failure.error))
    error["message"] = message if message is not None else "exit code %d" % code
    sys.stderr.write("ferry: step %r exited with code %d (sys.exit in cell %d)\n" % (plan.name, code, failure.cell))
    return error


# ---------------------------------------------------------------------------
# Notebook mode: the same sequence as cells of a small notebook run by nbclient


def render_literal(value):
    """Python source for a JSON-decoded value, as an escaped literal (what
    Papermill's Python translator writes). Types are matched exactly so that no
    subclass's __repr__ can put anything else in the source."""
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return repr(value)
    if kind is float:
        if math.isfinite(value):
            return repr(value)
        if math.isnan(value):
            return "float('nan')"
        return "float('inf')" if value > 0 else "-float('inf')"
    if kind is list:
        return "[" + ", ".join(render_literal(item) for item in value) + "]"
    if kind is dict:
        items = []
        for key, item in value.items():
            if type(key) is not str:
                raise TypeError("dict keys must be str (JSON objects), got %r" % (key,))
            items.append(render_literal(key) + ": " + render_literal(item))
        return "{" + ", ".join(items) + "}"
    raise TypeError("not a JSON value: %s" % kind.__name__)


def render_parameters_cell(parameters):
    """The injected-parameters cell. The runtime binds the values (from params.json);
    the cell *shows* them as literals in comments. repr() escapes every line break,
    which is checked, so a value can never start a line of code."""
    lines = ["# Parameters, injected by Ferry. The runtime binds them from params.json:"]
    for name, value in parameters.items():
        literal = render_literal(value)
        if len(literal.splitlines()) > 1:  # cannot happen with repr(); never allow it
            raise ValueError("parameter %r does not render on one line" % name)
        lines.append("# %s = %s" % (_check_identifier(name, "parameter"), literal))
    lines.append("_ferry_runtime.kernel_bind_parameters(globals())")
    return "\n".join(lines)


_SETUP_SOURCE = """\
# Injected by Ferry: loads the step runtime into this kernel (FERRY_RUNTIME_DIR)
# and connects it to the step (FERRY_RUN_DIR, FERRY_STEP).
import os as _ferry_os, sys as _ferry_sys
_ferry_sys.path.insert(0, _ferry_os.environ["FERRY_RUNTIME_DIR"])
import ferry_runtime as _ferry_runtime
_ferry_runtime.kernel_setup()"""

_INPUTS_SOURCE = """\
# Injected by Ferry: loads this step's inputs saved by upstream steps.
_ferry_runtime.kernel_load_inputs(globals())"""

_FINISH_SOURCE = """\
# Injected by Ferry: saves this step's outputs and logs its pipeline metrics.
_ferry_runtime.kernel_finish(globals())"""

_kernel_plan = None


def kernel_setup():
    """Called by the setup cell, in the kernel."""
    global _kernel_plan
    run_directory, step = os.environ["FERRY_RUN_DIR"], os.environ["FERRY_STEP"]
    _kernel_plan = load_plan(run_directory, step)
    _configure(run_directory, step, _kernel_plan.parameters)
    _install_ferry_module()


def kernel_bind_parameters(namespace):
    namespace.update(copy.deepcopy(_kernel_plan.parameters))


def kernel_load_inputs(namespace):
    load_inputs(_kernel_plan, namespace)


def kernel_finish(namespace):
    finish_step(_kernel_plan, namespace)


def _import_notebook_packages():
    try:
        import jupyter_client.kernelspec  # noqa: F401 (nbclient's own dependency)
        import nbclient.exceptions
        import nbformat

        importlib.import_module("ipykernel")
    except ImportError as exc:
        raise FerryStepError(
            "notebook mode needs nbformat, nbclient and ipykernel in the step's Python "
            "(%s): install them (pip install nbclient ipykernel) or run in script mode (%s)"
            % (sys.executable, exc)
        )
    return nbformat, nbclient, jupyter_client


def _build_step_notebook(nbformat, plan):
    """setup, prelude, parameters, inputs, step cells, finish: the script-mode order.
    Each cell's metadata says what it is (ferry.role) and which notebook cell it came from."""
    v4 = nbformat.v4

    def injected(role, source, tag="ferry-injected"):
        return v4.new_code_cell(source, metadata={"tags": [tag], "ferry": {"role": role}})

    def original(role, cell):
        return v4.new_code_cell(cell["source"], metadata={"ferry": {"role": role, "cell": cell["cell"]}})

    cells = [injected("setup", _SETUP_SOURCE)]
    cells += [original("prelude", cell) for cell in plan.spec["prelude"]]
    cells.append(injected("parameters", render_parameters_cell(plan.parameters), "injected-parameters"))
    if plan.step["inputs"]:
        cells.append(injected("inputs", _INPUTS_SOURCE))
    cells += [original("step", cell) for cell in plan.step["cells"]]
    cells.append(injected("finish", _FINISH_SOURCE))
    metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "ferry": {"pipeline": plan.spec.get("name"), "step": plan.name},
    }
    return v4.new_notebook(cells=cells, metadata=metadata)


def _live_client_class(nbclient):
    class LiveNotebookClient(nbclient.NotebookClient):
        """Echoes the kernel's stdout/stderr as it arrives, so the step log is live."""

        def process_message(self, msg, cell, cell_index):
            output = super().process_message(msg, cell, cell_index)
            if output is not None and output.get("output_type") == "stream":
                stream = sys.stderr if output.get("name") == "stderr" else sys.stdout
                stream.write(output.get("text", ""))
                stream.flush()
            return output

    return LiveNotebookClient


_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_notebook_client = None  # for the SIGTERM handler, which must stop the kernel


def _kernel_error(cell):
    """(ename, evalue, plain-text traceback) from the cell's error output."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            text = _ANSI_ESCAPE.sub("", "\n".join(output.get("traceback", [])))
            return output.get("ename", "Error"), output.get("evalue", ""), text + "\n"
    return "Error", "the cell failed without an error output", ""


def _exit_code_from_evalue(evalue):
    """IPython reports SystemExit(code) as an error whose evalue is str(code)."""
    if evalue in ("", "None"):
        return None
    return int(evalue) if re.match(r"^-?[0-9]+$", evalue) else evalue


def _is_clean_exit(cell, ename, evalue):
    """sys.exit(0) / sys.exit() in a user cell: stop the cells, the step succeeds."""
    role = cell["metadata"]["ferry"]["role"]
    if role not in ("prelude", "step") or ename != "SystemExit":
        return False
    return _system_exit_status(_exit_code_from_evalue(evalue))[0] == EXIT_OK


def _notebook_failure(plan, cell, ename, evalue, text):
    """(exit code, error) for a failed cell, classified like script mode: an injected
    setup/parameters/inputs cell failing is the runtime's problem (2); the user's
    cells and saving the outputs are the step's (1, or the sys.exit code)."""
    role = cell["metadata"]["ferry"]["role"]
    error = {"type": ename, "message": evalue, "traceback": text}
    sys.stderr.write(text)
    if role in ("setup", "parameters", "inputs"):
        return EXIT_RUNTIME_ERROR, error
    where = "the injected %s cell" % role
    if "cell" in cell["metadata"]["ferry"]:
        error["cell"] = cell["metadata"]["ferry"]["cell"]
        where = "cell %d" % error["cell"]
    code = EXIT_USER_ERROR
    if ename == "SystemExit":
        code, message = _system_exit_status(_exit_code_from_evalue(evalue))
        error["message"] = message if message is not None else "exit code %d" % code
    sys.stderr.write("ferry: step %r failed: %s in %s\n" % (plan.name, ename, where))
    return code, error


def _run_notebook_step(plan):
    """Runs the step as a notebook in a fresh kernel; returns (exit code, error or None)."""
    global _notebook_client
    nbformat, nbclient, jupyter_client = _import_notebook_packages()
    check_inputs_exist(plan)  # fail fast, before paying for a kernel
    notebook = _build_step_notebook(nbformat, plan)
    os.environ["FERRY_RUNTIME_DIR"] = os.path.dirname(os.path.abspath(__file__))
    client = _live_client_class(nbclient)(
        notebook, kernel_name="python3", timeout=None, allow_errors=False,
        resources={"metadata": {"path": os.getcwd()}},  # the kernel's working directory
        # The kernel app's own warnings (e.g. "running over TCP without encryption"
        # on loopback) would only be noise in the step log.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    _notebook_client = client
    try:
        with client.setup_kernel():
            return _execute_notebook_cells(plan, client, notebook, nbclient.exceptions)
    except jupyter_client.kernelspec.NoSuchKernel as exc:
        raise FerryStepError("notebook mode: %s; install ipykernel's kernel spec "
                             "(python3 -m ipykernel install --user)" % exc)
    finally:
        _notebook_client = None
        _save_executed_notebook(nbformat, plan, notebook)  # also, and above all, after a failure


def _execute_notebook_cells(plan, client, notebook, errors):
    """Runs the cells one at a time (not client.execute()) to know which one failed,
    and to still run the finish cell after a sys.exit(0)."""
    stopped = False
    for index, cell in enumerate(notebook.cells):
        if stopped and cell["metadata"]["ferry"]["role"] != "finish":
            continue
        try:
            client.execute_cell(cell, index)
        except errors.CellExecutionError:
            ename, evalue, text = _kernel_error(cell)
            if not _is_clean_exit(cell, ename, evalue):
                return _notebook_failure(plan, cell, ename, evalue, text)
            stopped = True
        except errors.DeadKernelError as exc:
            message = "the kernel died (%s)" % exc
            return _notebook_failure(plan, cell, "DeadKernelError", message, "ferry: %s\n" % message)
    return EXIT_OK, None


def _save_executed_notebook(nbformat, plan, notebook):
    path = os.path.join(plan.run_dir, "steps", plan.name, "executed.ipynb")
    text = nbformat.writes(notebook).encode("utf-8")
    _write_atomically(path, lambda file: file.write(text))


def _kill_notebook_kernel():
    """The kernel runs in its own session (jupyter_client starts it so), so killing
    the step's process group misses it: stop it explicitly."""
    client = _notebook_client
    provisioner = getattr(getattr(client, "km", None), "provisioner", None)
    pgid = getattr(provisioner, "pgid", None)
    if pgid:
        try:
            os.killpg(pgid, signal.SIGTERM)
        except OSError:
            pass


# ---------------------------------------------------------------------------
# Staging the run directory from a mounted folder (--stage-from)

STAGE_INDEX = "files.json"


def _check_staged_path(relative, key, index_path):
    """A path from files.json, if it names a file inside the run directory."""
    parts = relative.split("/") if isinstance(relative, str) else []
    if (
        not parts
        or relative.startswith("/")
        or "\\" in relative
        or "\0" in relative
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise FerryStepError(
            '%s: %r (key %r) is not a path inside the run directory: paths must be relative, '
            '"/"-separated, without empty, "." or ".." parts' % (index_path, relative, key)
        )
    return relative


def read_stage_index(source):
    """(key, relative path) of every file files.json lists, all checked before
    anything is written."""
    index_path = os.path.join(source, STAGE_INDEX)
    return _check_stage_index(_read_json(index_path, "--stage-from: " + STAGE_INDEX), index_path, source)


def _check_stage_index(index, where, source):
    """files.json's form, {key: path in the run directory}, checked; ``where`` names it in messages."""
    if not isinstance(index, dict):
        raise FerryStepError("%s must hold a JSON object {key: path in the run directory}" % where)
    entries, seen = [], {}
    for key, relative in index.items():
        # A key names a file of the mounted folder; a ConfigMap mount keeps its
        # own entries (..data, ..<timestamp>) under hidden names.
        if not _is_safe_path_part(key) or key.startswith("."):
            raise FerryStepError("%s: key %r is not a file name in %s" % (where, key, source))
        relative = _check_staged_path(relative, key, where)
        if relative in seen:
            raise FerryStepError("%s: keys %r and %r both stage %r" % (where, seen[relative], key, relative))
        seen[relative] = key
        entries.append((key, relative))
    return entries


def _read_staged_source(source, key, listed_in):
    path = os.path.join(source, key)
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError as exc:
        raise FerryStepError("--stage-from: %s (listed in %s) could not be read: %s"
                             % (path, listed_in, exc.strerror or exc))


def _has_content(path, data):
    try:
        if os.path.getsize(path) != len(data):
            return False
        with open(path, "rb") as file:
            return file.read() == data
    except OSError:
        return False


def _is_within(path, directory):
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def stage_run_files(source, run_directory):
    """Copies every file files.json lists from ``source`` into the run directory."""
    stage_files(source, read_stage_index(source), run_directory, STAGE_INDEX)


def stage_files(source, entries, run_directory, listed_in):
    """Copies the (key, relative path) entries from ``source`` into the run directory.
    Steps of a run running at the same time stage the same files onto the same
    volume: each file is written to a temp file and renamed (a reader sees all of
    it or none), and one already there with the same content is left alone."""
    files = [(relative, _read_staged_source(source, key, listed_in)) for key, relative in entries]
    try:
        os.makedirs(run_directory, exist_ok=True)
    except OSError as exc:
        raise FerryStepError("--stage-from: the run directory %s could not be created: %s"
                             % (run_directory, exc.strerror or exc))
    real_run_directory = os.path.realpath(run_directory)
    for relative, data in files:
        target = os.path.join(run_directory, *relative.split("/"))
        folder = os.path.dirname(target)
        try:
            os.makedirs(folder, exist_ok=True)
            # A folder of the run directory may be a link the step's code made.
            if not _is_within(os.path.realpath(folder), real_run_directory):
                raise FerryStepError("--stage-from: %s leads outside the run directory %s (a symbolic link?)"
                                     % (folder, run_directory))
            if _has_content(target, data):
                continue

            def write(file, data=data):
                # Readable by the other steps' pods, which may run as another user.
                os.fchmod(file.fileno(), 0o644)
                file.write(data)

            _write_atomically(target, write)
        except OSError as exc:
            raise FerryStepError("--stage-from: %s could not be written: %s" % (target, exc.strerror or exc))


# ---------------------------------------------------------------------------
# One point of a sweep (--sweep-point): Kubernetes runs a step of every point
# as one Indexed Job, the completion index choosing the point

SWEEP_POINTS = "points.json"
# A run id names the point's run directory: held to the form Ferry makes
# (shared/core/src/node/store/run-id.ts), so it can never leave --runs-dir.
RUN_ID_PATTERN = re.compile(r"\Ar-[0-9]{8}-[0-9]{6}-[0-9a-f]{6}\Z")


def read_sweep_point(source, point):
    """(run id, files to stage) of entry ``point`` of points.json, a list of
    {"runId", "files"} with files in files.json's form; all checked before
    anything is written."""
    if not isinstance(point, str) or not re.match(r"\A(0|[1-9][0-9]{0,8})\Z", point):
        raise FerryStepError("--sweep-point %r is not a point index (a whole number from 0; Kubernetes "
                             "gives it as $(JOB_COMPLETION_INDEX))" % (point,))
    index = int(point)
    points_path = os.path.join(source, SWEEP_POINTS)
    points = _read_json(points_path, "--sweep-point: " + SWEEP_POINTS)
    if not isinstance(points, list):
        raise FerryStepError('%s must hold a JSON list of {"runId", "files"}, one per point' % points_path)
    if index >= len(points):
        raise FerryStepError("--sweep-point %d: %s lists %d point(s), indexes 0 to %d"
                             % (index, points_path, len(points), len(points) - 1))
    where = "%s, point %d" % (points_path, index)
    entry = points[index]
    if not isinstance(entry, dict) or "runId" not in entry or "files" not in entry:
        raise FerryStepError('%s must be a JSON object {"runId", "files"}' % where)
    run_id = entry["runId"]
    if not isinstance(run_id, str) or not RUN_ID_PATTERN.match(run_id):
        raise FerryStepError("%s: runId %r is not a Ferry run id (r-YYYYMMDD-HHMMSS-xxxxxx)" % (where, run_id))
    return run_id, _check_stage_index(entry["files"], where + ": files", source)


def _upstream_outcome(run_directory, upstream):
    """"succeeded", or what became of the upstream step in words."""
    try:
        status = _read_json(os.path.join(run_directory, "steps", upstream, "status.json"), "status.json")
    except FerryStepError:
        return "did not run (no status.json)"
    state = status.get("state") if isinstance(status, dict) else None
    if state in ("succeeded", "failed"):
        return state
    if state == "cancelled":
        return "was cancelled"
    return "did not finish (its status.json says %r)" % (state,)


def check_upstream_succeeded(run_directory, step_name):
    """A sweep's Job of a step starts once its upstream steps' Jobs finished
    every point, some of which may have failed (or been skipped): such a
    point's step is not run on inputs that are not there. Refused with its
    own exit code, which the Job's pod failure policy makes a failed index."""
    spec = _read_json(os.path.join(run_directory, "spec.json"), "spec.json")
    if not isinstance(spec, dict):
        raise FerryStepError("spec.json must hold a JSON object")
    step = _find_step(spec, step_name)
    upstream = step.get("dependsOn", [])
    step_names = [other["name"] for other in spec["steps"]]
    if not isinstance(upstream, list) or not all(name in step_names for name in upstream):
        raise FerryStepError("spec.json: step %r dependsOn must be a list of its steps' names" % step_name)
    for name in upstream:
        outcome = _upstream_outcome(run_directory, name)
        if outcome != "succeeded":
            raise FerryStepError("step %r not run: its upstream step %r %s in this point (run %s)"
                                 % (step_name, name, outcome, os.path.basename(run_directory)),
                                 EXIT_UPSTREAM_NOT_SUCCEEDED)


# ---------------------------------------------------------------------------
# Records on stdout (FERRY_STDOUT_RECORDS=1)

METRIC_RECORD_PREFIX = b"##ferry:metric "
STATUS_RECORD_PREFIX = b"##ferry:status "


class _LineTrackingStream(object):
    """sys.stdout while records are on: passes everything through, and notes
    whether the step's text so far ends with a whole line, so that a record is
    never written into the middle of one of the step's lines."""

    def __init__(self, stream, on_line_end):
        self._stream = stream
        self._on_line_end = on_line_end
        self.at_line_start = True

    def write(self, text):
        count = self._stream.write(text)
        if text:
            self.at_line_start = text.endswith("\n")
            if self.at_line_start:
                self._on_line_end()
        return count

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._stream, name)


class StdoutRecords(object):
    """For a target that cannot read the run's volume (Kubernetes reads the pod's
    log): repeats each line appended to the step's metrics.jsonl on stdout as
    ``##ferry:metric <line>``, and ends with ``##ferry:status <status.json>``.

    The records follow metrics.jsonl, not log_metric, so that every writer is
    covered once: this process (the library watcher included), the notebook
    kernel, processes the step starts. Each batch of records is one write of
    whole lines to a duplicate of the stdout descriptor (still the log if the
    step's code redirects fd 1), after the step's buffered output. While the
    step's stdout is in the middle of a line (a progress bar), records wait for
    the line to end, at most HOLD_SECONDS; then the line is broken."""

    POLL_SECONDS = 0.5
    HOLD_SECONDS = 2.0

    def __init__(self, stream):
        self._fd = os.dup(stream.fileno())
        self._pid = os.getpid()  # a forked child must leave the records to this process
        self.stream = _LineTrackingStream(stream, self._on_line_end)
        self._lock = threading.Lock()
        self._metrics_path = None
        self._offset = 0
        self._waiting = []  # lines read from metrics.jsonl, not yet written
        self._waiting_since = 0.0
        self._stop = threading.Event()
        self._thread = None
        self._broken = False

    def follow(self, metrics_path):
        """Starts following metrics.jsonl from its current end: what an earlier
        attempt of the step wrote there was in that attempt's log."""
        self._metrics_path = metrics_path
        try:
            self._offset = os.path.getsize(metrics_path)
        except OSError:
            self._offset = 0
        self._thread = threading.Thread(target=self._poll, name="ferry-stdout-records", daemon=True)
        self._thread.start()

    def catch_up(self, final=False):
        with self._lock:
            if os.getpid() != self._pid or self._broken:
                return
            fresh = self._read_new_lines()
            if fresh and not self._waiting:
                self._waiting_since = time.monotonic()
            self._waiting += fresh
            if not self._waiting:
                return
            waited = time.monotonic() - self._waiting_since
            if not (self.stream.at_line_start or final or waited >= self.HOLD_SECONDS):
                return
            self._write_records([METRIC_RECORD_PREFIX + line for line in self._waiting])
            self._waiting = []

    def finish(self, status):
        """Writes the metrics still to come, then the status line, the last one."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.catch_up(final=True)
        line = STATUS_RECORD_PREFIX + json.dumps(status).encode("utf-8")
        with self._lock:
            if not self._broken:
                self._write_records([line])

    def _poll(self):
        # Lines from other processes (the kernel, the step's subprocesses);
        # this process's own appends call catch_up() right away.
        while not self._stop.wait(self.POLL_SECONDS):
            self.catch_up()

    def _on_line_end(self):
        if self._waiting:
            self.catch_up()

    def _read_new_lines(self):
        if self._metrics_path is None:
            return []
        try:
            with open(self._metrics_path, "rb") as file:
                file.seek(self._offset)
                data = file.read()
        except OSError:
            return []
        end = data.rfind(b"\n") + 1  # a line still being written is read next time
        self._offset += end
        lines = []
        for line in data[:end].split(b"\n"):
            line = line.strip()
            if line and _is_json_object(line):
                lines.append(line)
        return lines

    def _write_records(self, lines):
        """Called holding self._lock."""
        self.stream.flush()  # the step's output so far comes first
        data = b"".join(line + b"\n" for line in lines)
        if not self.stream.at_line_start:
            data = b"\n" + data
            self.stream.at_line_start = True
        try:
            while data:
                data = data[os.write(self._fd, data):]
        except OSError as exc:  # the log is gone: nothing can be reported through it any more
            self._broken = True
            _warn("records on stdout stopped: %s" % exc)


def _is_json_object(line):
    try:
        return isinstance(json.loads(line.decode("utf-8")), dict)
    except ValueError:
        return False


_stdout_records = None


def _records_appended():
    if _stdout_records is not None:
        _stdout_records.catch_up()


def _start_stdout_records():
    """StdoutRecords when FERRY_STDOUT_RECORDS=1, with sys.stdout tracking lines; else None."""
    global _stdout_records
    if os.environ.get("FERRY_STDOUT_RECORDS") != "1":
        return None
    try:
        records = StdoutRecords(sys.stdout)
    except (AttributeError, OSError, ValueError) as exc:  # no stdout descriptor to duplicate
        _warn("FERRY_STDOUT_RECORDS=1 but stdout has no file descriptor (%s): no records are written" % exc)
        return None
    sys.stdout = records.stream
    _stdout_records = records
    return records


# ---------------------------------------------------------------------------
# status.json, SIGTERM and the command line


class StatusFile(object):
    """steps/<step>/status.json; once a final state is written it is never changed."""

    def __init__(self, path):
        self.path = path
        self.started_at = _now_iso()
        self.state = None
        self.data = None  # what was written last

    @property
    def is_final(self):
        return self.state not in (None, "running")

    def _write(self, fields):
        data = {"state": fields["state"], "pid": os.getpid(), "host": socket.gethostname(),
                "startedAt": self.started_at}
        # Slurm's own name of the node (it need not be the host name): where the
        # step ran, even when the job left the queue before anyone asked Slurm.
        if os.environ.get("SLURMD_NODENAME"):
            data["node"] = os.environ["SLURMD_NODENAME"]
        if os.environ.get("SLURM_JOB_ID"):
            # Set by Slurm in a requeued job (preempted, a node failure, scontrol requeue): how often it started over.
            data["restarts"] = int(os.environ.get("SLURM_RESTART_COUNT") or 0)
        data.update(fields)
        _write_json_atomically(self.path, data)
        self.state = fields["state"]
        self.data = data

    def running(self):
        self._write({"state": "running"})

    def finish(self, state, exit_code, error=None):
        if self.is_final:
            return
        fields = {"state": state, "finishedAt": _now_iso(), "exitCode": exit_code}
        if error is not None:
            fields["error"] = error
        self._write(fields)


def _install_sigterm_handler(status, step):
    """Targets cancel a step with SIGTERM (then SIGKILL) to its process group. Record
    "cancelled" first, so the state is right even if SIGKILL follows, then unwind
    the user's code with StepCancelled so its finally blocks run."""

    def on_sigterm(signum, frame):
        if status.is_final:
            return  # the step already ended; it is about to exit anyway
        status.finish("cancelled", EXIT_CANCELLED)
        _kill_notebook_kernel()
        sys.stderr.write("ferry: step %r cancelled (SIGTERM)\n" % step)
        raise StepCancelled()

    signal.signal(signal.SIGTERM, on_sigterm)


def _parse_args(argv):
    parser = argparse.ArgumentParser(prog="ferry_runtime.py", description="Run one step of a Ferry pipeline.")
    parser.add_argument("--run-dir", help="the run directory (holds spec.json, params.json)")
    parser.add_argument("--step", required=True, help="the name of the step to run")
    parser.add_argument("--mode", choices=("script", "notebook"), default="script",
                        help="script: exec the cells in this process (default); notebook: run them in a kernel")
    parser.add_argument("--stage-from", metavar="DIR",
                        help="first copy the files DIR/%s lists into the run directory" % STAGE_INDEX)
    parser.add_argument("--sweep-point", metavar="I",
                        help="instead of --run-dir: run point I of DIR/%s (with --stage-from and --runs-dir)"
                        % SWEEP_POINTS)
    parser.add_argument("--runs-dir", metavar="DIR", help="with --sweep-point: where the points' run directories are")
    args = parser.parse_args(argv)  # bad arguments exit 2, like other runtime problems
    if args.sweep_point is None:
        if args.run_dir is None:
            parser.error("the following arguments are required: --run-dir (or --sweep-point)")
        if args.runs_dir is not None:
            parser.error("--runs-dir goes with --sweep-point")
    elif args.run_dir is not None:
        parser.error("--sweep-point picks the run directory under --runs-dir: give it no --run-dir")
    elif args.runs_dir is None or args.stage_from is None:
        parser.error("--sweep-point needs --stage-from (where %s is) and --runs-dir" % SWEEP_POINTS)
    return args


def _line_buffered_output():
    """The target redirects output to log.txt; line buffering keeps the log live."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(line_buffering=True)


def _run_step(run_directory, step, mode):
    plan = load_plan(run_directory, step)
    _configure(run_directory, step, plan.parameters)
    _install_ferry_module()
    watcher = _start_log_watcher(plan)
    try:
        if mode == "notebook":
            return _run_notebook_step(plan)
        return _run_script_step(plan)
    finally:
        if watcher is not None:
            watcher.stop()  # before the final status.json: a final state comes with all its metrics


# ---------------------------------------------------------------------------
# Metrics logged through other libraries (MLflow, DVCLive, Lightning's CSV, TensorBoard)


def _load_companion(name):
    """A module staged next to this file, loaded by path: the step's working
    directory comes first on sys.path and must not be able to shadow it."""
    import importlib.util

    if name in sys.modules:
        return sys.modules[name]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _start_log_watcher(plan):
    """Sets MLflow's environment for the step and starts tailing the libraries'
    files, unless FERRY_LIBRARY_METRICS=0. Never fails the step: without the
    companion modules (an older staging) metrics from ferry.log_metric still work."""
    if os.environ.get("FERRY_LIBRARY_METRICS", "1") == "0":
        return None
    try:
        _load_companion("ferry_tfevents")
        sources = _load_companion("ferry_log_sources")
    except (OSError, ImportError, SyntaxError) as exc:
        _warn("metrics from MLflow, DVCLive, Lightning and TensorBoard are not picked up: %s" % exc)
        return None
    step_dir = os.path.join(plan.run_dir, "steps", plan.name)
    store = sources.mlflow_environment(step_dir, plan.spec.get("name"), os.environ)
    if store is None:
        _warn("MLFLOW_TRACKING_URI is set (%s): MLflow logs there, and Ferry picks up MLflow "
              "metrics only from an mlruns/ directory under the working directory"
              % os.environ["MLFLOW_TRACKING_URI"])
    watcher = sources.LogWatcher(plan.run_dir, plan.name, os.getcwd(), store, _context.append_record)
    watcher.start()
    return watcher


def _prepare_run_directory(args):
    """Stages the run directory when asked and checks it can run the step;
    the run directory, or FerryStepError saying why the step is refused."""
    if not _is_safe_path_part(args.step):
        raise FerryStepError("%r is not a usable step name" % args.step)
    if args.sweep_point is not None:
        return _prepare_sweep_point(args)
    run_directory = os.path.abspath(args.run_dir)
    if args.stage_from is not None:
        stage_run_files(os.path.abspath(args.stage_from), run_directory)
    _check_run_directory(run_directory)
    return run_directory


def _prepare_sweep_point(args):
    """The point's run directory, <runs-dir>/<run id>, staged and made the
    working directory, as a run's pod has /ferry/run; FERRY_RUN_ID names the
    point's run for the step's code."""
    source = os.path.abspath(args.stage_from)
    run_id, files = read_sweep_point(source, args.sweep_point)
    run_directory = os.path.join(os.path.abspath(args.runs_dir), run_id)
    stage_files(source, files, run_directory, SWEEP_POINTS)
    _check_run_directory(run_directory)
    check_upstream_succeeded(run_directory, args.step)
    os.environ["FERRY_RUN_ID"] = run_id
    os.chdir(run_directory)
    return run_directory


def _check_run_directory(run_directory):
    if not os.path.isfile(os.path.join(run_directory, "spec.json")):
        raise FerryStepError("%s is not a run directory (no spec.json)" % run_directory)


def _refusal_status(message, exit_code):
    """What status.json would say about a step refused before it started (the
    file itself is not written: the step directory may not be a safe place)."""
    now = _now_iso()
    return {"state": "failed", "pid": os.getpid(), "host": socket.gethostname(), "startedAt": now,
            "finishedAt": now, "exitCode": exit_code,
            "error": {"type": "FerryStepError", "message": message, "traceback": ""}}


def main(argv=None):
    args = _parse_args(argv)
    _line_buffered_output()
    records = _start_stdout_records()
    try:
        run_directory = _prepare_run_directory(args)
    except FerryStepError as problem:
        sys.stderr.write("ferry: %s\n" % problem.message)
        if records is not None:
            records.finish(_refusal_status(problem.message, problem.exit_code))
        return problem.exit_code
    step_dir = os.path.join(run_directory, "steps", args.step)
    os.makedirs(step_dir, exist_ok=True)
    if records is not None:
        records.follow(os.path.join(step_dir, "metrics.jsonl"))
    status = StatusFile(os.path.join(step_dir, "status.json"))
    _install_sigterm_handler(status, args.step)
    # The script's own directory is sys.path[0]; a notebook imports from its
    # working directory instead.
    if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
        sys.path[0] = ""
    try:
        status.running()
        try:
            exit_code, error = _run_step(run_directory, args.step, args.mode)
        except FerryStepError as problem:
            sys.stderr.write("ferry: %s\n" % problem.message)
            exit_code = problem.exit_code
            error = {"type": "FerryStepError", "message": problem.message, "traceback": ""}
        except Exception as exc:  # a bug in the runtime: say so, with its traceback
            text = traceback.format_exc()
            sys.stderr.write(text)
            exit_code = EXIT_RUNTIME_ERROR
            error = {"type": type(exc).__qualname__, "message": "internal error in ferry_runtime: %s" % exc,
                     "traceback": text}
        status.finish("succeeded" if exit_code == EXIT_OK else "failed", exit_code, error)
    except StepCancelled:
        pass
    sys.stdout.flush()
    sys.stderr.flush()
    if records is not None:
        records.finish(status.data)
    return EXIT_CANCELLED if status.state == "cancelled" else exit_code


def _load_as_module():
    """Run as a script, this file is ``__main__``, but ``__main__`` must be the user's
    namespace (pickle looks up classes defined in steps there). So the runtime runs
    from a second copy imported as ``ferry_runtime``; the notebook kernel imports it
    under the same name."""
    import importlib.util

    path = os.path.abspath(__file__)
    spec = importlib.util.spec_from_file_location("ferry_runtime", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["ferry_runtime"] = module
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    sys.exit(_load_as_module().main())
