"""Exports on real files: CSV round trips, JSON, GeoJSON read by geopandas, GraphML/GEXF."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import networkx as nx
import pytest

from regionet.core.errors import DataFileError, InvalidValueError, UnknownReferenceError
from regionet.core.ids import ActorId
from regionet.engines.network.graphs import tie_graph
from regionet.io.casefiles import case_directory, load_case
from regionet.io.exports import export_case
from regionet.model.case import Case
from regionet.model.vocab import Vocabulary
from regionet.storage import Workspace

SMALL_CASE = {
    "case.yaml": "id: small\ntitle: Small\nfederation: RU\ncredits: [Invented]\n",
    "documents.csv": "id,title,year\nmemo,The memo,1999\n",
    "vocab/tie_kinds.csv": """\
kind,group,directed,definition
cooperation,cooperation,false,work together
agreement,agreement,false,a signed agreement
membership,membership,true,is a member of
loan,funding,true,a repayable loan
""",
    "vocab/domains.csv": "domain,definition\nenvironment,ecology\ntransport,roads\n",
    "actors.csv": """\
id,kind,name_en,name_local,valid_from,valid_to,parent,sources
RU,centre,Russia,Россия,1991,,,memo:p1
RU-KR,subject,Karelia,Карелия,1991,,RU,memo:p1
RU-MUR,subject,Murmansk,,1991,,RU,memo:p1
RU-NIZ,subject,Nizhny Novgorod,,1991,,RU,memo:p1
FI,state,Finland,,,,,memo:p1
NO,state,Norway,,,,,memo:p1
DE,state,Germany,,,,,memo:p1
assoc-northwest,association,Northwest Association,,1990,,RU,memo:p1
cbss,organization,CBSS,,1992,,,memo:p1
nefco,fund,NEFCO,,1990,2000,,memo:p1
""",
    "subjects.csv": """\
id,type,capital_en,land_border_states,sea_border_states,population_1999,population_year,sources
RU-KR,republic,Petrozavodsk,FI,,771000,1999,memo:p2
RU-MUR,oblast,Murmansk,FI;NO,NO,1000000,1999,memo:p2
RU-NIZ,oblast,Nizhny Novgorod,,,,,memo:p2
""",
    "actor_attributes.csv": """\
actor,attribute,value,unit,sources
nefco,capital,112000000.0,EUR,memo:p3
cbss,seat,Stockholm,,memo:p3
RU-KR,twin_towns,7,,memo:p3
""",
    "ties.csv": """\
