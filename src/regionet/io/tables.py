r"""Reading tabular files (CSV or JSON) into numbered rows, exactly as written or not at all.

Rows are numbered from 1 for the first data row (the header is row 0), the way a person
counts them in a spreadsheet below the header. Files are UTF-8, with or without a
byte-order mark (Excel's "CSV UTF-8" writes one). CSV is read strictly
(:mod:`regionet.io.csv_format`); JSON is an array of flat objects (or ``{"data": [...]}``)
whose numbers are kept as the text they were written as (``1.10`` stays ``"1.10"``), so a
JSON file and a CSV file with the same content read the same. A cell holds at most
:data:`~regionet.io.csv_format.FIELD_LIMIT` characters and no NUL or control characters.

Examples:
    >>> d = tmp_path   # any folder of yours
    >>> _ = (d / "t.csv").write_text("\ufeffid,kind\nRU,centre\n", encoding="utf-8")
    >>> [(n, r["kind"]) for n, r in read_rows(d / "t.csv", required=("id", "kind"))]
    [(1, 'centre')]
    >>> read_rows(d / "t.csv", required=("id", "name_en"))
    Traceback (most recent call last):
    ...
    regionet.core.errors.DataFileError: ...t.csv...: missing column(s) name_en ...
    >>> _ = (d / "t.json").write_text('[{"id": "t-1", "amount": 1.10, "actors": ["a", "b"]}]')
    >>> read_rows(d / "t.json", lists=("actors",))
    [(1, {'id': 't-1', 'amount': '1.10', 'actors': 'a;b'})]
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from regionet.core.errors import DataFileError, InvalidValueError
from regionet.io.csv_format import CONTROL, FIELD_LIMIT, iter_csv, position, restore_formula

__all__ = ["Row", "RowStream", "iter_rows", "read_rows"]

Row = dict[str, str]

_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*+"|[\[\]{}]')
_JSON_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*+"|(-?Infinity|NaN)')
#: How deep a valid file nests: {"data": [ {row}, with "actors": [ items ] ] }.
_JSON_DEPTH = 4
_JSON_SHAPE = 'a JSON array of objects, or {"data": [...]}'
_JSON_VALUE = ("a text, a number, true/false or null (an array of those only in a list column "
               "such as actors, domains or sources)")


def _decode(path: Path) -> str:
    """Return the file as text: UTF-8, a leading byte-order mark dropped."""
    raw = path.read_bytes()
    skip = len(_BOM) if raw.startswith(_BOM) else 0
    try:
        return raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start + skip
        head = raw[:start]
        line = head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
        line_start = max(head.rfind(b"\n"), head.rfind(b"\r")) + 1
        column = len(raw[max(line_start, skip):start].decode("utf-8")) + 1
        byte = raw[start]
        if raw.startswith(_UTF16_BOMS):
            hint = "The file is UTF-16 ('Unicode text'): save it as UTF-8 (Excel: CSV UTF-8)"
        else:
            guess = bytes([byte]).decode("cp1252", errors="replace")
            hint = (f"The file looks like Latin-1 / Windows-1252, where byte 0x{byte:02X} is "
                    f"'{guess}': save it as UTF-8 (Excel: CSV UTF-8)")
        raise DataFileError(
            f"not UTF-8 text ({exc.reason}): byte 0x{byte:02X} at byte offset {start} "
            f"(line {line}, column {column})", file=str(path),
            expected=f"a UTF-8 encoded {path.suffix.lstrip('.').upper() or 'CSV'} file",
            hint=hint) from None


class _JsonObject(dict[str, Any]):
    """A decoded JSON object that remembers the keys it held twice (JSON keeps the last)."""

    duplicates: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> _JsonObject:
    obj = _JsonObject(pairs)
    if len(obj) < len(pairs):
        keys = [k for k, _ in pairs]
        obj.duplicates = tuple(dict.fromkeys(k for k in keys if keys.count(k) > 1))
    return obj


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _constant_at(text: str) -> str:
    """Where the first NaN or Infinity outside a string is, as ``line L, column C``."""
    for token in _JSON_CONSTANT.finditer(text):
        if token.group(1):
            line, column = position(text, token.start())
            return f"line {line}, column {column}"
    return "an unknown place"


def _too_deep(text: str, path: Path) -> DataFileError:
    """The error for a file nested too deeply to decode: where it first nests too deep."""
    depth, row, rows_depth = 0, 0, 0
    for token in _JSON_TOKEN.finditer(text):
        char = token.group()[0]
        if char in "[{":
            rows_depth = rows_depth or (1 if char == "[" else 2)
            row += depth == rows_depth
            depth += 1
            if depth > _JSON_DEPTH:
                line, column = position(text, token.start())
                return DataFileError(
                    f"nested too deeply: at line {line}, column {column} the nesting passes "
                    f"{_JSON_DEPTH} levels", file=str(path), row=row or None,
                    expected=_JSON_SHAPE + " whose values are texts, numbers or lists")
        elif char in "]}":
            depth -= 1
    return DataFileError("nested too deeply to read", file=str(path), expected=_JSON_SHAPE)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:60] + "…"


def _scalar(value: Any) -> str | None:
    """A JSON scalar as cell text (numbers arrive as their text); None if not a scalar."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else None


