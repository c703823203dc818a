"""A new SQLite workspace gets 16 KiB pages; a file made with other pages keeps them and works."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import regionet as rn
from regionet.services.workspace import import_files
from regionet.storage import Workspace
from regionet.storage.database import PAGE_SIZE

HEAD = "id,kind,actors,start,sources\n"


def pragma(path: Path, name: str) -> object:
    with sqlite3.connect(path) as con:
        return con.execute(f"PRAGMA {name}").fetchone()[0]


def ties(path: Path, n: int) -> Path:
    subjects = sorted(a.id for a in rn.load_case("russia-1990s").members())
    path.write_text(HEAD + "".join(
        f"t-p-{i:05d},cooperation,{subjects[i % 40]};{subjects[40 + i % 40]},2000,"
        "sergounin-1999:para 11\n" for i in range(n)), encoding="utf-8")
    return path


def test_a_new_workspace_has_the_page_size_and_wal(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    Workspace(db).init(rn.load_case("russia-1990s"))
    assert PAGE_SIZE == 16384
    assert (pragma(db, "page_size"), pragma(db, "journal_mode")) == (16384, "wal")


def test_a_workspace_with_4_kib_pages_keeps_them_and_imports(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as con:  # as an earlier regionet made its files
        con.execute("PRAGMA page_size=4096")
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE t (x INTEGER)")  # the header is written: pages are fixed
    Workspace(db).init(rn.load_case("russia-1990s"), overwrite=True)
    assert import_files(str(db), [ties(tmp_path / "ties.csv", 300)]) == {"ties": 300}
    assert (pragma(db, "page_size"), pragma(db, "integrity_check")) == (4096, "ok")
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM ties WHERE id LIKE 't-p-%'").fetchone() == (
            300,)


def test_a_rollback_journal_file_with_tables_keeps_its_pages(tmp_path: Path) -> None:
    """SQLite ignores the page size for a file with content: switching it to WAL loses nothing."""
    db = tmp_path / "rollback.db"
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA page_size=8192")
        con.execute("CREATE TABLE keep (x INTEGER)")
        con.execute("INSERT INTO keep VALUES (7)")
    Workspace(db).init(rn.load_case("russia-1990s"), overwrite=True)
    assert (pragma(db, "page_size"), pragma(db, "journal_mode")) == (8192, "wal")