id,kind,actors,start,end,domains,amount,currency,amount_year,sources
t-bi,cooperation,RU-KR;RU-MUR,1996,1999-12,environment;transport,,,,memo:p4
t-tri,cooperation,RU-KR;RU-MUR;RU-NIZ,1997,,,,,,memo:p4
t-nw,membership,RU-KR;assoc-northwest,1991,,,,,,memo:p4
t-fi,cooperation,RU-KR;FI,1992-05-25,,,,,,memo:p4
t-cbss,membership,RU-MUR;cbss;nefco,1993,1999,,,,,memo:p4
t-loan,loan,nefco;RU-MUR,1998,,environment,1200000,ECU,1998,memo:p4
t-vert,agreement,RU;RU-KR,1994-03,,,,,,memo:p4
t-de,cooperation,RU-NIZ;DE,1995,,,,,,memo:p4
""",
    "observations.csv": "id,indicator,subject,value,unit,start,sources\n"
                        "o-1,agreements,RU,300,count,1995,memo:p5\n",
    "rates.csv": "base,quote,year,rate,sources\nECU,NOK,1998,8.1,memo:p6\n",
    "geo/adjacency_1999.csv": "a,b\nRU-MUR,RU-KR\n",
}


def _square(x: float) -> dict[str, object]:
    return {"type": "Polygon",
            "coordinates": [[[x, 60.0], [x + 1, 60.0], [x + 1, 61.0], [x, 61.0], [x, 60.0]]]}


GEO = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": _square(30.0 + i),
     "properties": {"id": sid, "name_en": sid, "successor_2008": sid,
                    "geometry_basis": "own", "shares_geometry_with": ""}}
    for i, sid in enumerate(["RU-KR", "RU-MUR", "RU-NIZ"])]}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for rel, text in SMALL_CASE.items():
        path = tmp_path / "small" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "small" / "geo" / "subjects_1999.geojson").write_text(json.dumps(GEO))
    return tmp_path / "small"


@pytest.fixture
def case(folder: Path) -> Case:
    return load_case(folder)


def assert_same_records(got: Case, want: Case) -> None:
    assert got.documents == want.documents
    assert got.vocab == want.vocab
    assert got.actors == want.actors
    assert got.ties == want.ties
    assert got.observations == want.observations
    assert sorted(got.attributes, key=repr) == sorted(want.attributes, key=repr)
    assert sorted(got.rates, key=repr) == sorted(want.rates, key=repr)
    assert got.adjacency == want.adjacency


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# --- csv -------------------------------------------------------------------------------------


def test_csv_export_is_a_case_folder_that_loads_back_equal(case: Case, tmp_path: Path) -> None:
    paths = export_case(case, "csv", tmp_path / "out")
    assert all(p.is_file() for p in paths)
    again = load_case(tmp_path / "out")
    assert_same_records(again, case)
    assert again.attributes == case.attributes
    assert (again.id, again.title, again.federation, again.credits) == (
        case.id, case.title, case.federation, case.credits)


def test_csv_tables_reimport_into_a_fresh_workspace(case: Case, tmp_path: Path,
                                                    workspace_url: str) -> None:
    export_case(case, "csv", tmp_path / "out")
    skeleton = Case(case.id, case.title, case.federation, {}, Vocabulary({}, {}), {}, {}, {})
    ws = Workspace(workspace_url)
    ws.init(skeleton)
    files = [p for p in (tmp_path / "out").rglob("*.csv")
             if p.name not in ("ties_classified.csv", "adjacency_1999.csv")]
    counts = ws.import_files(files)
    assert counts["ties"] == len(case.ties) and counts["subjects"] == 3
    got = ws.load_case()
    # Adjacency is not imported from files (it comes from geometry): compare the rest.
    got = replace(got, adjacency=case.adjacency)
    assert_same_records(got, case)


def test_ties_classified(case: Case, tmp_path: Path) -> None:
    export_case(case, "csv", tmp_path / "out")
    rows = {r["id"]: r for r in read_csv(tmp_path / "out" / "ties_classified.csv")}
    assert set(rows) == set(case.ties)
    for tie_id, row in rows.items():
        c = case.classify(tie_id)
        assert (row["level"], row["sublevel"], row["reason"]) == (
            c.level.value, c.sublevel.value if c.sublevel else "", c.reason)
    assert rows["t-bi"]["neighbours"] == "true"
    assert rows["t-fi"]["sublevel"] == "cross-border"


# --- json ------------------------------------------------------------------------------------


def test_json_export(case: Case, tmp_path: Path) -> None:
    paths = export_case(case, "json", tmp_path / "json")
    names = {p.stem for p in paths}
    assert {"documents", "actors", "subjects", "actor_attributes", "ties", "observations",
            "rates", "tie_kinds", "domains"} <= names
    ties = {t["id"]: t for t in json.loads((tmp_path / "json" / "ties.json").read_text())}
    assert ties["t-loan"]["amount"] == {"value": 1200000.0, "currency": "ECU", "year": 1998}
    assert ties["t-bi"]["amount"] is None
    assert ties["t-bi"]["domains"] == ["environment", "transport"]
    assert ties["t-cbss"]["actors"] == ["RU-MUR", "cbss", "nefco"]
    assert (ties["t-cbss"]["level"], ties["t-cbss"]["sublevel"]) == (
        "international", "trans-regional")
    assert ties["t-vert"]["reason"] == case.classify("t-vert").reason
    subjects = json.loads((tmp_path / "json" / "subjects.json").read_text())
    assert {s["id"]: s["population_1999"] for s in subjects} == {
        "RU-KR": 771000, "RU-MUR": 1000000, "RU-NIZ": None}


# --- geojson ---------------------------------------------------------------------------------


def test_geojson_is_read_by_geopandas(case: Case, folder: Path, tmp_path: Path) -> None:
    gpd = pytest.importorskip("geopandas")
    (path,) = export_case(case, "geojson", tmp_path / "geo", geo_dir=folder / "geo")
    assert path.name == "subjects.geojson"
    gdf = gpd.read_file(path)
    assert len(gdf) == 3
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all()
    kr = gdf.set_index("id").loc["RU-KR"]
    assert (kr["ties_bilateral"], kr["ties_subnational"], kr["ties_international"],
            kr["ties_cross_border"], kr["ties_trans_regional"], kr["ties_vertical"]) == (
        2, 1, 1, 1, 0, 1)
    assert kr["capital_en"] == "Petrozavodsk" and kr["geometry_basis"] == "own"
    assert gdf.set_index("id").loc["RU-MUR", "ties_trans_regional"] == 2


def test_geojson_without_polygons_says_how_to_build_them(case: Case, tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"scripts/build_geodata\.py"):
        export_case(case, "geojson", tmp_path / "geo", geo_dir=tmp_path / "nothing")


def test_geojson_of_the_bundled_case(tmp_path: Path) -> None:
    gpd = pytest.importorskip("geopandas")
    folder = case_directory("russia-1990s")
    if not (folder / "case.yaml").is_file() or not (
            folder / "geo" / "subjects_1999.geojson").is_file():
        pytest.skip("the bundled case or its geography is not built yet")
    from regionet.io.casefiles import load_case
    (path,) = export_case(load_case("russia-1990s"), "geojson", tmp_path)
    gdf = gpd.read_file(path)
    assert len(gdf) == 89
    assert gdf.geometry.notna().all() and gdf.geometry.is_valid.all()


# --- graphs ----------------------------------------------------------------------------------


def test_clique_and_star_projection(case: Case) -> None:
    G = tie_graph(case)
    assert G.number_of_nodes() == len(case.actors)
    tri = [(u, v, d) for u, v, d in G.edges(data=True) if d["tie_id"] == "t-tri"]
    assert len(tri) == 3
    strength = {a: sum(d["weight"] for u, v, d in tri if a in (u, v))
                for a in ("RU-KR", "RU-MUR", "RU-NIZ")}
    assert strength == pytest.approx({"RU-KR": 1.0, "RU-MUR": 1.0, "RU-NIZ": 1.0})
    star = {k: d for _, _, k, d in G.edges(keys=True, data=True) if d["tie_id"] == "t-cbss"}
    assert set(star) == {"t-cbss#1", "t-cbss#2"}
    assert {(d["from_actor"], d["to_actor"]) for d in star.values()} == {
        ("RU-MUR", "cbss"), ("RU-MUR", "nefco")}
    assert all(d["directed"] and d["weight"] == 0.5 for d in star.values())
    loan = G.edges["nefco", "RU-MUR", "t-loan"]
    assert (loan["amount"], loan["currency"], loan["weight"]) == (1200000.0, "ECU", 1.0)
    assert "amount" not in G.edges["RU-KR", "FI", "t-fi"]
    assert G.nodes["RU-KR"]["twin_towns"] == 7
    assert G.nodes["nefco"]["capital"] == 112000000.0


def test_tie_graph_filters(case: Case) -> None:
    assert {d["tie_id"] for *_, d in tie_graph(case, levels=["cross-border"]).edges(data=True)
            } == {"t-fi"}
    assert {d["tie_id"] for *_, d in tie_graph(case, kinds=["loan"]).edges(data=True)
            } == {"t-loan"}
    G = tie_graph(case, as_of=date(2001, 1, 1))
    assert {d["tie_id"] for *_, d in G.edges(data=True)} == {
        "t-tri", "t-nw", "t-fi", "t-loan", "t-vert", "t-de"}
    assert "nefco" in G  # its validity ended in 2000, but it is a party to the open loan
    assert "cbss" in G
    with pytest.raises(InvalidValueError, match="unknown level"):
        tie_graph(case, levels=["crossborder"])
    with pytest.raises(UnknownReferenceError, match="Did you mean"):
        tie_graph(case, kinds=["lone"])


def _same_graph(read: nx.MultiGraph, G: nx.MultiGraph) -> None:
    assert read.number_of_nodes() == G.number_of_nodes()
    assert read.number_of_edges() == G.number_of_edges()
    for n, data in G.nodes(data=True):
        assert {k: v for k, v in read.nodes[n].items() if k != "label"} == {
            k: v for k, v in data.items() if k != "label"}, n


def test_graphml_reads_back(case: Case, tmp_path: Path) -> None:
    (path,) = export_case(case, "graphml", tmp_path)
    assert path.name == "ties.graphml"
    read = nx.read_graphml(path)
    G = tie_graph(case)
    assert read.is_multigraph() and not read.is_directed()
    _same_graph(read, G)
    for u, v, k, data in G.edges(keys=True, data=True):
        assert read.edges[u, v, k] == data
    assert read.nodes["RU-KR"]["label"] == "Karelia"
    assert read.graph["projection"].startswith("undirected kinds: clique")


def test_gexf_reads_back(case: Case, tmp_path: Path) -> None:
    (path,) = export_case(case, "gexf", tmp_path)
    read = nx.read_gexf(path)
    G = tie_graph(case)
    _same_graph(read, G)
    by_key = {d.get("networkx_key", k): d for _, _, k, d in read.edges(keys=True, data=True)}
    assert set(by_key) == {k for *_, k in G.edges(keys=True)}
    for *_, k, data in G.edges(keys=True, data=True):
        got = by_key[k]
        assert got["tie_id"] == data["tie_id"] and got["weight"] == data["weight"]
        assert got["start_text"] == data["start"] and got["end_text"] == data["end"]
        assert got.get("start", "") == data["start_date"]
        assert got.get("end", "") == data["end_date"]
        assert got.get("amount") == data.get("amount")
    assert read.nodes[ActorId("RU-KR")]["label"] == "Karelia"


def test_unknown_format(case: Case, tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError, match="unknown export format"):
        export_case(case, "xlsx", tmp_path)  # type: ignore[arg-type]
