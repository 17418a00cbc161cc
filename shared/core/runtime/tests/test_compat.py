"""ferry_runtime.py is copied to clusters with whatever python3 they have (>= 3.8)
and nothing installed: check the syntax, then run it under every Python found."""

import ast
import glob
import os
import shutil
import subprocess

import pytest

from conftest import RUNTIME, cell, step


def test_syntax_is_python_3_8():
    ast.parse(RUNTIME.read_text(), filename=str(RUNTIME), feature_version=(3, 8))


def _candidate_interpreters():
    """python3.N on PATH, pyenv's versions, /usr/bin, and FERRY_TEST_PYTHONS (a
    colon-separated list); one per version >= 3.8 that actually starts."""
    paths = [p for p in os.environ.get("FERRY_TEST_PYTHONS", "").split(":") if p]
    paths += [shutil.which("python3.%d" % minor) for minor in range(8, 20)]
    paths += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3")))
    paths += sorted(glob.glob("/usr/bin/python3.[0-9]*"))
    found = {}
    for path in filter(None, paths):
        try:
            probe = subprocess.run([path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                   capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            continue
        version = probe.stdout.strip()
        if probe.returncode == 0 and version and tuple(map(int, version.split("."))) >= (3, 8):
            found.setdefault(version, path)
    return sorted(found.items(), key=lambda item: tuple(map(int, item[0].split("."))))


INTERPRETERS = _candidate_interpreters()


@pytest.mark.skipif(not INTERPRETERS, reason="no other Python >= 3.8 found")
@pytest.mark.parametrize("version,python", INTERPRETERS, ids=[v for v, _ in INTERPRETERS])
def test_runs_on_a_bare_python(make_run, version, python):
    # -S: no site-packages at all, so the runtime may only use the standard library.
    run = make_run(
        [
            step("make", [cell(2, "import ferry\nvalues = [len(text)] * n\nferry.log_metric('n', n)")],
                 outputs=["values"], metrics=["n"]),
            step("use", [cell(3, "print(sum(values), text)\nraise KeyError('boom')")],
                 inputs=[("values", "make")]),
        ],
        defaults={"n": 2, "text": "x"},
        params={"n": 3, "text": 'q"\n'},
    )
    result = run.run("make", python=[python, "-S"])
    assert result.returncode == 0, result.stderr
    assert [(r["name"], r["value"]) for r in run.metrics("make")] == [("n", 3), ("n", 3)]
    result = run.run("use", python=[python, "-S"])
    assert result.returncode == 1
    assert result.stdout == '9 q"\n\n'
    error = run.status("use")["error"]
    assert (error["type"], error["cell"], error["line"]) == ("KeyError", 3, 2)
    assert 'File "<cell 3>", line 2' in result.stderr
