"""Connections to a workspace database: reads that never wait for a writer, writers in a queue.

SQLite files are used in WAL mode (set by the first write): a reader sees the last committed
state while a writer works, and never gets "database is locked". A writer takes the write
lock when its transaction starts (``BEGIN IMMEDIATE``), so two writers queue for the lock
(waiting up to :data:`WRITE_WAIT_SECONDS`) instead of both reading and then failing to
upgrade their lock. Every statement runs inside an explicit transaction (DDL included), with
foreign keys enforced.

On PostgreSQL a reader's transaction is ``REPEATABLE READ`` (one snapshot, never blocked by a
writer; a statement may take at most :data:`READ_WAIT_SECONDS`), and a writer's transaction
starts by taking a transaction-level advisory lock (:data:`WRITE_LOCK_KEY`), so writers queue
exactly as on SQLite and the revision is bumped by one writer at a time. Connections are
checked before use (``pool_pre_ping``) and opened with a :data:`CONNECT_TIMEOUT_SECONDS`
timeout, so a server whose database went away fails fast and recovers by itself once it is
back.

Database errors are turned into :class:`~regionet.core.errors.DataFileError` naming the
database; only a failed write says "nothing was written".

Examples:
    >>> db = Database(tmp_path / "x.db")
    >>> with db.writing() as conn:
    ...     _ = conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    >>> with db.reading() as conn:
    ...     conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    'wal'
    >>> with db.reading() as conn:
    ...     conn.exec_driver_sql("PRAGMA page_size").scalar()
    16384
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from regionet.core.errors import DataFileError

__all__ = ["CONNECT_TIMEOUT_SECONDS", "PAGE_SIZE", "READ_WAIT_SECONDS", "WRITE_LOCK_KEY",
           "WRITE_WAIT_SECONDS", "Database", "DatabaseUnavailableError", "database_url",
           "memory_url"]

#: The page size of a new SQLite workspace (SQLite's default is 4096). Fixed when the file is
#: made. A bulk import reads back what it just wrote (its sorted copies and index builds scan
#: the new rows in the write-ahead log) and writes it out again at the checkpoint, one
#: system call per page: with 16 KiB pages a million-tie import made a quarter of the calls
#: and took 17–21 % less time (docs/performance.md, "Workspace at scale").
PAGE_SIZE: Final = 16384
#: How long a writer waits for another writer to finish before giving up.
WRITE_WAIT_SECONDS: Final = 600.0
#: How long a reader waits (in WAL mode only while a database is being recovered).
READ_WAIT_SECONDS: Final = 30.0
#: How long opening a connection to a database server may take.
CONNECT_TIMEOUT_SECONDS: Final = 5
#: The PostgreSQL advisory lock a writer holds for its transaction (per database): any
#: 64-bit number no other application of the database uses ("regionet" in ASCII).
WRITE_LOCK_KEY: Final = 0x726567696F6E6574
_EXPECTED = "a regionet workspace database"
#: Texts a language collation sorts otherwise than code points do (case, punctuation, accents).
_ORDER_PROBE: Final = ("a", "B", "-x", "_y", "Z1", "z0", "e", "é", "f")


class DatabaseUnavailableError(DataFileError):
    """The database server could not be reached or dropped the connection (try again later)."""


def database_url(target: str | Path) -> URL:
    """Return the SQLAlchemy URL of a SQLite file path or of a database URL.

    ``postgres://`` (the scheme some hosts print) means PostgreSQL through psycopg 3.

    Raises:
        DataFileError: a URL of another kind of database.

    Examples:
        >>> database_url("postgres://me@db.example.org/registry").drivername
        'postgresql+psycopg'
        >>> database_url("mysql://me@host/db")
        Traceback (most recent call last):
        ...
        regionet.core.errors.DataFileError: mysql://me@host/db: unsupported database 'mysql' ...
    """
    text = str(target)
    scheme = text.split("://", 1)[0] if "://" in text else ""
    if scheme == "postgres":
        return make_url("postgresql+psycopg://" + text.split("://", 1)[1])
    if scheme.startswith(("sqlite", "postgresql")):
        return make_url(text)
    if scheme and "/" not in scheme and "\\" not in scheme:
        shown = make_url(text).render_as_string(hide_password=True) if "@" in text else text
        raise DataFileError(f"unsupported database {scheme.split('+')[0]!r}", file=shown,
                            expected="a SQLite file path, sqlite:///PATH or "
                                     "postgresql+psycopg://USER@HOST[:PORT]/DATABASE")
    return URL.create("sqlite", database=str(Path(target)))


def memory_url(name: str | None = None) -> str:
    """Return the URL of a private in-memory SQLite database shared by this process's threads.

    The database lives while a :class:`Database` opened on it with ``keep_open=True`` does.
    """
    return (f"sqlite:///file:regionet-{name or uuid.uuid4().hex}"
            "?mode=memory&cache=shared&uri=true")


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"


class Database:
    """One workspace database (SQLite file, shared in-memory SQLite, or PostgreSQL).

    Args:
        target: a SQLite file path or a SQLAlchemy URL.
        write_wait: seconds a writer waits for the write lock.
        keep_open: hold one connection open for the object's life (in-memory databases).
    """

    def __init__(self, target: str | Path, *, write_wait: float = WRITE_WAIT_SECONDS,
                 keep_open: bool = False) -> None:
        self.url = database_url(target)
        self.write_wait = write_wait
        self._engine: sa.Engine | None = None
        self._keeper: Any = None
        self._keep_open = keep_open

    @property
    def display(self) -> str:
        """The database URL, password hidden."""
        return self.url.render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        """True for SQLite (file or memory)."""
        return self.url.get_backend_name() == "sqlite"

    @property
    def is_postgresql(self) -> bool:
        """True for a PostgreSQL database."""
        return self.url.get_backend_name() == "postgresql"

    @property
    def file(self) -> Path | None:
        """The SQLite file, or None (memory, server database)."""
        if self.is_sqlite and not _is_memory(self.url):
            return Path(str(self.url.database))
        return None

    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (made on first use)."""
        if self._engine is None:
            kwargs: dict[str, Any] = {}
            if self.is_sqlite:
                # A connection per use (cheap for SQLite): a pooled one would keep reading a
                # file that was deleted and made again under the same name.
                kwargs["poolclass"] = NullPool
                kwargs["connect_args"] = {"check_same_thread": False,
                                          "timeout": READ_WAIT_SECONDS}
            else:
                # A pooled connection the server closed (a restart, a terminated session) is
                # noticed before use and replaced; a server that does not answer fails fast.
                kwargs["pool_pre_ping"] = True
                if self.url.get_backend_name() == "postgresql":
                    kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
            self._engine = sa.create_engine(self.url, **kwargs)
            if self.is_sqlite:
                _sqlite_events(self._engine)
            if self._keep_open:
                self._keeper = self._engine.raw_connection()
        return self._engine

    def close(self) -> None:
        """Release the connections (an in-memory database is then gone)."""
        if self._keeper is not None:
            self._keeper.close()
            self._keeper = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def reading(self, *, timeout_set: bool = False) -> Iterator[sa.Connection]:
        """A connection in one read transaction: one consistent snapshot, never blocked.

        Args:
            timeout_set: the caller's first statement sets the transaction's statement
                timeout itself (:meth:`read_timeout`), saving PostgreSQL a round trip.
        """
        with self._errors(write=False), self.engine().connect() as conn:
            if self.is_postgresql:
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                if self.is_postgresql and not timeout_set:
                    conn.exec_driver_sql(
                        f"SET LOCAL statement_timeout = {int(READ_WAIT_SECONDS * 1000)}")
                yield conn

    def read_timeout(self) -> list[sa.ColumnElement[Any]]:
        """Columns that set a read's statement timeout (``SET LOCAL``) within a query.

        For the first query of a :meth:`reading` with ``timeout_set=True``: on PostgreSQL
        ``set_config('statement_timeout', …, true)``; nothing on SQLite.
        """
        if not self.is_postgresql:
            return []
        return [sa.func.set_config("statement_timeout", str(int(READ_WAIT_SECONDS * 1000)),
                                   sa.true())]

    @contextmanager
    def writing(self) -> Iterator[sa.Connection]:
        """A connection in one write transaction that holds the write lock from its start.

        Everything done inside is committed together at the end, or not at all.
        """
        with self._errors(write=True), self.connect() as conn, self.write_transaction(conn):
            yield conn

    @contextmanager
    def connect(self) -> Iterator[sa.Connection]:
        """A plain connection (for work in several transactions, e.g. an import)."""
        with self.engine().connect() as conn:
            yield conn

    @contextmanager
    def write_transaction(self, conn: sa.Connection, *, references_checked: bool = False
                          ) -> Iterator[sa.Connection]:
        """Run a write transaction (``BEGIN IMMEDIATE`` on SQLite) on ``conn``.

        Args:
            conn: the connection.
            references_checked: the caller has checked every reference it writes against
                the data under this same lock (an import): SQLite then skips its
                per-row foreign-key lookups in this transaction.
        """
        raw = conn.connection.dbapi_connection if self.is_sqlite else None
        if raw is not None:
            _prepare_writer(conn, self.write_wait)
            conn.execution_options(regionet_write=True)
            if references_checked:
                raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                if self.is_postgresql:
                    # Writers queue on one lock, held until commit or rollback.
                    conn.exec_driver_sql(
                        f"SET LOCAL lock_timeout = {int(self.write_wait * 1000)}")
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
                yield conn
        finally:
            if raw is not None:
                conn.execution_options(regionet_write=False)
                raw.execute("PRAGMA foreign_keys=ON")

    def check_order(self, conn: sa.Connection) -> None:
        """Refuse a PostgreSQL database that sorts text otherwise than SQLite (code points).

        Lists and pages are ordered by text keys; a database of a language collation (e.g.
        ``en_US.UTF-8``, ICU ``en-US``) would give them in another order than SQLite, and
        pages of one list could differ between two workspaces with the same rows.

        Raises:
            DataFileError: naming the database and how to create one that sorts by code point.
        """
        if not self.is_postgresql:
            return
        got = conn.exec_driver_sql(
            "SELECT array_agg(v ORDER BY v) FROM (VALUES " + ", ".join(
                f"('{v}')" for v in _ORDER_PROBE) + ") AS probe(v)").scalar()
        if list(got or []) != sorted(_ORDER_PROBE):
            collation = conn.exec_driver_sql(
                "SELECT datcollate FROM pg_database WHERE datname = current_database()"
            ).scalar()
            raise DataFileError(
                f"the database sorts text by a language collation (datcollate {collation!r}"
                f"{', or ICU' if collation in ('C', 'C.UTF-8', 'POSIX') else ''}), not by code "
                "point as SQLite does: lists would come out in another order",
                file=self.display, expected="a database of collation C (or C.UTF-8)",
                hint=f"Create it with `createdb -T template0 --locale-provider=libc "
                     f"--locale=C.UTF-8 {self.url.database}` (or CREATE DATABASE … TEMPLATE "
                     "template0 LOCALE_PROVIDER libc LOCALE 'C.UTF-8')")

    def set_cache(self, conn: sa.Connection, size: int) -> None:
        """Give ``conn`` a page cache of ``size`` bytes (SQLite; main and temporary tables)."""
        if self.is_sqlite:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute(f"PRAGMA cache_size=-{size // 1024}")
            raw.execute(f"PRAGMA temp.cache_size=-{size // 4096}")

    @contextmanager
    def _errors(self, *, write: bool) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            raise self.error(exc, write=write) from exc

    def error(self, exc: SQLAlchemyError, *, write: bool) -> DataFileError:
        """Return the readable error for a database error."""
        detail = getattr(exc, "orig", None) or exc
        text = str(detail).strip()
        if self.is_postgresql and "does not exist" in text and "database" in text:
            return DataFileError(
                f"the database {self.url.database!r} does not exist on the server",
                file=self.display, expected="an existing database (regionet makes the tables)",
                hint=f"Create it first, e.g. `createdb -h {self.url.host or 'localhost'} "
                     f"-U {self.url.username or 'postgres'} {self.url.database}`")
        if _unavailable(exc):
            return DatabaseUnavailableError(
                f"the database server is not available ({type(exc).__name__}: {text})"
                + ("; nothing was written" if write else ""),
                file=self.display, expected="a database server that answers",
                hint="Try again when the database server is back")
        busy = isinstance(exc, OperationalError) and (
            "locked" in text or "lock timeout" in text)
        if write:
            hint = ("Another write to the workspace (e.g. an import) held the lock for "
                    f"{self.write_wait:g} s; try again when it has finished" if busy else None)
            return DataFileError(
                f"the database refused the operation ({type(exc).__name__}: {text}); "
                "nothing was written", file=self.display, expected=_EXPECTED, hint=hint)
        return DataFileError(f"the database could not be read ({type(exc).__name__}: {text})",
                             file=self.display, expected=_EXPECTED)


