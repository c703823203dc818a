"""Two editors change the same tie at the same moment, against a real server: one wins.

Also with ``serve --workers 2``: the two edits then may reach two processes at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

TIE = "t-no-pechenganikel-pledge"


def _workers(pid: int) -> list[int]:
    """The worker processes ``pid`` spawned (Linux ``/proc``; not its resource tracker)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        if int(fields[1]) == pid and b"spawn_main" in command:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.slow  # `regionet serve` in a subprocess
@pytest.mark.parametrize("workers", [1, 2])
def test_two_editors_on_one_version_exactly_one_proposal_is_taken(
        team: tuple[Path, dict[str, str]], free_port: Callable[[], int],
        wait_for_health: Callable[..., httpx.Response], workers: int) -> None:
    db, tokens = team
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "regionet.interfaces.cli", "serve", "--db", str(db), "--port",
         str(port), "--workers", str(workers)], env={**os.environ}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    auth = {name: {"Authorization": f"Bearer {token}"} for name, token in tokens.items()}
    try:
        wait_for_health(base, 60.0, process)
        # the supervisor's worker processes (none with one worker: it serves itself)
        assert len(_workers(process.pid)) == (workers if workers > 1 else 0)
        with httpx.Client(base_url=base, timeout=30) as client:
            for round_ in range(5):
                got = client.get(f"/api/ties/{TIE}/row", headers=auth["rita"])
                row, etag = got.json()["row"], got.headers["etag"]
                barrier = threading.Barrier(2)
                statuses: dict[str, int] = {}

                def edit(name: str, row: dict[str, str] = row, etag: str = etag,
                         barrier: threading.Barrier = barrier,
                         statuses: dict[str, int] = statuses, round_: int = round_) -> None:
                    with httpx.Client(base_url=base, timeout=30) as mine:
                        barrier.wait()
                        statuses[name] = mine.put(
                            f"/api/ties/{TIE}", json={**row, "note": f"{name} {round_}"},
                            headers={**auth[name], "If-Match": etag}).status_code

                threads = [threading.Thread(target=edit, args=(n,)) for n in ("ed", "eve")]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                assert sorted(statuses.values()) == [202, 412], statuses
                queue = client.get("/api/proposals", params={"state": "proposed"},
                                   headers=auth["rev"]).json()
                assert queue["count"] == 1
                [winner] = [n for n, s in statuses.items() if s == 202]
                assert queue["data"][0]["author"] == winner
                assert queue["data"][0]["payload"]["note"] == f"{winner} {round_}"
                if round_ % 2:
                    decided = client.post(f"/api/proposals/{queue['data'][0]['id']}/accept",
                                          json={"status": "partial"}, headers=auth["rev"])
                else:
                    decided = client.post(f"/api/proposals/{queue['data'][0]['id']}/reject",
                                          json={"reason": "round over"}, headers=auth["rev"])
                assert decided.status_code == 200
            history = client.get(f"/api/ties/{TIE}/history", headers=auth["rita"]).json()
            assert [v["version"] for v in history["versions"]] == [1, 2]
            assert all(v["before"] != v["after"] for v in history["versions"])
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert ("2 server processes" in output) is (workers == 2)
