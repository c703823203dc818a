r"""The fast path of a ties import: a clean CSV file read as columns and staged in bulk.

A million-row ties file spends most of its time in Python, row by row. When the file is
*plain* CSV — no quote, no blank line, CR only in CRLF, a header of known, distinct columns
— it is read at once with ``pyarrow.csv`` (every cell a string; a file with a control
character or an overlong cell, which the strict reader refuses, goes row by row whole), and
each chunk of :data:`~regionet.storage.import_stream.CHUNK` rows is **screened in bulk**:
every cell against what the row reader would change (surrounding spaces, a formula
apostrophe), id cells for printable ASCII, references
by set membership (kinds, domains, actors, locations, documents), and each *distinct* date
pair, amount, quantity, status and source list through the row parser's own functions; two
distinct known parties and dates within each party's validity, also in bulk (each distinct
pair of a party's validity and a tie's dates tested once). The level classification too is
done by *shape* of party set (:class:`~regionet.model.level_shapes.ShapeClassifier`): each
row's shape is found with NumPy, the classifier sees the first two rows of each shape, and
the rows of a templated shape get its level columns and a reason joined with Arrow from its
:class:`~regionet.model.level_shapes.ReasonPattern`; only the other rows (a shape seen once
or refused) are classified one by one.

The screen only answers "clean or not". A clean chunk only leaves its keys and digest;
once the whole file is checked, the rows of the clean chunks are staged **in the order of
their ids** (so the write copies them without a sort), each tie as one *coded* row built
column by column (:meth:`~regionet.storage.staging.Staging.add_coded`: the numbers of its
distinct dates, money, quantity, status and levels, staged once each; its parties, domains
and sources packed) that the write decodes and expands with SQL
(:meth:`~regionet.storage.staging.Staging.add_lists`); a chunk with any doubt goes, whole,
through the row-by-row checker
(:func:`regionet.storage.import_stream.check_chunk`), which alone finds and words problems,
so every message is the same as without this path. Membership ties (whose parties the
classifier reads back) always go row by row.

Examples:
    >>> plain_file(b"id,kind\nt-1,loan\n", ("id", "kind"), ())
    ['id', 'kind']
    >>> plain_file(b'id,kind\nt-1,"loan"\n', ("id", "kind"), ()) is None   # a quote
    True
    >>> plain_file(b"id,kind\n\nt-1,loan\n", ("id", "kind"), ()) is None  # a blank line
    True
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from regionet.core.cores import spare_core, usable_cores
from regionet.core.errors import RegionetError
from regionet.core.forked import Forked, can_fork
from regionet.core.heap import return_large_blocks
from regionet.core.processes import alive
from regionet.io.csv_format import FIELD_LIMIT, restore_formula
from regionet.io.lookalikes import IdScreen
from regionet.io.records import (
    ID_COLUMNS,
    TableSchema,
    _known_actor,
    _known_interval,
    _known_sources,
    _number,
    parse_money,
)
from regionet.model.case import MEMBERSHIP
from regionet.model.level_shapes import ClassificationValues, ReasonPattern, ShapeClassifier
from regionet.model.levels import Federation
from regionet.model.sources import parse_status
from regionet.model.validation import Catalog
from regionet.storage.staging import PACKED_PARTIES, Staging, scratch_staging


class RowDigest(Protocol):
    """What the fast path needs of :class:`regionet.storage.import_stream.RowDigest`."""

    def prefix(self, table: str, names: list[str]) -> str:
        """What a row's text starts with."""

    def add_texts(self, texts: Iterable[bytes]) -> None:
        """Add rows given as their texts in UTF-8."""

__all__ = ["FAST", "FORK_ROWS", "TieColumns", "plain_file", "sweep_scratch", "two_processes"]

_T = TypeVar("_T")
_R = TypeVar("_R")

#: Switch for the columnar path (tests turn it off to compare with the row-by-row path).
FAST = True
#: The clean rows from which half of them are staged in a second process
#: (:func:`two_processes`); fewer are staged faster than a fork and a scratch file pay off.
FORK_ROWS = 100_000
_log = logging.getLogger(__name__)

_BOM = b"\xef\xbb\xbf"
#: A cell the row reader changes: surrounding white space (what ``str.strip`` removes) or a
#: spreadsheet-formula apostrophe.
_DOUBTFUL = r"^[\s\pZ]|[\s\pZ]$|^'+[=+\-@\t\r]"
#: A character the CSV reader refuses in a file (:data:`regionet.io.csv_format.CONTROL`).
_CONTROL = r"[\x{00}-\x{08}\x{0b}\x{0c}\x{0e}-\x{1f}\x{7f}-\x{9f}]"
#: The bytes of :data:`_CONTROL`'s one-byte characters (C0 controls but TAB, LF, CR; DEL).
_C0_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
#: :data:`_CONTROL`'s C1 controls (U+0080–U+009F) in UTF-8.
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
#: Bytes screened at a time for control characters.
_BLOCK = 1 << 24
#: An id cell the lookalike screen passes without a look (printable ASCII).
_PLAIN = r"^[\x{20}-\x{7e}]*$"
#: The cells staging reads per row: a tie's key and parties, then its texts.
_KEY_CELLS = ("id", "actors", "location")
_TEXT_CELLS = ("kind", "unit", "description", "note")
#: The columns :meth:`TieColumns.stage` reads (the others are coded once screened).
_STAGED = frozenset((*_KEY_CELLS, *_TEXT_CELLS))
#: The most parties of a tie whose shape is found in bulk (more: classified one by one).
_SHAPE_PARTIES = 4

