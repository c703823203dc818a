"""OpenAPI ``links`` between the operations of the write API (review and If-Match).

A link tells a client (and schemathesis' stateful phase) how the answer of one operation
feeds the next:

- a proposal (``POST``/``PUT``/``DELETE`` of a record, answered 202) → ``GET``, ``accept``
  or ``reject`` of that proposal (``proposal_id`` is the answer's ``id``);
- a list (``GET /api/{resource}``) → its first record read as its row;
- a record read as its row (``GET /api/{resource}/{id}/row``, with its ``ETag``) → ``PUT``
  of the same row with ``If-Match: <ETag>``, ``DELETE`` with it, and its history;
- a decided proposal (``accept``/``reject``) → ``GET`` of it.

:func:`add_links` adds them to the schema FastAPI generates, by operation id.

Examples:
    >>> accept = {"responses": {"200": {"description": "the proposal"}}}
    >>> schema = {"paths": {"/api/proposals/{proposal_id}/accept": {"post": accept}}}
    >>> link = add_links(schema)["paths"]["/api/proposals/{proposal_id}/accept"]["post"][
    ...     "responses"]["200"]["links"]["GetProposal"]
    >>> link["operationId"], link["parameters"]
    ('read_proposal_api_proposals__proposal_id__get', {'proposal_id': '$response.body#/id'})
"""

from __future__ import annotations

from typing import Any, Final

__all__ = ["RESOURCES", "add_links"]

#: URL segment → the singular used in operation ids (``propose_tie_update…``).
RESOURCES: Final = {"actors": "actor", "ties": "tie", "observations": "observation",
                    "sources": "document"}
_PROPOSAL = "/api/proposals/{proposal_id}"


def _operation_id(path: str, method: str, name: str) -> str:
    """FastAPI's operation id of the route ``name`` at ``path``."""
    return name + "".join(c if c.isalnum() else "_" for c in path) + "_" + method


def _proposal_links() -> dict[str, Any]:
    by_id = {"proposal_id": "$response.body#/id"}
    return {
        "GetProposal": {"operationId": _operation_id(_PROPOSAL, "get", "read_proposal"),
                        "parameters": by_id},
        "AcceptProposal": {"operationId": _operation_id(_PROPOSAL + "/accept", "post",
                                                        "accept_proposal"),
                           "parameters": by_id},
        "RejectProposal": {"operationId": _operation_id(_PROPOSAL + "/reject", "post",
                                                        "reject_proposal"),
                           "parameters": by_id},
    }


def _row_links(segment: str, singular: str) -> dict[str, Any]:
    record = f"/api/{segment}/{{record_id}}"
    same = {"record_id": "$request.path.record_id"}
    versioned = {**same, "header.If-Match": "$response.header.ETag"}
    return {
        "UpdateIfMatch": {"operationId": _operation_id(record, "put",
                                                       f"propose_{singular}_update"),
                          "parameters": versioned, "requestBody": "$response.body#/row"},
        "DeleteIfMatch": {"operationId": _operation_id(record, "delete",
                                                       f"propose_{singular}_delete"),
                          "parameters": versioned},
        "History": {"operationId": _operation_id(record + "/history", "get",
                                                 f"read_{singular}_history"),
                    "parameters": same},
    }


def _set(schema: dict[str, Any], path: str, method: str, status: str,
         links: dict[str, Any]) -> None:
    operation = schema.get("paths", {}).get(path, {}).get(method)
    if operation is None:
        return
    operation["responses"].setdefault(status, {"description": "OK"}) \
        .setdefault("links", {}).update(links)


def _require_if_match(schema: dict[str, Any]) -> None:
    """Mark ``If-Match`` required on ``PUT``/``DELETE``, as the server requires it.

    A change without it gets 428, a problem naming the header (FastAPI would answer 422,
    hence the optional parameter in the code).
    """
    for methods in schema.get("paths", {}).values():
        for method in ("put", "delete"):
            for parameter in methods.get(method, {}).get("parameters", []):
                if parameter.get("in") == "header" and parameter.get("name") == "If-Match":
                    parameter["required"] = True


def add_links(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the write API's links to the OpenAPI ``schema`` (in place); return it.

    ``If-Match``, which the links fill from a row's ``ETag``, is marked required on
    ``PUT`` and ``DELETE`` as the server requires it.
    """
    _require_if_match(schema)
    proposal = _proposal_links()
    for segment, singular in RESOURCES.items():
        record = f"/api/{segment}/{{record_id}}"
        _set(schema, f"/api/{segment}", "post", "202", proposal)
        _set(schema, f"/api/{segment}", "get", "200", {"FirstRow": {
            "operationId": _operation_id(record + "/row", "get", f"read_{singular}_row"),
            "parameters": {"record_id": "$response.body#/data/0/id"}}})
        _set(schema, record, "put", "202", proposal)
        _set(schema, record, "delete", "202", proposal)
        _set(schema, record + "/row", "get", "200", _row_links(segment, singular))
    back = {"GetProposal": proposal["GetProposal"]}
    _set(schema, _PROPOSAL + "/accept", "post", "200", back)
    _set(schema, _PROPOSAL + "/reject", "post", "200", back)
    return schema
