"""Guards for ``io/exports.py`` written from the mutants mutmut found alive (docs/testing.md).

The bundled case is the only one with capitals; its CSV export must give back the bundled
``geo/capitals_1999.csv`` row for row. A graph format that is not GraphML or GEXF is refused
with an error naming the field, the value and the formats accepted.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import networkx as nx
import pytest

from regionet.core.errors import DataFileError, InvalidValueError
from regionet.io.casefiles import case_directory, load_case
from regionet.io.exports import _num, _value, _write_csv, export_case, write_graph
from regionet.io.records import TABLES


def _rows(path: Path) -> list[dict[str, object]]:
    """The rows with coordinates as numbers (``127.54050`` is written back ``127.5405``)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [{**r, "lat": float(r["lat"]), "lon": float(r["lon"])} for r in csv.DictReader(fh)]


def test_capitals_are_written_back_row_for_row(tmp_path: Path) -> None:
    bundled_csv = tmp_path
    export_case(load_case("russia-1990s"), "csv", bundled_csv)
    original = _rows(case_directory("russia-1990s") / "geo" / "capitals_1999.csv")
    exported = _rows(bundled_csv / "geo" / "capitals_1999.csv")
    assert len(exported) == len(original) == 89
    assert exported == original
    assert exported[0] == {
        "id": "RU-AD", "capital_en": "Maykop", "lat": 44.60778, "lon": 40.10583,
        "geonameid": "528293", "sources": "geonames:geonameid 528293", "status": "verified",
        "note": "via ru_admin1_crosswalk.csv"}


def test_an_unknown_graph_format_is_refused_with_the_formats(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError) as caught:
        write_graph(nx.MultiGraph(), "dot", tmp_path / "ties.dot")
    err = caught.value
    assert (err.message, err.field, err.value, err.expected) == (
        "unknown graph format", "format", "dot", "one of graphml, gexf")
    assert not (tmp_path / "ties.dot").exists()


# -- JSON: each table's objects carry the CSV columns (docs/data.md), with the documented
#    differences: money as one object, ties with their classification, actors with attributes.

JSON_DIFFERENCES = {
    "actors": ({"attributes"}, set()),
    "rates": (set(), {"note"}),
    "ties": ({"level", "sublevel", "reason", "neighbours"}, {"currency", "amount_year"}),
}


def _bundled_json(out: Path) -> Path:
    # Exported in each test (not in a shared fixture): mutmut runs, per mutant, only the
    # tests that called the mutated function, and a fixture's call counts for one test only.
    export_case(load_case("russia-1990s"), "json", out)
    return out


def test_json_objects_have_the_csv_columns(tmp_path: Path) -> None:
    out = _bundled_json(tmp_path)
    wrong = {}
    for table in sorted(TABLES):
        rows = json.loads((out / f"{table}.json").read_text(encoding="utf-8"))
        added, dropped = JSON_DIFFERENCES.get(table, (set(), set()))
        expected = (set(TABLES[table].required + TABLES[table].optional) | added) - dropped
        keys = {frozenset(row) for row in rows}
        if keys != {frozenset(expected)}:
            wrong[table] = sorted(set().union(*keys) ^ expected)
    assert wrong == {}


def test_json_case_and_first_rows(tmp_path: Path) -> None:
    bundled_json = _bundled_json(tmp_path)
    case = load_case("russia-1990s")
    meta = json.loads((bundled_json / "case.json").read_text(encoding="utf-8"))
    assert meta == {"id": "russia-1990s", "title": case.title, "federation": "RU",
                    "description": case.description, "credits": list(case.credits)}
    rates = json.loads((bundled_json / "rates.json").read_text(encoding="utf-8"))
    assert rates == [{"base": "ECU", "quote": "NOK", "year": 1998, "rate": 8.108108108108109,
                      "sources": [{"document": "sergounin-1999", "locator": "para 14"}],
                      "status": "partial"}]
    subject = json.loads((bundled_json / "subjects.json").read_text(encoding="utf-8"))[0]
    assert {k: subject[k] for k in ("id", "population_1999", "status")} == {
        "id": "RU-AD", "population_1999": 450358, "status": "verified"}
    assert subject["sources"][0] == {"document": "src-c65", "locator": "art. 65"}
    assert subject["note"].startswith("population_1999 = Rosstat resident population")
    domains = json.loads((bundled_json / "domains.json").read_text(encoding="utf-8"))
    assert domains[0] == {"domain": next(iter(case.vocab.domains)),
                          "definition": next(iter(case.vocab.domains.values())).definition}


