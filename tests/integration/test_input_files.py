"""Users' input files through the fast path (pyarrow, ids coded in Arrow): same errors as frames.

Each bad row is fed three ways — pandas frames (``from_frames``), a CSV file and a Parquet file
(``read_firms``) — with text firm ids and with registry numbers (digits of one length, which
are hashed as integers), unsorted, and the error must name the same row, field and problem,
with the file and the value as written.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from regionet.core import tables
from regionet.core.errors import (
    DataFileError,
    InvalidValueError,
    RegionetError,
    UnknownActorError,
    UnknownReferenceError,
)
from regionet.engines.fiscal.inputs import coding
from regionet.engines.fiscal.inputs.coding import from_frames
from regionet.engines.fiscal.rules.attribution import attribute
from regionet.io.fiscal_files import read_firms

REGIONS = ("RU-MOW", "RU-KHM", "RU-YAN", "RU-TYU")
TEXT_IDS = {"lukoil": "lukoil", "surgut": "surgut", "shell": "shell-co", "yukos": "yukos"}
DIGIT_IDS = {"lukoil": "0770123456", "surgut": "8602060555", "shell": "7203000001",
             "yukos": "0001234567"}


def frames(ids: dict[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows deliberately not in firm order; one firm (shell) without establishments."""
    est = pd.DataFrame({"firm_id": [ids["surgut"], ids["lukoil"], ids["yukos"], ids["lukoil"]],
                        "region": ["RU-KHM", "RU-MOW", "RU-YAN", "RU-KHM"],
                        "headcount": [5.0, 10.0, 2.0, 30.0], "payroll": [2.0, 1.0, 1.0, 3.0],
                        "assets": [5.0, 10.0, 0.0, 90.0], "sales": [1.0, 0.0, 3.0, 0.0]})
    firms = pd.DataFrame({"firm_id": [ids["lukoil"], ids["surgut"], ids["shell"], ids["yukos"]],
                          "registered_region": ["RU-MOW", "RU-KHM", "RU-TYU", "RU-MOW"],
                          "profit": [100.0, 10.0, 5.0, 40.0]})
    return est, firms


def write(est: pd.DataFrame, firms: pd.DataFrame, folder: Path, fmt: str) -> tuple[Path, Path]:
    paths = folder / f"est.{fmt}", folder / f"firms.{fmt}"
    for frame, path in zip((est, firms), paths, strict=True):
        if fmt == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
    return paths


@pytest.fixture(params=["csv", "parquet"])
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=[TEXT_IDS, DIGIT_IDS], ids=["text-ids", "digit-ids"])
def ids(request: pytest.FixtureRequest) -> dict[str, str]:
    return dict(request.param)


def test_files_give_the_frames_result(fmt: str, ids: dict[str, str], tmp_path: Path) -> None:
    est_df, firm_df = frames(ids)
    paths = write(est_df, firm_df, tmp_path, fmt)
    for sort in (True, False):
        est, firms = read_firms(*paths, None, REGIONS, sort=sort)
        assert est.n_firms == 4 and len(est) == 4
        # art. 288: lukoil ½(10/40 + 10/100) = .175 Moscow, .825 Khanty-Mansi of 100; surgut
        # 10 to Khanty-Mansi; yukos (no assets: headcount alone) 40 to Yamal; shell's 5 stays
        # in Tyumen, its head office
        np.testing.assert_allclose(attribute(est, firms, "art288"), [17.5, 92.5, 40.0, 5.0])
    reference, _ = from_frames(est_df, firm_df, REGIONS)
    assert reference.firm_offsets is not None
    assert (est.order, est.firm_offsets) == (None, None)  # sort=False: kept in file order
    assert est.firm.tolist() == [1, 0, 3, 0]


# (table, column, row, bad value as written in CSV, error, message) — rows are 1-based.
BAD = [
    ("est", "region", 2, "RU-MSK", UnknownActorError, "unknown region"),
    ("est", "headcount", 3, "-2", InvalidValueError, "headcount is negative, NaN or infinite"),
    ("est", "firm_id", 4, "rosneft", UnknownReferenceError, "unknown firm_id"),
    ("firms", "firm_id", 4, "lukoil", InvalidValueError, "duplicate firm_id"),
    ("firms", "registered_region", 3, "RU-XX", UnknownActorError, "unknown registered_region"),
    ("firms", "profit", 2, "lots", InvalidValueError, "profit is NaN or infinite"),
    ("est", "assets", 1, "n/a", InvalidValueError, "assets is negative, NaN or infinite"),
]


