"""With `FerryProxy.start_server = False` and no server running, the answer says so."""
from __future__ import annotations

import json

import pytest
from tornado.httpclient import HTTPClientError


@pytest.fixture
def jp_server_config(ferry_home):
    return {"ServerApp": {"jpserver_extensions": {"ferry_jupyterlab": True}}, "FerryProxy": {"start_server": False}}


async def test_no_server_is_a_502_that_says_how_to_start_one(jp_fetch, ferry_home):
    with pytest.raises(HTTPClientError) as refused:
        await jp_fetch("ferry", "api", "runs")
    assert refused.value.code == 502
    error = json.loads(refused.value.response.body)["error"]
    assert error["category"] == "target"
    assert "ferry server start" in error["message"]
    assert not (ferry_home / "server.json").exists()
