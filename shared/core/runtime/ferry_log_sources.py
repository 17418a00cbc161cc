"""Metrics that a step logs through other libraries, turned into Ferry metrics.

Users' logging code works unchanged: while a step runs, ``LogWatcher`` tails the
files these libraries write and appends their points to the step's
``metrics.jsonl``, the one file the monitor already reads by byte offset (so a
remote target still needs one read per poll):

- MLflow: the launcher points MLflow at a file store in the step's directory
  (``mlflow_environment``); its metric files are ``<exp>/<run>/metrics/<name>``
  with lines ``timestamp_ms value step``. A user's own local ``mlruns/`` store in
  the working directory is read the same way.
- DVCLive: ``<dir>/plots/metrics/<name>.tsv`` (``[timestamp\\t]step\\t<name>``).
- PyTorch Lightning's CSVLogger: ``<save_dir>/<name>/version_N/metrics.csv``
  (a header with a ``step`` column, one column per metric, empty cells).
- TensorBoard: ``events.out.tfevents.*`` scalar summaries (ferry_tfevents).

Standard library only, like the runtime it is staged with. A file that cannot be
read is skipped with a warning naming the file and line; nothing here may fail
the step.
"""

import csv
import json
import math
import os
import socket
import sys
import threading
import time

import ferry_tfevents

SCAN_INTERVAL = 2.0  # seconds between looks at the files while the step runs
MAX_SCAN_DEPTH = 8  # dvclive/plots/metrics/train/loss.tsv is depth 4
MAX_SCAN_ENTRIES = 50000  # per scan of the working directory: a huge data tree is not walked
_SKIPPED_DIRS = {"__pycache__", "node_modules", "site-packages", "venv", "env", "wandb"}


class Point(object):
    __slots__ = ("name", "value", "step", "time", "source")

    def __init__(self, name, value, step, time_, source):
        self.name, self.value, self.step, self.time, self.source = name, value, step, time_, source


def _warn(message):
    sys.stderr.write("ferry: warning: %s\n" % message)
    sys.stderr.flush()


def _number(text):
    """A float from the text a library wrote ("0.5", "nan", "inf", "-inf"), else None."""
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _step(text):
    try:
        step = int(text)
    except (TypeError, ValueError):
        try:  # some writers put "3.0"
            number = float(text)
        except (TypeError, ValueError):
            return None
        if not number.is_integer():
            return None
        step = int(number)
    return step if step >= 0 else None


# ---------------------------------------------------------------------------
# Readers: one per file, each remembering how far it has read


class _LineTail(object):
    """Whole lines appended to a text file since the last read. A file that was
    replaced, got shorter or got another first line (Lightning rewrites its CSV
    with a wider header when a new metric appears) is read again from the start;
    the deduplication downstream drops the points already recorded."""

    def __init__(self, path, offset=0, identity=None):
        self.path = path
        self.offset = offset
        self.line_number = 0 if offset == 0 else None  # unknown when starting mid-file
        self.identity = identity
        self.first_line = None

    def read_lines(self):
        """([(line number or None, text)], restarted)."""
        stat = os.stat(self.path)
        identity = (stat.st_dev, stat.st_ino)
        with open(self.path, "rb") as file:
            head = file.readline(4096)
            rewritten = (
                (self.identity is not None and identity != self.identity)
                or stat.st_size < self.offset
                or (self.first_line is not None and head != self.first_line)
            )
            if rewritten:
                self.offset, self.line_number = 0, 0
            self.identity = identity
            if head.endswith(b"\n"):
                self.first_line = head
            file.seek(self.offset)
            data = file.read()
        restarted = bool(rewritten)
        end = data.rfind(b"\n") + 1  # a line without its "\n" may still be being written
        lines = []
        for raw in data[:end].split(b"\n")[:-1]:
            if self.line_number is not None:
                self.line_number += 1
            lines.append((self.line_number, raw.decode("utf-8", "replace").rstrip("\r")))
        self.offset += end
        return lines, restarted


def _where(path, line_number):
    return "%s, line %d" % (path, line_number) if line_number else path


class MlflowMetricReader(object):
    """One metric of an MLflow file store run: ``timestamp_ms value step`` per line."""

    source = "mlflow"

    def __init__(self, path, name, offset=0, identity=None):
        self.name = name
        self.tail = _LineTail(path, offset, identity)

    def read_new(self, warn):
        lines, _ = self.tail.read_lines()
        points = []
        for line_number, text in lines:
            parts = text.split()
            if not parts:
                continue
            timestamp = _number(parts[0]) if len(parts) == 3 else None
            value = _number(parts[1]) if len(parts) == 3 else None
            step = _step(parts[2]) if len(parts) == 3 else None
            if timestamp is None or value is None or step is None:
                warn("%s: not an MLflow metric line (timestamp value step): %r; skipped"
                     % (_where(self.tail.path, line_number), text[:80]))
                continue
            points.append(Point(self.name, value, step, timestamp / 1000.0, self.source))
        return points


