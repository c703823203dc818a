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

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any, Final

import numpy as np
import numpy.typing as npt
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
           "empty", "first_duplicate", "from_frames", "in_file", "missing_columns", "numbers_of"]

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
        chunks: column name -> a function yielding the column's chunks one by one (read
            as they are asked for); by default the chunks of :meth:`column`.
    """

    def __init__(self, name: str, columns: Mapping[str, Loader], n_rows: int, *,
                 rows: IntArray | None = None,
                 raw: Callable[[str, int], object] | None = None,
                 chunks: Mapping[str, Callable[[], Iterator[pa.Array]]] | None = None
                 ) -> None:
        self.name = name
        self._columns = dict(columns)
        self._chunks = dict(chunks or {})
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

    def chunks(self, name: str) -> Iterator[pa.Array]:
        """Yield the chunks of column ``name``, read one at a time where the file allows."""
        if name in self._chunks:
            return self._chunks[name]()
        return iter(self.column(name).chunks)

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
    if kind != pa.float64() or column.null_count:
        column = pc.fill_null(pc.cast(column, pa.float64(), safe=False), np.nan)
    return _concatenate(column, np.float64)


def empty(n: int, dtype: type[np.generic]) -> npt.NDArray[Any]:
    """A new writeable NumPy array whose memory comes from Arrow's memory pool.

    Large NumPy arrays are fresh ``mmap``s that the kernel must zero on first touch; memory
    from Arrow's pool is reused as Arrow frees the columns it read, which saves most of that
    work when columns are read and converted one after another.

    Examples:
        >>> a = empty(3, np.float64)
        >>> a[:] = 1.5
        >>> a.tolist(), a.flags.writeable
        ([1.5, 1.5, 1.5], True)
    """
    size = np.dtype(dtype).itemsize
    return np.frombuffer(pa.allocate_buffer(max(n, 1) * size), dtype=dtype, count=n)


def _concatenate(column: pa.ChunkedArray, dtype: type[np.generic]) -> npt.NDArray[Any]:
    """Copy a null-free numeric column's chunks into one new (writeable) NumPy array."""
    out = empty(len(column), dtype)
    start = 0
    for chunk in column.chunks:
        stop = start + len(chunk)
        out[start:stop] = chunk.to_numpy(zero_copy_only=False)
        start = stop
    return out


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
    if not pa.types.is_dictionary(column.type):
        return _concatenate(pc.fill_null(pc.index_in(column, value_set=index), -1), np.intp)
    # Look each distinct value up once, then map the dictionary indices (a NumPy take).
    out = empty(len(column), np.intp)
    start = 0
    for chunk in column.chunks:
        stop = start + len(chunk)
        known = pc.fill_null(pc.index_in(chunk.dictionary, value_set=index), -1)
        lookup = np.append(np.asarray(known.to_numpy(), dtype=np.intp), -1)  # [-1]: null
        positions = pc.fill_null(chunk.indices, len(lookup) - 1)
        np.take(lookup, positions.to_numpy(zero_copy_only=False), out=out[start:stop])
        start = stop
    return out


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


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A dictionary-encoded column decoded (to hash it together with plain ones)."""
    kind = column.type
    return column.cast(kind.value_type) if pa.types.is_dictionary(kind) else column


def _digit_keys(table: InputTable, length: int | None = None
                ) -> tuple[list[pa.Array], int] | None:
    """The ``firm_id`` column as int64 chunks if every id is ASCII digits of one length.

    Registry numbers usually are: as integers they are the same ids (one length keeps
    leading zeros apart, at most 18 digits fit) and hash about twice as fast as text. The
    column is read chunk by chunk, so only one chunk of text is held at a time. Returns
    None (use the text) for anything else, or when the length differs from ``length``.
    """
    keys = []
    for chunk in table.chunks("firm_id"):
        if not pa.types.is_string(chunk.type) or chunk.null_count:
            return None
        if not len(chunk):
            continue
        bounds = pc.min_max(pc.binary_length(chunk)).as_py()
        if bounds["min"] != bounds["max"] or not 0 < bounds["min"] <= 18:
            return None
        if length is not None and bounds["min"] != length:
            return None
        if not pc.all(pc.ascii_is_decimal(chunk)).as_py():
            return None
        length = bounds["min"]
        keys.append(pc.cast(chunk, pa.int64()))
    return keys, length or 0


def _firm_codes(firms: InputTable, establishments: InputTable) -> tuple[IntArray, IntArray]:
    """Code firm ids in one hash pass over the firms' ids and then the establishments'.

    Returns each firm row's code (its row when the ids are unique: codes follow first
    appearance) and each establishment's code (>= the number of distinct firm ids, or -1,
    when its id is not in the firms table).
    """
    n_firms = firms.n_rows
    digits = _digit_keys(firms)
    est_digits = _digit_keys(establishments, digits[1]) if digits else None
    if digits is not None and est_digits is not None:
        chunks = [*digits[0], *est_digits[0]]
        kind = pa.int64()
    else:
        firm_ids, est_ids = _common(_plain(firms.column("firm_id")),
                                    _plain(establishments.column("firm_id")))
        chunks, kind = [*firm_ids.chunks, *est_ids.chunks], firm_ids.type
    del digits, est_digits
    encoded = pc.dictionary_encode(pa.chunked_array(chunks, type=kind))
    del chunks
    indices = pa.chunked_array([c.indices for c in encoded.chunks], type=pa.int32())
    del encoded
    if indices.null_count:
        indices = pc.fill_null(indices, -1)
    codes = _concatenate(indices, np.intp)
    return codes[:n_firms], codes[n_firms:]


def _columns(establishments: InputTable, firms: InputTable, region_index: pa.Array
             ) -> dict[str, npt.NDArray[Any]]:
    """Everything but the firm ids: region codes and amounts, as NumPy columns."""
    return {"registered_region": codes_of(firms.column("registered_region"), region_index),
            "profit": firms.numbers("profit"),
            "region": codes_of(establishments.column("region"), region_index),
            **{name: establishments.numbers(name) for name in FACTORS}}


def code_inputs(establishments: InputTable, firms: InputTable, regions: Sequence[str], *,
                sort: bool = True) -> tuple[Establishments, Firms]:
    """Code an establishments and a firms table into :class:`Establishments` and :class:`Firms`.

    Firm ids are coded in one hash pass (``dictionary_encode`` of the firms' ids followed by
    the establishments'), region ids once per distinct value, then the amounts are read one
    column at a time; the checks run afterwards in a fixed order. (Reading the amounts in a
    second thread meanwhile saved nothing on the 2-core development machine under load and
    raised peak memory by 250 MB at 5e6 rows.)

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
    firm_codes, firm = _firm_codes(firms, establishments)
    columns = _columns(establishments, firms, region_index)
    repeated = np.flatnonzero(firm_codes != np.arange(len(firm_codes)))
    if repeated.size:
        i = int(repeated[0])
        raise InvalidValueError("duplicate firm_id", file=firms.name, row=firms.row(i),
                                field="firm_id", value=firms.value("firm_id", i),
                                expected="each id once")
    firm[firm >= len(firm_codes)] = -1
    registered = columns.pop("registered_region")
    _unknown(firms, "registered_region", registered, region_index, UnknownActorError)
    try:
        firm_table = Firms(registered_region=registered, profit=columns.pop("profit"),
                           n_regions=len(region_index))
    except InvalidValueError as err:
        raise in_file(err, firms) from err
    if len(firm) and firm.min() < 0:
        _unknown(establishments, "firm_id", firm, firms.column("firm_id").combine_chunks(),
                 UnknownReferenceError)
    region = columns.pop("region")
    _unknown(establishments, "region", region, region_index, UnknownActorError)
    try:
        coded = Establishments(firm=firm, region=region, **columns, n_firms=len(firm_codes),
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
