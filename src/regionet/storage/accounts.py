"""SQL for accounts: the ``users`` table (names, roles, token hashes; never a token).

Examples:
    >>> ROLES
    ('reader', 'editor', 'reviewer', 'admin')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from regionet.storage.schema import METADATA

__all__ = ["ROLES", "Account", "by_name", "by_token_id", "insert", "listing", "update"]

#: Roles from least to most allowed.
ROLES: tuple[str, ...] = ("reader", "editor", "reviewer", "admin")

_USERS = METADATA.tables["users"]


@dataclass(frozen=True)
class Account:
    """One account as stored: its token's hash, never the token."""

    name: str
    role: str
    token_id: str
    token_hash: str
    created_at: str
    revoked_at: str | None


def _account(row: sa.Row[Any] | None) -> Account | None:
    return None if row is None else Account(**row._mapping)


def by_name(conn: sa.Connection, name: str) -> Account | None:
    """The account called ``name``, or None."""
    return _account(conn.execute(sa.select(_USERS).where(_USERS.c.name == name)).first())


def by_token_id(conn: sa.Connection, token_id: str) -> Account | None:
    """The account whose token has the public prefix ``token_id``, or None."""
    return _account(conn.execute(
        sa.select(_USERS).where(_USERS.c.token_id == token_id)).first())


def insert(conn: sa.Connection, account: Account) -> None:
    """Store a new account."""
    conn.execute(sa.insert(_USERS).values(**account.__dict__))


def update(conn: sa.Connection, name: str, **values: object) -> None:
    """Change columns of the account ``name``."""
    conn.execute(sa.update(_USERS).where(_USERS.c.name == name).values(**values))


def listing(conn: sa.Connection) -> list[Account]:
    """Every account, by name."""
    return [Account(**r._mapping) for r in conn.execute(sa.select(_USERS).order_by(_USERS.c.name))]
