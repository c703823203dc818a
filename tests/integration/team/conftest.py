"""Fixtures of the team tests: a workspace with one account per role, a PostgreSQL database."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from regionet.services.accounts import add_user, revoke_user
from regionet.services.workspace import init_workspace

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"
#: name → role of the accounts every team workspace gets; ``gone`` is revoked.
ACCOUNTS = {"rita": "reader", "ed": "editor", "eve": "editor", "rev": "reviewer",
            "ada": "admin", "gone": "editor"}


def make_team(db: str | Path) -> dict[str, str]:
    """Initialise ``db`` with the bundled case and the accounts; return name → token."""
    init_workspace(db, "russia-1990s")
    tokens = {name: add_user(db, name, role)[1] for name, role in ACCOUNTS.items()}
    revoke_user(db, "gone")
    return tokens


@pytest.fixture(scope="session")
def new_team() -> Callable[[str | Path], dict[str, str]]:
    """:func:`make_team`, for a test that makes a team workspace elsewhere (PostgreSQL)."""
    return make_team


@pytest.fixture(scope="session")
def team_template(tmp_path_factory: pytest.TempPathFactory,
                  cheap_token_hashes: Callable[[], AbstractContextManager[None]]
                  ) -> tuple[Path, dict[str, str]]:
    """One team workspace per test session (the case and six cheap argon2 hashes)."""
    db = tmp_path_factory.mktemp("team-template") / "team.db"
    with cheap_token_hashes():
        return db, make_team(db)


@pytest.fixture
def team(tmp_path: Path, team_template: tuple[Path, dict[str, str]],
         copy_sqlite: Callable[[Path, Path], None]) -> tuple[Path, dict[str, str]]:
    """A fresh SQLite workspace and the tokens of its accounts: a copy of the template."""
    template, tokens = team_template
    db = tmp_path / "team.db"
    copy_sqlite(template, db)
    return db, dict(tokens)


@pytest.fixture
def api(team: tuple[Path, dict[str, str]], api_app: FastAPI) -> Iterator[Callable[..., Any]]:
    """``api(method, path, as_=name, **kw)``: a request with that account's token.

    The shared ``api_app`` (``tests/integration/conftest.py``) serves the test's ``team``.
    The test's requests share one event loop (``with TestClient``: without it Starlette
    starts a thread and an event loop for every request, 1-2 ms of CPU each).
    """
    db, tokens = team
    api_app.state.db = str(db)
    with TestClient(api_app) as client:
        yield signed_calls(client, tokens)


def signed_calls(client: TestClient, tokens: dict[str, str]) -> Callable[..., Any]:
    """``call(method, path, as_=name, **kw)``: ``client``'s request with that account's token."""

    def call(method: str, path: str, *, as_: str | None = None, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}))
        if as_ is not None:
            headers["Authorization"] = f"Bearer {tokens[as_]}"
        return client.request(method, path, headers=headers, **kw)

    return call


@pytest.fixture
def signed() -> Callable[[TestClient, dict[str, str]], Callable[..., Any]]:
    """:func:`signed_calls`, for test modules (a conftest is not imported by tests)."""
    return signed_calls


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new PostgreSQL database with a random name (dropped afterwards)."""
    psycopg = pytest.importorskip("psycopg")
    name = "rn_team_" + secrets.token_hex(6)
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 does not answer: {exc}")
    with admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        from regionet.services.case_source import CaseSource, workspace_of

        workspace_of(CaseSource.workspace(
            f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")).close()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
