"""Staging tables of an import: rows checked in Python wait here, then are copied in key order.

An import parses and checks its large tables (ties, observations) row by row and appends the
rows it will write to temporary tables of its own connection (no index, nothing locked:
SQLite keeps temporary tables in a separate file). Once the batch is valid, the write
transaction checks keys against the workspace with SQL (:func:`duplicates`) and copies the
staged rows into the workspace sorted by key (:meth:`Staging.copy`), so that every index is
written in order; rows staged in key order already (the columnar path's) are copied as they
are, without a sort. The columnar path stages each tie as one *coded* row (:meth:`Staging.
add_coded`: numbers for its few-valued columns, no ``NULL``), which the copy decodes with SQL.
Every staged row also leaves its key, file and row number in a key table, valid or not, for
the duplicate checks.

Examples:
    >>> import sqlalchemy as sa
    >>> from regionet.storage.schema import create_schema
    >>> engine = sa.create_engine("sqlite://")
    >>> with engine.begin() as conn:
    ...     create_schema(conn)
    ...     stage = Staging(conn, "ties")
    ...     stage.keys([("t-1", 0, 1), ("t-1", 0, 2)])
    ...     [(d.row, d.first) for d in stage.duplicates()]
    [(2, (0, 1))]
"""

from __future__ import annotations

import itertools
import json
import operator
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from regionet.storage import mapping
from regionet.storage.schema import METADATA

__all__ = ["CODED_COLUMNS", "PACKED_PARTIES", "SORT_CACHE_BYTES", "STAGED_TABLES", "Duplicate",
           "Staging", "scratch_staging"]

#: The workspace tables each streamed import table writes, in insert order.
STAGED_TABLES: Mapping[str, tuple[str, ...]] = {
    "ties": ("ties", "tie_actors", "tie_domains", "sources"),
    "observations": ("observations", "sources"),
}
_KEY_COLUMN = {"ties": "id", "observations": "id"}
#: Parties a coded tie carries in its own row (``party_0`` …, ``""`` for none): the columnar
#: path stages a tie's parties, domains and sources in the tie's row and the copy expands them
#: with SQL.
PACKED_PARTIES = 4
#: The tables whose rows a coded tie packs (expanded by :meth:`Staging.copy`).
_PACKED = ("tie_actors", "tie_domains", "sources")
#: The columns of ``ties`` that a coded tie holds as the number of a row of a small table of
#: distinct values, by family (the family names the coded row's column and the table).
_CODED_VALUES: Mapping[str, tuple[str, ...]] = {
    "dates": ("start_date", "start_text", "end_date", "end_text"),
    "money": ("amount", "currency", "amount_year"),
    "quantity": ("quantity",),
    "status": ("status",),
    "levels": ("level", "sublevel", "neighbours"),
}
#: The families of coded values a part of its own has (:class:`_Part`); it shares the others
#: (numbered per file by the columnar path) with the first part.
_PART_VALUES = ("levels",)
#: The columns of a coded tie (:meth:`Staging.add_coded`), in order.
CODED_COLUMNS: tuple[str, ...] = (
    "id", "kind", "dates", "money", "quantity", "unit", "location", "description", "status",
    "note", "levels", "level_reason", "domain_list", "source_list",
    *(f"party_{i}" for i in range(PACKED_PARTIES)))
_counter = itertools.count()
#: SQLite's page cache during a copy whose table's indexes are dropped and built again. Its
#: sorter (``ORDER BY``, ``CREATE INDEX``) keeps as many bytes in memory as the cache holds,
#: then sorts them and writes them out as one run: runs of a few MiB fit in the processor's
#: caches and merge fast, one run of hundreds of MiB does not (10⁶ ties, measured alone: the
#: six indexes 10.9 s with the import's 256 MiB cache, 5.5 s with 2 MiB; a copy of shuffled
#: ties ``ORDER BY id`` 7.8 → 4.7 s, of their 2.1 × 10⁶ parties 7.2 → 3.3 s). Without
#: secondary indexes a copy in key order only appends, which needs no large cache.
SORT_CACHE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Duplicate:
    """A staged key that is already in the workspace or earlier in the batch.

    Attributes:
        key: the key.
        file: the index of the file (in the batch's order of files).
        row: the row number in that file.
        first: for a duplicate within the batch, the ``(file, row)`` of its first row;
            None when the key is in the workspace.
    """

    key: str
    file: int
    row: int
    first: tuple[int, int] | None


