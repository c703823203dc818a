"""A response cache for the record reads of the REST API, keyed by the workspace's version.

:class:`ResponseCache` keeps the whole answer (status, headers, encoded body) of a ``GET`` of
the cached paths (:data:`CACHED_PREFIXES`: ties, actors, observations, sources, network
measures, the map's values) in the services' one cache (:mod:`regionet.services.cache`),
under the digest of:

- the source, its revision and its **version** at the time of the request (a digest every
  write transaction changes: an answer is never served for a workspace that changed since);
- the path and the query, its parameters sorted by name (``?a=1&b=2`` and ``?b=2&a=1`` share
  an answer; the order of a repeated parameter's values is kept);
- what the caller may see: the role of its account (``anonymous`` without a token), and its
  ``Accept`` header.

The bearer token is still checked on every request, in the same snapshot that reads the
version (on PostgreSQL one statement joining both, :mod:`regionet.storage.account_state`): a
revoked token gets 401 at once, and a changed role reads under its new role. Only a ``200``
whose ``X-Regionet-Revision`` is the revision that was read is kept (a whole-graph result
served from the previous revision while the new one is computed is not). Never cached:
``?include=`` (proposals are written without a new revision), ``…/history``, conditional
requests (``If-None-Match``…), other methods and paths. The cache is bounded in bytes with
every other cached result (``REGIONET_CACHE_MB``).

On a miss the request goes on to the application, which does not authenticate it again;
requests for an answer already being made wait for it (one computation, not one each).

Examples:
    >>> cacheable("GET", "/api/ties/t-1", query_pairs(b"limit=5"), [])
    True
    >>> cacheable("GET", "/api/ties", query_pairs(b"include=proposals"), []), cacheable(
    ...     "GET", "/api/ties/t-1/history", [], []), cacheable("POST", "/api/ties", [], [])
    (False, False, False)
    >>> cacheable("GET", "/api/ties/t-1/row", [], [(b"if-none-match", b'"x"')])
    False
    >>> query_key(query_pairs(b"b=2&a=1&b=1&c=%C3%A9"))
    (('a', '1'), ('b', '2'), ('b', '1'), ('c', 'é'))
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final
from urllib.parse import parse_qsl

from sqlalchemy import exc as sa_exc
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from regionet.core.errors import RegionetError
from regionet.interfaces.api.deps import CHECKED_PRINCIPAL, bearer_principal
from regionet.interfaces.api.middleware import REVISION_HEADER
from regionet.services.accounts import Principal
from regionet.services.cache import keep, key_digest, peek, scoped_state, state_scope
from regionet.services.case_source import CaseSource

__all__ = ["CACHED_PREFIXES", "NAMESPACE", "CachedResponse", "ResponseCache", "cacheable",
           "query_key", "query_pairs"]

#: The paths whose GET answers are cached (and everything under them).
CACHED_PREFIXES: Final = ("/api/ties", "/api/actors", "/api/observations", "/api/sources",
                          "/api/network", "/api/geo")
#: The services' cache namespace of the answers.
NAMESPACE: Final = "api.response"
_CONDITIONAL: Final = frozenset({b"if-none-match", b"if-modified-since", b"if-match",
                                 b"if-unmodified-since", b"if-range", b"range"})
_REVISION = REVISION_HEADER.lower().encode("latin-1")


@dataclass(frozen=True, slots=True)
class CachedResponse:
    """One answer as the application sent it: status, headers and the whole body."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


def query_pairs(query: bytes) -> list[tuple[str, str]]:
    """The query's parameters, decoded as the application reads them (Starlette's way)."""
    return parse_qsl(query.decode("latin-1"), keep_blank_values=True)


