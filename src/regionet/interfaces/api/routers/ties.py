"""``/api/ties``: ties filtered by kind, level, actor, year, date and status."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from regionet.interfaces.api.deps import CaseDep, PageDep
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import TiePublic, TiesPublic
from regionet.io.serialize import tie_record
from regionet.model.case import TieFilter
from regionet.model.levels import Level, Sublevel
from regionet.model.sources import Status

__all__ = ["router"]

router = APIRouter(prefix="/ties", tags=["ties"])


@router.get("", response_model=TiesPublic, responses=problem_responses(422, 503))
async def read_ties(
    case: CaseDep, page: PageDep,
    kind: Annotated[str | None, Query(description="tie kind, e.g. membership")] = None,
    level: Annotated[Level | None, Query(description="level of cooperation")] = None,
    sublevel: Annotated[Sublevel | None, Query(description="international sublevel")] = None,
    actor: Annotated[str | None, Query(description="ties with this actor (or location)")]
    = None,
    year: Annotated[int | None, Query(ge=1, le=9999,
                                      description="ties whose dates touch this year")] = None,
    as_of: Annotated[date | None, Query(description="ties valid on this day (YYYY-MM-DD)")]
    = None,
    status: Annotated[Status | None, Query(description="verified, partial or assumed")]
    = None,
) -> dict[str, Any]:
    """List ties sorted by id, each with its level, sublevel and the reason for it."""
    criteria = TieFilter(level, sublevel, actor, kind, year, as_of, status)
    rows = sorted(case.select_ties(criteria), key=lambda t: t.id)
    return {"data": [tie_record(case, t) for t in page.take(rows)], "count": len(rows)}


@router.get("/{tie_id}", response_model=TiePublic, responses=problem_responses(404, 503))
async def read_tie(
    case: CaseDep,
    tie_id: Annotated[str, Path(description="tie id, e.g. t-no-pechenganikel-pledge")],
) -> dict[str, Any]:
    """One tie with its level classification."""
    return tie_record(case, case.tie(tie_id))
