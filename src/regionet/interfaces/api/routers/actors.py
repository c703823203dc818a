"""``/api/actors``: the case's actors, one by one with their ties and attribute sources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from regionet.interfaces.api.deps import IncludeDep, PageDep, SourceDep
from regionet.interfaces.api.etags import record_tag, tagged
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import ActorDetailPublic, ActorsPublic, listing
from regionet.model.actors import ActorKind
from regionet.services import records, reviews

__all__ = ["router"]

router = APIRouter(prefix="/actors", tags=["actors"])


@router.get("", response_model=ActorsPublic, responses=problem_responses(400, 422, 503))
def read_actors(
    source: SourceDep, page: PageDep, include: IncludeDep,
    kind: Annotated[ActorKind | None, Query(description="only actors of this kind")] = None,
) -> dict[str, Any]:
    """List actors sorted by id, optionally of one kind (accepted records only).

    ``?include=proposals`` adds ``proposals``: the actors proposed and under review.
    """
    body = listing(records.list_actors(source, kind=kind, page=page))
    return {**body, "proposals": reviews.pending(source, "actors")} if include else body


@router.get("/{actor_id}", response_model=ActorDetailPublic,
            responses=problem_responses(400, 404, 422, 503))
def read_actor(
    source: SourceDep, request: Request, response: Response, include: IncludeDep,
    actor_id: Annotated[str, Path(description="actor id, e.g. RU-KR or FI")],
) -> Any:
    """One actor with the sources of its attribute values and the ties it takes part in.

    ``ETag`` is the actor's version, as ``PUT``/``DELETE`` expect in ``If-Match``;
    never 304: the body also holds what other records decide (its level, its ties, …),
    which the actor's own version does not cover (``…/row`` answers 304).
    ``?include=proposals`` adds ``proposals``: the changes of this actor under review.
    """
    tag = record_tag(source, "actors", actor_id)
    tagged(request, response, tag, may_skip=False)
    body = records.actor_detail(source, actor_id)
    return {**body, "proposals": reviews.pending(source, "actors", actor_id)} if include \
        else body
