"""Outputs: donors and recipients, inequality, Lorenz curves, flow matrix, winners and losers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import regionet.cases
from regionet.core.errors import InvalidValueError, UnknownReferenceError
from regionet.engines.fiscal.inputs.coding import from_frames
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs, RegionTable
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import scenario_from_mapping
from regionet.engines.fiscal.run.inequality import inequality, inequality_before_after, lorenz
from regionet.engines.fiscal.run.outputs import (
    DONOR_DEFINITIONS,
    donor_counts,
    donors_recipients,
    flow_matrix,
    winners_losers,
)
from regionet.engines.fiscal.run.pipeline import RULE_NAMES, YearResult, run_year, run_years

CASE = Path(regionet.cases.__file__).parent / "russia_1990s"
IDS = ("MOW", "TYU", "KHM", "PSK", "DAG")


@pytest.fixture(scope="module")
def tree() -> ParameterTree:
    return load_parameters(CASE / "parameters")


def federation(year: int) -> FiscalInputs:
    est = pd.DataFrame({"firm_id": ["oil", "oil"], "region": ["MOW", "KHM"],
                        "headcount": [10, 90], "payroll": [1, 9], "assets": [5, 95],
                        "sales": [1, 1]})
    firms = pd.DataFrame({"firm_id": ["oil"], "registered_region": ["MOW"], "profit": [3000.0]})
    establishments, coded = from_frames(est, firms, IDS)
    table = RegionTable(IDS, population=np.array([9e3, 1.4e3, 1.4e3, 0.8e3, 2e3]),
                        expenditure_index=np.array([1.2, 1.0, 1.5, 0.9, 1.1]),
                        tax_due={"vat": np.array([5000.0, 500, 900, 100, 50]),
                                 "regional_other": np.array([500.0, 50, 100, 30, 5]),
                                 "federal_other": np.array([400.0, 20, 300, 10, 1])})
    return FiscalInputs(year, table, establishments, coded)


@pytest.fixture(scope="module")
def result(tree: ParameterTree) -> YearResult:
    return run_year(federation(1999), tree)


def test_donor_definitions(result: YearResult) -> None:
    assert set(DONOR_DEFINITIONS) == {"no_equalization_transfer", "net_contributor",
                                      "net_federal_flow", "net_federal_flow_with_direct_spending"}
    by_transfer = donors_recipients(result, "no_equalization_transfer").set_index("region")
    frame = result.regions.set_index("region")
    assert ((by_transfer["status"] == "donor") == (frame["transfers"] == 0)).all()
    by_flow = donors_recipients(result, "net_contributor").set_index("region")
    assert ((by_flow["status"] == "donor") == (frame["net_flow"] < 0)).all()
    assert (by_flow["measure"] == "net_flow").all()
    assert by_flow.loc["MOW", "status"] == "donor"
    assert by_transfer.loc["KHM", "status"] == "donor"  # oil-rich: no transfer at all
    assert by_transfer.loc["DAG", "status"] == "recipient"
    for definition in ("net_federal_flow", "net_federal_flow_with_direct_spending"):
        by_all = donors_recipients(result, definition).set_index("region")
        assert (by_all["measure"] == definition).all()
        assert ((by_all["status"] == "donor") == (frame[definition] < 0)).all()
        assert ((by_all["status"] == "recipient") == (frame[definition] > 0)).all()
    # the other aid turns Pskov, a net contributor against the fund alone, into a recipient of
    # all the aid; direct spending per resident turns Tyumen too
    assert by_flow.loc[["PSK", "DAG", "TYU"], "status"].tolist() == ["donor", "recipient",
                                                                     "donor"]
    assert donors_recipients(result, "net_federal_flow").set_index("region").loc[
        ["PSK", "DAG", "TYU"], "status"].tolist() == ["recipient", "recipient", "donor"]
    assert donors_recipients(result, "net_federal_flow_with_direct_spending").set_index(
        "region").loc[["MOW", "TYU", "KHM"], "status"].tolist() == ["donor", "recipient", "donor"]


def test_donor_counts_per_year(tree: ParameterTree) -> None:
    series = run_years([federation(1998), federation(1999)], tree)
    counts = donor_counts(series, "no_equalization_transfer")
    assert counts["year"].tolist() == [1998, 1999]
    assert (counts[["donor", "recipient", "balanced"]].sum(axis=1) == 5).all()


def test_unknown_donor_definition(result: YearResult) -> None:
    with pytest.raises(UnknownReferenceError) as err:
        donors_recipients(result, "net_contributors")
    assert err.value.hint and "net_contributor" in err.value.hint


def test_gini_theil_known_values() -> None:
    assert inequality([1, 1, 1, 1]) == {"gini": 0.0, "theil": 0.0, "max_min": 1.0}
    measures = inequality([0, 0, 0, 4])
    assert measures["gini"] == pytest.approx(0.75)  # ΣΣ|x−y| / (2 n² μ) = 24 / 32
    assert measures["theil"] == pytest.approx(math.log(4))
    assert measures["max_min"] == math.inf
    assert inequality([1, 2, 3])["gini"] == pytest.approx(8 / 36)


def test_weights_equal_replication() -> None:
    weighted = inequality([1.0, 5.0, 2.0], weights=[2, 1, 3])
    replicated = inequality([1.0, 1.0, 5.0, 2.0, 2.0, 2.0])
    for key in weighted:
        assert weighted[key] == pytest.approx(replicated[key])
    assert inequality([1.0, 9.0], weights=[1, 0])["max_min"] == 1.0  # zero weight drops out


def test_inequality_is_scale_invariant_and_plain_floats() -> None:
    a, b = inequality([1.0, 2.0, 7.0]), inequality([10.0, 20.0, 70.0])
    assert all(type(v) is float for v in a.values())
    for key in a:
        assert a[key] == pytest.approx(b[key])


def test_inequality_rejects_bad_input() -> None:
    with pytest.raises(InvalidValueError):
        inequality([1.0, -1.0])
    with pytest.raises(InvalidValueError):
        inequality([])
    with pytest.raises(InvalidValueError):
        inequality([1.0, 2.0], weights=[0, 0])
    assert math.isnan(inequality([0.0, 0.0])["max_min"])


def test_lorenz_curve() -> None:
    curve = lorenz([4.0, 1.0, 3.0], weights=[1, 2, 1])
    assert curve.iloc[0].tolist() == [0.0, 0.0] and curve.iloc[-1].tolist() == [1.0, 1.0]
    assert (curve.diff().dropna() >= 0).all().all()
    assert curve["value_share"].tolist()[1] == pytest.approx(2 / 9)


def test_before_and_after_transfers(result: YearResult) -> None:
    table = inequality_before_after(result)
    assert table["measure"].tolist() == ["gini", "theil", "max_min"]
    gini = table.set_index("measure").loc["gini"]
    assert gini["after"] < gini["before"]  # equalization equalizes
    unweighted = inequality_before_after(result, weighted=False)
    assert not np.allclose(unweighted["before"], table["before"])


def test_flow_matrix_rows_sum_to_federal_collected(result: YearResult) -> None:
    matrix = flow_matrix(result)
    frame = result.regions.set_index("region")
    assert list(matrix.columns) == [*IDS, "centre"] and list(matrix.index) == list(IDS)
    np.testing.assert_allclose(matrix.sum(axis=1), frame["revenue_federal_collected"])
    np.testing.assert_allclose(matrix[list(IDS)].sum(axis=0), frame["transfers"])
    assert matrix["centre"].sum() == pytest.approx(result.totals["federal_revenue_after_transfers"])


def test_flow_matrix_of_several_years(tree: ParameterTree) -> None:
    series = run_years([federation(1998), federation(1999)], tree)
    with pytest.raises(InvalidValueError, match="several years"):
        flow_matrix(series)
    pd.testing.assert_frame_equal(flow_matrix(series, 1999), flow_matrix(series.year(1999)))


def test_flow_matrix_without_federal_revenue() -> None:
    frame = pd.DataFrame({"region": ["A", "B"], "year": [2000, 2000],
                          "revenue_federal_collected": [0.0, 0.0], "transfers": [0.0, 0.0]})
    assert flow_matrix(frame).to_numpy().sum() == 0.0


def test_winners_and_losers(tree: ParameterTree, result: YearResult) -> None:
    s = scenario_from_mapping({"name": "op", "description": "d",
                               "rules": {"attribution": "registration"}},
                              tree, rule_names=RULE_NAMES)
    other = run_year(federation(1999), tree, scenario=s)
    table = winners_losers(result, other, "revenue_regional")
    assert table["difference"].is_monotonic_decreasing
    assert table.set_index("region").loc["MOW", "status"] == "winner"
    assert table.set_index("region").loc["KHM", "status"] == "loser"
    assert table["difference"].sum() == pytest.approx(0.0, abs=1e-9)  # only attribution moves
    same = winners_losers(result, result)
    assert (same["status"] == "unchanged").all() and (same["difference"] == 0).all()


def test_winners_losers_validation(result: YearResult) -> None:
    with pytest.raises(InvalidValueError, match="unknown measure"):
        winners_losers(result, result, "nope")
    fewer = result.regions.iloc[:3]
    with pytest.raises(InvalidValueError, match="different regions"):
        winners_losers(result, fewer)
