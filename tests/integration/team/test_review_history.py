"""Review with ETags, the history of every change, revert, and history that cannot be edited."""

from __future__ import annotations

import getpass
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from regionet.core.errors import ValidationError
from regionet.interfaces.cli.app import app
from regionet.services.accounts import Principal
from regionet.services.case_source import CaseSource
from regionet.services.history import record_history, revert
from regionet.services.reviews import accept, current, propose
from regionet.services.workspace import import_files, init_workspace, validate_files

TIE = "t-no-pechenganikel-pledge"
ME = f"cli:{getpass.getuser()}"


def _row(api: Callable[..., Any], path: str) -> tuple[dict[str, str], str]:
    got = api("GET", path + "/row", as_="rita")
    assert got.status_code == 200
    assert got.headers["etag"] == got.json()["etag"]
    return got.json()["row"], got.headers["etag"]


def _revision(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT revision FROM case_info").fetchone()[0])


def test_an_accepted_update_is_applied_with_its_status_and_written_to_history(
        api: Callable[..., Any], team: tuple[Path, dict[str, str]]) -> None:
    db, _ = team
    before, etag = _row(api, f"/api/ties/{TIE}")
    assert before["status"] == "partial"
    revision = _revision(db)
    changed = {**before, "description": "Norwegian pledge to modernise Pechenganikel"}
    missing = api("PUT", f"/api/ties/{TIE}", as_="ed", json=changed)
    assert missing.status_code == 428 and missing.json()["field"] == "If-Match"
    stale = api("PUT", f"/api/ties/{TIE}", as_="ed", json=changed,
                headers={"If-Match": '"0123"'})
    assert stale.status_code == 412
    assert stale.json()["current"] == before and stale.headers["etag"] == etag
    proposed = api("PUT", f"/api/ties/{TIE}", as_="ed", json=changed,
                   headers={"If-Match": etag})
    assert proposed.status_code == 202
    assert proposed.headers["location"] == f"/api/proposals/{proposed.json()['id']}"
    # proposed, not applied: readers still see the accepted record; the queue shows it
    assert api("GET", f"/api/ties/{TIE}", as_="rita").json()["description"] \
        == before["description"]
    queue = api("GET", "/api/proposals", as_="rita", params={"state": "proposed"}).json()
    assert [(p["id"], p["action"], p["record_id"], p["author"]) for p in queue["data"]] == [
        (proposed.json()["id"], "update", TIE, "ed")]
    assert _revision(db) == revision
    # a second editor on the same version: refused, with the current record
    second = api("PUT", f"/api/ties/{TIE}", as_="eve", json={**before, "note": "eve's"},
                 headers={"If-Match": etag})
    assert second.status_code == 412 and second.json()["current"] == before
    assert f"proposal {proposed.json()['id']} by ed already changes" in second.json()["detail"]

    pid = proposed.json()["id"]
    accepted = api("POST", f"/api/proposals/{pid}/accept", as_="rev",
                   json={"status": "assumed"})
    assert accepted.status_code == 200
    after, new_etag = _row(api, f"/api/ties/{TIE}")
    assert after == {**changed, "status": "assumed"} and new_etag != etag
    assert api("GET", f"/api/ties/{TIE}", as_="rita").json()["status"] == "assumed"
    assert _revision(db) == revision + 1
    history = api("GET", f"/api/ties/{TIE}/history", as_="rita").json()
    assert history["etag"] == new_etag and history["resource"] == "ties"
    [entry] = history["versions"]
    assert {k: entry[k] for k in ("version", "action", "who", "proposal")} == {
        "version": 1, "action": "update", "who": "ed", "proposal": pid}
    assert entry["before"] == before and entry["after"] == after
    assert entry["at"] == accepted.json()["reviewed_at"]
    # the old ETag is stale now
    late = api("DELETE", f"/api/ties/{TIE}", as_="eve", headers={"If-Match": etag})
    assert late.status_code == 412 and late.json()["current"] == after


def test_a_rejection_needs_a_reason_and_changes_nothing(api: Callable[..., Any]) -> None:
    before, etag = _row(api, f"/api/ties/{TIE}")
    pid = api("DELETE", f"/api/ties/{TIE}", as_="ed", headers={"If-Match": etag}).json()["id"]
    empty = api("POST", f"/api/proposals/{pid}/reject", as_="rev", json={"reason": "  "})
    assert empty.status_code == 422 and empty.json()["field"] == "reason"
    rejected = api("POST", f"/api/proposals/{pid}/reject", as_="rev",
                   json={"reason": "the memo still lists it"})
    assert rejected.status_code == 200
    assert (rejected.json()["state"], rejected.json()["reason"]) == (
        "rejected", "the memo still lists it")
    assert _row(api, f"/api/ties/{TIE}") == (before, etag)
    assert api("GET", f"/api/ties/{TIE}/history", as_="rita").json()["versions"] == []
    # the record is free again for a new proposal
    assert api("DELETE", f"/api/ties/{TIE}", as_="eve",
               headers={"If-Match": etag}).status_code == 202


def test_accepting_a_proposal_on_a_stale_base_is_409_naming_it(
        api: Callable[..., Any], team: tuple[Path, dict[str, str]]) -> None:
    db, _ = team
    before, etag = _row(api, f"/api/ties/{TIE}")
    first = api("PUT", f"/api/ties/{TIE}", as_="ed", headers={"If-Match": etag},
                json={**before, "note": "first"}).json()["id"]
    api("POST", f"/api/proposals/{first}/accept", as_="rev", json={"status": "partial"})
    after, etag2 = _row(api, f"/api/ties/{TIE}")
    second = api("PUT", f"/api/ties/{TIE}", as_="ed", headers={"If-Match": etag2},
                 json={**after, "note": "second"}).json()["id"]
    revert(db, TIE, 0)  # a direct change (CLI) while the proposal waits
    late = api("POST", f"/api/proposals/{second}/accept", as_="rev",
               json={"status": "partial"})
    assert late.status_code == 409
    assert late.json()["detail"].startswith(
        f"field 'proposal_id', value '{second}': proposal {second} was made on a version of "
        f"{TIE} that is no longer current")
    assert late.json()["current"] == before
    assert api("GET", f"/api/proposals/{second}", as_="rita").json()["state"] == "proposed"
    assert _row(api, f"/api/ties/{TIE}") == (before, etag)


def test_a_refused_change_has_the_cli_imports_messages_and_writes_nothing(
        api: Callable[..., Any], team: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    db, _ = team
    bad = {"id": "t-new", "kind": "pledgex", "actors": "NO;RU-XX",
           "sources": "sergounin-1999:para 14"}
    refused = api("POST", "/api/ties", as_="ed", json=bad)
    assert refused.status_code == 422
    file = tmp_path / "ties.json"
    file.write_text('[{"id": "t-new", "kind": "pledgex", "actors": "NO;RU-XX", '
                    '"sources": "sergounin-1999:para 14"}]', encoding="utf-8")
    with pytest.raises(ValidationError) as cli:
        validate_files(db, [file])
    assert [e["detail"] for e in refused.json()["errors"]] == [
        str(e) for e in cli.value.errors]
    assert [(e["field"], e["value"]) for e in refused.json()["errors"]] == [
        ("kind", "pledgex"), ("actors", "RU-XX")]
    assert api("GET", "/api/proposals", as_="rita").json()["count"] == 0
    wrong_id = api("PUT", f"/api/ties/{TIE}", as_="ed", json={"id": "t-other"},
                   headers={"If-Match": '"x"'})
    assert wrong_id.status_code == 422 and wrong_id.json()["expected"] == TIE
    referred = api("DELETE", "/api/actors/NO", as_="ed",
                   headers={"If-Match": _row(api, "/api/actors/NO")[1]})
    assert referred.status_code == 409
    assert "the actor is still referred to by" in referred.json()["detail"]
    assert "tie_actors.actor_id" in referred.json()["detail"]


def test_create_delete_and_revert_an_observation_round_trip(
        api: Callable[..., Any], team: tuple[Path, dict[str, str]]) -> None:
    db, _ = team
    new = {"id": "o-team-1", "indicator": "population", "subject": "RU-MUR",
           "value": "1000000", "unit": "persons", "start": "1998", "end": "1998",
           "sources": "sergounin-1999:para 14"}
    indicators = {o["indicator"] for o in
                  api("GET", "/api/observations", as_="rita").json()["data"]}
    new["indicator"] = sorted(indicators)[0]
    created = api("POST", "/api/observations", as_="ed", json=new)
    assert created.status_code == 202, created.json()
    api("POST", f"/api/proposals/{created.json()['id']}/accept", as_="rev",
        json={"status": "partial"})
    row, etag = _row(api, "/api/observations/o-team-1")
    assert row["status"] == "partial" and row["value"] == "1000000"
    pid = api("DELETE", "/api/observations/o-team-1", as_="ed",
              headers={"If-Match": etag}).json()["id"]
    api("POST", f"/api/proposals/{pid}/accept", as_="ada", json={"status": "verified"})
    assert api("GET", "/api/observations/o-team-1/row", as_="rita").status_code == 404
    history = record_history(CaseSource.workspace(db), "o-team-1")
    assert [(v["version"], v["action"], v["who"], v["before"], v["after"])
            for v in history["versions"]] == [(1, "create", "ed", None, row),
                                              (2, "delete", "ed", row, None)]
    assert history["etag"] is None
    result = CliRunner().invoke(app, ["data", "revert", "o-team-1", "--to", "1", "--db",
                                      str(db)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"o-team-1 reverted to version 1: now version 3 (by {ME})."
    assert _row(api, "/api/observations/o-team-1") == (row, etag)
    third = record_history(CaseSource.workspace(db), "o-team-1")["versions"][2]
    assert (third["action"], third["who"], third["before"], third["after"]) == (
        "revert", ME, None, row)
    shown = CliRunner().invoke(app, ["data", "history", "o-team-1", "--db", str(db)])
    assert "revert" in shown.output and "create" in shown.output


def test_revert_to_the_original_and_back(team: tuple[Path, dict[str, str]]) -> None:
    db, _ = team
    source = CaseSource.workspace(db)
    ed, rev = Principal("ed", "editor"), Principal("rev", "reviewer")
    original = record_history(source, TIE)
    assert original["versions"] == []
    row, etag = current(source, "ties", TIE)
    p = propose(source, ed, "ties", "update", TIE, {**row, "amount": "250000000"},
                if_match=etag)
    accept(source, rev, p["id"], "partial")
    changed, _ = current(source, "ties", TIE)
    assert changed["amount"] == "250000000"
    revert(db, TIE, 0)
    assert current(source, "ties", TIE) == (row, etag)
    revert(db, TIE, 1)
    assert current(source, "ties", TIE)[0] == changed
    actions = [(v["version"], v["action"]) for v in record_history(source, TIE)["versions"]]
    assert actions == [(1, "update"), (2, "revert"), (3, "revert")]
    with pytest.raises(Exception, match="already as it was at version 1"):
        revert(db, TIE, 1)
    with pytest.raises(Exception, match="unknown version"):
        revert(db, TIE, 7)


def test_history_rows_cannot_be_updated_or_deleted_on_sqlite(
        team: tuple[Path, dict[str, str]]) -> None:
    db, _ = team
    source = CaseSource.workspace(db)
    _row_now, etag = current(source, "ties", TIE)
    p = propose(source, Principal("ed", "editor"), "ties", "delete", TIE, if_match=etag)
    accept(source, Principal("rev", "reviewer"), p["id"], "verified")
    with sqlite3.connect(db) as conn:
        for statement in ("UPDATE history SET who = 'someone else'", "DELETE FROM history"):
            with pytest.raises(sqlite3.IntegrityError,
                               match="history is append-only: rows cannot be updated or "
                                     "deleted"):
                conn.execute(statement)
        assert conn.execute("SELECT count(*), min(who) FROM history").fetchone() == (1, "ed")


def test_a_cli_import_writes_history_set_wise(team: tuple[Path, dict[str, str]],
                                              tmp_path: Path) -> None:
    db, _ = team
    ties = tmp_path / "ties.csv"
    ties.write_text("id,kind,actors,sources\n"
                    "t-imp-1,pledge,NO;RU-MUR,sergounin-1999:para 14\n"
                    "t-imp-2,pledge,NO;RU-ARK,sergounin-1999:para 14\n", encoding="utf-8")
    import_files(db, [ties])
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT resource, record_id, version, action, who, before, after "
                            "FROM history ORDER BY record_id").fetchall()
    assert rows == [("ties", "t-imp-1", 1, "import", ME, None, None),
                    ("ties", "t-imp-2", 1, "import", ME, None, None)]
    source = CaseSource.workspace(db)
    history = record_history(source, "t-imp-2")
    assert history["versions"][0]["after"] is None
    # the imported version's state is the record as stored: revert to it after a change
    row, etag = current(source, "ties", "t-imp-2")
    p = propose(source, Principal("ed", "editor"), "ties", "update", "t-imp-2",
                {**row, "note": "edited"}, if_match=etag)
    accept(source, Principal("rev", "reviewer"), p["id"], "verified")
    revert(db, "t-imp-2", 1)
    assert current(source, "ties", "t-imp-2") == (row, etag)


def test_a_schema_4_workspace_gets_the_team_tables_and_guards(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    init_workspace(db, "russia-1990s")
    with sqlite3.connect(db) as conn:
        for name in ("history_no_update", "history_no_delete"):
            conn.execute(f"DROP TRIGGER {name}")
        for table in ("history", "proposals", "users"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("UPDATE case_info SET schema_version = 4")
        conn.execute("UPDATE alembic_version SET version_num = '0004'")  # migrated to 4 only
    assert record_history(CaseSource.workspace(db), TIE)["versions"] == []
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT schema_version FROM case_info").fetchone() == (5,)
        assert conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                            "ORDER BY name").fetchall() == [("history_no_delete",),
                                                             ("history_no_update",)]
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = "
                                           "'table'")} >= {"users", "proposals", "history"}
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0005",)]


def test_postgresql_review_history_guards_and_the_app_role(pg_url: str) -> None:
    init_workspace(pg_url, "russia-1990s")
    source = CaseSource.workspace(pg_url)
    row, etag = current(source, "ties", TIE)
    p = propose(source, Principal("ed", "editor"), "ties", "update", TIE,
                {**row, "note": "pg"}, if_match=etag)
    accept(source, Principal("rev", "reviewer"), p["id"], "verified")
    assert current(source, "ties", TIE)[0] == {**row, "note": "pg", "status": "verified"}
    engine = sa.create_engine(pg_url)
    try:
        for statement in ("UPDATE history SET who = 'x'", "DELETE FROM history",
                          "TRUNCATE history"):
            with pytest.raises(sa.exc.DBAPIError, match="history is append-only"), \
                    engine.begin() as conn:
                conn.exec_driver_sql(statement)
        with engine.begin() as conn:  # without the triggers, only the grants stand
            conn.exec_driver_sql("ALTER TABLE history DISABLE TRIGGER USER")
        with engine.begin() as conn:
            conn.exec_driver_sql("SET ROLE regionet_app")
            conn.exec_driver_sql("INSERT INTO history (resource, record_id, version, action, "
                                 "who, at) VALUES ('ties', 't-x', 1, 'create', 'app', 'now')")
            assert conn.exec_driver_sql("SELECT count(*) FROM history").scalar() == 2
        for statement in ("UPDATE history SET who = 'x'", "DELETE FROM history"):
            with pytest.raises(sa.exc.DBAPIError, match="permission denied for table "
                                                        "history"), engine.begin() as conn:
                conn.exec_driver_sql("SET ROLE regionet_app")
                conn.exec_driver_sql(statement)
        with engine.begin() as conn:
            assert conn.exec_driver_sql("SELECT who FROM history ORDER BY seq").scalars(
            ).all() == ["ed", "app"]
    finally:
        engine.dispose()


def test_postgresql_two_editors_at_once_exactly_one_proposal(pg_url: str) -> None:
    import threading

    from regionet.core.errors import PreconditionFailedError

    init_workspace(pg_url, "russia-1990s")
    source = CaseSource.workspace(pg_url)
    row, etag = current(source, "ties", TIE)
    outcomes: dict[str, str] = {}
    barrier = threading.Barrier(4)

    def edit(name: str) -> None:
        barrier.wait()
        try:
            propose(source, Principal(name, "editor"), "ties", "update", TIE,
                    {**row, "note": name}, if_match=etag)
            outcomes[name] = "proposed"
        except PreconditionFailedError:
            outcomes[name] = "412"

    threads = [threading.Thread(target=edit, args=(n,)) for n in ("a", "b", "c", "d")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["412", "412", "412", "proposed"]


def test_list_columns_may_be_json_arrays_like_in_a_json_import(
        api: Callable[..., Any]) -> None:
    created = api("POST", "/api/ties", as_="ed", json={
        "id": "t-arrays", "kind": "pledge", "actors": ["NO", "RU-MUR"],
        "sources": ["sergounin-1999:para 14"], "amount_year": 1998})
    assert created.status_code == 202, created.json()
    assert created.json()["payload"] == {"id": "t-arrays", "kind": "pledge",
                                         "actors": "NO;RU-MUR",
                                         "sources": "sergounin-1999:para 14",
                                         "amount_year": "1998"}
    nested = api("POST", "/api/ties", as_="ed", json={"id": "t-n", "kind": "pledge",
                                                      "description": ["a", "b"]})
    assert nested.status_code == 422
    assert nested.json()["detail"].startswith("ties.json, row 1, field 'description'")
