"""``regionet db upgrade|current``: the workspace database's schema and migrations.

Examples:
    >>> from typer.testing import CliRunner
    >>> result = CliRunner().invoke(db_app, ["upgrade", "--db", str(tmp_path / "w.db")])
    >>> result.output.split(": ", 1)[1].strip()
    'created the schema at revision 0005 (no case yet: run `regionet data init`)'
"""

from __future__ import annotations

import typer

from regionet.interfaces.cli.sources import DEFAULT_DB, DbOption

__all__ = ["db_app"]

db_app = typer.Typer(help="The workspace database: create or migrate its schema (Alembic).",
                     no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = DEFAULT_DB) -> None:
    """Create the schema in an empty database, or migrate it to the newest revision."""
    from regionet.services.case_source import CaseSource
    from regionet.services.database import upgrade_database

    done = upgrade_database(db)
    shown = CaseSource.workspace(db).location
    typer.echo(f"{_hide_password(shown)}: {done.describe()}")


@db_app.command("current")
def db_current(db: DbOption = DEFAULT_DB) -> None:
    """Print the database's migration revision and the newest one."""
    from regionet.services.database import database_status

    typer.echo(f"{_hide_password(db)}: {database_status(db).describe()}")


def _hide_password(location: str) -> str:
    """``postgresql://user:secret@host/db`` → ``postgresql://user:***@host/db``."""
    scheme, sep, rest = location.partition("://")
    if not sep or "@" not in rest:
        return location
    credentials, at, host = rest.rpartition("@")
    user, colon, _password = credentials.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}{at}{host}"
