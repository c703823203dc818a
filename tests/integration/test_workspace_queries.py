"""Records read with SQL equal what the case model computes, and stored levels stay right.

The SQL queries (``storage/queries.py``) and the model's filters (``Case.select_ties``) are
two implementations of one contract: for every filter, both must give the same ties, in id
order, with the same records; the level columns stored at write time must equal the
classifier's answer for the case read back, also after an import changed the borders the
classifier reads, and after an older workspace is upgraded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import regionet as rn
from regionet.core.errors import UnknownActorError, UnknownReferenceError
from regionet.io.serialize import tie_record
from regionet.model.case import Case, TieFilter
from regionet.services import records
from regionet.services.case_source import CaseSource
from regionet.services.paging import Page
from regionet.services.workspace import import_files, init_workspace
from regionet.storage import Workspace
from regionet.storage.migrations import head
from regionet.storage.schema import SCHEMA_VERSION

#: Makes a workspace look made before migrations existed (no ``alembic_version`` table).
#: Such workspaces had no team tables (schema 5, migration 0005) either.
BEFORE_MIGRATIONS = ("DROP TABLE alembic_version", "DROP TABLE history", "DROP TABLE proposals",
                     "DROP TABLE users")

FILTERS = [
    TieFilter(), TieFilter(level="international"), TieFilter(level="bilateral"),
    TieFilter(level="international", sublevel="cross-border"),
    TieFilter(sublevel="trans-regional"), TieFilter(level="subnational", year=1995),
    TieFilter(actor="RU-KR"), TieFilter(actor="RU-KR", level="international"),
    TieFilter(actor="pechenganikel"), TieFilter(kind="membership", year=2001),
    TieFilter(as_of=date(1998, 12, 31)), TieFilter(as_of=date(1992, 1, 1), actor="FI"),
    TieFilter(status="assumed"), TieFilter(status="partial", level="subnational"),
    TieFilter(year=1990), TieFilter(year=2010, level="vertical"),
    # The levels and sublevel of issue 9 (h/levels): 3 interstate, 2 federal, 2 non-adjacent
    # ties in the bundled case, and ties classified through their location.
    TieFilter(level="interstate"), TieFilter(level="federal"),
    TieFilter(sublevel="non-adjacent"), TieFilter(level="external", year=1997),
    TieFilter(actor="euregio-karelia"), TieFilter(actor="RU-MOW", level="interstate"),
]


Bundled = Callable[[str], str]


@pytest.fixture(scope="module")
def case() -> Case:
    return rn.load_case("russia-1990s")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def workspace(request: pytest.FixtureRequest, new_workspace_url: Any) -> CaseSource:
    db = new_workspace_url(request, request.param)
    init_workspace(db)
    return CaseSource.workspace(db)


def expected(case: Case, f: TieFilter) -> list[dict[str, object]]:
    return [tie_record(case, t) for t in sorted(case.select_ties(f), key=lambda t: t.id)]


@pytest.mark.parametrize("kind", ["bundled", "workspace"])
@pytest.mark.parametrize("criteria", FILTERS, ids=[repr(f) for f in FILTERS])
def test_sql_lists_equal_the_model_filters(case: Case, workspace: CaseSource, kind: str,
                                           criteria: TieFilter) -> None:
    source = CaseSource.bundled() if kind == "bundled" else workspace
    want = expected(case, criteria)
    got = records.list_ties(source, criteria)
    assert got.count == len(want)
    assert got.data == want
    page = records.list_ties(source, criteria, page=Page(limit=3, offset=2))
    assert page.count == len(want) and page.data == want[2:5]


def test_counts_and_single_records_come_from_sql(case: Case, workspace: CaseSource) -> None:
    assert records.summary(workspace)["counts"] == {
        "actors": len(case.actors), "ties": len(case.ties),
        "observations": len(case.observations), "documents": len(case.documents)}
    tie = case.tie("t-no-pechenganikel-pledge")
    assert records.tie_detail(workspace, tie.id) == tie_record(case, tie)
    shown = records.show(workspace, "RU-KR")
    assert [t["id"] for t in shown["ties"]] == sorted(t.id for t in case.select_ties(actor="RU-KR"))
    assert shown["attribute_sources"][0]["actor"] == "RU-KR"
    memo = records.show(workspace, "sergounin-1999")
    assert memo["cited_by_ties"] == sorted(t.id for t in case.ties.values()
                                           if t.cites("sergounin-1999"))


def test_unknown_ids_still_get_hints(workspace: CaseSource) -> None:
    with pytest.raises(UnknownReferenceError, match="Did you mean RU-KR") as info:
        records.show(workspace, "RU-KRL")
    assert info.value.field == "id"
    with pytest.raises(UnknownActorError) as actor:
        records.list_ties(workspace, TieFilter(actor="RU-KRR"))
    assert actor.value.field == "actor" and "RU-KR" in str(actor.value.hint)
    with pytest.raises(UnknownReferenceError) as kind:
        records.list_ties(workspace, TieFilter(kind="coperation"))
    assert kind.value.field == "kind" and "cooperation" in str(kind.value.hint)


def sql(db: str, *statements: str) -> list[tuple[object, ...]]:
    """Run ``statements`` in one transaction with plain SQLAlchemy; the last one's rows."""
    engine = sa.create_engine(db if "://" in db else f"sqlite:///{db}",
                              poolclass=sa.pool.NullPool)
    rows: list[tuple[object, ...]] = []
    with engine.begin() as conn:
        for statement in statements:
            result = conn.exec_driver_sql(statement)
            rows = [tuple(r) for r in result] if result.returns_rows else []
    engine.dispose()
    return rows


