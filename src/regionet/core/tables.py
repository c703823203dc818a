"""Tables as Arrow columns: ids coded and numbers converted fast, cells named in errors.

Users' input files (fiscal establishments and firms, edge lists) arrive as Arrow columns, read
by :mod:`regionet.io` from CSV or Parquet. :class:`InputTable` holds them (loaded column by
column, so each can be converted and freed before the next is read) and knows how to name a
cell in an error: the file's row and the value as written. The helpers here turn them into
NumPy: ids into integer codes by hash lookups in Arrow (:func:`codes_of`, :func:`joint_codes`;
a dictionary-encoded column is looked up once per distinct value, registry numbers are hashed
as integers), numbers into float64 (:func:`numbers_of`), output arrays taken from Arrow's
memory pool (:func:`empty`).

Examples:
    >>> table = InputTable.from_arrow("t.csv", pa.table({"id": ["b", "a"], "x": ["1", "n/a"]}))
    >>> codes_of(table.column("id"), pa.array(["a", "b"])).tolist(), table.numbers("x").tolist()
    ([1, 0], [1.0, nan])
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from regionet.core.cores import spare_core
from regionet.core.errors import DataFileError
from regionet.core.id_hash import IdHash
from regionet.core.shared_probe import probe_shared

__all__ = ["PARALLEL_LOOKUP_MIN", "InputTable", "as_numpy", "codes_of", "concatenate",
           "digit_chunk", "digit_keys", "empty", "first_duplicate", "joint_codes", "lookup",
           "missing_columns", "numbers_of"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
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
            as they are asked for): ``f(part, parts)`` yields part ``part`` of ``parts``
            contiguous parts (whole row groups), ``f()`` all of them; by default the chunks
            of :meth:`column`.
    """

    def __init__(self, name: str, columns: Mapping[str, Loader], n_rows: int, *,
                 rows: IntArray | None = None,
                 raw: Callable[[str, int], object] | None = None,
                 chunks: Mapping[str, Callable[..., Iterator[pa.Array]]] | None = None
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

    def parts(self, name: str, count: int) -> list[Iterator[pa.Array]]:
        """Column ``name`` in ``count`` contiguous parts, each yielding its chunks when read.

        Parts of a file read by row groups are read independently (one may be read in
        another thread); otherwise the column is read at once and its chunks are divided.

        Examples:
            >>> t = InputTable.from_arrow("t", pa.table({"id": pa.chunked_array([[1, 2], [3]])}))
            >>> [[c.to_pylist() for c in part] for part in t.parts("id", 2)]
            [[[1, 2]], [[3]]]
        """
        if name in self._chunks:
            return [self._chunks[name](part, count) for part in range(count)]
        chunks = self.column(name).chunks
        return [iter(chunks[len(chunks) * part // count: len(chunks) * (part + 1) // count])
                for part in range(count)]

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
    return concatenate(column, np.float64)


#: NumPy types of the Arrow number types :func:`as_numpy` views in place.
_VIEWS: Final = {pa.int8(): np.int8, pa.int16(): np.int16, pa.int32(): np.int32,
                 pa.int64(): np.int64, pa.uint8(): np.uint8, pa.uint16(): np.uint16,
                 pa.uint32(): np.uint32, pa.uint64(): np.uint64, pa.float32(): np.float32,
                 pa.float64(): np.float64}


def as_numpy(chunk: pa.Array) -> npt.NDArray[Any]:
    """An Arrow array as NumPy: a read-only view of a null-free number array's memory.

    What ``chunk.to_numpy(zero_copy_only=False)`` gives, without pyarrow's pandas-aware
    conversion, which imports pandas (0.3 s of CPU) the first time it runs
    (:mod:`regionet.io.arrow_pandas`). Booleans are cast to bytes first; anything else
    (nulls, text) goes through ``to_numpy``.

    Examples:
        >>> as_numpy(pa.array([1, 2, 3]).slice(1)).tolist(), as_numpy(pa.array([True])).dtype
        ([2, 3], dtype('bool'))
    """
    if not chunk.null_count:
        if pa.types.is_boolean(chunk.type):
            return as_numpy(pc.cast(chunk, pa.uint8())).view(np.bool_)
        dtype = _VIEWS.get(chunk.type)
        if dtype is not None:
            if not len(chunk):
                return np.empty(0, dtype)
            data = chunk.buffers()[1]
            return np.frombuffer(data, dtype=dtype, count=len(chunk),
                                 offset=chunk.offset * np.dtype(dtype).itemsize)
    return np.asarray(chunk.to_numpy(zero_copy_only=False))


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


def concatenate(column: pa.ChunkedArray, dtype: type[np.generic],
                out: npt.NDArray[Any] | None = None) -> npt.NDArray[Any]:
    """Copy a null-free numeric column's chunks into one NumPy array (new, or ``out``)."""
    out = empty(len(column), dtype) if out is None else out
    start = 0
    for chunk in column.chunks:
        stop = start + len(chunk)
        out[start:stop] = as_numpy(chunk)
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
        return concatenate(pc.fill_null(pc.index_in(column, value_set=index), -1), np.intp)
    # Look each distinct value up once, then map the dictionary indices (a NumPy take).
    out = empty(len(column), np.intp)
    start = 0
    for chunk in column.chunks:
        stop = start + len(chunk)
        known = pc.fill_null(pc.index_in(chunk.dictionary, value_set=index), -1)
        lookup = np.append(np.asarray(as_numpy(known), dtype=np.intp), -1)  # [-1]: null
        positions = chunk.indices
        if positions.null_count:
            positions = pc.fill_null(positions, len(lookup) - 1)
        # Every index is in range ("clip" changes none): the default "raise" would buffer
        # ``out`` (33 ms against 10 ms for 5e6 region ids).
        np.take(lookup, as_numpy(positions), out=out[start:stop], mode="clip")
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
    codes = np.asarray(as_numpy(encoded.indices), dtype=np.int64)
    seen = np.maximum.accumulate(codes)
    return int(np.flatnonzero(codes[1:] <= seen[:-1])[0]) + 1


def _plain(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A dictionary-encoded column decoded (to hash it together with plain ones)."""
    kind = column.type
    return column.cast(kind.value_type) if pa.types.is_dictionary(kind) else column


def digit_keys(table: InputTable, column: str, length: int | None = None
                ) -> tuple[list[pa.Array], int] | None:
    """Column ``column`` as int64 chunks if every id is ASCII digits of one length.

    Registry numbers usually are: as integers they are the same ids (one length keeps
    leading zeros apart, at most 18 digits fit) and hash about twice as fast as text. The
    column is read chunk by chunk, so only one chunk of text is held at a time. Returns
    None (use the text) for anything else, or when the length differs from ``length``.
    """
    keys = []
    for chunk in table.chunks(column):
        digits = digit_chunk(chunk, length)
        if digits is None:
            return None
        if len(chunk):
            keys.append(digits[0])
            length = digits[1]
    return keys, length or 0


def digit_chunk(chunk: pa.Array, length: int | None = None) -> tuple[pa.Array, int | None] | None:
    """One chunk of ids as int64 and their length if all are ASCII digits of one length.

    None when they are not (or their length differs from ``length``); an empty chunk keeps
    ``length``. See :func:`digit_keys`.

    Examples:
        >>> digit_chunk(pa.array(["0071", "1234"]))[0].to_pylist(), digit_chunk(pa.array(["1"]), 4)
        ([71, 1234], None)
    """
    # large_string: what pandas 3 writes to Parquet for text columns.
    if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)) \
            or chunk.null_count:
        return None
    if not len(chunk):
        return pa.array([], pa.int64()), length
    bounds = pc.min_max(pc.binary_length(chunk)).as_py()
    if bounds["min"] != bounds["max"] or not 0 < bounds["min"] <= 18:
        return None
    if length is not None and bounds["min"] != length:
        return None
    if not pc.all(pc.ascii_is_decimal(chunk)).as_py():
        return None
    return pc.cast(chunk, pa.int64()), bounds["min"]


#: Below this many ids, :func:`lookup` uses one thread (a second hash table costs more).
PARALLEL_LOOKUP_MIN: Final = 1 << 17


def _found(chunks: Iterable[pa.Array | None], keys: pa.Array) -> pa.ChunkedArray | None:
    """The position in ``keys`` of each id of ``chunks`` (null where absent; None: not ids)."""
    part: list[pa.Array] = []
    for chunk in chunks:
        if chunk is None:
            return None
        part.append(chunk)
    return pc.index_in(pa.chunked_array(part, type=keys.type), value_set=keys)


def lookup(parts: Sequence[Iterable[pa.Array | None]], keys: pa.Array, n: int,
           bound: int | None = None, *, table: IdHash | None = None,
           convert: Callable[[pa.Array], pa.Array | None] | None = None,
           spare: bool | None = None) -> IntArray | None:
    """The position of each id in ``keys`` (-1 where absent), looked up in two threads.

    The ``n`` ids come in ``parts`` (e.g. a file's halves, each read as it is iterated).
    With a core to spare (:func:`spare_core`) and at least :data:`PARALLEL_LOOKUP_MIN` ids,
    a second thread reads and looks up the first part while this one does the rest (Arrow
    reads and NumPy's loops release the GIL). Integer ids known to lie in ``0 <= id <
    bound`` (registry numbers: ``10 ** length``) are looked up in one :class:`IdHash` that
    both threads share (``table``: one the caller built of ``keys``); otherwise each thread
    probes its own Arrow hash table of ``keys`` (``index_in``: a second table of 1.7e6 keys
    cost 0.19 s of CPU). Otherwise one pass over every part. Two threads sharing an
    ``IdHash`` take pieces of the ids in turn
    (:func:`~regionet.core.shared_probe.probe_shared`), so they finish together. ``convert``
    is applied to each chunk of ``parts`` first, in the thread that looks it up; ``spare``:
    whether a core is spare, as the caller found (None: asked now). Returns None
    when a part yields None, or ``convert`` returns None (ids of another kind: the caller
    falls back).

    Examples:
        >>> lookup([iter([pa.array([3, 9]), pa.array([1])])], pa.array([1, 2, 3]), 3).tolist()
        [2, -1, 0]
        >>> lookup([iter([pa.array([3, 9])])], pa.array([1, 2, 3]), 2, bound=10).tolist()
        [2, -1]
        >>> lookup([iter([pa.array([3])]), iter([None])], pa.array([3]), 2) is None
        True
    """
    if table is None and bound is not None and not keys.null_count:
        table = IdHash.of(as_numpy(keys), bound)
    parallel = len(parts) >= 2 and n >= PARALLEL_LOOKUP_MIN and (
        spare_core() if spare is None else spare)
    if parallel and table is not None:
        return probe_shared(table, itertools.chain(*parts), n, convert)
    if convert is not None:
        parts = [_converted(part, convert) for part in parts]
    probe: Callable[[Iterable[pa.Array | None], IntArray | None],
                    tuple[int, list[IntArray]] | None]
    probe = partial(_probe, keys) if table is None else partial(_probe_table, table)
    out = empty(n, np.intp)
    if parallel:
        with ThreadPoolExecutor(max_workers=1) as pool:
            first = pool.submit(probe, parts[0], out)
            rest = probe(itertools.chain(*parts[1:]), None)
            done = first.result()
        if done is None or rest is None:
            return None
        start = done[0]
        for piece in rest[1]:
            out[start:start + len(piece)] = piece
            start += len(piece)
        return out
    return out if probe(itertools.chain(*parts), out) is not None else None


def _converted(chunks: Iterable[pa.Array | None], convert: Callable[[pa.Array], pa.Array | None]
               ) -> Iterator[pa.Array | None]:
    """``chunks``, each converted (None stays None)."""
    for chunk in chunks:
        yield None if chunk is None else convert(chunk)


def _probe(keys: pa.Array, chunks: Iterable[pa.Array | None], out: IntArray | None
           ) -> tuple[int, list[IntArray]] | None:
    """Look ``chunks`` up in ``keys`` with Arrow's ``index_in`` (see :func:`_probe_table`)."""
    found = _found(chunks, keys)
    if found is None:
        return None
    codes = pc.fill_null(found, -1)
    if out is not None:
        concatenate(codes, np.intp, out[:len(found)])
        return len(found), []
    return len(found), [concatenate(codes, np.intp)]


def _probe_table(table: IdHash, chunks: Iterable[pa.Array | None], out: IntArray | None
                 ) -> tuple[int, list[IntArray]] | None:
    """Look ``chunks`` up in ``table``: into the start of ``out``, or new arrays if None.

    Returns how many ids were looked up and the new arrays; None if a chunk is None.
    """
    start, pieces = 0, []
    for chunk in chunks:
        if chunk is None:
            return None
        stop = start + len(chunk)
        ids = as_numpy(chunk)
        if out is None:
            pieces.append(table.positions(ids, np.empty(len(chunk), np.intp)))
        else:
            table.positions(ids, out[start:stop])
        start = stop
    return start, pieces


def joint_codes(*columns: tuple[InputTable, str]) -> tuple[pa.Array, list[IntArray]]:
    """Code id columns together in one hash pass: equal ids get equal codes.

    Codes follow first appearance, across the columns in order (so the rows of a first
    column of unique ids get codes ``0, 1, 2, …``); a null id gets -1. Ids that are all
    digits of one length are hashed as integers.

    Returns:
        The distinct ids (as text if the columns were text) and each column's codes.

    Examples:
        >>> a = InputTable.from_arrow("a", pa.table({"id": ["x", "y"]}))
        >>> b = InputTable.from_arrow("b", pa.table({"id": ["y", "z", None]}))
        >>> ids, (ca, cb) = joint_codes((a, "id"), (b, "id"))
        >>> ids.to_pylist(), ca.tolist(), cb.tolist()
        (['x', 'y', 'z'], [0, 1], [1, 2, -1])
    """
    sizes, chunks, length = [], [], None
    for table, column in columns:
        digits = digit_keys(table, column, length)
        if digits is None:
            break
        chunks.extend(digits[0])
        length = digits[1]
        sizes.append(table.n_rows)
    kind = pa.int64()
    if len(sizes) < len(columns):
        plain = [_plain(table.column(column)) for table, column in columns]
        for i in range(1, len(plain)):
            plain[0], plain[i] = _common(plain[0], plain[i])
        chunks = [c for column in plain for c in column.chunks]
        sizes, kind, length = [len(c) for c in plain], plain[0].type, None
        del plain
    encoded = pc.dictionary_encode(pa.chunked_array(chunks, type=kind))
    del chunks
    dictionary = (encoded.chunks[0].dictionary if encoded.num_chunks
                  else pa.array([], type=kind))
    indices = pa.chunked_array([c.indices for c in encoded.chunks], type=pa.int32())
    del encoded
    if indices.null_count:
        indices = pc.fill_null(indices, -1)
    codes = concatenate(indices, np.intp)
    if length is not None:  # back to the ids as written
        dictionary = pc.utf8_lpad(pc.cast(dictionary, pa.string()), width=length, padding="0")
    bounds = np.cumsum([0, *sizes])
    return dictionary, [codes[a:b] for a, b in itertools.pairwise(bounds)]
