"""Staging's duplicate search and the history entries of staged rows (storage/staging.py,
storage/history.py).

Ties staged in key order, one key row each, cannot repeat a key: :meth:`Staging.duplicates`
then skips the search for repeats (a sort of every key). A key row of a row that was not
staged (an invalid row) may still repeat a staged key, and must still be found. History
entries of staged ties are numbered in key order; a resource without history takes
version 1 without a lookup per id, one with history the next version of each record.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from regionet.storage.history import append_set
from regionet.storage.schema import METADATA, create_schema
from regionet.storage.staging import SORT_CACHE_BYTES, Staging, scratch_staging


@pytest.fixture
def conn() -> Iterator[sa.Connection]:
    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        create_schema(connection)
        yield connection


def _statements(conn: sa.Connection) -> list[str]:
    seen: list[str] = []

    @sa.event.listens_for(conn, "before_cursor_execute")
    def _log(_c: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    return seen


def _coded(key: str) -> tuple[Any, ...]:
    """A coded tie (CODED_COLUMNS) whose codes are all 0, between RU-KR and FI-19."""
    return (key, "loan", 0, 0, 0, "", "", "", 0, "", 0, "", 0, 0, "RU-KR", "FI-19", "", "")


def _stage_ordered(conn: sa.Connection, ids: list[str]) -> Staging:
    stage = Staging(conn, "ties")
    stage.keys([(k, 0, i + 1) for i, k in enumerate(ids)])
    _fill(stage, ids)
    return stage


def _fill(stage: Staging, ids: list[str], level: str = "national") -> None:
    stage.add_values("dates", [(0, None, None, None, None)])
    stage.add_values("money", [(0, None, None, None)])
    stage.add_values("quantity", [(0, None)])
    stage.add_values("status", [(0, "verified")])
    stage.add_values("levels", [(0, level, None, None)])
    stage.add_coded([_coded(k) for k in sorted(ids)])


def test_an_ordered_batch_with_a_key_per_row_skips_the_search_for_repeats(
        conn: sa.Connection) -> None:
    conn.execute(sa.insert(METADATA.tables["tie_kinds"]).values(
        kind="loan", group="material", directed=True))
    conn.execute(sa.insert(METADATA.tables["ties"]).values(
        id="t-2", kind="loan", level="national", level_reason="stored"))
    stage = _stage_ordered(conn, ["t-3", "t-1", "t-2"])
    assert stage.ordered
    seen = _statements(conn)
    found = stage.duplicates()
    assert [(d.key, d.row, d.first) for d in found] == [("t-2", 3, None)]
    assert len(seen) == 1  # the workspace's keys only: no GROUP BY over the batch's keys


def test_a_key_row_of_an_unstaged_row_that_repeats_a_staged_key_is_reported(
        conn: sa.Connection) -> None:
    stage = _stage_ordered(conn, ["t-1", "t-2"])
    stage.keys([("t-1", 1, 7)])  # an invalid row of a second file: checked, not staged
    assert stage.ordered
    found = stage.duplicates()
    assert [(d.key, d.file, d.row, d.first) for d in found] == [("t-1", 1, 7, (0, 1))]


def test_rows_staged_out_of_key_order_are_searched_for_repeats(conn: sa.Connection) -> None:
    stage = Staging(conn, "ties")
    stage.keys([("t-2", 0, 1), ("t-1", 0, 2), ("t-2", 0, 3)])
    stage.add_tuples("ties", ("id", "kind"), [("t-2", "loan"), ("t-1", "loan")])
    stage.add_tuples("ties", ("id", "kind"), [("t-2", "loan")])
    assert not stage.ordered
    assert [(d.key, d.row, d.first) for d in stage.duplicates()] == [("t-2", 3, (0, 1))]


def _history(conn: sa.Connection) -> list[tuple[Any, ...]]:
    h = METADATA.tables["history"]
    return [tuple(r) for r in conn.execute(
        sa.select(h.c.record_id, h.c.version).order_by(h.c.seq))]


def test_entries_follow_the_order_column_and_start_at_version_1(conn: sa.Connection) -> None:
    stage = _stage_ordered(conn, ["t-b", "t-a", "t-c"])
    staged = stage.packed
    # The staged rowid order is key order; a reversed order column proves it is followed.
    ids = sa.select(staged.c.id, (-sa.literal_column(f'"{staged.name}".rowid')).label("o"))
    assert append_set(conn, "ties", ids, "import", "me", at="now") == 3
    assert _history(conn) == [("t-c", 1), ("t-b", 1), ("t-a", 1)]


def test_a_record_with_history_gets_its_next_version(conn: sa.Connection) -> None:
    stage = _stage_ordered(conn, ["t-a", "t-b"])
    staged = stage.packed
    h = METADATA.tables["history"]
    conn.execute(sa.insert(h), [
        {"resource": "ties", "record_id": "t-b", "version": v, "action": "update",
         "who": "me", "at": "then"} for v in (1, 2)])
    append_set(conn, "ties", sa.select(staged.c.id), "import", "me", at="now")
    assert _history(conn)[2:] == [("t-a", 1), ("t-b", 3)]


def test_a_copy_that_rebuilds_indexes_runs_with_a_small_cache_then_restores_it(
        conn: sa.Connection) -> None:
    raw = conn.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA cache_size=-65536")
    conn.execute(sa.insert(METADATA.tables["tie_kinds"]).values(
        kind="loan", group="material", directed=True))
    stage = _stage_ordered(conn, ["t-1", "t-2"])
    sizes: dict[str, int] = {}

    @sa.event.listens_for(conn, "before_cursor_execute")
    def _cache(_c: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().startswith(("CREATE INDEX", "INSERT INTO ties ")):
            sizes[statement.split()[2]] = cursor.connection.execute(
                "PRAGMA cache_size").fetchone()[0]

    assert stage.copy(rebuild_indexes=True) == {"ties": 2, "tie_actors": 4}
    assert {"ties", "ix_ties_kind", "ix_ties_level", "ix_tie_actors_actor_id"} <= set(sizes)
    assert set(sizes.values()) == {-SORT_CACHE_BYTES // 1024}
    assert raw.execute("PRAGMA cache_size").fetchone()[0] == -65536


@pytest.mark.parametrize("dialect_fallback", [False, True])
def test_a_run_of_keys_is_recorded_as_one_key_at_a_time_would_be(
        conn: sa.Connection, monkeypatch: pytest.MonkeyPatch, dialect_fallback: bool) -> None:
    """Keys through JSON (SQLite) or one row each (the other databases): the same rows."""
    keys = ['t-"q"', "t-\\back", "t-é", "t-😀", "t-\u2028", "12", "t-1"]
    one = Staging(conn, "ties")
    one.keys([(k, 3, 40 + i) for i, k in enumerate(keys)])
    run = Staging(conn, "ties")
    if dialect_fallback:
        monkeypatch.setattr(conn.dialect, "name", "postgresql")  # rows bound one by one
    run.key_run(keys, 3, 40)
    monkeypatch.undo()
    got = conn.execute(sa.select(run.key_table).order_by(run.key_table.c.seq)).all()
    assert got == conn.execute(sa.select(one.key_table).order_by(one.key_table.c.seq)).all()
    assert [tuple(r)[1:] for r in got] == [(k, 3, 40 + i) for i, k in enumerate(keys)]
    assert run._key_rows == len(keys)


def test_a_coded_tie_whose_code_has_no_value_fails_the_copy(conn: sa.Connection) -> None:
    """The copy's join would drop it: the copy refuses instead (the transaction rolls back)."""
    conn.execute(sa.insert(METADATA.tables["tie_kinds"]).values(
        kind="loan", group="material", directed=True))
    stage = _stage_ordered(conn, ["t-1", "t-2"])
    stage.add_coded([(*_coded("t-3")[:2], 7, *_coded("t-3")[3:])])  # dates code 7: none
    with pytest.raises(RuntimeError, match="3 ties staged, 2 copied"):
        stage.copy()


