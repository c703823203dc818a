"""The workspace on real databases (SQLite file, PostgreSQL): init, load, all-or-nothing imports."""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from regionet.core.errors import (
    DataFileError,
    RegionetError,
    UnknownActorError,
    UnknownReferenceError,
    ValidationError,
)
from regionet.core.ids import ActorId, DocumentId
from regionet.io.casefiles import load_case
from regionet.model.case import AttributeRecord, Case
from regionet.model.sources import SourceRef
from regionet.storage import Workspace, WorkspaceExistsError, WorkspaceNotFoundError, mapping
from regionet.storage.imports import MAX_PROBLEMS

TINY_CASE = {
    "case.yaml": """\
id: tiny
title: A tiny federation
federation: RU
description: Test data shaped like the Russia case.
credits:
  - Invented for the tests
""",
    "documents.csv": """\
id,title,author,year,publisher,url,note
memo,The Bright Side of Russia's Regionalization,A. Sergounin,1999,PONARS,https://example.org/memo,
law,Constitution,,1993,,,
""",
    "vocab/tie_kinds.csv": """\
kind,group,directed,definition,plover,cameo
cooperation,cooperation,false,work together,COOPERATE,03
membership,membership,true,is a member of,,
loan,funding,true,a repayable loan,AID,
""",
    "vocab/domains.csv": """\
domain,definition
environment,ecology and pollution
trade,exchange of goods
transport,roads and ports
""",
    "vocab/indicators.csv": """\
indicator,unit,definition
foreign_agreements_signed,count,agreements with foreign partners
jv_share_finnish,percent,share of joint ventures with Finnish participation
""",
    "actors.csv": """\
id,kind,name_en,name_local,valid_from,valid_to,parent,sources,status,note
RU,centre,Russia,Россия,1991-12,,,law:art. 1,verified,
RU-KR,subject,Karelia,Карелия,1991,,RU,law:art. 65,verified,
RU-MUR,subject,Murmansk Oblast,Мурманская область,1991,,RU,law:art. 65,verified,
RU-NIZ,subject,Nizhny Novgorod Oblast,,1991,,RU,law:art. 65,verified,
RU-KOP,subject,Komi-Permyak AO,,1993-12-12,2005-12-01,RU,law:art. 65,partial,merged 2005
FI,state,Finland,Suomi,,,,memo:para 12,verified,
NO,state,Norway,Norge,,,,memo:para 14,verified,
assoc-northwest,association,Northwest Association,,1990,,RU,memo:para 11,verified,
cbss,organization,Council of the Baltic Sea States,,1992,,,memo:para 13,verified,
nefco,fund,Nordic Environment Finance Corporation,,1990,,,memo:para 16,assumed,no parent
""",
    "subjects.csv": """\
id,type,capital_en,federal_district_2000,economic_region,land_border_states,sea_border_states,\
successor_2008,population_1999,population_year,sources,status,note
RU-KR,republic,Petrozavodsk,Northwestern,Northern,FI,,RU-KR,771000,1999,law:art. 65,verified,
RU-MUR,oblast,Murmansk,Northwestern,Northern,FI;NO,NO,RU-MUR,1000000,1999,law:art. 65,verified,
RU-NIZ,oblast,Nizhny Novgorod,Volga,Volga-Vyatka,,,RU-NIZ,,,law:art. 65,verified,
RU-KOP,autonomous_okrug,Kudymkar,Volga,Urals,,,RU-PER,150000,1999,law:art. 65,partial,
""",
    "actor_attributes.csv": """\
actor,attribute,value,unit,sources,status,note
nefco,capital,112000000,EUR,memo:para 16,verified,
RU-KR,jv_share,0.56,share,memo:para 12,partial,
cbss,founded_text,Copenhagen 1992,,memo:para 13,verified,
""",
    "ties.csv": """\
id,kind,actors,start,end,domains,amount,currency,amount_year,quantity,unit,location,\
description,sources,status,note
t-kr-mur,cooperation,RU-KR;RU-MUR,1996,1999-12,environment;transport,,,,,,,\
Joint monitoring,memo:para 11,verified,
t-kr-fi,cooperation,RU-KR;FI,1992-05-25,,trade,,,,,,,,memo:para 12;law:art. 72,verified,
t-nw-kr,membership,RU-KR;assoc-northwest,1991,,,,,,,,,,memo:para 11,verified,
t-nefco-loan,loan,nefco;RU-MUR,1998,,environment,1200000,ECU,1998,2.5,t,RU-MUR,\
A loan,memo:para 16,verified,
t-cbss,cooperation,RU-KR;RU-MUR;cbss,1993,,,,,,,,,,memo:para 13,assumed,multilateral
""",
    "observations.csv": """\
id,indicator,subject,comparator,value,value_text,unit,start,end,sources,status,note
o-agreements,foreign_agreements_signed,RU,>,300,,count,1991,1995,memo:para 9,verified,
o-jv,jv_share_finnish,RU-KR,,56,,percent,1998,1998,memo:para 12,verified,
""",
    "rates.csv": """\
base,quote,year,rate,sources,status
ECU,NOK,1998,8.108108108108109,memo:para 14,verified
""",
    "geo/adjacency_1999.csv": """\
a,b,shared_border_km,basis
RU-KR,RU-MUR,400,geometry
RU-KOP,RU-NIZ,,successor-approximate
""",
}


