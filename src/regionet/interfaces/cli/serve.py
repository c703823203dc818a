"""``regionet serve``: the REST API and the dashboard on a local web server (uvicorn).

FastAPI and uvicorn are imported only when the command runs, so ``regionet --help`` stays fast.
The server is hardened by default (docs/api.md, "Security and limits"): it answers only to
the loopback names and the ``--host`` address (``--allowed-host`` adds names), limits each
client's request rate (``--rate-limit``) and the time a request body may take
(``--body-timeout``), sends no CORS headers unless ``--cors-origin`` is given, and closes
connections that do not deliver a request in time. ``--workers N`` runs N server processes
(:mod:`regionet.interfaces.api.workers`).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Annotated, Any

import typer

__all__ = ["serve"]


def _rate(text: str) -> float:
    from regionet.interfaces.api.ratelimit import parse_rate

    try:
        return parse_rate(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _origin(text: str) -> str:
    from regionet.interfaces.api.security import cors_origin

    try:
        return cors_origin(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _proxies(text: str) -> tuple[str, ...]:
    from regionet.interfaces.api.security import forwarded_ips

    try:
        return forwarded_ips(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    db: Annotated[str, typer.Option("--db", envvar="REGIONET_DB",
                                    help="Workspace SQLite file or database URL (env "
                                         "REGIONET_DB); when it does not exist the bundled "
                                         "case is served read-only.")] = "regionet.db",
    allowed_host: Annotated[list[str] | None, typer.Option(
        "--allowed-host", help="Also answer requests whose Host header names NAME (repeatable; "
                               "'*': any host). By default only localhost, 127.0.0.1, [::1] "
                               "and the --host address are answered (421 for others).")] = None,
    cors_origin: Annotated[list[str] | None, typer.Option(
        "--cors-origin", parser=_origin,
        help="Let pages from ORIGIN (scheme://host[:port]) call the API from a browser "
             "(repeatable). Default: no CORS.")] = None,
    rate_limit: Annotated[float, typer.Option(
        "--rate-limit", parser=_rate, metavar="N/s",
        help="Requests a second per client (bearer token, else address), bursts of twice "
             "that; 429 beyond. 0: no limit.")] = "50/s",  # type: ignore[assignment]
    body_timeout: Annotated[float, typer.Option(
        "--body-timeout", min=0, help="Seconds a request body may take to arrive (408 "
                                      "beyond); 0: no limit.")] = 10.0,
    public_read: Annotated[bool, typer.Option(
        "--public-read", help="Let requests without a token read the workspace (writes "
                              "always need one).")] = False,
    forwarded_allow_ips: Annotated[str, typer.Option(
        "--forwarded-allow-ips", metavar="IPS",
        help="Reverse proxies (comma-separated IP addresses or networks) whose "
             "X-Forwarded-For names the client, for the rate limit. Default: none (the "
             "header is ignored).")] = "",
    workers: Annotated[int, typer.Option(
        "--workers", min=1, max=64,
        help="Server processes sharing the port (one uses one core at most). Each keeps its "
             "own caches and counts its own clients' rate.")] = 1,
) -> None:
    """Serve the REST API (/api, docs at /docs) and the dashboard (/) with uvicorn."""
    try:
        import uvicorn

        from regionet.interfaces.api import create_app
        from regionet.interfaces.api.connection import BoundedAccessLog, uvicorn_settings
        from regionet.interfaces.api.security import default_hosts
        from regionet.services.case_source import CaseSource
    except ImportError as exc:  # the server's dependencies are an optional extra
        typer.echo(f"error: `regionet serve` needs FastAPI and uvicorn ({exc.name} is not "
                   "installed): pip install 'regionet[serve]'", err=True)
        raise typer.Exit(1) from None

    proxies = _proxies(forwarded_allow_ips)
    hosts = sorted(default_hosts(host) | set(allowed_host or ()))
    typer.echo(f"regionet: {CaseSource.open(db).describe()}")
    typer.echo(f"regionet: answering requests to {', '.join(hosts)}"
               + ("" if "*" in hosts else " (add names with --allowed-host)"))
    typer.echo(f"regionet: dashboard http://{host}:{port}/ , API docs http://{host}:{port}/docs "
               "(Ctrl+C to stop)")
    options: dict[str, Any] = {
        "allowed_hosts": hosts, "cors_origins": list(cors_origin or ()),
        "rate_limit": rate_limit, "body_timeout": body_timeout, "public_read": public_read,
        "forwarded_allow_ips": list(proxies)}
    # proxy_headers=False: uvicorn's own handling would trust 127.0.0.1 (or the environment's
    # FORWARDED_ALLOW_IPS) by default; the app trusts exactly --forwarded-allow-ips.
    settings = uvicorn_settings(body_timeout)  # configures uvicorn's logging
    if workers > 1:
        import json
        import os

        from regionet.interfaces.api.workers import OPTIONS, WorkerProtocol

        os.environ[OPTIONS] = json.dumps({"db": db, **options})
        typer.echo(f"regionet: {workers} server processes")
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.run("regionet.interfaces.api.workers:app_from_environment", factory=True,
                        workers=workers, host=host, port=port, log_level="info",
                        proxy_headers=False, **{**settings, "http": WorkerProtocol})
        return
    app = create_app(db, **options)
    config = uvicorn.Config(app, host=host, port=port, log_level="info", proxy_headers=False,
                            **settings)
    logging.getLogger("uvicorn.access").addFilter(BoundedAccessLog())
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl+C: uvicorn re-raises it once stopped
        uvicorn.Server(config).run()
