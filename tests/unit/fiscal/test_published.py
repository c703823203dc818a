"""Measures set beside published figures, on small federations computed by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import regionet.cases
from regionet.core.errors import InvalidValueError, UnknownReferenceError
from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs, RegionTable
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import scenario_from_mapping
from regionet.engines.fiscal.run.pipeline import RULE_NAMES, YearResult, run_year
from regionet.engines.fiscal.run.published import MEASURES, measure

CASE = Path(regionet.cases.__file__).parent / "russia_1990s"
IDS = ("A", "B", "C", "D")


@pytest.fixture(scope="module")
def tree() -> ParameterTree:
    return load_parameters(CASE / "parameters")


def federation(year: int) -> FiscalInputs:
    """The two-stage case of tests/cases/equalization_methods.yaml (1000 persons each)."""
    table = RegionTable(IDS, np.full(4, 1000.0), tax_due={
        "federal_other": np.array([10000.0, 0, 0, 0]),
        "regional_other": np.array([4500.0, 2000, 1000, 500])})
    return FiscalInputs(year, table, Establishments([], [], [], [], [], [], n_firms=0,
                                                    n_regions=4), Firms([], [], n_regions=4))


def run(tree: ParameterTree, year: int, **overrides: Any) -> YearResult:
    scenario = scenario_from_mapping({"name": "t", "description": "t", "overrides": {
        "equalization.fund.share": {f"{year}-01-01": 0.125}, **overrides}}, tree,
        rule_names=RULE_NAMES)
    return run_year(federation(year), tree, scenario=scenario)


def test_counts_and_shares_of_the_two_stage_case(tree: ParameterTree) -> None:
    # transfers 0, 0, 400 (stage 1), 850 (400 + 250 from stage 2 to D only)
    year = {2000: run(tree, 2000)}
    assert year[2000].regions["transfers"].tolist() == pytest.approx([0, 0, 400, 850])
    assert measure("no_equalization_transfer")(year, {}, 2000, 2000) == 2.0
    assert measure("stage_2_recipients")(year, {}, 2000, 2000) == 1.0
    assert measure("stage_2_share_of_fund")(year, {}, 2000, 2000) == pytest.approx(68.0)


def test_no_stage_2_before_the_two_stage_method(tree: ParameterTree) -> None:
    year = {1997: run(tree, 1997)}  # gap filling
    assert year[1997].rules["equalization"] == "gap_filling"
    assert measure("stage_2_recipients")(year, {}, 1997, 1997) == 0.0
    assert measure("stage_2_share_of_fund")(year, {}, 1997, 1997) == 0.0


def test_spending_max_min(tree: ParameterTree) -> None:
    # Other aid 0.8598 × 1250 = 1074.75. Subventions 0.281 × it = 302.00475: the northern
    # 0.5625 by population (no ИБР > 1) = 42.4694 each, the rest 132.1271 by the transfer
    # (C 42.2807, D 89.8464); mutual settlements 0.403 × 1074.75 / 4 = 108.2811 each;
    # programmes 0.316 × 1074.75 / 4 = 84.9053 each. Per person: A (4500 + 235.6557) / 1000 =
    # 4.735656, D (500 + 850 + 235.6557 + 89.8464) / 1000 = 1.675502 (C: 1.677936).
    year = {2000: run(tree, 2000)}
    spending = year[2000].regions["spending_regional_per_capita"].to_numpy()
    assert spending == pytest.approx([4.735656, 2.235656, 1.677936, 1.675502], abs=1e-6)
    assert measure("spending_max_min")(year, {}, 2000, 2000) == pytest.approx(
        4.735656 / 1.675502, rel=1e-6)


def test_net_donors_sum_the_period(tree: ParameterTree) -> None:
    years = {y: run(tree, y) for y in (1999, 2000)}
    flows = [years[y].regions.set_index("region")["net_federal_flow"] for y in (1999, 2000)]
    summed = flows[0] + flows[1]
    assert measure("net_donors")(years, {}, 1999, 2000) == float((summed < 0).sum()) == 1.0
    with_direct = [years[y].regions.set_index("region")["net_federal_flow_with_direct_spending"]
                   for y in (1999, 2000)]
    assert measure("net_donors_with_direct_spending")(years, {}, 1999, 2000) == float(
        ((with_direct[0] + with_direct[1]) < 0).sum())
    with pytest.raises(UnknownReferenceError, match="year not run"):
        measure("net_donors")(years, {}, 1998, 2000)


@pytest.mark.parametrize(("collection", "short"), [(1.0, 0.0), (0.86, 0.0), (0.85, 2.0),
                                                   (0.5, 2.0)])
def test_transfers_below_plan(tree: ParameterTree, collection: float, short: float) -> None:
    # a national shortfall cuts both transfers (C, D) by the same proportion as the fund
    plan = {2000: run(tree, 2000)}
    actual = {2000: run(tree, 2000, **{"collection.efficiency": {"2000-01-01": collection}})}
    assert actual[2000].totals["fund_size"] == pytest.approx(1250 * collection)
    assert measure("transfers_below_plan")(actual, plan, 2000, 2000) == short


def test_one_year_measures_refuse_a_period_and_unknown_figures_suggest(
        tree: ParameterTree) -> None:
    years = {y: run(tree, y) for y in (1999, 2000)}
    with pytest.raises(InvalidValueError, match="one-year measure") as info:
        measure("spending_max_min")(years, {}, 1999, 2000)
    assert info.value.field == "year_to"
    with pytest.raises(UnknownReferenceError) as unknown:
        measure("net_donor")
    assert unknown.value.hint == "Did you mean net_donors?"
    assert len(MEASURES) == 7
