"""ASGI middleware of the REST API: request body limit, and which revision a response reflects.

- :class:`BodyLimit`: a request body larger than ``max_bytes`` (default
  :data:`MAX_BODY_BYTES`, 1 MiB) is refused with **413** before it is read: at once when its
  ``Content-Length`` says so, else as soon as the bytes received pass the limit (the body is
  counted as it streams in, never buffered first).
- :class:`RevisionHeader`: every response that read data carries ``X-Regionet-Revision``,
  the workspace revision the data reflects (0 for the bundled case). Whole-graph results
  (network measures, blocs, the map's values) may reflect the previous revision for a moment
  after a write, while a background worker computes the new one: requests are never held up
  by that work (see :func:`regionet.services.cache.latest`). A GET or HEAD request reads the
  workspace's revision once (:func:`regionet.services.cache.state_scope`).

Examples:
    >>> from fastapi import FastAPI
    >>> from fastapi.testclient import TestClient
    >>> app = FastAPI()
    >>> @app.post("/echo")
    ... async def echo(body: dict[str, int]) -> dict[str, int]:
    ...     return body
    >>> app.add_middleware(BodyLimit, max_bytes=16)
    >>> client = TestClient(app)
    >>> client.post("/echo", json={"a": 1}).status_code
    200
    >>> client.post("/echo", json={"a": 1, "b": 2, "c": 3}).status_code
    413
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from regionet.services.cache import allow_stale, revision_scope, state_scope

__all__ = ["MAX_BODY_BYTES", "REVISION_HEADER", "BodyLimit", "BodyTooLarge", "RevisionHeader",
           "too_large_problem"]

#: The largest request body accepted by default (bytes).
MAX_BODY_BYTES: Final = 1024 * 1024
#: The response header naming the workspace revision the data reflects.
REVISION_HEADER: Final = "X-Regionet-Revision"


def _too_large(limit: int) -> str:
    return (f"the request body is larger than {limit} bytes, the server's limit "
            "(see docs/api.md)")


class BodyTooLarge(HTTPException):
    """A request body passed the limit while it was read (turned into a 413 problem)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit))
        self.limit = limit

    def problem(self, instance: str) -> dict[str, object]:
        """Return this error's problem body."""
        return too_large_problem(self.limit, instance)


def too_large_problem(limit: int, instance: str) -> dict[str, object]:
    """Return the RFC 9457 problem of a body over ``limit`` bytes."""
    return {"type": "urn:regionet:problem:body-too-large", "title": "Content Too Large",
            "status": 413, "detail": _too_large(limit), "instance": instance,
            "field": "body", "expected": f"at most {limit} bytes"}


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, counting bytes as they arrive."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI event."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _refuse(scope, send, limit)
                return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    body = json.dumps(too_large_problem(limit, scope.get("path", ""))).encode("utf-8")
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class RevisionHeader:
    """Serve whole-graph results without waiting for a new revision; name the revision used."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI event."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        reads_only = scope.get("method") in ("GET", "HEAD")
        with allow_stale(), revision_scope() as seen, \
                state_scope() if reads_only else nullcontext():

            async def send_with_revision(message: Message) -> None:
                if message["type"] == "http.response.start" and seen:
                    MutableHeaders(scope=message).append(REVISION_HEADER, str(min(seen)))
                await send(message)

            await self.app(scope, receive, send_with_revision)
