"""Errors as HTTP problems: the ONE place the API maps exceptions to statuses and bodies.

Every error leaves the API as RFC 9457 ``application/problem+json``: ``type``, ``title``,
``status``, ``detail``, ``instance``, plus regionet's own fields (``file``, ``row``,
``field``, ``value``, ``expected``, ``hint``) and, for several problems, ``errors``.

| error | status |
|---|---|
| ``AuthenticationError`` (no, unknown or revoked token; with ``WWW-Authenticate``) | 401 |
| ``PermissionDeniedError`` (the role does not allow it) | 403 |
| ``PreconditionFailedError`` (stale ``If-Match``; body ``current``, header ``ETag``) | 412 |
| ``ConflictError`` (e.g. accepting a proposal whose base is stale) | 409 |
| ``PreconditionRequiredError`` (an update or delete without ``If-Match``) | 428 |
| ``ValidationError`` (several problems found) | 422 |
| a regionet error that is also an ``OSError`` (a broken or missing workspace file) | 503 |
| ``BusyError`` (a full queue of simulations: retry later) | 503 |
| ``UnknownReferenceError`` (incl. ``UnknownActorError``) whose value is a path id | 404 |
| any other lookup error (an unknown name in a query or body) | 422 |
| ``InvalidValueError`` and other ``ValueError`` | 422 |
| any other ``RegionetError`` | 400 |
| a request body that is not valid JSON | 400 |
| a request body larger than the limit (1 MiB by default) | 413 |
| FastAPI's ``RequestValidationError`` (bad query, path or body) | 422 |
| Starlette's ``HTTPException`` (unknown route, wrong method) | its status |
| anything else | 500, logged; the body never carries a traceback |

Examples:
    >>> from regionet.core.errors import InvalidValueError, UnknownActorError
    >>> status_for(UnknownActorError("unknown actor", value="RU-KRL"), {"RU-KRL"})
    404
    >>> status_for(UnknownActorError("unknown actor", value="RU-KRL"), set())
    422
    >>> problem_type(UnknownActorError("x"))
    'urn:regionet:problem:unknown-actor'
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Mapping, Sequence
from http import HTTPStatus
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from regionet.core.errors import (
    AuthenticationError,
    BusyError,
    ConflictError,
    PermissionDeniedError,
    PreconditionFailedError,
    PreconditionRequiredError,
    RegionetError,
    UnknownReferenceError,
    ValidationError,
)
from regionet.interfaces.api.middleware import too_large_problem
from regionet.interfaces.api.schemas import Problem

__all__ = [
    "PROBLEM_JSON",
    "PROBLEM_REF",
    "ProblemResponse",
    "install_problem_handlers",
    "problem_responses",
    "problem_type",
    "status_for",
]

PROBLEM_JSON = "application/problem+json"
#: Where the OpenAPI document defines :class:`Problem` (added by ``app.create_app``).
PROBLEM_REF = "#/components/schemas/Problem"
_LOG = logging.getLogger("regionet.api")
_MAX_VALUE = 200


class ProblemResponse(JSONResponse):
    """A JSON response with the ``application/problem+json`` media type."""

    media_type = PROBLEM_JSON


_STATUSES: tuple[tuple[type[RegionetError], int], ...] = (
    (AuthenticationError, 401), (PermissionDeniedError, 403),
    (PreconditionFailedError, 412), (ConflictError, 409), (PreconditionRequiredError, 428))


def status_for(error: RegionetError, path_values: Collection[str]) -> int:
    """Return the HTTP status of ``error``; ``path_values`` are the request's path ids."""
    for cls, status in _STATUSES:
        if isinstance(error, cls):
            return status
    if isinstance(error, ValidationError):
        return 422
    if isinstance(error, OSError | BusyError):
        return 503
    if isinstance(error, UnknownReferenceError) and str(error.value) in path_values:
        return 404
    if isinstance(error, LookupError | ValueError):
        return 422
    return 400


def _slug(name: str) -> str:
    words = re.findall(r"[A-Z][a-z0-9]*", name.removesuffix("Error")) or [name]
    return "-".join(w.lower() for w in words)


def problem_type(error: BaseException) -> str:
    """Return the ``type`` URI of a regionet error (``urn:regionet:problem:<kind>``)."""
    return f"urn:regionet:problem:{_slug(type(error).__name__)}"


#: Titles that the class name does not give well.
_TITLES = {"ValidationError": "Validation failed", "DataFileError": "Data file unavailable"}


def _title(error: BaseException) -> str:
    name = type(error).__name__
    return _TITLES.get(name) or _slug(name).replace("-", " ").capitalize()


