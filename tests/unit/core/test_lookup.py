"""Ids looked up and files read in two threads give the one-thread answer exactly."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from regionet.core import cores, tables
from regionet.core.errors import InvalidValueError
from regionet.core.id_hash import IdHash
from regionet.core.tables import digit_chunk, lookup
from regionet.engines.fiscal.inputs import coding
from regionet.io.fiscal_files import read_firms


def chunks_of(values: list[int], sizes: list[int]) -> list[pa.Array]:
    out, start = [], 0
    for size in sizes:
        out.append(pa.array(values[start:start + size], pa.int64()))
        start += size
    return out


@pytest.mark.parametrize("bound", [None, 100])  # Arrow's index_in; one IdHash
@pytest.mark.parametrize("sizes", [[7], [3, 4], [1, 1, 5], [4, 0, 3], [0, 7]])
def test_two_threads_give_each_id_its_position_or_minus_one(
        sizes: list[int], bound: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "PARALLEL_LOOKUP_MIN", 2)  # split even these few ids
    monkeypatch.setattr(tables, "spare_core", lambda: True)
    keys = pa.array([40, 10, 30, 20], pa.int64())
    ids = [30, 99, 10, 10, 20, 40, 5 if bound else -5]
    chunks = chunks_of(ids, sizes)
    got = lookup([iter(chunks[:1]), iter(chunks[1:])], keys, len(ids), bound=bound)
    assert got is not None
    assert got.tolist() == [2, -1, 1, 1, 3, 0, -1]
    assert got.dtype == np.intp and got.flags.writeable


@pytest.mark.parametrize("spare", [True, False])
def test_the_first_part_is_read_and_looked_up_in_another_thread_on_a_spare_core(
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
    chunks = chunks_of(list(range(99, -1, -1)), [25, 25, 25, 25])
    read: list[str] = []

    def part(pieces: list[pa.Array]) -> Iterator[pa.Array]:
        for piece in pieces:
            read.append(threading.current_thread().name)
            yield piece

    got = lookup([part(chunks[:2]), part(chunks[2:])], keys, 100)
    assert got is not None and got.tolist() == list(range(99, -1, -1))
    main = threading.main_thread().name
    if spare:
        assert sorted(n for _, n in seen) == [50, 50]
        assert {name == main for name, _ in seen} == {True, False}
        assert sorted(name == main for name in read) == [False, False, True, True]
    else:
        assert seen == [(main, 100)]
        assert read == [main] * 4


@pytest.mark.parametrize("spare", [True, False])
def test_registry_numbers_are_looked_up_in_one_table_both_threads_share(
        spare: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "PARALLEL_LOOKUP_MIN", 2)
    monkeypatch.setattr(tables, "spare_core", lambda: spare)
    built: list[int] = []
    probed: list[tuple[str, int]] = []
    real_of, real_positions = IdHash.of, IdHash.positions

    def of(keys: np.ndarray, bound: int) -> IdHash | None:
        built.append(len(keys))
        return real_of(keys, bound)

    both = threading.Barrier(2, timeout=10)

    def positions(self: IdHash, ids: np.ndarray, out: np.ndarray) -> np.ndarray:
        name = threading.current_thread().name
        first = name not in {n for n, _ in probed}
        probed.append((name, len(ids)))
        if spare and first:  # each thread's first piece waits for the other's: both take some
            both.wait()
        return real_positions(self, ids, out)

    monkeypatch.setattr(IdHash, "of", staticmethod(of))
    monkeypatch.setattr(IdHash, "positions", positions)
    monkeypatch.setattr(tables.pc, "index_in", None)  # never used for these ids
    keys = pa.array(range(1000, 1100), pa.int64())
    ids = [1099 - i if i % 7 else 5 for i in range(100)]
    got = lookup([iter(chunks_of(ids, [30, 20])), iter(chunks_of(ids[50:], [25, 25]))],
                 keys, 100, bound=10_000)
    assert got is not None and got.tolist() == [99 - i if i % 7 else -1 for i in range(100)]
    assert built == [100]
    main = threading.main_thread().name
    assert sorted(n for _, n in probed) == [20, 25, 25, 30]
    assert {name == main for name, _ in probed} == ({True, False} if spare else {True})


@pytest.mark.parametrize(("n_cores", "runnable", "spare"), [(2, 0, True), (2, 1, False),
                                                            (2, 11, False), (1, 0, False),
                                                            (4, 2, True), (4, 3, False),
                                                            (4, 1 << 30, False)])
def test_two_cores_are_ours_when_no_other_process_needs_them(
        n_cores: int, runnable: int, spare: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cores.os, "sched_getaffinity", lambda _: set(range(n_cores)),
                        raising=False)
    monkeypatch.setattr(cores, "_runnable", lambda: runnable)
    assert cores.spare_core() is spare


def test_runnable_threads_of_other_processes_are_read_from_the_system() -> None:
    assert 0 <= cores._runnable() < 1 << 30  # this thread, running, is not counted


def test_this_process_running_threads_are_not_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    files = {"/proc/loadavg": "0.50 0.40 0.30 3/200 4242\n",
             "/proc/self/task/1/stat": "1 (python (x)) R 0 1", "/proc/self/task/2/stat":
             "2 (python) S 0 1", "/proc/self/task/3/stat": "3 (python) R 0 1"}
    monkeypatch.setattr(cores.os, "listdir", lambda path: ["1", "2", "3"])
    monkeypatch.setattr("builtins.open", lambda path, encoding=None: io.StringIO(files[path]))
    assert cores._runnable() == 1  # 3 runnable, 2 of them ours


def test_few_ids_are_looked_up_in_one_call(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = tables.pc.index_in
    monkeypatch.setattr(tables.pc, "index_in",
                        lambda values, value_set: calls.append(len(values))
                        or real(values, value_set=value_set))
    chunks = chunks_of([2, 1, 2], [1, 2])
    got = lookup([iter(chunks[:1]), iter(chunks[1:])], pa.array([1, 2], pa.int64()), 3)
    assert got is not None and got.tolist() == [1, 0, 1]
    assert calls == [3]


@pytest.mark.parametrize("at", [0, 1, 3])
def test_a_chunk_of_another_kind_stops_the_lookup(at: int, monkeypatch: pytest.MonkeyPatch
                                                  ) -> None:
    monkeypatch.setattr(tables, "PARALLEL_LOOKUP_MIN", 2)
    monkeypatch.setattr(tables, "spare_core", lambda: True)
    parts: list[pa.Array | None] = list(chunks_of([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2, 2]))
    parts[at] = None  # at 3: in the part this thread reads
    assert lookup([iter(parts[:2]), iter(parts[2:])], pa.array([1, 2], pa.int64()), 8) is None


def test_digit_chunks_are_registry_numbers_of_one_length() -> None:
    done = digit_chunk(pa.array(["0012", "9900"]))
    assert done is not None and (done[0].to_pylist(), done[1]) == ([12, 9900], 4)
    assert digit_chunk(pa.array(["0012", "9900"]), 5) is None       # another length
    assert digit_chunk(pa.array(["0012", "990"])) is None            # lengths differ
    assert digit_chunk(pa.array(["00a2"])) is None                   # not digits
    assert digit_chunk(pa.array(["0012", None])) is None             # a null
    assert digit_chunk(pa.array([12], pa.int64())) is None            # not text
    large = digit_chunk(pa.array(["0012", "9900"], pa.large_string()))  # pandas 3's text
    assert large is not None and (large[0].to_pylist(), large[1]) == ([12, 9900], 4)
    assert digit_chunk(pa.array(["1" * 19])) is None                 # too long for int64
    empty = digit_chunk(pa.array([], pa.string()), 7)
    assert empty is not None and (len(empty[0]), empty[1]) == (0, 7)


def _files(tmp_path: Path, flags: list[str]) -> tuple[Path, Path]:
    """Registry-numbered firms and their establishments, in Parquet of several row groups."""
    rng = np.random.default_rng(7)
    n, firms = 4000, 900
    ids = [f"{i:010d}" for i in rng.permutation(10**6)[:firms]]
    firm = rng.integers(0, firms, n)
    est = pa.table({"firm_id": [ids[f] for f in firm],
                    "region": [("A", "B", "C")[r] for r in rng.integers(0, 3, n)],
                    "headcount": rng.random(n), "payroll": rng.random(n),
                    "assets": rng.random(n), "sales": rng.random(n),
                    "own_balance_sheet": (flags * n)[:n]})
    pq.write_table(est, tmp_path / "est.parquet", row_group_size=700)
    pq.write_table(pa.table({"firm_id": ids, "registered_region": ["B"] * firms,
                             "profit": rng.random(firms)}), tmp_path / "firms.parquet")
    return tmp_path / "est.parquet", tmp_path / "firms.parquet"


@pytest.mark.parametrize("spare", [True, False])
def test_two_threads_code_the_files_as_one_does(spare: bool, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    est_file, firms_file = _files(tmp_path, ["true", "false", "0"])
    one, one_firms = read_firms(est_file, firms_file, None, ("A", "B", "C"), sort=False)
    monkeypatch.setattr(tables, "PARALLEL_LOOKUP_MIN", 2)
    monkeypatch.setattr(tables, "spare_core", lambda: spare)
    monkeypatch.setattr(coding, "PARALLEL_LOOKUP_MIN", 2)
    monkeypatch.setattr(coding, "spare_core", lambda: spare)
    two, two_firms = read_firms(est_file, firms_file, None, ("A", "B", "C"), sort=False)
    for name in ("firm", "region", "headcount", "payroll", "assets", "sales",
                 "own_balance_sheet"):
        assert np.array_equal(getattr(one, name), getattr(two, name)), name
    assert np.array_equal(one_firms.profit, two_firms.profit)
    assert one.own_balance_sheet[:3].tolist() == [True, False, False]


@pytest.mark.parametrize("spare", [True, False])
def test_a_bad_cell_read_in_the_second_thread_is_reported_as_in_one(
        spare: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    est_file, firms_file = _files(tmp_path, ["true", "maybe"])
    monkeypatch.setattr(coding, "PARALLEL_LOOKUP_MIN", 2)
    monkeypatch.setattr(coding, "spare_core", lambda: spare)
    with pytest.raises(InvalidValueError) as caught:
        read_firms(est_file, firms_file, None, ("A", "B", "C"))
    assert (caught.value.file, caught.value.row, caught.value.field, caught.value.value) == (
        str(est_file), 2, "own_balance_sheet", "maybe")