def _unavailable(exc: SQLAlchemyError) -> bool:
    """True for a server that does not answer or dropped the connection (not a bad query).

    PostgreSQL's SQLSTATE classes 08 (connection exception) and 57P (operator intervention:
    shutdown, terminated session, database not accepting connections), and any error
    SQLAlchemy flags as a lost connection.
    """
    if getattr(exc, "connection_invalidated", False):
        return True
    code = str(getattr(getattr(exc, "orig", None), "sqlstate", "") or "")
    if code.startswith(("08", "57P")) or (code == "55000" and "connections" in str(exc)):
        return True
    return isinstance(exc, OperationalError) and code == "" and "sqlite" not in type(
        getattr(exc, "orig", exc)).__module__


def _sqlite_events(engine: sa.Engine) -> None:
    """Make pysqlite honour transactions for DDL too, and enforce foreign keys.

    pysqlite only opens a transaction before DML, so ``CREATE TABLE`` would commit on its
    own; the SQLAlchemy-documented fix is to disable its handling and emit ``BEGIN``
    ourselves: ``BEGIN IMMEDIATE`` for a write transaction.
    """

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("regionet_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _prepare_writer(conn: sa.Connection, wait: float) -> None:
    """Wait up to ``wait`` s for the lock; switch a SQLite file to WAL (persistent).

    Pragmas that change the journal run outside any transaction, on the driver connection.
    A file not yet in WAL mode gets :data:`PAGE_SIZE` first: SQLite applies it to a database
    with no table yet and ignores it otherwise (a file made by an older version keeps its
    page size).
    """
    if conn.in_transaction():
        conn.commit()
    raw = conn.connection.dbapi_connection
    assert raw is not None
    raw.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
    mode = raw.execute("PRAGMA journal_mode").fetchone()[0]
    if str(mode).lower() not in ("wal", "memory"):
        raw.execute(f"PRAGMA page_size={PAGE_SIZE}")
        raw.execute("PRAGMA journal_mode=WAL")
