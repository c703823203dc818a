r"""Reading tabular files (CSV or JSON) into numbered rows, with clear errors.

Rows are numbered from 1 for the first data row (the header is row 0), the way a person
counts them in a spreadsheet below the header.

Examples:
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "t.csv").write_text("id,kind\nRU,centre\n", encoding="utf-8")
    >>> [(n, r["kind"]) for n, r in read_rows(d / "t.csv", required=("id", "kind"))]
    [(1, 'centre')]
    >>> read_rows(d / "t.csv", required=("id", "name_en"))
    Traceback (most recent call last):
    ...
    regionet.core.errors.DataFileError: ...t.csv...: missing column(s) name_en ...
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from regionet.core.errors import DataFileError

__all__ = ["Row", "RowStream", "iter_rows", "read_rows"]

Row = dict[str, str]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _read_json(path: Path) -> tuple[list[str], list[Row]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataFileError(f"not valid JSON ({exc.msg} at line {exc.lineno})", file=str(path),
                            expected="a JSON array of objects") from None
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list) or not all(isinstance(o, dict) for o in data):
        raise DataFileError("wrong JSON shape", file=str(path),
                            expected='a JSON array of objects, or {"data": [...]}')
    columns = list(dict.fromkeys(k for o in data for k in o))
    return columns, [{k: _cell(v) for k, v in o.items()} for o in data]


def _not_utf8(path: Path, exc: UnicodeDecodeError) -> DataFileError:
    return DataFileError(f"not UTF-8 text ({exc.reason})", file=str(path),
                         expected="a UTF-8 encoded CSV file")


def _csv_header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return [c.strip() for c in next(csv.reader(fh), [])]
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, exc) from None


def _csv_rows(path: Path, columns: list[str]) -> Iterator[Row]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader, None)
            width = len(columns)
            for cells in reader:
                if len(cells) > width:
                    raise DataFileError(
                        "row has more cells than the header", file=str(path),
                        row=reader.line_num - 1, expected=f"{width} cells")
                if not cells:
                    continue
                row = dict(zip(columns, (c.strip() for c in cells), strict=False))
                if len(cells) < width:
                    row.update(dict.fromkeys(columns[len(cells):], ""))
                yield row
    except UnicodeDecodeError as exc:
        raise _not_utf8(path, exc) from None


class RowStream:
    """The rows of a table file, read lazily as ``(row_number, row)`` pairs.

    The header is read and checked when the stream is made; rows are read while iterating,
    so a file of millions of rows never sits in memory. Iterating may raise
    :class:`DataFileError` for a broken row (CSV: a row with more cells than the header; not
    UTF-8). JSON files are parsed whole on creation.

    Attributes:
        path: the file.
        columns: its columns, as in the header.
    """

    def __init__(self, path: str | Path, required: Sequence[str] = (),
                 optional: Sequence[str] = ()) -> None:
        p = Path(path)
        if not p.is_file():
            raise DataFileError("file not found", file=str(p),
                                expected="an existing CSV or JSON file")
        self.path = p
        self._json: list[Row] | None = None
        if p.suffix.lower() == ".json":
            self.columns, self._json = _read_json(p)
        else:
            self.columns = _csv_header(p)
        missing = [c for c in required if c not in self.columns]
        if missing:
            raise DataFileError(f"missing column(s) {', '.join(missing)}", file=str(p),
                                expected="columns " + ", ".join(required))
        known = set(required) | set(optional)
        if known:
            unknown = [c for c in self.columns if c not in known]
            if unknown:
                raise DataFileError(f"unknown column(s) {', '.join(unknown)}", file=str(p),
                                    expected="only the columns "
                                    + ", ".join([*required, *optional]))
        self._absent = [c for c in optional if c not in self.columns]

    def __iter__(self) -> Iterator[tuple[int, Row]]:
        rows = iter(self._json) if self._json is not None else _csv_rows(self.path,
                                                                         self.columns)
        absent = self._absent
        for number, row in enumerate(rows, start=1):
            for c in absent:
                row.setdefault(c, "")
            yield number, row


def iter_rows(path: str | Path, required: Sequence[str] = (),
              optional: Sequence[str] = ()) -> RowStream:
    """Return a lazy :class:`RowStream` over a CSV or JSON table (checks the header now).

    Raises:
        DataFileError: when the file is missing, of the wrong shape, or its header lacks a
            required column or has an unknown one.
    """
    return RowStream(path, required, optional)


def read_rows(path: str | Path, required: Sequence[str] = (),
              optional: Sequence[str] = ()) -> list[tuple[int, Row]]:
    """Read a CSV (``.csv``) or JSON (``.json``) table into ``(row_number, row)`` pairs.

    Missing optional columns read as empty cells; unknown columns are an error (they are
    usually a typo of a known one).

    Raises:
        DataFileError: when the file is missing, unreadable, of the wrong shape, or lacks
            a required column.
    """
    return list(iter_rows(path, required, optional))
