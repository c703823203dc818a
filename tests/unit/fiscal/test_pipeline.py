"""The fiscal pipeline (run_year, run_years), its date convention and explain()."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import regionet.cases
from regionet.core.errors import InvalidValueError, UnknownActorError, UnknownReferenceError
from regionet.engines.fiscal.inputs.coding import from_frames
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs, RegionTable
from regionet.engines.fiscal.law.annual import annual_average, in_force
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import (
    Scenario,
    list_scenarios,
    load_scenario,
    scenario_from_mapping,
)
from regionet.engines.fiscal.run.explain import explain
from regionet.engines.fiscal.run.pipeline import (
    COLUMNS,
    RULE_NAMES,
    FiscalResult,
    YearResult,
    run_year,
    run_years,
)

CASE = Path(regionet.cases.__file__).parent / "russia_1990s"
IDS = ("MOW", "TYU", "KHM", "PSK")
YEARS = range(1992, 2011)


@pytest.fixture(scope="module")
def tree() -> ParameterTree:
    return load_parameters(CASE / "parameters")


def federation(year: int, *, illustrative: bool = True, **due: list[float]) -> FiscalInputs:
    est = pd.DataFrame({"firm_id": ["oil", "oil", "oil", "shop"],
                        "region": ["MOW", "KHM", "TYU", "PSK"], "headcount": [10, 80, 10, 5],
                        "payroll": [30, 60, 10, 1], "assets": [5, 90, 5, 1], "sales": [9, 1, 0, 1]})
    firms = pd.DataFrame({"firm_id": ["oil", "shop", "bank"],
                          "registered_region": ["MOW", "PSK", "MOW"],
                          "profit": [1000.0, 50.0, -20.0]})
    establishments, coded = from_frames(est, firms, IDS)
    taxes = {"vat": [500, 50, 100, 20], "personal_income_tax": [200, 20, 60, 10],
             "excise_spirits": [10, 1, 1, 2], "excise_other": [5, 0, 0, 1],
             "regional_other": [50, 5, 10, 3], "federal_other": [40, 2, 30, 1]}
    if year >= 2002:
        taxes |= {"mineral_extraction_tax.hydrocarbons": [0, 10, 300, 0],
                  "mineral_extraction_tax.other_minerals": [0, 0, 0, 4]}
    taxes |= due
    table = RegionTable(IDS, population=np.array([9e6, 1.4e6, 1.4e6, 0.8e6]),
                        expenditure_index=np.array([1.2, 1.0, 1.5, 0.9]),
                        tax_due={k: np.array(v, dtype=float) for k, v in taxes.items()},
                        parent=(None, None, "TYU", None))
    return FiscalInputs(year, table, establishments, coded, illustrative=illustrative)


def row(result: YearResult, region: str) -> pd.Series:
    return result.regions.set_index("region").loc[region]


@pytest.mark.parametrize("year", YEARS)
def test_every_year_runs_and_conserves_money(tree: ParameterTree, year: int) -> None:
    result = run_year(federation(year), tree)
    frame = result.regions
    assert tuple(frame.columns) == COLUMNS and len(frame) == 4
    numeric = frame.drop(columns=["region", "year", "illustrative"])
    assert (numeric.dtypes == np.float64).all() and np.isfinite(numeric.to_numpy()).all()
    assert frame["illustrative"].all() and (frame["year"] == year).all()
    t = result.totals
    assert t["tax_collected"] == pytest.approx(t["federal_tax_revenue"] + t["regional_tax_revenue"])
    assert frame["profit_tax_base_attributed"].sum() == pytest.approx(1050.0)
    assert frame["transfers"].sum() + t["fund_undistributed"] == pytest.approx(t["fund_size"])
    np.testing.assert_allclose(frame["net_flow"],
                               frame["transfers"] - frame["revenue_federal_collected"])
    np.testing.assert_allclose(frame["total_per_capita"],
                               (frame["revenue_regional"] + frame["transfers"])
                               / frame["population"])
    assert 0 < t["regional_share_of_tax_revenue"] < 1


def test_rules_follow_the_date_convention(tree: ParameterTree) -> None:
    rules = {y: run_year(federation(y), tree).rules for y in (1994, 1995, 1998, 1999, 2002)}
    assert [rules[y]["attribution"] for y in rules] == ["registration", "art288_1995",
                                                        "art288_1995", "art288_1995", "art288"]
    assert [rules[y]["equalization"] for y in rules] == ["gap_filling", "gap_filling",
                                                         "gap_filling", "two_stage", "two_stage"]
    assert rules[1995]["fund_base"] == "federal_domestic_vat"


def test_mid_year_rate_is_time_weighted_with_provenance(tree: ParameterTree) -> None:
    result = run_year(federation(1999), tree)
    rate = result.parameters["profit_tax.rate.federal"]
    assert rate.number == pytest.approx((0.13 * 90 + 0.11 * 275) / 365)
    assert [(p.value, round(p.weight * 365)) for p in rate.pieces] == [(0.13, 90), (0.11, 275)]
    assert all(p.reference and p.status == "verified" for p in rate.pieces)
    assert row(result, "MOW")["profit_tax_federal"] == pytest.approx(1000 * rate.number)
    # a year without a change is the exact parameter value, not a rounded average
    assert annual_average(tree, "profit_tax.rate.federal", 2000).value == 0.11
    assert in_force(tree, "attribution.profit_tax.rule", 1995).pieces[0].status == "verified"


def test_missing_days_need_a_default(tree: ParameterTree) -> None:
    with pytest.raises(UnknownReferenceError, match="no value"):
        annual_average(tree, "excise.spirits.split.regional", 1999)
    value = annual_average(tree, "excise.spirits.split.regional", 1999, default=0.0)
    assert value.number == 0.0 and value.pieces[0].status == "assumed"


def test_excise_outside_1996_1998_is_federal(tree: ParameterTree) -> None:
    for year, regional in ((1995, 0.0), (1997, 5.0), (2000, 0.0)):
        r = row(run_year(federation(year), tree), "MOW")
        assert r["excise_spirits_regional"] == pytest.approx(regional)
        assert r["excise_spirits_federal"] == pytest.approx(10.0 - regional)


def test_mineral_extraction_tax_before_2002_fails_loudly(tree: ParameterTree) -> None:
    inputs = federation(2000, **{"mineral_extraction_tax.hydrocarbons": [0, 1, 0, 0]})
    with pytest.raises(UnknownReferenceError, match=r"mineral_extraction_tax\.hydrocarbons") as err:
        run_year(inputs, tree)
    assert err.value.hint


def test_okrug_split_sends_the_parent_share(tree: ParameterTree) -> None:
    r = run_year(federation(2003), tree).regions.set_index("region")
    assert r.loc["KHM", "mineral_extraction_tax_hydrocarbons_federal"] == pytest.approx(223.5)
    assert r.loc["KHM", "mineral_extraction_tax_hydrocarbons_regional"] == pytest.approx(60)
    assert r.loc["TYU", "mineral_extraction_tax_hydrocarbons_regional"] == \
        pytest.approx(0.2 * 10 + 0.055 * 300)


def test_scenario_rules_override_and_baseline_is_untouched(tree: ParameterTree) -> None:
    before = {p: tree.parameter(p).values for p in tree.paths()}
    s = scenario_from_mapping({"name": "op", "description": "d",
                               "rules": {"attribution": "operation",
                                         "equalization": "equal_per_capita"}},
                              tree, rule_names=RULE_NAMES)
    result = run_year(federation(1999), tree, scenario=s)
    assert result.rules["attribution"] == "operation" and result.scenario == "op"
    np.testing.assert_allclose(result.regions["transfers"] / result.regions["population"],
                               result.totals["fund_size"] / result.totals["population"])
    assert row(result, "KHM")["profit_tax_base_attributed"] == pytest.approx(800)
    assert {p: tree.parameter(p).values for p in tree.paths()} == before


def test_art288_weights_are_parameters(tree: ParameterTree) -> None:
    s = scenario_from_mapping({"name": "w", "description": "labour only", "overrides": {
        "attribution.art288.weight.labour": {"2002-01-01": 1.0},
        "attribution.art288.weight.assets": {"2002-01-01": 0.0}}}, tree, rule_names=RULE_NAMES)
    result = run_year(federation(2003), tree, scenario=s)
    np.testing.assert_allclose(result.regions["profit_tax_base_attributed"], [100, 100, 800, 50])


def test_shares_that_do_not_add_up_fail(tree: ParameterTree) -> None:
    s = scenario_from_mapping({"name": "bad", "description": "d", "overrides": {
        "vat.split.regional": {"1997-01-01": 0.5}}}, tree, rule_names=RULE_NAMES)
    with pytest.raises(InvalidValueError, match="do not add up"):
        run_year(federation(1997), tree, scenario=s)


def test_collection_by_region(tree: ParameterTree) -> None:
    eff = np.array([0.5, 1.0, 1.0, 1.0])
    result = run_year(federation(1997), tree, collection_by_region=eff)
    base = run_year(federation(1997), tree)
    assert row(result, "MOW")["vat_federal"] == pytest.approx(0.5 * row(base, "MOW")["vat_federal"])
    assert result.collection_override
    # capacity is at full collection: the same as without the override
    np.testing.assert_allclose(result.regions["revenue_regional_capacity"],
                               base.regions["revenue_regional_capacity"])
    with pytest.raises(InvalidValueError, match="collection_by_region"):
        run_year(federation(1997), tree, collection_by_region=[1.0, 1.0])


def test_published_total_only_where_given(tree: ParameterTree) -> None:
    assert run_year(federation(2001), tree, use_published_total=True).totals["fund_size"] == \
        100353722.0
    fallback = run_year(federation(2003), tree, use_published_total=True)
    assert fallback.rules["fund_source"] == "share"
    assert fallback.totals["fund_size"] == pytest.approx(0.09 * fallback.totals[
        "federal_tax_revenue"])


def test_inputs_must_agree(tree: ParameterTree) -> None:
    good = federation(1997)
    bad_parent = RegionTable(IDS, good.regions.population, parent=("XXX", None, None, None))
    with pytest.raises(UnknownActorError, match="parent"):
        run_year(FiscalInputs(1997, bad_parent, good.establishments, good.firms), tree)
    small = RegionTable(IDS[:3], good.regions.population[:3])
    with pytest.raises(InvalidValueError, match="number of regions"):
        run_year(FiscalInputs(1997, small, good.establishments, good.firms), tree)


def test_bundled_scenarios_run(tree: ParameterTree) -> None:
    folder = CASE / "scenarios"
    for name in list_scenarios(folder):
        s = load_scenario(name, tree, directory=folder, rule_names=RULE_NAMES)
        result = run_year(federation(1998), tree, scenario=s)
        assert result.totals["tax_collected"] > 0
    collapse = load_scenario("collection-collapse-1998", tree, directory=folder,
                             rule_names=RULE_NAMES)
    assert run_year(federation(1998), tree, scenario=collapse).totals["tax_collected"] == \
        pytest.approx(0.7 * run_year(federation(1998), tree).totals["tax_collected"])


def test_run_years(tree: ParameterTree) -> None:
    series = run_years({y: federation(y) for y in (1999, 1997, 1998)}, tree)
    assert isinstance(series, FiscalResult) and list(series.years) == [1997, 1998, 1999]
    assert len(series.regions) == 12 and series.totals["year"].tolist() == [1997, 1998, 1999]
    pd.testing.assert_frame_equal(series.year(1998).regions,
                                  run_year(federation(1998), tree).regions)
    with pytest.raises(UnknownReferenceError):
        series.year(2005)
    with pytest.raises(InvalidValueError, match="mapping key"):
        run_years({1998: federation(1999)}, tree)
    with pytest.raises(InvalidValueError, match="twice"):
        run_years([federation(1998), federation(1998)], tree)
    s = Scenario("noop", "nothing")
    assert run_years([federation(2000)], tree, s).scenario == "noop"


QUANTITIES = ("profit_tax_base_attributed", "profit_tax_federal", "profit_tax_regional",
              "profit_tax_local", "vat_regional", "excise_spirits_federal",
              "mineral_extraction_tax_hydrocarbons_regional", "revenue_federal_collected",
              "revenue_regional", "revenue_regional_capacity", "tax_collected", "transfers",
              "net_flow", "total_per_capita")


@pytest.mark.parametrize("year", [1993, 1994, 1997, 1999, 2001, 2003, 2005])
def test_explain_reproduces_every_number(tree: ParameterTree, year: int) -> None:
    result = run_year(federation(year), tree)
    frame = result.regions.set_index("region")
    for quantity in (c for c in COLUMNS if c not in ("region", "year", "illustrative")):
        for region in IDS:
            trace = explain(result, region, quantity)
            assert trace.value == pytest.approx(frame.loc[region, quantity], rel=1e-12,
                                                abs=1e-12), (quantity, region)
            assert trace.steps[-1].quantity == quantity


@pytest.mark.parametrize("equalization", sorted(RULE_NAMES["equalization"]))
def test_explain_transfers_for_every_method(tree: ParameterTree, equalization: str) -> None:
    s = scenario_from_mapping({"name": "m", "description": "d",
                               "rules": {"equalization": equalization,
                                         "attribution": "uditpa"}},
                              tree, rule_names=RULE_NAMES)
    result = run_year(federation(2000), tree, scenario=s)
    for region in IDS:
        for quantity in QUANTITIES:
            assert explain(result, region, quantity).value == pytest.approx(
                row(result, region)[quantity], rel=1e-12, abs=1e-12)


def test_explain_trace_content(tree: ParameterTree) -> None:
    trace = explain(federation(1999), "KHM", "net_flow", tree=tree)
    names = [s.quantity for s in trace.steps]
    assert names[-1] == "net_flow" and "transfers" in names and "fund_size" in names
    regional = next(s for s in explain(federation(1999), "KHM", "profit_tax_regional",
                                       tree=tree).steps if s.quantity == "profit_tax_regional")
    assert regional.parameters[0].path == "profit_tax.rate.regional"
    assert len(regional.parameters[0].pieces) == 2
    attributed = next(s for s in trace.steps if s.quantity == "profit_tax_base_attributed")
    assert attributed.rule == "art288_1995"
    assert attributed.parameters[0].path == "attribution.profit_tax.rule"
    text = str(explain(federation(1999), "KHM", "profit_tax_regional", tree=tree))
    assert "Law 2116-1" in text and "art288_1995" in text
    json.dumps(trace.to_dict())
    transfers = next(s for s in trace.steps if s.quantity == "transfers")
    assert transfers.rule == "two_stage" and "БО (sufficiency)" in transfers.inputs


def test_explain_errors(tree: ParameterTree) -> None:
    result = run_year(federation(1999), tree)
    with pytest.raises(UnknownActorError):
        explain(result, "XXX", "transfers")
    with pytest.raises(UnknownReferenceError, match="no explanation"):
        explain(result, "MOW", "illustrative")
    with pytest.raises(InvalidValueError, match="tree"):
        explain(federation(1999), "MOW", "transfers")
    series = run_years([federation(1999)], tree)
    with pytest.raises(InvalidValueError, match="year"):
        explain(series, "MOW", "transfers")
    assert explain(series, "MOW", "transfers", year=1999).value == \
        row(result, "MOW")["transfers"]


def test_columns_are_documented() -> None:
    text = (Path(__file__).resolve().parents[3] / "docs" / "fiscal.md").read_text("utf-8")
    missing = [c for c in COLUMNS if f"`{c}`" not in text]
    assert not missing, f"columns not in docs/fiscal.md: {missing}"


@pytest.mark.parametrize(("year", "illustrative"), [(1995, True), (2005, False)])
def test_records_are_the_frame_rows_to_the_byte(tree: ParameterTree, year: int,
                                                illustrative: bool) -> None:
    """The JSON answer comes from records() without pandas: the same text as from the frame."""
    result = run_year(federation(year, illustrative=illustrative), tree)
    records = result.records()
    assert json.dumps(records) == json.dumps(result.regions.to_dict(orient="records"))
    assert list(records[0]) == list(COLUMNS)
    assert [type(records[0][c]) for c in ("region", "year", "illustrative", "transfers")] == [
        str, int, bool, float]
    assert [r["region"] for r in records] == list(IDS)
    assert {r["illustrative"] for r in records} == {illustrative}