def _part(path: Path, stage: Staging, ids: list[str], *, link: str | None = None
          ) -> dict[str, Any]:
    """Stage coded ties in a scratch file for ``stage`` (level "regional": levels are a
    part's own; its other values are ``stage``'s), with the links of a wide tie ``link`` if
    given; return its summary."""
    with scratch_staging(str(path), stage.suffix) as part:
        part.add_values("levels", [(0, "regional", None, None)])
        part.add_coded([_coded(k) for k in sorted(ids) if k != link])
        if link is not None:  # its parties staged apart, none packed
            part.add_coded([(*_coded(link)[:-4], "", "", "", "")])
            part.add_tuples("tie_actors", ("tie_id", "position", "actor_id"),
                            [(link, i, a) for i, a in enumerate(["RU-KR", "FI", "NO", "SE",
                                                                 "DE"])])
    return part.summary()


def _written(conn: sa.Connection) -> tuple[list[Any], list[Any]]:
    ties, links = METADATA.tables["ties"], METADATA.tables["tie_actors"]
    return ([tuple(r) for r in conn.execute(sa.select(ties.c.id, ties.c.level)
                                            .order_by(ties.c.id))],
            [tuple(r) for r in conn.execute(sa.select(links).order_by(links.c.tie_id,
                                                                      links.c.position))])


