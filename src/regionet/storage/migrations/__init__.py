"""The workspace schema's migrations (Alembic), run from Python: no ``alembic.ini`` needed.

Each revision in ``versions/`` is frozen DDL named after the schema version it makes
(``0004`` is schema 4, the baseline). :func:`upgrade` runs the missing steps on an open
connection inside the caller's transaction; :func:`stamp` records a revision without running
it (a workspace made by :func:`regionet.storage.schema.create_schema`, which equals the head
revision's schema). Developers add a step with ``python -m regionet.storage.migrations
revision "what changes"`` (see ``docs/server.md``, "Migrations").

Examples:
    >>> import sqlalchemy as sa
    >>> engine = sa.create_engine("sqlite://")
    >>> with engine.begin() as conn:
    ...     before = current(conn)
    ...     upgrade(conn)
    ...     after = current(conn)
    >>> before, after == head()
    (None, True)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

__all__ = ["FOLDER", "compare_server_default", "config", "current", "head", "revisions",
           "script", "stamp", "upgrade"]

#: The folder of ``env.py``, the template and ``versions/``.
FOLDER = Path(__file__).parent
#: The table where Alembic records a database's revision.
VERSION_TABLE = "alembic_version"


def compare_server_default(context: object, inspected_column: object, metadata_column: object,
                           inspected: str | None, metadata_default: object,
                           rendered: str | None) -> bool | None:
    """Alembic's server-default comparison, made exact for SQLite (True: they differ).

    SQLite reads ``DEFAULT ''`` back as ``('')``, which Alembic's own comparison takes for a
    change; both are compared as bare text. Other databases: Alembic decides (None).
    """
    if getattr(getattr(context, "dialect", None), "name", None) != "sqlite":
        return None
    if inspected is None or rendered is None:
        return inspected != rendered
    return inspected.strip("()' ") != rendered.strip("()' ")


def config(conn: sa.Connection | None = None) -> Config:
    """An Alembic configuration for regionet's migrations, on ``conn`` if given."""
    cfg = Config()
    cfg.set_main_option("script_location", str(FOLDER))
    cfg.set_main_option("path_separator", "os")
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


@cache
def script() -> ScriptDirectory:
    """The revisions (read once per process)."""
    return ScriptDirectory.from_config(config())


def head() -> str:
    """The newest revision, e.g. ``'0004'``."""
    found = script().get_current_head()
    assert found is not None
    return found


def revisions() -> list[str]:
    """Every revision, oldest first."""
    return [r.revision for r in reversed(list(script().walk_revisions()))]


def current(conn: sa.Connection) -> str | None:
    """The revision recorded in the database, or None (never migrated, or empty)."""
    if not sa.inspect(conn).has_table(VERSION_TABLE):
        return None
    return MigrationContext.configure(conn).get_current_revision()


def upgrade(conn: sa.Connection, target: str = "head") -> None:
    """Run every missing step up to ``target`` on ``conn``, inside its transaction."""
    command.upgrade(config(conn), target)


def stamp(conn: sa.Connection, revision: str = "head") -> None:
    """Record ``revision`` as the database's without running anything."""
    context = MigrationContext.configure(conn)
    context.stamp(script(), revision)
