"""The REST API application factory: :func:`create_app`.

Nothing happens at import: no database is opened and no case is read until a request needs
it. The workspace path is kept on ``app.state.db`` and resolved on every request (see
:mod:`regionet.interfaces.api.deps`): when the file does not exist the bundled case is served
read-only, and ``GET /api/health`` says so.

Examples:
    >>> from fastapi.testclient import TestClient
    >>> client = TestClient(create_app(None, dashboard=False))
    >>> client.get("/api/health").json()["source"]
    'bundled'
    >>> client.get("/api/ties/t-nope").headers["content-type"]
    'application/problem+json'
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.middleware.cors import CORSMiddleware

import regionet
from regionet.interfaces.api.db_errors import install_db_error_handler
from regionet.interfaces.api.deps import read_access, reject_unknown_query
from regionet.interfaces.api.head import HeadAsGet
from regionet.interfaces.api.links import add_links
from regionet.interfaces.api.middleware import MAX_BODY_BYTES, BodyLimit, RevisionHeader
from regionet.interfaces.api.problems import install_problem_handlers
from regionet.interfaces.api.ratelimit import RateLimit
from regionet.interfaces.api.response_cache import ResponseCache
from regionet.interfaces.api.schemas import Problem
from regionet.interfaces.api.security import HostAllowList, SecurityHeaders
from regionet.interfaces.api.timeouts import BODY_TIMEOUT, BodyTimeout

__all__ = ["CORS_EXPOSED", "CORS_HEADERS", "CORS_METHODS", "create_app"]

#: What a configured CORS origin may use and read.
CORS_METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
CORS_HEADERS: Final = ("Authorization", "Content-Type", "If-Match", "If-None-Match")
CORS_EXPOSED: Final = ("ETag", "Retry-After", "X-Regionet-Revision")

DESCRIPTION = """\
Federation regionalization: the money between the federal centre and the regions (fiscal
engine) and the cooperation ties regions build (network). Bundled case: Russia in the 1990s.

Lists take `limit` (1–1000, default 100) and `offset` and return `{data, count}`, `count`
being the total before pagination. Unknown query parameters are refused. Errors are RFC 9457
`application/problem+json` naming the field, the value and what was expected. HEAD is
answered wherever GET is. Request bodies are limited to 1 MiB (413 beyond) and must arrive
within 10 s (408 beyond). Responses that read data carry `X-Regionet-Revision`, the
workspace revision they reflect. `regionet serve` also limits the request rate per client
(429 with `Retry-After`) and the Host names it answers to (421). See docs/api.md,
"Security and limits".
"""


def create_app(db: Path | str | None = None, *, dashboard: bool = True,
               max_body: int = MAX_BODY_BYTES, body_timeout: float = BODY_TIMEOUT,
               allowed_hosts: Iterable[str] | None = None, cors_origins: Sequence[str] = (),
               rate_limit: float = 0.0, rate_burst: float | None = None,
               public_read: bool = False, response_cache: bool = True,
               forwarded_allow_ips: Sequence[str] = (),
               clock: Callable[[], float] = time.monotonic) -> FastAPI:
    """Build the API (and, by default, the dashboard) serving the workspace ``db``.

    Security headers are always sent (see :mod:`regionet.interfaces.api.security`). The Host
    check and the rate limit are off unless asked for: ``regionet serve`` always sets them.

    Args:
        db: a workspace SQLite file or database URL; when None or a missing file, the bundled
            case ``russia-1990s`` is served read-only.
        dashboard: also mount the dashboard's pages (``/``, ``/map``…), when available.
        max_body: the largest request body accepted, in bytes (413 beyond).
        body_timeout: seconds within which a request's body must arrive (408 beyond; 0: no
            limit).
        allowed_hosts: the ``Host`` names answered (421 for others; ``"*"``: any); None: no
            check.
        cors_origins: the origins allowed to call the API from a browser (CORS); none by
            default.
        rate_limit: requests a second per client (429 beyond); 0: no limit.
        rate_burst: requests a client may make at once (default ``2 × rate_limit``).
        clock: the monotonic clock of the rate limit and the body timeout (tests).
        public_read: let requests without a token read a workspace (writes always need
            one); off by default. ``/api/health`` and the bundled case are always readable.
        forwarded_allow_ips: the proxies (IP addresses or networks) whose
            ``X-Forwarded-For`` header names the client the rate limit sees; none by default
            (the header is then ignored).
        response_cache: keep the answers of record reads per workspace version
            (:mod:`regionet.interfaces.api.response_cache`); on by default.

    Returns:
        The FastAPI application; run it with uvicorn (``regionet serve``).
    """
    from regionet.interfaces.api.routers import (
        account,
        actors,
        fiscal,
        geo,
        imports,
        meta,
        network,
        observations,
        reviews,
        simulations,
        sources,
        ties,
        writes,
    )

    app = FastAPI(title="regionet", version=regionet.__version__, description=DESCRIPTION)
    app.state.db = None if db is None else str(db)
    app.state.public_read = public_read
    install_problem_handlers(app)
    install_db_error_handler(app)  # issue 12 (h/pg): connection errors → 503
    api = APIRouter(prefix="/api", dependencies=[Depends(reject_unknown_query),
                                                 Depends(read_access)])
    for module in (meta, actors, ties, observations, sources, geo, network, fiscal,
                   simulations, writes, reviews, imports, account):
        api.include_router(module.router)
    app.include_router(api)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["Problem"] = Problem.model_json_schema(
                ref_template="#/components/schemas/{model}")
            app.openapi_schema = add_links(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    if dashboard:
        _mount_dashboard(app)
    # The last added runs first: headers on every answer, then the Host, CORS, rate, time.
    app.add_middleware(HeadAsGet)
    app.add_middleware(RevisionHeader)
    if response_cache:  # outside RevisionHeader: it keeps the revision header with the body
        app.add_middleware(ResponseCache)
    app.add_middleware(BodyLimit, max_bytes=max_body)
    app.add_middleware(BodyTimeout, seconds=body_timeout, clock=clock)
    if rate_limit > 0:
        app.add_middleware(RateLimit, rate=rate_limit, burst=rate_burst, clock=clock)
    if forwarded_allow_ips:  # before the rate limit: it limits the client behind the proxy
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(forwarded_allow_ips))
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins),
                           allow_methods=list(CORS_METHODS), allow_headers=list(CORS_HEADERS),
                           expose_headers=list(CORS_EXPOSED), max_age=600)
    if allowed_hosts is not None:
        app.add_middleware(HostAllowList, hosts=allowed_hosts)
    app.add_middleware(SecurityHeaders)
    return app


def _mount_dashboard(app: FastAPI) -> None:
    try:
        from regionet.interfaces.web import mount_dashboard
    except ImportError:  # the dashboard is optional; the API works without it
        return
    mount_dashboard(app)
