"""Bounded local load test of the REST API (not run in CI).

Starts ``regionet serve`` (uvicorn, one process) on 127.0.0.1 on a free port, serving the
bundled case, then sends requests on an **open-loop** schedule: request ``i`` of an endpoint is
due at ``start + i / rate`` whatever happened to earlier ones, so a slow server cannot slow the
client down and hide its own latency (no coordinated omission). Latency is measured from the
time a request was *due* to the time its whole body has arrived. Each endpoint gets its own
phase of ``--rate`` requests/s for ``--duration`` s, after a short warm-up that is not counted.

    .venv/bin/python benchmarks/load_api.py                      # 100 req/s × 10 s per endpoint
    .venv/bin/python benchmarks/load_api.py --rate 50 --duration 5
    .venv/bin/python benchmarks/load_api.py --url http://127.0.0.1:8000   # a running server

Prints, per endpoint: requests sent, errors (non-2xx or transport failures), achieved rate,
response size, p50 / p95 / p99 / max latency in milliseconds, and the CPU time the server
process and the load generator spent per request (Linux ``/proc``), which tells a saturated
server from a saturated machine.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ENDPOINTS = ("/api/ties?level=international", "/api/geo/subjects?measure=population")


@dataclass
class Phase:
    """What one endpoint's phase measured."""

    path: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    sent: int = 0
    nbytes: int = 0
    wall: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float | None = None

    def quantile(self, q: float) -> float:
        """Return the ``q`` quantile of the latencies in ms (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
        return ordered[rank] * 1000.0


def cpu_seconds(pid: int) -> float | None:
    """Return the user + system CPU time of process ``pid`` (Linux ``/proc``), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, folder: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "REGIONET_DB": str(folder / "absent.db")}
    cmd = [sys.executable, "-m", "regionet.interfaces.cli", "serve", "--port", str(port)]
    return subprocess.Popen(cmd, cwd=folder, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def wait_ready(base: str, server: subprocess.Popen[bytes] | None, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            sys.exit(f"the server exited with code {server.returncode}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    sys.exit(f"{base}/api/health did not answer within {timeout} s")


async def one(client: httpx.AsyncClient, path: str, due: float, phase: Phase) -> None:
    delay = due - time.perf_counter()
    if delay > 0:
        await asyncio.sleep(delay)
    phase.sent += 1
    try:
        response = await client.get(path)
        body = response.content
    except httpx.HTTPError:
        phase.errors += 1
        return
    phase.latencies.append(time.perf_counter() - due)
    phase.nbytes = len(body)
    if not response.is_success:
        phase.errors += 1


async def run_phase(base: str, path: str, rate: float, duration: float, timeout: float,
                    server_pid: int | None) -> Phase:
    phase = Phase(path)
    limits = httpx.Limits(max_connections=512, max_keepalive_connections=512)
    async with httpx.AsyncClient(base_url=base, timeout=timeout, limits=limits) as client:
        for _ in range(5):  # warm-up: caches filled, connections opened; not counted
            await client.get(path)
        total = int(rate * duration)
        server_before = cpu_seconds(server_pid) if server_pid else None
        client_before = time.process_time()
        start = time.perf_counter() + 0.05
        tasks = [asyncio.create_task(one(client, path, start + i / rate, phase))
                 for i in range(total)]
        await asyncio.gather(*tasks)
        phase.wall = time.perf_counter() - start
        phase.client_cpu = time.process_time() - client_before
        server_after = cpu_seconds(server_pid) if server_pid else None
        if server_before is not None and server_after is not None:
            phase.server_cpu = server_after - server_before
    return phase


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} CPU {model or platform.processor()}, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, "
            f"httpx {httpx.__version__}")


def load_average() -> list[str]:
    try:
        return Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return ["n/a"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--url", help="use this running server instead of starting one")
    args = parser.parse_args()
    if not (0 < args.rate <= 1000 and 0 < args.duration <= 60):
        parser.error("keep it bounded: 0 < rate <= 1000 and 0 < duration <= 60")

    server = None
    with tempfile.TemporaryDirectory(prefix="regionet-load-") as tmp:
        if args.url:
            base = args.url.rstrip("/")
        else:
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            server = start_server(port, Path(tmp))
        try:
            wait_ready(base, server)
            print(f"# {time.strftime('%Y-%m-%d %H:%M')} — {machine()}")
            print(f"# open loop, {args.rate:g} req/s for {args.duration:g} s per endpoint, "
                  f"server {base}" + (" (regionet serve, 1 uvicorn process)" if server else ""))
            print(f"# load average before: {' '.join(load_average())}")
            print(f"{'endpoint':<38} {'sent':>5} {'errors':>6} {'req/s':>6} {'KB':>5} "
                  f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} "
                  f"{'server CPU ms/req':>17} {'client CPU ms/req':>17}")
            for path in ENDPOINTS:
                p = asyncio.run(run_phase(base, path, args.rate, args.duration, args.timeout,
                                          server.pid if server else None))
                top = max(p.latencies, default=float("nan")) * 1000
                server_ms = ("n/a" if p.server_cpu is None
                             else f"{p.server_cpu / max(p.sent, 1) * 1000:.2f}")
                print(f"{path:<38} {p.sent:>5} {p.errors:>6} {p.sent / p.wall:>6.1f} "
                      f"{p.nbytes / 1024:>5.0f} {p.quantile(0.50):>7.1f} "
                      f"{p.quantile(0.95):>7.1f} {p.quantile(0.99):>7.1f} {top:>7.1f} "
                      f"{server_ms:>17} {p.client_cpu / max(p.sent, 1) * 1000:>17.2f}")
            print(f"# load average after: {' '.join(load_average())}")
        finally:
            if server is not None:
                server.send_signal(signal.SIGINT)
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()


if __name__ == "__main__":
    main()
