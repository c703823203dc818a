"""``data dump`` / ``data restore``: a workspace round-trips exactly, across backends too.

A broken dump is refused naming the file (and member) and what is wrong, before anything is
written; a failure while writing leaves the workspace as it was.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from regionet.core.errors import DataFileError
from regionet.services.backup import dump, restore
from regionet.services.case_source import CaseSource
from regionet.services.inputs import add_inputs, list_inputs
from regionet.services.workspace import import_files, init_workspace
from regionet.storage import Workspace, WorkspaceExistsError

Dump = Callable[[str], dict[str, list[tuple[object, ...]]]]
Bundled = Callable[[str], str]
Filled = Callable[[str, Path], str]
TIES = ("id,kind,actors,start,end,amount,currency,sources\n"
        "t-dump-1,cooperation,RU-KR;FI,1997-03-02,,,,sergounin-1999:para 12\n"
        "t-dump-2,loan,nefco;RU-KR,1998,1999-12,1234567.891,ECU,sergounin-1999:para 16\n")


def state(db: str) -> tuple[int, str]:
    with Workspace(db) as ws:
        return ws.state()


def manifest(file: Path) -> dict[str, Any]:
    with zipfile.ZipFile(file) as archive:
        return dict(json.loads(archive.read("manifest.json")))


@pytest.fixture
def filled(bundled_workspace: Bundled) -> Filled:
    """``filled(db, folder)``: the bundled case in ``db`` and :data:`TIES` imported."""
    def fill(db: str, folder: Path) -> str:
        bundled_workspace(db)
        (folder / "ties.csv").write_text(TIES, encoding="utf-8")
        import_files(db, [folder / "ties.csv"])
        return db

    return fill


def test_sqlite_to_postgresql_and_back_is_exact(tmp_path: Path, postgres_url: str,
                                                dump_tables: Dump, filled: Filled) -> None:
    first = filled(str(tmp_path / "a.db"), tmp_path)
    made = dump(first, tmp_path / "a.zip")
    assert (made.revision, made.version) == state(first) and made.revision == 2
    back = restore(postgres_url, tmp_path / "a.zip")
    assert (back.revision, back.version) == state(postgres_url) == state(first)
    assert dump_tables(postgres_url) == dump_tables(first)
    again = dump(postgres_url, tmp_path / "b.zip")
    a, b = manifest(tmp_path / "a.zip"), manifest(tmp_path / "b.zip")
    assert a["tables"] == b["tables"]  # same rows, same order, same checksums
    assert (b["revision"], b["version"], b["migration"]) == (2, made.version, "0005")
    assert again.counts == made.counts and made.counts["ties"] > 100
    restore(str(tmp_path / "c.db"), tmp_path / "b.zip")
    assert dump_tables(str(tmp_path / "c.db")) == dump_tables(first)
    assert state(str(tmp_path / "c.db")) == state(first)
    # the restored workspace is a working one: the next write moves on from the same version
    (tmp_path / "more_ties.csv").write_text(TIES.replace("t-dump", "t-more"), encoding="utf-8")
    import_files(postgres_url, [tmp_path / "more_ties.csv"])
    import_files(str(tmp_path / "c.db"), [tmp_path / "more_ties.csv"])
    assert state(postgres_url) == state(str(tmp_path / "c.db"))


def test_restore_refuses_a_workspace_with_a_case_unless_forced(
        workspace_url: str, tmp_path: Path, dump_tables: Dump, filled: Filled,
        bundled_workspace: Bundled) -> None:
    source = filled(str(tmp_path / "src.db"), tmp_path)
    dump(source, tmp_path / "d.zip")
    bundled_workspace(workspace_url)
    before = dump_tables(workspace_url)
    with pytest.raises(WorkspaceExistsError, match=r"already holds a case \(russia-1990s\)"):
        restore(workspace_url, tmp_path / "d.zip")
    assert dump_tables(workspace_url) == before
    restore(workspace_url, tmp_path / "d.zip", force=True)
    assert dump_tables(workspace_url) == dump_tables(source)
    assert state(workspace_url) == state(source)


def rewrite(src: Path, out: Path, change: Callable[[str, bytes], bytes | None],
            fix_manifest: bool = False) -> Path:
    """Copy a dump, changing members (None drops one); optionally re-sign the manifest."""
    with zipfile.ZipFile(src) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    changed = {n: change(n, d) for n, d in members.items()}
    if fix_manifest:
        meta = json.loads(changed["manifest.json"] or b"{}")
        for table in meta["tables"].values():
            data = changed[table["file"]] or b""
            table["sha256"] = hashlib.sha256(data).hexdigest()
            table["rows"] = len(data.splitlines())
        changed["manifest.json"] = json.dumps(meta).encode()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in changed.items():
            if data is not None:
                archive.writestr(name, data)
    return out


def _schema_6(name: str, data: bytes) -> bytes:
    if name != "manifest.json":
        return data
    return json.dumps({**json.loads(data), "schema_version": 6}).encode()


BROKEN: list[tuple[str, Callable[[str, bytes], bytes | None], bool, str, str]] = [
    ("edited table", lambda n, d: d.replace(b"t-dump-1", b"t-dump-X")
     if n == "tables/ties.jsonl" else d, False, ":tables/ties.jsonl",
     "checksum does not match the manifest's: the file is damaged or was edited"),
    ("missing table", lambda n, d: None if n == "tables/sources.jsonl" else d, False,
     ":tables/sources.jsonl", "missing from the dump (listed in the manifest)"),
    ("no manifest", lambda n, d: None if n == "manifest.json" else d, False, "",
     "no manifest.json in the zip file"),
    ("manifest not JSON", lambda n, d: b"{oops" if n == "manifest.json" else d, False,
     ":manifest.json", "manifest.json is not valid JSON"),
    ("other schema", _schema_6, False, ":manifest.json",
     "the dump holds schema 6; this regionet restores schema 5"),
    ("bad value, re-signed", lambda n, d: d.replace(b'"t-dump-2","loan"', b'"t-dump-2",7')
     if n == "tables/ties.jsonl" else d, True, ":tables/ties.jsonl, row 8",
     "not a ties row (expected text, got 7)"),
    ("bad date, re-signed", lambda n, d: d.replace(b'"1997-03-02"', b'"1997-13-02"')
     if n == "tables/ties.jsonl" else d, True, ":tables/ties.jsonl, row 7",
     "not a ties row (month must be in 1..12)"),
]


@pytest.mark.parametrize(("label", "change", "resign", "member", "message"), BROKEN,
                         ids=[b[0] for b in BROKEN])
def test_a_broken_dump_is_refused_and_changes_nothing(
        workspace_url: str, tmp_path: Path, dump_tables: Dump, label: str,
        change: Callable[[str, bytes], bytes | None], resign: bool, member: str,
        message: str, filled: Filled, bundled_workspace: Bundled) -> None:
    source = filled(str(tmp_path / "src.db"), tmp_path)
    good = dump(source, tmp_path / "good.zip").file
    bad = rewrite(good, tmp_path / "bad.zip", change, fix_manifest=resign)
    bundled_workspace(workspace_url)
    before = dump_tables(workspace_url)
    with pytest.raises(DataFileError) as info:
        restore(workspace_url, bad, force=True)
    text = str(info.value)
    assert text.startswith(f"{bad}{member}: "), text
    assert message in text
    assert dump_tables(workspace_url) == before  # all or nothing, forced or not


def test_not_a_zip_and_no_file(tmp_path: Path) -> None:
    (tmp_path / "x.zip").write_text("hello", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"x\.zip: not a zip file"):
        restore(str(tmp_path / "w.db"), tmp_path / "x.zip")
    with pytest.raises(DataFileError, match=r"nowhere\.zip: no such file"):
        restore(str(tmp_path / "w.db"), tmp_path / "nowhere.zip")
    assert not (tmp_path / "w.db").exists()


def test_registered_inputs_travel_with_a_sqlite_dump(tmp_path: Path, postgres_url: str,
                                                     dump_tables: Dump) -> None:
    db = str(tmp_path / "in.db")
    init_workspace(db)
    (tmp_path / "est.csv").write_text("firm_id,region,headcount,payroll,assets,sales\n"
                                      "oil,RU-KHM,9,1,8,0\noil,RU-MOW,1,1,2,0\n",
                                      encoding="utf-8")
    (tmp_path / "firms.csv").write_text("firm_id,registered_region,profit\noil,RU-MOW,100\n",
                                        encoding="utf-8")
    added = add_inputs(CaseSource.workspace(db), "mine", establishments=tmp_path / "est.csv",
                       firms=tmp_path / "firms.csv")
    made = dump(db, tmp_path / "in.zip")
    assert made.files == 2
    copy = str(tmp_path / "copy" / "out.db")
    restore(copy, tmp_path / "in.zip")
    assert dump_tables(copy) == dump_tables(db)
    got = [(s.name, s.checksum) for s in list_inputs(CaseSource.workspace(copy))]
    assert ("mine", added.checksum) in got
    from regionet.services.fiscal import run_fiscal_year

    result = run_fiscal_year(CaseSource.workspace(copy), 1999, inputs="mine")
    assert result.inputs.checksum == added.checksum
    with pytest.raises(DataFileError, match="a database server cannot hold them"):
        restore(postgres_url, tmp_path / "in.zip")
    assert not Workspace(postgres_url).exists()


def test_a_dump_that_cannot_be_written_or_has_no_workspace_says_so(tmp_path: Path) -> None:
    from regionet.storage import WorkspaceNotFoundError

    with pytest.raises(WorkspaceNotFoundError, match="regionet data init"):
        dump(str(tmp_path / "none.db"), tmp_path / "n.zip")
    assert not (tmp_path / "n.zip").exists() and not (tmp_path / "none.db").exists()
    db = str(tmp_path / "ws.db")
    init_workspace(db)
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        dump(db, tmp_path / "file" / "d.zip")  # a folder that is a file
    assert str(info.value).startswith(f"{tmp_path / 'file' / 'd.zip'}: the dump could not be "
                                      "written (")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "ws.db"]


def test_a_team_workspace_keeps_accounts_proposals_and_history_across_backends(
        tmp_path: Path, postgres_url: str, dump_tables: Dump) -> None:
    """Accounts (hashed tokens), the review queue and the history survive SQLite → PostgreSQL
    → SQLite; on the restored server the old tokens work, new proposals are numbered after
    the restored ones, and the history is still append-only."""
    import sqlalchemy as sa

    from regionet.services import reviews
    from regionet.services.accounts import add_user, authenticate

    first = str(tmp_path / "team.db")
    init_workspace(first)
    ed, rev = (add_user(first, name, role)[1] for name, role in
               (("ed", "editor"), ("rev", "reviewer")))
    source = CaseSource.workspace(first)
    row = {"id": "t-team-1", "kind": "agreement", "actors": "RU-KR;FI",
           "sources": "sergounin-1999:para 16"}
    made = reviews.propose(source, authenticate(source, ed), "ties", "create", "t-team-1", row)
    reviews.accept(source, authenticate(source, rev), made["id"], "partial")
    waiting = reviews.propose(source, authenticate(source, ed), "ties", "create", "t-team-2",
                              {**row, "id": "t-team-2"})
    dump(first, tmp_path / "team.zip")
    restore(postgres_url, tmp_path / "team.zip")
    rows = dump_tables(postgres_url)
    assert rows == dump_tables(first)
    assert len(rows["users"]) == 2 and len(rows["proposals"]) == 2 and rows["history"]
    pg = CaseSource.workspace(postgres_url)
    third = reviews.propose(pg, authenticate(pg, ed), "ties", "create", "t-team-3",
                            {**row, "id": "t-team-3"})
    assert third["id"] == waiting["id"] + 1
    engine = sa.create_engine(postgres_url)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM history")
    engine.dispose()
    dump(postgres_url, tmp_path / "back.zip")
    back = str(tmp_path / "back.db")
    restore(back, tmp_path / "back.zip")
    assert dump_tables(back) == dump_tables(postgres_url)
