"""Accounts and roles: `regionet users`, bearer tokens, and who may call which endpoint."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from regionet.core.errors import AuthenticationError
from regionet.interfaces.api import create_app
from regionet.interfaces.cli.app import app
from regionet.services.workspace import init_workspace

TIE = "t-no-pechenganikel-pledge"
TOKEN = re.compile(r"rn_[0-9a-f]{10}_[0-9a-f]{64}")


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_users_add_prints_a_token_once_and_stores_only_its_argon2_hash(tmp_path: Path) -> None:
    db = str(tmp_path / "w.db")
    init_workspace(db, "russia-1990s")
    added = _cli("users", "add", "ana", "--role", "editor", "--db", db)
    assert added.exit_code == 0, added.output
    lines = added.output.splitlines()
    assert lines[0] == "Account ana (editor) created. Its token, shown only now:"
    assert TOKEN.fullmatch(lines[1])
    token = lines[1]
    with sqlite3.connect(db) as conn:
        stored = conn.execute("SELECT name, role, token_id, token_hash, revoked_at FROM users"
                              ).fetchall()
    assert len(stored) == 1
    name, role, token_id, token_hash, revoked = stored[0]
    assert (name, role, revoked) == ("ana", "editor", None)
    assert token_id == token.split("_")[1] and token_hash.startswith("$argon2id$")
    assert token.split("_")[2] not in Path(db).read_bytes().decode("latin-1")
    listed = _cli("users", "list", "--json", "--db", db)
    rows = json.loads(listed.output)
    assert [sorted(r) for r in rows] == [["created_at", "name", "revoked_at", "role"]]
    assert (rows[0]["name"], rows[0]["role"], rows[0]["revoked_at"]) == ("ana", "editor", None)
    assert token not in listed.output and token_hash not in listed.output

    again = _cli("users", "add", "ana", "--role", "reader", "--db", db)
    assert again.exit_code != 0 and "an account with this name exists" in str(again.exception)
    bad_role = _cli("users", "add", "bo", "--role", "boss", "--db", db)
    assert "unknown role" in str(bad_role.exception) and "boss" in str(bad_role.exception)

    role = _cli("users", "role", "ana", "reviewer", "--db", db)
    assert role.output.strip() == "Account ana is now reviewer."
    revoked = _cli("users", "revoke", "ana", "--db", db)
    assert revoked.output.startswith("Account ana revoked at ")
    after = json.loads(_cli("users", "list", "--json", "--db", db).output)
    assert after[0]["role"] == "reviewer" and after[0]["revoked_at"] is not None
    client = TestClient(create_app(db, dashboard=False))
    refused = client.get("/api/ties", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert refused.json()["detail"] == ("field 'Authorization': unknown or revoked token. "
                                        "Ask an admin for a new token")


def test_reads_need_a_token_unless_the_app_is_public(team: tuple[Path, dict[str, str]]
                                                     ) -> None:
    db, tokens = team
    private = TestClient(create_app(db, dashboard=False))
    anonymous = private.get("/api/ties")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == 'Bearer realm="regionet"'
    assert anonymous.headers["content-type"] == "application/problem+json"
    assert private.get("/api/health").status_code == 200
    reader = private.get("/api/ties", headers={"Authorization": f"Bearer {tokens['rita']}"})
    assert reader.status_code == 200 and reader.json()["count"] == 161
    wrong = private.get("/api/ties", headers={"Authorization": "Bearer rn_0000000000_" + "0" * 64})
    assert wrong.status_code == 401
    basic = private.get("/api/ties", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert basic.status_code == 401 and basic.json()["expected"] == "Bearer <token>"
    public = TestClient(create_app(db, dashboard=False, public_read=True))
    assert public.get("/api/ties").json()["count"] == 161
    assert public.post("/api/ties", json={"id": "t-x"}).status_code == 401  # writes: never
    bundled = TestClient(create_app(None, dashboard=False))  # the bundled case is public
    assert bundled.get("/api/ties").status_code == 200


def _writes(etag: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every write endpoint with a valid request (the matrix is about who sends it)."""
    match = {"If-Match": etag}
    return [
        ("POST", "/api/ties", {"json": {"id": "t-new", "kind": "pledge", "actors": "NO;RU-MUR",
                                        "sources": "sergounin-1999:para 14"}}),
        ("PUT", f"/api/ties/{TIE}", {"json": {"id": TIE, "kind": "pledge"}, "headers": match}),
        ("DELETE", f"/api/ties/{TIE}", {"headers": match}),
        ("POST", "/api/actors", {"json": {"id": "FI-X", "kind": "state", "name_en": "X",
                                          "sources": "sergounin-1999:para 1"}}),
        ("PUT", "/api/actors/NO", {"json": {"id": "NO"}, "headers": match}),
        ("DELETE", "/api/actors/NO", {"headers": match}),
        ("POST", "/api/observations", {"json": {"id": "o-x"}}),
        ("PUT", "/api/observations/o-x", {"json": {"id": "o-x"}, "headers": match}),
        ("DELETE", "/api/observations/o-x", {"headers": match}),
        ("POST", "/api/sources", {"json": {"id": "doc-x", "title": "X"}}),
        ("PUT", "/api/sources/sergounin-1999", {"json": {"id": "sergounin-1999"},
                                                "headers": match}),
        ("DELETE", "/api/sources/sergounin-1999", {"headers": match}),
        ("POST", "/api/proposals/1/accept", {"json": {"status": "verified"}}),
        ("POST", "/api/proposals/1/reject", {"json": {"reason": "no source"}}),
    ]


