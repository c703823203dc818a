"""Request dependencies of the REST API, as ``Annotated[..., Depends(...)]`` aliases.

- :data:`SourceDep`: the :class:`~regionet.services.case_source.CaseSource` of the request:
  the workspace set on ``app.state.db``, or the bundled case (read-only) when that file does
  not exist. Resolved on every request; the services read the case at the workspace's
  current revision, so a write made while the server runs is seen by the next request.
- :data:`PageDep`: ``limit`` (1–1000, default 100) and ``offset`` (≥ 0) of list endpoints.
- :func:`reject_unknown_query`: refuses query parameters an endpoint does not declare.

Dependencies are plain functions: FastAPI runs them in its thread pool, so nothing here ever
blocks the event loop.

Examples:
    >>> page(limit=2, offset=1)
    Page(limit=2, offset=1)
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant

from regionet.core.errors import InvalidValueError, did_you_mean
from regionet.services.case_source import CaseSource
from regionet.services.paging import MAX_LIMIT, Page

__all__ = ["PageDep", "SourceDep", "case_source", "page", "reject_unknown_query"]


def case_source(request: Request) -> CaseSource:
    """Return the case source configured on the application (``app.state.db``)."""
    db = getattr(request.app.state, "db", None)
    return CaseSource.open(db)


SourceDep = Annotated[CaseSource, Depends(case_source)]


def page(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size (1–1000)")] = 100,
    offset: Annotated[int, Query(ge=0, description="items to skip")] = 0,
) -> Page:
    """Read the pagination parameters of a list endpoint."""
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(page)]


def _query_names(dependant: Dependant) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


def reject_unknown_query(request: Request) -> None:
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
