"""Bounded load of a team server: readers and editors at once, on PostgreSQL (not run in CI).

Creates a PostgreSQL database with a random name on 127.0.0.1:5432 (or uses ``--db``),
initialises it with the bundled case and the accounts (one reader, ``--editors`` editors, one
reviewer), starts ``regionet serve`` on a free loopback port, sends each read and each
account's token once (a warm-up, not counted; ``--cold`` skips it) and, for ``--seconds``:

- sends ``--reads`` GET requests a second on an open-loop schedule (request ``i`` is due at
  ``start + i / rate`` whatever happened before, so a slow server cannot hide its latency),
  spread over five read endpoints, as the reader;
- runs each editor in a loop: read a tie's row and ETag, propose a change of its description
  with ``If-Match``; all editors work on the same few ties, so some proposals find the tie
  changed or already waiting for review: those answers are **412** (deliberate: no edit is
  ever lost); the reviewer accepts every waiting proposal in turn.

Then it stops the server and drops the database it made; requests still unanswered 30 s
after the last one was due are cancelled and counted as errors (``unfinished``), and the
editors and the reviewer stop at the end of ``--seconds``, so the run always ends. It prints,
per endpoint, requests, statuses, p50 / p95 / p99 / max latency (ms), the server's resident
memory before and after, and the CPU time the server and the load generator spent (the
server's per answered request); ``--out FILE`` writes the same as JSON. The CPU time per
request of each endpoint alone: ``benchmarks/server_cpu.py``. Errors are any answer but 2xx,
except the editors' 412s. Only loopback addresses are used, and the run always ends by itself.

    .venv/bin/python benchmarks/load_server.py                    # 30 s, 200 reads/s, 5 editors
    .venv/bin/python benchmarks/load_server.py --seconds 5 --reads 50 --editors 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import secrets
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from load_api import cpu_seconds, free_port, machine, wait_ready
from loopback_client import Answer, Pool

#: Seconds after the last due request before the readers stop waiting for answers.
GRACE = 30.0
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
#: Ties every editor works on (bundled ids): contention makes the deliberate 412s.
TIES = ("t-kr-mur-bilateral", "t-fi-kr-cooperation")
#: The readers' keep-alive connections (a request due when all are busy waits for one).
READER_CONNECTIONS = 64
#: The editors' and the reviewer's connections.
EDITOR_CONNECTIONS = 8
READS = ("/api/ties?actor=RU-KR&limit=100", "/api/ties/{tie}", "/api/actors/RU-MUR",
         "/api/network/metrics?limit=20", "/api/geo/subjects?measure=ties_total")


@dataclass
class Stats:
    """Latencies (s) and statuses of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    def add(self, seconds: float, status: str) -> None:
        self.latencies.append(seconds)
        self.statuses[status] += 1

    def quantile(self, q: float) -> float:
        """The ``q`` quantile in ms (nearest rank); NaN without requests."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))] * 1e3


def rss_mib(pid: int) -> float | None:
    """Resident memory of ``pid`` in MiB (Linux ``/proc``)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def make_database() -> tuple[str, str]:
    """Create a PostgreSQL database with a random name; return (name, URL)."""
    import psycopg

    name = "rn_load_" + secrets.token_hex(6)
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return name, f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def prepare(db: str, editors: int) -> dict[str, str]:
    """The bundled case and the accounts in ``db``; return name → token."""
    from regionet.services.accounts import add_user
    from regionet.services.workspace import init_workspace

    init_workspace(db, force=True)
    roles = {"reader": "reader", "reviewer": "reviewer",
             **{f"editor{i}": "editor" for i in range(editors)}}
    return {name: add_user(db, name, role)[1] for name, role in roles.items()}


def server_processes(pid: int) -> list[int]:
    """``pid`` and its child processes (``serve --workers N``: the supervisor and workers)."""
    found = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rpartition(")")[2].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):  # ended meanwhile
            continue
    return found


def tree_cpu(pid: int) -> float | None:
    """User + system CPU seconds of ``pid`` and its children (see :func:`server_processes`)."""
    times = [cpu_seconds(p) for p in server_processes(pid)]
    return None if times[0] is None else sum(t for t in times if t is not None)


def tree_rss(pid: int) -> float | None:
    """Resident MiB of ``pid`` and its children (shared pages counted in each)."""
    sizes = [rss_mib(p) for p in server_processes(pid)]
    return None if sizes[0] is None else sum(m for m in sizes if m is not None)


