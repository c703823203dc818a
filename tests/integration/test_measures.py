"""Per-region measures for maps (regionet.services.measures) on the bundled case."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from regionet.core.errors import InvalidValueError, UnknownReferenceError
from regionet.core.jsonsafe import json_bytes
from regionet.engines.fiscal.run.outputs import donors_recipients
from regionet.io.casefiles import load_case
from regionet.model.case import Case
from regionet.services.case_source import CaseSource
from regionet.services.fiscal import run_fiscal_year
from regionet.services.measures import (
    MEASURES,
    encoded_subjects,
    measure_values,
    subjects_geojson,
    subjects_geojson_bytes,
)
from regionet.services.workspace import import_files, init_workspace

SRC = CaseSource.bundled()

TIE_FILTERS = {
    "ties_total": (None, None),
    "ties_bilateral": ("bilateral", None),
    "ties_subnational": ("subnational", None),
    "ties_international": ("international", None),
    "ties_cross_border": ("international", "cross-border"),
    "ties_trans_regional": ("international", "trans-regional"),
    "ties_non_adjacent": ("international", "non-adjacent"),
    "ties_vertical": ("vertical", None),
}
REQUIRED = {"population", "transfers_per_capita", "revenue_regional_per_capita",
            "total_per_capita", "net_flow_per_capita", "profit_tax_regional",
            "donor_net_contributor", *TIE_FILTERS}


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case()


@pytest.fixture(scope="module")
def members(case: Case) -> list[str]:
    return [a.id for a in case.members()]


def test_catalogue() -> None:
    assert set(MEASURES) >= REQUIRED
    for name, m in MEASURES.items():
        assert m.name == name and m.label and m.unit and m.description
        assert m.kind in ("fiscal", "network", "case")
        assert m.needs_year == (m.kind == "fiscal")
        assert m.illustrative == (m.kind == "fiscal")
    assert set(TIE_FILTERS) == {n for n, m in MEASURES.items() if m.kind == "network"}
    for name in TIE_FILTERS:
        assert "undated ties always count" in MEASURES[name].description


@pytest.mark.parametrize("name", sorted(MEASURES))
def test_every_measure_gives_89_finite_values(name: str, members: list[str]) -> None:
    values = measure_values(SRC, name, year=1999)
    assert list(values) == members and len(values) == 89
    assert all(isinstance(v, float) and math.isfinite(v) for v in values.values())


@pytest.mark.parametrize("name", sorted(TIE_FILTERS))
@pytest.mark.parametrize("year", [None, 1992, 1998, 2005])
def test_tie_counts_match_select_ties(name: str, year: int | None, case: Case) -> None:
    level, sublevel = TIE_FILTERS[name]
    values = measure_values(SRC, name, year=year)
    for subject, value in values.items():
        expected = len(case.select_ties(level=level, sublevel=sublevel, actor=subject,
                                        year=year))
        assert value == expected, subject


def test_non_adjacent_ties_of_karelia_and_kaliningrad(case: Case) -> None:
    # Karelia-Vermont (1989) and Kaliningrad-Germany (undated): no member party borders the
    # partner's state; no other subject has such a tie
    values = measure_values(SRC, "ties_non_adjacent")
    assert {k: v for k, v in values.items() if v} == {"RU-KR": 1.0, "RU-KGD": 1.0}
    before = measure_values(SRC, "ties_non_adjacent", year=1988)  # Vermont: from 1989
    assert (before["RU-KR"], before["RU-KGD"]) == (0.0, 1.0)


def test_undated_ties_count_in_any_year(case: Case) -> None:
    undated = [t for t in case.select_ties(level="bilateral", actor="RU-KR")
               if t.validity.start is None and t.validity.end is None]
    assert measure_values(SRC, "ties_bilateral", year=1900)["RU-KR"] == len(undated) > 0
    assert measure_values(SRC, "ties_total")["RU-KR"] >= measure_values(SRC, "ties_total",
                                                                     year=1999)["RU-KR"]


def test_population(case: Case) -> None:
    values = measure_values(SRC, "population", year=2005, scenario="ignored")
    assert values["RU-MOW"] == float(case.actor("RU-MOW").attributes["population_1999"])
    assert 145e6 < sum(values.values()) < 148e6


def test_fiscal_conversions() -> None:
    frame = run_fiscal_year(SRC, 1999).regions.set_index("region")
    transfers = measure_values(SRC, "transfers_per_capita", year=1999)
    net = measure_values(SRC, "net_flow_per_capita", year=1999)
    total = measure_values(SRC, "total_per_capita", year=1999)
    own = measure_values(SRC, "revenue_regional_per_capita", year=1999)
    profit = measure_values(SRC, "profit_tax_regional", year=1999)
    for r in ("RU-MOW", "RU-KHM", "RU-KR"):
        row = frame.loc[r]
        assert transfers[r] == pytest.approx(row["transfers"] / row["population"] * 1e6)
        assert net[r] == pytest.approx(row["net_flow"] / row["population"] * 1e6)
        assert total[r] == pytest.approx(own[r] + transfers[r])
        assert profit[r] == pytest.approx(row["profit_tax_regional"])


def test_donors_follow_the_definitions() -> None:
    result = run_fiscal_year(SRC, 1999)
    for measure, definition in (("donor_net_contributor", "net_contributor"),
                                ("donor_no_equalization_transfer", "no_equalization_transfer")):
        table = donors_recipients(result, definition)
        expected = dict(zip(table["region"], (table["status"] == "donor").astype(float),
                            strict=True))
        assert measure_values(SRC, measure, year=1999) == expected
    flags = np.array(list(measure_values(SRC, "donor_net_contributor", year=1999).values()))
    assert set(flags) == {0.0, 1.0}


def test_scenario_changes_fiscal_values() -> None:
    base = measure_values(SRC, "profit_tax_regional", year=1999, scenario="rule-registration")
    other = measure_values(SRC, "profit_tax_regional", year=1999, scenario="tax-at-operation")
    assert base != other
    assert sum(base.values()) == pytest.approx(sum(other.values()), rel=1e-9)


def test_unknown_measure_suggests() -> None:
    with pytest.raises(UnknownReferenceError) as err:
        measure_values(SRC, "transfer_per_capita", year=1999)
    assert "transfers_per_capita" in (err.value.hint or "")
    assert err.value.field == "measure"


@pytest.mark.parametrize(("name", "year"), [("transfers_per_capita", None),
                                            ("transfers_per_capita", 1991),
                                            ("total_per_capita", 2011),
                                            ("ties_total", 1800)])
def test_bad_year(name: str, year: int | None) -> None:
    with pytest.raises(InvalidValueError) as err:
        measure_values(SRC, name, year=year)
    assert err.value.field == "year"


def test_subjects_geojson_with_a_measure() -> None:
    fc = subjects_geojson(SRC, "transfers_per_capita", year=1999)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 89
    assert (fc["measure"], fc["unit"], fc["illustrative"], fc["year"]) == (
        "transfers_per_capita", "RUB per person", True, 1999)
    assert "Natural Earth" in fc["attribution"]
    values = measure_values(SRC, "transfers_per_capita", year=1999)
    by_id = {f["id"]: f for f in fc["features"]}
    for subject, value in values.items():
        props = by_id[subject]["properties"]
        assert props["id"] == subject and props["value"] == pytest.approx(value)
        assert props["geometry_basis"] in ("own", "successor") and props["name_en"]
        assert by_id[subject]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert by_id["RU-KOR"]["geometry"] == by_id["RU-KAM"]["geometry"]
    assert by_id["RU-KOR"]["properties"]["geometry_basis"] == "successor"
    json.dumps(fc, allow_nan=False)


def test_subjects_geojson_without_a_measure() -> None:
    fc = subjects_geojson(SRC)
    assert (fc["measure"], fc["unit"], fc["illustrative"]) == (None, None, False)
    assert {f["properties"]["value"] for f in fc["features"]} == {None}


def test_subjects_geojson_network_measure_keeps_year_drops_scenario() -> None:
    fc = subjects_geojson(SRC, "ties_total", year=1998, scenario="tax-at-operation")
    assert (fc["year"], fc["scenario"], fc["illustrative"]) == (1998, None, False)


@pytest.mark.parametrize(("measure", "year", "scenario"), [
    (None, None, None), ("ties_total", None, None), ("ties_cross_border", 1998, "x"),
    ("population", 1999, None), ("transfers_per_capita", 1999, None),
    ("donor_net_contributor", 1998, "tax-at-operation")])
def test_the_map_bytes_are_the_collection_encoded(measure: str | None, year: int | None,
                                                  scenario: str | None) -> None:
    # the features are encoded once per case folder and joined around the values: the
    # answer must stay exactly the encoding of the collection, byte for byte
    assert subjects_geojson_bytes(SRC, measure, year=year, scenario=scenario) == json_bytes(
        subjects_geojson(SRC, measure, year=year, scenario=scenario))


def test_encoded_subjects_write_null_for_a_missing_or_non_finite_value() -> None:
    encoded = encoded_subjects(SRC)
    assert encoded is encoded_subjects(SRC) and len(encoded.ids) == 89  # once per folder
    values = {"RU-KR": 7.0, "RU-MUR": math.nan, "RU-AD": math.inf, "RU-MOW": 1.5e7}
    fc = json.loads(encoded.join({"type": "FeatureCollection", "measure": "m"}, values))
    assert list(fc) == ["type", "measure", "attribution", "features"]
    got = {f["id"]: f["properties"]["value"] for f in fc["features"]}
    assert {k: v for k, v in got.items() if v is not None} == {"RU-KR": 7.0, "RU-MOW": 1.5e7}
    assert list(got) == list(encoded.ids)
    assert fc["features"][0] == {**subjects_geojson(SRC)["features"][0]}


def test_the_map_bytes_follow_the_workspace(workspace_url: str, tmp_path: Path) -> None:
    init_workspace(workspace_url)
    source = CaseSource.workspace(workspace_url)
    before = json.loads(subjects_geojson_bytes(source, "ties_bilateral"))
    counts = {f["id"]: f["properties"]["value"] for f in before["features"]}
    ties = tmp_path / "ties.csv"
    ties.write_text("id,kind,actors,start,end,domains,sources\n"
                    "t-test-kr-ark,cooperation,RU-KR;RU-ARK,1997,1999,transport,"
                    "sergounin-1999:para 11\n", encoding="utf-8")
    import_files(workspace_url, [ties])
    after = subjects_geojson_bytes(source, "ties_bilateral")  # a new revision
    assert after == json_bytes(subjects_geojson(source, "ties_bilateral"))
    changed = {f["id"]: f["properties"]["value"] for f in json.loads(after)["features"]
               if f["properties"]["value"] != counts[f["id"]]}
    assert changed == {"RU-KR": counts["RU-KR"] + 1, "RU-ARK": counts["RU-ARK"] + 1}
