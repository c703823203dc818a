"""``/api/proposals``: the review queue; accept (reviewer, with a status) or reject (reason)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query

from regionet.interfaces.api.deps import PageDep, PrincipalDep, SourceDep
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import ProposalPublic, ProposalsPublic, listing
from regionet.services import reviews
from regionet.services.paging import MAX_ID

__all__ = ["router"]

router = APIRouter(prefix="/proposals", tags=["review"])
ProposalId = Annotated[int, Path(ge=1, le=MAX_ID, description="the proposal's id")]


@router.get("", response_model=ProposalsPublic, responses=problem_responses(401, 403, 422))
def read_proposals(
    source: SourceDep, page: PageDep,
    state: Annotated[Literal["proposed", "accepted", "rejected"] | None,
                     Query(description="only proposals in this state")] = None,
) -> dict[str, Any]:
    """List proposals by id: pending ones (``state=proposed``) are the review queue."""
    return listing(reviews.list_proposals(source, state=state, page=page))


@router.get("/{proposal_id}", response_model=ProposalPublic,
            responses=problem_responses(401, 403, 404, 422))
def read_proposal(source: SourceDep, proposal_id: ProposalId) -> dict[str, Any]:
    """One proposal."""
    return reviews.proposal(source, proposal_id)


@router.post("/{proposal_id}/accept", response_model=ProposalPublic,
             responses=problem_responses(400, 401, 403, 404, 409, 422))
def accept_proposal(
    source: SourceDep, who: PrincipalDep, proposal_id: ProposalId,
    status: Annotated[Literal["verified", "partial", "assumed"], Body(
        embed=True, description="what the evidence supports")],
) -> dict[str, Any]:
    """Accept someone else's proposal (reviewer): validated, applied and logged at once."""
    return reviews.accept(source, who, proposal_id, status)


@router.post("/{proposal_id}/reject", response_model=ProposalPublic,
             responses=problem_responses(400, 401, 403, 404, 409, 422))
def reject_proposal(
    source: SourceDep, who: PrincipalDep, proposal_id: ProposalId,
    reason: Annotated[str, Body(embed=True, min_length=1, max_length=2000,
                                description="why it is rejected")],
) -> dict[str, Any]:
    """Reject someone else's proposal (reviewer), with a reason."""
    return reviews.reject(source, who, proposal_id, reason)
