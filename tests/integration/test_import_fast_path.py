"""The columnar path of a ties import (issue 8) against the row-by-row path it stands in for.

Each file is imported twice into copies of one workspace (SQLite and PostgreSQL): with the
columnar path (:mod:`regionet.storage.tie_columns`) and with it switched off. Both must write
the same rows and report the same problems word for word; the columnar path must really be
taken for clean chunks (the row-by-row checker is spied on), and only there.
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from regionet.core import forked
from regionet.core.errors import ValidationError
from regionet.io.casefiles import load_case
from regionet.storage import Workspace, import_stream, staging, tie_columns

PARTIES = ["RU-KR", "RU-SPE", "RU-MUR", "RU-ARK", "RU-AD", "RU-IN", "FI", "NO", "SE", "US",
           "DE", "gazprom", "nefco", "eu", "assoc-northwest", "cbss"]
KINDS = ["cooperation", "agreement", "loan", "grant", "joint_project", "trade"]
DOMAINS = ["environment", "trade", "transport", "culture", "economy"]
COLUMNS = ["id", "kind", "actors", "start", "end", "domains", "amount", "currency",
           "amount_year", "quantity", "unit", "location", "description", "sources", "status"]
TABLES = ("ties", "tie_actors", "tie_domains", "sources")


def tie_rows(n: int, seed: int = 8) -> list[dict[str, str]]:
    """``n`` valid ties of the bundled case's actors (seeded), in mixed shapes."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        kind = rng.choice(KINDS)
        start = rng.randint(1994, 2000)
        money = kind in ("loan", "grant") and rng.random() < 0.8
        rows.append({
            "id": f"t-fast-{i:05d}", "kind": kind,
            "actors": ";".join(rng.sample(PARTIES, rng.choice((2, 2, 3)))),
            "start": rng.choice((str(start), f"{start}-0{rng.randint(1, 9)}", "")),
            "end": rng.choice(("", str(start + 1), f"{start + 2}-12-31")),
            "domains": ";".join(rng.sample(DOMAINS, rng.randint(0, 2))),
            "amount": str(rng.randint(1, 900) * 1000) if money else "",
            "currency": "USD" if money else "",
            "amount_year": rng.choice(("", "1998")) if money else "",
            "quantity": rng.choice(("", "", "12.5")),
            "unit": "", "location": rng.choice(("", "", "", "RU-KR")),
            "description": f"Tie number {i} (plain)",
            "sources": rng.choice(("sergounin-1999:para 14", "sergounin-1999:para 2;"
                                   "law-4-fz-1999:art. 3")),
            "status": rng.choice(("", "verified", "assumed"))})
        if rows[-1]["start"] == "" and money and not rows[-1]["amount_year"]:
            rows[-1]["amount_year"] = "1997"
        rows[-1]["unit"] = "km" if rows[-1]["quantity"] else ""
    return rows


def write_csv(path: Path, rows: list[dict[str, str]], *, bom: bool = False,
              newline: str = "\n") -> Path:
    lines = [",".join(COLUMNS)] + [",".join(r[c] for c in COLUMNS) for r in rows]
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"")
                     + (newline.join(lines) + newline).encode("utf-8"))
    return path


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def pristine(request: pytest.FixtureRequest, new_workspace_url: Any) -> str:
    db = str(new_workspace_url(request, request.param))
    with Workspace(db) as ws:
        ws.init(load_case("russia-1990s"))
    return db


