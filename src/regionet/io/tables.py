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
from collections.abc import Sequence
from pathlib import Path

from regionet.core.errors import DataFileError

__all__ = ["Row", "read_rows"]

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


def _read_csv(path: Path) -> tuple[list[str], list[Row]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = [c.strip() for c in (reader.fieldnames or [])]
            rows: list[Row] = []
            for raw in reader:
                if None in raw:
                    raise DataFileError(
                        "row has more cells than the header", file=str(path),
                        row=reader.line_num - 1, expected=f"{len(columns)} cells")
                rows.append({k.strip(): (v or "").strip() for k, v in raw.items()})
    except UnicodeDecodeError as exc:
        raise DataFileError(f"not UTF-8 text ({exc.reason})", file=str(path),
                            expected="a UTF-8 encoded CSV file") from None
    return columns, rows


def read_rows(path: str | Path, required: Sequence[str] = (),
              optional: Sequence[str] = ()) -> list[tuple[int, Row]]:
    """Read a CSV (``.csv``) or JSON (``.json``) table into ``(row_number, row)`` pairs.

    Missing optional columns read as empty cells; unknown columns are an error (they are
    usually a typo of a known one).

    Raises:
        DataFileError: when the file is missing, unreadable, of the wrong shape, or lacks
            a required column.
    """
    p = Path(path)
    if not p.is_file():
        raise DataFileError("file not found", file=str(p), expected="an existing CSV or JSON file")
    columns, rows = _read_json(p) if p.suffix.lower() == ".json" else _read_csv(p)
    missing = [c for c in required if c not in columns]
    if missing:
        raise DataFileError(f"missing column(s) {', '.join(missing)}", file=str(p),
                            expected="columns " + ", ".join(required))
    known = set(required) | set(optional)
    if known:
        unknown = [c for c in columns if c not in known]
        if unknown:
            raise DataFileError(f"unknown column(s) {', '.join(unknown)}", file=str(p),
                                expected="only the columns " + ", ".join([*required, *optional]))
    for row in rows:
        for c in optional:
            row.setdefault(c, "")
    return list(enumerate(rows, start=1))