class DelimitedMetricsReader(object):
    """A table with a header: DVCLive's TSV (one metric per file) or Lightning's
    metrics.csv (one column per metric, empty where a row does not log it)."""

    def __init__(self, path, source, delimiter, names=None, offset=0, identity=None):
        self.source = source
        self.delimiter = delimiter
        self.names = names or {}  # column -> metric name; default: the column's own name
        self.tail = _LineTail(path, offset, identity)
        self.header = None
        self.ignored = False

    def read_new(self, warn):
        if self.ignored:
            return []
        lines, restarted = self.tail.read_lines()
        if restarted:
            self.header = None
        points = []
        now = time.time()
        for line_number, text in lines:
            if not text.strip():
                continue
            cells = next(csv.reader([text], delimiter=self.delimiter))
            if self.header is None:
                if self.tail.line_number is None:
                    # Started mid-file (the file existed before the step): its header is line 1.
                    self.header = self._read_header()
                    if self.header is None:
                        return points
                else:
                    self.header = cells
                    if "step" not in cells:
                        self.ignored = True
                        warn("%s has no 'step' column; not read as a %s log" % (self.tail.path, self.source))
                        return []
                    continue
            points.extend(self._row_points(cells, line_number, text, now, warn))
        return points

    def _read_header(self):
        with open(self.tail.path, encoding="utf-8", errors="replace", newline="") as file:
            first = file.readline().rstrip("\r\n")
        header = next(csv.reader([first], delimiter=self.delimiter), None)
        if not header or "step" not in header:
            self.ignored = True
            return None
        return header

    def _row_points(self, cells, line_number, text, now, warn):
        row = dict(zip(self.header, cells))
        if len(cells) != len(self.header):
            warn("%s: %d cells where the header has %d; skipped"
                 % (_where(self.tail.path, line_number), len(cells), len(self.header)))
            return []
        step = _step(row.get("step"))
        if step is None:
            warn("%s: step %r is not an int >= 0; skipped" % (_where(self.tail.path, line_number), row.get("step")))
            return []
        timestamp = _number(row.get("timestamp"))
        when = timestamp / 1000.0 if timestamp is not None else now
        points = []
        for column, cell in row.items():
            if column in ("step", "timestamp") or cell == "":
                continue
            value = _number(cell)
            if value is None:
                warn("%s: %s value %r is not a number; skipped" % (_where(self.tail.path, line_number), column, cell))
                continue
            points.append(Point(self.names.get(column, column), value, step, when, self.source))
        return points


class TensorBoardReader(object):
    source = "tensorboard"

    def __init__(self, path, offset=0, identity=None):
        self.events = ferry_tfevents.EventFileReader(path)
        self.events.offset = offset
        self.identity = identity

    def read_new(self, warn):
        stat = os.stat(self.events.path)
        identity = (stat.st_dev, stat.st_ino)
        if self.identity is not None and identity != self.identity:
            self.events = ferry_tfevents.EventFileReader(self.events.path)
        self.identity = identity
        points = self.events.read_new(lambda problem: warn("%s: %s" % (self.events.path, problem)))
        result = []
        for point in points:
            if point.step < 0:
                continue
            result.append(Point(point.tag, point.value, point.step, point.wall_time, self.source))
        return result


# ---------------------------------------------------------------------------
# Finding the files


def _metric_name(relative_path, suffix=""):
    """A metric name from its path under a metrics directory: train/loss.tsv -> train/loss."""
    name = relative_path.replace(os.sep, "/")
    return name[: -len(suffix)] if suffix and name.endswith(suffix) else name


def classify(path, root):
    """(kind, metric name or None) for a file the watcher should read, else None.
    ``root`` is the directory being walked (paths are judged relative to it)."""
    base = os.path.basename(path)
    if base.startswith("events.out.tfevents."):
        return "tensorboard", None
    parts = os.path.relpath(path, root).split(os.sep)
    if base == "metrics.csv":
        return "csv", None
    if base.endswith(".tsv"):
        for index in range(len(parts) - 2):
            if parts[index] == "plots" and parts[index + 1] == "metrics":
                return "dvclive", _metric_name(os.path.join(*parts[index + 2:]), ".tsv")
    for index in range(len(parts) - 3):
        # An MLflow file store: <store>/<experiment id>/<run id>/metrics/<name...>
        if parts[index] == "mlruns" and index + 3 < len(parts) - 1 and parts[index + 3] == "metrics":
            return "mlflow", _metric_name(os.path.join(*parts[index + 4:]))
    return None