def import_both(pristine: str, clone_workspace: Any, monkeypatch: pytest.MonkeyPatch,
                path: Path) -> dict[bool, dict[str, Any]]:
    """Import ``path`` with the columnar path on and off; what each wrote or refused."""
    out: dict[bool, dict[str, Any]] = {}
    for fast in (True, False):
        monkeypatch.setattr(tie_columns, "FAST", fast)
        calls: list[int] = []
        original = import_stream.check_chunk

        def spy(*args: Any, _calls: list[int] = calls, _original: Any = original) -> None:
            _calls.append(len(args[3]))
            _original(*args)

        monkeypatch.setattr(import_stream, "check_chunk", spy)
        db = clone_workspace(pristine)
        with Workspace(db) as ws:
            try:
                digest = ws.validate_files([path]).digest
                counts = ws.import_files([path])
                problems = None
            except ValidationError as err:
                digest, counts, problems = None, None, [str(e) for e in err.errors]
        engine = sa.create_engine(db if "://" in db else f"sqlite:///{db}")
        with engine.connect() as conn:
            tables = {t: conn.execute(sa.text(f"SELECT * FROM {t} ORDER BY 1, 2, 3")).all()
                      for t in TABLES}
            # entries in the order they were numbered (seq), without their time
            tables["history"] = conn.execute(sa.text(
                "SELECT seq, resource, record_id, version, action FROM history ORDER BY seq")
            ).all()
        engine.dispose()
        out[fast] = {"digest": digest, "counts": counts, "problems": problems,
                     "tables": tables, "row_chunks": calls}
        monkeypatch.setattr(import_stream, "check_chunk", original)
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("bom", "newline", "spare"), [(False, "\n", True), (True, "\r\n", False)])
def test_a_clean_file_is_written_as_the_row_path_writes_it(
        pristine: str, clone_workspace: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        bom: bool, newline: str, spare: bool) -> None:
    """``spare``: the file read and screened in two threads, or in one (the same answer)."""
    monkeypatch.setattr(tie_columns, "spare_core", lambda: spare)
    rows = tie_rows(5000)
    rows[2500]["description"] = "  spaced out  "        # chunk 2: the row reader strips it
    rows[2600]["description"] = "'=SUM(A1)"             # and drops the formula apostrophe
    rows[4500].update(kind="membership", actors="RU-KR;assoc-northwest", location="",
                      amount="", currency="", amount_year="")  # chunk 3: row by row
    got = import_both(pristine, clone_workspace, monkeypatch,
                      write_csv(tmp_path / "many_ties.csv", rows, bom=bom, newline=newline))
    fast, slow = _same_import(got)
    assert fast["counts"]["ties"] == 5000
    new_links = [r for r in fast["tables"]["tie_actors"] if r[0].startswith("t-fast-")]
    assert len(new_links) == sum(len(r["actors"].split(";")) for r in rows)
    new_entries = [r[2] for r in fast["tables"]["history"] if r[2].startswith("t-fast-")]
    assert new_entries == sorted(r["id"] for r in rows)  # numbered in key order
    by_id = {r[0]: r for r in fast["tables"]["ties"]}
    assert by_id["t-fast-02500"][12] == "spaced out"
    assert by_id["t-fast-02600"][12] == "=SUM(A1)"
    # validate + import: the row path checks every chunk; the columnar path only 2 and 3
    assert slow["row_chunks"] == [2000, 2000, 1000] * 2
    assert fast["row_chunks"] == [2000, 1000] * 2


#: The row path's messages for the bad rows below, word for word (pinned before the
#: columnar path existed).
BAD_MESSAGES = [
    "bad_ties.csv, row 10, field 'actors', value 'xx-nope': unknown actor (expected an actor "
    "id defined in actors.csv or the workspace)",
    "bad_ties.csv, row 20, field 'start', value '1999-13-01': not a real date (month must be "
    "in 1..12) (expected a date as YYYY, YYYY-MM or YYYY-MM-DD)",
    "bad_ties.csv, row 30, field 'id', value 't-fast-00004': duplicate in the batch (first in "
    "bad_ties.csv, row 5) (expected a id not yet used (import only adds records))",
    "bad_ties.csv, row 40, field 'start', value '2003–2004': assoc-central-russia is used "
    "outside its validity dates (1990-12-15–2001-06-08) (expected dates within "
    "1990-12-15–2001-06-08)",
    "bad_ties.csv, row 50, field 'kind', value 'cooperatoin': unknown tie kind (expected a "
    "kind from vocab/tie_kinds.csv). Did you mean cooperation?",
]
BROKEN_QUOTE = (
    "bad_ties.csv, row 3001, field 'description': unbalanced quote at line 3002, column 57: "
    "it is never closed, so everything after it would be read into this one cell (expected "
    "RFC 4180 CSV: cells separated by commas; a cell holding a comma, a quote or a line break "
    "wrapped in double quotes, each quote inside it doubled (\"\")). Close the quote opened "
    "there, or double it (\"\") if it belongs to the text")


