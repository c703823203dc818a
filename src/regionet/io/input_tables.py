r"""Opening users' input files (CSV or Parquet) as :class:`InputTable`, one column at a time.

Parquet is read with pyarrow straight into Arrow columns, one column when it is needed, so a
column can be converted to NumPy and freed before the next is read (peak memory stays near
the NumPy columns the engine keeps). CSV is parsed by pyarrow: a large file in pieces, two
threads at a time (:mod:`regionet.io.csv_pieces`), a small one by pyarrow's own threads. Id
columns are read as text (dictionary-encoded where few distinct values are expected, such as
region ids), so ``007`` stays ``007``.

A file with a ``year`` column may hold several years: only the rows of the asked year are
kept, and errors still name the row in the file. Errors name the file, the row (1-based
below the header), the column and the value as written (for CSV, the cell's text).

Examples:
    >>> path = tmp_path / "firms.csv"   # tmp_path: any folder of yours
    >>> _ = path.write_text("firm_id,registered_region,profit,year\n"
    ...                     "007,RU-MOW,10,1999\n008,RU-KR,n/a,2000\n", encoding="utf-8")
    >>> table = open_table(path, 2000, ("firm_id", "registered_region", "profit"))
    >>> table.n_rows, table.column("firm_id").to_pylist(), table.row(0)
    (1, ['008'], 2)
    >>> table.numbers("profit").tolist(), table.value("profit", 0)
    ([nan], 'n/a')
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from regionet.core.cores import usable_cores
from regionet.core.errors import DataFileError
from regionet.core.tables import InputTable, missing_columns, numbers_of
from regionet.io.arrow_pandas import arrow_without_pandas
from regionet.io.csv_pieces import PIECE_BYTES, read_pieces
from regionet.io.memory_pool import use_jemalloc
from regionet.io.read_ahead import take

__all__ = ["DICTIONARY_COLUMNS", "FLAG_COLUMNS", "ID_COLUMNS", "PARQUET_SUFFIXES", "open_table",
           "use_jemalloc"]

#: File suffixes read as Parquet (anything else is CSV).
PARQUET_SUFFIXES: Final = (".parquet", ".pq")
#: Columns read as text ids.
ID_COLUMNS: Final = ("region", "registered_region", "firm_id", "parent")
#: Boolean columns read as text in CSV, so every spelling reaches the check as written.
FLAG_COLUMNS: Final = ("own_balance_sheet",)
#: Id columns with few distinct values: dictionary-encoded while reading (looked up once per
#: distinct value).
DICTIONARY_COLUMNS: Final = ("region", "registered_region")
#: (text id columns, of which dictionary-encoded).
Ids = tuple[tuple[str, ...], tuple[str, ...]]


def _year_mask(years: pa.ChunkedArray, year: int) -> npt.NDArray[np.bool_]:
    return np.asarray(numbers_of(years) == year)


def _keep(column: pa.ChunkedArray, mask: npt.NDArray[np.bool_] | None) -> pa.ChunkedArray:
    return column if mask is None else column.filter(pa.array(mask))


def _filtered(path: Path, mask: npt.NDArray[np.bool_], year: int, n: int
              ) -> tuple[npt.NDArray[np.bool_] | None, npt.NDArray[np.intp] | None, int]:
    """Return (mask or None if every row is kept, file rows of the kept rows, kept count)."""
    kept = int(mask.sum())
    if kept == 0:
        raise DataFileError(f"no rows for {year}", file=str(path), field="year",
                            expected=f"rows with year {year}")
    if kept == n:
        return None, None, n
    return mask, np.flatnonzero(mask).astype(np.intp) + 1, kept


def _parquet(path: Path, year: int | None, required: Sequence[str],
             columns: Sequence[str] | None, ids: Ids) -> InputTable:
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_metadata(path)
    except (OSError, pa.ArrowException) as err:
        raise DataFileError(f"not a readable Parquet file ({err})", file=str(path),
                            expected="a Parquet file") from err
    names = metadata.schema.to_arrow_schema().names
    dictionary = [c for c in ids[1] if c in names]

    def read(c: str) -> pa.ChunkedArray:
        # A reader per call: columns may be read from two threads at once. Without Arrow's
        # own threads: the callers' threads share the cores, and handing each row group to
        # Arrow's pool made a first read 2-3 times slower on a busy machine (135-172 ms
        # against 46 ms for 1e6 ids; docs/performance.md, seventh round).
        file = pq.ParquetFile(path, metadata=metadata, memory_map=True,
                              read_dictionary=dictionary)
        return file.read(columns=[c], use_threads=False).column(0)

    missing_columns(names, required, str(path))
    n = metadata.num_rows
    mask, rows = None, None
    if year is not None and "year" in names:
        mask, rows, n = _filtered(path, _year_mask(read("year"), year), year, n)
    wanted = [c for c in (columns or names) if c in names]

    def loader(c: str) -> pa.ChunkedArray:
        return _keep(read(c), mask)

    sizes = [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]

    def batches(c: str, part: int = 0, parts: int = 1) -> Iterator[pa.Array]:
        # Part ``part`` of ``parts`` is a run of whole row groups (the first parts get the odd
        # ones: the caller's own thread has other work), so parts can be read at once.
        groups = range(-(-len(sizes) * part // parts), -(-len(sizes) * (part + 1) // parts))
        file = pq.ParquetFile(path, metadata=metadata, memory_map=True,
                              read_dictionary=dictionary)
        start = sum(sizes[: groups.start])
        for group in groups:
            chunk = None if c in dictionary else take(path, c, group)  # read ahead?
            if chunk is None:
                chunk = file.read_row_group(group, columns=[c], use_threads=False).column(0)
            stop = start + len(chunk)
            kept = chunk if mask is None else chunk.filter(pa.array(mask[start:stop]))
            start = stop
            yield from kept.chunks

    return InputTable(str(path), {c: partial(loader, c) for c in wanted}, n, rows=rows,
                      chunks={c: partial(batches, c) for c in wanted})


class _CsvCells:
    """Cells of a CSV file as written, for error messages (read only when an error needs it)."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path, self.header = path, header

    def __call__(self, column: str, row: int) -> object:
        position = self.header.index(column)
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            for i, cells in enumerate(csv.reader(handle)):
                if i == row:
                    return cells[position] if position < len(cells) else ""
        return None


