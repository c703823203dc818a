"""A server on PostgreSQL whose database goes away: 503 problems quickly, then it recovers.

The database is made unreachable for this test's database only (``ALLOW_CONNECTIONS false``
and its sessions terminated), never by stopping the shared PostgreSQL service.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from regionet.services.workspace import import_files, init_workspace

EXE = [sys.executable, "-m", "regionet.interfaces.cli"]
PATHS = ("/api/ties?limit=5", "/api/actors/RU-KR", "/api/health", "/api/network/metrics?limit=3")


def admin(url: str, *statements: str) -> None:
    """Run statements on the server of ``url``, in its ``postgres`` database."""
    parts = make_url(url)
    with psycopg.connect(f"host={parts.host} port={parts.port or 5432} "
                         f"user={parts.username} dbname=postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def cut_off(url: str, name: str) -> None:
    admin(url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false',
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          f"WHERE datname = '{name}' AND pid <> pg_backend_pid()")


@pytest.mark.slow
def test_requests_during_an_outage_get_503_quickly_and_the_server_recovers(
        postgres_url: str, tmp_path: Path, free_port: Callable[[], int],
        wait_for_health: Callable[..., httpx.Response]) -> None:
    name = postgres_url.rsplit("/", 1)[1]
    init_workspace(postgres_url)
    (tmp_path / "ties.csv").write_text(
        "id,kind,actors,start,sources\n"
        "t-before-outage,cooperation,RU-KR;FI,1997,sergounin-1999:para 12\n", encoding="utf-8")
    import_files(postgres_url, [tmp_path / "ties.csv"])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([*EXE, "serve", "--db", postgres_url, "--port", str(port),
                               "--public-read"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_health(base, process=server)
        before = {path: httpx.get(base + path, timeout=10).json() for path in PATHS[:2]}
        assert before[PATHS[0]]["count"] > 100
        cut_off(postgres_url, name)
        for path in PATHS:
            started = time.monotonic()
            response = httpx.get(base + path, timeout=10)
            elapsed = time.monotonic() - started
            assert response.status_code == 503, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert "the database server is not available" in response.json()["detail"]
            assert elapsed < 2.0, (path, elapsed)
        admin(postgres_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        deadline = time.monotonic() + 10
        while httpx.get(base + PATHS[0], timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "the server did not recover within 10 s"
            time.sleep(0.2)
        after = {path: httpx.get(base + path, timeout=10).json() for path in PATHS[:2]}
        assert after == before  # nothing written before the outage is missing
        ties = httpx.get(base + "/api/ties", params={"actor": "FI", "limit": 1000}).json()
        assert "t-before-outage" in [t["id"] for t in ties["data"]]
        assert httpx.get(base + "/api/health", timeout=10).json()["revision"] == 2
    finally:
        admin(postgres_url, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
