"""Browser-facing protections of the server: security headers, allowed hosts, CORS, health.

- :class:`SecurityHeaders` (ASGI middleware): every response carries
  ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY``,
  ``Referrer-Policy: no-referrer``, ``Cross-Origin-Opener-Policy: same-origin``,
  ``Cross-Origin-Resource-Policy: same-origin`` and a ``Content-Security-Policy``:
  :data:`DASHBOARD_CSP` for the dashboard's HTML pages (scripts only from the server itself:
  the pages have no inline script), :data:`DOCS_CSP` for FastAPI's ``/docs`` and ``/redoc``
  (which load Swagger UI / ReDoc from a CDN and run an inline script), :data:`API_CSP`
  (nothing may load, nothing may frame) for everything else.
- :class:`HostAllowList` (ASGI middleware): a request whose ``Host`` is not allowed gets
  **421** problem+json naming the host, so a DNS-rebinding page cannot talk to the server
  through a name it controls. :func:`default_hosts` are the loopback names plus the
  address the server is bound to; ``regionet serve --allowed-host`` adds names.
- :func:`cors_origin`: checks a ``--cors-origin`` value (CORS is closed unless configured).
- :func:`forwarded_ips`: checks a ``--forwarded-allow-ips`` value: the proxies whose
  ``X-Forwarded-For`` names the real client (for the rate limit); none by default, so a
  client cannot pick the address it is limited as by sending the header itself.
- :func:`health_detail`: what ``GET /api/health`` shows of the workspace's location to a
  principal: to everyone but an admin only the file name (or, for a database URL, its
  scheme and database name, never the credentials; see
  :mod:`regionet.interfaces.api.redaction`); to an admin the full location (passwords
  redacted), the backend, the schema version and the migration revision.

Examples:
    >>> sorted(default_hosts("0.0.0.0"))
    ['0.0.0.0', '127.0.0.1', '[::1]', 'localhost']
    >>> host_name("Example.ORG:8000"), host_name("[::1]:8000"), host_name("::1")
    ('example.org', '[::1]', '[::1]')
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any, Final
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from regionet.interfaces.api.problems import MAX_ECHO, bounded, send_problem
from regionet.interfaces.api.redaction import public_location, redact
from regionet.services.accounts import Principal, allows
from regionet.services.case_source import CaseSource
from regionet.services.database import database_status

__all__ = ["API_CSP", "DASHBOARD_CSP", "DOCS_CSP", "DOCS_PATHS", "LOOPBACK_HOSTS",
           "HostAllowList", "SecurityHeaders", "cors_origin", "default_hosts",
           "forwarded_ips", "health_detail", "host_name"]

#: Content-Security-Policy of the dashboard's pages: everything from the server itself;
#: ``style-src 'unsafe-inline'`` because Plotly.js sets ``style`` attributes on the SVG it
#: draws; ``data:`` images for the favicon and Plotly's icons, ``blob:`` for "download plot".
DASHBOARD_CSP: Final = ("default-src 'self'; script-src 'self'; "
                        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                        "font-src 'self'; connect-src 'self'; object-src 'none'; "
                        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
#: Content-Security-Policy of FastAPI's interactive API documentation (``/docs``, ``/redoc``).
DOCS_CSP: Final = ("default-src 'self'; "
                   "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
                   "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net "
                   "https://fonts.googleapis.com; font-src 'self' https://fonts.gstatic.com; "
                   "img-src 'self' data: https://fastapi.tiangolo.com "
                   "https://cdn.redoc.ly; worker-src 'self' blob:; connect-src 'self'; "
                   "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
#: Content-Security-Policy of everything else (JSON, problems, scripts, data files).
API_CSP: Final = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
#: The paths of FastAPI's interactive documentation.
DOCS_PATHS: Final = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})

_COMMON: Final = (("x-content-type-options", "nosniff"), ("x-frame-options", "DENY"),
                  ("referrer-policy", "no-referrer"),
                  ("cross-origin-opener-policy", "same-origin"),
                  ("cross-origin-resource-policy", "same-origin"))


def _policy(path: str, content_type: str) -> str:
    if not content_type.startswith("text/html"):
        return API_CSP
    return DOCS_CSP if path in DOCS_PATHS else DASHBOARD_CSP


class SecurityHeaders:
    """Add the security headers to every HTTP response (a header already set is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI event."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _COMMON:
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy",
                                   _policy(scope.get("path", ""),
                                           headers.get("content-type", "")))
            await send(message)

        await self.app(scope, receive, send_secured)


#: The names a server bound to loopback answers to.
LOOPBACK_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "[::1]"})


def host_name(host: str) -> str:
    """Return the host of a ``Host`` header or ``--host`` value: lower case, no port.

    A bare IPv6 address gets its brackets (``::1`` → ``[::1]``), as in a ``Host`` header.
    """
    text = host.strip().lower().rstrip(".")
    if text.startswith("["):
        return text[:text.find("]") + 1] if "]" in text else text
    if text.count(":") > 1:  # a bare IPv6 address
        return f"[{text}]"
    name, _, port = text.partition(":")
    return name if port.isdigit() or not port else text


def default_hosts(bind: str) -> set[str]:
    """Return the hosts allowed by default: the loopback names and the bound address."""
    return set(LOOPBACK_HOSTS) | {host_name(bind)}