@pytest.mark.slow
@pytest.mark.parametrize("quote", [False, True], ids=["plain", "broken-quote"])
def test_bad_rows_are_reported_as_the_row_path_reports_them(
        pristine: str, clone_workspace: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        quote: bool) -> None:
    rows = tie_rows(4200, seed=9)
    rows[9]["actors"] = "RU-KR;xx-nope"
    rows[19].update(start="1999-13-01", end="", amount_year="1998" if rows[19]["amount"] else "")
    rows[29]["id"] = rows[4]["id"]
    rows[39].update(actors="RU-KR;assoc-central-russia", start="2003", end="2004")
    rows[49]["kind"] = "cooperatoin"
    if quote:
        rows[3000]["description"] = '"never closed'
    got = import_both(pristine, clone_workspace, monkeypatch,
                      write_csv(tmp_path / "bad_ties.csv", rows, bom=True))
    fast, slow = got[True], got[False]
    assert fast["problems"] == slow["problems"]
    assert fast["tables"] == slow["tables"]
    assert not [r for r in fast["tables"]["ties"] if r[0].startswith("t-fast-")]
    problems = fast["problems"]
    if quote:  # not a plain file: row by row, whole (the file is named with its folder)
        assert [p.removeprefix(str(tmp_path) + "/") for p in problems] == [BROKEN_QUOTE]
        assert fast["row_chunks"] == slow["row_chunks"] == []  # refused before any row
    else:  # only the first chunk, which holds every bad row, goes row by row
        assert problems == BAD_MESSAGES
        assert fast["row_chunks"] == [2000]
        assert slow["row_chunks"] == [2000, 2000, 200]


