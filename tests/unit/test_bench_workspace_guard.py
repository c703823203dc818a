"""bench_workspace.py refuses to report latencies of failed requests.

Its server phases once timed nothing but 401s (reads came to need a token) and reported them as
fast answers; a phase with any answer other than 200 now stops the benchmark.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_workspace.py"


@pytest.fixture(scope="module")
def bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_workspace", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_workspace"] = module
    spec.loader.exec_module(module)
    return module


class _Answer:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers = {"x-regionet-revision": "7"}


class _Client:
    """Answers the given statuses in turn."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.calls = 0

    def get(self, path: str) -> _Answer:
        self.calls += 1
        return _Answer(self.statuses[(self.calls - 1) % len(self.statuses)])


def test_latency_counts_the_answers_by_status(bench: Any) -> None:
    result = bench.latency(_Client([200, 200, 401]), ["/a", "/b"], seconds=30.0, limit=6)
    assert (result["requests"], result["errors"]) == (6, 2)
    assert result["statuses"] == {"200": 4, "401": 2}
    assert result["revisions"] == ["7"]


def test_a_phase_with_a_refused_request_stops_the_benchmark(bench: Any) -> None:
    refused = bench.latency(_Client([200] * 9 + [429]), ["/a"], seconds=30.0, limit=10)
    with pytest.raises(RuntimeError, match=r"idle: 1 of 10 requests did not answer 200 "
                                           r"\(statuses \{'200': 9, '429': 1\}\)"):
        bench.no_errors("idle", refused)


def test_a_phase_of_200s_is_reported_as_measured(bench: Any) -> None:
    fine = bench.latency(_Client([200]), ["/a"], seconds=30.0, limit=5)
    assert bench.no_errors("after import", fine) is fine
    assert fine["statuses"] == {"200": 5} and fine["p95_ms"] is not None
