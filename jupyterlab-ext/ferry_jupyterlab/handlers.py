"""`/ferry/api/...` on the Jupyter server: Ferry's API behind Jupyter's own auth.

The browser never learns the Ferry server's port or token: this handler adds
the token on the way in and forwards only the status, the content type and
the body on the way out. Event streams are forwarded piece by piece and the
upstream connection is closed as soon as the browser goes away.
"""
from __future__ import annotations

import json
import re
from typing import Optional

import tornado.web
from jupyter_server.base.handlers import APIHandler
from tornado.iostream import StreamClosedError

from . import upstream
from .discovery import FerryConnection, FerryLocator, FerryUnavailable

# The Ferry routes a browser may reach; everything else is a 404 here.
_ALLOWED = re.compile(r"^/api/[A-Za-z0-9._~%:@!$&'()*+,;=/-]*$")
# Requests that name a notebook by path: a relative path is a Jupyter contents path.
_NOTEBOOK_ROUTES = {"/api/runs", "/api/sweeps", "/api/compile"}
_FORWARDED_REQUEST_HEADERS = ("Content-Type", "Accept", "Last-Event-ID")


class FerryProxyHandler(APIHandler):
    def initialize(self, locator: FerryLocator) -> None:
        self.locator = locator
        self._upstream: Optional[upstream.UpstreamResponse] = None

    @tornado.web.authenticated
    async def get(self, _path: str) -> None:
        await self._forward("GET")

    @tornado.web.authenticated
    async def post(self, _path: str) -> None:
        await self._forward("POST")

    def on_connection_close(self) -> None:
        # The browser left (a closed panel or log): end the upstream stream too.
        if self._upstream is not None:
            self._upstream.close()

    async def _forward(self, method: str) -> None:
        raw_path = self.request.path
        prefix = self.base_url.rstrip("/") + "/ferry"
        ferry_path = raw_path[len(prefix):] if raw_path.startswith(prefix) else ""
        if not _ALLOWED.match(ferry_path) or "/../" in ferry_path + "/" or "/./" in ferry_path + "/":
            return self._send_error(404, "not-found", f"no such Ferry endpoint: {ferry_path or raw_path}")
        target = ferry_path + (f"?{self.request.query}" if self.request.query else "")
        body = self.request.body if method == "POST" else None
        if body is not None and ferry_path in _NOTEBOOK_ROUTES:
            try:
                body = self._resolve_notebook_path(body)
            except ValueError as error:
                return self._send_error(400, "request", str(error))

        try:
            response = await self._send(method, target, body)
        except FerryUnavailable as error:
            return self._send_error(502, "target", str(error))
        except upstream.UpstreamError as error:
            return self._send_error(502, "target", str(error))

        self._upstream = response
        self.set_status(response.status, response.reason or None)
        self.set_header("Content-Type", response.headers.get("content-type", "application/json"))
        if response.is_event_stream:
            await self._stream(response)
        else:
            try:
                self.finish(await response.read_body())
            except upstream.UpstreamError as error:
                self._send_error(502, "target", str(error))

    async def _send(self, method: str, target: str, body: Optional[bytes]) -> upstream.UpstreamResponse:
        headers = {name: self.request.headers[name] for name in _FORWARDED_REQUEST_HEADERS if name in self.request.headers}
        connection: FerryConnection = await self.locator.connection()
        try:
            response = await upstream.request(
                connection.host, connection.port, method, target, {**headers, "Authorization": f"Bearer {connection.token}"}, body
            )
        except upstream.UpstreamError:
            response = None
        if response is not None and response.status != 401:
            return response
        # The server died or was replaced (new port, new token): find it again, once.
        if response is not None:
            response.close()
        self.locator.forget(connection)
        connection = await self.locator.connection()
        return await upstream.request(
            connection.host, connection.port, method, target, {**headers, "Authorization": f"Bearer {connection.token}"}, body
        )

    async def _stream(self, response: upstream.UpstreamResponse) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Accel-Buffering", "no")
        try:
            await self.flush()
            async for piece in response.iter_body():
                self.write(piece)
                await self.flush()
        except (StreamClosedError, upstream.UpstreamError):
            pass  # either side hung up; the other is closed below
        finally:
            response.close()
        if not self._finished and self.request.connection and not self.request.connection.stream.closed():
            self.finish()

    def _resolve_notebook_path(self, body: bytes) -> bytes:
        try:
            value = json.loads(body or b"{}")
        except ValueError as error:
            raise ValueError(f"the request body is not JSON: {error}") from error
        path = value.get("notebookPath") if isinstance(value, dict) else None
        if not isinstance(path, str) or path.startswith("/"):
            return body
        to_os_path = getattr(self.contents_manager, "_get_os_path", None)
        if to_os_path is None:
            raise ValueError("notebooks can only be run from a file-system contents manager")
        try:
            value["notebookPath"] = to_os_path(path)
        except tornado.web.HTTPError as error:  # a path outside the server's root
            raise ValueError(f"notebookPath {path!r} is not inside the Jupyter server's root") from error
        return json.dumps(value).encode("utf-8")

    def _send_error(self, status: int, category: str, message: str) -> None:
        # Ferry's own error shape, so the browser's typed client reads it as it reads the server's.
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"error": {"category": category, "message": message}}))