@pytest.mark.slow
def test_many_parties_and_dated_associations_are_written_as_the_row_path_writes_them(
        pristine: str, clone_workspace: Any, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    """Ties beyond the parties a staged tie packs, and one party set at many dates."""
    rng = random.Random(88)
    rows = tie_rows(4500, seed=88)
    for i in range(0, 4500, 7):  # 4 to 7 parties: packed (4) or staged as links (5+)
        rows[i]["actors"] = ";".join(rng.sample(PARTIES, rng.choice((4, 5, 6, 7))))
    for i in range(1, 4500, 11):  # the same actors cell at every date: the classifier's
        rows[i].update(actors="RU-KR;FI;assoc-northwest", location="",  # cache is dated
                       start=str(1994 + i % 7), end=str(1994 + i % 7))
        if rows[i]["amount"] and not rows[i]["amount_year"]:
            rows[i]["amount_year"] = "1998"
    rows[5]["domains"] = ";".join(DOMAINS)  # a long list of domains, and none
    rows[6]["domains"] = ""
    got = import_both(pristine, clone_workspace, monkeypatch,
                      write_csv(tmp_path / "wide_ties.csv", rows))
    fast, slow = got[True], got[False]
    assert slow["problems"] is None and fast["problems"] is None
    assert fast["row_chunks"] == []  # every chunk took the columnar path
    assert fast["counts"] == slow["counts"]
    for table in (*TABLES, "history"):
        assert fast["tables"][table] == slow["tables"][table], table
    links = {(r[0], r[1]): r[2] for r in fast["tables"]["tie_actors"]}
    for i in (0, 7, 14, 21):
        assert [links[(rows[i]["id"], k)] for k in range(len(rows[i]["actors"].split(";")))
                ] == rows[i]["actors"].split(";")
    topics = [r[2] for r in fast["tables"]["tie_domains"] if r[0] == rows[5]["id"]]
    assert topics == DOMAINS
    assert not [r for r in fast["tables"]["tie_domains"] if r[0] == rows[6]["id"]]
    cites = [r for r in fast["tables"]["sources"] if r[1] == rows[0]["id"]]
    assert [(r[0], r[2], r[3]) for r in cites] == [
        ("ties", k, ref.split(":")[0]) for k, ref in enumerate(rows[0]["sources"].split(";"))]
    levels = {r[0]: (r[15], r[16]) for r in fast["tables"]["ties"]}
    assert {levels[rows[i]["id"]] for i in range(1, 4500, 11)} <= {
        ("international", "cross-border"), ("international", "non-adjacent")}


@pytest.mark.slow
def test_bad_rows_inside_later_chunks_are_reported_as_the_row_path_reports_them(
        pristine: str, clone_workspace: Any, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    """An unknown actor and a bad date mid-chunk, a repeated party, a duplicate id between
    two clean chunks: the same problems, word for word; only the doubtful chunks row by row.
    """
    rows = tie_rows(6500, seed=10)
    rows[3100]["actors"] = "RU-KR;xx-nope;FI"
    rows[3333].update(start="1999-02-30", end="",
                      amount_year="1998" if rows[3333]["amount"] else "")
    rows[5199]["id"] = rows[10]["id"]
    rows[6100]["actors"] = "RU-KR;FI;RU-KR"
    got = import_both(pristine, clone_workspace, monkeypatch,
                      write_csv(tmp_path / "bad_ties.csv", rows))
    fast, slow = got[True], got[False]
    assert fast["problems"] == slow["problems"]
    assert fast["tables"] == slow["tables"]
    assert not [r for r in fast["tables"]["ties"] if r[0].startswith("t-fast-")]
    problems = fast["problems"]
    assert len(problems) == 4
    assert problems[0] == (
        "bad_ties.csv, row 3101, field 'actors', value 'xx-nope': unknown actor (expected an "
        "actor id defined in actors.csv or the workspace)")
    assert problems[1].startswith("bad_ties.csv, row 3334, field 'start', value '1999-02-30'")
    assert problems[2] == (
        "bad_ties.csv, row 5200, field 'id', value 't-fast-00010': duplicate in the batch "
        "(first in bad_ties.csv, row 11) (expected a id not yet used (import only adds "
        "records))")
    assert problems[3].startswith("bad_ties.csv, row 6101, field 'actors'")
    assert fast["row_chunks"] == [2000, 500]  # chunks 2 and 4 (rows 2001–4000, 6001–6500)
    assert slow["row_chunks"] == [2000, 2000, 2000, 500]


@pytest.mark.slow
def test_party_checks_in_bulk_send_only_their_chunks_row_by_row(
        pristine: str, clone_workspace: Any, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    """Dates outside one party's validity, and a single party: found in bulk (issue 8), so
    only their chunks go row by row, where the row checker words the same problems."""
    rows = tie_rows(4500, seed=11)
    rows[2222].update(actors="RU-KR;assoc-central-russia;FI", start="2003", end="2004",
                      location="")  # the association ended in 2001
    if rows[2222]["amount"] and not rows[2222]["amount_year"]:
        rows[2222]["amount_year"] = "1998"
    rows[4321]["actors"] = "RU-KR"
    got = import_both(pristine, clone_workspace, monkeypatch,
                      write_csv(tmp_path / "party_ties.csv", rows))
    fast, slow = got[True], got[False]
    assert fast["problems"] == slow["problems"]
    assert fast["tables"] == slow["tables"]
    problems = fast["problems"]
    assert len(problems) == 2
    assert problems[0].startswith("party_ties.csv, row 2223, field 'start', value '2003–2004': "
                                  "assoc-central-russia is used outside its validity dates")
    assert problems[1].startswith("party_ties.csv, row 4322, field 'actors'")
    assert fast["row_chunks"] == [2000, 500]  # chunks 2 and 3; chunk 1 columnar
    assert slow["row_chunks"] == [2000, 2000, 500]


@pytest.mark.slow
def test_rows_in_any_order_are_staged_in_key_order_and_copied_without_a_sort(
        pristine: str, clone_workspace: Any, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    """Ids shuffled in the file: the columnar path stages them sorted (issue 8), and SQLite
    copies them as staged (no ``ORDER BY``); the rows written are the row path's."""
    rows = tie_rows(4500, seed=12)
    random.Random(12).shuffle(rows)
    copies: list[int] = []
    ordered = staging.Staging._copy_ordered

    def spy(self: staging.Staging, **kwargs: Any) -> dict[str, int]:
        copies.append(self.rows)
        return ordered(self, **kwargs)

    monkeypatch.setattr(staging.Staging, "_copy_ordered", spy)
    got = import_both(pristine, clone_workspace, monkeypatch,
                      write_csv(tmp_path / "shuffled_ties.csv", rows))
    fast, slow = got[True], got[False]
    assert slow["problems"] is None and fast["problems"] is None
    assert fast["row_chunks"] == []
    assert fast["counts"] == slow["counts"]
    for table in TABLES:
        assert fast["tables"][table] == slow["tables"][table], table
    # the row path stages rows as dicts: never in order; PostgreSQL keeps its ORDER BY
    assert copies == ([] if pristine.startswith("postgresql") else [4500])


class _Forks:
    """What the second process of the columnar path did during one test (see :func:`forks`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started = 0
        self.attached: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.ordered_parts: list[int] = []
        self.held: list[tuple[list[str], int]] = []  # columns and money values when staging


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> _Forks:
    """Stage half of the clean rows in a second process from 2 rows on; spy on it.

    The scratch files go to a folder of their own, which the tests find empty afterwards.
    """
    folder = tmp_path / "scratch"
    folder.mkdir()
    seen = _Forks(folder)
    monkeypatch.setattr(tie_columns, "FORK_ROWS", 2)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    start, attach = forked.Forked.start, staging.Staging.attach
    ordered = staging.Staging._copy_ordered

    def spy_start(work: Any) -> forked.Forked:
        seen.started += 1
        return start(work)

    def spy_attach(self: staging.Staging, path: str, summary: dict[str, Any]) -> None:
        seen.paths.append(path)
        seen.attached.append(dict(summary))
        attach(self, path, summary)

    def spy_ordered(self: staging.Staging, **kwargs: Any) -> dict[str, int]:
        seen.ordered_parts.append(len(self.parts))
        return ordered(self, **kwargs)

    stage_order = tie_columns.TieColumns._stage_order

    def spy_stage_order(self: tie_columns.TieColumns, *args: Any) -> None:
        seen.held.append((sorted(self.columns), len(self.money)))
        stage_order(self, *args)

    monkeypatch.setattr(forked.Forked, "start", staticmethod(spy_start))
    monkeypatch.setattr(tie_columns.TieColumns, "_stage_order", spy_stage_order)
    monkeypatch.setattr(staging.Staging, "attach", spy_attach)
    monkeypatch.setattr(staging.Staging, "_copy_ordered", spy_ordered)
    return seen


def _same_import(got: dict[bool, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both paths' results after checking they imported the same: no problems, the same
    counts, batch digest and tables (history included). Returns (fast, slow)."""
    fast, slow = got[True], got[False]
    assert slow["problems"] is None and fast["problems"] is None
    assert fast["counts"] == slow["counts"]
    assert fast["digest"] == slow["digest"]
    for table in (*TABLES, "history"):
        assert fast["tables"][table] == slow["tables"][table], table
    return fast, slow


def _scratch_left(forks: _Forks) -> list[str]:
    return sorted(p.name for p in forks.folder.iterdir())


@pytest.mark.slow
def test_two_processes_stage_a_clean_file_as_the_row_path_writes_it(
        pristine: str, clone_workspace: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        forks: _Forks) -> None:
    """Half of the clean rows staged by a forked child (issue 8): copied in key order, part
    after part, with the history numbered in key order; no scratch file left."""
    rows = tie_rows(4500, seed=13)
    random.Random(13).shuffle(rows)
    got = import_both(pristine, clone_workspace, monkeypatch,
                      write_csv(tmp_path / "forked_ties.csv", rows))
    fast, _ = _same_import(got)
    new_entries = [r[2] for r in fast["tables"]["history"] if r[2].startswith("t-fast-")]
    assert new_entries == sorted(r["id"] for r in rows)
    if pristine.startswith("postgresql"):  # one process there
        assert (forks.started, forks.attached, forks.ordered_parts) == (0, [], [])
        return
    ids = sorted(r["id"] for r in rows)
    # validate (staged, then dropped) and import: each forks once; the child stages the
    # second half by id, in key order; the copy goes over both parts without a sort
    assert forks.started == 2
    assert forks.attached == [{"rows": 2250, "ordered": True, "first": ids[2250],
                               "last": ids[-1]}] * 2
    assert forks.ordered_parts == [2]
    assert _scratch_left(forks) == []
    # before the fork the parent let go of what only the screen read (neither process holds
    # it then): the columns staging does not read, and the distinct money values
    assert forks.held == [(["actors", "description", "id", "kind", "location", "note",
                            "unit"], 0)] * 2


@pytest.mark.slow
def test_two_processes_stage_mixed_chunks_and_wide_ties_as_the_row_path_writes_them(
        pristine: str, clone_workspace: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        forks: _Forks) -> None:
    """Ties of 5+ parties (links staged apart) in both halves, and doubtful chunks checked
    row by row: the generic copy (with a sort) takes both parts; the same rows."""
    rng = random.Random(14)
    rows = tie_rows(6500, seed=14)
    for i in range(0, 6500, 9):
        rows[i]["actors"] = ";".join(rng.sample(PARTIES, rng.choice((4, 5, 6))))
    rows[2500]["description"] = "  spaced out  "  # chunk 2 row by row
    rows[6100]["description"] = "'=SUM(A1)"       # and chunk 4
    got = import_both(pristine, clone_workspace, monkeypatch,
                      write_csv(tmp_path / "mixed_ties.csv", rows))
    fast, _ = _same_import(got)  # the digest: rows checked row by row and in both halves
    assert fast["row_chunks"] == [2000, 500] * 2
    if pristine.startswith("sqlite"):
        clean = sorted(r["id"] for r in rows[:2000] + rows[4000:6000])
        assert forks.started == 2
        assert [(a["rows"], a["ordered"], a["first"]) for a in forks.attached] == [
            (2000, False, clean[2000])] * 2  # links staged apart: not in key order
        assert forks.ordered_parts == []
        assert _scratch_left(forks) == []


@pytest.mark.slow
def test_a_failed_second_process_leaves_its_half_to_the_first(
        pristine: str, clone_workspace: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        forks: _Forks, caplog: pytest.LogCaptureFixture) -> None:
    """The child raises: the parent stages the second half itself; the same import."""
    if pristine.startswith("postgresql"):
        pytest.skip("one process on PostgreSQL")

    def broken(*args: Any) -> None:
        raise RuntimeError("the child broke")

    monkeypatch.setattr(tie_columns.TieColumns, "_stage_part", broken)
    rows = tie_rows(4500, seed=15)
    got = import_both(pristine, clone_workspace, monkeypatch,
                      write_csv(tmp_path / "failed_child_ties.csv", rows))
    _same_import(got)
    assert forks.started == 2 and forks.attached == []
    assert forks.ordered_parts == [1]  # all staged here, still in key order
    failures = [r for r in caplog.records if "second process failed" in r.getMessage()]
    assert len(failures) == 2
    assert "RuntimeError: the child broke" in failures[0].getMessage()
    assert _scratch_left(forks) == []


@pytest.mark.slow
def test_a_duplicate_id_across_the_two_halves_is_reported_as_the_row_path_reports_it(
        pristine: str, clone_workspace: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        forks: _Forks) -> None:
    """The last id of the first half repeated as the first of the second: each half is in
    key order, the whole is not; the duplicate is found, worded as the row path words it."""
    rows = tie_rows(4500, seed=16)
    rows[2250]["id"] = rows[2249]["id"]
    got = import_both(pristine, clone_workspace, monkeypatch,
                      write_csv(tmp_path / "split_twin_ties.csv", rows))
    fast, slow = got[True], got[False]
    assert fast["problems"] == slow["problems"] == [
        "split_twin_ties.csv, row 2251, field 'id', value 't-fast-02249': duplicate in the batch "
        "(first in split_twin_ties.csv, row 2250) (expected a id not yet used (import only adds "
        "records))"]
    assert fast["tables"] == slow["tables"]
    if pristine.startswith("sqlite"):
        assert forks.started == 2
        assert [a["first"] for a in forks.attached] == ["t-fast-02249"] * 2
        assert _scratch_left(forks) == []


@pytest.mark.slow
def test_a_failure_of_the_first_process_stops_the_second_and_writes_nothing(
        pristine: str, clone_workspace: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        forks: _Forks) -> None:
    """The parent fails while the child stages: the child is stopped and reaped, the error
    comes out, nothing is written and no scratch file is left."""
    if pristine.startswith("postgresql"):
        pytest.skip("one process on PostgreSQL")
    parent = os.getpid()
    stage_rows = tie_columns.TieColumns._stage_rows
    stopped: list[int] = []
    stop = forked.Forked.stop

    def failing(self: tie_columns.TieColumns, *args: Any) -> None:
        if os.getpid() == parent:
            raise RuntimeError("the parent broke")
        stage_rows(self, *args)

    def spy_stop(self: forked.Forked) -> None:
        stopped.append(self.pid)
        stop(self)

    monkeypatch.setattr(tie_columns.TieColumns, "_stage_rows", failing)
    monkeypatch.setattr(forked.Forked, "stop", spy_stop)
    db = clone_workspace(pristine)
    path = write_csv(tmp_path / "parent_fails_ties.csv", tie_rows(3000, seed=17))
    with Workspace(db) as ws, pytest.raises(RuntimeError, match="the parent broke"):
        ws.import_files([path])
    assert forks.started == 1 and forks.attached == []
    assert len(stopped) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(stopped[0], os.WNOHANG)  # reaped
    assert _scratch_left(forks) == []
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        assert conn.execute(sa.text(
            "SELECT count(*) FROM ties WHERE id LIKE 't-fast-%'")).scalar_one() == 0
    engine.dispose()
