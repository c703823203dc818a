"""Server CPU time per request, per endpoint, of a team server on PostgreSQL (not run in CI).

The figure that does not depend on how busy the machine is: ``regionet serve`` (one process)
on a fresh PostgreSQL database with the bundled case and the accounts of
``benchmarks/load_server.py``; for each read endpoint of that script (and an editor's
``GET /api/ties/{tie}/row``), ``--requests`` requests one after the other on one keep-alive
connection, after ``--warmup`` uncounted ones; the server process's user + system CPU time
(Linux ``/proc``) over those requests divided by their number. Also a stale edit (``PUT`` with
an old ``If-Match``, answered 412: no write) and a write (``PUT`` proposing a change, then the
reviewer's ``accept``), timed as one pair; and the same write followed by the five reads twice
(0.6 s apart): the cost of a new revision for the readers is that row minus the write's and
ten cached reads'.

    .venv/bin/python benchmarks/server_cpu.py                  # 300 requests per endpoint
    .venv/bin/python benchmarks/server_cpu.py --requests 100 --out cpu.json
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import httpx
from load_api import cpu_seconds, machine
from load_server import (
    READS,
    TIES,
    _auth,
    drop_database,
    make_database,
    prepare,
    rss_mib,
    start_server,
)


def measure(client: httpx.Client, pid: int, send: Any, requests: int, warmup: int
            ) -> tuple[float, float, dict[str, int]]:
    """(server CPU ms per request, wall ms per request, statuses) of ``send(i)``."""
    for i in range(warmup):
        send(i)
    statuses: dict[str, int] = {}
    before, start = cpu_seconds(pid), time.perf_counter()
    for i in range(requests):
        status = str(send(i).status_code)
        statuses[status] = statuses.get(status, 0) + 1
    wall, after = time.perf_counter() - start, cpu_seconds(pid)
    assert before is not None and after is not None
    return (after - before) / requests * 1e3, wall / requests * 1e3, statuses


def run(base: str, pid: int, tokens: dict[str, str], requests: int, warmup: int
        ) -> list[dict[str, Any]]:
    rows = []
    with httpx.Client(base_url=base, timeout=30.0) as client:
        reader = _auth(tokens["reader"])
        gets = [(t, t.format(tie=TIES[0])) for t in READS]
        gets.append(("/api/ties/{tie}/row", f"/api/ties/{TIES[0]}/row"))
        for name, path in gets:
            cpu, wall, statuses = measure(
                client, pid, lambda _i, p=path: client.get(p, headers=reader), requests, warmup)
            rows.append({"endpoint": "GET " + name, "cpu_ms": cpu, "wall_ms": wall,
                         "statuses": statuses})
        editor, reviewer = _auth(tokens["editor0"]), _auth(tokens["reviewer"])
        tie = TIES[1]
        row = client.get(f"/api/ties/{tie}/row", headers=editor)
        stale_tag, body = row.headers["etag"], dict(row.json()["row"])

        def write(i: int) -> httpx.Response:
            current = client.get(f"/api/ties/{tie}/row", headers=editor).headers["etag"]
            changed = {**body, "description": f"round {i}"}
            put = client.put(f"/api/ties/{tie}", json=changed,
                             headers={**editor, "If-Match": current})
            proposal = put.json()["id"]
            return client.post(f"/api/proposals/{proposal}/accept", json={"status": "partial"},
                               headers=reviewer)

        write_count = max(10, requests // 10)
        cpu, wall, statuses = measure(client, pid, write, write_count, 2)
        rows.append({"endpoint": "GET row + PUT + accept (a write)", "cpu_ms": cpu,
                     "wall_ms": wall, "statuses": statuses})

        def write_and_read(i: int) -> httpx.Response:
            # the five reads right after a write: each answer of the new revision is made
            # (the whole-graph ones in the background: the second read of each waits for it)
            last = write(i)
            for _name, path in gets[:len(READS)]:
                client.get(path, headers=reader)
            time.sleep(0.6)  # the background computation ends (a stale answer waits 0.5 s)
            for _name, path in gets[:len(READS)]:
                client.get(path, headers=reader)
            return last

        cpu, wall, statuses = measure(client, pid, write_and_read, write_count, 2)
        rows.append({"endpoint": "a write, then the five reads twice (new revision)",
                     "cpu_ms": cpu, "wall_ms": wall, "statuses": statuses})

        def stale(_i: int) -> httpx.Response:
            return client.put(f"/api/ties/{tie}", json=body,
                              headers={**editor, "If-Match": stale_tag})

        cpu, wall, statuses = measure(client, pid, stale, requests, warmup)
        rows.append({"endpoint": "PUT /api/ties/{tie} (stale If-Match)", "cpu_ms": cpu,
                     "wall_ms": wall, "statuses": statuses})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1,
                        help="regionet serve --workers (CPU is then the main process's only)")
    parser.add_argument("--out", type=Path, help="write the results as JSON")
    args = parser.parse_args()
    if not 0 < args.requests <= 5000:
        parser.error("--requests 1–5000 keeps the run bounded")

    made, db = make_database()
    server = None
    try:
        tokens = prepare(db, 1)
        server, base = start_server(db)
        rows = run(base, server.pid, tokens, args.requests, args.warmup)
        rss = rss_mib(server.pid)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        drop_database(made)
    total = sum(r["cpu_ms"] for r in rows[:len(READS)]) / len(READS)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} — {machine()}; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; server RSS {rss or 0:.0f} MiB")
    print(f"{'endpoint':44} {'CPU ms/req':>10} {'wall ms/req':>11}  statuses")
    for r in rows:
        print(f"{r['endpoint']:44} {r['cpu_ms']:>10.2f} {r['wall_ms']:>11.2f}  {r['statuses']}")
    print(f"mean of the five load-script reads: {total:.2f} ms CPU → at most "
          f"{1000 / total:.0f} reads/s per core")
    if args.out:
        args.out.write_text(json.dumps({"machine": machine(), "load_average": os.getloadavg(),
                                        "rows": rows}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