def test_an_attached_part_follows_in_the_copy_and_in_the_history(
        conn: sa.Connection, tmp_path: Path) -> None:
    """A second process's ties (scratch file) come after this process's, decoded with their
    own value tables; in key order as a whole, copied without a sort; numbered in key order."""
    stage = _stage_ordered(conn, ["t-b", "t-a"])
    summary = _part(tmp_path / "part.db", stage, ["t-d", "t-c"])
    assert summary == {"rows": 2, "ordered": True, "first": "t-c", "last": "t-d"}
    stage.attach(str(tmp_path / "part.db"), summary)
    (tmp_path / "part.db").unlink()  # SQLite keeps the attached file open
    assert (stage.rows, stage.ordered, len(stage.parts)) == (4, True, 2)
    seen = _statements(conn)
    assert stage.copy() == {"ties": 4, "tie_actors": 8}
    assert not [s for s in seen if "ORDER BY" in s and "rowid" not in s]  # no sort
    ties, links = _written(conn)
    assert ties == [("t-a", "national"), ("t-b", "national"), ("t-c", "regional"),
                    ("t-d", "regional")]
    assert links[:2] == [("t-a", 0, "RU-KR"), ("t-a", 1, "FI-19")] and len(links) == 8
    selects = stage.key_selects()  # one per part, each in key order by its rowid
    assert [[tuple(r) for r in conn.execute(s)] for s in selects] == [
        [("t-a", 1), ("t-b", 2)], [("t-c", 1), ("t-d", 2)]]
    seen.clear()
    assert append_set(conn, "ties", selects, "import", "me", at="now") == 4
    assert _history(conn) == [("t-a", 1), ("t-b", 1), ("t-c", 1), ("t-d", 1)]
    assert len([s for s in seen if s.startswith("INSERT INTO history")]) == 2
    stage.drop()
    assert stage.parts[1:] == []


def test_a_part_that_does_not_follow_in_key_order_is_copied_with_a_sort(
        conn: sa.Connection, tmp_path: Path) -> None:
    """The part's first key before this process's last (or links staged apart in the part):
    not in key order as a whole, so the duplicate search and the sorted copy take over."""
    stage = _stage_ordered(conn, ["t-a", "t-c"])
    stage.attach(str(tmp_path / "part.db"), _part(tmp_path / "part.db", stage, ["t-b"]))
    assert (stage.rows, stage.ordered) == (3, False)
    assert stage.copy() == {"ties": 3, "tie_actors": 6}
    assert _written(conn)[0] == [("t-a", "national"), ("t-b", "regional"),
                                 ("t-c", "national")]
    [select] = stage.key_selects()
    assert [tuple(r) for r in conn.execute(select)] == [("t-a",), ("t-c",), ("t-b",)]


def test_a_part_with_links_staged_apart_is_copied_with_them(
        conn: sa.Connection, tmp_path: Path) -> None:
    stage = _stage_ordered(conn, ["t-a"])
    summary = _part(tmp_path / "part.db", stage, ["t-b", "t-c"], link="t-c")
    assert summary == {"rows": 2, "ordered": False, "first": "t-b", "last": "t-c"}
    stage.attach(str(tmp_path / "part.db"), summary)
    assert not stage.ordered
    assert stage.copy() == {"ties": 3, "tie_actors": 9}
    assert _written(conn)[1] == [
        ("t-a", 0, "RU-KR"), ("t-a", 1, "FI-19"), ("t-b", 0, "RU-KR"), ("t-b", 1, "FI-19"),
        ("t-c", 0, "RU-KR"), ("t-c", 1, "FI"), ("t-c", 2, "NO"), ("t-c", 3, "SE"),
        ("t-c", 4, "DE")]