def bad_frames(ids: dict[str, str], table: str, column: str, row: int, value: str
               ) -> tuple[pd.DataFrame, pd.DataFrame, Any]:
    est, firms = frames(ids)
    frame = est if table == "est" else firms
    if column == "firm_id":  # a firm missing from the firms file / a repeated id
        value = ids.get(value, "9999999999" if ids is DIGIT_IDS else value)
    cell: Any = value
    if column in ("headcount", "profit", "assets"):
        frame[column] = frame[column].astype(object)
        cell = float(value) if value.lstrip("-").isdigit() else value
    frame.loc[row - 1, column] = cell
    return est, firms, cell


@pytest.mark.parametrize(("table", "column", "row", "value", "error", "message"), BAD)
def test_bad_rows_give_the_same_error_through_files_and_frames(
        fmt: str, ids: dict[str, str], tmp_path: Path, table: str, column: str, row: int,
        value: str, error: type[RegionetError], message: str) -> None:
    est_df, firm_df, cell = bad_frames(ids, table, column, row, value)
    with pytest.raises(error) as from_df:
        from_frames(est_df, firm_df, REGIONS)
    if fmt == "parquet" and column in ("headcount", "profit", "assets") and isinstance(cell,
                                                                                     str):
        # Parquet columns have one type: a number column cannot hold "lots"; write NaN,
        # as a tool exporting it would (the error then names NaN)
        frame = est_df if table == "est" else firm_df
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
        cell = np.nan
    paths = write(est_df, firm_df, tmp_path, fmt)
    with pytest.raises(error) as from_file:
        read_firms(*paths, None, REGIONS, sort=False)
    a, b = from_df.value, from_file.value
    assert a.message == b.message == message  # type: ignore[attr-defined]
    assert (a.row, a.field) == (b.row, b.field) == (row, column)  # type: ignore[attr-defined]
    assert b.file == str(paths[0] if table == "est" else paths[1])  # type: ignore[attr-defined]
    assert a.hint == b.hint  # type: ignore[attr-defined]
    got = b.value  # type: ignore[attr-defined]
    if fmt == "csv":  # the cell's text, as in the file
        path = paths[0] if table == "est" else paths[1]
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert got == rows[row - 1][column]
    elif isinstance(cell, float) and np.isnan(cell):
        assert got is None  # pandas writes NaN to Parquet as a null cell
    else:
        frame = est_df if table == "est" else firm_df
        assert got == frame.loc[row - 1, column]


def test_a_year_column_keeps_the_file_row_in_errors(fmt: str, tmp_path: Path) -> None:
    est, firms = frames(TEXT_IDS)
    est = pd.concat([est.assign(year=1999), est.assign(year=2000)], ignore_index=True)
    est.loc[6, "headcount"] = -1.0  # the third row of 2000 is row 7 of the file
    firms = pd.concat([firms.assign(year=1999), firms.assign(year=2000)], ignore_index=True)
    paths = write(est, firms, tmp_path, fmt)
    read_firms(*paths, 1999, REGIONS)
    with pytest.raises(InvalidValueError) as info:
        read_firms(*paths, 2000, REGIONS)
    assert (info.value.row, info.value.field) == (7, "headcount")
    with pytest.raises(DataFileError, match="no rows for 2001"):
        read_firms(*paths, 2001, REGIONS)


def test_missing_column_and_file(fmt: str, tmp_path: Path) -> None:
    est, firms = frames(TEXT_IDS)
    paths = write(est.drop(columns="sales"), firms, tmp_path, fmt)
    with pytest.raises(DataFileError, match="missing column") as info:
        read_firms(*paths, None, REGIONS)
    assert (info.value.file, info.value.field) == (str(paths[0]), "sales")
    with pytest.raises(DataFileError, match="file not found"):
        read_firms(tmp_path / "absent.csv", paths[1], None, REGIONS)


