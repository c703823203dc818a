"""Guards for ``storage/imports.py`` written from the mutants mutmut found alive (docs/testing.md).

An import plan says whether the batch changes what the classifier reads about borders
(``borders_changed``): only then is every stored tie classified again. A batch of new
ties, of new actors, or of an attribute that is not a border, changes no border; a new
``cross_border_states`` of a stored organization, or a subject's border states, does.
"""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from regionet.core.errors import DataFileError, UnknownReferenceError, ValidationError
from regionet.core.ids import ActorId, DocumentId
from regionet.core.money import Rate, RatesTable
from regionet.io.casefiles import load_case
from regionet.io.records import TABLES
from regionet.model.case import AttributeRecord
from regionet.model.sources import SourceRef
from regionet.services.workspace import init_workspace
from regionet.storage import PlannedFile, Workspace, imports, infer_table
from regionet.storage.imports import check_case_sources

SRC = "sergounin-1999:para 14"
TABLE_NAMES = sorted(TABLES)
#: (file, row, field, value) of each problem of the bad batch, in the order listed
PROBLEMS: list[tuple[str | None, int | None, str | None, object]] = [
    ("parties.csv", None, None, None), ("ties.csv", 1, "actors", "PT"),
    ("ties.csv", 2, "kind", "nonsense"), ("ties.csv", 3, "actors", "XX"),
    ("actors.csv", 2, "kind", "planet")]
#: 3 bad actors and 4 bad ties with a limit of 2: the ties stream stops listing after 2
#: (2 unlisted), the 5 listed are cut to 2: 5 more
LIMIT = "5 more problem(s) not listed (an import lists the first 2)"
#: the rows ``write_plan`` writes for ``_batch``: sources of 3 actors and 1 attribute record
#: (written with the small tables) plus those of 2 ties (copied from staging) add up
WRITTEN = {"actors": 3, "attribute_records": 1, "actor_attribute_values": 1, "sources": 6,
           "ties": 2, "tie_actors": 4}


def _attributes(ws: Workspace, actor: str) -> dict[str, object]:
    return dict(ws.load()[0].actors[ActorId(actor)].attributes)


def _last_record(ws: Workspace) -> int:
    records = sa.table("attribute_records", sa.column("id"))
    with ws.database.reading() as conn:
        return int(conn.execute(sa.select(sa.func.max(records.c.id))).scalar_one())


