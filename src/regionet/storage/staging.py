"""Staging tables of an import: rows checked in Python wait here, then are copied in key order.

An import parses and checks its large tables (ties, observations) row by row and appends the
rows it will write to temporary tables of its own connection (no index, nothing locked:
SQLite keeps temporary tables in a separate file). Once the batch is valid, the write
transaction checks keys against the workspace with SQL (:func:`duplicates`) and copies the
staged rows into the workspace sorted by key (:func:`copy_staged`), so that every index is
written in order. Every staged row also leaves its key, file and row number in a key table,
valid or not, for the duplicate checks.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import sqlalchemy as sa

from regionet.storage import mapping
from regionet.storage.schema import METADATA

__all__ = ["STAGED_TABLES", "Duplicate", "Staging"]

#: The workspace tables each streamed import table writes, in insert order.
STAGED_TABLES: Mapping[str, tuple[str, ...]] = {
    "ties": ("ties", "tie_actors", "tie_domains", "sources"),
    "observations": ("observations", "sources"),
}
_KEY_COLUMN = {"ties": "id", "observations": "id"}
_counter = itertools.count()


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


class Staging:
    """Temporary tables for one streamed table of one import, on the import's connection.

    Args:
        conn: the import's connection (temporary tables live as long as it does).
        table: ``ties`` or ``observations``.
    """

    def __init__(self, conn: sa.Connection, table: str) -> None:
        self.conn = conn
        self.table = table
        suffix = f"{table}_{next(_counter)}"
        meta = sa.MetaData()
        self.key_table = sa.Table(
            f"stage_keys_{suffix}", meta,
            sa.Column("seq", sa.Integer, primary_key=True),
            sa.Column("key", sa.Text, nullable=False),
            sa.Column("file", sa.Integer, nullable=False),
            sa.Column("row", sa.Integer, nullable=False),
            prefixes=["TEMPORARY"])
        self.tables: dict[str, sa.Table] = {}
        for name in STAGED_TABLES[table]:
            source = METADATA.tables[name]
            self.tables[name] = sa.Table(
                f"stage_{name}_{suffix}", meta,
                *(sa.Column(c.name, c.type, nullable=True) for c in source.columns),
                prefixes=["TEMPORARY"])
        self.rows = 0
        meta.create_all(conn)

    def keys(self, keys: Sequence[tuple[str, int, int]]) -> None:
        """Record ``(key, file, row)`` of parsed rows, valid or not, in batch order."""
        if keys:
            self._executemany(self.key_table, ["key", "file", "row"], list(keys))

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
                columns = [c.name for c in table.columns]
                values = itemgetter(*columns)
                self._executemany(table, columns, [values(r) for r in items])
                if name == self.table:
                    self.rows += len(items)

    def add_tuples(self, name: str, columns: Sequence[str],
                   rows: Sequence[Sequence[Any]]) -> None:
        """Stage rows of the workspace table ``name`` given as tuples in ``columns`` order.

        Dates must already be ISO text (how the workspace stores them).
        """
        if rows:
            self._executemany(self.tables[name], list(columns), rows)
            if name == self.table:
                self.rows += len(rows)

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
        """
        k = self.key_table
        target = METADATA.tables[self.table]
        key_col = target.c[_KEY_COLUMN[self.table]]
        stored = sa.select(k.c.key, k.c.file, k.c.row).where(
            sa.exists().where(key_col == k.c.key)).order_by(k.c.seq)
        out = [Duplicate(r.key, r.file, r.row, None) for r in self.conn.execute(stored)]
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

        Returns:
            Rows written per workspace table.
        """
        counts: dict[str, int] = {}
        for name, staged in self.tables.items():
            target = METADATA.tables[name]
            n = int(self.conn.execute(sa.select(sa.func.count()).select_from(staged))
                    .scalar_one())
            if not n:
                continue
            indexes = sorted(target.indexes, key=lambda i: str(i.name)) if rebuild_indexes \
                else []
            for index in indexes:
                self.conn.execute(sa.schema.DropIndex(index))
            order = [staged.c[c.name] for c in target.primary_key.columns]
            rows = sa.select(*(staged.c[c.name] for c in target.columns)).order_by(*order)
            mapping.insert_rows(self.conn, name, rows)
            for index in indexes:
                self.conn.execute(sa.schema.CreateIndex(index))
            counts[name] = n
        return counts

    def drop(self) -> None:
        """Drop the temporary tables (they also go when the connection closes)."""
        for table in (self.key_table, *self.tables.values()):
            self.conn.execute(sa.schema.DropTable(table, if_exists=True))


def _quote(name: str) -> str:
    return f'"{name}"'
