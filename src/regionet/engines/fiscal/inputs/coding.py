"""Coding users' tables into :class:`Establishments` and :class:`Firms`, with file/row errors.

A table arrives as Arrow columns (:class:`InputTable`: read from a CSV or Parquet file by
:mod:`regionet.io.input_tables`, or from a pandas frame by :func:`from_frames`). Ids become
integer codes in Arrow (a hash lookup, ``pyarrow.compute.index_in``; a dictionary-encoded
column is looked up once per distinct value), numbers become float64 NumPy columns, and every
check runs as one vectorised pass. A problem names the file, the row (1-based below the
header, counted in the file), the column, the value as written and what was expected; an
unknown region id comes with the nearest ids.

Examples:
    >>> import pyarrow as pa
    >>> est = InputTable.from_arrow("est.csv", pa.table({
    ...     "firm_id": ["b", "a", "b"], "region": ["R2", "R1", "R1"], "headcount": [1, 2, 3],
    ...     "payroll": [0, 0, 0], "assets": [1, 1, 1], "sales": [0, 0, 0]}))
    >>> firms = InputTable.from_arrow("firms.csv", pa.table({
    ...     "firm_id": ["a", "b"], "registered_region": ["R1", "R2"], "profit": [5.0, -1.0]}))
    >>> coded, firm_table = code_inputs(est, firms, ["R1", "R2"])
    >>> coded.firm.tolist(), coded.region.tolist(), firm_table.base.tolist()
    ([0, 1, 1], [0, 1, 0], [5.0, 0.0])
    >>> bad = InputTable.from_arrow("est.csv", est.arrow().set_column(
    ...     1, "region", pa.chunked_array([["R2", "R1", "R3"]])))
    >>> try:
    ...     code_inputs(bad, firms, ["R1", "R2"])
    ... except UnknownActorError as err:
    ...     print(err.file, err.row, err.field, err.value)
    est.csv 3 region R3
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from regionet.core.errors import (
    DataFileError,
    InvalidValueError,
    RegionetError,
    UnknownActorError,
    UnknownReferenceError,
    did_you_mean,
)
from regionet.engines.fiscal.inputs.establishments import (
    FACTORS,
    Establishments,
    Firms,
    FloatArray,
    IntArray,
)

__all__ = ["ESTABLISHMENT_COLUMNS", "FIRM_COLUMNS", "InputTable", "code_inputs", "codes_of",
           "first_duplicate", "from_frames", "in_file", "missing_columns", "numbers_of"]

#: Columns an establishments table must have.
ESTABLISHMENT_COLUMNS: Final = ("firm_id", "region", *FACTORS)
#: Columns a firms table must have.
FIRM_COLUMNS: Final = ("firm_id", "registered_region", "profit")
#: Suggestions are looked for among at most this many ids (difflib is quadratic-ish).
_MAX_HINT_CHOICES: Final = 20_000
#: A number as text: what ``float()`` accepts, without Python's underscores.
_NUMBER: Final = r"^[-+]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[iI]nf(inity)?|[nN]a[nN])$"

Loader = Callable[[], pa.ChunkedArray]


def missing_columns(present: Sequence[str], required: Sequence[str], file: str) -> None:
    """Raise :class:`DataFileError` naming the required columns ``present`` lacks."""
    missing = [c for c in required if c not in present]
    if missing:
        raise DataFileError("missing column(s) " + ", ".join(missing), file=file,
                            field=missing[0], expected="columns " + ", ".join(required))


class InputTable:
    """The rows of one input table (one year's), as Arrow columns loaded on demand.

    Args:
        name: the file name used in errors.
        columns: column name -> a function returning the column (read when first needed,
            so a caller can free each column once converted).
        n_rows: number of rows.
        rows: the file's data row (1-based) of each row, when rows were dropped (another
            year's) or reordered; None: row ``i`` is file row ``i + 1``.
        raw: ``raw(column, file_row)`` returns a cell as written in the file (CSV text), for
            errors; None: the Arrow value.
    """

    def __init__(self, name: str, columns: Mapping[str, Loader], n_rows: int, *,
                 rows: IntArray | None = None,
                 raw: Callable[[str, int], object] | None = None) -> None:
        self.name = name
        self._columns = dict(columns)
        self.n_rows = n_rows
        self.rows = rows
        self._raw = raw

    @classmethod
    def from_arrow(cls, name: str, table: pa.Table, **kwargs: Any) -> InputTable:
        """An input table over an Arrow table held in memory."""
        return cls(name, {c: partial(table.column, c) for c in table.column_names},
                   table.num_rows, **kwargs)

    @property
    def names(self) -> tuple[str, ...]:
        """The table's column names."""
        return tuple(self._columns)

    def __contains__(self, column: str) -> bool:
        return column in self._columns

    def arrow(self) -> pa.Table:
        """Return every column as one Arrow table (small tables, tests)."""
        return pa.table({c: self.column(c) for c in self._columns})

    def column(self, name: str) -> pa.ChunkedArray:
        """Return the column ``name`` (read now)."""
        return self._columns[name]()

    def require(self, columns: Sequence[str]) -> None:
        """Raise :class:`DataFileError` if any of ``columns`` is missing."""
        missing_columns(self.names, columns, self.name)

    def row(self, i: int) -> int:
        """The file's data row (1-based) of row ``i``."""
        return int(self.rows[i]) if self.rows is not None else i + 1

    def value(self, column: str, i: int) -> object:
        """The cell of row ``i`` in ``column`` as written in the file."""
        if self._raw is not None:
            return self._raw(column, self.row(i))
        value = self.column(column)[i].as_py()
        return value

    def numbers(self, column: str) -> FloatArray:
        """Return ``column`` as float64 (writeable); NaN where a cell is not a number."""
        return numbers_of(self.column(column))


def numbers_of(column: pa.ChunkedArray) -> FloatArray:
    """Return an Arrow column as float64 (writeable); NaN where a cell is not a number.

    Examples:
        >>> numbers_of(pa.chunked_array([[" 1.5", "n/a", "-2e3", None]])).tolist()
        [1.5, nan, -2000.0, nan]
    """
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = column.cast(kind.value_type)
        kind = kind.value_type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = pc.utf8_trim_whitespace(column)
        column = pc.if_else(pc.match_substring_regex(text, _NUMBER), text, None)
    elif not (pa.types.is_floating(kind) or pa.types.is_integer(kind)
              or pa.types.is_boolean(kind) or pa.types.is_decimal(kind)
              or pa.types.is_null(kind)):
        return np.full(len(column), np.nan)
    values = pc.fill_null(pc.cast(column, pa.float64(), safe=False), np.nan)
    array = np.asarray(values.to_numpy())
    return array if array.flags.writeable else array.copy()


def _common(a: pa.ChunkedArray | pa.Array, b: pa.ChunkedArray | pa.Array
            ) -> tuple[Any, Any]:
    """Cast two id columns to one type: int64 if both are integers, else text."""
    def value_type(x: Any) -> pa.DataType:
        return x.type.value_type if pa.types.is_dictionary(x.type) else x.type
    ta, tb = value_type(a), value_type(b)
    if ta == tb:
        return a, b
    if pa.types.is_integer(ta) and pa.types.is_integer(tb):
        return a.cast(pa.int64()), b.cast(pa.int64())
    return (a if pa.types.is_string(ta) else a.cast(pa.string()),
            b if pa.types.is_string(tb) else b.cast(pa.string()))


def codes_of(column: pa.ChunkedArray, index: pa.Array) -> IntArray:
    """Return the position of each id of ``column`` in ``index``; -1 where it is absent.

    Examples:
        >>> codes_of(pa.chunked_array([["b", "z", None]]), pa.array(["a", "b"])).tolist()
        [1, -1, -1]
    """
    column, index = _common(column, index)
    found = pc.fill_null(pc.index_in(column, value_set=index), -1)
    return np.asarray(found.to_numpy(), dtype=np.intp)


def first_duplicate(ids: pa.Array | pa.ChunkedArray) -> int | None:
    """Return the position of the first id seen before (a duplicate), or None.

    Examples:
        >>> first_duplicate(pa.array(["a", "b", "c", "b", "a"])), first_duplicate(pa.array([1]))
        (3, None)
    """
    encoded = pc.dictionary_encode(ids)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    if len(encoded.dictionary) == len(ids):
        return None
    # The dictionary lists ids in order of first appearance, so a first appearance has a
    # code above every earlier one; a repeat does not.
    codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
    seen = np.maximum.accumulate(codes)
    return int(np.flatnonzero(codes[1:] <= seen[:-1])[0]) + 1


def _unknown(table: InputTable, column: str, codes: IntArray, index: pa.Array,
             error: type[RegionetError]) -> None:
    """Raise ``error`` for the first id of ``column`` absent from ``index``, if any."""
    if not len(codes) or codes.min() >= 0:
        return
    i = int(np.flatnonzero(codes < 0)[0])
    value = table.value(column, i)
    hint = None
    if len(index) <= _MAX_HINT_CHOICES:
        hint = did_you_mean(str(value), [str(v) for v in index.to_pylist()])
    where = "the firms table" if column == "firm_id" else "the regions"
    raise error(f"unknown {column}", file=table.name, row=table.row(i), field=column,
                value=value, expected=f"an id listed in {where}", hint=hint)


def _lookup(table: InputTable, column: str, index: pa.Array,
            error: type[RegionetError]) -> IntArray:
    codes = codes_of(table.column(column), index)
    _unknown(table, column, codes, index, error)
    return codes


def _unique(ids: pa.Array, table: InputTable | None, column: str, file: str) -> None:
    i = first_duplicate(ids)
    if i is not None:
        row = table.row(i) if table is not None else i + 1
        value = table.value(column, i) if table is not None else ids[i].as_py()
        raise InvalidValueError(f"duplicate {column}", file=file, row=row, field=column,
                                value=value, expected="each id once")


def in_file(err: InvalidValueError, table: InputTable) -> InvalidValueError:
    """An array validation error restated with the file, its row and the cell as written."""
    value, row = err.value, err.row
    if err.row is not None and err.field is not None and err.field in table:
        value = table.value(str(err.field), err.row - 1)
        row = table.row(err.row - 1)
    message = err.message.split(" (array index")[0]
    return InvalidValueError(message, file=table.name, row=row, field=err.field, value=value,
                             expected=err.expected, hint=err.hint)


def code_inputs(establishments: InputTable, firms: InputTable, regions: Sequence[str], *,
                sort: bool = True) -> tuple[Establishments, Firms]:
    """Code an establishments and a firms table into :class:`Establishments` and :class:`Firms`.

    Args:
        establishments: columns ``firm_id, region, headcount, payroll, assets, sales``.
        firms: columns ``firm_id, registered_region, profit``; row ``f`` is firm code ``f``.
        regions: the region ids; region code ``r`` is ``regions[r]``.
        sort: store the establishments sorted by firm (see :class:`Establishments`); False
            keeps the file's order, cheaper for one run on an unsorted file.

    Returns:
        The coded establishments and firms. A firm without establishments keeps its code;
        every attribution rule sends its whole base to its registered region.

    Raises:
        DataFileError: a required column is missing.
        UnknownActorError: a region id is not in ``regions``.
        UnknownReferenceError: an establishment's ``firm_id`` is not in ``firms``.
        InvalidValueError: a duplicate firm or region id, or a bad amount.
    """
    establishments.require(ESTABLISHMENT_COLUMNS)
    firms.require(FIRM_COLUMNS)
    region_index = pa.array([str(r) for r in regions], pa.string())
    _unique(region_index, None, "region", "regions")
    firm_index = firms.column("firm_id").combine_chunks()
    _unique(firm_index, firms, "firm_id", firms.name)
    registered = _lookup(firms, "registered_region", region_index, UnknownActorError)
    try:
        firm_table = Firms(registered_region=registered, profit=firms.numbers("profit"),
                           n_regions=len(region_index))
    except InvalidValueError as err:
        raise in_file(err, firms) from err
    firm = _lookup(establishments, "firm_id", firm_index, UnknownReferenceError)
    region = _lookup(establishments, "region", region_index, UnknownActorError)
    factors = {name: establishments.numbers(name) for name in FACTORS}
    try:
        coded = Establishments(firm=firm, region=region, **factors, n_firms=len(firm_index),
                               n_regions=len(region_index), sort=sort)
    except InvalidValueError as err:
        raise in_file(err, establishments) from err
    return coded, firm_table


def _frame_table(frame: Any, name: str) -> InputTable:
    """An input table over a pandas frame: ids as given (text if mixed), numbers coerced."""
    import pandas as pd

    def column(c: str) -> pa.ChunkedArray:
        values = frame[c]
        if c in ("headcount", "payroll", "assets", "sales", "profit", "population"):
            numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64,
                                                                       na_value=np.nan)
            return pa.chunked_array([pa.array(numbers, pa.float64())])
        try:
            return pa.chunked_array([pa.array(values.tolist())])
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return pa.chunked_array([pa.array([None if v is None else str(v)
                                               for v in values.tolist()], pa.string())])

    return InputTable(name, {str(c): partial(column, str(c)) for c in frame.columns},
                      len(frame), raw=lambda c, row: frame[c].iloc[row - 1])