def plain_file(raw: bytes, required: Sequence[str], optional: Sequence[str]
               ) -> list[str] | None:
    """Return the header of a CSV file the columnar path may read, or None.

    Plain means: no double quote, no blank line, carriage returns only before line feeds,
    at least one data row, and a header of distinct known columns with every required one.
    """
    at = len(_BOM) if raw.startswith(_BOM) else 0  # offsets, not a copy of a large file
    if (raw.find(b'"', at) >= 0 or raw.find(b"\n\n", at) >= 0 or raw.find(b"\n\r\n", at) >= 0
            or raw[at:at + 1] in (b"", b"\n", b"\r")
            or raw.count(b"\r", at) != raw.count(b"\r\n", at)):
        return None
    end = raw.find(b"\n", at)
    if end < 0 or end + 1 >= len(raw):
        return None
    try:
        names = raw[at:end].rstrip(b"\r").decode("ascii").split(",")
    except UnicodeDecodeError:
        return None
    known = {*required, *optional}
    if len(set(names)) != len(names) or not set(names) <= known or not set(required) <= set(
            names):
        return None
    return names


def two_processes(staging: Staging, rows: int) -> bool:
    """Whether :meth:`TieColumns.stage` stages half of ``rows`` clean rows in a second process.

    On SQLite only (PostgreSQL stages in one process), where ``os.fork`` exists, with two or
    more cores to run on (:func:`~regionet.core.cores.usable_cores`) and at least
    :data:`FORK_ROWS` rows.
    """
    return (rows >= max(FORK_ROWS, 2) and staging.conn.dialect.name == "sqlite" and can_fork()
            and usable_cores() >= 2)


#: A scratch file's name: the process that made it, then mkstemp's random part.
_SCRATCH = re.compile(r"regionet-stage-(\d+)-[^/]*\.db")


def sweep_scratch(folder: str | None = None, *, older_than: float = 600.0) -> list[str]:
    """Remove the scratch files of processes that no longer exist; return their names.

    An import killed outright (``kill -9``) cannot remove its scratch file (``scratch_file``);
    a later import does. A file is left alone while the process named in it runs (an import
    going on), when it changed less than ``older_than`` seconds ago (a process of another PID
    namespace sharing the folder may be writing it), and when it is not named like a scratch
    file.
    """
    folder = folder or tempfile.gettempdir()
    removed = []
    now = time.time()
    with suppress(OSError):
        for name in os.listdir(folder):
            found = _SCRATCH.fullmatch(name)
            if not found or alive(int(found.group(1))):  # this process's too
                continue
            path = os.path.join(folder, name)
            with suppress(FileNotFoundError):
                if now - os.stat(path).st_mtime >= older_than:
                    os.remove(path)
                    removed.append(name)
    return sorted(removed)


@contextmanager
def scratch_file() -> Iterator[str]:
    """The path of a new, empty scratch file, removed when the block ends (whatever happens).

    In the folder of temporary files (``TMPDIR``), where SQLite puts its own, named after this
    process; scratch files left by processes that were killed are removed first
    (:func:`sweep_scratch`).

    Examples:
        >>> with scratch_file() as path:
        ...     os.path.getsize(path), f"-{os.getpid()}-" in path
        (0, True)
        >>> os.path.exists(path)
        False
    """
    sweep_scratch()
    handle, path = tempfile.mkstemp(prefix=f"regionet-stage-{os.getpid()}-", suffix=".db")
    os.close(handle)
    try:
        yield path
    finally:
        with suppress(FileNotFoundError):
            os.remove(path)


def _has_control(body: memoryview | bytes) -> bool:
    r"""Whether UTF-8 text has a character of :data:`_CONTROL` (a control other than TAB, LF, CR).

    On the bytes, a block at a time: a C0 control or DEL is its own byte, a C1 control
    (U+0080–U+009F) the two bytes ``C2 80``–``C2 9F`` (``C2`` only ever leads a character).

    Examples:
        >>> _has_control("a,b\tc\r\nd".encode()), _has_control("x\x07".encode())
        (False, True)
        >>> _has_control("é ¡ \u0085".encode()), _has_control("é ¡".encode())
        (True, False)
    """
    data = memoryview(body)
    for at in range(0, len(data), _BLOCK):
        block = bytes(data[at:at + _BLOCK + 1])  # one byte more: a C2 at a block's end
        if len(block.translate(None, _C0_BYTES)) != len(block) or _C1_UTF8.search(block):
            return True
    return False


