"""A small HTTP/1.1 keep-alive client for the load scripts: cheap on the load generator's CPU.

httpx spent about 1.5 ms of the load generator's CPU per request (its pools, its models, h11);
at 200 requests a second on two shared cores that is CPU taken from the server being measured.
This client writes a request with one ``write`` and reads the answer with ``readuntil`` and
``readexactly`` on asyncio streams: status line, headers, and a ``Content-Length`` or chunked
body. One request at a time per connection; a :class:`Pool` hands out its connections in turn
(a request waits for a free one) and opens a new one when a connection was closed. Loopback
only (the scripts never talk to another machine).

    >>> parse_head(b"HTTP/1.1 412 Precondition Failed\\r\\nETag: \\"v2\\"\\r\\nContent-Length: 2")
    (412, {'etag': '"v2"', 'content-length': '2'})
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

__all__ = ["Answer", "Pool", "parse_head"]


@dataclass(frozen=True)
class Answer:
    """A response: status, headers (lower-case names) and body."""

    status_code: int
    headers: dict[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


def parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    """Status and headers of a response head (without its final blank line)."""
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, data: bytes) -> Answer:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status, headers = parse_head(head[:-4])
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n"))[:-2].split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(p[:-2] for p in parts)
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Answer(status, headers, body)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Pool:
    """``size`` keep-alive connections to ``host:port``; a request waits for a free one."""

    def __init__(self, host: str, port: int, size: int, timeout: float = 30.0) -> None:
        self.host, self.timeout = host, timeout
        self.free: asyncio.Queue[_Connection] = asyncio.Queue()
        for _ in range(size):
            self.free.put_nowait(_Connection(host, port))

    async def request(self, method: str, target: str, headers: dict[str, str] | None = None,
                      json_body: Any = None) -> Answer:
        """Send one request; raise ``OSError``, ``asyncio.IncompleteReadError`` or
        ``TimeoutError`` (30 s) when it fails (the connection is then closed)."""
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        body = b""
        if json_body is not None:
            body = json.dumps(json_body).encode()
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        connection = await self.free.get()
        try:
            return await asyncio.wait_for(connection.request(data), self.timeout)
        except BaseException:
            connection.close()
            raise
        finally:
            self.free.put_nowait(connection)

    def close(self) -> None:
        while not self.free.empty():
            self.free.get_nowait().close()