def write_files(folder: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def dump(db: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (SQLite path or URL), read with plain SQLAlchemy, not regionet."""
    engine = sa.create_engine(db if "://" in db else f"sqlite:///{db}",
                              poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        names = sorted(sa.inspect(conn).get_table_names())
        got = {n: sorted((tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{n}"')),
                         key=repr) for n in names}
    engine.dispose()
    return got


@pytest.fixture
def case(tmp_path: Path) -> Case:
    return load_case(write_files(tmp_path / "tiny", TINY_CASE))


@pytest.fixture
def ws(workspace_url: str, case: Case) -> Iterator[Workspace]:
    ws = Workspace(workspace_url)
    ws.init(case)
    yield ws
    ws.close()


@pytest.fixture
def db(workspace_url: str, ws: Workspace) -> str:
    """The workspace (a SQLite path or a PostgreSQL URL), initialised, its connections closed."""
    ws.close()
    return workspace_url


def assert_same_case(got: Case, want: Case) -> None:
    assert (got.id, got.title, got.federation, got.description, got.credits) == (
        want.id, want.title, want.federation, want.description, want.credits)
    assert got.documents == want.documents
    assert got.vocab == want.vocab
    assert set(got.actors) == set(want.actors)
    for actor_id, actor in want.actors.items():
        assert got.actors[actor_id] == actor, actor_id
        assert dict(got.actors[actor_id].attributes) == dict(actor.attributes)
    assert got.ties == want.ties
    assert got.observations == want.observations
    assert got.attributes == want.attributes
    assert sorted(got.rates, key=repr) == sorted(want.rates, key=repr)
    assert got.adjacency == want.adjacency
    assert got.approximate_adjacency == want.approximate_adjacency


# --- init and load ---------------------------------------------------------------------------


def test_init_then_load_round_trips_every_field(ws: Workspace, case: Case) -> None:
    assert ws.exists()
    assert_same_case(ws.load_case(), case)
    got = ws.load_case()
    assert [got.classify(t).reason for t in got.ties.values()] == [
        case.classify(t).reason for t in got.ties.values()]
    # an approximate border stays approximate in the workspace
    assert got.approximate_adjacency == {frozenset({"RU-KOP", "RU-NIZ"})}
    assert got.federation_model.classify(["RU-KOP", "RU-NIZ"]).reason == (
        "RU-KOP and RU-NIZ: members of RU that approximately share a border (the 1999 border "
        "is approximated from a later successor's)")


def test_an_unknown_basis_of_a_border_is_refused(tmp_path: Path) -> None:
    files = {**TINY_CASE, "geo/adjacency_1999.csv":
             "a,b,shared_border_km,basis\nRU-KR,RU-MUR,400,geometry\n"
             "RU-KOP,RU-NIZ,,successor-aproximate\n"}
    with pytest.raises(ValidationError) as err:
        load_case(write_files(tmp_path / "typo", files))
    assert ("geo/adjacency_1999.csv, row 2, field 'basis', value 'successor-aproximate': "
            "unknown basis of a border") in str(err.value)


def test_init_returns_rows_per_table(workspace_url: str, case: Case) -> None:
    counts = Workspace(workspace_url).init(case)
    assert counts["actors"] == len(case.actors) == 10
    assert counts["ties"] == 5
    assert counts["tie_actors"] == 11
    assert counts["attribute_records"] == 7


def test_types_are_sql_friendly(db: str) -> None:
    engine = sa.create_engine(db if "://" in db else f"sqlite:///{db}")
    with engine.connect() as conn:
        def one(sql: str) -> tuple[object, ...]:
            return tuple(conn.exec_driver_sql(sql).one())

        def rows(sql: str) -> list[tuple[object, ...]]:
            return [tuple(r) for r in conn.exec_driver_sql(sql)]

        got = one("SELECT amount, start_date, start_text FROM ties WHERE id='t-nefco-loan'")
        if engine.dialect.name == "sqlite":
            assert got == (1200000.0, "1998-01-01", "1998")
            assert one("SELECT typeof(amount) FROM ties WHERE id='t-nefco-loan'") == ("real",)
        else:
            assert got == (1200000.0, datetime.date(1998, 1, 1), "1998")
            assert one("SELECT pg_typeof(amount)::text, pg_typeof(start_date)::text "
                       "FROM ties WHERE id='t-nefco-loan'") == ("double precision", "date")
        assert rows("SELECT actor_id FROM tie_actors WHERE tie_id='t-cbss' "
                    "ORDER BY position") == [("RU-KR",), ("RU-MUR",), ("cbss",)]
        assert rows("SELECT document_id, locator FROM sources WHERE record_table='ties' "
                    "AND record_id='t-kr-fi' ORDER BY position") == [
            ("memo", "para 12"), ("law", "art. 72")]
        assert one("SELECT value_number FROM actor_attribute_values WHERE "
                   "actor_id='RU-KR' AND attribute='population_1999'") == (771000,)
    engine.dispose()


def test_reinit_without_overwrite_fails_and_keeps_data(ws: Workspace, case: Case, db: str
                                                       ) -> None:
    before = dump(db)
    with pytest.raises(WorkspaceExistsError, match="--force") as info:
        ws.init(case)
    assert isinstance(info.value, FileExistsError)
    assert isinstance(info.value, RegionetError)
    assert dump(db) == before


def test_reinit_with_overwrite_replaces(ws: Workspace, case: Case, tmp_path: Path) -> None:
    ws.import_files([_good(tmp_path)])
    assert "t-mur-fi" in ws.load_case().ties
    ws.init(case, overwrite=True)
    assert_same_case(ws.load_case(), case)


def test_init_refuses_sources_the_database_could_not_link(workspace_url: str, case: Case
                                                          ) -> None:
    record = AttributeRecord(ActorId("RU-KR"), "x", 1,
                             sources=(SourceRef(DocumentId("nemo"), "p 1"),))
    bad = dataclasses.replace(case, attributes=[*case.attributes, record])
    with pytest.raises(ValidationError, match="source document does not exist") as info:
        Workspace(workspace_url).init(bad)
    assert [(e.field, e.value) for e in info.value.errors] == [("sources", "nemo")]
    assert not Workspace(workspace_url).exists()


def test_uninitialised_workspace_says_how_to_create_it(workspace_url: str, tmp_path: Path
                                                       ) -> None:
    ws = Workspace(workspace_url)
    assert not ws.exists()
    with pytest.raises(WorkspaceNotFoundError, match="regionet data init"):
        ws.load_case()
    with pytest.raises(WorkspaceNotFoundError):
        ws.import_files([tmp_path / "ties.csv"])
    assert not Path(workspace_url).exists()  # no SQLite file made (a URL is no file anyway)


def test_accepts_a_sqlite_url(tmp_path: Path, case: Case) -> None:
    ws = Workspace(f"sqlite:///{tmp_path / 'url.db'}")
    ws.init(case)
    assert (tmp_path / "url.db").is_file()
    assert_same_case(ws.load_case(), case)


def test_failure_during_init_overwrite_keeps_old_content(
        ws: Workspace, case: Case, db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = dump(db)
    real = mapping.insert_rows

    def failing(conn, table, rows):  # type: ignore[no-untyped-def]
        if table == "ties":
            raise RuntimeError("disk on fire")
        real(conn, table, rows)

    monkeypatch.setattr(mapping, "insert_rows", failing)
    with pytest.raises(RuntimeError):
        ws.init(case, overwrite=True)
    assert dump(db) == before


# --- imports ---------------------------------------------------------------------------------

GOOD_TIES = """\
id,kind,actors,start,end,domains,amount,currency,sources
t-mur-fi,cooperation,RU-MUR;FI,1997,,trade,,,memo:para 12
t-nefco-2,loan,nefco;RU-KR,1998,,environment,500000,ECU,memo:para 16
"""


def _good(tmp_path: Path) -> Path:
    return write_files(tmp_path / "good", {"extra_ties.csv": GOOD_TIES}) / "extra_ties.csv"


def test_import_csv_adds_rows(ws: Workspace, tmp_path: Path) -> None:
    assert ws.validate_files([_good(tmp_path)]).counts == {"ties": 2}
    assert ws.import_files([_good(tmp_path)]) == {"ties": 2}
    case = ws.load_case()
    assert case.tie("t-nefco-2").amount is not None
    assert case.classify("t-mur-fi").sublevel == "cross-border"


def test_import_json_batch_with_cross_references(ws: Workspace, tmp_path: Path) -> None:
    actors = [{"id": "SE", "kind": "state", "name_en": "Sweden", "sources": ["memo:para 14"]},
              {"id": "RU-ARK", "kind": "subject", "name_en": "Arkhangelsk Oblast",
               "valid_from": "1991", "parent": "RU", "sources": "law:art. 65"}]
    subjects = [{"id": "RU-ARK", "type": "oblast", "capital_en": "Arkhangelsk",
                 "population_1999": 1500000, "sources": ["law:art. 65"]}]
    attrs = [{"actor": "RU-KR", "attribute": "twin_towns", "value": 7,
              "sources": ["memo:para 12"]}]
    ties = [{"id": "t-ark-se", "kind": "cooperation", "actors": ["RU-ARK", "SE"],
             "start": "1995", "domains": ["environment", "trade"],
             "sources": ["memo:para 14"]}]
    folder = tmp_path / "json"
    folder.mkdir()
    paths = []
    # Given in reverse dependency order on purpose.
    for name, data in [("new_ties", ties), ("actor_attributes", attrs),
                       ("new_subjects", subjects), ("new_actors", actors)]:
        (folder / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
        paths.append(folder / f"{name}.json")
    counts = ws.import_files(paths)
    assert counts == {"actors": 2, "subjects": 1, "actor_attributes": 1, "ties": 1}
    case = ws.load_case()
    assert case.tie("t-ark-se").domains == ("environment", "trade")
    assert case.actor("RU-ARK").attributes["population_1999"] == 1500000
    assert case.actor("RU-KR").attributes["twin_towns"] == 7
    assert case.actor("RU-KR").attributes["population_1999"] == 771000
    assert case.attributes[-1].attribute == "twin_towns"


def test_import_with_explicit_table(ws: Workspace, tmp_path: Path) -> None:
    path = write_files(tmp_path / "x", {"batch.csv": GOOD_TIES}) / "batch.csv"
    assert ws.import_files([path], table="ties") == {"ties": 2}


HEAD = "id,kind,actors,start,end,domains,amount,currency,sources\n"
OK_ROW = "t-ok,cooperation,RU-KR;RU-NIZ,1997,,,,,memo:para 11\n"

BAD_ROWS = [
    ("unknown actor", "t-x,cooperation,RU-KRL;FI,1997,,,,,memo:p", "actors", "RU-KRL",
     UnknownActorError, "Did you mean RU-KR"),
    ("unknown kind", "t-x,coperation,RU-KR;FI,1997,,,,,memo:p", "kind", "coperation",
     UnknownReferenceError, "Did you mean cooperation"),
    ("unknown domain", "t-x,cooperation,RU-KR;FI,1997,,ecology,,,memo:p", "domains", "ecology",
     UnknownReferenceError, "unknown domain"),
    ("end before start", "t-x,cooperation,RU-KR;FI,1999,1995,,,,memo:p", "end", "1995",
     RegionetError, "before start"),
    ("negative amount", "t-x,loan,nefco;RU-KR,1999,,,-5,ECU,memo:p", "amount", "-5",
     RegionetError, "out of range"),
    ("unknown currency", "t-x,loan,nefco;RU-KR,1999,,,5,XYZ,memo:p", "currency", "XYZ",
     RegionetError, "unknown currency"),
    ("ECU after 1998", "t-x,loan,nefco;RU-KR,1999,,,5,ECU,memo:p", "start", "1999",
     RegionetError, "ECU did not exist in 1999 (expected a year 1979-1998 for ECU; for 1999 "
     "or later use EUR, 1 ECU = 1 EUR)"),
    ("actor with itself", "t-x,cooperation,RU-KR;RU-KR,1999,,,,,memo:p", "actors",
     "RU-KR;RU-KR", RegionetError, "with itself"),
    ("non-subject member", "t-x,membership,FI;assoc-northwest,1999,,,,,memo:p", "actors", "FI",
     RegionetError, "only subjects can be members"),
    ("outside validity", "t-x,cooperation,RU-KOP;RU-KR,2006,2007,,,,memo:p", "start",
     "2006–2007", RegionetError, "outside its validity"),
    ("missing source document", "t-x,cooperation,RU-KR;FI,1997,,,,,nemo:p 1", "sources", "nemo",
     UnknownReferenceError, "source document does not exist"),
    ("duplicate id in workspace", "t-kr-mur,cooperation,RU-KR;FI,1997,,,,,memo:p", "id",
     "t-kr-mur", RegionetError, "already in the workspace"),
    ("duplicate id in batch", "t-ok,cooperation,RU-KR;FI,1997,,,,,memo:p", "id", "t-ok",
     RegionetError, "duplicate in the batch (first in ties.csv, row 1)"),
]


@pytest.mark.parametrize(("label", "row", "field", "value", "cls", "message"), BAD_ROWS,
                         ids=[b[0] for b in BAD_ROWS])
def test_bad_last_row_names_file_row_field_value_and_writes_nothing(
        db: str, tmp_path: Path, label: str, row: str, field: str, value: str,
        cls: type[RegionetError], message: str) -> None:
    path = write_files(tmp_path / "bad", {"ties.csv": HEAD + OK_ROW + row + "\n"}) / "ties.csv"
    before = dump(db)
    raw = Path(db).read_bytes() if "://" not in db else b""
    ws = Workspace(db)
    with pytest.raises(ValidationError) as info:
        ws.import_files([path])
    problems = info.value.errors
    assert len(problems) == 1, [str(p) for p in problems]
    p = problems[0]
    assert isinstance(p, cls)
    assert (p.file, p.row, p.field, str(p.value)) == ("ties.csv", 2, field, value)
    assert message in str(p)
    assert "nothing was written" in str(info.value)
    with pytest.raises(ValidationError):
        ws.validate_files([path])
    ws.close()
    assert dump(db) == before
    if "://" not in db:
        assert Path(db).read_bytes() == raw


def test_second_file_bad_writes_nothing(db: str, tmp_path: Path) -> None:
    folder = write_files(tmp_path / "two", {
        "documents.csv": "id,title\nnew-doc,A new document\n",
        "ties.csv": HEAD + OK_ROW + "t-y,cooperation,RU-KR;XX,1997,,,,,new-doc:p\n"})
    before = dump(db)
    with pytest.raises(ValidationError) as info:
        Workspace(db).import_files([folder / "documents.csv", folder / "ties.csv"])
    assert [(e.file, e.row, e.value) for e in info.value.errors] == [("ties.csv", 2, "XX")]
    assert dump(db) == before


def test_every_problem_of_every_file_is_reported(db: str, tmp_path: Path) -> None:
    folder = write_files(tmp_path / "many", {
        "ties.csv": HEAD + "t-a,coperation,RU-KR;FI,1997,,,,,memo:p\n"
        + "t-b,cooperation,RU-KR;FI,1999,1990,,,,memo:p\n",
        "observations.csv": "id,indicator,subject,value,sources\n"
                            "o-x,jv_share_finnish,XX,1,memo:p\n"})
    with pytest.raises(ValidationError) as info:
        Workspace(db).validate_files([folder / "ties.csv", folder / "observations.csv"])
    assert [(e.file, e.row, e.field) for e in info.value.errors] == [
        ("ties.csv", 1, "kind"), ("ties.csv", 2, "end"), ("observations.csv", 1, "subject")]


def test_missing_required_column(db: str, tmp_path: Path) -> None:
    path = write_files(tmp_path / "col", {"ties.csv": "id,kind,actors\nt-z,cooperation,RU-KR;FI\n"}
                       ) / "ties.csv"
    before = dump(db)
    with pytest.raises(ValidationError) as info:
        Workspace(db).import_files([path])
    (p,) = info.value.errors
    assert isinstance(p, DataFileError)
    assert "ties.csv" in str(p.file) and "missing column(s) sources" in str(p)
    assert dump(db) == before


def test_missing_file(db: str, tmp_path: Path) -> None:
    before = dump(db)
    with pytest.raises(ValidationError) as info:
        Workspace(db).import_files([_good(tmp_path), tmp_path / "nowhere" / "more_ties.csv"])
    (p,) = info.value.errors
    assert "more_ties.csv" in str(p.file) and "file not found" in str(p)
    assert dump(db) == before


def test_file_name_that_names_no_table(db: str, tmp_path: Path) -> None:
    path = write_files(tmp_path / "n", {"parties.csv": GOOD_TIES}) / "parties.csv"
    with pytest.raises(ValidationError, match="cannot tell which table") as info:
        Workspace(db).validate_files([path])
    assert "actor_attributes" in str(info.value.errors[0])


def test_subjects_row_for_a_non_subject(db: str, tmp_path: Path) -> None:
    path = write_files(tmp_path / "s", {"subjects.csv": "id,sources\nFI,memo:p\n"}) / "subjects.csv"
    with pytest.raises(ValidationError) as info:
        Workspace(db).validate_files([path])
    assert [(e.file, e.row, e.field, e.value) for e in info.value.errors] == [
        ("subjects.csv", 1, "id", "FI")]


def test_failure_during_import_write_rolls_back(
        db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_files(tmp_path / "w", {
        "documents.csv": "id,title\nnew-doc,A new document\n",
        "actor_attributes.csv": "actor,attribute,value,sources\nRU-KR,x,1,new-doc:p\n",
        "ties.csv": HEAD + OK_ROW})
    before = dump(db)
    real = mapping.insert_rows
    seen: list[str] = []

    def failing(conn, table, rows):  # type: ignore[no-untyped-def]
        seen.append(table)
        if table == "tie_actors":
            raise RuntimeError("connection lost")
        real(conn, table, rows)

    monkeypatch.setattr(mapping, "insert_rows", failing)
    with pytest.raises(RuntimeError):
        Workspace(db).import_files(sorted(folder.iterdir()))
    assert {"documents", "actor_attribute_values", "ties"} <= set(seen)
    assert dump(db) == before


# --- streamed imports ------------------------------------------------------------------------

STREAM_HEAD = "id,kind,actors,start,sources\n"


def test_problems_past_the_limit_are_counted_not_listed(db: str, tmp_path: Path) -> None:
    extra = 37
    rows = [f"t-{i},coperation,RU-KR;FI,1999,memo:para 12\n"
            for i in range(MAX_PROBLEMS + extra)]
    path = tmp_path / "ties.csv"
    path.write_text(STREAM_HEAD + "".join(rows), encoding="utf-8")
    before = dump(db)
    with pytest.raises(ValidationError) as info:
        Workspace(db).validate_files([path])
    problems = info.value.errors
    assert len(problems) == MAX_PROBLEMS + 1
    assert [(p.row, p.field) for p in problems[:2]] == [(1, "kind"), (2, "kind")]
    assert str(problems[-1]) == (f"{extra} more problem(s) not listed (an import lists the "
                                 f"first {MAX_PROBLEMS})")
    with pytest.raises(ValidationError):
        Workspace(db).import_files([path])
    assert dump(db) == before


def test_a_repeated_key_reports_the_repetition_not_the_rows_other_problems(
        db: str, tmp_path: Path) -> None:
    path = tmp_path / "ties.csv"
    path.write_text(STREAM_HEAD
                    + "t-one,cooperation,RU-KR;FI,1999,memo:para 12\n"
                    + "t-one,coperation,RU-KR;XX,1999,nemo:p 1\n"  # repeated, and bad
                    + "t-kr-mur,coperation,RU-KR;FI,1999,nemo:p\n"  # stored
                    + "t-two,coperation,RU-KR;FI,1999,memo:para 12\n",
                    encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Workspace(db).validate_files([path])
    got = [(p.row, p.field, str(p.value), p.message) for p in info.value.errors]
    assert got == [
        (2, "id", "t-one", "duplicate in the batch (first in ties.csv, row 1)"),
        (3, "id", "t-kr-mur", "already in the workspace"),
        (4, "kind", "coperation", "unknown tie kind")]


def test_a_failure_while_copying_staged_rows_rolls_everything_back(
        db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "documents.csv").write_text("id,title\nnew-doc,A new document\n",
                                            encoding="utf-8")
    rows = "".join(f"t-{i},cooperation,RU-KR;FI,1999,new-doc:p {i}\n" for i in range(50))
    (tmp_path / "ties.csv").write_text(STREAM_HEAD + rows, encoding="utf-8")
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
        Workspace(db).import_files([tmp_path / "documents.csv", tmp_path / "ties.csv"])
    assert copied[:2] == ["ties", "tie_actors"]  # the ties were copied, then it failed
    assert dump(db) == before


# --- the header of a read: one query once the schema is known (load12) ---------------------


def test_a_read_after_the_case_table_went_away_says_so_then_recovers(ws: Workspace) -> None:
    """The unguarded header query of a known-current workspace fails (on PostgreSQL the
    transaction is then unusable): the read starts again the careful way, which names the
    missing workspace; once the table is back, reads work again."""
    with ws.snapshot() as (_conn, revision, version):
        assert (revision, version) == ws.state()
    assert ws._schema_current
    with ws.database.writing() as conn:
        conn.exec_driver_sql("ALTER TABLE case_info RENAME TO case_info_away")
    with pytest.raises(WorkspaceNotFoundError, match="no regionet workspace"), ws.snapshot():
        pass
    assert not ws._schema_current
    with pytest.raises(WorkspaceNotFoundError):
        ws.state()
    with ws.database.writing() as conn:
        conn.exec_driver_sql("ALTER TABLE case_info_away RENAME TO case_info")
    with ws.reading() as (conn, seen):
        assert seen == revision
        assert conn.execute(sa.text("SELECT count(*) FROM ties")).scalar_one() > 0
    assert ws._schema_current and ws.state() == (revision, version)


def test_snapshot_and_state_see_each_write(ws: Workspace, tmp_path: Path) -> None:
    before = ws.state()
    with ws.snapshot() as (_conn, revision, version):
        assert (revision, version) == before
    assert ws.import_files([_good(tmp_path)]) == {"ties": 2}
    after = ws.state()
    assert after[0] == before[0] + 1 and after[1] != before[1]
    with ws.snapshot() as (_conn, revision, version):
        assert (revision, version) == after


def test_every_read_on_postgresql_has_its_statement_timeout(ws: Workspace) -> None:
    """The timeout is set by the header query of a known-current workspace (no SET LOCAL)."""
    if not ws.database.is_postgresql:
        pytest.skip("a PostgreSQL setting")
    for _ in range(2):   # the careful first read, then the one-query header
        with ws.reading() as (conn, _revision):
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "30s"
    assert ws._schema_current
    with ws.database.connect() as conn:   # outside a read: the server's default
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "0"



def test_upgrade_asks_nothing_once_it_found_the_current_schema(ws: Workspace,
                                                               workspace_url: str) -> None:
    """An API write asks for the upgrade each time: after the first, no statement is sent."""
    fresh = Workspace(workspace_url)   # a new handle: it has not read the schema yet
    statements: list[str] = []
    sa.event.listen(fresh.database.engine(), "before_cursor_execute",
                    lambda _conn, _cursor, sql, *_rest: statements.append(sql))
    assert fresh.upgrade() is False
    asked = len(statements)
    assert any("schema_version" in s for s in statements)
    assert fresh.upgrade() is False and fresh.upgrade() is False
    assert len(statements) == asked
    fresh.close()