def start_server(db: str, workers: int = 1) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``regionet serve`` on ``db`` (no rate limit) on a free loopback port; wait for it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "regionet.interfaces.cli", "serve", "--db", db,
           "--port", str(port), "--rate-limit", "0", "--workers", str(workers)]
    server = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"})
    wait_ready(base, server)
    return server, base


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _timed(client: Pool, stats: Stats, method: str, path: str,
                 start: float, **kwargs: Any) -> Answer | None:
    try:
        response = await client.request(method, path, **kwargs)
    except (OSError, TimeoutError, asyncio.IncompleteReadError,
            asyncio.LimitOverrunError) as exc:
        stats.add(time.perf_counter() - start, type(exc).__name__)
        return None
    stats.add(time.perf_counter() - start, str(response.status_code))
    return response


async def readers(client: Pool, token: str, rate: float, seconds: float,
                  stats: dict[str, Stats]) -> None:
    """GETs on an open-loop schedule, round robin over :data:`READS`.

    A request due when every connection is busy waits for one, its latency still counted
    from the time it was due (the pool's queue is first in, first out, and costs the same
    however many wait: httpx's pool looked through every waiting request each time a
    connection freed up, which spent the load generator's CPU, not the server's).
    """
    start = time.perf_counter() + 0.05

    async def one(i: int) -> None:
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        template = READS[i % len(READS)]
        path = template.format(tie=TIES[i % len(TIES)])
        await _timed(client, stats["GET " + template], "GET", path, due,
                     headers=_auth(token))

    tasks = [asyncio.create_task(one(i)) for i in range(int(rate * seconds))]
    _done, pending = await asyncio.wait(tasks, timeout=seconds + GRACE)
    for task in pending:   # a saturated server: stop anyway, and count what never finished
        task.cancel()
    if pending:
        stats["GET (not answered by the end)"].add(float(seconds + GRACE), "unfinished")
        stats["GET (not answered by the end)"].statuses["unfinished"] += len(pending) - 1


async def editor(client: Pool, name: str, token: str, until: float,
                 stats: dict[str, Stats], pause: float = 0.05) -> None:
    """Read a tie's row, propose a new description with If-Match; again until ``until``.

    Between two rounds the editor waits ``pause`` seconds: the editors are a closed loop, so
    a faster server gets more proposals (``--editor-pause`` evens that out between runs).
    """
    n = 0
    while time.perf_counter() < until:
        tie = TIES[n % len(TIES)]
        n += 1
        now = time.perf_counter()
        row = await _timed(client, stats["GET /api/ties/{tie}/row"], "GET",
                           f"/api/ties/{tie}/row", now, headers=_auth(token))
        if row is None or row.status_code != 200:
            await asyncio.sleep(0.05)
            continue
        body = dict(row.json()["row"])
        body["description"] = f"edited by {name}, round {n}"
        now = time.perf_counter()
        await _timed(client, stats["PUT /api/ties/{tie}"], "PUT", f"/api/ties/{tie}", now,
                     json_body=body,
                     headers={**_auth(token), "If-Match": row.headers["etag"]})
        await asyncio.sleep(pause)


async def reviewer(client: Pool, token: str, until: float,
                   stats: dict[str, Stats]) -> None:
    """Accept every waiting proposal, oldest first, until ``until``."""
    while time.perf_counter() < until:
        now = time.perf_counter()
        queue = await _timed(client, stats["GET /api/proposals"], "GET",
                             "/api/proposals?state=proposed&limit=50", now,
                             headers=_auth(token))
        waiting = queue.json()["data"] if queue is not None and queue.status_code == 200 else []
        for proposal in waiting:
            now = time.perf_counter()
            if now >= until:
                break
            await _timed(client, stats["POST /api/proposals/{id}/accept"], "POST",
                         f"/api/proposals/{proposal['id']}/accept", now,
                         json_body={"status": "partial"}, headers=_auth(token))
        await asyncio.sleep(0.1)


async def warm_up(base: str, tokens: dict[str, str]) -> None:
    """Each read once, and each account's token once (not counted).

    A server's first requests import modules, compute the whole-graph results and check each
    token against its argon2 hash (on purpose slow): one-off costs of a start, which the run
    measures apart from (``--cold`` includes them).
    """
    host, port = base.removeprefix("http://").rsplit(":", 1)
    client = Pool(host, int(port), 1)
    try:
        for template in READS:
            await client.request("GET", template.format(tie=TIES[0]),
                                 headers=_auth(tokens["reader"]))
        for token in tokens.values():
            await client.request("GET", f"/api/ties/{TIES[0]}/row", headers=_auth(token))
    finally:
        client.close()


