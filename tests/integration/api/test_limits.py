"""Request bodies over the limit get 413 before they are read; responses name their revision."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from fastapi.testclient import TestClient

from regionet.interfaces.api import create_app
from regionet.interfaces.api.middleware import MAX_BODY_BYTES

client = TestClient(create_app(None, dashboard=False))


def test_a_body_over_the_limit_is_refused_with_a_problem() -> None:
    body = json.dumps({"year": 1999, "overrides": {"x": {"1999-01-01": 1}},
                       "pad": "a" * MAX_BODY_BYTES}).encode()
    r = client.post("/api/fiscal/runs", content=body,
                    headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"] == "urn:regionet:problem:body-too-large"
    assert (problem["field"], problem["expected"]) == ("body", f"at most {MAX_BODY_BYTES} bytes")


def test_a_body_under_the_limit_is_served() -> None:
    r = client.post("/api/fiscal/runs", json={"year": 1998, "scenario": "rule-registration"})
    assert r.status_code == 200 and r.json()["count"] == 89


def test_the_limit_is_a_parameter_of_the_app() -> None:
    small = TestClient(create_app(None, dashboard=False, max_body=64))
    r = small.post("/api/fiscal/runs", json={"year": 1998, "scenario": "x" * 100})
    assert r.status_code == 413 and "64 bytes" in r.json()["detail"]


def run_asgi(app: Any, chunks: int, size: int) -> tuple[int, int]:
    """POST ``chunks`` chunks of ``size`` bytes without a Content-Length; return the status
    and how many chunks the app asked for."""
    asked = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal asked
        asked += 1
        last = asked >= chunks
        return {"type": "http.request", "body": b" " * size, "more_body": not last}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/api/fiscal/runs",
             "raw_path": b"/api/fiscal/runs", "query_string": b"", "root_path": "",
             "headers": [(b"content-type", b"application/json"), (b"host", b"test")],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], asked


def test_a_streamed_body_is_cut_off_as_soon_as_it_passes_the_limit() -> None:
    app = create_app(None, dashboard=False)
    status, asked = run_asgi(app, chunks=500, size=100_000)  # 50 MB offered
    assert status == 413
    assert asked <= MAX_BODY_BYTES // 100_000 + 2  # read about 1 MiB, not 50 MB


def test_data_responses_say_which_revision_they_reflect() -> None:
    for path in ("/api/ties", "/api/health", "/api/network/blocs", "/api/actors/RU-KR"):
        assert client.get(path).headers["x-regionet-revision"] == "0"  # the bundled case
    assert "x-regionet-revision" not in client.get("/api/measures").headers
