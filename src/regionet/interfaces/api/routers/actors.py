"""``/api/actors``: the case's actors, one by one with their ties and attribute sources."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from regionet.interfaces.api.deps import CaseDep, PageDep
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import ActorDetailPublic, ActorsPublic
from regionet.io.serialize import actor_record, attribute_record, tie_record
from regionet.model.actors import ActorKind

__all__ = ["router"]

router = APIRouter(prefix="/actors", tags=["actors"])


@router.get("", response_model=ActorsPublic, responses=problem_responses(422, 503))
async def read_actors(
    case: CaseDep, page: PageDep,
    kind: Annotated[ActorKind | None, Query(description="only actors of this kind")] = None,
) -> dict[str, Any]:
    """List actors sorted by id, optionally of one kind."""
    rows = [a for a in sorted(case.actors.values(), key=lambda a: a.id)
            if kind is None or a.kind is kind]
    return {"data": [actor_record(a) for a in page.take(rows)], "count": len(rows)}


@router.get("/{actor_id}", response_model=ActorDetailPublic,
            responses=problem_responses(404, 503))
async def read_actor(
    case: CaseDep,
    actor_id: Annotated[str, Path(description="actor id, e.g. RU-KR or FI")],
) -> dict[str, Any]:
    """One actor with the sources of its attribute values and the ties it takes part in."""
    actor = case.actor(actor_id)
    return {**actor_record(actor),
            "attribute_sources": [attribute_record(r) for r in case.attributes_of(actor.id)],
            "ties": [tie_record(case, t) for t in sorted(case.select_ties(actor=actor.id),
                                                         key=lambda t: t.id)]}