@pytest.fixture(params=[True, False], ids=["two-threads", "one-thread"])
def spare_core(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Whether the establishments' firm ids are looked up in two threads (a spare core)."""
    monkeypatch.setattr(tables, "spare_core", lambda: bool(request.param))
    monkeypatch.setattr(coding, "spare_core", lambda: bool(request.param))  # the third thread
    return bool(request.param)


def big_files(folder: Path, *, unknown_rows: tuple[int, ...] = (), text_row: int | None = None,
              repeat: bool = False, digits: int = 10) -> tuple[Path, Path]:
    """140,000 establishments of 1,000 firms (registry numbers), Parquet row groups of 30,000:
    enough for the firm ids to be looked up in two threads (``core.tables.lookup``).

    With 18 ``digits`` an id and a firm's position need 70 bits: no ``IdHash`` (Arrow's
    ``index_in`` and a sort for repeats instead)."""
    rng = np.random.default_rng(7)
    n, f = 140_000, 1_000
    firm_ids = [f"{77 * 10 ** (digits - 2) + 13 * i:0{digits}d}" for i in range(f)]
    if repeat:
        firm_ids[600] = firm_ids[200]
    firm = rng.integers(0, f, n)
    est_ids = [firm_ids[i] for i in firm]
    for row in unknown_rows:
        est_ids[row - 1] = "5555555555"
    if text_row is not None:
        est_ids[text_row - 1] = "not-a-number"
    est = pd.DataFrame({"firm_id": est_ids, "region": rng.choice(REGIONS, n),
                        "headcount": rng.integers(0, 50, n).astype(float),
                        "payroll": rng.random(n), "assets": rng.random(n) * 10,
                        "sales": rng.random(n)})
    firms = pd.DataFrame({"firm_id": firm_ids, "registered_region": rng.choice(REGIONS, f),
                          "profit": rng.normal(100, 50, f)})
    paths = folder / "est.parquet", folder / "firms.parquet"
    est.to_parquet(paths[0], index=False, row_group_size=30_000)
    firms.to_parquet(paths[1], index=False)
    return paths


@pytest.mark.parametrize(("unknown", "first"), [((100_001,), 100_001), ((130_000, 9), 9),
                                               ((70_001, 139_999), 70_001)])
def test_two_thread_lookup_names_the_first_unknown_firm(tmp_path: Path, unknown: tuple[int, ...],
                                                        first: int, spare_core: bool) -> None:
    paths = big_files(tmp_path, unknown_rows=unknown)
    with pytest.raises(UnknownReferenceError) as info:
        read_firms(*paths, None, REGIONS, sort=False)
    err = info.value
    assert (err.message, err.row, err.field, err.value, err.file) == (
        "unknown firm_id", first, "firm_id", "5555555555", str(paths[0]))


@pytest.mark.parametrize("digits", [10, 18])
def test_two_thread_lookup_codes_as_the_frames_do(tmp_path: Path, spare_core: bool,
                                                  digits: int) -> None:
    paths = big_files(tmp_path, digits=digits)
    est, firms = read_firms(*paths, None, REGIONS, sort=False)
    reference, ref_firms = from_frames(pd.read_parquet(paths[0]), pd.read_parquet(paths[1]),
                                       REGIONS)
    assert est.order is None and len(est) == 140_000
    np.testing.assert_array_equal(np.sort(est.firm), np.sort(reference.firm))
    np.testing.assert_allclose(attribute(est, firms, "art288"),
                               attribute(reference, ref_firms, "art288"), rtol=1e-12)


def test_a_text_id_late_in_the_file_falls_back_to_text_codes(tmp_path: Path, spare_core: bool
                                                             ) -> None:
    paths = big_files(tmp_path, text_row=125_000)  # after the first half was handed over
    with pytest.raises(UnknownReferenceError) as info:
        read_firms(*paths, None, REGIONS, sort=False)
    assert (info.value.row, info.value.value) == (125_000, "not-a-number")


def test_errors_keep_their_order_with_the_third_thread(tmp_path: Path, spare_core: bool
                                                      ) -> None:
    # An unknown firm, an unknown region and a repeated region id in the regions: the
    # regions' error first, as in one thread; without it, the firms' before the regions'.
    paths = big_files(tmp_path, unknown_rows=(77_000,))
    est = pd.read_parquet(paths[0])
    est.loc[90_000, "region"] = "RU-XX"
    est.to_parquet(paths[0], index=False, row_group_size=30_000)
    with pytest.raises(InvalidValueError) as repeated:
        read_firms(*paths, None, [*REGIONS, REGIONS[0]], sort=False)
    assert (repeated.value.field, repeated.value.value) == ("region", REGIONS[0])
    with pytest.raises(UnknownReferenceError) as unknown:
        read_firms(*paths, None, REGIONS, sort=False)
    assert (unknown.value.row, unknown.value.value) == (77_000, "5555555555")


@pytest.mark.parametrize("digits", [10, 18])
def test_two_thread_lookup_reports_a_repeated_firm_id(tmp_path: Path, spare_core: bool,
                                                      digits: int) -> None:
    paths = big_files(tmp_path, repeat=True, digits=digits)
    with pytest.raises(InvalidValueError) as info:
        read_firms(*paths, None, REGIONS, sort=False)
    assert (info.value.message, info.value.row, info.value.file) == (
        "duplicate firm_id", 601, str(paths[1]))


def test_the_coding_asks_once_whether_a_core_is_spare(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Asked again mid-run, with the run's own threads busy, the answer may flip: the lookup
    # follows the coding's first answer (two threads sharing one table) without asking.
    answers = iter([True])
    monkeypatch.setattr(coding, "spare_core", lambda: next(answers))
    monkeypatch.setattr(tables, "spare_core", lambda: pytest.fail("asked again"))
    shared: list[int] = []
    real = tables.probe_shared

    def spy(*args: Any, **kwargs: Any) -> Any:
        shared.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(tables, "probe_shared", spy)
    paths = big_files(tmp_path)
    est, _ = read_firms(*paths, None, REGIONS, sort=False)
    assert shared == [140_000] and len(est) == 140_000
