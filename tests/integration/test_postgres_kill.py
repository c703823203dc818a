"""``kill -9`` of ``regionet data import`` on PostgreSQL at chosen moments: all or nothing.

The moments are found by watching the import's session from another one (``pg_stat_activity``
and ``pg_locks``), not by sleeping: after the start, while it stages rows, once it holds the
write lock, while it copies the rows into ``ties``, and when it bumps the revision (just
before its commit).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

import regionet as rn
from regionet.services.workspace import import_files, init_workspace
from regionet.storage import Workspace

SUBJECTS = sorted(a.id for a in rn.load_case("russia-1990s").members())
N = 20_000
ACTIVITY = ("SELECT query FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")
LOCKED = ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
          "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
#: name → (what the last statement of the import's session starts with, the write lock held)
MOMENTS: dict[str, tuple[tuple[str, ...], bool]] = {
    "staging": (('COPY "stage_', "INSERT INTO stage_"), False),  # COPY on psycopg
    "write lock taken": (("",), True),
    "copying into ties": (("INSERT INTO ties",), True),
    "bumping the revision": (("UPDATE case_info",), True),
}


def ties_file(path: Path) -> Path:
    lines = ["id,kind,actors,start,sources\n"]
    for i in range(N):
        a, b = SUBJECTS[i % 50], SUBJECTS[50 + i % 30]
        lines.append(f"t-kill-{i:06d},cooperation,{a};{b},2000,sergounin-1999:para 11\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path


def dsn(url: str, database: str | None = None) -> str:
    parts = make_url(url)
    return (f"host={parts.host} port={parts.port or 5432} user={parts.username} "
            f"dbname={database or parts.database}")


def kill_when(url: str, batch: Path, moment: str | None) -> bool:
    """Start an import, SIGKILL it at ``moment`` (None: 0.3 s after the start).

    Returns whether the moment was seen before the import ended by itself.
    """
    proc = subprocess.Popen([sys.executable, "-m", "regionet.interfaces.cli", "data", "import",
                             str(batch), "--db", url], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    seen = False
    with psycopg.connect(dsn(url), autocommit=True) as watch:
        if moment is None:
            time.sleep(0.3)
            seen = proc.poll() is None
        else:
            prefixes, locked = MOMENTS[moment]
            while proc.poll() is None:
                queries = [str(r[0]) for r in watch.execute(ACTIVITY)]
                held = int(watch.execute(LOCKED).fetchone()[0]) > 0  # type: ignore[index]
                if held == locked and any(q.lstrip().startswith(prefixes) for q in queries):
                    seen = True
                    break
                time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        deadline = time.monotonic() + 30  # the server notices the client is gone
        # (this process's own pooled connection stays, idle)
        while watch.execute(ACTIVITY + " AND state <> 'idle'").fetchall():
            assert time.monotonic() < deadline, (moment, watch.execute(
                ACTIVITY.replace("SELECT query", "SELECT pid, state, wait_event, "
                                 "left(query, 60), application_name")).fetchall())
            time.sleep(0.05)
    return seen


def counts(url: str) -> tuple[int, int, int, int]:
    with psycopg.connect(dsn(url)) as conn:
        def one(sql: str) -> int:
            return int(conn.execute(sql).fetchone()[0])  # type: ignore[arg-type,index]

        return (one("SELECT count(*) FROM ties WHERE id LIKE 't-kill-%'"),
                one("SELECT count(*) FROM tie_actors WHERE tie_id LIKE 't-kill-%'"),
                one("SELECT count(*) FROM sources WHERE record_id LIKE 't-kill-%'"),
                one("SELECT revision FROM case_info"))


@pytest.mark.slow
def test_kill_9_at_each_moment_of_an_import_leaves_all_or_nothing(
        postgres_url: str, tmp_path: Path) -> None:
    init_workspace(postgres_url)
    batch = ties_file(tmp_path / "ties.csv")
    seen: dict[str | None, bool] = {}
    for moment in (None, *MOMENTS):
        seen[moment] = kill_when(postgres_url, batch, moment)
        got = counts(postgres_url)
        assert got in ((0, 0, 0, 1), (N, 2 * N, N, 2)), (moment, got)
        if got[0]:  # the commit got through before the kill: that import is whole; undo it
            break
    # the long moments are always caught (the short ones may fall between two looks)
    assert seen[None] and seen["staging"] and seen["write lock taken"], seen
    if counts(postgres_url)[0] == 0:
        assert import_files(postgres_url, [batch]) == {"ties": N}
    assert counts(postgres_url) == (N, 2 * N, N, 2)
    assert Workspace(postgres_url).revision() == 2
