"""The large tables of an import (ties, observations), checked in chunks as they stream.

Rows are read lazily (:func:`regionet.io.tables.iter_rows`), their id cells screened for
lookalike characters (:func:`regionet.io.lookalikes.screen_row`; a plain ASCII id costs a
lookup), parsed with the tables' own parsers, and checked with :mod:`regionet.model.validation`
in chunks of :data:`CHUNK` rows against the workspace merged with the batch's small tables
(actors are read with one SQL query per chunk). A valid tie gets its level classification
(with its location and dates); valid rows go to staging tables
(:class:`~regionet.storage.staging.Staging`) as long as the batch has no problem. Memory
stays bounded by a chunk, whatever the file's size.

Keys are checked afterwards, with SQL over the staged keys: a key already in the workspace,
or repeated in the batch, is reported, and (as for the small tables) only the first row of a
repeated key is validated: other problems of the repeated rows are not reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path
from typing import Any

from regionet.core.errors import InvalidValueError, RegionetError
from regionet.io.lookalikes import IdScreen, screen_row
from regionet.io.records import LIST_COLUMNS, TABLES
from regionet.io.tables import Row, iter_rows
from regionet.model.case import MEMBERSHIP, association_membership
from regionet.model.levels import Federation
from regionet.model.validation import Catalog, check_observation, check_tie
from regionet.storage import tie_columns
from regionet.storage.catalog import chunked
from regionet.storage.mapping import RowSet
from regionet.storage.staging import Staging

__all__ = ["CHUNK", "STREAMED_TABLES", "RowDigest", "StreamResult", "check_chunk",
           "stream_table"]

#: Rows checked and staged together.
CHUNK = 2000
#: The import tables that stream.
STREAMED_TABLES: tuple[str, ...] = ("ties", "observations")
_MOD = 1 << 128


class RowDigest:
    """An order-independent digest of the rows of a batch (a sum of row hashes).

    The same rows in any order, in any files, give the same digest.

    Examples:
        >>> a, b = RowDigest(), RowDigest()
        >>> a.add("ties", {"id": "t-1", "kind": "loan"}); a.add("ties", {"id": "t-2"})
        >>> b.add("ties", {"id": "t-2"}); b.add("ties", {"kind": "loan", "id": "t-1"})
        >>> a.hexdigest() == b.hexdigest()
        True
    """

    def __init__(self) -> None:
        self.total = 0
        self.rows = 0
        self._columns: dict[tuple[str, ...], list[str]] = {}

    def add(self, table: str, row: Row) -> None:
        """Add one raw row of ``table``."""
        names = tuple(row)
        columns = self._columns.get(names)
        if columns is None:
            columns = self._columns[names] = sorted(names)
        self.add_texts([(self.prefix(table, columns) + "\x1f".join([row[k] for k in columns])
                         ).encode("utf-8")])

    def add_columns(self, table: str, columns: Mapping[str, list[str]]) -> None:
        """Add the rows of ``table`` given as columns (equal-length lists of cells).

        Examples:
            >>> a, b = RowDigest(), RowDigest()
            >>> a.add("ties", {"id": "t-1", "kind": "loan"})
            >>> b.add_columns("ties", {"kind": ["loan"], "id": ["t-1"]})
            >>> a.hexdigest() == b.hexdigest()
            True
        """
        names = sorted(columns)
        prefix = self.prefix(table, names)
        self.add_texts((prefix + "\x1f".join(values)).encode("utf-8")
                       for values in zip(*(columns[c] for c in names), strict=True))

    @staticmethod
    def prefix(table: str, names: list[str]) -> str:
        r"""What a row's text starts with: the table and its columns, sorted (``names``).

        A row's text is this followed by its cells in the order of ``names``, all joined by
        ``\x1f`` (:meth:`add_texts`).

        Examples:
            >>> RowDigest.prefix("ties", ["id", "kind"]).split("\x1f")
            ['ties', 'id', 'kind', '']
        """
        return "\x1f".join([table, *names]) + "\x1f"

    def add_texts(self, texts: Iterable[bytes]) -> None:
        r"""Add rows given as their texts in UTF-8 (see :meth:`prefix`), e.g. joined by Arrow.

        Examples:
            >>> a, b = RowDigest(), RowDigest()
            >>> a.add("ties", {"kind": "loan", "id": "t-1"})
            >>> b.add_texts([(RowDigest.prefix("ties", ["id", "kind"]) + "t-1\x1floan").encode()])
            >>> a.hexdigest() == b.hexdigest()
            True
        """
        total = self.total
        count = 0
        for text in texts:
            total += int.from_bytes(blake2b(text, digest_size=16).digest(), "big")
            count += 1
        self.total = total
        self.rows += count

    def hexdigest(self) -> str:
        """Return the digest as hex text."""
        return f"{self.total % _MOD:032x}-{self.rows}"


@dataclass
class StreamResult:
    """What streaming one table's files found.

    Attributes:
        row_errors: problems of parsed rows, by (file index, row number).
        other_errors: problems of whole files and rows that could not be parsed.
        rows_per_file: rows read per file index.
        memberships: whether a valid row makes a subject a member of an association (the
            classifier reads those: ties with associations are classified again once written).
    """

    row_errors: dict[tuple[int, int], list[RegionetError]] = field(default_factory=dict)
    other_errors: list[tuple[int, RegionetError]] = field(default_factory=list)
    rows_per_file: dict[int, int] = field(default_factory=dict)
    limit: int = 10_000
    unlisted: int = 0
    memberships: bool = False

    def add_row_errors(self, where: tuple[int, int], problems: list[RegionetError]) -> None:
        """Keep a row's problems (past ``limit`` kept, only counted: memory stays bounded)."""
        if len(self.row_errors) + len(self.other_errors) < self.limit:
            self.row_errors[where] = problems
        else:
            self.unlisted += len(problems)

    def add_error(self, index: int, error: RegionetError) -> None:
        """Keep a problem of a file or of a row that could not be parsed (or count it)."""
        if len(self.row_errors) + len(self.other_errors) < self.limit:
            self.other_errors.append((index, error))
        else:
            self.unlisted += 1

    @property
    def failed(self) -> bool:
        """True when any problem was found."""
        return bool(self.row_errors or self.other_errors or self.unlisted)