# -- how numbers and attribute values are written --------------------------------------------


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (3.0, "3"), (-2.0, "-2"), (0.0, "0"), (2.5, "2.5"), (-0.125, "-0.125"),
    (1e15, "1000000000000000.0"), (999999999999999.0, "999999999999999"),
])
def test_numbers_are_written_exactly(value: float | None, text: str) -> None:
    assert _num(value) == text


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (True, "true"), (False, "false"), (2.0, "2.0"), (7, "7"), ("RU-KR", "RU-KR"),
])
def test_attribute_values_are_written_to_read_back_the_same_type(value: object,
                                                                  text: str) -> None:
    assert _value(value) == text  # type: ignore[arg-type]


def test_a_graph_is_written_into_a_folder_that_does_not_exist_yet(tmp_path: Path) -> None:
    G = nx.MultiGraph()
    G.add_node("RU-KR", name_en="Karelia")
    path = write_graph(G, "graphml", tmp_path / "a" / "b" / "ties.graphml")
    assert path == tmp_path / "a" / "b" / "ties.graphml"
    assert nx.read_graphml(path).nodes["RU-KR"] == {"name_en": "Karelia", "label": "Karelia"}


# -- the bundled case as CSV: loads back record for record -----------------------------------


def test_the_bundled_case_exported_as_csv_loads_back_equal(tmp_path: Path) -> None:
    case = load_case("russia-1990s")
    export_case(case, "csv", tmp_path)
    again = load_case(tmp_path)
    assert again.documents == case.documents
    assert again.vocab == case.vocab
    assert again.actors == case.actors
    assert again.ties == case.ties
    assert again.observations == case.observations
    assert sorted(again.attributes, key=repr) == sorted(case.attributes, key=repr)
    assert sorted(again.rates, key=repr) == sorted(case.rates, key=repr)
    assert (again.adjacency, again.approximate_adjacency) == (
        case.adjacency, case.approximate_adjacency)
    # the case.yaml keys in the case's order, non-ASCII text written as itself
    text = (tmp_path / "case.yaml").read_text(encoding="utf-8")
    assert [line.split(":")[0] for line in text.splitlines() if not line.startswith(" ")
            and ":" in line][:4] == ["id", "title", "federation", "description"]
    assert "\\u" not in text
    rates = _plain(tmp_path / "rates.csv")
    assert [r["note"] for r in rates] == [""] * len(case.rates)
    approximate = {frozenset((r["a"], r["b"])) for r in _plain(tmp_path / "geo" /
                                                              "adjacency_1999.csv")
                   if r["basis"] == "successor-approximate"}
    assert approximate == set(case.approximate_adjacency)


def test_ties_classified_of_the_bundled_case(tmp_path: Path) -> None:
    case = load_case("russia-1990s")
    export_case(case, "csv", tmp_path)
    rows = {r["id"]: r for r in _plain(tmp_path / "ties_classified.csv")}
    assert set(rows) == set(case.ties)
    for tie in case.ties.values():
        c = case.classify(tie)
        assert rows[tie.id] == {
            "id": tie.id, "kind": tie.kind, "actors": ";".join(tie.actors),
            "start": tie.validity.start_text or "", "end": tie.validity.end_text or "",
            "level": c.level.value, "sublevel": c.sublevel.value if c.sublevel else "",
            "reason": c.reason,
            "neighbours": {None: "", True: "true", False: "false"}[c.neighbours]}, tie.id
    assert any(r["start"] == "" for r in rows.values())
    assert any(r["neighbours"] == "" for r in rows.values())


