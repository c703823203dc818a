"""``/api/health``, ``/api/measures``, ``/api/scenarios``: what the server offers."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

import regionet
from regionet.interfaces.api import fiscal_runs
from regionet.interfaces.api.deps import SourceDep, load_source
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import HealthPublic, MeasuresPublic, ScenariosPublic
from regionet.services.measures import MEASURES

__all__ = ["router"]

router = APIRouter(tags=["meta"])


@router.get("/health", response_model=HealthPublic, responses=problem_responses(503))
async def read_health(source: SourceDep) -> dict[str, Any]:
    """Whether the server works, and what it serves: a workspace, or the bundled case.

    Without a workspace file the bundled case is served read-only (``source: bundled``,
    ``read_only: true``). A workspace that cannot be read gives 503 with a hint.
    """
    case = load_source(source)
    counts = case.summary()
    return {"status": "ok", "version": regionet.__version__, "source": source.kind,
            "read_only": source.kind == "bundled", "db": source.db, "case": case.id,
            "detail": source.describe(),
            "counts": {k: counts[k] for k in ("actors", "ties", "observations", "documents")}}


@router.get("/measures", response_model=MeasuresPublic)
async def read_measures() -> dict[str, Any]:
    """The per-subject measures the map can show (for ``GET /api/geo/subjects?measure=``)."""
    data = [asdict(m) for m in MEASURES.values()]
    return {"data": data, "count": len(data)}


@router.get("/scenarios", response_model=ScenariosPublic, responses=problem_responses(503))
def read_scenarios() -> dict[str, Any]:
    """The bundled fiscal scenarios: what each overrides and which rules it sets."""
    data = list(fiscal_runs.scenarios())
    return {"data": data, "count": len(data)}
