"""A user's workspace: a case stored in SQLite (by default) or PostgreSQL.

Writes are all or nothing: :meth:`Workspace.init` stores a whole case and
:meth:`Workspace.import_files` a whole batch of files inside one database transaction, after
validating everything; any problem leaves the database exactly as it was. Writers queue for
the write lock; readers never wait for a writer (SQLite in WAL mode, see
:mod:`regionet.storage.database`). Records are read with SQL (:mod:`regionet.storage.queries`);
:meth:`Workspace.load_case` rebuilds the whole case for whole-graph work.

Examples:
    >>> ws = Workspace(tmp_path / "regionet.db")   # tmp_path: any folder of yours
    >>> ws.exists()
    False
    >>> ws.load_case()
    Traceback (most recent call last):
    ...
    regionet.storage.workspace.WorkspaceNotFoundError: ...no regionet workspace ... data init`...
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from regionet.core.errors import RegionetError, ValidationError
from regionet.model.case import Case
from regionet.storage import accounts, migrations
from regionet.storage.account_state import account_and_state
from regionet.storage.accounts import Account
from regionet.storage.catalog import ActorLookup, classify_stored, federation
from regionet.storage.database import WRITE_WAIT_SECONDS, Database
from regionet.storage.history import record_import
from regionet.storage.imports import ImportPlan, check_case_sources, plan_import, write_plan
from regionet.storage.mapping import case_rows, read_case, rows_digest, write_rows
from regionet.storage.schema import (
    CLASSIFICATION_COLUMNS,
    INPUT_TABLES,
    METADATA,
    SCHEMA_VERSION,
    TABLE_ORDER,
    create_schema,
)

__all__ = ["BASELINE", "Migration", "Workspace", "WorkspaceExistsError",
           "WorkspaceNotFoundError"]

#: The first migration: schema 4. A workspace made before migrations existed (schema 1 to 4,
#: no ``alembic_version`` table) is brought to schema 4 by :func:`_upgrade` and stamped so.
BASELINE = "0004"
_BASELINE_SCHEMA = 4
#: What :func:`_upgrade` adds to a schema 1-3 workspace: frozen at schema 4, so that a later
#: schema's columns and indexes are left to their migrations.
_LEGACY_COLUMNS: dict[str, tuple[str, ...]] = {"adjacency": ("approximate",),
                                               "ties": CLASSIFICATION_COLUMNS}
_LEGACY_INDEXES = frozenset({
    "ix_actors_kind", "ix_actors_parent", "ix_attribute_records_actor_id",
    "ix_observations_indicator", "ix_observations_subject", "ix_sources_document_id",
    "ix_tie_actors_actor_id", "ix_tie_domains_domain", "ix_ties_kind", "ix_ties_level",
    "ix_ties_location"})

_INIT_HINT = "Run `regionet data init` to create it"
#: Database page cache of an import's connection: large enough to keep the indexes being
#: written in memory (an import's peak memory is about this plus a few chunks of rows).
IMPORT_CACHE_BYTES = 256 * 1024 * 1024


class WorkspaceExistsError(RegionetError, FileExistsError):
    """The workspace already holds a case and overwriting was not asked for."""


class _HeaderFailed(Exception):
    """The unguarded header query failed: read again the careful way."""


class WorkspaceNotFoundError(RegionetError, FileNotFoundError):
    """The workspace does not exist or holds no case yet."""


@dataclass(frozen=True)
class Migration:
    """What :meth:`Workspace.migrate` did.

    Attributes:
        before: the revision the database had (None: none recorded).
        after: the revision it has now (the head).
        legacy_schema: the schema version of a workspace made before migrations existed,
            which was brought to schema 4 and stamped; None otherwise.
        created: the database had no regionet tables; the head schema was created.
    """

    before: str | None
    after: str
    legacy_schema: int | None = None
    created: bool = False


class Workspace:
    """A case stored in a database, with validated, atomic imports.

    Args:
        path: a SQLite file path, or a SQLAlchemy URL starting with ``sqlite:`` or
            ``postgresql`` (e.g. ``postgresql+psycopg://user@host/db``).
        write_wait: seconds a write waits for another write to finish.
        keep_open: keep a connection open (an in-memory database lives as long as it).

    No connection is opened and no file is created until a method needs one.
    """

    def __init__(self, path: str | Path, *, write_wait: float = WRITE_WAIT_SECONDS,
                 keep_open: bool = False) -> None:
        self.database = Database(path, write_wait=write_wait, keep_open=keep_open)
        #: A read found the current schema: later reads skip the guard (see :meth:`snapshot`).
        self._schema_current = False

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self.database.display

    @property
    def path(self) -> Path | None:
        """The SQLite file of the workspace, or None for a database server or in memory."""
        return self.database.file

    def close(self) -> None:
        """Release the database connections (the workspace can still be used afterwards)."""
        self.database.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def exists(self) -> bool:
        """Return True if the database exists and has regionet's schema.

        Never creates a SQLite file.
        """
        file = self.database.file
        if file is not None and not file.is_file():
            return False
        with self.database.reading() as conn:
            present = set(sa.inspect(conn).get_table_names())
        return set(TABLE_ORDER) <= present

    def held_case(self, conn: sa.Connection) -> str | None:
        """The id of the case stored in the database (None: none) on the caller's ``conn``."""
        if not sa.inspect(conn).has_table("case_info"):
            return None
        found = conn.execute(sa.select(METADATA.tables["case_info"].c.id)).scalar()
        return None if found is None else str(found)

    def _has_case(self, conn: sa.Connection) -> bool:
        if not sa.inspect(conn).has_table("case_info"):
            return False
        return conn.execute(sa.select(METADATA.tables["case_info"].c.id)).first() is not None

    def init(self, case: Case, *, overwrite: bool = False) -> dict[str, int]:
        """Create the schema and store the whole (validated) case in one transaction.

        Args:
            case: the case to store, e.g. ``regionet.load_case("russia-1990s")``.
            overwrite: replace whatever the workspace holds.

        Returns:
            Rows written per workspace table.

        Raises:
            WorkspaceExistsError: when the workspace already holds a case and not
                ``overwrite``.
            ValidationError: when an attribute record or a rate cites an unknown document.
        """
        problems = check_case_sources(case)
        if problems:
            raise ValidationError.from_errors(problems)
        file = self.database.file
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        with self.database.writing() as conn:
            self.database.check_order(conn)
            if self._has_case(conn):
                if not overwrite:
                    raise WorkspaceExistsError(
                        "the workspace already holds a case", file=self.url,
                        expected="an empty or new workspace",
                        hint="Use --force (overwrite=True) to replace it")
                revision, version = _read_state(conn)
            else:  # new, or only the tables of `regionet db upgrade`
                revision, version = 0, ""
            _drop_all(conn)
            create_schema(conn)
            migrations.stamp(conn, "head")  # create_schema makes the head's schema (tested)
            rows = case_rows(case)
            counts = write_rows(conn, rows)
            _set_state(conn, revision + 1, rows_digest(rows, version))
        return counts

    def _not_found(self) -> WorkspaceNotFoundError:
        return WorkspaceNotFoundError("no regionet workspace here yet", file=self.url,
                                      expected="an initialised workspace", hint=_INIT_HINT)

    def _require_file(self) -> None:
        file = self.database.file
        if file is not None and not file.is_file():
            raise self._not_found()

    def _read(self, conn: sa.Connection) -> Case:
        case = read_case(conn) if self._has_case(conn) else None
        if case is None:
            raise self._not_found()
        return case

    @contextmanager
    def reading(self) -> Iterator[tuple[sa.Connection, int]]:
        """A read transaction on the current schema, with the revision it sees.

        Everything read inside is one snapshot of that revision. A workspace of an older
        schema is upgraded first (see :meth:`upgrade`).

        Raises:
            WorkspaceNotFoundError: when the workspace has not been initialised.
        """
        with self.snapshot() as (conn, revision, _version):
            yield conn, revision

    @contextmanager
    def snapshot(self) -> Iterator[tuple[sa.Connection, int, str]]:
        """Like :meth:`reading`, with the version the snapshot shows as well.

        Once a read has found the current schema, later reads ask for the header in one
        query (on PostgreSQL without the savepoint that guards it against an older schema);
        if that query fails, the read starts again the careful way.

        Raises:
            WorkspaceNotFoundError: when the workspace has not been initialised.
        """
        self._require_file()
        if self._schema_current:
            try:
                with self.database.reading(timeout_set=True) as conn:
                    schema, revision, version = self._quick_header(conn)
                    if schema >= SCHEMA_VERSION:
                        yield conn, revision, version
                        return
            except _HeaderFailed:
                pass
            self._schema_current = False
        with self.database.reading() as conn:
            schema, revision, version = self._header(conn)
            if schema >= SCHEMA_VERSION:
                self._schema_current = True
                yield conn, revision, version
                return
        self.upgrade()
        with self.database.reading() as conn:
            yield conn, *self._header(conn)[1:]

    def account_state(self, token_id: str) -> tuple[Account | None, int, str]:
        """The account of a token's public prefix ``token_id`` (or None), revision, version.

        Read in one snapshot, for the bearer check of every API request. On PostgreSQL, once
        a read has found the current schema, in one round trip after the pre-ping
        (:func:`~regionet.storage.account_state.account_and_state`); otherwise in a
        :meth:`snapshot`.

        Raises:
            WorkspaceNotFoundError: when the workspace has not been initialised.
        """
        if self._schema_current and self.database.is_postgresql:
            try:
                found = account_and_state(self.database, token_id)
            except SQLAlchemyError as exc:  # unavailable: say so now, not after a second try
                raise self.database.error(exc, write=False) from exc
            if found is not None and found[1] >= SCHEMA_VERSION:
                return found[0], found[2], found[3]
        with self.snapshot() as (conn, revision, version):
            return accounts.by_token_id(conn, token_id), revision, version

    def _quick_header(self, conn: sa.Connection) -> tuple[int, int, str]:
        """(schema version, revision, version) in one query, unguarded.

        The query also sets the read's statement timeout (see
        :meth:`~regionet.storage.database.Database.read_timeout`).

        Raises:
            _HeaderFailed: the query failed (the transaction is then unusable on PostgreSQL).
            WorkspaceNotFoundError: no case stored.
        """
        info = METADATA.tables["case_info"]
        try:
            row = conn.execute(sa.select(info.c.schema_version, info.c.revision,
                                         info.c.version, *self.database.read_timeout())
                               ).first()
        except SQLAlchemyError as exc:
            raise _HeaderFailed from exc
        if row is None:
            raise self._not_found()
        return int(row[0]), int(row[1]), str(row[2])

    def _header(self, conn: sa.Connection) -> tuple[int, int, str]:
        """(schema version, revision, version) in one query; older schemas the long way."""
        info = METADATA.tables["case_info"]
        try:
            with _attempt(conn):
                row = conn.execute(sa.select(info.c.schema_version, info.c.revision,
                                             info.c.version)).first()
        except SQLAlchemyError:  # no table, or schema 1 (no revision): ask in detail
            row = None
        else:
            if row is None:
                raise self._not_found()
            return int(row[0]), int(row[1]), str(row[2])
        schema = _schema_version(conn, missing=self._not_found)
        return (schema, *_read_state(conn, missing=self._not_found))

    def _current_schema(self) -> int:
        with self.database.reading() as conn:
            return self._header(conn)[0]

    def load_case(self) -> Case:
        """Rebuild the whole case from the database.

        Raises:
            WorkspaceNotFoundError: when the workspace has not been initialised.
        """
        return self.load()[0]

    def load(self) -> tuple[Case, int]:
        """Rebuild the whole case and return it with the revision it was read at.

        Both are read in one transaction, so the case is never newer or older than its
        revision.

        Raises:
            WorkspaceNotFoundError: when the workspace has not been initialised.
        """
        self._require_file()
        with self.database.reading() as conn:
            return self._read(conn), _read_state(conn)[0]

    def state(self) -> tuple[int, str]:
        """Return ``(revision, version)``: what changes with every write transaction.

        ``revision`` counts the writes (for people: "revision 3"); ``version`` is a digest
        chaining the content of every write, unique even when a workspace is deleted and
        made again at the same path. Caches key on the version
        (:mod:`regionet.services.cache`); unlike the file's modification time it also works
        with WAL journals and on a server database.

        Raises:
            WorkspaceNotFoundError: when the workspace has not been initialised.
        """
        self._require_file()
        if self._schema_current:
            try:
                with self.database.reading(timeout_set=True) as conn:
                    return self._quick_header(conn)[1:]
            except _HeaderFailed:
                self._schema_current = False
        with self.database.reading() as conn:
            return self._header(conn)[1:]

    def revision(self) -> int:
        """Return the workspace's revision: a counter bumped by every write transaction."""
        return self.state()[0]

    def upgrade(self) -> bool:
        """Bring a workspace of an older schema to :data:`SCHEMA_VERSION`; True if it did.

        Schema 3 stores each tie's level classification, schema 4 adds the tables of
        registered fiscal inputs: an upgrade adds the missing columns, tables and indexes
        and classifies every stored tie, in one write transaction that does not change the
        revision (the records are unchanged).

        Raises:
            WorkspaceNotFoundError: when the workspace has not been initialised.
        """
        self._require_file()
        # Once a read of this handle found the current schema, no query: an API write asks
        # for the upgrade each time, and the schema a process found current stays so (a read
        # that finds otherwise clears the flag, see :meth:`snapshot`).
        if self._schema_current:
            return False
        if self._current_schema() >= SCHEMA_VERSION:
            self._schema_current = True
            return False
        with self.database.writing() as conn:
            if _schema_version(conn, missing=self._not_found) < SCHEMA_VERSION:
                self._migrate(conn)
        return True

    def migrate(self) -> Migration:
        """Create the schema in an empty database, or bring it to the newest migration.

        A database without regionet tables gets the head revision's schema (no case: ``data
        init`` stores one). A workspace made before migrations existed (no
        ``alembic_version`` table) is first brought to schema 4 and stamped ``0004``. Then
        every missing migration runs. All of it happens in one write transaction (on SQLite
        too: DDL is transactional there as on PostgreSQL), which leaves the revision alone.

        Returns:
            What was done.
        """
        file = self.database.file
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        with self.database.writing() as conn:
            self.database.check_order(conn)
            return self._migrate(conn)

    def _migrate(self, conn: sa.Connection) -> Migration:
        before = migrations.current(conn)
        legacy: int | None = None
        created = before is None and not sa.inspect(conn).has_table("case_info")
        if before is None and not created:
            present = conn.execute(sa.select(METADATA.tables["case_info"].c.id)).first()
            legacy = (_schema_version(conn, missing=self._not_found) if present
                      else _BASELINE_SCHEMA)
            if legacy < _BASELINE_SCHEMA:
                _upgrade(conn)
            migrations.stamp(conn, BASELINE)
        migrations.upgrade(conn)
        return Migration(before, migrations.head(), legacy, created)

    def migration(self) -> tuple[str | None, int | None]:
        """Return the database's migration revision and schema version (None: none).

        ``(None, 3)`` is a workspace made before migrations existed; ``(None, None)`` an
        empty database; ``("0004", None)`` the tables of ``db upgrade`` without a case.
        """
        file = self.database.file
        if file is not None and not file.is_file():
            return None, None
        with self.database.reading() as conn:
            revision = migrations.current(conn)
            if not sa.inspect(conn).has_table("case_info"):
                return revision, None
            if conn.execute(sa.select(METADATA.tables["case_info"].c.id)).first() is None:
                return revision, None
            return revision, _schema_version(conn, missing=self._not_found)

    def case_id(self) -> str:
        """Return the id of the stored case (e.g. ``russia-1990s``).

        Raises:
            WorkspaceNotFoundError: when the workspace has not been initialised.
        """
        self._require_file()
        with self.database.reading() as conn:
            _read_state(conn, missing=self._not_found)
            return str(conn.execute(sa.select(METADATA.tables["case_info"].c.id)).scalar_one())

    def validate_files(self, paths: Sequence[Path], *, table: str | None = None) -> ImportPlan:
        """Parse and validate files against the workspace and the batch itself; write nothing.

        Args:
            paths: CSV or JSON files; each feeds the table named by ``table`` or by the end
                of its stem (``ties.csv``, ``extra_ties.json``).
            table: the table every file feeds, if not inferred from the names.

        Returns:
            The plan: files, their tables and row counts per table.

        Raises:
            ValidationError: listing every problem (file, row, field, value, expected).
            WorkspaceNotFoundError: when the workspace has not been initialised.
        """
        with self.reading() as (conn, _revision):
            return plan_import(conn, paths, table=table)

    def import_files(self, paths: Sequence[Path], *, table: str | None = None
                     ) -> dict[str, int]:
        """Validate a batch of files, then add all of it in one transaction.

        The batch is parsed and checked without holding the write lock (other readers and
        writers go on); the write transaction then takes the lock, checks keys against the
        workspace and copies the staged rows. If another write committed meanwhile, the
        batch is checked again under the lock, so no other writer can slip in between.
        Any problem leaves the workspace unchanged.

        Returns:
            Rows imported per table.

        Raises:
            ValidationError: listing every problem; nothing was written.
            WorkspaceNotFoundError: when the workspace has not been initialised.
        """
        self._require_file()
        self.upgrade()
        db = self.database
        try:
            with db.connect() as conn:
                db.set_cache(conn, IMPORT_CACHE_BYTES)
                with conn.begin():
                    seen = _read_state(conn, missing=self._not_found)
                    plan = plan_import(conn, paths, table=table)
                # Every reference was checked against this state (or is checked again below
                # under the lock): SQLite's per-row foreign-key lookups would repeat it.
                with db.write_transaction(conn, references_checked=True):
                    if _read_state(conn, missing=self._not_found) != seen:
                        for stage in plan.staged:
                            stage.drop()
                        plan = plan_import(conn, paths, table=table)
                    if any(plan.counts.values()):  # no rows: nothing changes, not the revision
                        write_plan(conn, plan)
                        record_import(conn, plan)  # history entries, set-wise (schema 5)
                        if plan.borders_changed or plan.memberships_changed:
                            classify_stored(conn, federation(conn, ActorLookup(conn)),
                                            associations_only=not plan.borders_changed)
                        revision, version = _read_state(conn)
                        digest = hashlib.sha256(
                            f"{version}\x1f{plan.digest}".encode()).hexdigest()
                        _set_state(conn, revision + 1, digest)
        except SQLAlchemyError as exc:
            raise db.error(exc, write=True) from exc
        return dict(plan.counts)

    @contextmanager
    def writing(self, change: str) -> Iterator[sa.Connection]:
        """One write transaction outside the case's tables (registered fiscal inputs).

        The workspace is upgraded to the current schema first. On leaving the block without
        an error the revision is bumped and ``change`` (a text naming what was written, e.g.
        a checksum) is chained into the version, in the same transaction as the caller's
        writes; an error rolls everything back.

        Raises:
            WorkspaceNotFoundError: when the workspace has not been initialised.
        """
        self._require_file()
        self.upgrade()
        with self.database.writing() as conn:
            revision, version = _read_state(conn, missing=self._not_found)
            yield conn
            digest = hashlib.sha256(f"{version}\x1e{change}".encode()).hexdigest()
            _set_state(conn, revision + 1, digest)

    def table_counts(self) -> dict[str, int]:
        """Return the number of rows of every workspace table (for status displays)."""
        with self.database.reading() as conn:
            return {name: int(conn.execute(
                sa.select(sa.func.count()).select_from(METADATA.tables[name])).scalar_one())
                for name in TABLE_ORDER}


def _attempt(conn: sa.Connection) -> AbstractContextManager[object]:
    """Guard a query that may fail on an older schema, keeping the caller's transaction usable.

    PostgreSQL aborts the whole transaction on an error, so the query runs in a savepoint
    there; SQLite goes on after a failed statement (no savepoint: the common read stays cheap).
    """
    return conn.begin_nested() if conn.dialect.name != "sqlite" else nullcontext()


def _drop_all(conn: sa.Connection) -> None:
    """Drop every regionet table (those of an older schema too)."""
    present = set(sa.inspect(conn).get_table_names())
    for table in reversed(METADATA.sorted_tables):
        if table.name in present:
            conn.execute(sa.schema.DropTable(table))


def _schema_version(conn: sa.Connection, *, missing: object) -> int:
    if not sa.inspect(conn).has_table("case_info"):
        raise missing()  # type: ignore[operator]
    info = METADATA.tables["case_info"]
    value = conn.execute(sa.select(info.c.schema_version)).scalar()
    if value is None:
        raise missing()  # type: ignore[operator]
    return int(value)


def _read_state(conn: sa.Connection, *, missing: object = None) -> tuple[int, str]:
    """The stored (revision, version); a schema-1 workspace has neither: (1, its id).

    With ``missing`` (a callable returning an error), a database without a case raises it.
    """
    info = METADATA.tables["case_info"]
    if missing is not None and not sa.inspect(conn).has_table("case_info"):
        raise missing()  # type: ignore[operator]
    try:
        with _attempt(conn):
            row = conn.execute(sa.select(info.c.revision, info.c.version)).first()
    except SQLAlchemyError:  # schema 1: no such columns; the caller's transaction is intact
        row = None
        if missing is not None and conn.execute(sa.select(info.c.id)).first() is None:
            raise missing() from None  # type: ignore[operator]
    if row is None:
        if missing is not None and conn.execute(sa.select(info.c.id)).first() is None:
            raise missing()  # type: ignore[operator]
        return 1, "schema-1"
    return int(row[0]), str(row[1])


def _columns(conn: sa.Connection, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(conn).get_columns(table)}


def _set_state(conn: sa.Connection, revision: int, version: str, *,
               schema: int = SCHEMA_VERSION) -> None:
    """Store revision and version inside the caller's write transaction (upgrades schema 1)."""
    info = METADATA.tables["case_info"]
    columns = _columns(conn, "case_info")
    if "revision" not in columns:
        conn.exec_driver_sql(
            "ALTER TABLE case_info ADD COLUMN revision INTEGER NOT NULL DEFAULT 1")
    if "version" not in columns:
        conn.exec_driver_sql("ALTER TABLE case_info ADD COLUMN version TEXT NOT NULL DEFAULT ''")
    conn.execute(sa.update(info).values(revision=revision, version=version,
                                        schema_version=schema))


def _upgrade(conn: sa.Connection) -> None:
    """Bring schema 1, 2 or either 3 to schema 4, in the caller's write transaction.

    Frozen at schema 4 (:data:`_LEGACY_COLUMNS`, :data:`_LEGACY_INDEXES`): later schemas are
    the migrations' business (the caller stamps the result ``0004`` and runs them).

    Missing columns, tables and indexes are added: ``adjacency.approximate`` (schema 2), the
    ties' stored levels (schema 3, classified here), the tables of registered fiscal inputs
    (schema 4; the h/inputs branch's schema 3 already has them, without the levels). Every
    stored tie is classified again, whatever the schema it had.
    """
    revision, version = _read_state(conn)
    for name, wanted in _LEGACY_COLUMNS.items():  # adjacency.approximate: 2; the levels: 3
        present = _columns(conn, name)
        for column in METADATA.tables[name].columns:
            if column.name in wanted and column.name not in present:
                ddl = sa.schema.CreateColumn(column).compile(dialect=conn.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {name} ADD COLUMN {ddl}")
    for name in INPUT_TABLES:  # schema 4
        METADATA.tables[name].create(conn, checkfirst=True)
    schema_4 = (*TABLE_ORDER, *INPUT_TABLES)
    indexes = {i["name"] for t in schema_4 for i in sa.inspect(conn).get_indexes(t)}
    for table in METADATA.sorted_tables:
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            if index.name in _LEGACY_INDEXES and index.name not in indexes:
                conn.execute(sa.schema.CreateIndex(index))
    classify_stored(conn, federation(conn, ActorLookup(conn)))
    _set_state(conn, revision, version, schema=_BASELINE_SCHEMA)
