"""Columns read ahead in a thread are the ones the reader would read, or nothing at all."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from regionet.core.errors import DataFileError
from regionet.io import read_ahead as ahead
from regionet.io.fiscal_files import read_firms
from regionet.io.read_ahead import read_ahead, take
from regionet.services.read_ahead import read_inputs_ahead


def parquet(path: Path, rows: int = 10, group: int = 4) -> Path:
    pq.write_table(pa.table({"firm_id": [f"{i:04d}" for i in range(rows)],
                             "x": np.arange(rows, dtype=float)}), path, row_group_size=group)
    return path


def test_each_row_group_is_handed_over_once_as_the_reader_reads_it(tmp_path: Path) -> None:
    path = parquet(tmp_path / "a.parquet")
    read_ahead([(path, ("firm_id", "x", "absent"))]).join()
    file = pq.ParquetFile(path)
    for group in range(3):
        for column in ("firm_id", "x"):
            got = take(path, column, group)
            assert got is not None
            assert got.equals(file.read_row_group(group, columns=[column]).column(0))
            assert take(path, column, group) is None  # taken: freed
    assert take(path, "absent", 0) is None and take(path, "x", 3) is None


def test_two_threads_read_the_row_groups_in_turn(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = parquet(tmp_path / "a.parquet", rows=40, group=4)  # ten row groups
    readers: list[str] = []
    read = pq.ParquetFile.read_row_group

    def slow(self: pq.ParquetFile, *args: object, **kwargs: object) -> pa.Table:
        readers.append(threading.current_thread().name)
        time.sleep(0.01)  # long enough for the other reader to take the next one
        return read(self, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "read_row_group", slow)
    read_ahead([(path, ("firm_id",))]).join()
    assert sorted(set(readers)) == ["read-ahead", "read-ahead-2"] and len(readers) == 10
    monkeypatch.undo()
    file = pq.ParquetFile(path)
    for group in range(10):
        got = take(path, "firm_id", group)
        assert got is not None
        assert got.equals(file.read_row_group(group, columns=["firm_id"]).column(0))


def test_a_file_someone_read_first_is_never_read_ahead(tmp_path: Path) -> None:
    path = parquet(tmp_path / "a.parquet")
    assert take(path, "firm_id", 0) is None  # read by the caller itself
    read_ahead([(path, ("firm_id",))]).join()
    assert take(path, "firm_id", 1) is None


def test_a_file_changed_after_it_was_read_ahead_is_read_again(tmp_path: Path) -> None:
    path = parquet(tmp_path / "a.parquet")
    read_ahead([(path, ("firm_id",))]).join()
    parquet(path, rows=12)
    os.utime(path, ns=(1, 1))
    assert take(path, "firm_id", 0) is None


@pytest.mark.parametrize("content", [None, b"not parquet"])
def test_missing_or_unreadable_files_are_left_to_the_reader(tmp_path: Path,
                                                            content: bytes | None) -> None:
    path = tmp_path / "firms.parquet"
    if content is not None:
        path.write_bytes(content)
    good = parquet(tmp_path / "b.parquet")
    read_ahead([(path, ("firm_id",)), (good, ("firm_id",))]).join()  # the next file still is
    assert take(path, "firm_id", 0) is None
    assert take(good, "firm_id", 0) is not None


def test_a_read_that_fails_leaves_no_reader_waiting(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = parquet(tmp_path / "a.parquet")

    def fail(*args: object, **kwargs: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(pq.ParquetFile, "read_row_group", fail)
    read_ahead([(path, ("firm_id",))]).join()
    assert [take(path, "firm_id", g) for g in range(3)] == [None, None, None]


def fiscal_files(folder: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(5)
    ids = [f"{i:010d}" for i in rng.choice(10**9, 300, replace=False)]
    n = 5000
    pq.write_table(pa.table({"firm_id": [ids[i] for i in rng.integers(0, 300, n)],
                             "region": rng.choice(["A", "B"], n).tolist(),
                             "headcount": rng.random(n), "payroll": rng.random(n),
                             "assets": rng.random(n), "sales": rng.random(n)}),
                   folder / "est.parquet", row_group_size=700)
    pq.write_table(pa.table({"firm_id": ids, "registered_region": ["A"] * 300,
                             "profit": rng.random(300)}), folder / "firms.parquet",
                   row_group_size=128)
    return folder / "est.parquet", folder / "firms.parquet"


def test_a_fiscal_run_codes_files_read_ahead_as_files_read_then(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    plain, plain_firms = read_firms(*fiscal_files(tmp_path / "a"), None, ("A", "B"))
    est_file, firms_file = fiscal_files(tmp_path / "b")
    thread = read_inputs_ahead(est_file, firms_file)
    assert thread is not None
    thread.join()  # (else the run may open a file first, and read it itself: also right)
    est, firms = read_firms(est_file, firms_file, None, ("A", "B"))
    for name in ("firm", "region", "headcount", "payroll", "assets", "sales"):
        assert np.array_equal(getattr(est, name), getattr(plain, name)), name
    assert np.array_equal(firms.profit, plain_firms.profit)
    for path in (est_file, firms_file):  # both were read ahead, and every chunk was taken
        plan = ahead._PLANS[os.path.abspath(path)]
        assert not isinstance(plan, str) and plan[1] == {}


def test_a_missing_file_read_ahead_is_reported_as_before(tmp_path: Path) -> None:
    est_file, _ = fiscal_files(tmp_path)
    thread = read_inputs_ahead(est_file, tmp_path / "nowhere.parquet")
    assert thread is not None
    with pytest.raises(DataFileError) as caught:
        read_firms(est_file, tmp_path / "nowhere.parquet", None, ("A", "B"))
    thread.join()
    assert (caught.value.message, caught.value.file) == ("file not found",
                                                         str(tmp_path / "nowhere.parquet"))


def test_only_two_parquet_files_are_read_ahead(tmp_path: Path) -> None:
    assert read_inputs_ahead(tmp_path / "e.csv", tmp_path / "f.parquet") is None
    assert read_inputs_ahead(None, tmp_path / "f.parquet") is None


def test_reading_ahead_stops_at_exit_and_leaves_no_reader_waiting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = parquet(tmp_path / "a.parquet")
    stopping = threading.Event()
    stopping.set()  # as at exit (atexit: ahead._stop)
    monkeypatch.setattr(ahead, "_STOPPING", stopping)
    thread = read_ahead([(path, ("firm_id",))])
    thread.join()
    assert thread.daemon  # the exit does not wait for it; _stop ends it first
    assert [take(path, "firm_id", g) for g in range(3)] == [None, None, None]
