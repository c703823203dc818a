"""The REST API over real HTTP: uvicorn on 127.0.0.1, a free port, httpx as the client."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from regionet.interfaces.api import create_app


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, free_port: Callable[[], int],
           wait_for_health: Callable[..., httpx.Response]) -> Iterator[str]:
    """Run uvicorn in a background thread; stop it cleanly afterwards."""
    db = tmp_path_factory.mktemp("http") / "absent.db"
    port = free_port()
    config = uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, name="uvicorn", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(base)
        yield base
    finally:
        uv.should_exit = True
        thread.join(timeout=15)
        assert not thread.is_alive(), "uvicorn did not shut down"


def test_health_and_lists_over_http(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30.0) as http:
        health = http.get("/api/health").json()
        assert health["source"] == "bundled" and health["read_only"] is True
        ties = http.get("/api/ties", params={"level": "international", "limit": 5})
        assert ties.status_code == 200 and ties.headers["content-type"] == "application/json"
        assert ties.json()["count"] == 35 and len(ties.json()["data"]) == 5


def test_geojson_over_http(server: str) -> None:
    with httpx.Client(base_url=server, timeout=60.0) as http:
        response = http.get("/api/geo/subjects", params={"measure": "population"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/geo+json"
        assert len(response.json()["features"]) == 89


def test_problems_over_http(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30.0) as http:
        missing = http.get("/api/actors/RU-KRL")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        assert "RU-KR" in missing.json()["hint"]
        bad = http.post("/api/fiscal/runs", json={
            "year": 1999, "overrides": {"collection.efficiency": {"1999-01-01": -1}}})
        assert bad.status_code == 422 and "collection.efficiency" in bad.json()["detail"]


def test_a_fiscal_run_over_http(server: str) -> None:
    with httpx.Client(base_url=server, timeout=60.0) as http:
        run = http.post("/api/fiscal/runs", json={"year": 1998,
                                                  "scenario": "collection-collapse-1998"})
        assert run.status_code == 200 and run.json()["count"] == 89


@pytest.mark.slow  # `regionet serve` in a subprocess
def test_regionet_serve_starts_answers_and_stops_cleanly(
        tmp_path: Path, free_port: Callable[[], int],
        wait_for_health: Callable[..., httpx.Response]) -> None:
    port = free_port()
    env = {**os.environ, "REGIONET_DB": str(tmp_path / "absent.db")}
    process = subprocess.Popen(
        [sys.executable, "-m", "regionet.interfaces.cli", "serve", "--port", str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        health = wait_for_health(f"http://127.0.0.1:{port}", 60.0, process).json()
        assert health["source"] == "bundled" and "does not exist" in health["detail"]
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "serving the bundled case russia-1990s read-only" in output
