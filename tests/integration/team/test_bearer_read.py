"""The bearer check's read: an account and the workspace's state, in one snapshot.

On PostgreSQL a workspace whose schema is known current answers it in one round trip after
the pre-ping (``storage/account_state.py``: ``SET LOCAL statement_timeout`` and one
``SELECT``, run by the server as one implicit transaction); on SQLite, and the first time, in
a snapshot. Both must give exactly what the snapshot gives, see each write and revocation at
once, and never wait longer than a read may.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from regionet.core.errors import RegionetError
from regionet.services.accounts import add_user, authenticate, parse_token, revoke_user
from regionet.services.case_source import CaseSource, workspace_of
from regionet.services.workspace import import_files, init_workspace
from regionet.storage import Workspace, accounts, database
from regionet.storage.account_state import account_and_state
from regionet.storage.database import DatabaseUnavailableError


def _snapshot_view(source: CaseSource, token_id: str) -> tuple[object, int, str]:
    with workspace_of(source).snapshot() as (conn, revision, version):
        return accounts.by_token_id(conn, token_id), revision, version


def test_the_bearer_read_equals_the_snapshot(workspace_url: str, tmp_path: Path) -> None:
    init_workspace(workspace_url)
    token = add_user(workspace_url, "rita", "reader")[1]
    token_id = parse_token(token)[0]
    source = CaseSource.workspace(workspace_url)
    ws = workspace_of(source)
    first = ws.account_state(token_id)   # the careful way: the schema is not known yet
    assert ws._schema_current
    account, revision, version = ws.account_state(token_id)  # the quick way on PostgreSQL
    assert (account, revision, version) == first == _snapshot_view(source, token_id)
    assert account is not None and (account.name, account.role, account.revoked_at) == (
        "rita", "reader", None)
    assert ws.account_state("0123456789") == (None, revision, version)  # unknown token

    ties = tmp_path / "ties.csv"
    ties.write_text("id,kind,actors,start,end,domains,sources\n"
                    "t-test-kr-ark,cooperation,RU-KR;RU-ARK,1997,1999,transport,"
                    "sergounin-1999:para 11\n", encoding="utf-8")
    import_files(workspace_url, [ties])
    _, revision2, version2 = ws.account_state(token_id)
    assert (revision2, version2) == source.state() and revision2 == revision + 1
    assert authenticate(source, token).name == "rita"
    revoke_user(workspace_url, "rita")
    with pytest.raises(RegionetError, match="unknown or revoked token"):
        authenticate(source, token)   # immediately
    revoked = ws.account_state(token_id)[0]
    assert revoked is not None and revoked.revoked_at is not None


def test_the_quick_read_is_one_round_trip_bounded_by_the_read_timeout(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    init_workspace(postgres_url)
    token_id = parse_token(add_user(postgres_url, "rita", "reader")[1])[0]
    ws = workspace_of(CaseSource.workspace(postgres_url))
    found = account_and_state(ws.database, token_id)
    assert found is not None and found[0] is not None and found[0].name == "rita"
    assert account_and_state(ws.database, "0123456789") == (None, *found[1:])

    # A table held by a schema change: the quick read gives up after the read timeout (then
    # the careful read does too, with the readable error) instead of waiting for it.
    monkeypatch.setattr(database, "READ_WAIT_SECONDS", 0.3)
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        engine = sa.create_engine(postgres_url)
        with engine.begin() as conn:
            conn.exec_driver_sql("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            locked.set()
            release.wait(20)
        engine.dispose()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        assert account_and_state(ws.database, token_id) is None
        assert time.monotonic() - started < 3
        with pytest.raises(RegionetError):
            ws.account_state(token_id)
        assert time.monotonic() - started < 6
    finally:
        release.set()
        holder.join()
    assert account_and_state(ws.database, token_id) == found


def test_an_unavailable_server_is_said_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # a server that refuses connections: the quick read's error is the readable one, and
    # the careful read is not tried as well (an outage's 503 would take twice as long)
    ws = Workspace("postgresql+psycopg://postgres@127.0.0.1:9/regionet_nowhere")
    ws._schema_current = True   # as after a first read found the current schema
    tried: list[bool] = []
    monkeypatch.setattr(Workspace, "snapshot", lambda self: tried.append(True))
    with pytest.raises(DatabaseUnavailableError, match="not available"):
        ws.account_state("0123456789")
    assert tried == []
    ws.close()