def _file(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled case in a workspace, made once: each test gets a copy (mutmut runs these
    tests for every mutant of the planner)."""
    db = tmp_path_factory.mktemp("template") / "ws.db"
    init_workspace(db)
    return db


@pytest.fixture
def ws(tmp_path: Path, template: Path) -> Workspace:
    db = tmp_path / "ws.db"
    with sqlite3.connect(template) as source, sqlite3.connect(db) as copy:
        source.backup(copy)
    copy.close()
    source.close()
    return Workspace(db)


def test_new_ties_and_actors_change_no_border(ws: Workspace, tmp_path: Path) -> None:
    plan = ws.validate_files([
        _file(tmp_path / "b", "actors.csv", f"id,kind,name_en,sources\nPT,state,Portugal,{SRC}\n"),
        _file(tmp_path / "b", "ties.csv", "id,kind,actors,start,sources\n"
              f"t-kr-pt,cooperation,RU-KR;PT,1997,{SRC}\n")])
    assert (plan.borders_changed, plan.memberships_changed) == (False, False)
    assert dict(plan.counts) == {"actors": 1, "ties": 1}


def test_a_stored_actor_s_other_attribute_changes_no_border(ws: Workspace,
                                                              tmp_path: Path) -> None:
    plan = ws.validate_files([_file(tmp_path / "b", "actor_attributes.csv",
                                    f"actor,attribute,value,sources\nFI,motto,sisu,{SRC}\n")])
    assert plan.borders_changed is False


def test_a_stored_organization_becoming_a_structure_changes_borders(ws: Workspace,
                                                                      tmp_path: Path) -> None:
    plan = ws.validate_files([_file(tmp_path / "b", "actor_attributes.csv",
                                    "actor,attribute,value,sources\n"
                                    f"cbss,cross_border_states,FI,{SRC}\n")])
    assert plan.borders_changed is True


def test_a_subject_s_new_border_changes_borders(ws: Workspace, tmp_path: Path) -> None:
    plan = ws.validate_files([_file(tmp_path / "b", "actor_attributes.csv",
                                    "actor,attribute,value,sources\n"
                                    f"RU-KR,sea_border_states,PT,{SRC}\n")])
    assert plan.borders_changed is True


# --- infer_table: the table a file feeds -------------------------------------------------


def test_a_named_table_is_taken_without_reading_the_file(tmp_path: Path) -> None:
    assert infer_table(tmp_path / "missing.csv", "ties") == "ties"


def test_an_unknown_named_table_is_refused_with_every_table_and_a_hint(tmp_path: Path) -> None:
    with pytest.raises(UnknownReferenceError) as info:
        infer_table(tmp_path / "x.csv", "tie")
    err = info.value
    assert (err.message, err.field, err.value) == ("unknown table", "table", "tie")
    assert err.expected == "one of " + ", ".join(TABLE_NAMES)
    assert err.hint == "Did you mean ties?"


def test_a_missing_file_is_refused_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as info:
        infer_table(tmp_path / "ties.csv")
    err = info.value
    assert (err.message, err.file, err.expected) == (
        "file not found", str(tmp_path / "ties.csv"), "an existing CSV or JSON file")


@pytest.mark.parametrize(("stem", "table"), [
    ("ties", "ties"), ("extra_ties", "ties"), ("my-ties", "ties"), ("tie_kinds", "tie_kinds"),
    ("new_tie_kinds", "tie_kinds"), ("more-actor_attributes", "actor_attributes"),
    ("actors", "actors"), ("subjects", "subjects")])
def test_the_end_of_the_stem_names_the_table(tmp_path: Path, stem: str, table: str) -> None:
    assert infer_table(_file(tmp_path / "f", f"{stem}.csv", "id\n")) == table


@pytest.mark.parametrize("stem", ["parties", "extraties", "ties_extra", "ties.old"])
def test_a_stem_naming_no_table_is_refused_with_the_way_out(tmp_path: Path, stem: str) -> None:
    path = _file(tmp_path / "f", f"{stem}.csv", "id\n")
    with pytest.raises(DataFileError) as info:
        infer_table(path)
    err = info.value
    assert (err.message, err.file) == ("cannot tell which table the file feeds", path.name)
    assert err.expected == ("a file name ending with a table name (one of "
                            + ", ".join(TABLE_NAMES) + ")")
    assert err.hint == ("Rename it, e.g. 'extra_ties.csv', or name the table with --table "
                        "(e.g. --table ties)")


# --- plan_import and write_plan on a small batch -----------------------------------------


def _batch(folder: Path) -> list[Path]:
    """Ties given first, then an attribute, then the actors they need (not import order)."""
    return [
        _file(folder, "ties.csv", "id,kind,actors,start,sources\n"
              f"t-kr-pt,cooperation,RU-KR;PT,1997,{SRC}\n"
              f"t-kr-es,cooperation,RU-KR;ES,1998,{SRC}\n"),
        _file(folder, "more_actor_attributes.csv",
              f"actor,attribute,value,sources\nPT,motto,saudade,{SRC}\n"),
        _file(folder, "new-actors.csv", "id,kind,name_en,sources\n"
              f"PT,state,Portugal,{SRC}\nES,state,Spain,{SRC}\nAD,state,Andorra,{SRC}\n"),
    ]


def test_a_plan_lists_files_as_given_and_counts_tables_in_import_order(
        ws: Workspace, tmp_path: Path) -> None:
    paths = _batch(tmp_path / "b")
    plan = ws.validate_files(paths)
    assert plan.files == (PlannedFile(paths[0], "ties", 2),
                          PlannedFile(paths[1], "actor_attributes", 1),
                          PlannedFile(paths[2], "actors", 3))
    assert list(plan.counts.items()) == [("actors", 3), ("actor_attributes", 1), ("ties", 2)]
    assert plan.total == 6


def test_a_plan_s_digest_depends_on_the_rows_not_on_the_order_of_the_files(
        ws: Workspace, tmp_path: Path) -> None:
    paths = _batch(tmp_path / "b")
    digest = ws.validate_files(paths).digest
    assert digest.endswith("-6") and len(digest) == 34
    assert ws.validate_files(paths[::-1]).digest == digest
    paths[1].write_text(f"actor,attribute,value,sources\nPT,motto,fado,{SRC}\n",
                        encoding="utf-8")
    assert ws.validate_files(paths).digest != digest


def test_a_named_table_applies_to_every_file(ws: Workspace, tmp_path: Path) -> None:
    one = _file(tmp_path / "b", "one.csv", f"id,kind,name_en,sources\nPT,state,Portugal,{SRC}\n")
    two = _file(tmp_path / "b", "two.csv", f"id,kind,name_en,sources\nES,state,Spain,{SRC}\n")
    plan = ws.validate_files([one, two], table="actors")
    assert plan.files == (PlannedFile(one, "actors", 1), PlannedFile(two, "actors", 1))
    assert dict(plan.counts) == {"actors": 2}


def test_problems_are_listed_by_the_order_of_the_files_given_then_by_row(
        ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    ties = _file(folder, "ties.csv", "id,kind,actors,start,sources\n"
                 f"t-1,cooperation,RU-KR;PT,1997,{SRC}\n"
                 f"t-2,nonsense,RU-KR;FI,1997,{SRC}\n"
                 f"t-3,cooperation,RU-KR;XX,1997,{SRC}\n")
    actors = _file(folder, "actors.csv", "id,kind,name_en,sources\n"
                   f"ES,state,Spain,{SRC}\nAD,planet,Andorra,{SRC}\n")
    parties = _file(folder, "parties.csv", "id\nx\n")
    with pytest.raises(ValidationError) as info:
        ws.validate_files([parties, ties, actors])
    got = [(e.file, e.row, e.field, e.value) for e in info.value.errors]
    assert got == PROBLEMS


def test_problems_past_the_limit_are_counted_not_listed(
        ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "MAX_PROBLEMS", 2)
    folder = tmp_path / "b"
    actors = _file(folder, "actors.csv", "id,kind,name_en,sources\n" + "".join(
        f"A{i},planet,A,{SRC}\n" for i in range(3)))
    ties = _file(folder, "ties.csv", "id,kind,actors,start,sources\n" + "".join(
        f"t-{i},nonsense,RU-KR;FI,1997,{SRC}\n" for i in range(4)))
    with pytest.raises(ValidationError) as info:
        ws.validate_files([actors, ties])
    errors = info.value.errors
    assert [(e.file, e.row) for e in errors[:-1]] == [("actors.csv", 1), ("actors.csv", 2)]
    assert str(errors[-1]) == LIMIT


def test_writing_a_plan_keeps_a_stored_actor_s_other_attributes(
        ws: Workspace, tmp_path: Path) -> None:
    before = _attributes(ws, "FI")
    last = _last_record(ws)
    counts = ws.import_files([_file(tmp_path / "b", "actor_attributes.csv",
                                    f"actor,attribute,value,sources\nFI,motto,sisu,{SRC}\n")])
    assert counts == {"actor_attributes": 1}
    assert _attributes(ws, "FI") == {**before, "motto": "sisu"}
    assert _last_record(ws) == last + 1


def test_writing_a_batch_returns_the_rows_per_table(ws: Workspace, tmp_path: Path) -> None:
    counts = ws.import_files(_batch(tmp_path / "b"))
    assert counts == {"actors": 3, "actor_attributes": 1, "ties": 2}
    case = ws.load()[0]
    assert {"t-kr-pt", "t-kr-es"} <= set(case.ties)
    assert case.actors[ActorId("PT")].attributes["motto"] == "saudade"


def test_case_sources_of_attributes_and_rates_must_cite_known_documents() -> None:
    case = load_case()
    assert check_case_sources(case) == []
    bad = replace(
        case,
        attributes=(*case.attributes, AttributeRecord(
            ActorId("FI"), "motto", "sisu",
            sources=(SourceRef(DocumentId("nobody-2001"), "p 1"),))),
        rates=RatesTable([*case.rates, Rate("USD", "XYZ", 1995, 2.5, "nobody-1998", "p 2",
                                            "verified")]))
    got = [(e.file, e.field, e.value, e.expected) for e in check_case_sources(bad)]
    expected = "the id of a document in documents.csv or the workspace"
    assert got == [("attribute motto of FI", "sources", "nobody-2001", expected),
                   ("rate USD/XYZ 1995", "sources", "nobody-1998", expected)]


def test_a_missing_file_s_problem_keeps_its_place_and_rows_are_in_order(
        ws: Workspace, tmp_path: Path) -> None:
    # actors.csv's row 1 (an unknown document) is found after row 2 (an unknown kind), when
    # the batch is checked against the workspace: the list is sorted by row all the same
    folder = tmp_path / "b"
    actors = _file(folder, "actors.csv", "id,kind,name_en,sources\n"
                   f"ES,state,Spain,nobody-2001:p 1\nAD,planet,Andorra,{SRC}\n"
                   f"FI,state,Finland,{SRC}\n")
    ties = _file(folder, "ties.csv", "id,kind,actors,start,sources\n"
                 f"t-2,nonsense,RU-KR;FI,1997,{SRC}\n")
    gone = folder / "gone_ties.csv"
    with pytest.raises(ValidationError) as info:
        ws.validate_files([actors, gone, ties])
    assert [(e.file, e.row, e.field, e.value, e.message) for e in info.value.errors] == [
        ("actors.csv", 1, "sources", "nobody-2001", "source document does not exist"),
        ("actors.csv", 2, "kind", "planet", "unknown actor kind"),
        ("actors.csv", 3, "id", "FI", "already in the workspace"),
        (str(gone), None, None, None, "file not found"),
        ("ties.csv", 1, "kind", "nonsense", "unknown tie kind")]


def test_a_changed_attribute_replaces_the_stored_value_and_touches_no_other_actor(
        ws: Workspace, tmp_path: Path) -> None:
    before = ws.load()[0]
    ws.import_files([_file(tmp_path / "b", "actor_attributes.csv",
                           "actor,attribute,value,sources\n"
                           f"interreg,matching_share_required,0.6,{SRC}\n"
                           f"interreg,motto,together,{SRC}\n")])
    after = ws.load()[0]
    assert _attributes(ws, "interreg") == {
        "matching_share_required": 0.6, "matching_applies_to": "NO;RU",
        "involving_states": "FI;SE", "funding_source_non_eu_partners": "Tacis",
        "motto": "together"}
    assert {a: dict(x.attributes) for a, x in after.actors.items() if a != "interreg"} == {
        a: dict(x.attributes) for a, x in before.actors.items() if a != "interreg"}


def test_the_first_attribute_record_of_a_workspace_is_number_1(
        ws: Workspace, tmp_path: Path) -> None:
    with sqlite3.connect(ws.database.url.database) as conn:
        conn.execute("DELETE FROM sources WHERE record_table = 'attribute_records'")
        conn.execute("DELETE FROM attribute_records")
    conn.close()
    ws.import_files([_file(tmp_path / "b", "actor_attributes.csv",
                           f"actor,attribute,value,sources\nFI,motto,sisu,{SRC}\n")])
    assert _last_record(ws) == 1


def test_another_attribute_of_a_structure_changes_no_border(ws: Workspace,
                                                             tmp_path: Path) -> None:
    # euregio-karelia's stored cross_border_states (FI) is read back and compared: unchanged
    plan = ws.validate_files([_file(tmp_path / "b", "actor_attributes.csv",
                                    "actor,attribute,value,sources\n"
                                    f"euregio-karelia,motto,together,{SRC}\n")])
    assert plan.borders_changed is False


def test_write_plan_returns_the_rows_written_per_workspace_table(
        ws: Workspace, tmp_path: Path) -> None:
    paths = _batch(tmp_path / "b")
    with ws.database.connect() as conn, conn.begin():
        plan = imports.plan_import(conn, paths)
        counts = imports.write_plan(conn, plan)
    assert counts == WRITTEN


def test_a_batch_of_ties_and_rates_reads_the_rates_after_the_ties(ws: Workspace,
                                                                   tmp_path: Path) -> None:
    # rates come after ties and observations in the import order; ties stream, rates do not
    folder = tmp_path / "b"
    paths = [_file(folder, "ties.csv", "id,kind,actors,start,sources\n"
                   f"t-kr-fi,cooperation,RU-KR;FI,1997,{SRC}\n"),
             _file(folder, "rates.csv", f"base,quote,year,rate,sources\nECU,NOK,1997,8.3,{SRC}\n")]
    plan = ws.validate_files(paths)
    assert list(plan.counts.items()) == [("ties", 1), ("rates", 1)]
    assert plan.files == (PlannedFile(paths[0], "ties", 1), PlannedFile(paths[1], "rates", 1))


def test_an_unreadable_file_does_not_stop_the_reading_of_the_next(ws: Workspace,
                                                                   tmp_path: Path) -> None:
    folder = tmp_path / "b"
    documents = _file(folder, "documents.csv", "id\nnobody-2001\n")  # no title column
    actors = _file(folder, "actors.csv", f"id,kind,name_en,sources\nAD,planet,Andorra,{SRC}\n")
    with pytest.raises(ValidationError) as info:
        ws.validate_files([documents, actors])
    assert [(e.file, e.row, e.field, e.value) for e in info.value.errors] == [
        (str(documents), None, None, None), ("actors.csv", 1, "kind", "planet")]


def test_a_lookalike_of_a_new_id_of_the_batch_is_refused_with_that_id_as_hint(
        ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    documents = _file(folder, "documents.csv", "id,title\nnew-doc,A new source\n")
    actors = _file(folder, "actors.csv", "id,kind,name_en,sources\n"
                   "AD,state,Andorra,new-d\u043ec:p 1\n")  # a Cyrillic o
    with pytest.raises(ValidationError) as info:
        ws.validate_files([documents, actors])
    assert [(e.file, e.row, e.field, e.value, e.hint) for e in info.value.errors] == [
        ("actors.csv", 1, "sources", "new-d\\u043ec", "Did you mean new-doc?")]


def test_a_batch_of_observations_without_ties_is_read(ws: Workspace, tmp_path: Path) -> None:
    path = _file(tmp_path / "b", "observations.csv", "id,indicator,subject,value_text,sources\n"
                 f"o-new,assessment,RU-KR,a new assessment,{SRC}\n")
    plan = ws.validate_files([path])
    assert dict(plan.counts) == {"observations": 1}
    assert plan.files == (PlannedFile(path, "observations", 1),)
