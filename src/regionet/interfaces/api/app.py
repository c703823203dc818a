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

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi

import regionet
from regionet.interfaces.api.deps import read_access, reject_unknown_query
from regionet.interfaces.api.head import HeadAsGet
from regionet.interfaces.api.middleware import MAX_BODY_BYTES, BodyLimit, RevisionHeader
from regionet.interfaces.api.problems import install_problem_handlers
from regionet.interfaces.api.schemas import Problem

__all__ = ["create_app"]

DESCRIPTION = """\
Federation regionalization: the money between the federal centre and the regions (fiscal
engine) and the cooperation ties regions build (network). Bundled case: Russia in the 1990s.

Lists take `limit` (1–1000, default 100) and `offset` and return `{data, count}`, `count`
being the total before pagination. Unknown query parameters are refused. Errors are RFC 9457
`application/problem+json` naming the field, the value and what was expected. HEAD is
answered wherever GET is. Request bodies are limited to 1 MiB (413 beyond). Responses that
read data carry `X-Regionet-Revision`, the workspace revision they reflect. See docs/api.md.
"""


def create_app(db: Path | str | None = None, *, dashboard: bool = True,
               max_body: int = MAX_BODY_BYTES, public_read: bool = False) -> FastAPI:
    """Build the API (and, by default, the dashboard) serving the workspace ``db``.

    Args:
        db: a workspace SQLite file or database URL; when None or a missing file, the bundled
            case ``russia-1990s`` is served read-only.
        dashboard: also mount the dashboard's pages (``/``, ``/map``…), when available.
        max_body: the largest request body accepted, in bytes (413 beyond).
        public_read: let requests without a token read a workspace (writes always need
            one); off by default. ``/api/health`` and the bundled case are always readable.

    Returns:
        The FastAPI application; run it with uvicorn (``regionet serve``).
    """
    from regionet.interfaces.api.routers import (
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
    api = APIRouter(prefix="/api", dependencies=[Depends(reject_unknown_query),
                                                     Depends(read_access)])
    for module in (meta, actors, ties, observations, sources, geo, network, fiscal,
                   simulations, writes, reviews, imports):
        api.include_router(module.router)
    app.include_router(api)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["Problem"] = Problem.model_json_schema(
                ref_template="#/components/schemas/{model}")
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    if dashboard:
        _mount_dashboard(app)
    app.add_middleware(HeadAsGet)
    app.add_middleware(RevisionHeader)
    app.add_middleware(BodyLimit, max_bytes=max_body)
    return app


def _mount_dashboard(app: FastAPI) -> None:
    try:
        from regionet.interfaces.web import mount_dashboard
    except ImportError:  # the dashboard is optional; the API works without it
        return
    mount_dashboard(app)