def _each(work: Callable[[_T], _R], items: Sequence[_T]) -> Iterator[_R]:
    """``map(work, items)``, in two threads when a core is spare (Arrow's kernels free the GIL).

    Examples:
        >>> list(_each(lambda x: x * 2, [1, 2, 3]))
        [2, 4, 6]
    """
    if len(items) < 2 or not spare_core():
        return map(work, items)
    with ThreadPoolExecutor(2) as pool:
        return iter(list(pool.map(work, items)))


def _flags(mask: pa.ChunkedArray | pa.Array) -> np.ndarray[Any, Any]:
    return np.asarray(pc.fill_null(mask, True).to_numpy(zero_copy_only=False), dtype=bool)


def _codes(column: pa.ChunkedArray) -> tuple[list[str], np.ndarray[Any, Any]]:
    """The distinct values of a column and, per row, the index of its value."""
    encoded = pc.dictionary_encode(column).combine_chunks()
    return (encoded.dictionary.to_pylist(),
            np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int32))


class TieColumns:
    """A plain CSV file of ties, read as columns and screened in bulk (see the module).

    Made by :meth:`open`; :meth:`spans` gives the chunks, :meth:`stage` stages a clean one
    and :meth:`rows_of` gives any chunk as the row reader's rows; :meth:`close` frees it.
    """

    def __init__(self, table: pa.Table, names: list[str], schema: TableSchema,
                 catalog: Catalog, fed: Federation) -> None:
        self.rows = table.num_rows
        self.names = names
        self.optional = [c for c in schema.optional if c not in names]
        self.catalog = catalog
        self.fed = fed
        n = table.num_rows
        empty = pa.array([""] * n, pa.string())
        self.columns: dict[str, pa.ChunkedArray] = {
            c: (table.column(c) if c in names else pa.chunked_array([empty]))
            for c in (*schema.required, *schema.optional)}
        self.doubt = np.zeros(n, dtype=bool)
        self.clean = np.zeros(n, dtype=bool)  # rows of the chunks that passed the screen
        self._shapes = ShapeClassifier(fed)
        self._lists: tuple[Staging, np.ndarray[Any, Any], np.ndarray[Any, Any]] | None = None
        self._tokens: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], list[str]] | None = None
        self._screen()

    @classmethod
    def open(cls, path: Path, schema: TableSchema, catalog: Catalog, fed: Federation,
             screens: Mapping[str, IdScreen]) -> TieColumns | None:
        """Read ``path`` as columns if it is a plain CSV file (else None: read it row by row)."""
        kinds = set(ID_COLUMNS["ties"].values())
        if path.suffix.lower() != ".csv" or not all(
                screens[k].plain_only for k in kinds if k in screens):
            return None
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        names = plain_file(raw, schema.required, schema.optional)
        if names is None:
            return None
        return_large_blocks()  # NumPy's freed temporaries leave the process (core/heap.py)
        body = memoryview(raw)[len(_BOM) if raw.startswith(_BOM) else 0:]
        try:
            table = pacsv.read_csv(
                pa.py_buffer(body),
                read_options=pacsv.ReadOptions(block_size=1 << 22, use_threads=spare_core()),
                parse_options=pacsv.ParseOptions(quote_char=False, double_quote=False,
                                                 newlines_in_values=False,
                                                 ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in names}, null_values=[],
                    strings_can_be_null=False, quoted_strings_can_be_null=False))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None  # ragged rows, bad UTF-8…: the row reader names the fault
        if table.num_rows == 0 or table.column_names != names:
            return None
        if _has_control(body):  # faults of the file: the row reader names the first one
            return None
        for name in names:
            col = table.column(name)
            if (pc.max(pc.binary_length(col)).as_py() > FIELD_LIMIT  # bytes >= characters
                    and _flags(pc.greater(pc.utf8_length(col), FIELD_LIMIT)).any()):
                return None
        del body, raw  # the columns are copies: free the file's bytes before the screen
        for name in names:  # one chunk each: a take across many chunks concatenates them
            column = table.column(name).combine_chunks()
            table = table.drop_columns([name]).append_column(name, column)  # frees the blocks
        return cls(table, names, schema, catalog, fed)

    # -- the bulk screen ---------------------------------------------------------------

    def _screen(self) -> None:
        cols = self.columns
        doubt = self.doubt
        tests = [(name, _DOUBTFUL, False) for name in self.names] + [
            (name, _PLAIN, True) for name in ID_COLUMNS["ties"]]
        for flags in _each(lambda t: _flags(pc.match_substring_regex(cols[t[0]], t[1])) ^ t[2],
                           tests):
            doubt |= flags
        doubt |= _flags(pc.equal(cols["id"], ""))
        vocab = self.catalog.vocab
        kinds = sorted(k for k in vocab.tie_kinds if k != MEMBERSHIP)
        doubt |= ~_flags(pc.is_in(cols["kind"], value_set=pa.array(kinds, pa.string())))
        # actors and locations: known to the catalog, in the form of an actor id
        parties = set(pc.unique(pc.list_flatten(pc.split_pattern(cols["actors"], ";")))
                      .to_pylist())
        places = set(pc.unique(cols["location"]).to_pylist()) - {""}
        lookup = self.catalog.actors
        load = getattr(lookup, "load", None)
        if load is not None:
            load({i for i in parties | places if i and _known_actor(i) == i})
        known = {i for i in parties | places if i and _known_actor(i) == i and i in lookup}
        # each party's validity as the index of a distinct validity (a few hundred at most)
        spans: dict[Any, int] = {}
        self.validities = {i: spans.setdefault(lookup[i].validity, len(spans))
                           for i in known}
        self.validity_list = list(spans)
        self._flag_list(cols["actors"], known, allow_empty=False)
        doubt |= ~(_flags(pc.is_in(cols["location"], value_set=pa.array(
            sorted(known), pa.string()))) | _flags(pc.equal(cols["location"], "")))
        self._flag_list(cols["domains"], set(vocab.domains), allow_empty=True)
        # distinct values through the row parser's own functions
        self.sources, codes = _codes(cols["sources"])
        self.source_refs: list[list[tuple[str, str]] | None] = []
        for text in self.sources:
            refs = _known_sources(text)
            ok = bool(refs) and all(r.document in self.catalog.documents for r in refs or ())
            self.source_refs.append([(r.document, r.locator) for r in refs or ()] if ok
                                    else None)
        self.source_code = codes
        self._flag_codes(codes, [r is None for r in self.source_refs])
        self.domain_lists, self.domain_code = _codes(cols["domains"])
        statuses, codes = _codes(cols["status"])
        self.statuses = [_status(s) for s in statuses]
        self.status_code = codes
        self._flag_codes(codes, [s is None for s in self.statuses])
        quantities, codes = _codes(cols["quantity"])
        self.quantities = [_quantity(q) for q in quantities]
        self.quantity_code = codes
        self._flag_codes(codes, [q is False for q in self.quantities])
        pairs, codes = _codes(pc.binary_join_element_wise(cols["start"], cols["end"], "\x1f"))
        self.intervals = [_known_interval(*p.split("\x1f")) for p in pairs]
        self.interval_code = codes
        self._flag_codes(codes, [i is None for i in self.intervals])
        self.dates = [None if i is None else (
            i.start.isoformat() if i.start else None, i.start_text,
            i.end.isoformat() if i.end else None, i.end_text) for i in self.intervals]
        money, codes = _codes(pc.binary_join_element_wise(
            cols["amount"], cols["currency"], cols["amount_year"], cols["start"], cols["end"],
            "\x1f"))
        rests: dict[str, tuple[str, int] | None] = {}
        self.money = [_money(m, rests) for m in money]
        self.money_code = codes
        self._flag_codes(codes, [m is False for m in self.money])
        self._flag_parties(cols["actors"])

    def _flag_parties(self, col: pa.ChunkedArray) -> None:
        """Flag rows of fewer than two parties, a repeated party, or dates outside a party's.

        In bulk: each distinct (party validity, tie dates) pair is tested once. Rows already
        doubtful (an unknown party, bad dates) are left as they are.
        """
        lists = pc.split_pattern(col, ";")
        lengths = np.asarray(pc.list_value_length(lists).to_numpy(zero_copy_only=False))
        self.doubt |= lengths < 2
        names, codes = _codes(pc.list_flatten(lists))
        parents = np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False))
        order = np.lexsort((codes, parents))
        row, party = parents[order], codes[order]
        del order
        repeated = (row[1:] == row[:-1]) & (party[1:] == party[:-1])
        self.doubt[row[1:][repeated]] = True
        del row, party, repeated
        # kept for the bulk classification (:meth:`_shapes_of`): each row's parties as codes
        self.party_names = names
        self.party_codes = codes
        self.party_offsets = np.concatenate(([0], np.cumsum(lengths)))
        validity = np.asarray([self.validities.get(n, -1) for n in names], dtype=np.int64)
        pairs = validity[codes] * len(self.intervals) + self.interval_code[parents]
        pairs[(validity[codes] < 0) | self.doubt[parents]] = -1  # unknown party, bad dates
        outside = []
        for pair in np.unique(pairs).tolist():
            if pair < 0:
                continue
            span, dates = divmod(pair, len(self.intervals))
            interval = self.intervals[dates]
            if interval is None or not interval.within(self.validity_list[span]):
                outside.append(pair)
        if outside:
            self.doubt[parents[np.isin(pairs, outside)]] = True

    def _flag_list(self, col: pa.ChunkedArray, good: set[str], *, allow_empty: bool) -> None:
        lists = pc.split_pattern(col, ";")
        flat = pc.list_flatten(lists)
        parents = np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False))
        bad = ~_flags(pc.is_in(flat, value_set=pa.array(sorted(good), pa.string())))
        rows = np.zeros(len(self.doubt), dtype=bool)
        rows[parents[bad]] = True
        if allow_empty:
            rows &= ~_flags(pc.equal(col, ""))
        self.doubt |= rows

    def _flag_codes(self, codes: np.ndarray[Any, Any], bad: list[bool]) -> None:
        if any(bad):
            self.doubt |= np.asarray(bad, dtype=bool)[codes]

    # -- chunks --------------------------------------------------------------------------

    def spans(self, size: int) -> Iterator[tuple[int, int]]:
        """Yield ``(first, end)`` row offsets of chunks of ``size`` rows."""
        for first in range(0, self.rows, size):
            yield first, min(first + size, self.rows)

    def _cells(self, rows: slice | np.ndarray[Any, Any], names: Sequence[str]
               ) -> list[list[str]]:
        """The cells of columns ``names`` at ``rows`` (a slice, or offsets in any order)."""
        if isinstance(rows, slice):
            return [self.columns[c].slice(rows.start, rows.stop - rows.start).to_pylist()
                    for c in names]
        at = pa.array(rows, pa.int64())
        return [self.columns[c].take(at).to_pylist() for c in names]

    def rows_of(self, first: int, end: int) -> list[tuple[int, dict[str, str]]]:
        """The chunk as the row reader reads it: ``(row_number, row)`` pairs."""
        cells = self._cells(slice(first, end), self.names)
        out = []
        for offset, values in enumerate(zip(*cells, strict=True)):
            row = {c: restore_formula(v.strip()) for c, v in zip(self.names, values,
                                                                 strict=True)}
            for c in self.optional:
                row[c] = ""
            out.append((first + offset + 1, row))
        return out

    def check(self, first: int, end: int, index: int, staging: Staging, digest: RowDigest
              ) -> bool:
        """Take a chunk's keys and digest if it is clean; its rows wait for :meth:`stage`.

        Returns:
            False (and nothing done) when the chunk needs the row-by-row checker.
        """
        if self.doubt[first:end].any():
            return False
        self.clean[first:end] = True
        staging.key_run(self.columns["id"].slice(first, end - first).to_pylist(), index,
                        first + 1)
        names = sorted(self.columns)  # each row's text joined by Arrow (RowDigest.prefix)
        texts = pc.binary_join_element_wise(
            digest.prefix("ties", names)[:-1],
            *(self.columns[c].slice(first, end - first) for c in names), "\x1f")
        digest.add_texts(texts.cast(pa.binary()).to_pylist())
        return True

    def stage(self, staging: Staging, size: int) -> None:
        """Stage the rows of the clean chunks in the order of their ids, ``size`` at a time.

        Staged in key order, they are copied into the workspace without a sort
        (:meth:`Staging.copy`). With many clean rows on SQLite and two cores
        (:func:`two_processes`) the second half of them (by id) is staged by a forked child
        process (:class:`~regionet.core.forked.Forked`) into a scratch file
        (:func:`~regionet.storage.staging.scratch_staging`) while this process stages the
        first half; the file is then attached to the import's connection as a second part
        (:meth:`Staging.attach`) and its name removed at once (SQLite keeps it open). If the
        child fails, this process stages the second half itself: the same rows, slower.
        Before it forks it lets go of what staging does not read (:meth:`_drop_screened`).
        """
        order = np.asarray(pc.sort_indices(self.columns["id"]).to_numpy(zero_copy_only=False))
        order = order[self.clean[order]]
        if not two_processes(staging, len(order)):
            self._stage_order(staging, order, size)
            return
        half = len(order) // 2
        # once, before the fork, for both processes: neither then touches (copies) the
        # file's millions of distinct values (each a Python object, whose count a read
        # changes), and the child stages none (its part is decoded with these)
        self.party_tokens()
        self._prepare(staging)
        self._drop_screened()
        # Arrow's freed memory back to the system: reused after the fork, each process
        # would copy it (measured at 10⁶ ties: 938 → 910 MB of both processes' PSS)
        pa.default_memory_pool().release_unused()
        with scratch_file() as path:
            child = Forked.start(lambda: self._stage_part(path, staging.suffix, order[half:],
                                                          size))
            try:
                self._stage_order(staging, order[:half], size)
            except BaseException:
                child.stop()
                raise
            summary = child.wait()
            if summary is None:  # the same rows, staged here (slower)
                _log.warning("staging in a second process failed; staged here instead:\n%s",
                             child.error)
                self._stage_order(staging, order[half:], size)
            else:
                staging.attach(path, summary)

    def _drop_screened(self) -> None:
        """Let go of what only the screen read, so that neither process holds it after a fork.

        The columns that staging does not read (all but :data:`_STAGED`), and the distinct
        money and dates (staged already by :meth:`_prepare`).
        """
        self.columns = {c: v for c, v in self.columns.items() if c in _STAGED}
        self.money, self.dates = [], []

    def _stage_part(self, path: str, suffix: str, order: np.ndarray[Any, Any], size: int
                    ) -> dict[str, Any]:
        """Stage the rows at ``order`` into the scratch file ``path`` (in a second process).

        Returns the staging's summary (:meth:`Staging.summary`) for :meth:`Staging.attach`.
        """
        with scratch_staging(path, suffix) as part:
            self._prepare(part, values=False)
            self._stage_order(part, order, size)
        return part.summary()

    def _stage_order(self, staging: Staging, order: np.ndarray[Any, Any], size: int) -> None:
        """Stage the clean rows at offsets ``order`` (in key order), ``size`` at a time."""
        levels = _Levels(self, order)
        for start in range(0, len(order), size):
            rows = order[start:start + size]
            ids, actors, places = self._cells(rows, _KEY_CELLS)
            party_lists = [text.split(";") for text in actors]
            self._stage_rows(rows, staging, ids, places, party_lists,
                             levels.columns(start, start + len(rows), party_lists, places))

    def _stage_rows(self, rows: np.ndarray[Any, Any], staging: Staging, ids: list[str],
                    places: list[str], party_lists: list[list[str]],
                    levels: list[list[Any]]) -> None:
        """Stage clean ties (at offsets ``rows``) as coded rows built column by column.

        A tie is one row (:meth:`Staging.add_coded`): its dates, money, quantity, status and
        level columns as the numbers of their distinct values (staged once each,
        :meth:`_stage_values`), its parties (up to
        :data:`~regionet.storage.staging.PACKED_PARTIES`), domains and sources packed (see
        :meth:`Staging.add_lists`); a tie with more parties stages them in ``tie_actors``.
        """
        kinds, units, texts, notes = self._cells(rows, _TEXT_CELLS)
        if self._lists is None or self._lists[0] is not staging:
            self._prepare(staging)
        assert self._lists is not None
        _, domain_numbers, source_numbers = self._lists
        level, sublevel, reason, neighbours = levels
        known = self._level_codes
        new: list[tuple[Any, ...]] = []
        level_codes: list[int] = []
        for key in zip(level, sublevel, neighbours, strict=True):
            code = known.get(key)
            if code is None:
                code = known[key] = len(known)
                new.append((code, *key))
            level_codes.append(code)
        staging.add_values("levels", new)
        pad = [""] * PACKED_PARTIES
        packed: list[list[str]] = []
        links: list[tuple[str, int, str]] = []
        for tie_id, names in zip(ids, party_lists, strict=True):
            if len(names) > PACKED_PARTIES:
                links.extend((tie_id, i, a) for i, a in enumerate(names))
                packed.append(pad)
            else:
                packed.append([*names, *pad[len(names):]])
        staging.add_coded(list(zip(
            ids, kinds, self.interval_code[rows].tolist(), self.money_code[rows].tolist(),
            self.quantity_code[rows].tolist(), units, places, texts,
            self.status_code[rows].tolist(), notes, level_codes, reason,
            domain_numbers[self.domain_code[rows]].tolist(),
            source_numbers[self.source_code[rows]].tolist(), *zip(*packed, strict=True),
            strict=True)))
        staging.add_tuples("tie_actors", ("tie_id", "position", "actor_id"), links)

    def _prepare(self, staging: Staging, *, values: bool = True) -> None:
        """Stage the file's lists of domains and of sources, and (``values``) its values.

        A second process's part (:meth:`_stage_part`) stages no values of its own: its
        coded ties are decoded with the first part's (:meth:`Staging.attach`).
        """
        domains = staging.add_lists([[(d, "") for d in text.split(";")] if text else []
                                     for text in self.domain_lists])
        sources = staging.add_lists([refs or [] for refs in self.source_refs])
        self._lists = (staging, np.asarray(domains, dtype=np.int64),
                       np.asarray(sources, dtype=np.int64))
        if values:
            self._stage_values(staging)
        self._level_codes: dict[tuple[Any, ...], int] = {}

    def _stage_values(self, staging: Staging) -> None:
        """Stage the distinct dates, money, quantities and statuses of the file, by code.

        The values a clean row cannot have (refused by the screen) are left out.
        """
        staging.add_values("dates", [(code, *d) for code, d in enumerate(self.dates)
                                     if d is not None])
        none = (None, None, None)
        staging.add_values("money", [(code, *(m if isinstance(m, tuple) else none))
                                     for code, m in enumerate(self.money) if m is not False])
        staging.add_values("quantity", [(code, q) for code, q in enumerate(self.quantities)
                                        if q is not False])
        staging.add_values("status", [(code, s) for code, s in enumerate(self.statuses)
                                      if s is not None])

    def party_tokens(self) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], list[str]]:
        """The classifier's token number, association flag and English name of each party.

        Per party code (one more, -1 / False, for none), of the parties of clean rows;
        found on first use and kept: :meth:`stage` finds them before it forks, so both
        processes share them.
        """
        if self._tokens is not None:
            return self._tokens
        shapes = self._shapes
        offsets, codes = self.party_offsets, self.party_codes
        # the tokens of the parties of clean rows (all known actors), as numbers
        flat = codes[np.repeat(self.clean, np.diff(offsets))]
        token_numbers: dict[Any, int] = {}
        token_of = np.full(len(self.party_names) + 1, -1, dtype=np.int64)
        association = np.zeros(len(self.party_names) + 1, dtype=bool)
        english = [""] * len(self.party_names)
        for code in np.unique(flat).tolist():
            party = self.party_names[code]
            token, association[code] = shapes.token(party)
            token_of[code] = token_numbers.setdefault(token, len(token_numbers))
            english[code] = shapes.name(party)
        self._tokens = (token_of, association, english)
        return self._tokens

    def close(self) -> None:
        """Drop the columns and hand Arrow's freed memory back (before the write phase)."""
        self.columns = {}
        pa.default_memory_pool().release_unused()