def _short(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= _MAX_VALUE else text[:_MAX_VALUE] + "…"


def _respond(body: Problem, headers: Mapping[str, str] | None = None) -> ProblemResponse:
    return ProblemResponse(body.model_dump(exclude_none=True), status_code=body.status,
                           headers=dict(headers) if headers else None)


def _regionet_problem(request: Request, error: RegionetError) -> ProblemResponse:
    path_values = {str(v) for v in request.path_params.values()}
    status = status_for(error, path_values)
    errors = None
    if isinstance(error, ValidationError) and getattr(error, "errors", None):
        errors = [{k: _short(v) if k == "value" else v for k, v in e.to_dict().items()}
                  for e in error.errors]
    headers: dict[str, str] = {}
    current = None
    if isinstance(error, AuthenticationError):
        headers["WWW-Authenticate"] = 'Bearer realm="regionet"'
    if isinstance(error, ConflictError):
        current = error.current if isinstance(error.current, dict) else None
        if error.etag:
            headers["ETag"] = error.etag
    return _respond(Problem(
        type=problem_type(error), title=_title(error), status=status, detail=str(error),
        instance=request.url.path, file=error.file, row=error.row, field=error.field,
        value=_short(error.value), expected=error.expected, hint=error.hint, errors=errors,
        current=current), headers)


def _location(loc: Sequence[int | str]) -> tuple[str, str]:
    """Return (``query``/``path``/``body``, dotted field) of a pydantic error location."""
    where = str(loc[0]) if loc else "request"
    return where, ".".join(str(part) for part in loc[1:]) or where


def _malformed_body(request: Request, error: dict[str, Any]) -> ProblemResponse:
    ctx = error.get("ctx") or {}
    where = error.get("loc", ("body",))
    position = f" at character {where[1]}" if len(where) > 1 else ""
    return _respond(Problem(
        type="urn:regionet:problem:malformed-body", title="Malformed request body", status=400,
        detail=f"the request body is not valid JSON{position}: "
               f"{ctx.get('error', error.get('msg', 'invalid JSON'))}",
        instance=request.url.path, field="body", expected="a JSON object"))


def _validation_problem(request: Request, error: RequestValidationError) -> ProblemResponse:
    broken = [e for e in error.errors() if e.get("type") == "json_invalid"]
    if broken:
        return _malformed_body(request, broken[0])
    items: list[dict[str, Any]] = []
    for e in error.errors():
        where, field = _location(e.get("loc", ()))
        value = e.get("input") if e.get("type") != "missing" else None
        items.append({"field": field, "in": where, "value": _short(value),
                      "expected": str(e.get("msg", "")),
                      "detail": f"{where} field '{field}'"
                      + (f", value '{_short(value)}'" if value is not None else "")
                      + f": {e.get('msg', 'invalid')}"})
    first = items[0] if items else {"detail": "invalid request"}
    more = f" (and {len(items) - 1} more problem(s))" if len(items) > 1 else ""
    return _respond(Problem(
        type="urn:regionet:problem:request-validation", title="Invalid request", status=422,
        detail=first["detail"] + more, instance=request.url.path, field=first.get("field"),
        value=first.get("value"), expected=first.get("expected"), errors=items))


def _http_problem(request: Request, error: StarletteHTTPException) -> ProblemResponse:
    limit = getattr(error, "limit", None)
    if error.status_code == 413 and isinstance(limit, int):
        return _respond(Problem(**too_large_problem(limit, request.url.path)))  # type: ignore[arg-type]
    try:
        phrase = HTTPStatus(error.status_code).phrase
    except ValueError:
        phrase = "Error"
    detail = error.detail if isinstance(error.detail, str) else phrase
    return _respond(Problem(type="about:blank", title=phrase, status=error.status_code,
                            detail=detail, instance=request.url.path), error.headers)


def _server_problem(request: Request, error: Exception) -> ProblemResponse:
    # Starlette re-raises the error after this response is sent, so the server (uvicorn) logs
    # the traceback; one line here ties it to the request.
    _LOG.error("unexpected %s on %s %s", type(error).__name__, request.method,
               request.url.path)
    return _respond(Problem(
        type="urn:regionet:problem:internal", title="Internal server error", status=500,
        detail="An unexpected error occurred; it has been logged on the server. Please report "
               "it with the request that caused it.", instance=request.url.path))


def install_problem_handlers(app: FastAPI) -> None:
    """Register the exception handlers that turn every error into a problem response."""

    # Starlette calls each handler only with instances of the class it is registered for.
    async def on_regionet(request: Request, exc: Exception) -> ProblemResponse:
        return _regionet_problem(request, cast(RegionetError, exc))

    async def on_validation(request: Request, exc: Exception) -> ProblemResponse:
        return _validation_problem(request, cast(RequestValidationError, exc))

    async def on_http(request: Request, exc: Exception) -> ProblemResponse:
        return _http_problem(request, cast(StarletteHTTPException, exc))

    async def on_anything(request: Request, exc: Exception) -> ProblemResponse:
        return _server_problem(request, exc)

    app.add_exception_handler(RegionetError, on_regionet)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_anything)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """Return the OpenAPI ``responses`` entries documenting problem+json for ``statuses``."""
    described = {400: "A body that cannot be read (not UTF-8, not JSON)",
                 404: "Unknown id (the problem suggests near ids)",
                 422: "Invalid parameter or body (the problem names the field and value)",
                 503: "The workspace file is unreadable or holds no case"}
    return {s: {"description": described.get(s, HTTPStatus(s).phrase),
                "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}}
            for s in statuses}