async def run_load(base: str, tokens: dict[str, str], seconds: float, rate: float,
                   pause: float = 0.05) -> dict[str, Stats]:
    stats: dict[str, Stats] = defaultdict(Stats)
    host, port = base.removeprefix("http://").rsplit(":", 1)
    pool = Pool(host, int(port), READER_CONNECTIONS)
    client = Pool(host, int(port), EDITOR_CONNECTIONS)
    try:
        until = time.perf_counter() + seconds
        editors = [editor(client, name, token, until, stats, pause)
                   for name, token in tokens.items() if name.startswith("editor")]
        await asyncio.gather(readers(pool, tokens["reader"], rate, seconds, stats),
                             reviewer(client, tokens["reviewer"], until, stats), *editors)
    finally:
        pool.close()
        client.close()
    return stats


def report(stats: dict[str, Stats]) -> tuple[list[dict[str, Any]], int, int]:
    """Rows per endpoint; the number of errors and of deliberate 412s."""
    rows, errors, deliberate = [], 0, 0
    for name in sorted(stats):
        s = stats[name]
        for status, count in s.statuses.items():
            if status == "412" and name.startswith("PUT"):
                deliberate += count
            elif not status.startswith("2"):
                errors += count
        rows.append({"endpoint": name, "requests": sum(s.statuses.values()),
                     "statuses": dict(sorted(s.statuses.items())),
                     "p50_ms": round(s.quantile(0.5), 1), "p95_ms": round(s.quantile(0.95), 1),
                     "p99_ms": round(s.quantile(0.99), 1), "max_ms": round(s.quantile(1.0), 1)})
    return rows, errors, deliberate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a workspace URL to use (default: a new PostgreSQL "
                                     "database on 127.0.0.1:5432, dropped afterwards)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--reads", type=float, default=200.0, help="GET requests a second")
    parser.add_argument("--editors", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1,
                        help="server processes (`regionet serve --workers`; CPU and memory "
                             "are summed over them)")
    parser.add_argument("--editor-pause", type=float, default=0.05,
                        help="seconds each editor waits between two rounds (default 0.05)")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    parser.add_argument("--cold", action="store_true",
                        help="no warm-up: the server's first requests are counted too")
    args = parser.parse_args()
    if (not 0 < args.seconds <= 600 or not 0 < args.reads <= 2000 or not 0 < args.editors <= 50
            or not 0 < args.workers <= 8 or not 0 <= args.editor_pause <= 60):
        parser.error("--seconds 0–600, --reads 0–2000, --editors 1–50, --workers 1–8 and "
                     "--editor-pause 0–60 keep the load bounded")

    made = None
    db = args.db
    if db is None:
        made, db = make_database()
    server = None
    try:
        began = time.perf_counter()
        tokens = prepare(db, args.editors)
        print(f"prepared in {time.perf_counter() - began:.1f} s", flush=True)
        server, base = start_server(db, args.workers)
        if not args.cold:
            asyncio.run(warm_up(base, tokens))
        rss_before = tree_rss(server.pid)
        server_cpu, client_cpu = tree_cpu(server.pid), time.process_time()
        stats = asyncio.run(run_load(base, tokens, args.seconds, args.reads,
                                     args.editor_pause))
        after_cpu = tree_cpu(server.pid)
        client_cpu = time.process_time() - client_cpu
        server_cpu = (after_cpu - server_cpu
                      if server_cpu is not None and after_cpu is not None else None)
        rss_after = tree_rss(server.pid)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if made is not None:
            drop_database(made)

    rows, errors, deliberate = report(stats)
    result = {"machine": machine(), "load_average": os.getloadavg(), "seconds": args.seconds,
              "reads_per_second": args.reads, "editors": args.editors,
              "workers": args.workers, "editor_pause": args.editor_pause,
              "warm_up": not args.cold,
              "backend": db.split("://", 1)[0] if "://" in db else "sqlite",
              "errors": errors, "deliberate_412": deliberate,
              "server_rss_mib": {"before": rss_before, "after": rss_after},
              "cpu_seconds": {"server": server_cpu, "load_generator": client_cpu},
              "endpoints": rows}
    answered = sum(n for r in rows for status, n in r["statuses"].items()
                   if status.isdigit())
    print(f"{args.seconds:g} s, {args.reads:g} reads/s, {args.editors} editors, "
          f"{args.workers} server process(es) on "
          f"{result['backend']}; errors {errors}, deliberate 412s {deliberate}; server RSS "
          f"{rss_before or 0:.0f} → {rss_after or 0:.0f} MiB; load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if server_cpu is not None:
        print(f"CPU: server {server_cpu:.1f} s ({server_cpu / max(answered, 1) * 1e3:.1f} ms "
              f"per answered request, {answered}), load generator {client_cpu:.1f} s")
    print(f"{'endpoint':44} {'n':>6} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  statuses")
    for r in rows:
        print(f"{r['endpoint']:44} {r['requests']:>6} {r['p50_ms']:>7} {r['p95_ms']:>7} "
              f"{r['p99_ms']:>7} {r['max_ms']:>7}  {r['statuses']}")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