def stored_levels(db: str) -> dict[str, tuple[object, ...]]:
    return {str(r[0]): r[1:] for r in sql(
        db, "SELECT id, level, sublevel, level_reason, neighbours FROM ties")}


def computed_levels(case: Case) -> dict[str, tuple[object, ...]]:
    out: dict[str, tuple[object, ...]] = {}
    for t in case.ties.values():
        c = case.classify(t)
        out[t.id] = (c.level.value, c.sublevel.value if c.sublevel else None, c.reason,
                     None if c.neighbours is None else int(c.neighbours))
    return out


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_an_import_that_changes_borders_reclassifies_stored_ties(
        workspace_url: str, tmp_path: Path, bundled_workspace: Bundled) -> None:
    db = bundled_workspace(workspace_url)
    import_files(db, [
        write(tmp_path / "b1", "actors.csv",
              "id,kind,name_en,sources\nPT,state,Portugal,sergounin-1999:para 14\n"),
        write(tmp_path / "b1", "ties.csv",
              "id,kind,actors,start,sources\n"
              "t-kr-pt,cooperation,RU-KR;PT,1997,sergounin-1999:para 14\n")])
    assert stored_levels(db)["t-kr-pt"] == (
        "international", "non-adjacent", "RU-KR and PT: RU-KR does not border PT", None)
    # Karelia now said to border Portugal by sea: every tie with Portugal becomes cross-border.
    import_files(db, [write(tmp_path / "b2", "actor_attributes.csv",
                            "actor,attribute,value,sources\n"
                            "RU-KR,sea_border_states,PT,sergounin-1999:para 14\n")])
    levels = stored_levels(db)
    assert levels["t-kr-pt"] == ("international", "cross-border",
                                 "RU-KR and PT: RU-KR borders PT by sea", None)
    assert levels == computed_levels(Workspace(db).load_case())


