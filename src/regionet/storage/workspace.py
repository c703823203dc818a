"""A user's workspace: a case stored in SQLite (by default) or PostgreSQL.

Writes are all or nothing: :meth:`Workspace.init` stores a whole case and
:meth:`Workspace.import_files` a whole batch of files inside one database transaction, after
validating everything; any problem leaves the database exactly as it was.

Examples:
    >>> import tempfile, pathlib
    >>> ws = Workspace(pathlib.Path(tempfile.mkdtemp()) / "regionet.db")
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
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool, StaticPool

from regionet.core.errors import DataFileError, RegionetError, ValidationError
from regionet.model.case import Case
from regionet.storage.imports import ImportPlan, check_case_sources, plan_import, plan_rows
from regionet.storage.mapping import RowSet, case_rows, read_case, rows_digest, write_rows
from regionet.storage.schema import METADATA, SCHEMA_VERSION, TABLE_ORDER, create_schema

__all__ = ["Workspace", "WorkspaceExistsError", "WorkspaceNotFoundError"]

_INIT_HINT = "Run `regionet data init` to create it"


class WorkspaceExistsError(RegionetError, FileExistsError):
    """The workspace already holds a case and overwriting was not asked for."""


class WorkspaceNotFoundError(RegionetError, FileNotFoundError):
    """The workspace does not exist or holds no case yet."""


def _url(target: str | Path) -> URL:
    text = str(target)
    scheme = text.split("://", 1)[0] if "://" in text else ""
    if scheme.startswith(("sqlite", "postgresql")):
        return make_url(text)
    return URL.create("sqlite", database=str(Path(target)))


def _sqlite_transactions(engine: sa.Engine) -> None:
    """Make pysqlite honour transactions for DDL too, and enforce foreign keys.

    pysqlite only opens a transaction before DML, so ``CREATE TABLE`` would commit on its
    own; the SQLAlchemy-documented fix is to disable its handling and emit ``BEGIN`` ourselves.
    """

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN")


class Workspace:
    """A case stored in a database, with validated, atomic imports.

    Args:
        path: a SQLite file path, or a SQLAlchemy URL starting with ``sqlite:`` or
            ``postgresql`` (e.g. ``postgresql+psycopg://user@host/db``).

    No connection is opened and no file is created until a method needs one.
    """

    def __init__(self, path: str | Path) -> None:
        self._url = _url(path)
        self._engine: sa.Engine | None = None

    @property
    def url(self) -> str:
        """The database URL, password hidden."""
        return self._url.render_as_string(hide_password=True)

    @property
    def path(self) -> Path | None:
        """The SQLite file of the workspace, or None for a database server or in memory."""
        return Path(str(self._url.database)) if self._is_sqlite_file else None

    @property
    def _is_sqlite_file(self) -> bool:
        return self._url.get_backend_name() == "sqlite" and self._url.database not in (
            None, "", ":memory:")

    def _get_engine(self) -> sa.Engine:
        if self._engine is None:
            sqlite = self._url.get_backend_name() == "sqlite"
            kwargs: dict[str, Any] = {}
            if sqlite and not self._is_sqlite_file:
                kwargs["poolclass"] = StaticPool
            elif sqlite:
                # A connection per use (cheap for SQLite): a pooled one would keep reading a
                # file that was deleted and made again under the same name.
                kwargs["poolclass"] = NullPool
            self._engine = sa.create_engine(self._url, **kwargs)
            if sqlite:
                _sqlite_transactions(self._engine)
        return self._engine

    @contextmanager
    def _connection(self, *, write: bool) -> Iterator[sa.Connection]:
        """A connection (in one transaction when ``write``), database errors made readable."""
        engine = self._get_engine()
        try:
            with engine.begin() if write else engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            detail = getattr(exc, "orig", None) or exc
            raise DataFileError(
                f"the database refused the operation ({type(exc).__name__}: {detail}); "
                "nothing was written", file=self.url,
                expected="a regionet workspace database") from exc

    def close(self) -> None:
        """Release the database connections (the workspace can still be used afterwards)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def exists(self) -> bool:
        """Return True if the database exists and has regionet's schema.

        Never creates a SQLite file.
        """
        if self._is_sqlite_file and not Path(str(self._url.database)).is_file():
            return False
        with self._connection(write=False) as conn:
            present = set(sa.inspect(conn).get_table_names())
        return set(TABLE_ORDER) <= present

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
        if self._is_sqlite_file:
            Path(str(self._url.database)).parent.mkdir(parents=True, exist_ok=True)
        with self._connection(write=True) as conn:
            if self._has_case(conn):
                if not overwrite:
                    raise WorkspaceExistsError(
                        "the workspace already holds a case", file=self.url,
                        expected="an empty or new workspace",
                        hint="Use --force (overwrite=True) to replace it")
                revision, version = _read_state(conn)
                METADATA.drop_all(conn)
            else:
                revision, version = 0, ""
            create_schema(conn)
            rows = case_rows(case)
            counts = write_rows(conn, rows)
            _set_state(conn, revision + 1, rows_digest(rows, version))
            return counts

    def _not_found(self) -> WorkspaceNotFoundError:
        return WorkspaceNotFoundError("no regionet workspace here yet", file=self.url,
                                      expected="an initialised workspace", hint=_INIT_HINT)

    def _require_file(self) -> None:
        if self._is_sqlite_file and not Path(str(self._url.database)).is_file():
            raise self._not_found()

    def _read(self, conn: sa.Connection) -> Case:
        case = read_case(conn) if self._has_case(conn) else None
        if case is None:
            raise self._not_found()
        return case

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
        with self._connection(write=False) as conn:
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
        with self._connection(write=False) as conn:
            if not self._has_case(conn):
                raise self._not_found()
            return _read_state(conn)

    def revision(self) -> int:
        """Return the workspace's revision: a counter bumped by every write transaction."""
        return self.state()[0]

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
        return plan_import(self.load_case(), paths, table=table)

    def import_files(self, paths: Sequence[Path], *, table: str | None = None
                     ) -> dict[str, int]:
        """Validate a batch of files, then add all of it in one transaction.

        Validation and writing happen in the same transaction, so no other writer can slip
        in between. Any problem leaves the workspace unchanged.

        Returns:
            Rows imported per table.

        Raises:
            ValidationError: listing every problem; nothing was written.
            WorkspaceNotFoundError: when the workspace has not been initialised.
        """
        self._require_file()
        with self._connection(write=True) as conn:
            plan = plan_import(self._read(conn), paths, table=table)
            rows = _write_plan(conn, plan)
            revision, version = _read_state(conn)
            _set_state(conn, revision + 1, rows_digest(rows, version))
        return dict(plan.counts)

    @contextmanager
    def _case_connection(self, *, write: bool) -> Iterator[sa.Connection]:
        self._require_file()
        with self._connection(write=write) as conn:
            if not self._has_case(conn):
                raise self._not_found()
            yield conn

    def reading(self) -> AbstractContextManager[sa.Connection]:
        """A connection for reads outside the case (e.g. the registered fiscal inputs).

        Raises:
            WorkspaceNotFoundError: when the workspace has not been initialised.
        """
        return self._case_connection(write=False)

    @contextmanager
    def writing(self, change: str) -> Iterator[sa.Connection]:
        """One write transaction outside the case's tables, all or nothing.

        On leaving the block without an error the revision is bumped and ``change`` (a text
        naming what was written, e.g. a checksum) is chained into the version, in the same
        transaction as the caller's writes; an error rolls everything back.

        Raises:
            WorkspaceNotFoundError: when the workspace has not been initialised.
        """
        with self._case_connection(write=True) as conn:
            yield conn
            revision, version = _read_state(conn)
            digest = hashlib.sha256(f"{version}\x1e{change}".encode()).hexdigest()
            _set_state(conn, revision + 1, digest)

    def table_counts(self) -> dict[str, int]:
        """Return the number of rows of every workspace table (for status displays)."""
        with self._connection(write=False) as conn:
            return {name: int(conn.execute(
                sa.select(sa.func.count()).select_from(METADATA.tables[name])).scalar_one())
                for name in TABLE_ORDER}


def _read_state(conn: sa.Connection) -> tuple[int, str]:
    """The stored (revision, version); a schema-1 workspace has neither: (1, its id)."""
    info = METADATA.tables["case_info"]
    try:
        row = conn.execute(sa.select(info.c.revision, info.c.version)).first()
    except SQLAlchemyError:  # schema 1: no such columns; the caller's transaction is intact
        row = None
    if row is None:
        return 1, "schema-1"
    return int(row[0]), str(row[1])


def _set_state(conn: sa.Connection, revision: int, version: str) -> None:
    """Store revision and version inside the caller's write transaction (upgrades schema 1)."""
    info = METADATA.tables["case_info"]
    columns = {c["name"] for c in sa.inspect(conn).get_columns("case_info")}
    if "revision" not in columns:
        conn.exec_driver_sql(
            "ALTER TABLE case_info ADD COLUMN revision INTEGER NOT NULL DEFAULT 1")
    if "version" not in columns:
        conn.exec_driver_sql("ALTER TABLE case_info ADD COLUMN version TEXT NOT NULL DEFAULT ''")
    conn.execute(sa.update(info).values(revision=revision, version=version,
                                        schema_version=SCHEMA_VERSION))


def _write_plan(conn: sa.Connection, plan: ImportPlan) -> RowSet:
    records = METADATA.tables["attribute_records"]
    last = conn.execute(sa.select(sa.func.max(records.c.id))).scalar()
    new_actors = {a.id for a in plan.batch.records["actors"]}
    existing = sorted(plan.batch.touched - new_actors)
    if existing:
        values = METADATA.tables["actor_attribute_values"]
        conn.execute(sa.delete(values).where(values.c.actor_id.in_(existing)))
    rows = plan_rows(plan, int(last or 0) + 1)
    write_rows(conn, rows)
    return rows
