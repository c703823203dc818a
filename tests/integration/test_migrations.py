"""Alembic migrations: the head equals the schema module, on SQLite and PostgreSQL.

The revisions are frozen DDL; :func:`regionet.storage.schema.create_schema` (what ``data
init`` uses) builds from the live schema module. Both must give the same database, compared
with Alembic's own autogenerate comparison (tables, columns, types, nullability, server
defaults, indexes, keys).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from regionet.services.workspace import init_workspace
from regionet.storage import Workspace
from regionet.storage.migrations import current, head, revisions, upgrade
from regionet.storage.schema import METADATA, SCHEMA_VERSION


def engine_of(url: str) -> sa.Engine:
    return sa.create_engine(url if "://" in url else f"sqlite:///{url}",
                            poolclass=sa.pool.NullPool)


def _same_default(_context: object, _inspected: object, _column: object,
                  inspected: str | None, _default: object, rendered: str | None) -> bool | None:
    """SQLite's server defaults, compared as text: ``('')`` read back is the ``''`` written.

    Returns True when the defaults differ (Alembic's convention).
    """
    if inspected is None or rendered is None:
        return inspected != rendered
    return inspected.strip("()' ") != rendered.strip("()' ")


def differences(conn: sa.Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={
        "compare_type": True,
        "compare_server_default": _same_default if conn.dialect.name == "sqlite" else True})
    return list(compare_metadata(context, METADATA))


def test_the_revisions_are_numbered_after_the_schema() -> None:
    assert revisions()[0] == "0004"
    assert head() == f"{SCHEMA_VERSION:04d}"


def test_the_head_schema_equals_the_schema_module(workspace_url: str) -> None:
    engine = engine_of(workspace_url)
    with engine.begin() as conn:
        assert current(conn) is None
        upgrade(conn)
        assert current(conn) == head()
    with engine.connect() as conn:
        assert differences(conn) == []
        assert set(sa.inspect(conn).get_table_names()) == {*METADATA.tables, "alembic_version"}
    engine.dispose()


def test_a_workspace_made_by_init_is_stamped_and_equals_the_head(workspace_url: str) -> None:
    init_workspace(workspace_url)
    engine = engine_of(workspace_url)
    with engine.connect() as conn:
        assert current(conn) == head()
        assert differences(conn) == []
    engine.dispose()
    assert Workspace(workspace_url).migration() == (head(), SCHEMA_VERSION)


def test_migrate_creates_the_schema_then_init_fills_it(workspace_url: str) -> None:
    ws = Workspace(workspace_url)
    assert ws.migration() == (None, None)
    done = ws.migrate()
    assert (done.before, done.after, done.legacy_schema, done.created) == (
        None, head(), None, True)
    assert ws.migration() == (head(), None)  # the tables, no case yet
    again = ws.migrate()
    assert (again.before, again.after, again.created) == (head(), head(), False)
    init_workspace(workspace_url)
    assert ws.migration() == (head(), SCHEMA_VERSION)
    assert ws.state()[0] == 1


def test_a_workspace_from_before_migrations_is_stamped(workspace_url: str) -> None:
    init_workspace(workspace_url)
    engine = engine_of(workspace_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")
    ws = Workspace(workspace_url)
    state = ws.state()
    assert ws.migration() == (None, SCHEMA_VERSION)
    done = ws.migrate()
    assert (done.before, done.after, done.legacy_schema) == (None, head(), SCHEMA_VERSION)
    assert ws.migration() == (head(), SCHEMA_VERSION)
    assert ws.state() == state  # no record changed
    with engine.connect() as conn:
        assert differences(conn) == []
    engine.dispose()