def test_every_write_endpoint_refuses_no_token_a_reader_and_a_revoked_token(
        api: Callable[..., Any]) -> None:
    etag = api("GET", f"/api/ties/{TIE}/row", as_="rita").headers["etag"]
    outcomes = {}
    for method, path, kw in _writes(etag):
        got = (api(method, path, **kw).status_code,
               api(method, path, as_="rita", **kw).status_code,
               api(method, path, as_="gone", **kw).status_code)
        outcomes[f"{method} {path}"] = got
    assert outcomes == {f"{m} {p}": (401, 403, 401) for m, p, _ in _writes(etag)}
    no_token = api("DELETE", f"/api/ties/{TIE}", headers={"If-Match": etag})
    assert no_token.headers["www-authenticate"] == 'Bearer realm="regionet"'
    reader = api("DELETE", f"/api/ties/{TIE}", as_="rita", headers={"If-Match": etag}).json()
    assert reader["detail"] == ("field 'role', value 'reader': proposing a delete is not "
                                "allowed for the role reader (expected editor or a more "
                                "allowed role)")
    assert api("GET", "/api/proposals", as_="ada").json()["count"] == 0  # nothing stored


@pytest.mark.parametrize(("author", "reviewer"), [("ed", "rev"), ("rev", "ada")])
def test_nobody_accepts_their_own_proposal_a_reviewer_or_admin_accepts_others(
        api: Callable[..., Any], author: str, reviewer: str) -> None:
    row = api("GET", f"/api/ties/{TIE}/row", as_=author)
    proposed = api("PUT", f"/api/ties/{TIE}", as_=author,
                   headers={"If-Match": row.headers["etag"]},
                   json={**row.json()["row"], "note": "checked against the memo"})
    assert proposed.status_code == 202
    pid = proposed.json()["id"]
    own = api("POST", f"/api/proposals/{pid}/accept", as_=author, json={"status": "verified"})
    assert own.status_code == 403
    if author == "ed":  # an editor may not accept at all
        assert own.json()["field"] == "role"
    else:  # a reviewer may, but not their own proposal
        assert own.json()["detail"] == (
            f"field 'proposal_id', value '{pid}': a proposal cannot be reviewed by its "
            "author (expected a proposal by someone else)")
    assert api("POST", f"/api/proposals/{pid}/accept", as_="eve",
               json={"status": "verified"}).status_code == 403
    accepted = api("POST", f"/api/proposals/{pid}/accept", as_=reviewer,
                   json={"status": "verified"})
    assert accepted.status_code == 200
    assert (accepted.json()["state"], accepted.json()["author"], accepted.json()["reviewer"],
            accepted.json()["status_given"]) == ("accepted", author, reviewer, "verified")
    again = api("POST", f"/api/proposals/{pid}/accept", as_=reviewer,
                json={"status": "verified"})
    assert again.status_code == 409
    assert again.json()["detail"].endswith(f"proposal {pid} was already accepted "
                                           "(expected a proposal under review)")


def test_requests_arriving_together_check_a_new_token_against_its_hash_once(
        team: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """A restart under load: eight requests with one token, one argon2 check (not eight)."""
    import threading
    import time

    from regionet.services import accounts
    from regionet.services.case_source import CaseSource

    db, tokens = team
    checks: list[str] = []
    hasher = accounts._HASHER

    class Counted:
        def verify(self, token_hash: str, token: str) -> bool:
            checks.append(token)
            time.sleep(0.1)   # argon2 is slow on purpose: the others arrive meanwhile
            return hasher.verify(token_hash, token)

    monkeypatch.setattr(accounts, "_HASHER", Counted())
    monkeypatch.setattr(accounts, "_VERIFIED", {})
    source = CaseSource.workspace(db)
    start = threading.Barrier(8)
    found: list[accounts.Principal] = []

    def one() -> None:
        start.wait()
        found.append(accounts.authenticate(source, tokens["rita"]))

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [accounts.Principal("rita", "reader")] * 8
    assert checks == [tokens["rita"]]
    with pytest.raises(AuthenticationError):   # a wrong secret is still checked, and refused
        accounts.authenticate(source, tokens["rita"][:-4] + "0000")
    assert len(checks) == 2