def from_frames(
    establishments: Any,
    firms: Any,
    regions: Sequence[str],
    *,
    establishments_file: str = "establishments",
    firms_file: str = "firms",
) -> tuple[Establishments, Firms]:
    """Code pandas frames into :class:`Establishments` and :class:`Firms` (:func:`code_inputs`).

    Args:
        establishments: columns ``firm_id, region, headcount, payroll, assets, sales``.
        firms: columns ``firm_id, registered_region, profit``; row ``f`` becomes firm code ``f``.
        regions: the region ids; region code ``r`` is ``regions[r]``.
        establishments_file: name used for the establishments table in error messages.
        firms_file: name used for the firms table in error messages.

    Raises:
        DataFileError: a required column is missing.
        UnknownActorError: a region id is not in ``regions``.
        UnknownReferenceError: an establishment's ``firm_id`` is not in ``firms``.
        InvalidValueError: a duplicate firm or region id, or a bad amount (row numbers are
            1-based data rows, as in a CSV file whose header is row 0).

    Examples:
        >>> import pandas as pd
        >>> est_df = pd.DataFrame({"firm_id": ["gazprom", "gazprom"],
        ...                        "region": ["RU-MOW", "RU-YAN"], "headcount": [10, 30],
        ...                        "payroll": [1, 3], "assets": [5, 95], "sales": [0, 9]})
        >>> firm_df = pd.DataFrame({"firm_id": ["gazprom"], "registered_region": ["RU-MOW"],
        ...                         "profit": [1e9]})
        >>> est, firms = from_frames(est_df, firm_df, ["RU-MOW", "RU-YAN"])
        >>> est.region.tolist(), firms.registered_region.tolist()
        ([0, 1], [0])
        >>> try:
        ...     from_frames(est_df.assign(region=["RU-MOW", "RU-YANAO"]), firm_df,
        ...                 ["RU-MOW", "RU-YAN"])
        ... except UnknownActorError as err:
        ...     print(err.file, err.row, err.field, err.value, "|", err.hint)
        establishments 2 region RU-YANAO | Did you mean RU-YAN?
    """
    return code_inputs(_frame_table(establishments, establishments_file),
                       _frame_table(firms, firms_file), regions)