@dataclass(frozen=True)
class _Part:
    """The staging tables of one part of a batch's ties.

    What an import stages in its own process is one part (temporary tables); a second
    process may stage the second half of a large file's clean ties into a scratch file
    (:func:`scratch_staging`), which becomes a second part once attached
    (:meth:`Staging.attach`). The copy, the key select and the drop go over the parts in
    turn, each part's coded ties decoded with its own lists and levels (numbered as they
    were staged) and the first part's other values (numbered per file: the first part
    stages all of them, a later one none).

    Attributes:
        tables: the rows staged as workspace rows, by workspace table.
        packed: the coded ties (:meth:`Staging.add_coded`).
        values: their tables of distinct values, by family.
        lists: their lists of domains and sources (:meth:`Staging.add_lists`).
        positions: the positions of packed parties (0 … :data:`PACKED_PARTIES` - 1).
        schema: the attached database holding the part (None: the temporary tables).
    """

    tables: dict[str, sa.Table]
    packed: sa.Table
    values: dict[str, sa.Table]
    lists: sa.Table
    positions: sa.Table
    schema: str | None = None


def _staged_tables(meta: sa.MetaData, table: str, suffix: str, *, temporary: bool = True,
                   schema: str | None = None) -> dict[str, sa.Table]:
    """The staging tables of workspace rows of ``table``'s import (see :class:`Staging`)."""
    prefixes = ["TEMPORARY"] if temporary else []
    return {name: sa.Table(
        f"stage_{name}_{suffix}", meta,
        *(sa.Column(c.name, c.type, nullable=True) for c in METADATA.tables[name].columns),
        prefixes=prefixes, schema=schema) for name in STAGED_TABLES[table]}