def _json_cell(value: Any, column: str, lists: Collection[str] | None, file: str,
               row: int) -> str:
    def refuse(message: str) -> InvalidValueError:
        return InvalidValueError(message, file=file, row=row, field=column, value=_show(value),
                                 expected=_JSON_VALUE)

    text = _scalar(value)
    if text is None and isinstance(value, list):
        if lists is not None and column not in lists:
            raise refuse("a JSON array where one value is expected")
        items = [_scalar(item) for item in value]
        if any(item is None for item in items):
            raise refuse("a JSON array or object inside a list")
        if any(";" in item for item in items if item):
            raise refuse("a list item holds ';', which separates the items")
        text = ";".join(item for item in items if item is not None)
    if text is None:
        raise refuse("a JSON object where a text is expected")
    if len(text) > FIELD_LIMIT:
        raise InvalidValueError(f"value too long: {len(text):,} characters", file=file,
                                row=row, field=column, value=text[:40] + "…",
                                expected=f"at most {FIELD_LIMIT:,} characters")
    control = CONTROL.search(text)
    if control:
        char = control.group()
        raise InvalidValueError(
            f"{'NUL' if char == chr(0) else 'control'} character U+{ord(char):04X} at "
            f"position {control.start() + 1}", file=file, row=row, field=column,
            value=_show(text), expected="text without NUL or control characters")
    return text


def _read_json(text: str, path: Path, lists: Collection[str] | None
               ) -> tuple[list[str], list[tuple[int, Row]]]:
    file = str(path)
    try:
        data = json.loads(text, object_pairs_hook=_object, parse_int=str, parse_float=str,
                          parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise DataFileError(f"not valid JSON ({exc.msg} at line {exc.lineno}, column "
                            f"{exc.colno})", file=file, expected=_JSON_SHAPE) from None
    except ValueError as exc:
        raise DataFileError(f"not valid JSON ({exc} at {_constant_at(text)})", file=file,
                            expected=_JSON_SHAPE) from None
    except RecursionError:
        raise _too_deep(text, path) from None
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        data = data["data"]
    if not isinstance(data, list):
        raise DataFileError("wrong JSON shape", file=file, expected=_JSON_SHAPE)
    rows: list[tuple[int, Row]] = []
    for number, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            raise DataFileError(f"wrong JSON shape: row {number} is {_show(obj)}, not an "
                                "object", file=file, row=number, expected=_JSON_SHAPE)
        if isinstance(obj, _JsonObject) and obj.duplicates:
            raise DataFileError(
                f"duplicate key(s) {', '.join(obj.duplicates)} in one object: JSON keeps only "
                "the last value, so the others would be lost", file=file, row=number,
                expected="each key once per object")
        rows.append((number, {k: _json_cell(v, k, lists, file, number) for k, v in obj.items()}))
    columns = list(dict.fromkeys(k for _, row in rows for k in row))
    return columns, rows


class RowStream:
    """The rows of a table file, as ``(row_number, row)`` pairs, read as they are iterated.

    The file is decoded, its header read and checked when the stream is made; a well-formed
    CSV file's rows are parsed only while iterating (see
    :func:`~regionet.io.csv_format.iter_csv`), so the rows of a large file never sit in
    memory together. Iterating may raise :class:`DataFileError` for a fault further down the
    file (the strict reading of :func:`read_rows`, located the same way). JSON files are
    parsed whole on creation. Missing optional columns read as empty cells.

    Attributes:
        path: the file.
        columns: its columns, as in the header.

    Raises:
        DataFileError: when the file is missing, not UTF-8, of the wrong shape, or its header
            lacks a required column or has an unknown one.
        InvalidValueError: a JSON value of the wrong shape (see :func:`read_rows`).
    """

    def __init__(self, path: str | Path, required: Sequence[str] = (),
                 optional: Sequence[str] = (), *, lists: Collection[str] | None = None
                 ) -> None:
        p = Path(path)
        if not p.is_file():
            raise DataFileError("file not found", file=str(p),
                                expected="an existing CSV or JSON file")
        self.path = p
        text = _decode(p)
        self._json: list[tuple[int, Row]] | None = None
        self._csv: Iterator[Any] | None = None
        if p.suffix.lower() == ".json":
            self.columns, self._json = _read_json(text, p, lists)
        else:
            self.columns, self._csv = iter_csv(text, file=str(p))
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
        self._optional = tuple(optional)

    def __iter__(self) -> Iterator[tuple[int, Row]]:
        optional = self._optional
        if self._json is not None:
            for number, row in self._json:
                for c in optional:
                    row.setdefault(c, "")
                yield number, row
            return
        columns = self.columns
        for record in self._csv or ():
            row = {c: restore_formula(v.strip())
                   for c, v in zip(columns, record.cells, strict=True)}
            for c in optional:
                row.setdefault(c, "")
            yield record.row, row


def iter_rows(path: str | Path, required: Sequence[str] = (), optional: Sequence[str] = (),
              *, lists: Collection[str] | None = None) -> RowStream:
    """Return a lazy :class:`RowStream` over a CSV or JSON table (checks the header now)."""
    return RowStream(path, required, optional, lists=lists)


def read_rows(path: str | Path, required: Sequence[str] = (),
              optional: Sequence[str] = (), *, lists: Collection[str] | None = None
              ) -> list[tuple[int, Row]]:
    """Read a CSV (``.csv``) or JSON (``.json``) table into ``(row_number, row)`` pairs.

    Missing optional columns read as empty cells; unknown columns are an error (they are
    usually a typo of a known one). CSV cells are stripped of surrounding spaces and a
    spreadsheet-formula apostrophe added by the export is removed
    (:func:`~regionet.io.csv_format.restore_formula`).

    Args:
        path: the file.
        required: columns that must be present.
        optional: columns that may be present.
        lists: the columns where a JSON array is accepted (joined with ``;``); None accepts
            arrays in every column.

    Raises:
        DataFileError: when the file is missing, not UTF-8, not strict CSV or valid JSON, of
            the wrong shape, or lacks a required column.
        InvalidValueError: when a JSON value is an object, a nested array, or an array in a
            column that takes one value.
    """
    return list(RowStream(path, required, optional, lists=lists))
