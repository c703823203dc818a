"""Ids looked up in two threads (``core.tables.lookup``) give the one-thread answer exactly."""

from __future__ import annotations

import threading

import numpy as np
import pyarrow as pa
import pytest

from regionet.core import tables
from regionet.core.tables import digit_chunk, lookup


def chunks_of(values: list[int], sizes: list[int]) -> list[pa.Array]:
    out, start = [], 0
    for size in sizes:
        out.append(pa.array(values[start:start + size], pa.int64()))
        start += size
    return out


@pytest.mark.parametrize("sizes", [[7], [3, 4], [1, 1, 5], [4, 0, 3], [0, 7]])
def test_two_threads_give_each_id_its_position_or_minus_one(
        sizes: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "PARALLEL_LOOKUP_MIN", 2)  # split even these few ids
    monkeypatch.setattr(tables, "spare_core", lambda: True)
    keys = pa.array([40, 10, 30, 20], pa.int64())
    ids = [30, 99, 10, 10, 20, 40, -5]
    got = lookup(iter(chunks_of(ids, sizes)), keys, len(ids))
    assert got is not None
    assert got.tolist() == [2, -1, 1, 1, 3, 0, -1]
    assert got.dtype == np.intp and got.flags.writeable


@pytest.mark.parametrize("spare", [True, False])
def test_the_first_half_is_looked_up_in_another_thread_on_a_spare_core(
        spare: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "PARALLEL_LOOKUP_MIN", 2)
    monkeypatch.setattr(tables, "spare_core", lambda: spare)
    seen: list[tuple[str, int]] = []
    real = tables.pc.index_in

    def spy(values: pa.ChunkedArray, value_set: pa.Array) -> pa.ChunkedArray:
        seen.append((threading.current_thread().name, len(values)))
        return real(values, value_set=value_set)

    monkeypatch.setattr(tables.pc, "index_in", spy)
    keys = pa.array(range(100), pa.int64())
    got = lookup(iter(chunks_of(list(range(99, -1, -1)), [25, 25, 25, 25])), keys, 100)
    assert got is not None and got.tolist() == list(range(99, -1, -1))
    main = threading.main_thread().name
    if spare:
        assert sorted(n for _, n in seen) == [50, 50]
        assert {name == main for name, _ in seen} == {True, False}
    else:
        assert seen == [(main, 100)]


@pytest.mark.parametrize(("cores", "runnable", "spare"), [(2, 1, True), (2, 2, False),
                                                          (2, 11, False), (1, 0, False),
                                                          (4, 3, True), (4, 1 << 30, False)])
def test_a_spare_core_is_one_idle_now(cores: int, runnable: int, spare: bool,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables.os, "sched_getaffinity", lambda _: set(range(cores)),
                        raising=False)
    monkeypatch.setattr(tables, "_runnable", lambda: runnable)
    assert tables.spare_core() is spare


def test_runnable_threads_are_read_from_the_system() -> None:
    assert 1 <= tables._runnable() < 1 << 30  # this thread is running


def test_few_ids_are_looked_up_in_one_call(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = tables.pc.index_in
    monkeypatch.setattr(tables.pc, "index_in",
                        lambda values, value_set: calls.append(len(values))
                        or real(values, value_set=value_set))
    got = lookup(iter(chunks_of([2, 1, 2], [1, 2])), pa.array([1, 2], pa.int64()), 3)
    assert got is not None and got.tolist() == [1, 0, 1]
    assert calls == [3]


@pytest.mark.parametrize("at", [0, 1, 3])
def test_a_chunk_of_another_kind_stops_the_lookup(at: int, monkeypatch: pytest.MonkeyPatch
                                                  ) -> None:
    monkeypatch.setattr(tables, "PARALLEL_LOOKUP_MIN", 2)
    monkeypatch.setattr(tables, "spare_core", lambda: True)
    parts: list[pa.Array | None] = list(chunks_of([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 2]))
    parts[at] = None  # at 3: after the first half went to the other thread
    assert lookup(iter(parts), pa.array([1, 2], pa.int64()), 8) is None


def test_digit_chunks_are_registry_numbers_of_one_length() -> None:
    done = digit_chunk(pa.array(["0012", "9900"]))
    assert done is not None and (done[0].to_pylist(), done[1]) == ([12, 9900], 4)
    assert digit_chunk(pa.array(["0012", "9900"]), 5) is None       # another length
    assert digit_chunk(pa.array(["0012", "990"])) is None            # lengths differ
    assert digit_chunk(pa.array(["00a2"])) is None                   # not digits
    assert digit_chunk(pa.array(["0012", None])) is None             # a null
    assert digit_chunk(pa.array([12], pa.int64())) is None            # not text
    assert digit_chunk(pa.array(["1" * 19])) is None                 # too long for int64
    empty = digit_chunk(pa.array([], pa.string()), 7)
    assert empty is not None and (len(empty[0]), empty[1]) == (0, 7)
