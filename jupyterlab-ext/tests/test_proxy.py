"""`/ferry/api/...`: Ferry's API through the Jupyter server, with Jupyter's auth and never Ferry's token."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess

import pytest
from conftest import EXAMPLES, FERRY
from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest


async def fetch_json(jp_fetch, *parts, method="GET", body=None, expect=200):
    try:
        response = await jp_fetch("ferry", "api", *parts, method=method, body=None if body is None else json.dumps(body))
    except HTTPClientError as error:
        assert error.code == expect, error.response.body if error.response else error
        return json.loads(error.response.body), dict(error.response.headers)
    assert response.code == expect, response.body
    return json.loads(response.body), dict(response.headers)


async def test_requests_without_jupyter_auth_are_refused(jp_serverapp, http_server, http_server_port, jp_base_url, ferry_home):
    client = AsyncHTTPClient()
    url = f"http://localhost:{http_server_port[1]}{jp_base_url}ferry/api/runs"
    with pytest.raises(HTTPClientError) as refused:
        await client.fetch(url)
    assert refused.value.code == 403
    # Nothing was started or asked of Ferry for an anonymous caller.
    assert not (ferry_home / "server.json").exists()


async def test_health_starts_the_ferry_server_and_never_shows_its_token(jp_fetch, ferry_token, caplog):
    caplog.set_level(logging.DEBUG)
    health, headers = await fetch_json(jp_fetch, "health")
    assert health["ok"] is True and isinstance(health["pid"], int)
    token = ferry_token()
    targets, target_headers = await fetch_json(jp_fetch, "targets")
    assert [t["name"] for t in targets["targets"]] == ["local"]
    for text in (json.dumps(health), json.dumps(headers), json.dumps(targets), json.dumps(target_headers), caplog.text):
        assert token not in text


async def test_compile_takes_the_notebook_as_the_editor_holds_it(jp_fetch, ferry_home):
    notebook = json.loads((EXAMPLES / "train_pipeline.ipynb").read_text())
    compiled, _ = await fetch_json(jp_fetch, "compile", method="POST", body={"notebook": notebook, "fileName": "train.ipynb"})
    assert [step["name"] for step in compiled["spec"]["steps"]] == ["prepare", "train", "evaluate"]
    assert [p["name"] for p in compiled["spec"]["parameters"]] == ["epochs", "learning_rate", "n_samples", "seed"]

    notebook["cells"][5]["metadata"]["tags"] = ["step:bad name"]
    error, _ = await fetch_json(jp_fetch, "compile", method="POST", body={"notebook": notebook, "fileName": "train.ipynb"}, expect=422)
    assert error["error"]["category"] == "tag"
    assert error["error"]["location"]["cell"] == 5


async def test_a_run_submitted_by_jupyter_path_runs_and_streams_its_events(
    jp_fetch, jp_root_dir, notebook_in_root, http_server, http_server_port, jp_base_url, jp_auth_header
):
    # The event stream is opened first, through the proxy, and read as it arrives.
    received: list[bytes] = []
    wanted: dict = {}
    succeeded = asyncio.Event()

    def events() -> list[dict]:
        text = b"".join(received).decode()
        return [json.loads(line[5:]) for line in text.split("\n") if line.startswith("data:")]

    def check() -> None:
        if any(e["run"]["id"] == wanted.get("id") and e["run"]["state"] == "succeeded" for e in events()):
            succeeded.set()

    def on_chunk(chunk: bytes) -> None:
        received.append(chunk)
        check()

    await fetch_json(jp_fetch, "health")  # start the server before streaming
    streaming_client = AsyncHTTPClient(force_instance=True)
    stream = streaming_client.fetch(
        HTTPRequest(
            f"http://localhost:{http_server_port[1]}{jp_base_url}ferry/api/events",
            headers=jp_auth_header,
            streaming_callback=on_chunk,
            request_timeout=120,
        ),
        raise_error=False,
    )
    # Closing the client below ends the stream; that ending is expected, not an error to report.
    stream.add_done_callback(lambda done: done.cancelled() or done.exception())
    run_body, _ = await fetch_json(
        jp_fetch,
        "runs",
        method="POST",
        body={"notebookPath": notebook_in_root, "parameters": {"epochs": 3}, "target": "local"},
        expect=201,
    )
    run = run_body["run"]
    assert run["notebookPath"] == str(jp_root_dir / "work" / "train.ipynb")
    assert run["parameters"]["epochs"] == 3
    wanted["id"] = run["id"]
    check()
    await asyncio.wait_for(succeeded.wait(), 90)
    states = [e["run"]["state"] for e in events() if e["run"]["id"] == run["id"]]
    assert states[-1] == "succeeded" and "running" in states
    streaming_client.close()

    log, _ = await fetch_json(jp_fetch, "runs", run["id"], "steps", "prepare", "log")
    assert "prepared 320 training and 80 test samples" in log["data"]


async def test_notebook_paths_outside_the_server_root_are_refused(jp_fetch, ferry_home):
    error, _ = await fetch_json(jp_fetch, "runs", method="POST", body={"notebookPath": "../../etc/passwd.ipynb"}, expect=400)
    assert error["error"]["category"] == "request"
    assert "not inside" in error["error"]["message"]


async def test_ferry_errors_pass_through_with_their_status_and_shape(jp_fetch, ferry_home):
    error, _ = await fetch_json(jp_fetch, "runs", "no-such-run", expect=404)
    assert error["error"]["category"] == "not-found"


async def test_paths_outside_the_api_are_not_forwarded(jp_fetch, ferry_home):
    error, _ = await fetch_json(jp_fetch, "runs", "..", "..", "..", "api", "contents", expect=404)
    assert error["error"]["category"] == "not-found"


async def test_a_sweep_submitted_by_jupyter_path_runs_that_notebook(jp_fetch, jp_root_dir, notebook_in_root):
    body, _ = await fetch_json(
        jp_fetch,
        "sweeps",
        method="POST",
        body={"notebookPath": notebook_in_root, "parameters": {"epochs": 2}, "axisStrings": ["seed=1,2"]},
        expect=201,
    )
    assert [run["parameters"]["seed"] for run in body["runs"]] == [1, 2]
    assert {run["notebookPath"] for run in body["runs"]} == {str(jp_root_dir / "work" / "train.ipynb")}


async def test_after_the_ferry_server_stops_the_next_request_starts_a_new_one(jp_fetch, ferry_home):
    first, _ = await fetch_json(jp_fetch, "health")
    stopped = subprocess.run([*FERRY, "server", "stop"], env={**os.environ, "FERRY_HOME": str(ferry_home)}, capture_output=True, timeout=30)
    assert stopped.returncode == 0, stopped.stderr
    second, _ = await fetch_json(jp_fetch, "health")
    assert second["pid"] != first["pid"]