class HostAllowList:
    """Refuse a request whose ``Host`` header names none of ``hosts`` (421 problem+json).

    ``"*"`` in ``hosts`` allows every host (behind a proxy that checks it). A request with no
    ``Host`` header (HTTP/1.0) is refused too.
    """

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = frozenset(host_name(h) if h != "*" else h for h in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI event."""
        if scope["type"] not in ("http", "websocket") or "*" in self.hosts:
            await self.app(scope, receive, send)
            return
        raw = next((v for k, v in scope.get("headers", ()) if k == b"host"), None)
        host = raw.decode("latin-1") if raw is not None else None
        if host is not None and host_name(host) in self.hosts:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":  # no HTTP answer possible: close (policy violation)
            await send({"type": "websocket.close", "code": 1008})
            return
        await send_problem(send, self.problem(host, scope.get("path", "")),
                           [("connection", "close")])

    def problem(self, host: str | None, instance: str) -> dict[str, Any]:
        """Return the 421 problem of a request to ``host``."""
        allowed = ", ".join(sorted(self.hosts))
        if host is None:
            detail = "the request has no Host header; this server answers only to " + allowed
        else:
            detail = (f"the Host header '{bounded(host, MAX_ECHO)}' is not one this server "
                      f"answers to ({allowed}); to serve it, start the server with "
                      f"--allowed-host {bounded(host_name(host), MAX_ECHO)}")
        return {"type": "urn:regionet:problem:host-not-allowed", "title": "Misdirected Request",
                "status": 421, "detail": detail, "instance": instance, "field": "Host",
                "value": host, "expected": f"one of {allowed}"}


def cors_origin(text: str) -> str:
    """Return ``text`` as a CORS origin (``scheme://host[:port]``, no path), or raise.

    Raises:
        ValueError: naming the value and the expected form.

    Examples:
        >>> cors_origin("https://team.example.org/")
        'https://team.example.org'
        >>> cors_origin("team.example.org")
        Traceback (most recent call last):
        ValueError: CORS origin 'team.example.org': expected scheme://host[:port], like https://team.example.org
    """
    value = text.strip().rstrip("/")
    if value == "*":
        return value
    parts = urlsplit(value)
    if (parts.scheme not in ("http", "https") or not parts.netloc or parts.path
            or parts.query or parts.fragment or "@" in parts.netloc):
        raise ValueError(f"CORS origin {text!r}: expected scheme://host[:port], like "
                         "https://team.example.org")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def forwarded_ips(text: str) -> tuple[str, ...]:
    """Return the proxies of ``--forwarded-allow-ips`` (addresses or networks), or raise.

    Raises:
        ValueError: naming the item that is not an IP address or network.

    Examples:
        >>> forwarded_ips("10.0.0.1, 192.168.0.0/16,::1")
        ('10.0.0.1', '192.168.0.0/16', '::1')
        >>> forwarded_ips("")
        ()
        >>> forwarded_ips("10.0.0.1,proxy.lan")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ValueError: --forwarded-allow-ips item 'proxy.lan': expected an IP address or network...
    """
    items = tuple(item.strip() for item in text.split(",") if item.strip())
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(f"--forwarded-allow-ips item {item[:MAX_ECHO]!r}: expected an IP "
                             "address or network, like 10.0.0.1 or 10.0.0.0/8 "
                             "(comma-separated)") from None
    return items


def _backend(location: str) -> str:
    return urlsplit(location).scheme.split("+")[0] if "://" in location else "sqlite"


def health_detail(source: CaseSource, configured: str | None = None,
                  principal: Principal | None = None) -> dict[str, Any]:
    """Return ``db``, ``detail`` and ``admin`` of ``GET /api/health`` as ``principal`` sees them.

    The one place that decides how much of the server's configuration a caller sees. A
    non-admin (or an anonymous caller) sees the workspace's file name only (for a database
    URL, its kind and database name), never its directory or credentials, also when the
    configured workspace (``configured``) does not exist; ``admin`` is None. An admin sees
    the full location with any password replaced by ``***``, and ``admin``: that location,
    the backend (``sqlite``, ``postgresql``), the schema version of the case and the
    migration revision (and the newest one).

    Examples:
        >>> shown = health_detail(CaseSource.open("/srv/x/absent.db"), "/srv/x/absent.db")
        >>> shown["db"], shown["detail"][:39], "/srv" in shown["detail"], shown["admin"]
        (None, 'the workspace absent.db does not exist;', False, None)
        >>> admin = health_detail(CaseSource.open("/srv/x/absent.db"), "/srv/x/absent.db",
        ...                       Principal("ada", "admin"))
        >>> admin["detail"][:45], admin["admin"]
        ('the workspace /srv/x/absent.db does not exist', None)
    """
    location = source.location if source.kind == "workspace" else None
    detail = source.describe()
    if principal is None or not allows(principal, "admin"):
        return {"db": None if location is None else public_location(location),
                "detail": redact(detail, (location, configured)), "admin": None}
    if location is None:
        return {"db": None, "detail": redact(detail, ()), "admin": None}
    status = database_status(location)
    shown = redact(location, ())
    return {"db": shown, "detail": redact(detail, ()), "admin": {
        "location": shown, "backend": _backend(location), "schema_version": status.schema,
        "migration": status.revision, "migration_head": status.head}}
