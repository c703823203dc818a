"""The uvicorn settings of ``regionet serve``: bounded time and size for every connection.

- :class:`BoundedH11Protocol` (uvicorn's HTTP/1.1 protocol with one more timer): a connection
  must deliver a complete request (headers and body) within ``request_timeout`` seconds of
  opening or of its previous response, else it is closed. This covers what the ASGI
  middleware :class:`~regionet.interfaces.api.timeouts.BodyTimeout` cannot see: headers sent
  slowly, a connection that sends nothing, and a body the application never reads (it
  answered before the body ended).
- :func:`uvicorn_settings`: the options ``regionet serve`` passes to ``uvicorn.run``:
  this protocol, keep-alive 5 s, request line and headers at most 16 KiB (uvicorn answers
  400 beyond), and no ``Server`` header.
- :class:`BoundedAccessLog`: a filter for uvicorn's access log that writes at most 200
  characters of a request's path and query (a 50 kB URL is not written whole).

uvicorn is imported here only; the module is used by ``regionet serve``.

Examples:
    >>> settings = uvicorn_settings(10.0)
    >>> settings["http"].request_timeout, settings["timeout_keep_alive"]
    (12.0, 5)
    >>> settings["h11_max_incomplete_event_size"], settings["server_header"]
    (16384, False)
    >>> line = '%s - "%s %s HTTP/%s" %d'
    >>> target = "/api/ties?actor=" + "x" * 500
    >>> record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, line,
    ...                            ("127.0.0.1:5", "GET", target, "1.1", 422), None)
    >>> BoundedAccessLog().filter(record), record.getMessage()[-42:]
    (True, 'xxxxxxxxxx… (516 characters) HTTP/1.1" 422')
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from regionet.interfaces.api.problems import bounded
from regionet.interfaces.api.timeouts import BODY_TIMEOUT

__all__ = ["GRACE", "HEADER_BYTES", "KEEP_ALIVE", "BoundedAccessLog", "BoundedH11Protocol",
           "uvicorn_settings"]

#: Seconds an idle keep-alive connection is kept open.
KEEP_ALIVE: Final = 5
#: The most bytes of a request line and headers.
HEADER_BYTES: Final = 16 * 1024
#: Extra seconds the connection timer grants over the body timeout (so that the middleware's
#: 408 answer is sent first when the application is reading the body).
GRACE: Final = 2.0


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection that does not deliver a request in time.

    The timer runs while the connection waits for a request (from the connection's opening,
    and again after each response) and stops once the request has fully arrived (h11's
    client state ``DONE``): the time the application takes to answer is not limited.
    """

    request_timeout: float = BODY_TIMEOUT + GRACE

    def __init__(self, config: Config, server_state: ServerState,
                 app_state: dict[str, Any], _loop: asyncio.AbstractEventLoop | None = None
                 ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._request_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self._request_timer = self.loop.call_later(self.request_timeout, self._expire)

    def _disarm(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _expire(self) -> None:
        self._request_timer = None
        if self.conn.their_state is not h11.DONE and not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the request timer on a new connection."""
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the timer."""
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Stop the timer once the whole request has arrived."""
        super().data_received(data)
        if self.conn.their_state is h11.DONE:
            self._disarm()

    def on_response_complete(self) -> None:
        """Start the timer again: the connection now waits for the next request."""
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()
            if self.conn.their_state is h11.DONE:  # a pipelined request already arrived
                self._disarm()


def uvicorn_settings(body_timeout: float = BODY_TIMEOUT) -> dict[str, Any]:
    """Return the keyword arguments of ``uvicorn.run`` that bound a client's time and size.

    Args:
        body_timeout: seconds for a request body (0: no body timeout; the connection timer
            then uses :data:`BODY_TIMEOUT`).
    """

    class Protocol(BoundedH11Protocol):
        request_timeout = (body_timeout if body_timeout > 0 else BODY_TIMEOUT) + GRACE

    return {"http": Protocol, "timeout_keep_alive": KEEP_ALIVE,
            "h11_max_incomplete_event_size": HEADER_BYTES, "server_header": False}


class BoundedAccessLog(logging.Filter):
    """Shorten the path and query of uvicorn's access log lines to 200 characters."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Bound the request target of one access log record; keep the record."""
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], bounded(args[2]), *args[3:])
        return True
