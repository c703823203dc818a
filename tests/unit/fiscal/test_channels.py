"""The other federal channels: keys that conserve money, shares that add up, laws without them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import regionet.cases
from regionet.core.errors import InvalidValueError
from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs, RegionTable
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import scenario_from_mapping
from regionet.engines.fiscal.run.pipeline import RULE_NAMES, run_year
from regionet.engines.fiscal.run.quantities_channels import share_out

CASE = Path(regionet.cases.__file__).parent / "russia_1990s"
CHANNELS = ("subventions", "mutual_settlements", "federal_programmes", "direct_spending")
TREE = load_parameters(CASE / "parameters")


def inputs(year: int, population: np.ndarray, index: np.ndarray,
           federal: np.ndarray) -> FiscalInputs:
    n = len(population)
    table = RegionTable(tuple(f"R{i}" for i in range(n)), population, index,
                        tax_due={"federal_other": federal, "regional_other": federal / 2})
    return FiscalInputs(year, table, Establishments([], [], [], [], [], [], n_firms=0,
                                                    n_regions=n), Firms([], [], n_regions=n))


@given(amount=st.floats(0, 1e9), weights=st.lists(st.floats(0, 1e6), min_size=1, max_size=20))
def test_share_out_pays_out_exactly_the_amount(amount: float, weights: list[float]) -> None:
    w = np.array(weights)
    population = np.arange(1.0, len(w) + 1.0)
    out = share_out(amount, w, population).value
    assert np.all(out >= 0) and out.sum() == pytest.approx(amount, rel=1e-9, abs=1e-6)
    assert np.all(out[w == 0] == 0) or w.sum() == 0


def test_share_out_refuses_bad_weights() -> None:
    with pytest.raises(InvalidValueError, match="bad allocation weights"):
        share_out(1.0, np.array([1.0, -1.0]), np.ones(2))


@settings(max_examples=40, deadline=None)  # a whole run per example: timings vary
@given(population=st.lists(st.floats(1, 1e6), min_size=2, max_size=12),
       seed=st.integers(0, 2**16))
def test_every_channel_pays_out_its_national_size(population: list[float], seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = len(population)
    result = run_year(inputs(1999, np.array(population), rng.uniform(0.8, 2.5, n),
                             rng.uniform(0, 1000, n)), TREE)
    frame, totals = result.regions, result.totals
    assert frame["transfers_other"].sum() == pytest.approx(totals["other_aid"], rel=1e-9)
    assert frame["direct_spending"].sum() == pytest.approx(totals["direct_spending"], rel=1e-9)
    assert (frame[list(CHANNELS)] >= 0).all().all()
    assert np.allclose(frame["net_federal_flow"], frame["transfers"] + frame["transfers_other"]
                       - frame["revenue_federal_collected"])


def test_the_shares_of_the_other_aid_must_add_up_to_one() -> None:
    tree = TREE
    scenario = scenario_from_mapping({"name": "t", "description": "t", "overrides": {
        "federal_flows.financial_aid.split.subventions": {"1999-01-01": 0.5}}}, tree,
        rule_names=RULE_NAMES)
    with pytest.raises(InvalidValueError, match="shares of the other aid do not add up to 1 in "
                                                "1999") as info:
        run_year(inputs(1999, np.array([1.0, 2.0]), np.ones(2), np.array([10.0, 0.0])), tree,
                 scenario=scenario)
    assert info.value.field == ("federal_flows.financial_aid.split.subventions, "
                                "federal_flows.financial_aid.split.mutual_settlements, "
                                "federal_flows.financial_aid.split.federal_programmes")


def test_a_law_without_the_channels_models_none() -> None:
    tree = ParameterTree({p: TREE.parameter(p) for p in TREE.paths()
                          if not p.startswith("federal_flows.")})
    result = run_year(inputs(1999, np.array([1.0, 3.0]), np.array([1.0, 2.0]),
                             np.array([100.0, 0.0])), tree)
    assert result.totals["fund_size"] > 0
    assert (result.regions[list(CHANNELS)] == 0).all().all()
    node = result.trace.node("other_aid_size")
    assert (node.rule, node.note) == ("not modelled", "the law has no federal_flows.financial_"
                                      "aid.other_to_fund: the channel is not modelled")
    assert result.trace.node("direct_spending_size").rule == "not modelled"
