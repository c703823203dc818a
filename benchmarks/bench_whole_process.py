"""Benchmark: whole-process fiscal runs on a user's files, against DuckDB, Polars and pandas.

What a user feels is the whole process, from start to exit, on files they were given. For each
size and format this script generates seeded files (``whole_process/generate.py``: unsorted,
region ids as text, firm ids that are 10-digit registry numbers, not ``0..F-1``), then times,
**alternating in the same run**, ``regionet fiscal run --year 2005 --rule art288
--establishments E --firms F --format json`` against scripts computing the same art. 288
attribution in DuckDB, Polars and pandas (``whole_process/*_art288.py``, run by the Python of
the benchmark's own environment: these are not regionet dependencies). Each process's wall
time and peak RSS (``wait4``'s ``ru_maxrss``) are recorded; the medians and the ratios to
regionet are printed, and every tool's region sums must agree with regionet's
``profit_tax_base_attributed`` to 1e-9 (relative).

    python benchmarks/bench_whole_process.py --setup          # make .bench-venv (duckdb, ...)
    python benchmarks/bench_whole_process.py                   # 1e6 and 5e6, Parquet and CSV
    python benchmarks/bench_whole_process.py --sizes 2e7 --formats parquet \\
        --chart docs/img/whole_process_scaling.svg       # the chart: every size run so far
    python benchmarks/bench_whole_process.py --startup         # --version, fiscal run --help
    python benchmarks/bench_whole_process.py --network         # network metrics --edges
    python benchmarks/bench_whole_process.py --rest            # POST /api/fiscal/runs, 1e6
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))


def write(rows: int, seed: int, out: Path) -> dict[str, str]:
    """Generate (once) the files of ``rows`` establishments, in a separate process.

    Not in this process: a child's peak RSS (``ru_maxrss``) starts from its parent's at the
    fork, so a parent holding the generated tables would inflate every tool's peak.
    """
    return generated(["--rows", str(rows), "--seed", str(seed), "--out", str(out)])


def write_edges(nodes: int, edges: int, seed: int, out: Path) -> dict[str, str]:
    """Generate (once) the edge list files, in a separate process (see :func:`write`)."""
    return generated(["--nodes", str(nodes), "--edges", str(edges), "--seed", str(seed),
                      "--out", str(out)])


def generated(args: list[str]) -> dict[str, str]:
    done = subprocess.run([sys.executable, str(HERE / "whole_process" / "generate.py"), *args],
                          check=True, capture_output=True, text=True)
    paths: dict[str, str] = json.loads(done.stdout)
    return paths

BENCH_VENV = ROOT / ".bench-venv"
BENCH_PACKAGES = ("duckdb", "polars", "pandas", "pyarrow", "numpy", "igraph")
TOOLS = ("regionet", "duckdb", "polars", "pandas")


def bench_python(args: argparse.Namespace) -> str:
    return str(args.bench_python or BENCH_VENV / "bin" / "python")


def setup(args: argparse.Namespace) -> None:
    """Create the benchmark's own environment with the baseline tools."""
    if not BENCH_VENV.exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    subprocess.run([bench_python(args), "-m", "pip", "install", "--quiet", *BENCH_PACKAGES],
                   check=True)


def regionet_exe() -> str:
    exe = Path(sys.executable).with_name("regionet")
    return str(exe) if exe.exists() else "regionet"


def command(tool: str, est: str, firms: str, args: argparse.Namespace) -> list[str]:
    if tool == "regionet":
        return [regionet_exe(), "fiscal", "run", "--year", "2005", "--rule", "art288",
                "--establishments", est, "--firms", firms, "--format", "json",
                "--db", str(Path(tempfile.gettempdir()) / "no-such-workspace.db")]
    return [bench_python(args), str(HERE / "whole_process" / f"{tool}_art288.py"), est, firms]


@dataclass
class Runs:
    wall: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def median(self) -> tuple[float, float]:
        return statistics.median(self.wall), statistics.median(self.peak_mb)

    def add(self, got: tuple[float, float, float]) -> None:
        self.wall.append(got[0])
        self.peak_mb.append(got[1])
        self.cpu.append(got[2])

    def cpu_median(self) -> float:
        """Median user + system seconds (nan for runs logged before CPU was recorded)."""
        return statistics.median(self.cpu) if self.cpu else float("nan")