class _Levels:
    """The level columns of the clean rows at ``order``, in bulk for templated shapes.

    Each row's shape (:meth:`ShapeClassifier.values <regionet.model.level_shapes.
    ShapeClassifier.values>`' key: its parties' tokens, its location, and its dates when a
    party is an association) is found with NumPy. The first two rows of each shape go
    through the classifier (which then templates the shape); the rows of a templated shape
    take its level columns and have their reasons joined from its
    :class:`~regionet.model.level_shapes.ReasonPattern` with Arrow; every other row (a
    shape seen once or refused, more than :data:`_SHAPE_PARTIES` parties) is classified
    one by one, as before.
    """

    def __init__(self, columns: TieColumns, order: np.ndarray[Any, Any]) -> None:
        self.tc = columns
        self.order = order
        self.shapes = columns._shapes
        offsets = columns.party_offsets
        codes = columns.party_codes
        first, lengths = offsets[order], offsets[order + 1] - offsets[order]
        token_of, association, self.english = columns.party_tokens()
        # the shape key, column by column, kept as one number per row (renumbered densely)
        bulk = lengths <= _SHAPE_PARTIES
        key = np.where(bulk, lengths, 0).astype(np.int64)
        with_association = np.zeros(len(order), dtype=bool)
        for i in range(_SHAPE_PARTIES):
            at = np.where(lengths > i, first + i, 0)
            party = np.where(lengths > i, codes[at], len(columns.party_names))
            with_association |= association[party]
            key = _combine(key, token_of[party])
        self.places, location = _codes(columns.columns["location"])
        self.location = location
        key = _combine(key, location[order].astype(np.int64))
        dates = np.where(with_association, columns.interval_code[order], -1)
        key = _combine(key, dates.astype(np.int64))
        key[~bulk] = -1
        self.shape = key
        # the classifier sees the first two rows of each shape, then gives its pattern
        self.known: dict[int, ClassificationValues] = {}  # rows classified meanwhile
        shapes_found = int(key.max()) + 1 if len(key) else 0
        firsts = np.full(shapes_found + 1, -1, dtype=np.int64)
        seconds = np.full(shapes_found + 1, -1, dtype=np.int64)
        self.patterns: list[ReasonPattern | None] = [None] * shapes_found
        positions = np.arange(len(key))[bulk]
        shape_of = key[bulk]
        firsts[shape_of[::-1]] = positions[::-1]  # the last write wins: the first row
        later = positions != firsts[shape_of]
        seconds[shape_of[later][::-1]] = positions[later][::-1]
        for shape in np.argsort(firsts[:shapes_found], kind="stable").tolist():
            pattern = None
            one = int(firsts[shape])
            if one >= 0:
                self.known[one] = self._values(one)
                two = int(seconds[shape])
                if two >= 0:
                    self.known[two] = self._values(two)
                    pattern = self.shapes.pattern(*self._tie(two))
            self.patterns[shape] = pattern
        self._build_tables()

    def _tie(self, at: int) -> tuple[list[str], str | None, Any]:
        """The parties, location and dates of the row at ``order[at]``."""
        row = int(self.order[at])
        tc = self.tc
        offsets = tc.party_offsets
        names = tc.party_names
        parties = [names[c] for c in tc.party_codes[offsets[row]:offsets[row + 1]].tolist()]
        place = self.places[self.location[row]]
        return parties, place or None, tc.intervals[tc.interval_code[row]]

    def _values(self, at: int) -> ClassificationValues:
        return self.shapes.values(*self._tie(at))

    def _build_tables(self) -> None:
        """Per shape (and one row more: no pattern), the pieces of the bulk join."""
        patterns = [*self.patterns, None]
        fields = max((len(p.positions) for p in patterns if p is not None), default=0)
        self.fields = fields
        self.literal_tables = [pa.array([p.literals[i] if p is not None and i < len(p.literals)
                                         else "" for p in patterns], pa.string())
                               for i in range(fields + 1)]
        self.field_positions = [np.asarray([p.positions[i] if p is not None
                                            and i < len(p.positions) else -1
                                            for p in patterns], dtype=np.int64)
                                for i in range(fields)]
        self.field_named = [np.asarray([p is not None and i < len(p.named) and p.named[i]
                                        for p in patterns], dtype=bool)
                            for i in range(fields)]
        self.patterned = np.asarray([p is not None for p in patterns], dtype=bool)
        self.level_columns = [_objects([p and p.level for p in patterns]),
                              _objects([p and p.sublevel for p in patterns]),
                              _objects([p and p.neighbours for p in patterns])]
        names = self.tc.party_names
        if fields:
            self.texts = pa.array([*names, *self.english, ""], pa.string())

    def columns(self, start: int, end: int, party_lists: list[list[str]],
                places: list[str]) -> list[list[Any]]:
        """Level, sublevel, reason and neighbours of the rows at ``order[start:end]``."""
        shape = self.shape[start:end]
        shape = np.where(shape < 0, len(self.patterns), shape)
        bulk = self.patterned[shape]
        level, sublevel, neighbours = (c[shape].tolist() for c in self.level_columns)
        if self.fields:
            rows = self.order[start:end]
            first = self.tc.party_offsets[rows]
            codes = self.tc.party_codes
            count = len(self.tc.party_names)
            pieces = [self.literal_tables[0].take(pa.array(shape))]
            for i in range(self.fields):
                where = self.field_positions[i][shape]
                ok = where >= 0
                at = np.where(ok, codes[np.where(ok, first + where, 0)]
                              + count * self.field_named[i][shape], 2 * count)
                pieces.append(self.texts.take(pa.array(at)))
                pieces.append(self.literal_tables[i + 1].take(pa.array(shape)))
            reason = pc.binary_join_element_wise(*pieces, "").to_pylist()
        else:
            reason = self.literal_tables[0].take(pa.array(shape)).to_pylist()
        interval = self.tc.interval_code[self.order[start:end]].tolist()
        intervals = self.tc.intervals
        for j in np.flatnonzero(~bulk).tolist():
            found = self.known.pop(start + j, None)
            if found is None:
                found = self.shapes.values(party_lists[j], places[j] or None,
                                           intervals[interval[j]])
            level[j], sublevel[j], reason[j], neighbours[j] = found
        return [level, sublevel, reason, neighbours]