def stream_table(table: str, files: list[tuple[int, Path]], catalog: Catalog,
                 fed: Federation, screens: Mapping[str, IdScreen], staging: Staging,
                 digest: RowDigest, failed: Callable[[], bool], result: StreamResult) -> None:
    """Screen, parse, check, classify and stage every row of ``files`` (all feeding ``table``).

    A clean CSV file of ties takes the columnar path (:mod:`regionet.storage.tie_columns`):
    its chunks that pass the bulk screen need no row-by-row check, and once the whole file
    is checked (and the batch has no problem) their rows are staged in the order of their
    ids; any other chunk, and every other file, goes row by row (:func:`check_chunk`), which
    alone words the problems.

    Args:
        table: ``ties`` or ``observations``.
        files: (file index, path) pairs.
        catalog: actors, documents and vocabularies (workspace merged with the batch).
        fed: the classifier's federation (ties only).
        screens: the lookalike screen of each kind of id.
        staging: where keys and valid rows go.
        digest: the batch's row digest, updated with every row.
        failed: whether the batch already has a problem (then rows are checked, not staged).
        result: collects problems and row counts.
    """
    schema = TABLES[table]
    for index, path in files:
        if table == "ties" and tie_columns.FAST:
            columns = tie_columns.TieColumns.open(path, schema, catalog, fed, screens)
            if columns is not None:
                result.rows_per_file[index] = columns.rows
                for first, end in columns.spans(CHUNK):
                    if not columns.check(first, end, index, staging, digest):
                        check_chunk(table, index, path.name, columns.rows_of(first, end),
                                    catalog, fed, screens, staging, digest, failed, result)
                if not failed() and not result.failed:
                    columns.stage(staging, CHUNK)
                columns.close()
                continue
        try:
            stream = iter_rows(path, schema.required, schema.optional, lists=LIST_COLUMNS)
        except RegionetError as err:
            result.add_error(index, err)
            continue
        count = 0
        try:
            for chunk_rows in chunked(stream, CHUNK):
                count += len(chunk_rows)
                check_chunk(table, index, path.name, chunk_rows, catalog, fed, screens,
                            staging, digest, failed, result)
        except RegionetError as err:
            result.add_error(index, err)
        result.rows_per_file[index] = count


def check_chunk(table: str, index: int, name: str, chunk: list[tuple[int, Row]],
                catalog: Catalog, fed: Federation, screens: Mapping[str, IdScreen],
                staging: Staging, digest: RowDigest, failed: Callable[[], bool],
                result: StreamResult) -> None:
    """Screen, parse, check, classify and stage the rows of one chunk, row by row.

    The one place the problems of a streamed row are found and worded.
    """
    schema = TABLES[table]
    lookup = catalog.actors
    load = getattr(lookup, "load", None)
    parsed: list[tuple[int, Any]] = []
    keys: list[tuple[str, int, int]] = []
    for number, row in chunk:
        digest.add(table, row)
        screened = screen_row(screens, table, row, file=name, row_number=number)
        if screened:  # the parser would only add a vaguer error about the same id
            for problem in screened:
                result.add_error(index, problem)
            continue
        try:
            record = schema.parse(row, file=name, row_number=number)
        except RegionetError as err:
            result.add_error(index, err)
            continue
        parsed.append((number, record))
        keys.append((str(record.id), index, number))
    staging.keys(keys)
    if load is not None:
        load(_actor_ids(table, [r for _, r in parsed]))
    rows = RowSet()
    for number, record in parsed:
        problems = (check_tie(record, catalog, file=name, row=number)
                    if table == "ties" else
                    check_observation(record, catalog, file=name, row=number))
        if problems:
            result.add_row_errors((index, number), problems)
        elif not failed() and not result.failed:
            if table == "ties":
                rows.add_tie(record, fed.classify(
                    record.actors, location=record.location, period=record.validity))
                if record.kind == MEMBERSHIP and association_membership(
                        record.kind, record.actors, lookup):
                    result.memberships = True
            else:
                rows.add_observation(record)
    if not failed() and not result.failed:
        staging.add(rows.rows)


def _actor_ids(table: str, records: list[Any]) -> set[str]:
    ids: set[str] = set()
    if table == "ties":
        for t in records:
            ids.update(t.actors)
            if t.location is not None:
                ids.add(t.location)
    else:
        ids.update(o.subject for o in records)
    return ids


def duplicate_error(table: str, key: str, file: str, row: int, first: tuple[str, int] | None
                    ) -> InvalidValueError:
    """The problem of a row whose key is stored (``first`` None) or earlier in the batch."""
    where = ("already in the workspace" if first is None
             else f"duplicate in the batch (first in {first[0]}, row {first[1]})")
    return InvalidValueError(where, file=file, row=row, field="id", value=key,
                             expected="a id not yet used (import only adds records)")
