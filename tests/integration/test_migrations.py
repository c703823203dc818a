"""Alembic migrations: the head equals the schema module, on SQLite and PostgreSQL.

The revisions are frozen DDL; :func:`regionet.storage.schema.create_schema` (what ``data
init`` uses) builds from the live schema module. Both must give the same database, compared
with Alembic's own autogenerate comparison (tables, columns, types, nullability, server
defaults, indexes, keys).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from regionet.services.workspace import init_workspace
from regionet.storage import Workspace
from regionet.storage.migrations import (
    compare_server_default,
    current,
    head,
    revisions,
    upgrade,
)
from regionet.storage.schema import METADATA, SCHEMA_VERSION


def engine_of(url: str) -> sa.Engine:
    return sa.create_engine(url if "://" in url else f"sqlite:///{url}",
                            poolclass=sa.pool.NullPool)


def differences(conn: sa.Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={
        "compare_type": True,
        "compare_server_default": compare_server_default})
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


def before_migrations(conn: sa.Connection) -> None:
    """Make a workspace look made before migrations existed: schema 4, no team tables."""
    for table in ("alembic_version", "history", "proposals", "users"):
        conn.exec_driver_sql(f"DROP TABLE {table}")
    conn.exec_driver_sql("UPDATE case_info SET schema_version = 4")


def test_a_workspace_from_before_migrations_is_stamped(workspace_url: str) -> None:
    init_workspace(workspace_url)
    engine = engine_of(workspace_url)
    with engine.begin() as conn:
        before_migrations(conn)
    ws = Workspace(workspace_url)
    state = ws.state()
    assert ws.migration() == (None, 4)
    done = ws.migrate()
    assert (done.before, done.after, done.legacy_schema) == (None, head(), 4)
    assert ws.migration() == (head(), SCHEMA_VERSION)
    assert ws.state() == state  # no record changed
    with engine.connect() as conn:
        assert differences(conn) == []
    engine.dispose()


def test_db_upgrade_and_current_say_from_and_to(workspace_url: str) -> None:
    from typer.testing import CliRunner

    from regionet.interfaces.cli.app import app

    def run(*args: str) -> str:
        result = CliRunner().invoke(app, [*args, "--db", workspace_url])
        assert result.exit_code == 0, result.output
        return result.output.split(": ", 1)[1].strip()

    assert run("db", "current") == (
        "no regionet schema here yet: run `regionet db upgrade` or `regionet data init`")
    init_workspace(workspace_url)
    engine = engine_of(workspace_url)
    with engine.begin() as conn:  # as if made before migrations existed
        before_migrations(conn)
    engine.dispose()
    assert run("db", "current") == (
        "schema 4, made before migrations (no revision recorded): "
        "run `regionet db upgrade` to stamp it")
    assert run("db", "upgrade") == (
        "stamped a workspace made before migrations (schema 4) and upgraded it "
        f"to revision {head()}")
    assert run("db", "current") == f"revision {head()} (the newest), schema {SCHEMA_VERSION}"
    assert run("db", "upgrade") == f"already at revision {head()} (the newest); nothing to do"


def test_a_database_that_does_not_exist_is_named(postgres_url: str) -> None:
    from typer.testing import CliRunner

    from regionet.interfaces.cli.app import app

    missing = postgres_url + "_missing"
    result = CliRunner().invoke(app, ["db", "current", "--db", missing])
    assert result.exit_code != 0
    name = missing.rsplit("/", 1)[1]
    message = str(result.exception)  # `regionet` (main) prints it as "error: …"
    assert f"the database '{name}' does not exist on the server" in message
    server = sa.engine.make_url(missing)
    assert f"createdb -h {server.host} -U {server.username} {name}" in message


def test_a_database_that_sorts_text_by_language_is_refused(postgres_url: str) -> None:
    """Lists sort by text keys: an ``en-US`` database would order them unlike SQLite."""
    import psycopg

    from regionet.core.errors import DataFileError

    server = sa.engine.make_url(postgres_url)
    admin = f"host={server.host} port={server.port or 5432} user={server.username} dbname=postgres"
    url = postgres_url + "_icu"
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 LOCALE_PROVIDER icu '  # type: ignore[arg-type]
                     "ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
    try:
        for attempt in (init_workspace, lambda db: Workspace(db).migrate()):
            with pytest.raises(DataFileError) as info:
                attempt(url)
            message = str(info.value)
            assert "sorts text by a language collation" in message
            assert f"--locale-provider=libc --locale=C.UTF-8 {name}" in message
        assert Workspace(url).migration() == (None, None)  # nothing was created
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def test_a_new_revision_from_the_template_upgrades_a_workspace(
        workspace_url: str, tmp_path: Path) -> None:
    """What docs/server.md tells developers to do, on a copy of the migrations folder."""
    import shutil

    from alembic import command

    from regionet.storage.migrations import FOLDER, config

    folder = tmp_path / "migrations"
    shutil.copytree(FOLDER, folder, ignore=shutil.ignore_patterns("__pycache__"))

    def cfg(conn: sa.Connection | None = None) -> Any:
        made = config(conn)
        made.set_main_option("script_location", str(folder))
        return made

    command.revision(cfg(), message="a note on documents", rev_id="0006")
    (path,) = (folder / "versions").glob("0006_*.py")
    assert path.name == "0006_a_note_on_documents.py"
    text = path.read_text(encoding="utf-8")
    assert "down_revision: str | None = '0005'" in text
    path.write_text(text.replace(
        '''    """Describe what this step changes."""
    pass''', '''    """documents.reviewed: a new column (schema 6)."""
    op.add_column("documents", sa.Column("reviewed", sa.Text(), nullable=True))
    op.execute("UPDATE case_info SET schema_version = 6")''', 1), encoding="utf-8")
    init_workspace(workspace_url)
    state = Workspace(workspace_url).state()
    engine = engine_of(workspace_url)
    with engine.begin() as conn:
        command.upgrade(cfg(conn), "head")
    with engine.connect() as conn:
        assert current(conn) == "0006"
        assert "reviewed" in {c["name"] for c in sa.inspect(conn).get_columns("documents")}
        assert conn.exec_driver_sql("SELECT schema_version FROM case_info").scalar() == 6
    engine.dispose()
    assert Workspace(workspace_url).state() == state  # records and revision unchanged