def _combine(key: np.ndarray[Any, Any], column: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Number the distinct pairs of ``key`` and ``column`` (both small non-negative-ish ints)."""
    pairs = key * (int(column.max()) + 2 if len(column) else 1) + (column + 1)
    return np.unique(pairs, return_inverse=True)[1].reshape(-1).astype(np.int64)


def _objects(values: list[Any]) -> np.ndarray[Any, Any]:
    """A NumPy array of Python objects (taken by code, then turned back into a list)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _status(text: str) -> str | None:
    try:
        return parse_status(text or "verified").value
    except RegionetError:
        return None


def _quantity(text: str) -> float | bool | None:
    try:
        return _number({"quantity": text}, "quantity", None, None)
    except RegionetError:
        return False


def _money(key: str, rests: dict[str, tuple[str, int] | None] | None = None
           ) -> tuple[float, str, int] | bool | None:
    r"""A money key's ``(amount, currency, year)``, None without an amount, False if refused.

    ``parse_money`` checks the amount alone, then the currency and price year (with the
    dates) whatever the amount: amounts are nearly all distinct, so the currency, year and
    dates of ``rests`` are checked once each.

    Examples:
        >>> rests = {}
        >>> _money("5\x1fECU\x1f\x1f1998\x1f", rests), _money("7\x1fECU\x1f\x1f1998\x1f", rests)
        ((5.0, 'ECU', 1998), (7.0, 'ECU', 1998))
        >>> _money("\x1f\x1f\x1f\x1f", rests), _money("-1\x1fECU\x1f\x1f1998\x1f", rests)
        (None, False)
        >>> _money("5\x1fECU\x1f\x1f2004\x1f", rests), len(rests)  # no ECU after 1998
        (False, 2)
    """
    amount, rest = key.split("\x1f", 1)
    if amount == "":
        return None
    try:
        value = _number({"amount": amount}, "amount", None, None, minimum=0)
    except RegionetError:
        return False
    if rests is None:
        rests = {}
    if rest not in rests:
        currency, year, start, end = rest.split("\x1f")
        try:  # "0" stands for any valid amount: what follows does not read it
            money = parse_money({"amount": "0", "currency": currency, "amount_year": year,
                                 "start": start, "end": end})
        except RegionetError:
            money = None
        rests[rest] = None if money is None else (money.currency, money.year)
    found = rests[rest]
    return False if found is None or value is None else (value, *found)
