"""``kill -9`` of ``regionet serve`` during an admin's ``POST /api/imports``: all or nothing.

The server runs in a subprocess on a team workspace (SQLite and PostgreSQL); an admin
uploads one ``ties.csv`` of :data:`N` rows (just under the 1 MiB body limit) over a raw
socket, and the server is killed with SIGKILL at one moment, found by watching, not by
sleeping:

- while the body is received (half of it sent, the rest held back);
- once the upload holds the workspace's write lock (validating the rows: SQLite, a
  ``BEGIN IMMEDIATE`` from outside is refused; PostgreSQL, the advisory lock is granted);
- while rows are written (SQLite: the WAL has grown by more than 256 KiB; PostgreSQL: the
  server's session runs ``INSERT INTO ties``).

After each kill the workspace holds none of the upload or all of it (ties, their actors and
sources, the revision and one history entry per tie together), passes the integrity check,
and a restarted server answers. At the end the upload is sent whole and lands once.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import regionet as rn
from regionet.services.accounts import add_user
from regionet.services.workspace import init_workspace

pytestmark = pytest.mark.slow

SUBJECTS = sorted(a.id for a in rn.load_case("russia-1990s").members())
N = 14_000
BOUNDARY = "regionet-kill-boundary"


def ties_csv() -> bytes:
    lines = ["id,kind,actors,start,sources\n"]
    for i in range(N):
        a, b = SUBJECTS[i % 50], SUBJECTS[50 + i % 30]
        lines.append(f"t-kill-{i:05d},cooperation,{a};{b},2000,sergounin-1999:para 11\n")
    return "".join(lines).encode()


def request_bytes(port: int, token: str) -> tuple[bytes, bytes]:
    """The upload as raw HTTP: (head, body)."""
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"ties.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() \
        + ties_csv() + f"\r\n--{BOUNDARY}--\r\n".encode()
    head = (f"POST /api/imports HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    assert len(body) < 1024 * 1024, len(body)  # under the server's body limit
    return head, body


class Server:
    """``regionet serve`` in a subprocess on ``url``."""

    def __init__(self, url: str, port: int, wait: Callable[..., httpx.Response]) -> None:
        self.url, self.port, self.wait = url, port, wait
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "regionet.interfaces.cli", "serve", "--db", self.url,
             "--port", str(self.port), "--rate-limit", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.wait(f"http://127.0.0.1:{self.port}", 60.0, self.process)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)


def sqlite_locked(db: str) -> bool:
    """Whether another connection holds the write lock of the SQLite file ``db``."""
    conn = sqlite3.connect(db, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def wal_size(db: str) -> int:
    wal = Path(db + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def pg_watch(url: str) -> Any:
    import psycopg
    from sqlalchemy.engine import make_url

    parts = make_url(url)
    return psycopg.connect(f"host={parts.host} port={parts.port or 5432} "
                           f"user={parts.username} dbname={parts.database}", autocommit=True)


PG_ACTIVE = ("SELECT query FROM pg_stat_activity WHERE datname = current_database() AND "
             "pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'")
PG_LOCKED = ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND "
             "database = (SELECT oid FROM pg_database WHERE datname = current_database())")


def moment_reached(backend: str, url: str, moment: str, wal0: int, watch: Any) -> bool:
    if backend == "sqlite":
        if moment == "write lock held":
            return sqlite_locked(url)
        return sqlite_locked(url) and wal_size(url) > wal0 + 256 * 1024
    if moment == "write lock held":
        return int(watch.execute(PG_LOCKED).fetchone()[0]) > 0
    return any(str(q).lstrip().startswith("INSERT INTO ties")
               for (q,) in watch.execute(PG_ACTIVE))


def state(backend: str, url: str) -> tuple[int, int, int, int, int]:
    """(ties, tie actors, tie sources, history rows of them, revision) of the upload."""
    sql = ("SELECT (SELECT count(*) FROM ties WHERE id LIKE 't-kill-%'), "
           "(SELECT count(*) FROM tie_actors WHERE tie_id LIKE 't-kill-%'), "
           "(SELECT count(*) FROM sources WHERE record_id LIKE 't-kill-%'), "
           "(SELECT count(*) FROM history WHERE record_id LIKE 't-kill-%'), "
           "(SELECT revision FROM case_info)")
    if backend == "sqlite":
        with sqlite3.connect(url) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            row = conn.execute(sql).fetchone()
        conn.close()
    else:
        with pg_watch(url) as conn:
            row = conn.execute(sql).fetchone()
    return tuple(int(v) for v in row)  # type: ignore[return-value]


@pytest.fixture(params=["sqlite", "postgresql"])
def team_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, str]]:
    """(backend, workspace URL or file, an admin's token) of a fresh team workspace."""
    if request.param == "sqlite":
        url = str(tmp_path / "team.db")
    else:
        url = request.getfixturevalue("pg_url")
    init_workspace(url, "russia-1990s")
    yield request.param, url, add_user(url, "ada", "admin")[1]


def test_kill_9_during_an_upload_leaves_all_or_nothing_and_the_server_restarts(
        team_url: tuple[str, str, str], free_port: Callable[[], int],
        wait_for_health: Callable[..., httpx.Response]) -> None:
    backend, url, token = team_url
    port = free_port()
    server = Server(url, port, wait_for_health)
    head, body = request_bytes(port, token)
    before = state(backend, url)
    assert before[:4] == (0, 0, 0, 0)
    seen: dict[str, bool] = {}
    watch = pg_watch(url) if backend == "postgresql" else None
    try:
        for moment in ("receiving the body", "write lock held", "writing rows"):
            server.start()
            wal0 = wal_size(url) if backend == "sqlite" else 0
            with socket.create_connection(("127.0.0.1", port)) as sock:
                if moment == "receiving the body":
                    sock.sendall(head + body[:len(body) // 2])
                    time.sleep(0.3)
                    seen[moment] = server.process is not None and server.process.poll() is None
                else:
                    sock.sendall(head + body)
                    deadline = time.monotonic() + 60
                    seen[moment] = False
                    while time.monotonic() < deadline and server.process is not None \
                            and server.process.poll() is None:
                        if moment_reached(backend, url, moment, wal0, watch):
                            seen[moment] = True
                            break
                        sock.settimeout(0.002)
                        try:  # the server answered: the upload ended before the moment
                            if sock.recv(1, socket.MSG_PEEK):
                                break
                        except (TimeoutError, BlockingIOError):
                            pass
                server.kill()
            if watch is not None:  # PostgreSQL ends the killed server's sessions
                end = time.monotonic() + 30
                while watch.execute(PG_ACTIVE).fetchall():
                    assert time.monotonic() < end
                    time.sleep(0.05)
            got = state(backend, url)
            assert got in (before, (N, 2 * N, N, N, before[4] + 1)), (moment, got)
            if got != before:
                break  # it committed before the kill: whole; no later moment to try
        assert seen.get("receiving the body") and seen.get("write lock held"), seen
        # the server restarts and serves; the upload, sent again whole, lands once
        server.start()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}",
                          headers={"Authorization": f"Bearer {token}"}, timeout=120) as http:
            assert http.get("/api/health").json()["status"] == "ok"
            if state(backend, url) == before:
                done = http.post("/api/imports",
                                 files={"files": ("ties.csv", ties_csv(), "text/csv")})
                assert done.status_code == 200, done.text
                assert done.json() == {"imported": {"ties": N}}
            assert http.get("/api/ties", params={"limit": 1}).status_code == 200
            assert http.get("/api/ties/t-kill-00042").json()["id"] == "t-kill-00042"
        server.kill()
        assert state(backend, url) == (N, 2 * N, N, N, before[4] + 1)
        print(backend, "moments seen:", seen)
    finally:
        if server.process is not None and server.process.poll() is None:
            server.kill()
        if watch is not None:
            watch.close()
