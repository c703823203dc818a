"""Several server processes for ``regionet serve --workers N``.

One Python process answers with one core at most (the GIL): a team server's reads, edits and
whole-graph recomputations then queue behind each other. With ``--workers N`` uvicorn's
supervisor starts ``N`` processes that share the listening socket; each builds its own
application with :func:`app_from_environment` from the options ``regionet serve`` put in the
environment variable :data:`OPTIONS` (a JSON object of :func:`create_app` keyword arguments),
and each connection is served by one of them.

What is per process: the response cache and the whole-graph results (each worker computes
them once per workspace revision), and the rate limit (a client's requests are counted by
the worker that serves its connection: with several connections a client may reach up to
``N`` times ``--rate-limit``). What is shared: the workspace, its revision counter and
locks, the accounts: a write in one worker is seen by the next read in any other.

Examples:
    >>> import json, os
    >>> os.environ[OPTIONS] = json.dumps({"db": None, "rate_limit": 5.0, "body_timeout": 0})
    >>> app = app_from_environment()
    >>> app.state.db is None, protocol_timeout()
    (True, 12.0)
    >>> del os.environ[OPTIONS]
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Final

from fastapi import FastAPI

from regionet.interfaces.api.app import create_app
from regionet.interfaces.api.connection import GRACE, BoundedAccessLog, BoundedH11Protocol
from regionet.interfaces.api.timeouts import BODY_TIMEOUT

__all__ = ["OPTIONS", "WorkerProtocol", "app_from_environment", "protocol_timeout"]

#: The environment variable holding the application's options (JSON) for each worker.
OPTIONS: Final = "REGIONET_SERVE_OPTIONS"


def _options() -> dict[str, Any]:
    raw = os.environ.get(OPTIONS)
    options: dict[str, Any] = json.loads(raw) if raw else {}
    return options


def protocol_timeout() -> float:
    """Seconds a connection has for a whole request: the body timeout and a grace period."""
    body = float(_options().get("body_timeout", BODY_TIMEOUT))
    return (body if body > 0 else BODY_TIMEOUT) + GRACE


class WorkerProtocol(BoundedH11Protocol):
    """:class:`BoundedH11Protocol` with the serve command's body timeout (read at import).

    A module-level class: uvicorn's supervisor sends the configuration to each worker
    process by pickling it, which a class made inside a function cannot survive.
    """

    request_timeout = protocol_timeout()


def app_from_environment() -> FastAPI:
    """Build one worker's application from :data:`OPTIONS` (uvicorn's ``factory``)."""
    logging.getLogger("uvicorn.access").addFilter(BoundedAccessLog())
    return create_app(**_options())
