"""Hardening of the REST server, in process: security headers, Host allow-list, CORS, health,
bounded error bodies and the body timeout (docs/api.md, "Security and limits")."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from regionet.interfaces.api import create_app
from regionet.interfaces.api.redaction import public_location, redact
from regionet.interfaces.api.security import (
    API_CSP,
    DASHBOARD_CSP,
    DOCS_CSP,
    HostAllowList,
    health_detail,
)
from regionet.services.case_source import CaseSource
from regionet.services.workspace import init_workspace

COMMON = {"x-content-type-options": "nosniff", "x-frame-options": "DENY",
          "referrer-policy": "no-referrer", "cross-origin-opener-policy": "same-origin",
          "cross-origin-resource-policy": "same-origin"}

client = TestClient(create_app(None))


def call(app: Any, path: str, query: bytes = b"", *, method: str = "GET", body: bytes = b"",
         headers: Sequence[tuple[bytes, bytes]] = ((b"host", b"testserver"),),
         chunks: Sequence[tuple[float, bytes]] | None = None) -> tuple[int, dict[str, str],
                                                                       bytes]:
    """Run one request through the ASGI app (no URL length limit, unlike httpx).

    ``chunks``: the body as (seconds to wait, bytes) pieces, for slow bodies.
    """
    sent: list[dict[str, Any]] = []
    pieces = list(chunks) if chunks is not None else [(0.0, body)]

    async def receive() -> dict[str, Any]:
        if not pieces:
            await asyncio.sleep(3600)  # a client that sends nothing more
        delay, data = pieces.pop(0)
        await asyncio.sleep(delay)
        return {"type": "http.request", "body": data, "more_body": bool(pieces)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": query, "root_path": "", "headers": list(headers),
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    head = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], head, b"".join(m.get("body", b"") for m in sent[1:])


# --- security headers --------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "status", "csp"), [
    ("/api/health", 200, API_CSP),
    ("/api/actors/RU-NOPE", 404, API_CSP),
    ("/api/ties?limit=0", 422, API_CSP),
    ("/no/such/route", 404, API_CSP),
    ("/static/common.js", 200, API_CSP),
    ("/", 200, DASHBOARD_CSP),
    ("/map", 200, DASHBOARD_CSP),
    ("/region/RU-MOW", 200, DASHBOARD_CSP),
    ("/region/RU-NOPE", 404, DASHBOARD_CSP),
    ("/docs", 200, DOCS_CSP),
    ("/openapi.json", 200, API_CSP),
])
def test_every_response_carries_the_security_headers(path: str, status: int, csp: str) -> None:
    r = client.get(path)
    assert r.status_code == status
    assert {k: r.headers.get(k) for k in COMMON} == COMMON
    assert r.headers["content-security-policy"] == csp
    assert "frame-ancestors 'none'" in csp


def test_answers_made_by_middleware_carry_the_headers_too() -> None:
    small = create_app(None, dashboard=False, max_body=8)
    status, headers, _ = call(small, "/api/fiscal/runs", method="POST", body=b"x" * 20,
                              headers=[(b"host", b"t"), (b"content-length", b"20")])
    assert status == 413 and headers["x-frame-options"] == "DENY"
    assert headers["content-security-policy"] == API_CSP
    r = TestClient(create_app(None, dashboard=False, allowed_hosts=["localhost"])).get(
        "/api/health")
    assert r.status_code == 421 and r.headers["x-content-type-options"] == "nosniff"


def test_head_requests_get_the_headers() -> None:
    r = client.head("/map")
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-security-policy"] == DASHBOARD_CSP


def test_the_dashboard_pages_have_no_inline_script_the_csp_would_block() -> None:
    # script-src 'self' allows only <script src="/static/…">: no inline code, no handlers
    for path in ("/", "/map", "/network", "/compare", "/simulate", "/region/RU-MOW"):
        html = client.get(path).text
        assert "<script>" not in html and " onclick=" not in html and " onload=" not in html
        assert html.count("<script src=\"/static/") >= 1


# --- Host allow-list ---------------------------------------------------------------------------

def _with_hosts(hosts: Sequence[str]) -> TestClient:
    return TestClient(create_app(None, dashboard=False, allowed_hosts=hosts))


@pytest.fixture(scope="module")
def team_lan() -> TestClient:
    """The API answering localhost, 127.0.0.1, ::1 and team.lan (the allow-list keeps no state)."""
    return _with_hosts(["localhost", "127.0.0.1", "::1", "team.lan"])


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "LOCALHOST:8000",
                                  "127.0.0.1:8000", "[::1]:8000", "[::1]", "team.lan:80"])
def test_allowed_hosts_are_served(host: str, team_lan: TestClient) -> None:
    assert team_lan.get("/api/health", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "localhost.evil.example",
                                  "127.0.0.2", "[::2]:8000", "team.lan.evil:80"])
def test_other_hosts_get_421_naming_the_host(host: str, team_lan: TestClient) -> None:
    r = team_lan.get("/api/ties", headers={"host": host})
    assert r.status_code == 421
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["connection"] == "close"
    problem = r.json()
    assert problem["type"] == "urn:regionet:problem:host-not-allowed"
    assert (problem["field"], problem["value"]) == ("Host", host)
    assert problem["expected"] == "one of 127.0.0.1, [::1], localhost, team.lan"
    assert f"the Host header '{host}' is not one this server answers to" in problem["detail"]
    assert "--allowed-host" in problem["detail"]


def test_a_request_without_host_is_refused() -> None:
    status, _, body = call(create_app(None, dashboard=False, allowed_hosts=["localhost"]),
                           "/api/health", headers=[])
    assert status == 421
    assert json.loads(body)["detail"].startswith("the request has no Host header")


def test_star_allows_any_host_and_no_list_means_no_check() -> None:
    assert _with_hosts(["*"]).get("/api/health", headers={"host": "x.example"}).status_code == 200
    assert client.get("/api/health", headers={"host": "x.example"}).status_code == 200


def test_a_huge_host_header_is_not_echoed_whole() -> None:
    host = "h" * 50_000
    r = _with_hosts(["localhost"]).get("/api/health", headers={"host": host})
    assert r.status_code == 421 and len(r.content) < 2_000
    assert r.json()["value"] == "h" * 200 + "… (50000 characters)"


# --- health ------------------------------------------------------------------------------------

def test_health_of_a_workspace_shows_the_file_name_only(tmp_path: Path) -> None:
    workspace = tmp_path / "private" / "team.db"
    workspace.parent.mkdir()
    init_workspace(workspace, "russia-1990s")
    body = TestClient(create_app(workspace, dashboard=False)).get("/api/health").json()
    assert body["db"] == workspace.name
    assert body["detail"] == f"serving the workspace {workspace.name}"
    assert str(workspace.parent) not in json.dumps(body)


def test_health_detail_hides_directories_and_credentials() -> None:
    url = "postgresql+psycopg://regionet:s3cret@db.internal:5432/team"
    shown = health_detail(CaseSource.workspace(url), url)
    assert shown == {"db": "postgresql database team",
                     "detail": "serving the workspace postgresql database team", "admin": None}
    assert public_location("/srv/regionet/team.db") == "team.db"
    assert public_location("sqlite:////srv/regionet/team.db") == "sqlite database team.db"
    missing = CaseSource.open("/srv/regionet/absent.db")
    shown = health_detail(missing, "/srv/regionet/absent.db")
    assert shown["db"] is None and "/srv" not in str(shown["detail"])
    assert str(shown["detail"]).startswith("the workspace absent.db does not exist")


# --- bounded error bodies ----------------------------------------------------------------------

@pytest.mark.parametrize("size", [50_000, 5_000_000])
def test_a_huge_query_value_comes_back_bounded(size: int) -> None:
    status, _, body = call(client.app, "/api/ties", b"limit=" + b"9" * size)
    assert status == 422 and len(body) < 3_000
    problem = json.loads(body)
    assert problem["value"] == "9" * 200 + f"… ({size} characters)"
    assert problem["detail"] == (f"query field 'limit', value '{problem['value']}': Unable to "
                                 "parse input string as an integer, exceeded maximum size")
    assert problem["errors"][0]["value"] == problem["value"]


@pytest.mark.parametrize("size", [50_000, 5_000_000])
def test_a_huge_unknown_parameter_name_and_value_come_back_bounded(size: int) -> None:
    status, _, body = call(client.app, "/api/ties", b"q" * size + b"=" + b"v" * size)
    assert status == 422 and len(body) < 3_000
    problem = json.loads(body)
    assert problem["field"] == "q" * 200 + f"… ({size} characters)"
    assert problem["value"] == "v" * 200 + f"… ({size} characters)"
    assert problem["detail"].startswith(f"field '{'q' * 200}… ({size} characters)', value '")


@pytest.mark.parametrize("size", [50_000, 5_000_000])
def test_a_huge_path_id_comes_back_bounded(size: int) -> None:
    status, _, body = call(client.app, "/api/actors/" + "A" * size)
    assert status == 404 and len(body) < 3_000
    problem = json.loads(body)
    assert problem["value"] == "A" * 200 + f"… ({size} characters)"
    assert problem["instance"] == "/api/actors/" + "A" * 188 + f"… ({size + 12} characters)"
    status, _, html = call(client.app, "/region/" + "A" * size)
    assert status == 404 and len(html) < 5_000 and f"… ({size} characters)" in html.decode()
    status, _, body = call(client.app, "/no/" + "B" * size)
    assert status == 404 and len(body) < 1_000


@pytest.mark.parametrize("size", [50_000, 5_000_000])
def test_a_huge_body_value_comes_back_bounded(size: int) -> None:
    app = create_app(None, dashboard=False, max_body=10 * 1024 * 1024)
    for payload, field in (({"year": "x" * size}, "year"),
                           ({"year": 1999, "scenario": "x" * size}, "scenario")):
        status, _, body = call(app, "/api/fiscal/runs", method="POST",
                               body=json.dumps(payload).encode(),
                               headers=[(b"host", b"t"), (b"content-type", b"application/json")])
        assert status == 422 and len(body) < 3_000, (field, len(body))
        problem = json.loads(body)
        assert problem["field"] == field
        assert problem["value"] == "x" * 200 + f"… ({size} characters)"


def test_a_problem_lists_at_most_50_errors() -> None:
    overrides = {f"p{i}": {"bad-date": "x"} for i in range(500)}
    r = client.post("/api/fiscal/runs", json={"year": 1999, "overrides": overrides})
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert len(errors) == 51 and errors[-1] == {"detail": "450 more problem(s) not shown"}


# --- CORS --------------------------------------------------------------------------------------

def test_cors_is_closed_by_default() -> None:
    r = client.get("/api/health", headers={"origin": "https://elsewhere.example"})
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    pre = client.options("/api/ties", headers={"origin": "https://elsewhere.example",
                                               "access-control-request-method": "GET"})
    assert "access-control-allow-origin" not in pre.headers


def test_cors_opens_for_configured_origins_only() -> None:
    api = TestClient(create_app(None, dashboard=False, cors_origins=["https://team.example"]))
    r = api.get("/api/health", headers={"origin": "https://team.example"})
    assert r.headers["access-control-allow-origin"] == "https://team.example"
    assert "X-Regionet-Revision" in r.headers["access-control-expose-headers"]
    pre = api.options("/api/ties", headers={"origin": "https://team.example",
                                            "access-control-request-method": "POST",
                                            "access-control-request-headers": "authorization"})
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "https://team.example"
    assert "authorization" in pre.headers["access-control-allow-headers"].lower()
    other = api.get("/api/health", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    refused = api.options("/api/ties", headers={"origin": "https://evil.example",
                                                "access-control-request-method": "GET"})
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers


# --- body timeout ------------------------------------------------------------------------------

def test_a_slow_body_gets_408_at_the_limit() -> None:
    app = create_app(None, dashboard=False, body_timeout=0.3)
    loop_start = time.monotonic()
    status, headers, body = call(
        app, "/api/fiscal/runs", method="POST",
        headers=[(b"host", b"t"), (b"content-type", b"application/json")],
        chunks=[(0.0, b'{"year": '), (0.2, b"1"), (0.2, b"9")])
    elapsed = time.monotonic() - loop_start
    assert status == 408 and headers["connection"] == "close"
    assert 0.3 <= elapsed < 2.0
    problem = json.loads(body)
    assert problem["type"] == "urn:regionet:problem:body-timeout"
    assert problem["expected"] == "the whole body within 0.3 seconds"
    assert problem["detail"].startswith("the request body did not arrive within 0.3 seconds")


def test_a_body_within_the_limit_is_served_and_zero_turns_the_limit_off() -> None:
    chunks = [(0.0, b'{"year": 1998, '), (0.1, b'"scenario": "rule-registration"}')]
    for seconds in (5.0, 0.0):  # 5 s: well above the 0.1 s gap even on a busy machine
        app = create_app(None, dashboard=False, body_timeout=seconds)
        status, _, body = call(app, "/api/fiscal/runs", method="POST", chunks=chunks,
                               headers=[(b"host", b"t"),
                                        (b"content-type", b"application/json")])
        assert status == 200 and json.loads(body)["count"] == 89


def test_a_websocket_to_another_host_is_closed() -> None:
    sent: list[dict[str, Any]] = []
    reached: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["type"])

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    guard = HostAllowList(inner, hosts=["localhost"])
    for host in (b"evil.example", b"localhost:8000"):
        scope = {"type": "websocket", "path": "/ws", "headers": [(b"host", host)]}
        asyncio.run(guard(scope, receive, send))
    assert sent == [{"type": "websocket.close", "code": 1008}] and reached == ["websocket"]


def test_an_unreadable_workspace_is_named_by_its_file_name_only(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    private = tmp_path / "private"
    private.mkdir()
    (private / "broken.db").write_text("not a database", encoding="utf-8")
    monkeypatch.chdir(private)
    for configured in (private / "broken.db", "broken.db"):  # absolute, and relative to cwd
        app = create_app(configured, dashboard=False, public_read=True)
        r = TestClient(app).get("/api/ties")
        assert r.status_code == 503
        problem = r.json()
        assert problem["file"] == "sqlite:///broken.db"
        assert problem["detail"].startswith("sqlite:///broken.db: the database could not be read")
        assert str(tmp_path) not in r.text


def test_redact_hides_directories_and_credentials() -> None:
    assert redact("no /srv/a/x.db and /srv/a/x.db", ["/srv/a/x.db"]) == "no x.db and x.db"
    assert redact("at postgresql+psycopg://app:***@db:5432/team: refused",
                  ["postgresql+psycopg://app:s3cret@db:5432/team"]) \
        == "at postgresql+psycopg://***@db:5432/team: refused"
    assert redact("postgresql+psycopg://app:s3cret@db/team failed",
                  ["postgresql+psycopg://app:s3cret@db/team"]) == "postgresql database team failed"
    assert redact("nothing to hide", [None]) == "nothing to hide"
