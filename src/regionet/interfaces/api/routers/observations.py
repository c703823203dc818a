"""``/api/observations``: aggregate facts (indicator, subject, value, period, sources)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from regionet.interfaces.api.deps import CaseDep, PageDep
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import ObservationsPublic
from regionet.io.serialize import observation_record

__all__ = ["router"]

router = APIRouter(prefix="/observations", tags=["observations"])


@router.get("", response_model=ObservationsPublic, responses=problem_responses(422, 503))
async def read_observations(
    case: CaseDep, page: PageDep,
    subject: Annotated[str | None, Query(description="only facts about this actor")] = None,
) -> dict[str, Any]:
    """List observations sorted by id, optionally about one subject."""
    if subject is not None:
        case.actor(subject)  # an unknown subject is an error, not an empty list
    rows = [o for o in sorted(case.observations.values(), key=lambda o: o.id)
            if subject is None or o.subject == subject]
    return {"data": [observation_record(o) for o in page.take(rows)], "count": len(rows)}
