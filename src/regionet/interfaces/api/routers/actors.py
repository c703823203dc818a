"""``/api/actors``: the case's actors, one by one with their ties and attribute sources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from regionet.interfaces.api.deps import PageDep, SourceDep
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import ActorDetailPublic, ActorsPublic, listing
from regionet.model.actors import ActorKind
from regionet.services import records

__all__ = ["router"]

router = APIRouter(prefix="/actors", tags=["actors"])


@router.get("", response_model=ActorsPublic, responses=problem_responses(422, 503))
def read_actors(
    source: SourceDep, page: PageDep,
    kind: Annotated[ActorKind | None, Query(description="only actors of this kind")] = None,
) -> dict[str, Any]:
    """List actors sorted by id, optionally of one kind."""
    return listing(records.list_actors(source, kind=kind, page=page))


@router.get("/{actor_id}", response_model=ActorDetailPublic,
            responses=problem_responses(404, 503))
def read_actor(
    source: SourceDep,
    actor_id: Annotated[str, Path(description="actor id, e.g. RU-KR or FI")],
) -> dict[str, Any]:
    """One actor with the sources of its attribute values and the ties it takes part in."""
    return records.actor_detail(source, actor_id)
