"""Finds this user's Ferry server, or starts one, the way the `ferry` CLI does.

The server publishes its port and token in `$FERRY_HOME/server.json` (else
`~/.ferry/server.json`, mode 0600). A file is trusted only when the server it
names answers `/api/health` with the same pid; otherwise the server is started
with `ferry server start`, which applies the CLI's own launch rule (one
detached server per user, reused by every client).
"""
from __future__ import annotations

import asyncio
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional
from urllib.parse import urlsplit

from . import upstream

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_START_TIMEOUT_S = 30.0


class FerryUnavailable(Exception):
    """No Ferry server could be found or started; the message says why and what to do."""


@dataclass(frozen=True)
class FerryConnection:
    host: str
    port: int
    token: str
    pid: int

    def __repr__(self) -> str:  # the token must never reach a log
        return f"FerryConnection(host={self.host!r}, port={self.port}, pid={self.pid})"


def ferry_home(env: Mapping[str, str]) -> Path:
    """`$FERRY_HOME`, else `~/.ferry` (honouring `$HOME`), as the Node side resolves it."""
    if env.get("FERRY_HOME"):
        return Path(env["FERRY_HOME"]).resolve()
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".ferry"


def read_discovery(file: Path) -> Optional[FerryConnection]:
    try:
        value = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(value, dict):
        return None
    url, token, pid = value.get("url"), value.get("token"), value.get("pid")
    if not isinstance(url, str) or not isinstance(token, str) or not isinstance(pid, int):
        return None
    parts = urlsplit(url)
    # The token is sent to whatever this names: only ever to this machine's loopback.
    if parts.scheme != "http" or parts.hostname not in _LOOPBACK or parts.port is None:
        return None
    return FerryConnection(parts.hostname, parts.port, token, pid)


def default_command(repo_hint: Path = Path(__file__).resolve().parents[2]) -> List[str]:
    """`node <checkout>/server/bin/ferry.js` when installed from a checkout, else `ferry` on PATH."""
    script = repo_hint / "server" / "bin" / "ferry.js"
    if script.is_file():
        return ["node", str(script)]
    return ["ferry"]


class FerryLocator:
    """Hands out a live connection, re-checking it when a request through it fails."""

    def __init__(self, command: List[str], env: Mapping[str, str], start: bool = True):
        self._command = list(command)
        self._env: Dict[str, str] = dict(env)
        self._start = start
        self._lock = asyncio.Lock()
        self._current: Optional[FerryConnection] = None
        self.discovery_file = ferry_home(self._env) / "server.json"

    async def connection(self) -> FerryConnection:
        if self._current is not None:
            return self._current
        async with self._lock:
            if self._current is None:
                self._current = await self._find_or_start()
            return self._current

    def forget(self, stale: FerryConnection) -> None:
        """Drops a connection that failed (the server restarted or died)."""
        if self._current == stale:
            self._current = None

    async def _find_or_start(self) -> FerryConnection:
        found = await self._healthy()
        if found:
            return found
        if not self._start:
            raise FerryUnavailable(
                f"no Ferry server is running (nothing live in {self.discovery_file}); start one with `ferry server start`"
            )
        await self._run_start_command()
        found = await self._healthy()
        if not found:
            raise FerryUnavailable(f"the Ferry server was started but {self.discovery_file} names no live server")
        return found

    async def _healthy(self) -> Optional[FerryConnection]:
        found = read_discovery(self.discovery_file)
        if found is None:
            return None
        try:
            response = await upstream.request(
                found.host, found.port, "GET", "/api/health", {"Authorization": f"Bearer {found.token}"}, timeout=5.0
            )
            body = await response.read_body()
            health = json.loads(body) if response.status == 200 else None
        except (upstream.UpstreamError, ValueError):
            return None
        return found if isinstance(health, dict) and health.get("pid") == found.pid else None

    async def _run_start_command(self) -> None:
        argv = [*self._command, "server", "start", "--json"]
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self._env,
            )
        except OSError as error:
            raise FerryUnavailable(
                f"cannot start the Ferry server with {argv[0]!r}: {error.strerror or error}; "
                "set FerryProxy.ferry_command to the `ferry` command line"
            ) from error
        try:
            _, stderr = await asyncio.wait_for(process.communicate(), _START_TIMEOUT_S)
        except asyncio.TimeoutError as error:
            process.kill()
            raise FerryUnavailable(f"`ferry server start` did not finish within {_START_TIMEOUT_S:.0f} s") from error
        if process.returncode != 0:
            detail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
            raise FerryUnavailable(f"`ferry server start` failed (status {process.returncode}): {detail[0]}")