def _coded_part(meta: sa.MetaData, suffix: str, tables: dict[str, sa.Table], *,
                temporary: bool = True, schema: str | None = None) -> _Part:
    """The tables of coded ties (a whole tie in one row, see :meth:`Staging.add_coded`)."""
    prefixes = ["TEMPORARY"] if temporary else []
    ties = METADATA.tables["ties"]
    packed = sa.Table(
        f"stage_packed_{suffix}", meta,
        *(sa.Column(c, sa.Integer if c in _CODED_VALUES or c.endswith("_list") else sa.Text)
          for c in CODED_COLUMNS), prefixes=prefixes, schema=schema)
    values = {family: sa.Table(
        f"stage_{family}_{suffix}", meta,
        sa.Column("code", sa.Integer, primary_key=True, autoincrement=False),
        *(sa.Column(c, ties.c[c].type) for c in columns), prefixes=prefixes, schema=schema)
        for family, columns in _CODED_VALUES.items()}
    lists = sa.Table(
        f"stage_lists_{suffix}", meta,
        sa.Column("list", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("item", sa.Text, nullable=False),
        sa.Column("locator", sa.Text, nullable=False),
        sa.Index(f"stage_lists_{suffix}_items", "list", "position"),
        prefixes=prefixes, schema=schema)
    positions = sa.Table(
        f"stage_positions_{suffix}", meta,
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        prefixes=prefixes, schema=schema)
    return _Part(tables, packed, values, lists, positions, schema)


class Staging:
    """Temporary tables for one streamed table of one import, on the import's connection.

    Args:
        conn: the import's connection (temporary tables live as long as it does).
        table: ``ties`` or ``observations``.
        scratch: the suffix of the tables' names for regular (not temporary) tables in a
            scratch database of their own (see :func:`scratch_staging`); None for temporary
            tables named afresh.
    """

    def __init__(self, conn: sa.Connection, table: str, *, scratch: str | None = None
                 ) -> None:
        self.conn = conn
        self.table = table
        self.suffix = suffix = scratch or f"{table}_{next(_counter)}"
        temporary = scratch is None
        meta = sa.MetaData()
        self.key_table = sa.Table(
            f"stage_keys_{suffix}", meta,
            sa.Column("seq", sa.Integer, primary_key=True),
            sa.Column("key", sa.Text, nullable=False),
            sa.Column("file", sa.Integer, nullable=False),
            sa.Column("row", sa.Integer, nullable=False),
            prefixes=["TEMPORARY"] if temporary else [])
        self.tables = _staged_tables(meta, table, suffix, temporary=temporary)
        self.lists: dict[tuple[tuple[str, str], ...], int] = {}
        self.values: dict[str, sa.Table] = {}
        #: The parts of the staged ties (:class:`_Part`): this process's, then any attached.
        self.parts: list[_Part] = []
        if table == "ties":  # a whole tie in one coded row (see :meth:`add_coded`)
            own = _coded_part(meta, suffix, self.tables, temporary=temporary)
            self.parts.append(own)
            self.packed, self.values = own.packed, own.values
            self.list_table, self.positions = own.lists, own.positions
        self.rows = 0
        self._key_rows = 0
        #: Whether every staged row is a coded tie, staged in key order (see :meth:`copy`).
        self.ordered = table == "ties"
        self._first_key: str | None = None
        self._last_key: str | None = None
        # The names are new (a counter of the process) and temporary tables belong to this
        # connection alone: no table can exist yet, so none is looked up first (seven queries).
        meta.create_all(conn, checkfirst=False)
        if table == "ties":
            self._executemany(self.positions, ["position"],
                              [(i,) for i in range(PACKED_PARTIES)])

    def keys(self, keys: Sequence[tuple[str, int, int]]) -> None:
        """Record ``(key, file, row)`` of parsed rows, valid or not, in batch order."""
        if keys:
            self._executemany(self.key_table, ["key", "file", "row"], list(keys))
            self._key_rows += len(keys)

    def key_run(self, keys: list[str], file: int, first_row: int) -> None:
        """Record the keys of consecutive rows ``first_row``, ``first_row + 1`` … of ``file``.

        On SQLite the keys go as one JSON array that SQL unpacks (``json_each``): one
        statement instead of a bound row per key (10⁶ keys: 0.55 s against 1.5 s).

        Examples:
            >>> import sqlalchemy as sa
            >>> with sa.create_engine("sqlite://").begin() as conn:
            ...     stage = Staging(conn, "ties")
            ...     stage.key_run(['t-"1"', "t-é"], 2, 10)
            ...     conn.execute(sa.select(stage.key_table)).all()
            [(1, 't-"1"', 2, 10), (2, 't-é', 2, 11)]
        """
        raw = self.conn.connection.dbapi_connection
        if not keys:
            return
        if raw is None or self.conn.dialect.name != "sqlite":
            self.keys(list(zip(keys, itertools.repeat(file), itertools.count(first_row))))
            return
        raw.execute(f'INSERT INTO "{self.key_table.name}" ("key", file, "row") '
                    "SELECT value, ?, ? + key FROM json_each(?) ORDER BY key",
                    (file, first_row, json.dumps(keys, ensure_ascii=False)))
        self._key_rows += len(keys)

    def add(self, rows: Mapping[str, Sequence[dict[str, Any]]]) -> None:
        """Stage rows to write (dicts by workspace table, as made by ``RowSet``).

        Dates become ISO text (how the workspace stores them) in place.
        """
        for name, items in rows.items():
            if items:
                table = self.tables[name]
                dates = [c.name for c in table.columns if isinstance(c.type, sa.Date)]
                for r in items:
                    for c in dates:
                        value = r[c]
                        if value is not None:
                            r[c] = value.isoformat()
                columns = [c.name for c in METADATA.tables[name].columns]  # not the packed
                values = itemgetter(*columns)
                self._executemany(table, columns, [values(r) for r in items])
                self.ordered = False
                if name == self.table:
                    self.rows += len(items)

    def add_tuples(self, name: str, columns: Sequence[str],
                   rows: Sequence[Sequence[Any]]) -> None:
        """Stage rows of the workspace table ``name`` given as tuples in ``columns`` order.

        Dates must already be ISO text (how the workspace stores them). The copy then sorts
        (:attr:`ordered` becomes false).
        """
        if rows:
            self._executemany(self.tables[name], list(columns), rows)
            if name == self.table:
                self.rows += len(rows)
            self.ordered = False

    def _follow_keys(self, keys: list[str]) -> None:
        """Keep :attr:`ordered` true only while staged keys keep increasing."""
        if self.ordered:
            last = self._last_key
            self.ordered = (last is None or last < keys[0]) and all(
                map(operator.lt, keys, keys[1:]))
        if self._first_key is None:
            self._first_key = keys[0]
        self._last_key = keys[-1]

    def summary(self) -> dict[str, Any]:
        """What :meth:`attach` needs to know of these staged ties (for a scratch part).

        Examples:
            >>> with sa.create_engine("sqlite://").begin() as conn:
            ...     stage = Staging(conn, "ties")
            ...     stage._follow_keys(["t-1", "t-2"])
            ...     stage.summary()
            {'rows': 0, 'ordered': True, 'first': 't-1', 'last': 't-2'}
        """
        return {"rows": self.rows, "ordered": self.ordered, "first": self._first_key,
                "last": self._last_key}

    def attach(self, path: str, summary: Mapping[str, Any]) -> None:
        """Add the ties a second process staged into the scratch file ``path`` as a part.

        The file (made by :func:`scratch_staging` with this staging's :attr:`suffix`, its
        :meth:`summary` given; its coded ties' dates, money, quantities and statuses
        numbered as this staging's: :class:`_Part`) is attached to the connection (SQLite),
        which keeps it open until it is detached (:meth:`drop`) or the connection closes:
        the caller may delete the file's name at once. Its ties come after this process's
        in every copy (:meth:`copy`) and in the key order of :meth:`key_selects`; they stay
        in key order as a whole only if the part's first key follows this process's last.
        """
        schema = f"part_{self.suffix}_{len(self.parts)}"
        raw = self.conn.connection.dbapi_connection
        assert raw is not None and self.conn.dialect.name == "sqlite"
        raw.execute(f"ATTACH DATABASE ? AS {_quote(schema)}", (path,))
        meta = sa.MetaData()
        tables = _staged_tables(meta, self.table, self.suffix, temporary=False, schema=schema)
        self.parts.append(_coded_part(meta, self.suffix, tables, temporary=False,
                                      schema=schema))
        first, last = summary["first"], summary["last"]
        if first is not None:
            self.ordered = self.ordered and bool(summary["ordered"]) and (
                self._last_key is None or self._last_key < first)
            self._first_key = self._first_key or first
            self._last_key = last
        elif not summary["ordered"]:
            self.ordered = False
        self.rows += int(summary["rows"])

    def add_coded(self, rows: Sequence[Sequence[Any]]) -> None:
        """Stage whole ties as coded rows: tuples in :data:`CODED_COLUMNS` order.

        A coded tie is one narrow row with no ``NULL`` in it: its dates, money, quantity,
        status and level columns are numbers of rows staged by :meth:`add_values`, its
        domains and sources numbers of lists (:meth:`add_lists`), its first
        :data:`PACKED_PARTIES` parties in ``party_0`` … (``""`` for none; a tie with more
        parties stages all of them in ``tie_actors`` and none here), and an empty
        ``location`` stands for none. The driver binds a ``None`` (and a ``bool``) through
        its adapter lookup, several times slower than a number or a text (measured:
        ≈ 2.3 × a text, 8 × a number); :meth:`copy` decodes the rows with SQL.
        """
        if rows:
            self._executemany(self.packed, list(CODED_COLUMNS), rows)
            self.rows += len(rows)
            self._follow_keys([r[0] for r in rows])

    def add_values(self, family: str, rows: Sequence[Sequence[Any]]) -> None:
        """Stage ``(code, value, …)`` rows of a family of coded values (see :meth:`add_coded`).

        ``family`` is ``dates`` (start date, start text, end date, end text), ``money``
        (amount, currency, price year), ``quantity``, ``status`` or ``levels`` (level,
        sublevel, neighbours); dates as ISO text.
        """
        if rows:
            table = self.values[family]
            self._executemany(table, [c.name for c in table.columns], rows)

    def add_lists(self, lists: Sequence[Sequence[tuple[str, str]]]) -> list[int]:
        """Return the number of each list of ``(item, locator)`` pairs, staging new ones.

        A tie staged by the columnar path names its domains and its sources by such numbers
        (``domain_list``, ``source_list``; a domain's locator is ``""``) and its first
        :data:`PACKED_PARTIES` parties in ``party_0`` … (:meth:`add_coded`: one narrow row
        per tie instead of a row per link); :meth:`copy` expands them into
        ``tie_domains``, ``sources`` and ``tie_actors`` with SQL. A batch has few distinct
        lists of domains or sources, so this stages a few rows instead of millions.
        """
        out: list[int] = []
        new: list[tuple[int, int, str, str]] = []
        known = self.lists
        for items in lists:
            key = tuple(items)
            number = known.get(key)
            if number is None:
                number = known[key] = len(known)
                new.extend((number, i, item, where) for i, (item, where) in enumerate(key))
            out.append(number)
        if new:
            self._executemany(self.list_table, ["list", "position", "item", "locator"], new)
        return out

    def _executemany(self, table: sa.Table, columns: list[str],
                     params: Sequence[Sequence[Any]]) -> None:
        """Insert tuples (values in ``columns`` order) with the driver's executemany."""
        sql = (f'INSERT INTO "{table.name}" ({", ".join(_quote(c) for c in columns)}) '
               f'VALUES ({", ".join("?" for _ in columns)})')
        raw = self.conn.connection.dbapi_connection
        if raw is not None and self.conn.dialect.name == "sqlite":
            raw.executemany(sql, params)
        elif raw is not None and self.conn.dialect.driver == "psycopg":
            # PostgreSQL: COPY, about 5 times faster than batched INSERTs for staged rows
            copy_sql = (f'COPY "{table.name}" ({", ".join(_quote(c) for c in columns)}) '
                        "FROM STDIN")
            cursor: Any = raw.cursor()  # a psycopg cursor (the DB-API type has no copy)
            with cursor, cursor.copy(copy_sql) as copy:
                for row in params:
                    copy.write_row(row)
        else:
            self.conn.execute(table.insert(), [dict(zip(columns, p, strict=True))
                                               for p in params])

    def duplicates(self) -> list[Duplicate]:
        """Return the staged rows whose key is in the workspace or earlier in the batch.

        A key in the workspace is reported for every row that has it; a key repeated in
        the batch, for every row after the first.

        Staged rows in key order (:attr:`ordered`) have increasing, hence distinct, keys;
        when they are all the batch's rows (as many key rows as staged rows: each staged row
        left its key), no key repeats and the search for repeats (a sort of every key:
        2 s at a million) is skipped.
        """
        k = self.key_table
        target = METADATA.tables[self.table]
        key_col = target.c[_KEY_COLUMN[self.table]]
        stored = sa.select(k.c.key, k.c.file, k.c.row).where(
            sa.exists().where(key_col == k.c.key)).order_by(k.c.seq)
        out = [Duplicate(r.key, r.file, r.row, None) for r in self.conn.execute(stored)]
        if self.ordered and self._key_rows == self.rows:
            return out
        in_store = {d.key for d in out}
        firsts = (sa.select(k.c.key, sa.func.min(k.c.seq).label("first"))
                  .group_by(k.c.key).having(sa.func.count() > 1).subquery())
        first = k.alias("first_row")
        repeated = (sa.select(k.c.key, k.c.file, k.c.row, first.c.file.label("first_file"),
                              first.c.row.label("first_row"))
                    .join(firsts, firsts.c.key == k.c.key)
                    .join(first, first.c.seq == firsts.c.first)
                    .where(k.c.seq != firsts.c.first).order_by(k.c.seq))
        out.extend(Duplicate(r.key, r.file, r.row, (r.first_file, r.first_row))
                   for r in self.conn.execute(repeated) if r.key not in in_store)
        return out

    def copy(self, *, rebuild_indexes: bool = False) -> dict[str, int]:
        """Copy the staged rows into the workspace, each table sorted by its primary key.

        With ``rebuild_indexes`` the tables' secondary indexes are dropped first and made
        again afterwards (faster when the batch is large next to what is stored).

        Coded ties (:meth:`add_coded`) are decoded with SQL. Ties staged in key order, all
        coded (:attr:`ordered`, as the columnar path stages a file), are copied on SQLite
        without a sort: the ties as staged, their links expanded tie by tie in position
        order (each ``ORDER BY`` over a million staged rows costs SQLite an external sort:
        3–4 s of CPU and temporary files), one part (:class:`_Part`) after the other. The
        order only makes the copy faster; the rows written are the same.

        Returns:
            Rows written per workspace table.
        """
        if self.ordered and self.rows and self.conn.dialect.name == "sqlite":
            return self._written(self._copy_ordered(rebuild_indexes=rebuild_indexes))
        counts: dict[str, int] = {}
        for name in self.tables:
            target = METADATA.tables[name]
            if not any(self.conn.execute(sa.select(sa.literal(1)).select_from(t).limit(1))
                       .first() for t in self._sources_of(name)):
                continue
            source = self._expanded(name)
            order = [source.c[c.name] for c in target.primary_key.columns]
            rows = sa.select(*(source.c[c.name] for c in target.columns)).order_by(*order)
            n = self._insert(name, [rows], rebuild_indexes=rebuild_indexes)
            if n:
                counts[name] = n
        return self._written(counts)

    def _written(self, counts: dict[str, int]) -> dict[str, int]:
        """Return ``counts`` if every staged row of the table was written, else raise.

        A coded tie whose code had no row in its table of values would be dropped by the
        copy's join: the write transaction is rolled back instead. (A driver that does not
        count the rows of an ``INSERT … SELECT``, reporting -1, is not checked.)
        """
        copied = counts.get(self.table, 0)
        if copied != self.rows and copied >= 0:
            raise RuntimeError(f"internal error: {self.rows} {self.table} staged, "
                               f"{copied} copied (nothing was written)")
        return counts

    def _insert(self, name: str, selects: Sequence[sa.Select[Any]], *,
                rebuild_indexes: bool) -> int:
        """Insert the rows of each of ``selects`` in turn into the workspace table ``name``.

        With ``rebuild_indexes`` the table's secondary indexes are dropped first and made
        again afterwards, in the order of their names, all of it with a page cache of
        :data:`SORT_CACHE_BYTES`. Returns the count (-1 if the driver did not count one
        of them).
        """
        target = METADATA.tables[name]
        indexes = sorted(target.indexes, key=lambda i: str(i.name)) if rebuild_indexes else []
        with self._sort_cache(bool(indexes)):
            for index in indexes:
                self.conn.execute(sa.schema.DropIndex(index))
            found = [mapping.insert_rows(self.conn, name, rows) or 0 for rows in selects]
            n = -1 if min(found, default=0) < 0 else sum(found)
            for index in indexes:
                self.conn.execute(sa.schema.CreateIndex(index))
        return n

    @contextmanager
    def _sort_cache(self, shrink: bool) -> Iterator[None]:
        """Give SQLite a page cache of :data:`SORT_CACHE_BYTES` inside, then the old one back.

        Only on SQLite and when ``shrink``; pages the smaller cache cannot hold go to the
        write-ahead log now rather than at the commit (the same pages, written once).
        """
        raw = self.conn.connection.dbapi_connection
        if not shrink or raw is None or self.conn.dialect.name != "sqlite":
            yield
            return
        before = raw.execute("PRAGMA main.cache_size").fetchone()[0]
        raw.execute(f"PRAGMA main.cache_size=-{SORT_CACHE_BYTES // 1024}")
        try:
            yield
        finally:
            raw.execute(f"PRAGMA main.cache_size={int(before)}")

    def _copy_ordered(self, *, rebuild_indexes: bool) -> dict[str, int]:
        """:meth:`copy` of ties staged in key order (SQLite; see there).

        The coded ties of each part are read in the order they were staged (``rowid``),
        which SQLite follows without a sort; ``CROSS JOIN`` keeps them as the outer loop of
        the links' expansions, so the links come out in (tie, position) order: the order of
        each target's primary key. A later part's keys all follow an earlier part's
        (:meth:`attach`), so the parts are copied one after the other.
        """
        counts: dict[str, int] = {}
        for name in ("ties", *_PACKED):
            n = self._insert(name, [_ordered_rows(part, name, self._values_of(part))
                                    for part in self.parts],
                             rebuild_indexes=rebuild_indexes)
            if n:
                counts[name] = n
        return counts

    def _decoded(self, part: _Part | None = None) -> sa.Select[Any]:
        """The coded ties (:meth:`add_coded`) as rows of ``ties``: each code joined to its value.

        Of ``part`` (default: this process's).

        Examples:
            >>> import sqlalchemy as sa
            >>> with sa.create_engine("sqlite://").begin() as conn:
            ...     stage = Staging(conn, "ties")
            ...     stage.add_values("dates", [(0, "1998-01-01", "1998", None, None)])
            ...     for family in ("money", "quantity"):
            ...         stage.add_values(family, [(0, *[None] * len(stage.values[family].c[1:]))])
            ...     stage.add_values("status", [(0, "assumed")])
            ...     stage.add_values("levels", [(0, "international", "cross-border", True)])
            ...     stage.add_coded([("t-1", "loan", 0, 0, 0, "", "", "text", 0, "", 0,
            ...                       "why", 0, 0, "RU-KR", "FI-19", "", "")])
            ...     row = conn.execute(stage._decoded()).one()
            >>> row.start_date, row.end_date, row.amount, row.location, row.neighbours
            (datetime.date(1998, 1, 1), None, None, None, True)
            >>> row.status, row.level, row.sublevel, row.level_reason
            ('assumed', 'international', 'cross-border', 'why')
        """
        return _decoded(part or self.parts[0], self._values_of(part or self.parts[0]))

    def _values_of(self, part: _Part) -> dict[str, sa.Table]:
        """The tables that decode ``part``'s coded values (see :class:`_Part`)."""
        first = self.parts[0].values
        return {f: part.values[f] if f in _PART_VALUES else t for f, t in first.items()}

    def _sources_of(self, name: str) -> list[sa.Table]:
        """The tables whose rows make the rows of ``name`` (every part's)."""
        if self.table != "ties":
            return [self.tables[name]]
        packs = name in _PACKED or name == "ties"
        return [t for part in self.parts for t in (part.tables[name], *(
            (part.packed,) if packs else ()))]

    def _expanded(self, name: str) -> sa.Table | sa.Subquery:
        """The staged rows of ``name`` with the coded ties decoded and their links expanded.

        Over every part: ``ties`` adds the decoded coded ties (:meth:`_decoded`);
        ``tie_actors`` a row per non-empty ``party_<i>`` of a coded tie; ``tie_domains`` and
        ``sources`` a row per item of its ``domain_list`` / ``source_list``.
        """
        staged = self.tables[name]
        if self.table != "ties" or (name not in _PACKED and name != "ties"):
            return staged
        columns = [c.name for c in staged.columns]
        parts: list[sa.Select[Any]] = []
        for part in self.parts:
            mine = part.tables[name]
            parts.append(sa.select(*(mine.c[c] for c in columns)))
            parts.extend(_coded_rows(part, name, self._values_of(part)))
        return sa.union_all(*parts).subquery(f"expanded_{name}")

    def key_selects(self) -> list[sa.Select[Any]]:
        """The ids of the staged rows (coded ones included), with their staged order if known.

        Ties staged in key order (:attr:`ordered`, SQLite) come as one select per part, each
        with a second column, the ``rowid``, that sorts them alike (no sort: see
        :func:`regionet.storage.history.append_set`), a later part's after an earlier
        part's; otherwise one select of the ids alone.
        """
        if self.table != "ties":
            return [sa.select(self.tables[self.table].c.id)]
        if self.ordered and self.conn.dialect.name == "sqlite":
            return [sa.select(part.packed.c.id, sa.literal_column(
                f"{_name(part.packed)}.rowid").label("seq")) for part in self.parts]
        every = sa.union_all(*(sa.select(t.c.id) for part in self.parts
                               for t in (part.tables["ties"], part.packed))).subquery()
        return [sa.select(every.c.id)]

    def drop(self) -> None:
        """Drop the temporary tables (they also go when the connection closes).

        An attached part (:meth:`attach`) is detached, if SQLite lets it now (not inside a
        transaction that read it; else it goes with the connection).
        """
        if self.table == "ties":
            for extra in (self.list_table, self.packed, self.positions, *self.values.values()):
                self.conn.execute(sa.schema.DropTable(extra, if_exists=True))
        for table in (self.key_table, *self.tables.values()):
            self.conn.execute(sa.schema.DropTable(table, if_exists=True))
        raw = self.conn.connection.dbapi_connection
        for part in self.parts[1:]:
            if raw is not None:
                with suppress(sqlite3.Error):
                    raw.execute(f"DETACH DATABASE {_quote(str(part.schema))}")
        del self.parts[1:]


@contextmanager
def scratch_staging(path: str, suffix: str) -> Iterator[Staging]:
    """A staging of ties in a scratch SQLite file of its own (for a second process).

    Regular tables named with ``suffix`` (those of the :class:`Staging` that will attach the
    file, :meth:`Staging.attach`), on a connection and engine of their own; no journal and
    no sync (a scratch file: a crash only loses it). Committed when the block ends.

    Examples:
        >>> path = str(tmp_path / "part.db")
        >>> with sa.create_engine("sqlite://").connect() as conn:
        ...     stage = Staging(conn, "ties")
        ...     with scratch_staging(path, stage.suffix) as part:
        ...         part.add_values("levels", [(0, "regional", None, None)])
        ...     stage.attach(path, part.summary())
        ...     conn.execute(sa.select(stage.parts[1].values["levels"])).all()
        [(0, 'regional', None, None)]
    """
    engine = sa.create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA journal_mode=OFF")
            raw.execute("PRAGMA synchronous=OFF")
            yield Staging(conn, "ties", scratch=suffix)
            conn.commit()
    finally:
        engine.dispose()


def _decoded(part: _Part, values: Mapping[str, sa.Table]) -> sa.Select[Any]:
    """The coded ties of ``part`` as rows of ``ties``, decoded with ``values`` by family."""
    p = part.packed
    family_of = {c: f for f, columns in _CODED_VALUES.items() for c in columns}
    joined: sa.FromClause = p
    for name, table in values.items():
        joined = joined.join(table, table.c.code == p.c[name])
    columns: list[Any] = []
    for c in METADATA.tables["ties"].columns:
        family = family_of.get(c.name)
        if family is not None:
            columns.append(values[family].c[c.name])
        elif c.name == "location":
            columns.append(sa.func.nullif(p.c.location, "").label("location"))
        else:
            columns.append(p.c[c.name])
    return sa.select(*columns).select_from(joined)


def _coded_rows(part: _Part, name: str, values: Mapping[str, sa.Table]
                ) -> list[sa.Select[Any]]:
    """The rows of ``name`` that the coded ties of ``part`` stand for (in no order).

    ``values`` decode its ties (:meth:`Staging._values_of`).
    """
    tie, lists = part.packed, part.lists
    if name == "ties":
        return [_decoded(part, values)]
    if name == "tie_actors":
        return [sa.select(tie.c.id.label("tie_id"),
                          sa.literal_column(str(i), sa.Integer).label("position"),
                          tie.c[f"party_{i}"].label("actor_id"))
                .where(tie.c[f"party_{i}"] != "") for i in range(PACKED_PARTIES)]
    if name == "tie_domains":
        return [sa.select(tie.c.id.label("tie_id"), lists.c.position,
                          lists.c.item.label("domain"))
                .join_from(tie, lists, lists.c.list == tie.c.domain_list)]
    return [sa.select(sa.literal_column("'ties'", sa.Text).label("record_table"),
                      tie.c.id.label("record_id"), lists.c.position,
                      lists.c.item.label("document_id"), lists.c.locator)
            .join_from(tie, lists, lists.c.list == tie.c.source_list)]


def _ordered_rows(part: _Part, name: str, values: Mapping[str, sa.Table]) -> sa.Select[Any]:
    """The rows of ``name`` from ``part``'s coded ties in key order, without a sort (SQLite).

    See :meth:`Staging._copy_ordered`; ``values`` decode its ties.
    """
    tie, lists, positions = (_name(t) for t in (part.packed, part.lists, part.positions))
    party = "CASE n.position " + " ".join(
        f"WHEN {i} THEN p.party_{i}" for i in range(PACKED_PARTIES)) + " END"

    def links(names: dict[str, str], join: str) -> sa.Select[Any]:
        columns: list[Any] = [sa.literal_column(e).label(c) for c, e in names.items()]
        return sa.select(*columns).select_from(sa.text(f"{tie} AS p CROSS JOIN {join}"))

    if name == "ties":
        return _decoded(part, values).order_by(sa.literal_column(f"{tie}.rowid"))
    if name == "tie_actors":
        return links({"tie_id": "p.id", "position": "n.position", "actor_id": party},
                     f"{positions} AS n").where(sa.text(f"{party} <> ''"))
    if name == "tie_domains":
        return links({"tie_id": "p.id", "position": "l.position", "domain": "l.item"},
                     f"{lists} AS l ON l.list = p.domain_list")
    return links({"record_table": "'ties'", "record_id": "p.id", "position": "l.position",
                  "document_id": "l.item", "locator": "l.locator"},
                 f"{lists} AS l ON l.list = p.source_list")


def _name(table: sa.Table) -> str:
    """A table's quoted name in SQL, with its schema (an attached database) if any."""
    return f"{_quote(table.schema)}.{_quote(table.name)}" if table.schema else _quote(table.name)


def _quote(name: str) -> str:
    return f'"{name}"'
