"""The dashboard: HTML pages and static files served next to the REST API.

The pages are plain HTML filled in by string replacement; their scripts (vanilla JS, no build
step) fetch JSON from ``/api`` and draw with Plotly.js, which is served from the installed
``plotly`` package at ``/static/plotly.min.js``. No page loads anything from another host.

Call :func:`mount_dashboard` once on the app built by the API::

    mount_dashboard(app)   # in create_app, after the /api routes are added

Examples:
    >>> from fastapi import FastAPI
    >>> app = FastAPI()
    >>> mount_dashboard(app)
    >>> sorted(p for p in PAGES)
    ['/compare', '/map', '/network', '/propose', '/review', '/signin', '/simulate']
"""

from __future__ import annotations

import json
import re
from html import escape
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message

__all__ = ["PAGES", "mount_dashboard", "render_page"]

_HERE = Path(__file__).resolve().parent
_TEMPLATES = _HERE / "templates"
_STATIC = _HERE / "static"

#: Page path -> (template, title, script) for the pages that take no argument.
PAGES: dict[str, tuple[str, str, str]] = {
    "/map": ("map.html", "Map of the subjects", "map.js"),
    "/network": ("network.html", "Cooperation network", "network.js"),
    "/compare": ("compare.html", "Scenario comparison", "compare.js"),
    "/simulate": ("simulate.html", "Scenario runner", "simulate.js"),
    "/signin": ("signin.html", "Sign in", "signin.js"),
    "/propose": ("propose.html", "Propose a tie", "propose.js"),
    "/review": ("review.html", "Review proposals", "review.js"),
}

_NAV = (("/", "Overview"), ("/map", "Map"), ("/network", "Network"),
        ("/compare", "Compare scenarios"), ("/simulate", "Run the model"),
        ("/propose", "Propose"), ("/review", "Review"))

#: Pages whose script draws no chart (Plotly.js, 3.5 MB, is not loaded).
_NO_CHARTS = frozenset({"/signin", "/propose", "/review"})

_ID = re.compile(r"[A-Za-z0-9_.:-]{1,80}")


def _template(name: str) -> str:
    return (_TEMPLATES / name).read_text(encoding="utf-8")


def render_page(content: str, *, title: str, active: str = "", script: str = "",
                plotly: bool = True, data: dict[str, str] | None = None) -> str:
    """Return a full page: the shared layout around ``content``.

    Args:
        content: the page's inner HTML (trusted template text).
        title: the page title (escaped here).
        active: the navigation path to mark as current.
        script: the page's file under ``/static/`` (loaded after ``common.js``), or ``""``.
        plotly: whether the page's script needs Plotly.js.
        data: ``data-*`` attributes for ``<main>`` (escaped here), read by the script.

    Returns:
        The HTML document.

    Examples:
        >>> page = render_page("<p>hi</p>", title="A & B", active="/map")
        >>> "<title>A &amp; B · regionet</title>" in page, 'aria-current="page"' in page
        (True, True)
    """
    current = ' aria-current="page"'
    nav = "".join(f'<li><a href="{href}"{current if href == active else ""}>'
                  f"{escape(label)}</a></li>" for href, label in _NAV)
    names = ((["plotly.min.js"] if plotly else []) + ["common.js", script]) if script else []
    scripts = "\n".join(f'<script src="/static/{escape(n)}"></script>' for n in names)
    attrs = "".join(f' data-{escape(k)}="{escape(v)}"' for k, v in (data or {}).items())
    return (_template("base.html")
            .replace("{{title}}", escape(title))
            .replace("{{nav}}", nav)
            .replace("{{main_attrs}}", attrs)
            .replace("{{content}}", content)
            .replace("{{scripts}}", scripts))


def _html(content: str, status: int = 200, **kwargs: Any) -> HTMLResponse:
    return HTMLResponse(render_page(content, **kwargs), status_code=status)


def _error(status: int, heading: str, message: str) -> HTMLResponse:
    content = (_template("error.html").replace("{{heading}}", escape(heading))
               .replace("{{message}}", escape(message)))
    return _html(content, status=status, title=heading)


def _not_found(actor_id: str) -> HTMLResponse:
    shown = actor_id if len(actor_id) <= 80 else f"{actor_id[:80]}… ({len(actor_id)} characters)"
    return _error(404, "Not found", f"There is no region or actor {shown!r} in this case.")


async def _asgi_get(app: ASGIApp, path: str, request: Request) -> tuple[int, Any]:
    """Run ``GET path`` on ``app`` in process; return the status and the decoded JSON body.

    The dashboard asks the API (whatever workspace it serves) rather than reading storage.
    """
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "headers": [(b"accept", b"application/json")],
        "client": request.scope.get("client"), "server": request.scope.get("server"),
        "state": dict(request.scope.get("state") or {}),
    }
    status = 500
    body = bytearray()

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(scope, receive, send)
    try:
        return status, json.loads(body) if body else None
    except ValueError:
        return status, None


def _plotly_js() -> Path | None:
    try:
        path = Path(str(files("plotly").joinpath("package_data", "plotly.min.js")))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


def mount_dashboard(app: FastAPI) -> None:
    """Add the dashboard's pages and static files to ``app``.

    Adds ``/``, ``/map``, ``/network``, ``/region/{id}``, ``/compare``, ``/simulate``,
    ``/static/...`` and
    ``/static/plotly.min.js`` (from the installed ``plotly`` package). The pages call the
    ``/api`` routes of the same app; the region page asks ``/api/actors/{id}`` in process
    and answers 404 when the API does not know the id.

    Args:
        app: the application that serves the REST API under ``/api``.
    """

    @app.api_route("/static/plotly.min.js", methods=["GET", "HEAD"], include_in_schema=False)
    def plotly_js() -> Response:
        path = _plotly_js()
        if path is None:
            return PlainTextResponse("Plotly.js is not available: install regionet[serve] "
                                     "(it needs the plotly package).", status_code=503)
        return FileResponse(path, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return _html(_template("index.html"), title="Dashboard", active="/",
                     script="index.js", plotly=False)

    for path, (template, title, script) in PAGES.items():
        _add_page(app, path, template, title, script)

    @app.get("/region/{actor_id}", response_class=HTMLResponse, include_in_schema=False)
    async def region(actor_id: str, request: Request) -> HTMLResponse:
        if not _ID.fullmatch(actor_id):
            return _not_found(actor_id)
        status, actor = await _asgi_get(request.app, f"/api/actors/{quote(actor_id)}", request)
        if status == 404:
            return _not_found(actor_id)
        if status in (401, 403):   # a team workspace: the page's script asks with the token
            actor = {"name_en": actor_id, "kind": ""}
        elif status != 200 or not isinstance(actor, dict):
            detail = actor.get("detail") if isinstance(actor, dict) else None
            return _error(503, "Region unavailable",
                          str(detail or f"The API answered {status} for this region."))
        name = str(actor.get("name_en") or actor_id)
        content = _template("region.html").replace("{{name}}", escape(name))
        return _html(content, title=f"{name}: region profile", script="region.js",
                     data={"actor": actor_id, "kind": str(actor.get("kind", ""))})

    app.mount("/static", StaticFiles(directory=_STATIC), name="dashboard-static")


def _add_page(app: FastAPI, path: str, template: str, title: str, script: str) -> None:
    def page() -> HTMLResponse:
        return _html(_template(template), title=title, active=path, script=script,
                     plotly=path not in _NO_CHARTS)

    app.add_api_route(path, page, methods=["GET"], response_class=HTMLResponse,
                      include_in_schema=False, name=f"dashboard{path.replace('/', '-')}")
