"""Accounts and roles of a team workspace: tokens, hashing, authentication, permissions.

A token is shown once, when the account is made (``rn_<token_id>_<secret>``); the workspace
stores only its argon2 hash and the public ``token_id`` used to find that hash. A request's
token is checked against the hash once per process (argon2 is slow on purpose) and against
the account on every request, so a revoked account or a changed role counts at once.

Roles, from least to most allowed: ``reader`` (read), ``editor`` (also propose changes),
``reviewer`` (also accept or reject others' proposals), ``admin`` (also import files
directly and manage accounts).

Examples:
    >>> parse_token("rn_0a1b2c3d4e_" + "f" * 64)
    ('0a1b2c3d4e', 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff')
    >>> allows(Principal("ana", "reviewer"), "editor"), allows(Principal("bo", "reader"), "editor")
    (True, False)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from regionet.core.errors import (
    AuthenticationError,
    InvalidValueError,
    PermissionDeniedError,
    UnknownReferenceError,
    did_you_mean,
)
from regionet.services.cache import note_state
from regionet.services.case_source import CaseSource, workspace_of
from regionet.storage import accounts
from regionet.storage.accounts import ROLES, Account

__all__ = ["ROLES", "Principal", "add_user", "allows", "authenticate", "list_users",
           "parse_token", "require", "revoke_user", "set_role"]

_HASHER = PasswordHasher()
_TOKEN = re.compile(r"rn_([0-9a-f]{10})_([0-9a-f]{64})")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
#: Tokens already checked against their hash: (workspace, token_id) → (sha256 of token, hash).
_VERIFIED: dict[tuple[str, str], tuple[str, str]] = {}
_LOCK = threading.Lock()
_VERIFYING = threading.Lock()


@dataclass(frozen=True)
class Principal:
    """Who a request acts for: an account's name and role."""

    name: str
    role: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def parse_token(token: str) -> tuple[str, str]:
    """Split a token into its public ``token_id`` and its secret.

    Raises:
        AuthenticationError: when the text is not a regionet token.
    """
    match = _TOKEN.fullmatch(token.strip())
    if match is None:
        raise AuthenticationError("invalid token", field="Authorization",
                                  expected="Bearer rn_<10 hex digits>_<64 hex digits>")
    return match[1], match[2]


def allows(principal: Principal, role: str) -> bool:
    """True if ``principal``'s role is ``role`` or a more allowed one."""
    return ROLES.index(principal.role) >= ROLES.index(role)


def require(principal: Principal | None, role: str, action: str) -> Principal:
    """Return ``principal`` if it may do what ``role`` may, else raise.

    Raises:
        AuthenticationError: no principal (no token).
        PermissionDeniedError: a role below ``role``.
    """
    if principal is None:
        raise AuthenticationError(f"{action} needs an account", field="Authorization",
                                  expected="Authorization: Bearer <token>",
                                  hint="Ask an admin for a token (`regionet users add`)")
    if not allows(principal, role):
        raise PermissionDeniedError(
            f"{action} is not allowed for the role {principal.role}", field="role",
            value=principal.role, expected=f"{role} or a more allowed role")
    return principal


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidValueError("unknown role", field="role", value=role,
                                expected="one of " + ", ".join(ROLES),
                                hint=did_you_mean(role, ROLES))
    return role


def _workspace(db: str | Path | CaseSource):  # type: ignore[no-untyped-def]
    source = db if isinstance(db, CaseSource) else CaseSource.workspace(db)
    ws = workspace_of(source)
    ws.upgrade()
    return ws


def _require_account(account: Account | None, name: str) -> Account:
    if account is None:
        raise UnknownReferenceError("unknown account", field="name", value=name,
                                    expected="an account listed by `regionet users list`")
    return account


def add_user(db: str | Path, name: str, role: str) -> tuple[Account, str]:
    """Create the account ``name`` with ``role``; return it and its token (shown once).

    Raises:
        InvalidValueError: a bad name or an unknown role, or a name already taken.
    """
    _check_role(role)
    if not _NAME.fullmatch(name):
        raise InvalidValueError("invalid account name", field="name", value=name,
                                expected="1-64 letters, digits, '.', '_', '@' or '-'")
    token_id, secret = secrets.token_hex(5), secrets.token_hex(32)
    token = f"rn_{token_id}_{secret}"
    account = Account(name=name, role=role, token_id=token_id,
                      token_hash=_HASHER.hash(token), created_at=_now(), revoked_at=None)
    with _workspace(db).database.writing() as conn:
        if accounts.by_name(conn, name) is not None:
            raise InvalidValueError("an account with this name exists", field="name",
                                    value=name, expected="a new name",
                                    hint="Use `regionet users role` to change its role")
        accounts.insert(conn, account)
    return account, token


def list_users(db: str | Path) -> list[dict[str, str | None]]:
    """Every account (name, role, created, revoked), never a token or its hash."""
    with _workspace(db).database.reading() as conn:
        return [{"name": a.name, "role": a.role, "created_at": a.created_at,
                 "revoked_at": a.revoked_at} for a in accounts.listing(conn)]


def revoke_user(db: str | Path, name: str) -> Account:
    """Revoke ``name``'s token: every request with it is refused from now on."""
    with _workspace(db).database.writing() as conn:
        account = _require_account(accounts.by_name(conn, name), name)
        if account.revoked_at is None:
            accounts.update(conn, name, revoked_at=_now())
        return _require_account(accounts.by_name(conn, name), name)


def set_role(db: str | Path, name: str, role: str) -> Account:
    """Give ``name`` the role ``role``."""
    _check_role(role)
    with _workspace(db).database.writing() as conn:
        _require_account(accounts.by_name(conn, name), name)
        accounts.update(conn, name, role=role)
        return _require_account(accounts.by_name(conn, name), name)


def authenticate(source: CaseSource, token: str) -> Principal:
    """Return the principal of ``token`` on the workspace ``source``.

    Raises:
        AuthenticationError: a malformed, unknown or revoked token.
    """
    token_id, _secret = parse_token(token)
    refused = AuthenticationError("unknown or revoked token", field="Authorization",
                                  hint="Ask an admin for a new token")
    if source.kind != "workspace":
        raise refused
    account, revision, version = workspace_of(source).account_state(token_id)
    note_state(source.key, (revision, version))
    if account is None or account.revoked_at is not None:
        raise refused
    digest = hashlib.sha256(token.strip().encode()).hexdigest()
    key = (source.location, token_id)
    if not _known(key, digest, account.token_hash):
        # One argon2 check at a time: requests arriving together with a token this process
        # has not seen yet (a restart under load) wait for the first check, instead of each
        # spending argon2's deliberate CPU and memory on the same token.
        with _VERIFYING:
            if not _known(key, digest, account.token_hash):
                try:
                    _HASHER.verify(account.token_hash, token.strip())
                except (VerificationError, InvalidHashError):
                    raise refused from None
                with _LOCK:
                    _VERIFIED[key] = (digest, account.token_hash)
    return Principal(account.name, account.role)


def _known(key: tuple[str, str], digest: str, token_hash: str) -> bool:
    """Whether this process has checked the token of ``digest`` against ``token_hash``."""
    with _LOCK:
        known = _VERIFIED.get(key)
    return known is not None and known[1] == token_hash \
        and hmac.compare_digest(known[0], digest)