def _mlflow_store_files(store):
    """(path, metric name) of every metric file in an MLflow file store."""
    found = []
    for experiment in _listdir(store):
        if experiment.startswith("."):
            continue
        for run in _listdir(os.path.join(store, experiment)):
            metrics = os.path.join(store, experiment, run, "metrics")
            for directory, _, files in os.walk(metrics):
                for name in files:
                    path = os.path.join(directory, name)
                    found.append((path, _metric_name(os.path.relpath(path, metrics))))
    return found


def _listdir(path):
    try:
        return sorted(os.listdir(path))
    except OSError:
        return []


def _walk_candidates(root, excluded, warn_once):
    """Files under ``root`` that look like a library's log, walking at most
    MAX_SCAN_DEPTH levels and MAX_SCAN_ENTRIES entries, skipping hidden and
    environment directories and ``excluded`` paths."""
    found, seen = [], 0
    stack = [(root, 0)]
    while stack:
        directory, depth = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_SCAN_ENTRIES:
                warn_once("%s has more than %d entries; logs deeper in it are not looked for"
                          % (root, MAX_SCAN_ENTRIES))
                return found
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if depth + 1 < MAX_SCAN_DEPTH and entry.name not in _SKIPPED_DIRS and entry.path not in excluded:
                    stack.append((entry.path, depth + 1))
            elif entry.is_file(follow_symlinks=False):
                kind = classify(entry.path, root)
                if kind is not None:
                    found.append((entry.path, kind))
    return found


def _tensorboard_writer_elsewhere(path, run_dir, step):
    """True when the event file's name says it was written by a live process of this
    host that belongs to another Ferry step (steps may share a working directory).
    Writers name files events.out.tfevents.<time>.<hostname>.<pid>[.<n>...]."""
    rest = os.path.basename(path)[len("events.out.tfevents."):]
    host = socket.gethostname()
    marker = "." + host + "."
    at = rest.find(marker)
    if at < 0:
        return False
    pid = rest[at + len(marker):].split(".")[0]
    if not pid.isdigit():
        return False
    try:
        with open("/proc/%s/environ" % pid, "rb") as file:
            environ = dict(item.split(b"=", 1) for item in file.read().split(b"\0") if b"=" in item)
    except OSError:
        return False  # gone, or no /proc: cannot tell, so the file is read
    theirs = (environ.get(b"FERRY_RUN_DIR"), environ.get(b"FERRY_STEP"))
    if theirs == (None, None):
        return False
    return theirs != (os.fsencode(run_dir), os.fsencode(step))


# ---------------------------------------------------------------------------
# Deduplication and the watcher


class _SeenPoints(object):
    """(name, step) -> values already in metrics.jsonl. A library point equal to one
    of them (to float32 precision: TensorBoard stores float32) is a duplicate, e.g. a
    loss logged through both ferry.log_metric and MLflow, or Lightning writing the
    same metrics to TensorBoard and CSV."""

    def __init__(self):
        self.values = {}

    def add(self, name, step, value):
        self.values.setdefault((name, step), []).append(value)

    def has(self, name, step, value):
        for seen in self.values.get((name, step), ()):
            if seen == value or (math.isnan(seen) and math.isnan(value)):
                return True
            if math.isfinite(seen) and math.isfinite(value) and abs(seen - value) <= 1e-6 * max(1.0, abs(seen), abs(value)):
                return True
        return False


