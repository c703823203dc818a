"""The services' cache: bounded in bytes, keyed by digests, stale whole-graph results on demand."""

from __future__ import annotations

import threading
import time

import pytest

from regionet.services import cache


@pytest.fixture(autouse=True)
def _clean() -> None:
    cache.clear()


def test_keys_are_digests_so_a_large_key_is_not_kept() -> None:
    overrides = tuple((f"path.{i}", (("1999-01-01", float(i)),)) for i in range(20_000))
    assert cache.memo("demo.big", (("bundled", "x"), "v1", overrides), lambda: 1) == 1
    stored = list(cache._entries)  # what the cache keeps
    assert len(stored) == 1 and len(stored[0]) == 32
    # An equal key built anew hits; a key differing in one value misses.
    same = tuple((f"path.{i}", (("1999-01-01", float(i)),)) for i in range(20_000))
    assert cache.memo("demo.big", (("bundled", "x"), "v1", same), lambda: 2) == 1
    changed = (*same[:-1], ("path.19999", (("1999-01-01", 0.5),)))
    assert cache.memo("demo.big", (("bundled", "x"), "v1", changed), lambda: 3) == 3


def test_keys_distinguish_types_and_refuse_unkeyable_values() -> None:
    assert cache.key_digest("n", (1,)) != cache.key_digest("n", (1.0,))
    assert cache.key_digest("n", (1,)) != cache.key_digest("n", ("1",))
    assert cache.key_digest("n", {"a": 1, "b": 2}) == cache.key_digest("n", {"b": 2, "a": 1})
    with pytest.raises(TypeError, match="cannot key the cache"):
        cache.key_digest("n", (object(),))


def test_the_cache_stays_within_its_byte_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_BYTES", 10_000_000)
    for i in range(40):  # 40 values of about 1 MB: about 10 fit
        cache.memo("demo.blob", i, lambda i=i: bytes([i % 256]) * 1_000_000)
    stats = cache.stats()
    assert stats["bytes"] <= 10_000_000
    assert 8 <= stats["entries"] <= 10
    # The most recent values are the ones kept.
    calls: list[int] = []
    cache.memo("demo.blob", 39, lambda: calls.append(39) or b"")
    cache.memo("demo.blob", 0, lambda: calls.append(0) or b"")
    assert calls == [0]


def test_a_value_larger_than_the_budget_is_returned_not_kept(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_BYTES", 1_000_000)
    value = cache.memo("demo.huge", 1, lambda: b"x" * 1_200_000)
    assert len(value) == 1_200_000 and cache.stats()["entries"] == 0
    assert cache.memo("demo.fits", 1, lambda: b"x" * 600_000) and cache.stats()["entries"] == 1


def test_estimated_sizes_follow_the_data() -> None:
    small = cache.estimate_size([(f"t-{i:06d}", i * 1.5) for i in range(100)])
    large = cache.estimate_size([(f"t-{i:06d}", i * 1.5) for i in range(100_000)])
    assert 500 < large / small < 2000
    import numpy as np
    import pandas as pd

    assert cache.estimate_size(np.zeros(1000)) >= 8000
    frame = pd.DataFrame({"a": np.zeros(1000), "b": ["x" * 10] * 1000})
    assert cache.estimate_size(frame) >= 8000 + 10_000


def _deep_size(value: object) -> int:
    """Every object's ``sys.getsizeof`` (each counted once): what estimates are checked with."""
    import sys

    seen: set[int] = set()
    todo, total = [value], 0
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, dict):
            todo.extend(item.keys())
            todo.extend(item.values())
        elif isinstance(item, list | tuple):
            todo.extend(item)
        elif hasattr(item, "__dict__"):
            todo.append(vars(item))
    return total


class _Record:
    def __init__(self, i: int) -> None:
        self.id = f"t-{i:06d}"
        self.parties = [f"RU-{i % 89:03d}", f"FI-{i:05d}"]
        self.attributes = {f"a{k}": f"{i}-{k}" for k in range(20)}
        self.kind, self.level, self.sublevel, self.start, self.end = "agreement", "", "", "", ""
        self.domains: tuple[str, ...] = ()
        self.note = ""


def test_nested_values_are_estimated_near_their_size() -> None:
    # 8 items of each inner container are looked at (64 of the outer): within a factor of 2
    value = {f"t-{i:06d}": _Record(i) for i in range(2000)}
    assert 0.5 < cache.estimate_size(value) / _deep_size(value) < 2.0


def test_every_field_of_an_object_is_counted() -> None:
    record = _Record(1)
    record.note = "x" * 100_000  # the last of its 10 fields, and the only large one
    assert cache.estimate_size(record) > 100_000


def test_stale_results_while_a_new_version_is_computed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "STALE_WAIT_SECONDS", 0.2)
    release = threading.Event()

    def slow() -> str:
        release.wait(10)
        return "v2"

    key = (("workspace", "x.db"), None)
    with cache.revision_scope() as seen:
        assert cache.latest("demo.graph", key, "v1", 1, lambda: "v1") == "v1"
    assert seen == [1]
    with cache.allow_stale(), cache.revision_scope() as seen:
        start = time.perf_counter()
        assert cache.latest("demo.graph", key, "v2", 2, slow) == "v1"
        assert time.perf_counter() - start < 2
    assert seen == [1]  # the answer says it reflects revision 1
    release.set()
    deadline = time.monotonic() + 10
    while True:
        with cache.allow_stale(), cache.revision_scope() as seen:
            value = cache.latest("demo.graph", key, "v2", 2, slow)
        if value == "v2" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert (value, seen) == ("v2", [2])
    assert cache.stats()["stale"] >= 1


def test_without_stale_results_a_new_version_is_waited_for() -> None:
    key = (("workspace", "y.db"), None)
    cache.latest("demo.graph2", key, "v1", 1, lambda: "v1")
    with cache.revision_scope() as seen:
        assert cache.latest("demo.graph2", key, "v2", 2, lambda: (time.sleep(0.6), "v2")[1]
                            ) == "v2"
    assert seen == [2]
