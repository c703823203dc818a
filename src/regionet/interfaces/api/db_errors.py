"""A database error that escaped the storage layer is a 503 problem, never a 500 or a hang.

The storage layer turns the errors it sees into readable ones (a server that does not answer
is a ``DatabaseUnavailableError``, answered 503 by :mod:`regionet.interfaces.api.problems`).
This handler is the net under it: a SQLAlchemy ``OperationalError`` or ``InterfaceError``
(a dropped connection, a server shutting down, a statement timeout) raised anywhere in a
request becomes ``503 Service Unavailable`` with ``Retry-After``; the driver's message stays
in the server's log, not in the response.

Examples:
    >>> from fastapi import FastAPI
    >>> from fastapi.testclient import TestClient
    >>> app = FastAPI()
    >>> install_db_error_handler(app)
    >>> @app.get("/boom")
    ... def boom() -> None:
    ...     raise sa_exc.OperationalError("SELECT 1", {}, Exception("server closed"))
    >>> response = TestClient(app).get("/boom")
    >>> response.status_code, response.headers["retry-after"], response.json()["title"]
    (503, '5', 'Database unavailable')
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from sqlalchemy import exc as sa_exc

from regionet.interfaces.api.schemas import Problem

__all__ = ["RETRY_AFTER_SECONDS", "install_db_error_handler"]

#: What a client is told to wait before trying again.
RETRY_AFTER_SECONDS = 5
_LOG = logging.getLogger("regionet.api")


def install_db_error_handler(app: FastAPI) -> None:
    """Answer SQLAlchemy connection-level errors with a 503 problem."""
    from regionet.interfaces.api.problems import ProblemResponse

    async def on_database(request: Request, error: Exception) -> ProblemResponse:
        _LOG.warning("database unavailable on %s %s: %s", request.method, request.url.path,
                     " ".join(str(error).split())[:300])
        body = Problem(type="urn:regionet:problem:database-unavailable",
                       title="Database unavailable", status=503,
                       detail="the database server is not available; try again shortly",
                       instance=request.url.path)
        return ProblemResponse(body.model_dump(exclude_none=True), status_code=503,
                               headers={"Retry-After": str(RETRY_AFTER_SECONDS)})

    app.add_exception_handler(sa_exc.OperationalError, on_database)
    app.add_exception_handler(sa_exc.InterfaceError, on_database)
