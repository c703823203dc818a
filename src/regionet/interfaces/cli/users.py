"""``regionet users add|list|revoke|role``: the accounts of a team workspace.

Examples:
    >>> from typer.testing import CliRunner
    >>> "revoke" in CliRunner().invoke(users_app, ["--help"]).output
    True
"""

from __future__ import annotations

from typing import Annotated

import typer

from regionet.interfaces.cli.sources import DEFAULT_DB, DbOption

__all__ = ["users_app"]

users_app = typer.Typer(help="Accounts and roles (reader, editor, reviewer, admin).",
                        no_args_is_help=True)
RoleArg = Annotated[str, typer.Option("--role", help="reader, editor, reviewer or admin.")]
NameArg = Annotated[str, typer.Argument(help="The account's name.")]


@users_app.command("add")
def users_add(name: NameArg, role: RoleArg, db: DbOption = DEFAULT_DB) -> None:
    """Create an account and print its token (shown this once; only its hash is stored)."""
    from regionet.services.accounts import add_user

    account, token = add_user(db, name, role)
    typer.echo(f"Account {account.name} ({account.role}) created. Its token, shown only now:")
    typer.echo(token)


@users_app.command("list")
def users_list(
    db: DbOption = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List accounts: name, role, created, revoked (never a token)."""
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.services.accounts import list_users

    rows = list_users(db)
    if as_json:
        print_json(rows)
    else:
        print_table(rows, ["name", "role", "created_at", "revoked_at"], "Accounts")


@users_app.command("revoke")
def users_revoke(name: NameArg, db: DbOption = DEFAULT_DB) -> None:
    """Revoke an account's token: its requests are refused from now on."""
    from regionet.services.accounts import revoke_user

    account = revoke_user(db, name)
    typer.echo(f"Account {account.name} revoked at {account.revoked_at}.")


@users_app.command("role")
def users_role(name: NameArg, role: Annotated[str, typer.Argument(
        help="reader, editor, reviewer or admin.")], db: DbOption = DEFAULT_DB) -> None:
    """Change an account's role."""
    from regionet.services.accounts import set_role

    account = set_role(db, name, role)
    typer.echo(f"Account {account.name} is now {account.role}.")
