"""``/api/observations``: aggregate facts (indicator, subject, value, period, sources)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from regionet.interfaces.api.deps import IncludeDep, PageDep, SourceDep
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import ObservationsPublic, listing
from regionet.services import records, reviews

__all__ = ["router"]

router = APIRouter(prefix="/observations", tags=["observations"])


@router.get("", response_model=ObservationsPublic,
            responses=problem_responses(400, 422, 503))
def read_observations(
    source: SourceDep, page: PageDep, include: IncludeDep,
    subject: Annotated[str | None, Query(description="only facts about this actor")] = None,
) -> dict[str, Any]:
    """List observations sorted by id, optionally about one subject (unknown: 422).

    ``?include=proposals`` adds ``proposals``: the observations proposed and under review.
    """
    body = listing(records.list_observations(source, subject=subject, page=page))
    return {**body, "proposals": reviews.pending(source, "observations")} if include \
        else body
