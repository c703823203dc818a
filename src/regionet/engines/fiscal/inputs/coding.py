"""Coding users' tables into :class:`Establishments` and :class:`Firms`, with file/row errors.

A table arrives as Arrow columns (:class:`~regionet.core.tables.InputTable`: read from a CSV
or Parquet file by :mod:`regionet.io.input_tables`, or from a pandas frame by
:func:`from_frames`). Ids become integer codes in Arrow (:mod:`regionet.core.tables`: one
hash pass for the firms' and establishments' firm ids, region ids once per distinct value),
numbers become float64 NumPy columns, and every check runs as one vectorised pass. A problem
names the file, the row (1-based below the header, counted in the file), the column, the
value as written and what was expected; an unknown region id comes with the nearest ids.

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

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from regionet.core.cores import spare_core
from regionet.core.errors import (
    InvalidValueError,
    RegionetError,
    UnknownActorError,
    UnknownReferenceError,
    did_you_mean,
)
from regionet.core.id_hash import IdHash
from regionet.core.shared_tasks import SharedTasks
from regionet.core.tables import (
    PARALLEL_LOOKUP_MIN,
    InputTable,
    as_numpy,
    codes_of,
    concatenate,
    digit_chunk,
    digit_keys,
    first_duplicate,
    joint_codes,
    lookup,
)
from regionet.engines.fiscal.inputs.establishments import (
    FACTORS,
    OWN_BALANCE_SHEET,
    Establishments,
    Firms,
    IntArray,
)

__all__ = ["ESTABLISHMENT_COLUMNS", "ESTABLISHMENT_OPTIONAL", "FALSE_TEXT", "FIRM_COLUMNS",
           "TRUE_TEXT", "code_inputs", "flags_of", "from_frames", "in_file"]

#: Columns an establishments table must have.
ESTABLISHMENT_COLUMNS: Final = ("firm_id", "region", *FACTORS)
#: Optional establishment columns: ``own_balance_sheet`` (missing column or empty cell:
#: false, the documented default; docs/fiscal.md).
ESTABLISHMENT_OPTIONAL: Final = (OWN_BALANCE_SHEET,)
#: Texts read as true / false in a boolean column (case and surrounding spaces ignored; an
#: empty cell is the default, false).
TRUE_TEXT: Final = ("true", "1", "yes", "t", "y")
FALSE_TEXT: Final = ("false", "0", "no", "f", "n", "")
#: Columns a firms table must have.
FIRM_COLUMNS: Final = ("firm_id", "registered_region", "profit")
#: Suggestions are looked for among at most this many ids (difflib is quadratic-ish).
_MAX_HINT_CHOICES: Final = 20_000
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


def flags_of(table: InputTable, column: str) -> npt.NDArray[np.bool_]:
    """Return a boolean column as NumPy: true/false, 1/0, yes/no; empty or missing is false.

    Raises:
        InvalidValueError: a cell that is none of these, naming the file, row, field and
            the value as written.

    Examples:
        >>> t = InputTable.from_arrow("est.csv", pa.table({"f": ["TRUE", " 0", None, "yes"]}))
        >>> flags_of(t, "f").tolist()
        [True, False, False, True]
        >>> t = InputTable.from_arrow("est.csv", pa.table({"f": ["true", "maybe"]}))
        >>> try:
        ...     flags_of(t, "f")
        ... except InvalidValueError as err:
        ...     print(err.file, err.row, err.field, err.value, "|", err.expected)
        est.csv 2 f maybe | true or false (also 1/0, yes/no; empty: false)
    """
    values = table.column(column)
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if pa.types.is_boolean(values.type):
        return concatenate(pc.fill_null(values, False), np.bool_)
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        filled = pc.fill_null(values.cast(pa.float64()), 0.0)
        truth = pc.equal(filled, 1.0)
        good = pc.or_(truth, pc.equal(filled, 0.0))
    else:
        text = pc.fill_null(pc.utf8_lower(pc.utf8_trim_whitespace(values.cast(pa.string()))),
                            "")
        truth = pc.is_in(text, value_set=pa.array(TRUE_TEXT))
        good = pc.or_(truth, pc.is_in(text, value_set=pa.array(FALSE_TEXT)))
    ok = concatenate(pc.fill_null(good, False), np.bool_)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise InvalidValueError(f"{column} is not true or false", file=table.name,
                                row=table.row(i), field=column, value=table.value(column, i),
                                expected="true or false (also 1/0, yes/no; empty: false)")
    return concatenate(truth, np.bool_)


def _firm_codes(firms: InputTable, establishments: InputTable, *, spare: bool | None = None
                ) -> tuple[IntArray, IntArray]:
    """Code firm ids: each firm row's code and each establishment's (-1 or >= F: unknown).

    Firm rows get codes by first appearance (their row when the ids are unique). Registry
    numbers (digits of one length) are looked up in one hash table of the F firm ids
    (:class:`~regionet.core.id_hash.IdHash`, which finds repeated ids while it is built)
    probed by the establishments, the two halves of the file read and looked up in two
    threads on an idle machine (:func:`~regionet.core.tables.lookup`; about a third faster
    than encoding both together; the first half's reading starts while the firms' ids are
    read). Registry numbers too long for that table are looked up with ``index_in`` while
    another thread sorts them to find repeats. Other ids are encoded together in one pass.
    ``spare``: whether a core is spare, as the caller found (None: asked here).
    """
    parts: list[Iterable[pa.Array]] = list(establishments.parts("firm_id", 2))
    with ThreadPoolExecutor(max_workers=1) as early:
        if establishments.n_rows >= PARALLEL_LOOKUP_MIN and (
                spare_core() if spare is None else spare):
            # Reading the first half's ids needs no keys: it starts while the firms' are read.
            parts[0] = _when_done(early.submit(list, parts[0]))
        digits = digit_keys(firms, "firm_id")
        if digits is not None:
            keys = pa.chunked_array(digits[0], type=pa.int64()).combine_chunks()
            length = digits[1]
            to_ints = partial(_digits, length=length)
            table = None if keys.null_count else IdHash.of(as_numpy(keys), 10 ** length)
            if table is not None:  # repeats found while it was built
                est_codes = lookup(parts, keys, establishments.n_rows, table=table,
                                   convert=to_ints, spare=spare)
                if est_codes is not None:
                    return _first_codes(keys, table.repeats), est_codes
            else:
                with ThreadPoolExecutor(max_workers=1) as pool:  # the sort releases the GIL
                    repeats = pool.submit(_repeats, keys)
                    est_codes = lookup(parts, keys, establishments.n_rows, convert=to_ints,
                                       spare=spare)
                    if est_codes is not None:
                        return _first_codes(keys, repeats.result()), est_codes
    _, (firm_codes, est_codes) = joint_codes((firms, "firm_id"), (establishments, "firm_id"))
    return firm_codes, est_codes


def _when_done(chunks: Future[list[pa.Array]]) -> Iterator[pa.Array]:
    """The chunks another thread is reading, once it has read them."""
    yield from chunks.result()


def _digits(chunk: pa.Array, length: int) -> pa.Array | None:
    """A chunk of ids as int64 (:func:`~regionet.core.tables.digit_chunk`), or None."""
    digits = digit_chunk(chunk, length)
    return None if digits is None else digits[0]


def _repeats(keys: pa.Array) -> bool:
    """Whether an id of ``keys`` repeats (a sort; ids that fit no :class:`IdHash`)."""
    ordered = np.sort(as_numpy(keys))
    return len(ordered) > 1 and bool((ordered[1:] == ordered[:-1]).any())


def _first_codes(keys: pa.Array, repeats: bool) -> IntArray:
    """Codes of firm ids by first appearance: ``0..F-1`` unless an id ``repeats``."""
    if repeats:  # reported by the caller
        return np.asarray(as_numpy(pc.dictionary_encode(keys).indices), dtype=np.intp)
    return np.arange(len(keys), dtype=np.intp)


def _region_index(regions: Sequence[str] | Callable[[], Sequence[str]]) -> pa.Array:
    """The region ids (:func:`code_inputs`' ``regions``) as Arrow text, checked unique."""
    index = pa.array([str(r) for r in (regions() if callable(regions) else regions)],
                     pa.string())
    _unique(index, None, "region", "regions")
    return index


def _rest(establishments: InputTable, firms: InputTable, region_index: Callable[[], pa.Array]
          ) -> dict[str, Callable[[], npt.NDArray[Any]]]:
    """Reading everything but the firm ids, a task a column: region codes and amounts.

    The establishments' columns come first, the firms' (a third as long) last: a thread
    that joins late waits at most for a short task.
    """
    return {
        **{name: partial(establishments.numbers, name) for name in FACTORS},
        "region": lambda: codes_of(establishments.column("region"), region_index()),
        **({OWN_BALANCE_SHEET: partial(flags_of, establishments, OWN_BALANCE_SHEET)}
           if OWN_BALANCE_SHEET in establishments else {}),
        "registered_region": lambda: codes_of(firms.column("registered_region"),
                                              region_index()),
        "profit": partial(firms.numbers, "profit")}


def code_inputs(establishments: InputTable, firms: InputTable,
                regions: Sequence[str] | Callable[[], Sequence[str]], *,
                sort: bool = True) -> tuple[Establishments, Firms]:
    """Code an establishments and a firms table into :class:`Establishments` and :class:`Firms`.

    Firm ids are coded first (:func:`_firm_codes`), then region ids once per distinct value;
    the amounts are read one column at a time; the checks run afterwards in a fixed order.
    With both cores free (:func:`~regionet.core.tables.spare_core`) and many rows, the
    lookup runs in two threads on the two halves of the file, and a third thread reads the
    region ids and the amounts meanwhile (the lookup leaves a core idle while it builds its
    hash table), helped by this one once the lookup is done
    (:class:`~regionet.core.shared_tasks.SharedTasks`). With two hash tables, in an earlier
    version, that reading raised the peak memory of a 5e6-row run to 670 MB; with one,
    about 560 MB (docs/performance.md).

    Args:
        establishments: columns ``firm_id, region, headcount, payroll, assets, sales`` and
            optionally ``own_balance_sheet`` (:func:`flags_of`; missing: all false).
        firms: columns ``firm_id, registered_region, profit``; row ``f`` is firm code ``f``.
        regions: the region ids; region code ``r`` is ``regions[r]``; or a function giving
            them, called after the firm ids are coded (the slowest step), so a caller can
            compute them meanwhile in another thread.
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
    if establishments.n_rows >= PARALLEL_LOOKUP_MIN and spare_core():
        # Decided once for the whole coding: asked again later, with this process's own
        # threads running, the machine's load can look like another process's.
        # The regions and the other columns are read in another thread while the firm ids
        # are looked up (the lookup leaves a core idle while it builds its table); this
        # thread takes what is left once its lookup is done. Errors come out in the same
        # order as in one thread: the regions', then the columns'.
        with ThreadPoolExecutor(max_workers=2) as early:
            # The regions may wait for another thread (the economy's table): the amounts
            # start meanwhile, the region codes wait for them.
            index = early.submit(_region_index, regions)
            rest = SharedTasks(_rest(establishments, firms, index.result))
            early.submit(rest.work)
            firm_codes, firm = _firm_codes(firms, establishments, spare=True)
            region_index = index.result()
            columns = rest.results()
    else:
        firm_codes, firm = _firm_codes(firms, establishments, spare=False)
        region_index = _region_index(regions)
        columns = SharedTasks(_rest(establishments, firms, lambda: region_index)).results()
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
        establishments: columns ``firm_id, region, headcount, payroll, assets, sales`` and
            optionally ``own_balance_sheet``.
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
