"""``/api/health``, ``/api/measures``, ``/api/scenarios``: what the server offers."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request

import regionet
from regionet.interfaces.api.deps import PrincipalDep, SourceDep
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import HealthPublic, MeasuresPublic, ScenariosPublic
from regionet.interfaces.api.security import health_detail
from regionet.services.fiscal import scenario_summaries
from regionet.services.measures import MEASURES
from regionet.services.records import summary

__all__ = ["router"]

router = APIRouter(tags=["meta"])


@router.get("/health", response_model=HealthPublic, responses=problem_responses(401, 503))
def read_health(source: SourceDep, who: PrincipalDep, request: Request) -> dict[str, Any]:
    """Whether the server works, and what it serves: a workspace, or the bundled case.

    Without a workspace file the bundled case is served read-only (``source: bundled``,
    ``read_only: true``). ``revision`` is the workspace's write counter (0 for the bundled
    case): it changes with every import. A workspace that cannot be read gives 503. ``db``
    is the workspace's file name only (for a database URL, its kind and database name): the
    server's directories and credentials are not shown, except to an admin's token, which
    sees the full location (passwords as ``***``) and ``admin``: backend, schema version
    and migration revision. Anyone may call it; a token that is sent must be valid (401).
    """
    revision = source.revision()
    info = summary(source)
    shown = health_detail(source, getattr(request.app.state, "db", None), who)
    return {"status": "ok", "version": regionet.__version__, "source": source.kind,
            "read_only": source.read_only, "db": shown["db"], "case": info["case"],
            "revision": revision, "detail": shown["detail"], "counts": info["counts"],
            "admin": shown["admin"]}


@router.get("/measures", response_model=MeasuresPublic)
def read_measures() -> dict[str, Any]:
    """The per-subject measures the map can show (for ``GET /api/geo/subjects?measure=``)."""
    data = [asdict(m) for m in MEASURES.values()]
    return {"data": data, "count": len(data)}


@router.get("/scenarios", response_model=ScenariosPublic, responses=problem_responses(503))
def read_scenarios(source: SourceDep) -> dict[str, Any]:
    """The bundled fiscal scenarios: what each overrides and which rules it sets."""
    data = scenario_summaries(source)
    return {"data": data, "count": len(data)}