def test_stored_levels_follow_memberships_structures_locations_and_dates(
        workspace_url: str, tmp_path: Path, bundled_workspace: Bundled) -> None:
    """What the classifier of issue 9 reads besides borders, stored right at every import."""
    db = bundled_workspace(workspace_url)
    src = "sergounin-1999:para 12"
    # An association of members with no member yet, its ties with Finland before and after
    # 2000, an organization that is not yet a cross-border structure, and a tie of the
    # centre with Norway located in Murmansk.
    import_files(db, [
        write(tmp_path / "b1", "actors.csv",
              "id,kind,name_en,parent,sources\n"
              f"assoc-new,association,New association,RU,{src}\n"
              f"org-new,organization,New organization,,{src}\n"),
        write(tmp_path / "b1", "ties.csv",
              "id,kind,actors,start,end,location,sources\n"
              f"t-assoc-fi-1997,cooperation,assoc-new;FI,1997,1997,,{src}\n"
              f"t-assoc-fi-2001,cooperation,assoc-new;FI,2001,2001,,{src}\n"
              f"t-kr-org,cooperation,RU-KR;org-new,1998,,,{src}\n"
              f"t-ru-no-mur,cooperation,RU;NO,1998,,RU-MUR,{src}\n"
              f"t-bu-irk,cooperation,RU-BU;RU-IRK,1998,,,{src}\n")])
    levels = stored_levels(db)
    assert levels["t-bu-irk"] == (  # a 1999 border inherited from a 2008 successor
        "bilateral", None, "RU-BU and RU-IRK: members of RU that approximately share a border "
        "(the 1999 border is approximated from a later successor's)", 1)
    assert {t: levels[t][:2] for t in ("t-assoc-fi-1997", "t-assoc-fi-2001", "t-kr-org",
                                       "t-ru-no-mur")} == {
        "t-assoc-fi-1997": ("international", "non-adjacent"),
        "t-assoc-fi-2001": ("international", "non-adjacent"),
        "t-kr-org": ("international", "trans-regional"),
        "t-ru-no-mur": ("international", "cross-border")}
    assert "(the association has no member at the tie's date)" in str(
        levels["t-assoc-fi-1997"][2])
    assert "located in RU-MUR (classified as if RU-MUR took part)" in str(
        levels["t-ru-no-mur"][2])
    # Karelia joins from 2000 (Finland's neighbour), Murmansk for 1996-1997 only; the
    # organization spans Finland (a structure now): each changed tie is classified again.
    import_files(db, [
        write(tmp_path / "b2", "ties.csv",
              "id,kind,actors,start,end,sources\n"
              f"t-kr-joins,membership,RU-KR;assoc-new,2000,,{src}\n"
              f"t-mur-joins,membership,assoc-new;RU-MUR,1996,1997,{src}\n"),
        write(tmp_path / "b2", "actor_attributes.csv",
              f"actor,attribute,value,sources\norg-new,cross_border_states,FI,{src}\n")])
    levels = stored_levels(db)
    assert {t: levels[t][:3] for t in ("t-assoc-fi-1997", "t-assoc-fi-2001", "t-kr-org")} == {
        "t-assoc-fi-1997": ("international", "cross-border",
                            "assoc-new and FI: RU-MUR (member of assoc-new) borders FI by land"),
        "t-assoc-fi-2001": ("international", "cross-border",
                            "assoc-new and FI: RU-KR (member of assoc-new) borders FI by land"),
        "t-kr-org": ("international", "cross-border",
                     "RU-KR and org-new: RU-KR borders FI by land (org-new is a cross-border "
                     "structure)")}
    assert levels == computed_levels(Workspace(db).load_case())
    # A membership and a tie it decides in one batch: the tie is stored as it is classified.
    import_files(db, [write(tmp_path / "b3", "ties.csv",
                            "id,kind,actors,start,sources\n"
                            f"t-assoc-no,cooperation,assoc-new;NO,1996,{src}\n"
                            f"t-mur-again,membership,RU-MUR;assoc-new,1995,{src}\n")])
    levels = stored_levels(db)
    assert levels["t-assoc-no"][:2] == ("international", "cross-border")
    assert levels == computed_levels(Workspace(db).load_case())


def test_a_schema_2_workspace_is_upgraded_with_its_levels(
        workspace_url: str, tmp_path: Path, bundled_workspace: Bundled) -> None:
    db = bundled_workspace(workspace_url)
    want = stored_levels(db)
    sql(db, *BEFORE_MIGRATIONS, "DROP INDEX ix_ties_level", "DROP INDEX ix_ties_location",
        *(f"ALTER TABLE ties DROP COLUMN {column}"
          for column in ("level", "sublevel", "level_reason", "neighbours")),
        "UPDATE case_info SET schema_version = 2")
    source = CaseSource.workspace(db)
    revision = source.revision()
    got = records.list_ties(source, TieFilter(level="international", sublevel="cross-border"))
    assert got.count == sum(1 for v in want.values() if v[1] == "cross-border")
    assert stored_levels(db) == want
    assert sql(db, "SELECT schema_version FROM case_info") == [(SCHEMA_VERSION,)]
    assert sql(db, "SELECT version_num FROM alembic_version") == [(head(),)]
    assert source.revision() == revision  # the records did not change


def test_a_schema_1_workspace_is_upgraded_too(
        workspace_url: str, tmp_path: Path, bundled_workspace: Bundled) -> None:
    """No revision, no version, no approximate borders, no levels: all added, levels computed."""
    db = bundled_workspace(workspace_url)
    sql(db, *BEFORE_MIGRATIONS, "DROP INDEX ix_ties_level", "DROP INDEX ix_ties_location",
        *(f"ALTER TABLE ties DROP COLUMN {column}"
          for column in ("level", "sublevel", "level_reason", "neighbours")),
        *(f"ALTER TABLE {table} DROP COLUMN {column}"
          for table, column in (("adjacency", "approximate"), ("case_info", "revision"),
                                ("case_info", "version"))),
        "UPDATE case_info SET schema_version = 1")
    source = CaseSource.workspace(db)
    assert source.revision() == 1
    got = records.list_ties(source, TieFilter(level="interstate"))  # upgrades first
    case = Workspace(db).load_case()
    assert [t["id"] for t in got.data] == sorted(t.id for t in case.select_ties(
        level="interstate"))
    assert case.approximate_adjacency == frozenset() and len(case.adjacency) > 0
    assert stored_levels(db) == computed_levels(case)
    assert source.revision() == 1


