"""Workspace at scale: imports against a plain sqlite3 bulk load, reads, a server under writes.

For each size (default 1e4, 1e5, 1e6 ties) of a seeded synthetic registry
(``synthetic_registry.py``: partner actors and ties among them and the bundled case's
subjects, every row valid):

1. **Import.** ``regionet data import`` (a child process) into a fresh workspace of the bundled
   case, against a **plain sqlite3 bulk load of the same rows** in the same run: the same CSV
   read with ``csv``, the same tables and indexes (a copy of the same workspace), one
   ``executemany`` per table and chunk, in one transaction, no validation, no levels, the
   driver's default settings. Wall time, CPU time and peak resident memory (``wait4``) of
   each child.
2. **Reads** (in this process, the workspace just imported, each the best of 5 after one cold
   call): ``show`` of a tie and of an actor, ties of one partner (``--actor``), a page of a hub
   subject's ties and of international ties with their counts, the summary counts; and the
   CLI: ``regionet data show ID`` and ``regionet data ties --actor X`` (a table), the whole
   command's wall time and the time beyond process start (after the interpreter has imported
   what the command imports).
3. **Server** (``regionet serve`` on 127.0.0.1, this workspace): latency of ``GET
   /api/ties/{id}`` and ``/api/ties?actor=X`` while idle, **during** an import of another
   ``n/10`` ties (a child process) and in the 10 s **after** it, with the
   ``X-Regionet-Revision`` each answer reflects, and the map's tie counts
   (``/api/geo/subjects?measure=ties_total``) after the import. Closed loop, one client,
   bounded in count and time; loopback only.

Writes ``docs/performance_workspace.json`` and the chart ``docs/performance_workspace.png``
(time against size, log-log) and prints a Markdown table.

    .venv/bin/python benchmarks/bench_workspace.py                   # 1e4 1e5 1e6
    .venv/bin/python benchmarks/bench_workspace.py --sizes 1e4 1e5 --no-server
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_registry import write_registry

ROOT = Path(__file__).resolve().parents[1]
REGIONET = [sys.executable, "-m", "regionet.interfaces.cli"]

PLAIN_LOAD = r'''
import csv, sqlite3, sys
db, actors_file, ties_file = sys.argv[1:4]
con = sqlite3.connect(db, isolation_level=None)
con.execute("BEGIN")
with open(actors_file, newline="", encoding="utf-8") as fh:
    reader = csv.reader(fh); next(reader)
    rows = list(reader)
con.executemany("INSERT INTO actors (id, kind, name_en, valid_from_date, valid_from_text, "
                "parent, status) VALUES (?,?,?,?,?,?,?)",
                [(a[0], a[1], a[2], a[3] + "-01-01", a[3], a[4] or None, a[6]) for a in rows])
con.executemany("INSERT INTO sources VALUES ('actors',?,0,?,?)",
                [(a[0], *a[5].split(":", 1)) for a in rows])
def chunks():
    with open(ties_file, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh); next(reader)
        chunk = []
        for row in reader:
            chunk.append(row)
            if len(chunk) == 2000:
                yield chunk; chunk = []
        yield chunk
for rows in chunks():
    con.executemany(
        "INSERT INTO ties (id, kind, start_date, start_text, end_date, end_text, amount, "
        "currency, amount_year, description, status) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        [(t[0], t[1], t[3] + "-01-01", t[3], t[4] + "-12-31" if t[4] else None, t[4] or None,
          float(t[6]) if t[6] else None, t[7] or None, int(t[8]) if t[8] else None, t[10],
          t[12]) for t in rows])
    con.executemany("INSERT INTO tie_actors VALUES (?,?,?)",
                    [(t[0], i, a) for t in rows for i, a in enumerate(t[2].split(";"))])
    con.executemany("INSERT INTO tie_domains VALUES (?,?,?)",
                    [(t[0], i, d) for t in rows for i, d in enumerate(t[5].split(";"))])
    con.executemany("INSERT INTO sources VALUES ('ties',?,?,?,?)",
                    [(t[0], i, *s.split(":", 1)) for t in rows
                     for i, s in enumerate(t[11].split(";"))])
con.execute("COMMIT")
'''


#: Runs ``regionet ARGS`` after the interpreter has imported what the command imports
#: (regionet's CLI, the records service, Typer's argument adapters): prints the ms left.
CLI_TIMER = r'''
import sys, time
import regionet.interfaces.cli.app as app, regionet.interfaces.cli.output
import regionet.services.records, typer._adapters
sys.argv = ["regionet", *sys.argv[1:]]
t = time.perf_counter()
try:
    app.main()
except SystemExit as exc:
    if exc.code:
        raise
print(f"{(time.perf_counter() - t) * 1000:.1f}", file=sys.stderr)
'''


def run_child(args: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run a child process to the end; return its wall and CPU time and peak RSS (MiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env or dict(os.environ))
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args} failed:\n{output.decode(errors='replace')[-2000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime,
            "peak_mib": usage.ru_maxrss / 1024}


def best_of(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, float]:
    """Return (cold, best warm) wall times of ``fn`` in ms."""
    t = time.perf_counter()
    fn()
    cold = (time.perf_counter() - t) * 1000
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return cold, min(times)


def reads(db: Path, tie: str, actor: str, hub: str) -> dict[str, Any]:
    """Time the record services and the CLI on the workspace ``db``."""
    from regionet.model.case import TieFilter
    from regionet.services import records
    from regionet.services.case_source import CaseSource
    from regionet.services.paging import Page

    src = CaseSource.workspace(db)
    cases: dict[str, Callable[[], Any]] = {
        "show tie": lambda: records.show(src, tie),
        "show actor": lambda: records.show(src, actor),
        "ties of a partner (all)": lambda: records.list_ties(src, TieFilter(actor=actor)),
        "ties of a hub (page of 100, count)": lambda: records.list_ties(
            src, TieFilter(actor=hub), page=Page(100, 0)),
        "international ties (page 100, count)": lambda: records.list_ties(
            src, TieFilter(level="international"), page=Page(100, 0)),
        "cross-border ties of 1999 (page, count)": lambda: records.list_ties(
            src, TieFilter(level="international", sublevel="cross-border", year=1999),
            page=Page(100, 100)),
        "summary counts": lambda: records.summary(src),
    }
    out: dict[str, Any] = {}
    for name, fn in cases.items():
        cold, warm = best_of(fn)
        out[name] = {"cold_ms": cold, "warm_ms": warm}
    def cli(args: list[str]) -> dict[str, float]:
        """Best of 3: the whole command's wall time, and the time beyond process start."""
        walls, inside = [], []
        for _ in range(3):
            t = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", CLI_TIMER, *args], check=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            walls.append((time.perf_counter() - t) * 1000)
            inside.append(float(done.stderr.strip().splitlines()[-1]))
        return {"wall_ms": min(walls), "beyond_start_ms": min(inside)}

    out["cli"] = {"data show TIE": cli(["data", "show", tie, "--db", str(db)]),
                  "data ties --actor X": cli(["data", "ties", "--actor", actor, "--db",
                                              str(db)])}
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(http: httpx.Client, seconds: float = 60.0) -> None:
    """Wait until the server answers ``/api/health``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if http.get("/api/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("server did not start")
        time.sleep(0.2)


def latency(http: httpx.Client, paths: list[str], seconds: float, limit: int = 2000
            ) -> dict[str, Any]:
    """Closed loop over ``paths`` for ``seconds`` (at most ``limit`` requests)."""
    samples: list[float] = []
    revisions: set[str] = set()
    errors = 0
    statuses: dict[str, int] = {}
    deadline = time.monotonic() + seconds
    i = 0
    while time.monotonic() < deadline and i < limit:
        t = time.perf_counter()
        r = http.get(paths[i % len(paths)])
        samples.append((time.perf_counter() - t) * 1000)
        errors += r.status_code != 200
        statuses[str(r.status_code)] = statuses.get(str(r.status_code), 0) + 1
        revisions.add(r.headers.get("x-regionet-revision", "-"))
        i += 1
    ordered = sorted(samples)
    return {"requests": len(samples), "errors": errors, "statuses": statuses,
            "p50_ms": statistics.median(ordered) if ordered else None,
            "p95_ms": ordered[int(0.95 * (len(ordered) - 1))] if ordered else None,
            "max_ms": ordered[-1] if ordered else None, "revisions": sorted(revisions)}


def reader_token(db: Path, env: dict[str, str]) -> str:
    """A reader's token for workspace ``db`` (``regionet users add``): reads need an account."""
    name = f"bench-{os.getpid()}-{time.monotonic_ns()}"
    done = subprocess.run([*REGIONET, "users", "add", name, "--role", "reader", "--db", str(db)],
                          env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def no_errors(phase: str, result: dict[str, Any]) -> dict[str, Any]:
    """``result`` of :func:`latency`, refused if any request failed: a benchmark of error
    responses would look fast (it did, before reads needed a token: every one was a 401)."""
    if result["errors"]:
        raise RuntimeError(f"{phase}: {result['errors']} of {result['requests']} requests did "
                           f"not answer 200 (statuses {result['statuses']})")
    return result


def server(db: Path, extra: Path, tie: str, actor: str) -> dict[str, Any]:
    """Latency of a running server while idle, during an import of ``extra`` and after it.

    One client, with a reader's token, on a server without a rate limit (``--rate-limit 0``:
    this measures the server, not the limiter).
    """
    port = free_port()
    env = {**os.environ, "REGIONET_DB": str(db)}
    token = reader_token(db, env)
    proc = subprocess.Popen([*REGIONET, "serve", "--port", str(port), "--rate-limit", "0"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    paths = [f"/api/ties/{tie}", f"/api/ties?actor={actor}&limit=100"]
    out: dict[str, Any] = {}
    try:
        with httpx.Client(base_url=base, timeout=60.0,
                          headers={"authorization": f"Bearer {token}"}) as http:
            wait_until_up(http)
            http.get("/api/geo/subjects?measure=ties_total")
            out["idle"] = no_errors("idle", latency(http, paths, 5.0))
            importer = subprocess.Popen([*REGIONET, "data", "import", str(extra), "--db",
                                         str(db)], env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT)
            during: list[dict[str, Any]] = []
            while importer.poll() is None:
                during.append(latency(http, paths, 1.0))
            if importer.returncode != 0:
                raise RuntimeError("the import during the server test failed")
            merged = [s for d in during for s in [d]]
            statuses: dict[str, int] = {}
            for d in merged:
                for code, count in d["statuses"].items():
                    statuses[code] = statuses.get(code, 0) + count
            out["during import"] = no_errors("during import", {
                "requests": sum(d["requests"] for d in merged),
                "errors": sum(d["errors"] for d in merged), "statuses": statuses,
                "p95_ms": max((d["p95_ms"] or 0) for d in merged) if merged else None,
                "max_ms": max((d["max_ms"] or 0) for d in merged) if merged else None,
                "revisions": sorted({r for d in merged for r in d["revisions"]})})
            t = time.perf_counter()
            geo = http.get("/api/geo/subjects?measure=ties_total")
            if geo.status_code != 200:
                raise RuntimeError(f"the map after the import answered {geo.status_code}")
            out["map after import"] = {"ms": (time.perf_counter() - t) * 1000,
                                       "revision": geo.headers.get("x-regionet-revision")}
            out["after import"] = no_errors("after import", latency(http, paths, 10.0))
    finally:
        proc.terminate()
        proc.wait(30)
    return out


POSTER = r'''
import json, sys, threading, time
import httpx
base, seconds, senders, mib, pause = (sys.argv[1], float(sys.argv[2]), int(sys.argv[3]),
                                      float(sys.argv[4]), float(sys.argv[5]))
body = json.dumps({"year": 1999, "overrides": {
    f"p{i}": {"1999-01-01": 0.5} for i in range(int(mib * 1024 * 1024 / 30))}})
stop = time.monotonic() + seconds
statuses = {}
lock = threading.Lock()
def send():
    with httpx.Client(base_url=base, timeout=60.0) as poster:
        while time.monotonic() < stop:
            try:
                code = str(poster.post("/api/fiscal/runs", content=body,
                                       headers={"content-type": "application/json"}).status_code)
            except httpx.TransportError as exc:
                code = type(exc).__name__
            with lock:
                statuses[code] = statuses.get(code, 0) + 1
            time.sleep(pause)
threads = [threading.Thread(target=send) for _ in range(senders)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(json.dumps(statuses))
'''


def rss_mib(pid: int) -> float:
    """Resident memory of a process (Linux /proc), MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def post_load(workdir: Path, seconds: float = 10.0, senders: int = 5,
              body_mib: float = 8.5, pause: float = 0.2) -> dict[str, Any]:
    """``/api/ties`` latency and server memory while ``senders`` threads post large bodies.

    The server serves the bundled case (a workspace path that does not exist). Each sender
    (in another process) posts ``body_mib`` MiB reforms to ``/api/fiscal/runs``, waits
    ``pause`` s, and again, for ``seconds``. Also reports the server's CPU time in the window.
    """
    port = free_port()
    env = {**os.environ, "REGIONET_DB": str(workdir / "absent.db")}
    proc = subprocess.Popen([*REGIONET, "serve", "--port", str(port), "--rate-limit", "0"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    out: dict[str, Any] = {"body_mib": body_mib, "senders": senders}
    try:
        with httpx.Client(base_url=base, timeout=60.0) as http:
            wait_until_up(http)
            paths = ["/api/ties?level=international&limit=100"]
            latency(http, paths, 2.0)
            cpu = cpu_seconds(proc.pid)
            out["idle"] = no_errors("idle (large posts)", latency(http, paths, seconds))
            out["server_cpu_idle_s"] = cpu_seconds(proc.pid) - cpu
            out["rss_before_mib"] = rss_mib(proc.pid)
            # The senders run in another process, so that their work does not slow down the
            # client that measures latency (one interpreter, one GIL).
            sender = subprocess.Popen([sys.executable, "-c", POSTER, base, str(seconds),
                                       str(senders), str(body_mib), str(pause)],
                                      stdout=subprocess.PIPE, text=True)
            time.sleep(0.5)
            cpu = cpu_seconds(proc.pid)
            out["under large posts"] = no_errors("under large posts",
                                                 latency(http, paths, seconds - 1.0))
            out["server_cpu_under_posts_s"] = cpu_seconds(proc.pid) - cpu
            out["post statuses"] = json.loads(sender.communicate(timeout=120)[0])
            out["rss_after_mib"] = rss_mib(proc.pid)
            out["p95_ratio"] = (out["under large posts"]["p95_ms"] / out["idle"]["p95_ms"])
    finally:
        proc.terminate()
        proc.wait(30)
    return out


def chart(results: list[dict[str, Any]], path: Path) -> None:
    """Time against size, log-log: imports (regionet, plain sqlite3) and reads."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["ties"] for r in results]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, label in (("regionet", "regionet data import"),
                       ("plain_sqlite3", "plain sqlite3 bulk load")):
        left.plot(sizes, [r["import"][key]["wall_s"] for r in results], "o-", label=label)
    left.set(xscale="log", yscale="log", xlabel="ties", ylabel="seconds",
             title="Import (wall time)")
    left.legend()
    for name in ("show tie", "ties of a partner (all)", "ties of a hub (page of 100, count)",
                 "international ties (page 100, count)"):
        right.plot(sizes, [r["reads"][name]["warm_ms"] for r in results], "o-", label=name)
    right.set(xscale="log", yscale="log", xlabel="ties", ylabel="milliseconds",
              title="Reads (service call, warm)")
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    """Run the benchmark for each size and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="*", type=float, default=[1e4, 1e5, 1e6])
    parser.add_argument("--seed", type=int, default=1999)
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--no-post-load", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance_workspace")
    args = parser.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="regionet-bench-") as tmp:
        work = Path(tmp)
        base = work / "base.db"
        subprocess.run([*REGIONET, "data", "init", "--db", str(base)], check=True,
                       stdout=subprocess.DEVNULL)
        for size in args.sizes:
            n = int(size)
            data = work / f"data-{n}"
            reg = write_registry(n, data, seed=args.seed)
            extra = write_registry(max(1, n // 10), data, seed=args.seed + 1, prefix="extra",
                                   actors=False)
            plain_db, ws_db = work / f"plain-{n}.db", work / f"ws-{n}.db"
            shutil.copy(base, plain_db)
            shutil.copy(base, ws_db)
            plain = run_child([sys.executable, "-c", PLAIN_LOAD, str(plain_db),
                               str(reg.actors), str(reg.ties)])
            mine = run_child([*REGIONET, "data", "import", str(reg.actors), str(reg.ties),
                              "--db", str(ws_db)])
            row: dict[str, Any] = {
                "ties": n, "actors": reg.n_actors,
                "import": {"regionet": mine, "plain_sqlite3": plain,
                           "ratio_wall": mine["wall_s"] / plain["wall_s"]},
                "reads": reads(ws_db, reg.sample_tie, reg.sample_actor, reg.hub)}
            if not args.no_server:
                row["server"] = server(ws_db, extra.ties, reg.sample_tie, reg.sample_actor)
            results.append(row)
            print(json.dumps(row, indent=1), flush=True)
            for f in (plain_db, ws_db):
                f.unlink(missing_ok=True)
            shutil.rmtree(data, ignore_errors=True)
        posts = None if args.no_post_load else post_load(work)
        if posts is not None:
            print(json.dumps({"large posts": posts}, indent=1), flush=True)
    meta = {"machine": platform.platform(), "python": platform.python_version(),
            "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d"),
            "load_average": os.getloadavg(), "seed": args.seed}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not results:  # --sizes with no size: the large-posts load alone
        if posts is not None:
            args.out.with_name(args.out.name + "_posts.json").write_text(
                json.dumps({"meta": meta, "large_posts": posts}, indent=1), encoding="utf-8")
        return
    args.out.with_suffix(".json").write_text(json.dumps(
        {"meta": meta, "results": results, "large_posts": posts}, indent=1), encoding="utf-8")
    chart(results, args.out.with_suffix(".png"))
    print("\n| ties | regionet import (s, CPU s, MiB) | plain sqlite3 (s, CPU s, MiB) "
          "| show tie (ms) | ties --actor (ms) |")
    print("|---|---|---|---|---|")
    for r in results:
        m, p = r["import"]["regionet"], r["import"]["plain_sqlite3"]
        print(f"| {r['ties']:,} | {m['wall_s']:.1f}, {m['cpu_s']:.1f}, {m['peak_mib']:.0f} "
              f"| {p['wall_s']:.1f}, {p['cpu_s']:.1f}, {p['peak_mib']:.0f} "
              f"| {r['reads']['show tie']['warm_ms']:.1f} "
              f"| {r['reads']['ties of a partner (all)']['warm_ms']:.1f} |")


if __name__ == "__main__":
    csv.field_size_limit(1 << 24)
    main()