def cacheable(method: str, path: str, pairs: Iterable[tuple[str, str]],
              headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether the answer to this request may come from, and go to, the cache."""
    if method != "GET" or not path.startswith(CACHED_PREFIXES) or path.endswith("/history"):
        return False
    if any(name == "include" for name, _ in pairs):
        return False
    return not any(name in _CONDITIONAL for name, _ in headers)


def query_key(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The query's parameters sorted by name (stable: a repeated name keeps its order)."""
    return tuple(sorted(pairs, key=lambda pair: pair[0]))


def _identify(source: CaseSource, authorization: str | None
              ) -> tuple[Principal | None, tuple[int, str]]:
    """The request's principal and the source's (revision, version), in one transaction."""
    with state_scope():
        who = bearer_principal(source, authorization)
        state = scoped_state(source.key)
    return who, state if state is not None else source.state()


class ResponseCache:
    """ASGI middleware: serve a cacheable ``GET`` from the cache, or keep its answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        #: Answers being made (digest of the key → done), so that requests arriving together
        #: for the same answer wait for the first instead of all making it (after a write, or
        #: at the start, 64 concurrent requests all missed and did the same work).
        self.running: dict[bytes, asyncio.Future[None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI event."""
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        pairs = query_pairs(scope.get("query_string", b""))
        if not cacheable(scope["method"], scope["path"], pairs, scope.get("headers", ())):
            await self.app(scope, receive, send)
            return
        authorization: str | None = None
        accept: str | None = None
        for name, value in scope.get("headers", ()):  # the first of each, as Starlette reads
            if name == b"authorization" and authorization is None:
                authorization = value.decode("latin-1")
            elif name == b"accept" and accept is None:
                accept = value.decode("latin-1")
        # The workspace and the public-read switch are read per request from the application's
        # state, as its dependencies read them (``deps.case_source``, ``deps.read_access``).
        state = scope["app"].state
        source = CaseSource.open(getattr(state, "db", None))
        if (authorization is None and source.kind == "workspace"
                and not getattr(state, "public_read", False)):
            await self.app(scope, receive, send)  # 401: nothing to look up
            return
        try:
            who, (revision, version) = await run_in_threadpool(_identify, source,
                                                               authorization)
        except (RegionetError, sa_exc.SQLAlchemyError):
            # A bad token or an unavailable database: the application gives its answer (401,
            # 503) the usual way.
            await self.app(scope, receive, send)
            return
        key = (source.key, revision, version, scope["path"], query_key(pairs),
               "anonymous" if who is None else who.role, accept)
        digest = key_digest(NAMESPACE, key)
        running = self.running.get(digest)
        if running is not None:  # the same answer is being made: wait for it, not make it again
            await asyncio.shield(running)
        found, cached = peek(NAMESPACE, key)
        if found:
            await send({"type": "http.response.start", "status": cached.status,
                        "headers": list(cached.headers)})
            await send({"type": "http.response.body", "body": cached.body})
            return
        if digest in self.running:
            await self.app({**scope, CHECKED_PRINCIPAL: (authorization, who)}, receive, send)
            return
        done = self.running[digest] = asyncio.get_running_loop().create_future()
        try:
            await self._answer(scope, receive, send, key, (authorization, who), revision)
        finally:
            del self.running[digest]
            done.set_result(None)

    async def _answer(self, scope: Scope, receive: Receive, send: Send,
                      key: tuple[object, ...], checked: tuple[str | None, Principal | None],
                      revision: int) -> None:
        """Let the application answer; keep its answer if it may be kept."""
        start: Message | None = None
        chunks: list[bytes] = []

        async def keeping(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    _keep(key, start, b"".join(chunks), revision)
            await send(message)

        await self.app({**scope, CHECKED_PRINCIPAL: checked}, receive, keeping)


def _keep(key: tuple[object, ...], start: Message, body: bytes, revision: int) -> None:
    """Keep a 200 that reflects ``revision`` (a stale whole-graph answer is not kept)."""
    if start["status"] != 200:
        return
    headers = tuple((bytes(name), bytes(value)) for name, value in start.get("headers", ()))
    reflects = [value for name, value in headers if name.lower() == _REVISION]
    if reflects != [str(revision).encode("ascii")]:
        return
    keep(NAMESPACE, key, CachedResponse(200, headers, body))
