"""Time limits on receiving a request: a slow client cannot hold a connection for long.

- :class:`BodyTimeout` (ASGI middleware): the whole request body must arrive within
  ``seconds`` (default :data:`BODY_TIMEOUT`, 10 s) of the request's headers; else the request
  is answered **408** ``application/problem+json`` and the connection is closed. A body sent
  one byte a second ("slowloris") is cut off at the limit, not held as long as it lasts.

The server itself bounds the rest (headers sent slowly, a silent connection, a body the
application never reads): see :mod:`regionet.interfaces.api.connection`.

Examples:
    >>> from fastapi import FastAPI
    >>> from fastapi.testclient import TestClient
    >>> app = FastAPI()
    >>> @app.post("/echo")
    ... async def echo(body: dict[str, int]) -> dict[str, int]:
    ...     return body
    >>> app.add_middleware(BodyTimeout, seconds=5)
    >>> TestClient(app).post("/echo", json={"a": 1}).json()
    {'a': 1}
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Final

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BODY_TIMEOUT", "BodyTimeout", "BodyTooSlow", "too_slow_problem"]

#: Seconds within which a request's whole body must arrive, by default.
BODY_TIMEOUT: Final = 10.0


def _too_slow(seconds: float) -> str:
    return (f"the request body did not arrive within {seconds:g} seconds, the server's limit "
            "(see docs/api.md)")


class BodyTooSlow(HTTPException):
    """The request body did not arrive in time (turned into a 408 problem)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(408, _too_slow(seconds), headers={"Connection": "close"})
        self.seconds = seconds

    def problem(self, instance: str) -> dict[str, object]:
        """Return this error's problem body."""
        return too_slow_problem(self.seconds, instance)


def too_slow_problem(seconds: float, instance: str) -> dict[str, object]:
    """Return the RFC 9457 problem of a body that did not arrive within ``seconds``."""
    return {"type": "urn:regionet:problem:body-timeout", "title": "Request Timeout",
            "status": 408, "detail": _too_slow(seconds), "instance": instance,
            "field": "body", "expected": f"the whole body within {seconds:g} seconds"}


class BodyTimeout:
    """Answer 408 when the request body has not fully arrived ``seconds`` after the headers.

    Only the reading of the body is timed: once the body is complete, later ``receive`` calls
    (an application waiting for the client to disconnect) are passed through unchanged.
    """

    def __init__(self, app: ASGIApp, seconds: float = BODY_TIMEOUT,
                 clock: Any = time.monotonic) -> None:
        self.app = app
        self.seconds = seconds
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI event."""
        if scope["type"] != "http" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        deadline = self.clock() + self.seconds
        complete = False

        async def timed() -> Message:
            nonlocal complete
            if complete:
                return await receive()
            remaining = deadline - self.clock()
            try:
                if remaining <= 0:
                    raise TimeoutError
                message = await asyncio.wait_for(receive(), remaining)
            except TimeoutError:
                raise BodyTooSlow(self.seconds) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                complete = True
            return message

        await self.app(scope, timed, send)
