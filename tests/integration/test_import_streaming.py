"""Streamed imports: bounded problem lists, repeated keys, a failure during the staged copy."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from regionet.core.errors import RegionetError, ValidationError
from regionet.services.workspace import import_files, init_workspace, validate_files
from regionet.storage import mapping
from regionet.storage.imports import MAX_PROBLEMS

HEAD = "id,kind,actors,start,sources\n"


def dump(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = sqlite3.connect(db)
    try:
        names = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {n: sorted(con.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr)
                for n in names}
    finally:
        con.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "ws.db"
    init_workspace(path)
    return path


def test_problems_past_the_limit_are_counted_not_listed(db: Path, tmp_path: Path) -> None:
    extra = 37
    rows = [f"t-{i},coperation,RU-KR;FI,1999,sergounin-1999:para 12\n"
            for i in range(MAX_PROBLEMS + extra)]
    path = tmp_path / "ties.csv"
    path.write_text(HEAD + "".join(rows), encoding="utf-8")
    before = dump(db)
    with pytest.raises(ValidationError) as info:
        validate_files(db, [path])
    problems = info.value.errors
    assert len(problems) == MAX_PROBLEMS + 1
    assert [(p.row, p.field) for p in problems[:2]] == [(1, "kind"), (2, "kind")]
    assert str(problems[-1]) == (f"{extra} more problem(s) not listed (an import lists the "
                                 f"first {MAX_PROBLEMS})")
    with pytest.raises(ValidationError):
        import_files(db, [path])
    assert dump(db) == before


def test_a_repeated_key_reports_the_repetition_not_the_rows_other_problems(
        db: Path, tmp_path: Path) -> None:
    path = tmp_path / "ties.csv"
    path.write_text(HEAD
                    + "t-one,cooperation,RU-KR;FI,1999,sergounin-1999:para 12\n"
                    + "t-one,coperation,RU-KR;XX,1999,nemo:p 1\n"  # repeated, and bad
                    + "t-no-pechenganikel-pledge,coperation,RU-KR;FI,1999,nemo:p\n"  # stored
                    + "t-two,coperation,RU-KR;FI,1999,sergounin-1999:para 12\n",
                    encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        validate_files(db, [path])
    got = [(p.row, p.field, str(p.value), p.message) for p in info.value.errors]
    assert got == [
        (2, "id", "t-one", "duplicate in the batch (first in ties.csv, row 1)"),
        (3, "id", "t-no-pechenganikel-pledge", "already in the workspace"),
        (4, "kind", "coperation", "unknown tie kind")]


def test_a_failure_while_copying_staged_rows_rolls_everything_back(
        db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "documents.csv").write_text("id,title\nnew-doc,A new document\n",
                                            encoding="utf-8")
    (tmp_path / "ties.csv").write_text(
        HEAD + "".join(f"t-{i},cooperation,RU-KR;FI,1999,new-doc:p {i}\n" for i in range(50)),
        encoding="utf-8")
    before = dump(db)
    real = mapping.insert_rows
    copied: list[str] = []

    def failing(conn, table, rows):  # type: ignore[no-untyped-def]
        real(conn, table, rows)
        if not isinstance(rows, list):
            copied.append(table)
            if table == "tie_domains" or table == "sources":
                raise RegionetError("disk full while copying")

    monkeypatch.setattr(mapping, "insert_rows", failing)
    with pytest.raises(RegionetError, match="disk full"):
        import_files(db, [tmp_path / "documents.csv", tmp_path / "ties.csv"])
    assert copied[:2] == ["ties", "tie_actors"]  # the ties were copied, then it failed
    assert dump(db) == before