def _plain(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_a_row_with_a_column_the_table_lacks_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^t\.csv: no column for \['b', 'c'\]$"):
        _write_csv(tmp_path / "t.csv", ("a",), [{"a": "1", "c": "2", "b": "3"}])


def test_a_missing_cell_is_written_empty_into_a_new_folder(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "x" / "y" / "t.csv", ("a", "b"), [{"a": "1"}])
    assert path.read_bytes() == b"a,b\n1,\n"


def test_geojson_without_a_geography_names_what_to_pass(tmp_path: Path) -> None:
    case = load_case("russia-1990s")
    with pytest.raises(DataFileError) as caught:
        export_case(case, "geojson", tmp_path / "out", geo_dir=tmp_path / "nowhere")
    err = caught.value
    assert (err.message, err.file, err.expected) == (
        "subject polygons not found", str(tmp_path / "nowhere" / "subjects_1999.geojson"),
        "a GeoJSON FeatureCollection of the subjects")
    assert err.hint == "Build it with `python scripts/build_geodata.py`, or pass geo_dir"
    export_case(case, "csv", tmp_path / "copy")
    copy = load_case(tmp_path / "copy")
    with pytest.raises(DataFileError) as caught:
        export_case(replace(copy, id="not-bundled"), "geojson", tmp_path / "out")
    err = caught.value
    assert (err.message, err.file, err.expected, err.hint) == (
        "no bundled case folder to take the geography from", "not-bundled",
        "a bundled case id", "Pass geo_dir (the folder of subjects_1999.geojson)")


# -- GeoJSON of the subjects: properties, polygons and tie counts -----------------------------


def _geo_dir(tmp_path: Path) -> Path:
    square = {"type": "Polygon", "coordinates": [[[30, 61], [34, 61], [34, 65], [30, 61]]]}
    geo = {"type": "FeatureCollection", "attribution": "hand-made for the test", "features": [
        {"type": "Feature", "geometry": square,
         "properties": {"id": "RU-KR", "geometry_basis": "1999 border",
                        "shares_geometry_with": "RU-MUR", "geometry_note": "a square"}},
        {"type": "Feature", "geometry": None, "properties": {"id": "RU-MUR"}}]}
    folder = tmp_path / "geo"
    folder.mkdir()
    (folder / "subjects_1999.geojson").write_text(json.dumps(geo), encoding="utf-8")
    return folder


def test_geojson_properties_polygons_and_tie_counts(tmp_path: Path) -> None:
    case = load_case("russia-1990s")
    export_case(case, "geojson", tmp_path / "out", geo_dir=_geo_dir(tmp_path))
    out = json.loads((tmp_path / "out" / "subjects.geojson").read_text(encoding="utf-8"))
    assert [k for k in out] == ["type", "attribution", "features"]
    assert (out["type"], out["attribution"]) == ("FeatureCollection", "hand-made for the test")
    features = {f["properties"]["id"]: f for f in out["features"]}
    assert sorted(features) == sorted(a.id for a in case.members())
    assert all(set(f) == {"type", "properties", "geometry"} for f in out["features"])
    kr = features["RU-KR"]
    assert kr["geometry"]["coordinates"][0][1] == [34, 61]
    assert {k: kr["properties"][k] for k in ("name_en", "geometry_basis",
                                             "shares_geometry_with", "geometry_note")} == {
        "name_en": "Karelia", "geometry_basis": "1999 border",
        "shares_geometry_with": "RU-MUR", "geometry_note": "a square"}
    assert kr["properties"]["name_local"] == case.actors["RU-KR"].name_local
    for missing, basis in (("RU-MUR", "missing"), ("RU-MOW", "missing")):
        props = features[missing]["properties"]
        assert (props["geometry_basis"], props["shares_geometry_with"],
                props["geometry_note"]) == (basis, "", "")
    assert features["RU-MOW"]["geometry"] is None
    # tie counts: every tie the subject is a party to or hosts, by its level and sublevel
    for subject in ("RU-KR", "RU-MUR", "RU-MOW"):
        expected = dict.fromkeys(("ties_bilateral", "ties_subnational", "ties_international",
                                  "ties_cross_border", "ties_trans_regional",
                                  "ties_non_adjacent", "ties_vertical"), 0)
        for t in case.ties.values():
            if subject in t.actors or t.location == subject:
                c = case.classify(t)
                for name in expected:
                    value = name.removeprefix("ties_").replace("_", "-")
                    expected[name] += int(value in (c.level.value,
                                                    c.sublevel.value if c.sublevel else None))
        assert {k: features[subject]["properties"][k] for k in expected} == expected, subject
    assert any(t.location == "RU-MUR" and "RU-MUR" not in t.actors for t in case.ties.values())


def test_geojson_that_is_not_a_feature_collection_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "geo"
    folder.mkdir()
    (folder / "subjects_1999.geojson").write_text('{"features": [{"id": 1}]}', encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        export_case(load_case("russia-1990s"), "geojson", tmp_path / "out", geo_dir=folder)
    err = caught.value
    assert (err.message, err.file, err.expected, err.hint) == (
        "not a FeatureCollection with an id per feature ('properties')",
        str(folder / "subjects_1999.geojson"), "features with properties.id",
        "Build it with `python scripts/build_geodata.py`, or pass geo_dir")


def test_json_adjacency_and_attribute_records(tmp_path: Path) -> None:
    case = load_case("russia-1990s")
    out = tmp_path / "a" / "b"  # folders that do not exist yet
    export_case(case, "json", out)
    adjacency = json.loads((out / "adjacency.json").read_text(encoding="utf-8"))
    assert adjacency == sorted(sorted(p) for p in case.adjacency)
    approximate = json.loads((out / "approximate_adjacency.json").read_text(encoding="utf-8"))
    assert approximate == sorted(sorted(p) for p in case.approximate_adjacency)
    assert 0 < len(approximate) < len(adjacency)
    records = json.loads((out / "actor_attributes.json").read_text(encoding="utf-8"))
    assert len(records) == sum(r.attribute != "subject_row" for r in case.attributes) == 232
    assert all(r["attribute"] != "subject_row" for r in records)


def test_an_unknown_export_format_is_refused_with_the_formats(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError) as caught:
        export_case(load_case("russia-1990s"), "xlsx", tmp_path)
    err = caught.value
    assert (err.message, err.field, err.value, err.expected) == (
        "unknown export format", "format", "xlsx", "one of csv, json, geojson, graphml, gexf")


def test_an_equals_comparator_is_written_as_the_empty_cell(tmp_path: Path) -> None:
    case = load_case("russia-1990s")
    export_case(case, "csv", tmp_path)
    written = {r["id"]: r["comparator"] for r in _plain(tmp_path / "observations.csv")}
    assert written == {o.id: "" if o.comparator == "=" else o.comparator
                       for o in case.observations.values()}
    assert "=" not in written.values() and "" in written.values()


# --- the bytes of case.yaml and of the JSON tables (left alive, docs/testing.md) ------------

def test_case_yaml_keeps_a_non_ascii_title_as_written(tmp_path: Path) -> None:
    case = replace(load_case("russia-1990s"), title="Россия в 1990-е: регионализация")
    export_case(case, "csv", tmp_path)
    text = (tmp_path / "case.yaml").read_text(encoding="utf-8")
    assert "title: 'Россия в 1990-е: регионализация'\n" in text  # not "\u0420\u043e…"
    assert text.startswith("id: russia-1990s\ntitle: ")  # the keys in their order, not sorted


def test_json_tables_are_written_indented_by_one_without_escapes(tmp_path: Path) -> None:
    out = _bundled_json(tmp_path / "json")
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(out.glob("*.json"))}
    assert any(not t.isascii() for t in texts.values())  # local names in Cyrillic
    for name, text in texts.items():
        assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n", name
