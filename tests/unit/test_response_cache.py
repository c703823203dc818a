"""What the response cache keeps: a 200 of the revision read, nothing else (bundled case)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from starlette.types import Message, Receive, Scope, Send

from regionet.interfaces.api.response_cache import ResponseCache
from regionet.services import cache

#: The application the middleware reads its workspace from (``scope["app"].state``): the
#: bundled case.
_APP = SimpleNamespace(state=SimpleNamespace(db=None, public_read=False))


class _App:
    """An ASGI app answering ``status`` with ``X-Regionet-Revision: revision``; counts calls."""

    def __init__(self, status: int = 200, revision: bytes = b"0") -> None:
        self.status, self.revision, self.calls = status, revision, 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        body = f"answer {self.calls}".encode()
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(b"content-length", str(len(body)).encode()),
                                (b"x-regionet-revision", self.revision)]})
        await send({"type": "http.response.body", "body": body})


def _get(app: ResponseCache, path: str = "/api/ties/t-1", query: bytes = b"",
         method: str = "GET") -> tuple[int, bytes]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "query_string": query,
             "headers": [(b"accept", b"application/json")], "app": _APP}
    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def test_a_200_of_the_current_revision_is_kept() -> None:
    inner = _App()
    app = ResponseCache(inner)
    assert [_get(app) for _ in range(3)] == [(200, b"answer 1")] * 3
    assert inner.calls == 1
    assert _get(app, query=b"limit=2") == (200, b"answer 2")   # another query, another answer
    assert _get(app, method="POST") == (200, b"answer 3")       # never for other methods
    assert _get(app, path="/api/fiscal/run") == (200, b"answer 4")
    assert _get(app, path="/api/ties/t-1/history") == (200, b"answer 5")
    assert _get(app, path="/api/ties/t-1/history") == (200, b"answer 6")


@pytest.mark.parametrize(("status", "revision"), [(404, b"0"), (200, b"3"), (503, b"0")])
def test_an_error_or_another_revision_is_not_kept(status: int, revision: bytes) -> None:
    inner = _App(status, revision)
    app = ResponseCache(inner)
    assert [_get(app) for _ in range(2)] == [(status, b"answer 1"), (status, b"answer 2")]
    assert inner.calls == 2


def test_requests_arriving_together_make_the_answer_once() -> None:
    class _Slow(_App):
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await asyncio.sleep(0.05)
            await super().__call__(scope, receive, send)

    inner = _Slow()
    app = ResponseCache(inner)
    bodies: list[bytes] = []

    async def one() -> None:
        async def receive() -> Message:
            return {"type": "http.request", "body": b""}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.body":
                bodies.append(message["body"])

        await app({"type": "http", "method": "GET", "path": "/api/actors/RU-KR",
                   "query_string": b"", "headers": [], "app": _APP}, receive, send)

    async def many() -> None:
        await asyncio.gather(*(one() for _ in range(5)))

    asyncio.run(many())
    assert inner.calls == 1 and bodies == [b"answer 1"] * 5
