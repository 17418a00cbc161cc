"""A minimal HTTP/1.1 client for the Ferry server on loopback.

Written on asyncio streams rather than Tornado's client because the proxy must
forward server-sent event streams piece by piece and close the upstream
connection the moment the browser goes away (the Ferry server then stops
watching that step); Tornado's client cannot abort a request in flight.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import AsyncIterator, Dict, Optional

_MAX_HEADER_BYTES = 64 * 1024
_READ_SIZE = 64 * 1024


class UpstreamError(Exception):
    """The Ferry server could not be reached or answered something that is not HTTP."""


@dataclass
class UpstreamResponse:
    status: int
    reason: str
    headers: Dict[str, str]
    _reader: asyncio.StreamReader
    _writer: asyncio.StreamWriter
    _closed: bool = field(default=False)

    @property
    def is_event_stream(self) -> bool:
        return self.headers.get("content-type", "").startswith("text/event-stream")

    async def iter_body(self) -> AsyncIterator[bytes]:
        """Yields the body as it arrives (chunked, sized, or until the server closes)."""
        try:
            if self.headers.get("transfer-encoding", "").lower() == "chunked":
                while True:
                    size_line = await self._reader.readline()
                    if not size_line:
                        return
                    size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                    if size == 0:
                        await self._reader.readline()
                        return
                    data = await self._reader.readexactly(size)
                    await self._reader.readexactly(2)  # the CRLF after each chunk
                    yield data
            elif "content-length" in self.headers:
                remaining = int(self.headers["content-length"])
                while remaining > 0:
                    data = await self._reader.read(min(remaining, _READ_SIZE))
                    if not data:
                        return
                    remaining -= len(data)
                    yield data
            else:
                while True:
                    data = await self._reader.read(_READ_SIZE)
                    if not data:
                        return
                    yield data
        except (asyncio.IncompleteReadError, ConnectionError, ValueError) as error:
            raise UpstreamError(f"the Ferry server's answer broke off: {error}") from error
        finally:
            self.close()

    async def read_body(self) -> bytes:
        return b"".join([piece async for piece in self.iter_body()])

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._writer.close()


async def request(
    host: str,
    port: int,
    method: str,
    target: str,
    headers: Dict[str, str],
    body: Optional[bytes] = None,
    timeout: float = 300.0,
) -> UpstreamResponse:
    """Sends one request and reads the status line and headers of the answer.

    The timeout is generous: checking a remote target or submitting a sweep
    over SSH can take minutes before the server answers.
    """
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, asyncio.TimeoutError) as error:
        raise UpstreamError(f"cannot connect to the Ferry server on port {port}: {error or 'timed out'}") from error
    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
    try:
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
        writer.close()
        raise UpstreamError(f"the Ferry server did not answer: {error or 'timed out'}") from error
    if len(head) > _MAX_HEADER_BYTES:
        writer.close()
        raise UpstreamError("the Ferry server's answer headers are too large")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        writer.close()
        raise UpstreamError(f"not an HTTP answer from the Ferry server's port: {status_line[:80]!r}")
    parsed: Dict[str, str] = {}
    for line in header_lines:
        if ":" in line:
            name, value = line.split(":", 1)
            parsed[name.strip().lower()] = value.strip()
    return UpstreamResponse(int(parts[1]), parts[2] if len(parts) > 2 else "", parsed, reader, writer)
