"""HEAD wherever GET: answer a HEAD request as the GET would, without the body (RFC 9110 §9.3.2).

FastAPI's routes accept only the methods they declare, so a HEAD probe (monitoring, link
checkers, ``curl -I``) would get 405. This ASGI middleware runs a HEAD request as a GET and
sends its status and headers (``content-length`` included) with an empty body.

Examples:
    >>> from fastapi import FastAPI
    >>> from fastapi.testclient import TestClient
    >>> app = FastAPI()
    >>> @app.get("/x")
    ... def x() -> dict[str, int]:
    ...     return {"a": 1}
    >>> app.add_middleware(HeadAsGet)
    >>> r = TestClient(app).head("/x")
    >>> r.status_code, r.content, r.headers["content-length"]
    (200, b'', '7')
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HeadAsGet"]


class HeadAsGet:
    """ASGI middleware: HEAD requests are served by the GET route, with no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI event: HEAD as GET without the body, anything else unchanged."""
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"",
                                "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)
