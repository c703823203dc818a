"""``/api/ties``: ties filtered by kind, level, actor, year, date and status."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from regionet.interfaces.api.deps import IncludeDep, PageDep, SourceDep
from regionet.interfaces.api.etags import record_tag, tagged
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import TieDetailPublic, TiesPublic, listing
from regionet.model.case import TieFilter
from regionet.model.levels import Level, Sublevel
from regionet.model.sources import Status
from regionet.services import records, reviews

__all__ = ["router"]

router = APIRouter(prefix="/ties", tags=["ties"])


@router.get("", response_model=TiesPublic, responses=problem_responses(400, 422, 503))
def read_ties(
    source: SourceDep, page: PageDep, include: IncludeDep,
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
    """List ties sorted by id, each with its level, sublevel and the reason for it.

    Accepted ties only; ``?include=proposals`` adds ``proposals``: every tie proposed and
    under review (the filters do not apply to them).
    """
    criteria = TieFilter(level=level, sublevel=sublevel, actor=actor, kind=kind, year=year,
                         as_of=as_of, status=status)
    body = listing(records.list_ties(source, criteria, page=page))
    return {**body, "proposals": reviews.pending(source, "ties")} if include else body


@router.get("/{tie_id}", response_model=TieDetailPublic,
            responses=problem_responses(400, 404, 422, 503))
def read_tie(
    source: SourceDep, request: Request, response: Response, include: IncludeDep,
    tie_id: Annotated[str, Path(description="tie id, e.g. t-no-pechenganikel-pledge")],
) -> Any:
    """One tie with its level classification.

    ``ETag`` is the tie's version, as ``PUT``/``DELETE`` expect in ``If-Match``;
    never 304: the body also holds what other records decide (its level, its ties, …),
    which the tie's own version does not cover (``…/row`` answers 304).
    ``?include=proposals`` adds ``proposals``: the changes of this tie under review.
    """
    tag = record_tag(source, "ties", tie_id)
    tagged(request, response, tag, may_skip=False)
    body = records.tie_detail(source, tie_id)
    return {**body, "proposals": reviews.pending(source, "ties", tie_id)} if include else body
