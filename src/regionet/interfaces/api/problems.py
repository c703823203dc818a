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

import copy
import json
import logging
import re
from collections.abc import Collection, Mapping, Sequence
from http import HTTPStatus
from typing import Any, Final, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Send

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
from regionet.interfaces.api.redaction import redact
from regionet.interfaces.api.schemas import Problem

__all__ = [
    "MAX_ECHO",
    "MAX_ERRORS",
    "MAX_TEXT",
    "PROBLEM_JSON",
    "PROBLEM_REF",
    "ProblemResponse",
    "bounded",
    "bounded_problem",
    "install_problem_handlers",
    "problem_responses",
    "problem_type",
    "send_problem",
    "status_for",
]

PROBLEM_JSON = "application/problem+json"
#: Where the OpenAPI document defines :class:`Problem` (added by ``app.create_app``).
PROBLEM_REF = "#/components/schemas/Problem"
_LOG = logging.getLogger("regionet.api")
#: The most characters of the request's input a problem repeats (``value``, ``field``…).
MAX_ECHO: Final = 200
#: The most characters of a problem's ``detail``, ``hint`` or ``expected``.
MAX_TEXT: Final = 1000
_CUT = re.compile(r"… \((\d+) characters\)")
#: The most entries of a problem's ``errors`` list.
MAX_ERRORS: Final = 50


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


def bounded(value: object, limit: int = MAX_ECHO) -> str | None:
    """Return ``value`` as text of at most about ``limit`` characters (None stays None).

    Longer text is cut and says how long it was, so an error never echoes a huge input back.
    Text already bounded to ``limit`` is returned unchanged.

    Examples:
        >>> bounded("abc", 2)
        'ab… (3 characters)'
        >>> bounded(bounded("abc", 2), 2), bounded(12), bounded(None)
        ('ab… (3 characters)', '12', None)
    """
    if value is None:
        return None
    text = str(value)
    if len(text) <= limit or _CUT.fullmatch(text, limit):
        return text
    return f"{text[:limit]}… ({len(text)} characters)"


def _short(value: object) -> str | None:
    return bounded(value)


#: Fields of a problem that repeat the request's input (bounded to :data:`MAX_ECHO`); the
#: other text fields are bounded to :data:`MAX_TEXT`.
_ECHOED = frozenset({"value", "field", "instance", "file", "in"})


def _bound_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: bounded(value, MAX_ECHO if key in _ECHOED else MAX_TEXT)
            if isinstance(value, str) else value for key, value in item.items()}


def bounded_problem(problem: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``problem`` with every text bounded and at most :data:`MAX_ERRORS` ``errors``.

    The one place every problem body passes through before it is sent.

    Examples:
        >>> body = bounded_problem({"status": 422, "value": "x" * 300,
        ...                         "errors": [{"value": "y"}] * 60})
        >>> body["value"][-18:], len(body["errors"]), body["errors"][-1]["detail"]
        ('… (300 characters)', 51, '10 more problem(s) not shown')
    """
    body = _bound_item({k: v for k, v in problem.items() if k != "errors"})
    errors = problem.get("errors")
    if isinstance(errors, list):
        shown = [_bound_item(e) if isinstance(e, Mapping) else e for e in errors[:MAX_ERRORS]]
        if len(errors) > MAX_ERRORS:
            shown.append({"detail": f"{len(errors) - MAX_ERRORS} more problem(s) not shown"})
        body["errors"] = shown
    return body


async def send_problem(send: Send, problem: Mapping[str, Any],
                       headers: Sequence[tuple[str, str]] = ()) -> None:
    """Send ``problem`` (bounded) as a whole response, from ASGI middleware outside FastAPI."""
    body = json.dumps(bounded_problem(problem)).encode("utf-8")
    await send({"type": "http.response.start", "status": int(problem["status"]),
                "headers": [(b"content-type", PROBLEM_JSON.encode()),
                            (b"content-length", str(len(body)).encode()),
                            *((k.lower().encode("latin-1"), v.encode("latin-1"))
                              for k, v in headers)]})
    await send({"type": "http.response.body", "body": body})


def _respond(body: Problem, headers: Mapping[str, str] | None = None) -> ProblemResponse:
    return ProblemResponse(bounded_problem(body.model_dump(exclude_none=True)),
                           status_code=body.status, headers=dict(headers) if headers else None)


def _detail(error: RegionetError) -> str:
    """Return ``str(error)`` with its field and value bounded (the detail repeats them)."""
    field, value = _short(error.field), _short(error.value)
    if field == error.field and value == (None if error.value is None else str(error.value)):
        return str(error)
    try:
        shown = copy.copy(error)
        shown.field, shown.value = field, value
        return str(shown)
    except Exception:  # an error class that cannot be copied: its text is bounded later
        return str(error)


def _regionet_problem(request: Request, error: RegionetError) -> ProblemResponse:
    path_values = {str(v) for v in request.path_params.values()}
    status = status_for(error, path_values)
    errors = None
    if isinstance(error, ValidationError) and getattr(error, "errors", None):
        errors = [{k: _short(v) if k == "value" else v for k, v in e.to_dict().items()}
                  for e in error.errors]
    # the workspace's directory and a database URL's credentials are not shown (redaction.py)
    where = [getattr(request.app.state, "db", None)]

    def shown(text: object) -> str | None:
        return None if text is None else redact(str(text), where)

    headers: dict[str, str] = {}
    current = None
    if isinstance(error, AuthenticationError):
        headers["WWW-Authenticate"] = 'Bearer realm="regionet"'
    if isinstance(error, ConflictError):
        current = error.current if isinstance(error.current, dict) else None
        if error.etag:
            headers["ETag"] = error.etag
    return _respond(Problem(
        type=problem_type(error), title=_title(error), status=status,
        detail=shown(_detail(error)) or "", instance=request.url.path, file=shown(error.file),
        row=error.row, field=error.field, value=shown(_short(error.value)),
        expected=error.expected, hint=shown(error.hint), errors=errors, current=current),
        headers)


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
                      "detail": f"{where} field '{_short(field)}'"
                      + (f", value '{_short(value)}'" if value is not None else "")
                      + f": {e.get('msg', 'invalid')}"})
    first = items[0] if items else {"detail": "invalid request"}
    more = f" (and {len(items) - 1} more problem(s))" if len(items) > 1 else ""
    return _respond(Problem(
        type="urn:regionet:problem:request-validation", title="Invalid request", status=422,
        detail=first["detail"] + more, instance=request.url.path, field=first.get("field"),
        value=first.get("value"), expected=first.get("expected"), errors=items))


def _http_problem(request: Request, error: StarletteHTTPException) -> ProblemResponse:
    problem = getattr(error, "problem", None)  # BodyTooLarge, BodyTooSlow: their own body
    if callable(problem):
        return _respond(Problem.model_validate(problem(request.url.path)), error.headers)
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