def compiled() -> None:
    """Write regionet's ``.pyc`` files first, as ``pip install`` does.

    With ``PYTHONDONTWRITEBYTECODE`` set (as on the development VM) no run writes them, so
    every timed run compiled about 75 modules from source (0.5 s of CPU) without this.
    """
    subprocess.run([sys.executable, "-c", "import compileall, os, regionet; "
                    "compileall.compile_dir(os.path.dirname(regionet.__file__), quiet=1)"],
                   check=True, capture_output=True)


def run_once(cmd: Sequence[str], out: Path) -> tuple[float, float, float]:
    """Run ``cmd`` to completion; return (wall seconds, peak RSS in MB, user + system s)."""
    with out.open("wb") as stdout:
        start = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
        assert process.stderr is not None
        errors = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({process.returncode}): {errors.decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def sums(tool: str, path: Path) -> dict[str, float]:
    data = json.loads(path.read_text())
    if tool == "regionet":
        return {r["region"]: float(r["profit_tax_base_attributed"]) for r in data}
    return {str(k): float(v) for k, v in data.items()}


def agree(reference: dict[str, float], other: dict[str, float]) -> float:
    """Largest relative difference between two region sums (regions absent count as 0)."""
    regions = set(reference) | set(other)
    scale = max(abs(v) for v in reference.values())
    return max(abs(reference.get(r, 0.0) - other.get(r, 0.0)) for r in regions) / scale


def bench(rows: int, fmt: str, args: argparse.Namespace) -> dict[str, Runs]:
    paths = write(rows, args.seed, args.data)
    est, firms = paths[f"establishments_{fmt}"], paths[f"firms_{fmt}"]
    tools = [t for t in args.tools if not (t == "pandas" and rows > args.pandas_max)]
    results = {t: Runs() for t in tools}
    outputs = {t: args.data / f"out-{t}.json" for t in tools}
    for tool in tools:  # warm-up: page cache, .pyc files
        for _ in range(args.warmup):
            run_once(command(tool, est, firms, args), outputs[tool])
    for round_ in range(args.repeat):
        order = tools[round_ % len(tools):] + tools[:round_ % len(tools)]
        for tool in order:
            results[tool].add(run_once(command(tool, est, firms, args), outputs[tool]))
    reference = sums("regionet", outputs["regionet"]) if "regionet" in tools else None
    print(f"\n### {rows:,} establishments, {fmt} (median of {args.repeat}, alternating; "
          f"load average at the end {os.getloadavg()[0]:.1f})\n")
    print("| tool | wall | min–max | CPU (user+sys) | peak RSS | tool / regionet | same sums |")
    print("|---|---:|---:|---:|---:|---:|:---:|")
    base = results["regionet"].median()[0] if "regionet" in results else None
    for tool, runs in results.items():
        wall, peak = runs.median()
        ratio = f"{wall / base:.2f}" if base else "–"
        same = "–"
        if reference is not None:
            diff = agree(reference, sums(tool, outputs[tool]))
            same = "✔" if diff <= 1e-9 else f"✖ {diff:.1e}"
            if diff > 1e-9:
                print(f"<!-- {tool} differs from regionet by {diff:.2e} -->")
        print(f"| {tool} | {wall:.2f} s | {min(runs.wall):.2f}–{max(runs.wall):.2f} s | "
              f"{runs.cpu_median():.2f} s | {peak:,.0f} MB | {ratio} | {same} |")
    with (args.data / "results.jsonl").open("a", encoding="utf-8") as log:
        for tool, runs in results.items():
            log.write(json.dumps({"date": time.strftime("%Y-%m-%d %H:%M"), "rows": rows,
                                  "format": fmt, "tool": tool, "wall": runs.wall,
                                  "peak_mb": runs.peak_mb, "cpu": runs.cpu,
                                  "load": os.getloadavg()[0]}) + "\n")
    if base and "duckdb" in results:
        duck = results["duckdb"].median()[0]
        print(f"\nregionet / DuckDB = {base / duck:.2f} (target ≤ "
              f"{0.8 if fmt == 'parquet' else 1.0}), peak {results['regionet'].median()[1]:.0f} MB"
              + (f"; pandas / regionet = {results['pandas'].median()[0] / base:.2f} "
                 "(target ≥ 2.5)" if "pandas" in results else ""))
    return results


def startup(args: argparse.Namespace) -> None:
    print("\n### Start-up (median of "
          f"{args.repeat * 3})\n\n| command | wall | CPU (user+sys) | peak RSS |\n"
          "|---|---:|---:|---:|")
    null = args.data / "out-startup.txt"
    args.data.mkdir(parents=True, exist_ok=True)
    for cmd in (["--version"], ["fiscal", "run", "--help"], ["--help"]):
        runs = Runs()
        run_once([regionet_exe(), *cmd], null)
        for _ in range(args.repeat * 3):
            runs.add(run_once([regionet_exe(), *cmd], null))
        wall, peak = runs.median()
        print(f"| `regionet {' '.join(cmd)}` | {wall:.3f} s | {runs.cpu_median():.3f} s | "
              f"{peak:.0f} MB |")


def rest(args: argparse.Namespace) -> None:
    """Register a user economy in a workspace, serve it, time POST /api/fiscal/runs."""
    import httpx
    from load_api import free_port, wait_ready

    rows = int(args.rest_rows)
    paths = write(rows, args.seed, args.data)
    folder = Path(tempfile.mkdtemp(prefix="regionet-rest-"))
    db = folder / "study.db"
    for cmd in (["data", "init", "--db", str(db)],
                ["fiscal", "inputs", "add", "economy", "--establishments",
                 paths["establishments_parquet"], "--firms", paths["firms_parquet"],
                 "--db", str(db)]):
        start = time.perf_counter()
        subprocess.run([regionet_exe(), *cmd], check=True, capture_output=True)
        print(f"`regionet {cmd[0]} {cmd[1]}`: {time.perf_counter() - start:.2f} s")
    # Reads need an account (issue 12): a reader's token; no rate limit (this times the run).
    added = subprocess.run([regionet_exe(), "users", "add", "bench", "--role", "reader",
                            "--db", str(db)], check=True, capture_output=True, text=True)
    token = added.stdout.strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen([regionet_exe(), "serve", "--port", str(port), "--db", str(db),
                               "--rate-limit", "0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, server)
        print(f"\n### REST: POST /api/fiscal/runs on registered inputs of {rows:,} "
              "establishments\n\n| request | scenario | wall | status |\n|---|---|---:|---:|")
        with httpx.Client(timeout=600, headers={"authorization": f"Bearer {token}"}) as client:
            for i, body in enumerate([{"year": 2005, "inputs": "economy"}] * 4
                                     + [{"year": 2005, "inputs": "economy",
                                         "rule": "operation"}] * 2):
                start = time.perf_counter()
                answer = client.post(f"{base}/api/fiscal/runs", json=body)
                wall = time.perf_counter() - start
                print(f"| {i + 1} | {body.get('rule', 'baseline')} | {wall:.3f} s | "
                      f"{answer.status_code} |")
                if answer.status_code != 200:  # a refused request is not a timing
                    raise SystemExit(f"POST /api/fiscal/runs answered {answer.status_code}: "
                                     f"{answer.text[:300]}")
    finally:
        server.terminate()
        server.wait(timeout=30)


def network(args: argparse.Namespace) -> None:
    """``regionet network metrics --edges`` against a plain python-igraph script."""
    paths = write_edges(args.nodes, args.edges, args.seed, args.data)
    for fmt in args.formats:
        runs = {"regionet": Runs(), "igraph": Runs()}
        outputs = {t: args.data / f"out-net-{t}.json" for t in runs}
        commands = {
            "regionet": [regionet_exe(), "network", "metrics", "--edges", paths[fmt], "--json"],
            "igraph": [bench_python(args), str(HERE / "whole_process" / "igraph_metrics.py"),
                       paths[fmt]]}
        for tool, cmd in commands.items():
            run_once(cmd, outputs[tool])
        for round_ in range(args.repeat):
            for tool in (("regionet", "igraph") if round_ % 2 == 0 else ("igraph", "regionet")):
                runs[tool].add(run_once(commands[tool], outputs[tool]))
        a = {r["id"]: r for r in json.loads(outputs["regionet"].read_text())}
        b = {r["id"]: r for r in json.loads(outputs["igraph"].read_text())}
        same = (a.keys() == b.keys()
                and all(a[k]["degree"] == b[k]["degree"] and a[k]["component"] ==
                        b[k]["component"] for k in a)
                and max(abs(a[k]["pagerank"] - b[k]["pagerank"]) for k in a) < 1e-8)
        print(f"\n### Network metrics, {args.nodes:,} nodes / {args.edges:,} edges, {fmt} "
              f"(median of {args.repeat})\n\n| tool | wall | min–max | peak RSS | same |\n"
              "|---|---:|---:|---:|:---:|")
        for tool, got in runs.items():
            wall, peak = got.median()
            print(f"| {tool} | {wall:.2f} s | {min(got.wall):.2f}–{max(got.wall):.2f} s | "
                  f"{peak:,.0f} MB | {'✔' if same else '✖'} |")


def logged(data: Path) -> dict[int, dict[str, Runs]]:
    """The latest Parquet runs of each size and tool saved in ``data/results.jsonl``."""
    results: dict[int, dict[str, Runs]] = {}
    log = data / "results.jsonl"
    for line in log.read_text(encoding="utf-8").splitlines() if log.is_file() else []:
        entry = json.loads(line)
        if entry["format"] == "parquet":
            results.setdefault(entry["rows"], {})[entry["tool"]] = Runs(
                entry["wall"], entry["peak_mb"], entry.get("cpu", []))
    return results


def chart(results: dict[int, dict[str, Runs]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(results)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for tool in TOOLS:
        xs = [n for n in sizes if tool in results[n]]
        if not xs:
            continue
        left.plot(xs, [results[n][tool].median()[0] for n in xs], marker="o", label=tool)
        right.plot(xs, [results[n][tool].median()[1] for n in xs], marker="o", label=tool)
    for axis, label in ((left, "wall time, s (median)"), (right, "peak RSS, MB (median)")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("establishments (Parquet, unsorted, text ids)")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
    left.legend()
    fig.suptitle("Whole-process art. 288 run on a user's files: regionet vs DuckDB, "
                 "Polars, pandas", fontsize=10)
    fig.text(0.01, 0.01, f"benchmarks/bench_whole_process.py; {platform.processor() or ''} "
             f"{os.cpu_count()} cores; {time.strftime('%Y-%m-%d')}", fontsize=7)
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    print(f"\nchart: {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1e6, 5e6])
    parser.add_argument("--formats", nargs="+", default=["parquet", "csv"],
                        choices=["parquet", "csv"])
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1999)
    parser.add_argument("--data", type=Path,
                        default=Path(tempfile.gettempdir()) / "regionet-bench")
    parser.add_argument("--bench-python", help="Python with duckdb, polars, pandas "
                                               "(default: .bench-venv/bin/python)")
    parser.add_argument("--pandas-max", type=float, default=2e7,
                        help="skip pandas above this many rows")
    parser.add_argument("--chart", type=Path, help="write the scaling chart (Parquet, every "
                        "size in DATA/results.jsonl) here")
    parser.add_argument("--setup", action="store_true", help="create .bench-venv and exit")
    parser.add_argument("--startup", action="store_true", help="time start-up commands only")
    parser.add_argument("--network", action="store_true",
                        help="time `network metrics --edges` against python-igraph only")
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=500_000)
    parser.add_argument("--rest", action="store_true",
                        help="time POST /api/fiscal/runs on registered inputs only")
    parser.add_argument("--rest-rows", type=float, default=1e6)
    args = parser.parse_args()
    if args.setup:
        setup(args)
        return
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, {platform.platform()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    compiled()
    if args.startup:
        startup(args)
        return
    if args.network:
        network(args)
        return
    if args.rest:
        rest(args)
        return
    for size in args.sizes:
        for fmt in args.formats:
            bench(int(size), fmt, args)
    if args.chart:  # every size run so far (results.jsonl), this run's included
        chart(logged(args.data), args.chart)


if __name__ == "__main__":
    main()
