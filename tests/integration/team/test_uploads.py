"""``POST /api/imports``: uploaded files, all or nothing, with the CLI's messages."""

from __future__ import annotations

import getpass
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from regionet.core.errors import ValidationError
from regionet.services.workspace import validate_files

ACTORS = ("id,kind,name_en,sources\n"
          "up-org-1,organization,Barents Uploads,sergounin-1999:para 14\n")
GOOD_TIES = ("id,kind,actors,sources\n"
             "t-up-1,cooperation,up-org-1;RU-MUR,sergounin-1999:para 14\n"
             "t-up-2,cooperation,up-org-1;RU-ARK,sergounin-1999:para 14\n")
BAD_TIES = GOOD_TIES + "t-up-3,cooperation,up-org-1;RU-XX,sergounin-1999:para 14\n"


def _counts(db: Path) -> tuple[int, int, int]:
    with sqlite3.connect(db) as conn:
        return tuple(conn.execute(  # type: ignore[return-value]
            "SELECT (SELECT count(*) FROM actors), (SELECT count(*) FROM ties), "
            "(SELECT count(*) FROM history)").fetchone())


def _files(ties: str) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("files", ("actors.csv", ACTORS.encode(), "text/csv")),
            ("files", ("ties.csv", ties.encode(), "text/csv"))]


def test_an_upload_with_a_bad_row_writes_nothing_and_names_it_as_the_cli_does(
        api: Callable[..., Any], team: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    db, _ = team
    before = _counts(db)
    refused = api("POST", "/api/imports", as_="ada", files=_files(BAD_TIES))
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    [problem] = refused.json()["errors"]
    assert (problem["file"], problem["row"], problem["field"], problem["value"]) == (
        "ties.csv", 3, "actors", "RU-XX")
    (tmp_path / "actors.csv").write_text(ACTORS, encoding="utf-8")
    (tmp_path / "ties.csv").write_text(BAD_TIES, encoding="utf-8")
    with pytest.raises(ValidationError) as cli:
        validate_files(db, [tmp_path / "actors.csv", tmp_path / "ties.csv"])
    assert refused.json()["detail"] == str(cli.value)
    assert _counts(db) == before
    editor = api("POST", "/api/imports", as_="ed", files=_files(BAD_TIES))
    assert editor.status_code == 422
    assert api("GET", "/api/proposals", as_="rita").json()["count"] == 0
    assert api("POST", "/api/imports", files=_files(GOOD_TIES)).status_code == 401
    assert api("POST", "/api/imports", as_="rita", files=_files(GOOD_TIES)).status_code == 403
    assert api("POST", "/api/imports", as_="gone", files=_files(GOOD_TIES)).status_code == 401
    assert _counts(db) == before


def test_an_admins_upload_is_imported_an_editors_is_proposed_then_accepted(
        api: Callable[..., Any], team: tuple[Path, dict[str, str]]) -> None:
    db, _ = team
    actors, ties, history = _counts(db)
    proposed = api("POST", "/api/imports", as_="ed", files=_files(GOOD_TIES))
    assert proposed.status_code == 202, proposed.json()
    body = proposed.json()
    assert (body["action"], body["author"], body["payload"]["rows"]) == (
        "import", "ed", {"actors": 1, "ties": 2})
    assert _counts(db) == (actors, ties, history)  # proposed only
    pid = body["id"]
    assert api("POST", f"/api/proposals/{pid}/accept", as_="ed",
               json={"status": "verified"}).status_code == 403
    accepted = api("POST", f"/api/proposals/{pid}/accept", as_="rev",
                   json={"status": "verified"})
    assert accepted.status_code == 200, accepted.json()
    assert _counts(db) == (actors + 1, ties + 2, history + 3)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT record_id, action, who, proposal_id FROM history "
                            "ORDER BY record_id").fetchall() == [
            ("t-up-1", "import", "ed", pid), ("t-up-2", "import", "ed", pid),
            ("up-org-1", "import", "ed", pid)]
    # the same files again: every key exists now, nothing is written
    again = api("POST", "/api/imports", as_="ada", files=_files(GOOD_TIES))
    assert again.status_code == 422
    assert _counts(db) == (actors + 1, ties + 2, history + 3)
    more = "id,kind,actors,sources\nt-up-9,cooperation,up-org-1;RU-KR,sergounin-1999:para 14\n"
    direct = api("POST", "/api/imports", as_="ada",
                 files=[("files", ("extra_ties.csv", more.encode(), "text/csv"))])
    assert direct.status_code == 200 and direct.json() == {"imported": {"ties": 1}}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT who, action FROM history WHERE record_id = 't-up-9'"
                            ).fetchall() == [("ada", "import")]
    bad_name = api("POST", "/api/imports", as_="ada",
                   files=[("files", ("parties.csv", more.encode(), "text/csv"))])
    assert bad_name.status_code in (400, 422) and "parties.csv" in bad_name.json()["detail"]
    assert getpass.getuser()  # the CLI's importer name exists on this machine


def test_errors_name_the_uploaded_file_never_the_servers_temporary_path(
        api: Callable[..., Any]) -> None:
    refused = api("POST", "/api/imports", as_="ada",
                  files=[("files", ("ties.csv", b"\xff\xfe id", "text/csv"))])
    assert refused.status_code == 422
    body = refused.json()
    assert body["file"] == "ties.csv" and body["errors"][0]["file"] == "ties.csv"
    assert "/tmp" not in refused.text and "regionet-upload" not in refused.text
    assert body["detail"].startswith("ties.csv: 1 problem(s) found; nothing was written:\n"
                                     "  - ties.csv: not UTF-8 text")
    traversal = api("POST", "/api/imports", as_="ada",
                    files=[("files", ("../ties.csv", b"id\n", "text/csv"))])
    assert traversal.status_code == 422 and traversal.json()["value"] == "../ties.csv"