def _csv(path: Path, year: int | None, required: Sequence[str],
         columns: Sequence[str] | None, ids: Ids) -> InputTable:
    import pyarrow.csv as pacsv

    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle), [])
    missing_columns(header, required, str(path))
    wanted = [c for c in (columns or header) if c in header]
    if year is not None and "year" in header and "year" not in wanted:
        wanted.append("year")
    types = {c: (pa.dictionary(pa.int32(), pa.string()) if c in ids[1] else pa.string())
             for c in (*ids[0], *FLAG_COLUMNS) if c in wanted}
    convert = pacsv.ConvertOptions(include_columns=wanted, column_types=types)
    table = None
    if path.stat().st_size >= 2 * PIECE_BYTES:  # as many threads as pyarrow's own would use
        table = read_pieces(path, convert, threads=min(2, usable_cores()))  # None: read whole
    try:
        if table is None:
            table = pacsv.read_csv(path, convert_options=convert)
    except pa.ArrowException as err:
        raise DataFileError(f"not a readable CSV file ({err})", file=str(path),
                            expected="a CSV file with a header row") from err
    n, mask, rows = table.num_rows, None, None
    if year is not None and "year" in header:
        mask, rows, n = _filtered(path, _year_mask(table.column("year"), year), year, n)
    def loader(c: str) -> pa.ChunkedArray:
        return _keep(table.column(c), mask)

    return InputTable(str(path), {c: partial(loader, c) for c in wanted
                                  if c != "year" or c in (columns or header)},
                      n, rows=rows, raw=_CsvCells(path, header))


def open_table(path: str | Path, year: int | None = None, required: Sequence[str] = (),
               columns: Sequence[str] | None = None, *, ids: Sequence[str] = ID_COLUMNS,
               dictionary: Sequence[str] = DICTIONARY_COLUMNS) -> InputTable:
    """Open a CSV or Parquet input file; keep the rows of ``year`` if it has a year column.

    Args:
        path: the file (Parquet when its name ends in ``.parquet`` or ``.pq``).
        year: the fiscal year, or None for every row.
        required: columns the file must have.
        columns: the columns to offer (default: every column of the file).
        ids: columns read as text ids (CSV).
        dictionary: id columns with few distinct values, read dictionary-encoded.

    Raises:
        DataFileError: a missing or unreadable file, a missing column, or no rows for the
            year.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError("file not found", file=str(path), expected="an existing file")
    use_jemalloc()
    arrow_without_pandas()
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return _parquet(path, year, required, columns, (tuple(ids), tuple(dictionary)))
    return _csv(path, year, required, columns, (tuple(ids), tuple(dictionary)))