def _json_number(value):
    if isinstance(value, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


class LogWatcher(object):
    """Tails the libraries' files for one step and appends their points to its
    metrics.jsonl through ``append(name, value, step, time, source)``.

    A point read in one scan is written in the next (or at ``stop``), after
    metrics.jsonl has been read again, so a value logged through ferry.log_metric
    and a library at about the same time is recorded once."""

    def __init__(self, run_dir, step, work_dir, mlflow_store, append, interval=SCAN_INTERVAL):
        self.run_dir = run_dir
        self.step = step
        self.work_dir = os.path.abspath(work_dir) if work_dir else None
        self.mlflow_store = mlflow_store
        self.append = append
        self.interval = interval
        self.metrics_path = os.path.join(run_dir, "steps", step, "metrics.jsonl")
        self.excluded = {os.path.join(run_dir, "steps"), os.path.join(run_dir, "artifacts")}
        self.readers = {}  # path -> reader, or None for a file that is not this step's
        self.baseline = {}  # path -> (size, identity) of files that existed before the step
        self.seen = _SeenPoints()
        self.metrics_offset = 0
        self.pending = []
        self.warned = set()
        self._stop = threading.Event()
        self._thread = None
        self._lock = threading.Lock()

    # -- lifecycle

    def start(self):
        """Notes the files that exist already (only what is appended to them later
        is the step's), then looks every ``interval`` seconds in a daemon thread."""
        for path, _ in self._candidates():
            try:
                stat = os.stat(path)
            except OSError:
                continue
            self.baseline[path] = (stat.st_size, (stat.st_dev, stat.st_ino))
        self._thread = threading.Thread(target=self._loop, name="ferry-log-watcher", daemon=True)
        self._thread.start()

    def stop(self):
        """The last look, after the step's code has finished: writes everything."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        self.scan(final=True)

    def _loop(self):
        pause = self.interval
        while not self._stop.wait(pause):
            started = time.monotonic()
            self.scan(final=False)
            # A big working directory makes a scan slow: then look less often.
            pause = max(self.interval, 10 * (time.monotonic() - started))

    # -- one look

    def scan(self, final):
        with self._lock:
            try:
                fresh = self._read_sources()
                self._read_own_metrics()
                ready = self.pending + fresh if final else self.pending
                self.pending = [] if final else fresh
                for point in ready:
                    if not self.seen.has(point.name, point.step, point.value):
                        self.seen.add(point.name, point.step, point.value)
                        self.append(point.name, point.value, point.step, point.time, point.source)
            except Exception as exc:  # never let a log file fail the step
                self._warn_once("reading logging libraries' files failed: %s: %s" % (type(exc).__name__, exc))

    def _candidates(self):
        found = []
        if self.mlflow_store:
            found += [(path, ("mlflow", name)) for path, name in _mlflow_store_files(self.mlflow_store)]
        if self.work_dir:
            found += _walk_candidates(self.work_dir, self.excluded, self._warn_once)
        # The step's own directory: logs written there are this step's for sure.
        found += _walk_candidates(os.path.join(self.run_dir, "steps", self.step), set(), self._warn_once)
        return found

    def _read_sources(self):
        for path, kind in self._candidates():
            if path not in self.readers:
                self.readers[path] = self._new_reader(path, kind)
        points = []
        for path, reader in list(self.readers.items()):
            if reader is None:
                continue
            try:
                points += reader.read_new(self._warn)
            except FileNotFoundError:
                del self.readers[path]  # removed (e.g. DVCLive cleans its directory); found again if re-created
            except OSError as exc:
                self._warn_once("%s could not be read: %s" % (path, exc))
        return points

    def _new_reader(self, path, kind):
        kind, name = kind
        size, identity = self.baseline.get(path, (0, None))
        if kind == "tensorboard":
            if _tensorboard_writer_elsewhere(path, self.run_dir, self.step):
                return None
            return TensorBoardReader(path, size, identity)
        if kind == "mlflow":
            return MlflowMetricReader(path, name, size, identity)
        if kind == "dvclive":
            column = os.path.basename(name)
            return DelimitedMetricsReader(path, "dvclive", "\t", {column: name}, size, identity)
        return DelimitedMetricsReader(path, "lightning", ",", None, size, identity)

    def _read_own_metrics(self):
        """Notes what metrics.jsonl holds (ferry.log_metric, and what this watcher wrote)."""
        try:
            with open(self.metrics_path, "rb") as file:
                file.seek(self.metrics_offset)
                data = file.read()
        except FileNotFoundError:
            return
        end = data.rfind(b"\n") + 1
        self.metrics_offset += end
        for raw in data[:end].split(b"\n"):
            try:
                record = json.loads(raw)
            except ValueError:
                continue  # the monitor reports malformed lines; nothing to learn here
            if not isinstance(record, dict) or "source" in record:
                continue  # this watcher's own lines were noted when written
            value = _json_number(record.get("value"))
            if isinstance(record.get("name"), str) and isinstance(record.get("step"), int) and value is not None:
                self.seen.add(record["name"], record["step"], value)

    # -- warnings

    def _warn(self, message):
        _warn(message)

    def _warn_once(self, message):
        if message not in self.warned:
            self.warned.add(message)
            _warn(message)


# ---------------------------------------------------------------------------
# MLflow


def mlflow_environment(step_dir, experiment, environ):
    """Points MLflow at a file store in the step's directory, through the
    environment the step's code (and any process it starts) inherits. Returns the
    store's path, or None when the user set MLFLOW_TRACKING_URI themselves (theirs
    is left alone; a local ``mlruns/`` store in the working directory is still read)."""
    if environ.get("MLFLOW_TRACKING_URI"):
        return None
    store = os.path.join(step_dir, "mlruns")
    environ["MLFLOW_TRACKING_URI"] = "file://" + _uri_path(store)
    # MLflow 3 keeps the file store for those who ask for it ("maintenance mode").
    environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    if experiment and not environ.get("MLFLOW_EXPERIMENT_NAME") and not environ.get("MLFLOW_EXPERIMENT_ID"):
        environ["MLFLOW_EXPERIMENT_NAME"] = experiment
    return store


def _uri_path(path):
    from urllib.parse import quote

    return quote(os.path.abspath(path).replace(os.sep, "/"))
