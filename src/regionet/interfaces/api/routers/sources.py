"""``/api/sources``: the documents facts are taken from, with the records citing each."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response

from regionet.interfaces.api.deps import IncludeDep, PageDep, SourceDep
from regionet.interfaces.api.etags import record_tag, tagged
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import SourceDetailPublic, SourcesPublic, listing
from regionet.services import records, reviews

__all__ = ["router"]

router = APIRouter(prefix="/sources", tags=["sources"])


@router.get("", response_model=SourcesPublic, responses=problem_responses(400, 422, 503))
def read_sources(source: SourceDep, page: PageDep, include: IncludeDep) -> dict[str, Any]:
    """List source documents sorted by id, each with the ids of the records citing it.

    ``?include=proposals`` adds ``proposals``: the documents proposed and under review.
    """
    body = listing(records.list_documents(source, page=page))
    return {**body, "proposals": reviews.pending(source, "documents")} if include else body


@router.get("/{source_id}", response_model=SourceDetailPublic,
            responses=problem_responses(400, 404, 422, 503))
def read_source(
    source: SourceDep, request: Request, response: Response, include: IncludeDep,
    source_id: Annotated[str, Path(description="document id, e.g. sergounin-1999")],
) -> Any:
    """One source document with the ids of the records citing it.

    ``ETag`` is the document's version, as ``PUT``/``DELETE`` expect in ``If-Match``;
    never 304: the body also holds what other records decide (its level, its ties, …),
    which the document's own version does not cover (``…/row`` answers 304).
    ``?include=proposals`` adds ``proposals``: the changes of this document under review.
    """
    tag = record_tag(source, "documents", source_id)
    tagged(request, response, tag, may_skip=False)
    body = records.document_detail(source, source_id)
    return {**body, "proposals": reviews.pending(source, "documents", source_id)} \
        if include else body
