"""Guards for ``engines/fiscal/run`` written from the mutants a random sample left alive
(``scripts/mutation.py --sample 60 --seed 7 fiscal-run``; docs/testing.md).

Each test checks exactly what one function promises where the other tests checked only part
of it: the errors' field, value and expected text, the ``balanced`` status, the names of
returned columns, the all-zero branches of the inequality measures, a step's text, and the
options ``run_years`` passes to each year.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import regionet.cases
from regionet.core.errors import (
    InvalidValueError,
    RegionetError,
    UnknownReferenceError,
    ValidationError,
)
from regionet.engines.fiscal.inputs.coding import from_frames
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs, RegionTable
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.law.scenarios import scenario_from_mapping
from regionet.engines.fiscal.run import published
from regionet.engines.fiscal.run.explain import Step, explain
from regionet.engines.fiscal.run.inequality import inequality, inequality_before_after, lorenz
from regionet.engines.fiscal.run.legal_cases import parse_case
from regionet.engines.fiscal.run.outputs import donors_recipients, flow_matrix, winners_losers
from regionet.engines.fiscal.run.pipeline import run_year, run_years
from regionet.engines.fiscal.run.quantities import QUANTITIES, _registry, due_name
from regionet.engines.fiscal.run.runner import MONEY

TREE = load_parameters(Path(regionet.cases.__file__).parent / "russia_1990s" / "parameters")


def _error(err: RegionetError) -> tuple[object, ...]:
    return (type(err).__name__, err.message, err.field, err.value, err.expected)


# --- legal cases: each problem's field, value and expected text -----------------------------

def _case(**changes: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "name": "VAT 1997", "year": 1997, "comment": "by hand",
        "input": {"regions": {"A": {"population": 1000, "tax_due": {"vat": 1000}}}},
        "output": {"vat_regional": {"A": 250}}}
    case.update(changes)
    return case


def _problems(data: dict[str, Any]) -> list[tuple[object, ...]]:
    with pytest.raises(ValidationError) as info:
        parse_case(data, "bad.yaml", 2, TREE)
    assert all(e.file == "bad.yaml" for e in info.value.errors)
    return [_error(e) for e in info.value.errors]


def test_a_case_s_problems_name_field_value_and_expected() -> None:
    assert _problems(_case(name=5)) == [
        ("InvalidValueError", "case 2: bad name", "name", 5, "a non-empty text")]
    where = 'case 2 "VAT 1997"'
    assert _problems(_case(options={"collection_by_region": [1]})) == [
        ("InvalidValueError", f"{where}: not a mapping", "options.collection_by_region", "[1]",
         "{region: efficiency}"),
        ("InvalidValueError", f"{where}: not one efficiency per region",
         "options.collection_by_region", [], "every region of the input: A")]
    assert _problems(_case(input={"regions": ["A"]})) == [
        ("InvalidValueError", f"{where}: not a mapping", "input.regions", "['A']",
         "{region id: {population}}"),
        ("InvalidValueError", f"{where}: no region", "input.regions", None,
         "at least one region"),
        ("InvalidValueError", f"{where}: region not in the input", "output.vat_regional.A",
         None, "one of ")]
    assert _problems(_case(input={"regions": {"A": {"population": "many"}}})) == [
        ("InvalidValueError", f"{where}: not a number", "input.regions.A.population", "many",
         "a finite number > 0")]
    assert _problems(_case(input={"regions": {"A": {"population": 0}}})) == [
        ("InvalidValueError", f"{where}: out of range", "input.regions.A.population", 0.0,
         "a number > 0")]
    flag = {"regions": {"A": {"population": 1}},
            "firms": {"f": {"registered_region": "A", "profit": 1}},
            "establishments": [{"firm_id": "f", "region": "A", "own_balance_sheet": "yes"}]}
    assert _problems(_case(input=flag)) == [
        ("InvalidValueError", f"{where}: not true or false",
         "input.establishments[1].own_balance_sheet", "yes", "true or false (default false)")]


# --- the pipeline: run_years' errors and options, a year's inputs ---------------------------

def _inputs(year: int) -> FiscalInputs:
    est = pd.DataFrame({"firm_id": ["f", "f"], "region": ["A", "B"], "headcount": [1, 3],
                        "payroll": [1, 1], "assets": [1, 1], "sales": [1, 1]})
    firms = pd.DataFrame({"firm_id": ["f"], "registered_region": ["A"], "profit": [100.0]})
    establishments, coded = from_frames(est, firms, ("A", "B"))
    table = RegionTable(("A", "B"), population=np.array([1e6, 2e6]),
                        tax_due={"vat": np.array([500.0, 100.0])})
    return FiscalInputs(year, table, establishments, coded)


def test_run_years_errors_name_the_year() -> None:
    with pytest.raises(InvalidValueError) as info:
        run_years({1998: _inputs(1999)}, TREE)
    assert _error(info.value) == ("InvalidValueError", "mapping key differs from the inputs' "
                                  "year", "year", 1998, "1999")
    with pytest.raises(InvalidValueError) as info:
        run_years([_inputs(1998), _inputs(1998)], TREE)
    assert _error(info.value) == ("InvalidValueError", "year given twice", "year", 1998, None)
    series = run_years([_inputs(1998)], TREE)
    with pytest.raises(UnknownReferenceError) as unknown:
        series.year(2005)
    assert _error(unknown.value) == ("UnknownReferenceError", "year not in the result", "year",
                                     2005, "one of [1998]")


def test_run_years_passes_use_published_total_and_keeps_the_inputs() -> None:
    inputs = _inputs(2001)
    series = run_years([inputs], TREE, use_published_total=True)
    assert series.year(2001).totals["fund_size"] == 100353722.0  # the published total
    assert run_years([inputs], TREE).year(2001).totals["fund_size"] != 100353722.0
    assert series.year(2001).inputs is inputs
    assert run_year(inputs, TREE).inputs is inputs


# --- outputs and the published figures ------------------------------------------------------

def test_a_region_with_no_net_flow_is_balanced() -> None:
    frame = pd.DataFrame({"region": ["A", "B", "C"], "year": [1999] * 3,
                          "net_flow": [-1.0, 0.0, 2.0]})
    got = donors_recipients(frame, "net_contributor")
    assert got.to_dict("list") == {
        "region": ["A", "B", "C"], "year": [1999] * 3, "definition": ["net_contributor"] * 3,
        "measure": ["net_flow"] * 3, "value": [-1.0, 0.0, 2.0],
        "status": ["donor", "balanced", "recipient"]}


def test_published_figures_name_the_missing_year() -> None:
    with pytest.raises(UnknownReferenceError) as info:
        published._frame({}, 1999, 2000)
    assert _error(info.value) == ("UnknownReferenceError", "year not run", "year_from", 1999,
                                  "one of []")
    with pytest.raises(UnknownReferenceError) as info:
        published._year({}, 1998, 1998, "stage 2 recipients")
    assert _error(info.value) == ("UnknownReferenceError", "year not run", "year_from", 1998,
                                  "one of []")


def test_a_donor_over_a_period_is_a_negative_sum() -> None:
    # B's sum is 0.5: not negative, so not a donor (nor is C at exactly 0)
    frame = pd.DataFrame({"region": ["A", "A", "B", "B", "C"],
                          "year": [1998, 1999, 1998, 1999, 1999],
                          "net_flow": [-2.0, 1.0, 1.0, -0.5, 0.0]})
    assert published.donors_over(frame, "net_flow", 1998, 1999) == 1
    assert published.donors_over(frame, "net_flow", 1999, 1999) == 1  # B: -0.5


# --- inequality -----------------------------------------------------------------------------

def test_inequality_errors_name_the_weights() -> None:
    with pytest.raises(InvalidValueError) as info:
        inequality([1.0, 2.0], [1.0, -1.0])
    assert _error(info.value) == ("InvalidValueError", "bad weights (index 1)", "weights",
                                  -1.0, "finite numbers >= 0")
    with pytest.raises(InvalidValueError) as info:
        inequality([1.0, 2.0], [0.0, 0.0])
    assert _error(info.value) == ("InvalidValueError", "all weights are zero", "weights", None,
                                  "some > 0")


def test_all_zero_values_are_equal() -> None:
    got = inequality([0.0, 0.0, 0.0])
    assert (got["gini"], got["theil"]) == (0.0, 0.0) and math.isnan(got["max_min"])
    assert lorenz([0.0, 0.0], [1.0, 3.0]).to_dict("list") == {
        "population_share": [0.0, 0.25, 1.0], "value_share": [0.0, 0.25, 1.0]}


def test_inequality_before_after_reports_the_change() -> None:
    frame = pd.DataFrame({"year": [1999, 1999], "population": [1.0, 1.0],
                          "revenue_regional_per_capita": [3.0, 1.0],
                          "total_per_capita": [3.0, 3.0]})
    got = inequality_before_after(frame)
    assert got.columns.tolist() == ["year", "measure", "before", "after", "change"]
    np.testing.assert_allclose(got["change"], got["after"] - got["before"])
    assert got["change"].round(3).tolist() == [-0.25, -0.131, -2.0]


# --- explain --------------------------------------------------------------------------------

def test_a_step_reads_one_line_per_part() -> None:
    step = Step("vat_regional", "vat_share × vat_due", 250.0, {"vat_share": 0.25,
                                                                "vat_due": 1000.0},
                rule="proportional", note="assumed")
    assert str(step) == ("vat_regional = 250 : vat_share × vat_due\n"
                         "    vat_share = 0.25; vat_due = 1000\n"
                         "    rule: proportional\n"
                         "    note: assumed")


# --- the declarations (built when the module is imported: mutmut never switches them) ------

def test_a_quantity_declared_twice_is_refused() -> None:
    first = QUANTITIES["population"]
    with pytest.raises(InvalidValueError) as info:
        _registry((first,), (first,))
    assert _error(info.value) == ("InvalidValueError", "quantity declared twice", "name",
                                  "population", "one declaration per quantity")
    assert _registry((first,)) == {"population": first}


# --- from the fresh random sample of run/ (``--sample 40 --seed 21 fiscal-run``) -------------

def test_a_case_s_missing_input_and_output_name_their_field() -> None:
    where = 'case 2 "VAT 1997"'
    assert _problems(_case(output={}))[0] == (
        "InvalidValueError", f"{where}: nothing expected", "output", None,
        "at least one column or total")
    assert _problems(_case(input=5))[0] == (
        "InvalidValueError", f"{where}: not a mapping", "input", 5,
        "{regions, firms, establishments}")
    assert _problems(_case(input={"regions": {"A": {"tax_due": {"vat": 1}}}}))[0] == (
        "InvalidValueError", f"{where}: missing key", "input.regions.A.population", None,
        "persons, > 0")


def test_a_multi_year_result_asks_for_one_of_its_years() -> None:
    series = run_years([_inputs(1998), _inputs(1999)], TREE)
    with pytest.raises(InvalidValueError) as info:
        explain(series, "A", "vat_regional")
    assert _error(info.value) == ("InvalidValueError", "a multi-year result needs year=",
                                  "year", None, "one of [1998, 1999]")
    with pytest.raises(InvalidValueError) as info:
        flow_matrix(series)
    assert _error(info.value) == ("InvalidValueError", "the result holds several years",
                                  "year", None, "year= one of [1998, 1999]")


def test_an_explanation_s_dict_and_winners_losers_columns_exactly() -> None:
    a = run_year(_inputs(1998), TREE)
    pieces = [piece for step in explain(a, "A", "vat_regional").to_dict()["steps"]
              for parameter in step["parameters"] for piece in parameter["pieces"]]
    assert pieces and all(list(piece) == ["since", "value", "weight", "reference", "status"]
                          for piece in pieces)
    half = scenario_from_mapping({"name": "half", "description": "d", "overrides": {
        "vat.split.regional": {"1997-01-01": 0.5}, "vat.split.federal": {"1997-01-01": 0.5}}},
        TREE)
    b = run_year(_inputs(1998), TREE, scenario=half)
    got = winners_losers(a, b)
    assert list(got.columns) == ["region", "year", "a", "b", "difference", "relative",
                                 "status"]
    np.testing.assert_allclose(got["b"] - got["a"], got["difference"])


def test_a_tax_split_s_errors_name_every_share_and_the_hint() -> None:
    bad = scenario_from_mapping({"name": "bad", "description": "d", "overrides": {
        "vat.split.regional": {"1997-01-01": 0.5}}}, TREE)
    with pytest.raises(InvalidValueError) as info:
        run_year(_inputs(1997), TREE, scenario=bad)
    assert _error(info.value) == ("InvalidValueError", "the vat shares do not add up to 1 in "
                                  "1997", "vat.split.federal, vat.split.regional", (0.75, 0.5),
                                  None)
    hydrocarbons = "mineral_extraction_tax.hydrocarbons"
    year = _inputs(2000)
    table = RegionTable(("A", "B"), population=np.array([1e6, 2e6]),
                        tax_due={hydrocarbons: np.array([10.0, 0.0])})
    with pytest.raises(UnknownReferenceError) as missing:
        run_year(FiscalInputs(2000, table, year.establishments, year.firms), TREE)
    assert (missing.value.field, missing.value.hint) == (
        f"{hydrocarbons}.split.federal",
        "Check the year, or leave that tax out of the inputs (the tax may not exist yet).")


def test_a_tax_due_is_money() -> None:
    assert QUANTITIES[due_name("vat")].unit == MONEY
