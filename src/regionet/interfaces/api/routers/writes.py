"""Writing records through review: ``POST/PUT/DELETE /api/{actors|ties|observations|sources}``.

Every write needs a token of an editor (or a more allowed role) and stores a *proposal*
(202, ``Location: /api/proposals/{id}``); a reviewer accepts or rejects it
(:mod:`regionet.interfaces.api.routers.reviews`). ``GET …/{id}/row`` returns the record as
its case-file row with its ``ETag``; ``PUT`` and ``DELETE`` need that ETag in ``If-Match``
(428 without it, 412 with the current record when it is stale). ``GET …/{id}/history``
lists every change of the record. Documents are written under ``/api/sources``, where they
are read.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Request, Response

from regionet.interfaces.api.deps import PrincipalDep, SourceDep
from regionet.interfaces.api.etags import NOT_MODIFIED, tagged
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import HistoryPublic, ProposalPublic, RecordRowPublic
from regionet.services import history, reviews

__all__ = ["ROUTES", "router"]

router = APIRouter(tags=["writes"])
#: URL segment → resource (the workspace table).
ROUTES: dict[str, str] = {"actors": "actors", "ties": "ties", "observations": "observations",
                          "sources": "documents"}
RowBody = Annotated[dict[str, str | int | float | list[str]], Body(
    description="the record as a row of its case file, e.g. for a tie: id, kind, actors "
                "(a;b, or a JSON array), sources (document:locator), …",
    examples=[{"id": "t-new", "kind": "agreement", "actors": "RU-KR;FI",
               "sources": "sergounin-1999:para 16"}])]
IdPath = Annotated[str, Path(description="the record's id")]
IfMatch = Annotated[str | None, Header(alias="If-Match",
                                       description="the record's ETag (from GET …/row)")]
_WRITE_PROBLEMS = problem_responses(400, 401, 403, 404, 409, 412, 422, 428, 503)


def _proposed(response: Response, proposal: dict[str, Any]) -> dict[str, Any]:
    response.headers["Location"] = f"/api/proposals/{proposal['id']}"
    return proposal


def _add_routes(segment: str, resource: str) -> None:
    singular = resource[:-1]

    @router.get(f"/{segment}/{{record_id}}/row", response_model=RecordRowPublic,
                responses={**problem_responses(401, 403, 404, 422, 503), **NOT_MODIFIED},
                name=f"read_{singular}_row", summary=f"One {singular} as its row, with ETag")
    def read_row(source: SourceDep, record_id: IdPath, request: Request,
                 response: Response) -> Any:
        row, tag = reviews.current(source, resource, record_id)
        return tagged(request, response, tag) or {
            "resource": resource, "id": record_id, "etag": tag, "row": row}

    @router.get(f"/{segment}/{{record_id}}/history", response_model=HistoryPublic,
                responses=problem_responses(401, 403, 404, 422, 503),
                name=f"read_{singular}_history", summary=f"Every change of one {singular}")
    def read_history(source: SourceDep, record_id: IdPath) -> dict[str, Any]:
        return history.record_history(source, record_id, resource)

    @router.post(f"/{segment}", status_code=202, response_model=ProposalPublic,
                 responses=_WRITE_PROBLEMS, name=f"propose_{singular}_create",
                 summary=f"Propose a new {singular} (editor)")
    def create(source: SourceDep, who: PrincipalDep, body: RowBody,
               response: Response) -> dict[str, Any]:
        record_id = str(body.get("id", ""))
        return _proposed(response, reviews.propose(source, who, resource, "create",
                                                   record_id, body))

    @router.put(f"/{segment}/{{record_id}}", status_code=202, response_model=ProposalPublic,
                responses=_WRITE_PROBLEMS, name=f"propose_{singular}_update",
                summary=f"Propose a change of a {singular} (editor; If-Match)")
    def update(source: SourceDep, who: PrincipalDep, record_id: IdPath, body: RowBody,
               response: Response, if_match: IfMatch = None) -> dict[str, Any]:
        return _proposed(response, reviews.propose(source, who, resource, "update",
                                                   record_id, body, if_match=if_match))

    @router.delete(f"/{segment}/{{record_id}}", status_code=202, response_model=ProposalPublic,
                   responses=_WRITE_PROBLEMS, name=f"propose_{singular}_delete",
                   summary=f"Propose deleting a {singular} (editor; If-Match)")
    def delete(source: SourceDep, who: PrincipalDep, record_id: IdPath, response: Response,
               if_match: IfMatch = None) -> dict[str, Any]:
        return _proposed(response, reviews.propose(source, who, resource, "delete",
                                                   record_id, if_match=if_match))


for _segment, _resource in ROUTES.items():
    _add_routes(_segment, _resource)
