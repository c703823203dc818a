"""Request dependencies of the REST API, as ``Annotated[..., Depends(...)]`` aliases.

- :data:`SourceDep`: the :class:`~regionet.services.case_source.CaseSource` of the request:
  the workspace set on ``app.state.db``, or the bundled case (read-only) when that file does
  not exist. Resolved on every request; the services read the case at the workspace's
  current revision, so a write made while the server runs is seen by the next request.
- :data:`IncludeDep`: ``?include=proposals`` (anything else: 400).
- :data:`PageDep`: ``limit`` (1–1000, default 100) and ``offset`` (≥ 0) of list endpoints.
- :func:`reject_unknown_query`: refuses query parameters an endpoint does not declare.
- :data:`PrincipalDep`: the account of the request's ``Authorization: Bearer`` token, or
  None without one; :func:`read_access` refuses anonymous reads of a workspace unless the
  app was made with ``public_read=True`` (``/api/health`` and the bundled case stay open).

Dependencies that may wait for the database (:func:`principal`) are plain functions: FastAPI
runs them in its thread pool, so they never block the event loop. The others do no I/O
(at most a ``stat`` of the workspace file) and are ``async``: they run on the event loop,
without a hop to a worker thread and back for each (about a tenth of a millisecond each).

Examples:
    >>> import asyncio
    >>> asyncio.run(page(limit=2, offset=1))
    Page(limit=2, offset=1)
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant

from regionet.core.errors import (
    AuthenticationError,
    InvalidValueError,
    RegionetError,
    did_you_mean,
)
from regionet.services.accounts import Principal, authenticate, require
from regionet.services.case_source import CaseSource
from regionet.services.paging import MAX_LIMIT, MAX_OFFSET, Page

__all__ = ["CHECKED_PRINCIPAL", "INCLUDES", "IncludeDep", "PageDep", "PrincipalDep",
           "SourceDep", "bearer_principal", "case_source", "include_proposals", "page",
           "principal", "read_access", "reject_unknown_query"]


async def case_source(request: Request) -> CaseSource:
    """Return the case source configured on the application (``app.state.db``)."""
    db = getattr(request.app.state, "db", None)
    return CaseSource.open(db)


SourceDep = Annotated[CaseSource, Depends(case_source)]

#: Paths anyone may read, with or without an account.
PUBLIC_PATHS = frozenset({"/api/health"})


#: The ``scope`` key under which :class:`~regionet.interfaces.api.response_cache.ResponseCache`
#: leaves the ``(Authorization header, principal)`` it has just checked, so that a request it
#: passes on to the application is not authenticated twice.
CHECKED_PRINCIPAL = "regionet.checked_principal"


def principal(request: Request, source: SourceDep) -> Principal | None:
    """The account named by the request's bearer token; None without ``Authorization``.

    Raises:
        AuthenticationError: a header that is not ``Bearer <token>``, or an unknown or
            revoked token (401 with ``WWW-Authenticate: Bearer``).
    """
    header = request.headers.get("authorization")
    checked = request.scope.get(CHECKED_PRINCIPAL)
    if checked is not None and checked[0] == header:
        found: Principal | None = checked[1]
        return found
    return bearer_principal(source, header)


def bearer_principal(source: CaseSource, header: str | None) -> Principal | None:
    """The account of an ``Authorization`` header's bearer token (one query); None without.

    Raises:
        AuthenticationError: a header that is not ``Bearer <token>``, or an unknown or
            revoked token.
    """
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("unsupported Authorization header", field="Authorization",
                                  expected="Bearer <token>")
    return authenticate(source, token)


PrincipalDep = Annotated[Principal | None, Depends(principal)]


async def read_access(request: Request, source: SourceDep, who: PrincipalDep) -> None:
    """Refuse an anonymous read of a workspace unless the app serves it publicly."""
    if request.url.path in PUBLIC_PATHS or source.kind != "workspace":
        return
    if getattr(request.app.state, "public_read", False):
        return
    require(who, "reader", "reading this workspace")


async def page(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size (1–1000)")] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")] = 0,
) -> Page:
    """Read the pagination parameters of a list endpoint."""
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(page)]

#: The values ``?include=`` takes.
INCLUDES = ("proposals",)


def include_proposals(
    include: Annotated[str | None, Query(
        description="`proposals`: also the records proposed and under review, each with "
                    "its proposal id and state (see docs/api.md)")] = None,
) -> bool:
    """Whether the request asks for the proposed records too (``?include=proposals``).

    Raises:
        RegionetError: another value (400, naming the parameter).
    """
    if include is None:
        return False
    if include not in INCLUDES:
        raise RegionetError("unknown include", field="include", value=include,
                            expected="one of " + ", ".join(INCLUDES),
                            hint=did_you_mean(include, list(INCLUDES)))
    return True


IncludeDep = Annotated[bool, Depends(include_proposals)]


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def reject_unknown_query(request: Request) -> None:
    """Refuse a query parameter the endpoint does not declare (``?actors=`` for ``actor``).

    A typo would otherwise be ignored silently and return every record.

    Raises:
        InvalidValueError: naming the unknown parameter and the nearest declared one.
    """
    route: Any = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _query_names(dependant)
    for name in request.query_params:
        if name not in known:
            raise InvalidValueError(
                "unknown query parameter", field=name, value=request.query_params[name],
                expected=("one of " + ", ".join(sorted(known))) if known
                else "no query parameters",
                hint=did_you_mean(name, sorted(known)))
