"""``/api/sources``: the documents facts are taken from, with the records citing each."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Path

from regionet.core.errors import UnknownReferenceError, did_you_mean
from regionet.core.ids import DocumentId
from regionet.interfaces.api.deps import CaseDep, PageDep
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import SourcePublic, SourcesPublic
from regionet.io.serialize import document_record
from regionet.model.actors import Actor
from regionet.model.case import Case
from regionet.model.observations import Observation
from regionet.model.ties import Tie

__all__ = ["router"]

router = APIRouter(prefix="/sources", tags=["sources"])


def _citations(case: Case) -> dict[str, dict[str, list[str]]]:
    """Return, for each document id, the ids of the records citing it, by record type."""
    cited: dict[str, dict[str, list[str]]] = defaultdict(
        lambda: {"actors": [], "attributes": [], "ties": [], "observations": []})
    records: list[tuple[str, Actor | Tie | Observation]] = [
        *(("actors", a) for a in case.actors.values()),
        *(("ties", t) for t in case.ties.values()),
        *(("observations", o) for o in case.observations.values())]
    for group, record in sorted(records, key=lambda r: r[1].id):
        for doc in dict.fromkeys(s.document for s in record.sources):
            cited[doc][group].append(record.id)
    for attr in case.attributes:
        for doc in dict.fromkeys(s.document for s in attr.sources):
            cited[doc]["attributes"].append(f"{attr.actor}.{attr.attribute}")
    return cited


@router.get("", response_model=SourcesPublic, responses=problem_responses(422, 503))
async def read_sources(case: CaseDep, page: PageDep) -> dict[str, Any]:
    """List source documents sorted by id, each with the ids of the records citing it."""
    cited = _citations(case)
    docs = sorted(case.documents.values(), key=lambda d: d.id)
    return {"data": [{**document_record(d), "cited_by": cited[d.id]} for d in page.take(docs)],
            "count": len(docs)}


@router.get("/{source_id}", response_model=SourcePublic, responses=problem_responses(404, 503))
async def read_source(
    case: CaseDep,
    source_id: Annotated[str, Path(description="document id, e.g. sergounin-1999")],
) -> dict[str, Any]:
    """One source document with the ids of the records citing it."""
    doc = case.documents.get(DocumentId(source_id))
    if doc is None:
        raise UnknownReferenceError("unknown source document", field="id", value=source_id,
                                    expected="a document id listed by GET /api/sources",
                                    hint=did_you_mean(source_id, case.documents))
    return {**document_record(doc), "cited_by": _citations(case)[doc.id]}