# Registered fiscal inputs are files beside a SQLite workspace (not on a database server).
@pytest.mark.parametrize("workspace_url", ["sqlite"], indirect=True)
def test_a_schema_3_workspace_of_the_inputs_branch_is_upgraded_and_keeps_its_inputs(
        workspace_url: str, tmp_path: Path, bundled_workspace: Bundled) -> None:
    """h/inputs' schema 3: schema 2 plus the fiscal-inputs tables, without stored levels.

    The upgrade to schema 4 adds the level columns and the missing ``adjacency.approximate``,
    classifies every tie, and keeps the registered inputs (same checksum, still runnable).
    """
    from regionet.services.fiscal import run_fiscal_year
    from regionet.services.inputs import add_inputs, list_inputs

    db = bundled_workspace(workspace_url)
    source = CaseSource.workspace(db)
    est = write(tmp_path, "est.csv", "firm_id,region,headcount,payroll,assets,sales\n"
                                     "oil,RU-KHM,9,1,8,0\noil,RU-MOW,1,1,2,0\n")
    firms = write(tmp_path, "firms.csv", "firm_id,registered_region,profit\noil,RU-MOW,100\n")
    added = add_inputs(source, "mine", establishments=est, firms=firms)
    sql(db, *BEFORE_MIGRATIONS, "DROP INDEX ix_ties_level", "DROP INDEX ix_ties_location",
        *(f"ALTER TABLE {table} DROP COLUMN {column}"
          for table, column in (("ties", "level"), ("ties", "sublevel"),
                                ("ties", "level_reason"), ("ties", "neighbours"),
                                ("adjacency", "approximate"))),
        "UPDATE case_info SET schema_version = 3")
    revision = source.revision()
    got = records.list_ties(source, TieFilter(level="interstate"))  # upgrades first
    case = Workspace(db).load_case()
    assert [t["id"] for t in got.data] == sorted(t.id for t in case.select_ties(
        level="interstate"))
    assert stored_levels(db) == computed_levels(case)
    assert [(s.name, s.checksum) for s in list_inputs(source)][1:] == [("mine", added.checksum)]
    result = run_fiscal_year(source, 1999, inputs="mine")
    assert (result.inputs.name, result.inputs.checksum) == ("mine", added.checksum)
    assert sql(db, "SELECT schema_version FROM case_info") == [(SCHEMA_VERSION,)]
    assert sql(db, "SELECT version_num FROM alembic_version") == [(head(),)]
    assert source.revision() == revision


def test_map_tie_counts_from_sql_equal_counting_the_case(
        workspace_url: str, tmp_path: Path, bundled_workspace: Bundled) -> None:
    from regionet.services.measures import _TIE_FILTERS, measure_values

    db = bundled_workspace(workspace_url)
    batch = tmp_path / "loc"
    batch.mkdir()
    # One tie hosted by a subject that is not a party, one whose location is also a party.
    (batch / "ties.csv").write_text(
        "id,kind,actors,start,location,sources\n"
        "t-hosted,cooperation,FI;NO,1997,RU-MUR,sergounin-1999:para 14\n"
        "t-self,cooperation,RU-KR;FI,1997,RU-KR,sergounin-1999:para 14\n", encoding="utf-8")
    import_files(db, [batch / "ties.csv"])
    source = CaseSource.workspace(db)
    case = Workspace(db).load_case()
    members = [a.id for a in case.members()]
    for name, (level, sublevel) in _TIE_FILTERS.items():
        for year in (None, 1997):
            want = dict.fromkeys(members, 0.0)
            for tie in case.select_ties(level=level, sublevel=sublevel, year=year):
                for party in {*tie.actors, tie.location}:
                    if party in want:
                        want[party] += 1
            assert measure_values(source, name, year=year) == want, (name, year)
    assert measure_values(source, "ties_total")["RU-MUR"] == len(
        case.select_ties(actor="RU-MUR"))
