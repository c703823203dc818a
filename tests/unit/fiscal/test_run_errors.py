"""Every error of ``engines/fiscal/run/`` checked whole, with the boundary that triggers it.

The runner's refusals (unknown, cyclic or undeclared reads, values of the wrong kind or not
finite), the trace's and explain's lookups, the per-region collection override, the tax and
aid splits, the fund base, the outputs, the published figures, the pipeline's and the legal
cases' problems: each with its exact class, message, file, row, field, value, expected text
and hint (``raises_exactly`` and ``problems_exactly`` in this folder's conftest).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import regionet.cases
from regionet.core.errors import (
    DataFileError,
    InvalidValueError,
    RegionetError,
    UnknownActorError,
    UnknownReferenceError,
    ValidationError,
)
from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs, RegionTable
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import scenario_from_mapping
from regionet.engines.fiscal.run import legal_cases, pipeline, published
from regionet.engines.fiscal.run.explain import explain
from regionet.engines.fiscal.run.inequality import inequality, lorenz
from regionet.engines.fiscal.run.legal_cases import case_files, parse_case, read_cases, run_case
from regionet.engines.fiscal.run.outputs import (
    DONOR_DEFINITIONS,
    donors_recipients,
    winners_losers,
)
from regionet.engines.fiscal.run.pipeline import run_year, run_years
from regionet.engines.fiscal.run.quantities import QUANTITIES
from regionet.engines.fiscal.run.quantities_channels import share_out
from regionet.engines.fiscal.run.runner import Evaluation, Quantity
from regionet.engines.fiscal.run.trace import Trace, TraceNode

Raises = Callable[..., RegionetError]
Problems = Callable[..., ValidationError]
IVE, URE = InvalidValueError, UnknownReferenceError

PARAMETERS = Path(regionet.cases.__file__).parent / "russia_1990s" / "parameters"
TREE = load_parameters(PARAMETERS)
SMALL = ParameterTree.from_mapping({
    "rate": {"description": "r", "unit": "/1", "values": {
        "1999-01-01": {"value": 0.5, "reference": "Law A", "status": "verified"}}},
    "late": {"description": "from 2002", "unit": "/1", "values": {
        "2002-01-01": {"value": 1.0, "reference": "Law C", "status": "verified"}}}})


def _inputs(year: int = 1999, n: int = 3, **table: Any) -> FiscalInputs:
    ids = ("A", "B", "C", "D")[:n]
    regions = RegionTable(ids, np.arange(1.0, n + 1), **table)
    return FiscalInputs(year, regions, Establishments([], [], [], [], [], [], n_firms=0,
                                                      n_regions=n), Firms([], [], n_regions=n))


def _population(q: Evaluation) -> Any:
    return q.inputs.regions.population


def _run(*extra: Quantity, tree: ParameterTree = SMALL, **options: Any) -> Evaluation:
    declared = {"population": Quantity("population", "P", "persons", "input", _population),
                **{q.name: q for q in extra}}
    return Evaluation(declared, _inputs(), tree, **options)


def _q(name: str, function: Callable[[Evaluation], Any], *, reads: tuple[str, ...] = (),
       parameters: tuple[str, ...] = (), scalar: bool = False) -> Quantity:
    return Quantity(name, name, "money", name, function, (), parameters, reads, scalar)


_CYCLE = (_q("first", lambda q: q.array("second"), reads=("second",)),
          _q("second", lambda q: q.array("first"), reads=("first",)))

RUNNER_ERRORS: list[tuple[str, Callable[[], object], type[RegionetError], str,
                          dict[str, Any]]] = [
    ("unknown-quantity", lambda: _run().array("populaton"), URE, "unknown quantity",
     {"field": "quantity", "value": "populaton", "hint": "Did you mean population?"}),
    ("unknown-quantity-far", lambda: _run().evaluate("zzz"), URE, "unknown quantity",
     {"field": "quantity", "value": "zzz"}),
    ("cycle", lambda: _run(*_CYCLE).array("first"), IVE,
     "quantities read each other in a cycle",
     {"field": "reads", "value": "first → second → first",
      "expected": "an acyclic declaration"}),
    ("not-finite-national", lambda: _run(_q("t", lambda q: float("inf"), scalar=True))
     .scalar("t"), IVE, "t is not a finite number in 1999",
     {"field": "t", "value": float("inf"), "expected": "a finite amount",
      "hint": "Its inputs overflowed float64: check the inputs and the scenario."}),
    ("not-finite-one-region", lambda: _run(_q(
        "x", lambda q: np.array([1.0, 2.0, -np.inf]) * q.number("rate"), parameters=("rate",)))
     .array("x"), IVE, "x is not a finite number in C in 1999",
     {"field": "x", "value": -float("inf"), "expected": "a finite amount",
      "hint": "It read rate = 0.5 in 1999 (time-weighted average: 0.5 from 1999-01-01, "
              "weight 1, Law A, verified). A parameter or override far outside any "
              "sensible value probably caused it: check the scenario."}),
    ("not-finite-two-regions", lambda: _run(_q("y", lambda q: np.array([1.0, np.nan, np.inf])))
     .array("y"), IVE, "y is not a finite number in B and 1 other regions in 1999",
     {"field": "y", "value": float("nan"), "expected": "a finite amount",
      "hint": "Its inputs overflowed float64: check the inputs and the scenario."}),
    ("national-returned-array", lambda: _run(_q("n", lambda q: np.zeros(3), scalar=True))
     .scalar("n"), IVE, "a national quantity returned an array",
     {"field": "n", "expected": "one number"}),
    ("regional-returned-short", lambda: _run(_q("s", lambda q: np.zeros(2))).array("s"), IVE,
     "a regional quantity returned a wrong value",
     {"field": "s", "value": (2,), "expected": "float64 array of 3 values, one per region"}),
    ("regional-returned-ints", lambda: _run(_q("i", lambda q: np.zeros(3, dtype=np.int64)))
     .array("i"), IVE, "a regional quantity returned a wrong value",
     {"field": "i", "value": (3,), "expected": "float64 array of 3 values, one per region"}),
    ("regional-returned-number", lambda: _run(_q("f", lambda q: 2.5)).array("f"), IVE,
     "a regional quantity returned a wrong value",
     {"field": "f", "value": 2.5, "expected": "float64 array of 3 values, one per region"}),
    ("undeclared-quantity-read", lambda: _run(_q("u", lambda q: q.array("population")))
     .array("u"), URE, "quantity u reads population, which its declaration does not list",
     {"field": "u.reads", "value": "population",
      "hint": "Add it to the declaration's reads: the declaration is what the documentation "
              "and explanations show."}),
    ("undeclared-parameter", lambda: _run(_q("p", lambda q: q.number("rate") * np.ones(3)))
     .array("p"), URE, "quantity p reads parameter rate, which its declaration does not list",
     {"field": "p.parameters", "value": "rate",
      "hint": "Add it to the declaration's parameters."}),
    ("national-read-as-regional", lambda: _run(_q("t", lambda q: 3.0, scalar=True))
     .array("t"), IVE, "a national quantity read as regional",
     {"field": "t", "expected": "q.scalar(name)"}),
    ("regional-read-as-national", lambda: _run().scalar("population"), IVE,
     "a regional quantity read as national",
     {"field": "population", "expected": "q.array(name)"}),
    ("trace-unknown-quantity", lambda: Trace(1999, ("A",), {
        "vat": TraceNode("vat", np.array([1.0])), "tax": TraceNode("tax", np.array([1.0]))})
     .node("vats"), URE, "no explanation for this quantity: the run evaluated none of that name",
     {"field": "quantity", "value": "vats", "expected": "one of vat, tax",
      "hint": "Did you mean vat?"}),
    ("trace-unknown-region", lambda: Trace(1999, ("RU-KR", "RU-MOW"), {
        "x": TraceNode("x", np.array([1.0, 2.0]))}).value("x", "RU-KRR"), UnknownActorError,
     "unknown region",
     {"field": "region", "value": "RU-KRR", "expected": "a region id of the inputs",
      "hint": "Did you mean RU-KR?"}),
    ("collection-wrong-length",
     lambda: run_year(_inputs(1999, 2), TREE, collection_by_region=[1.0]), IVE,
     "bad collection_by_region",
     {"field": "collection_by_region", "value": (1,), "expected": "2 finite efficiencies >= 0"}),
    ("collection-negative",
     lambda: run_year(_inputs(1999, 2), TREE, collection_by_region=[1.0, -1e-9]), IVE,
     "bad collection_by_region",
     {"field": "collection_by_region", "value": (2,), "expected": "2 finite efficiencies >= 0"}),
    ("collection-nan",
     lambda: run_year(_inputs(1999, 2), TREE, collection_by_region=[np.nan, 1.0]), IVE,
     "bad collection_by_region",
     {"field": "collection_by_region", "value": (2,), "expected": "2 finite efficiencies >= 0"}),
    ("allocation-weights", lambda: share_out(1.0, np.array([1.0, -1.0]), np.ones(2)), IVE,
     "bad allocation weights", {"field": "weights", "expected": "finite weights >= 0"}),
    ("allocation-weights-nan", lambda: share_out(1.0, np.array([np.nan, 1.0]), np.ones(2)),
     IVE, "bad allocation weights", {"field": "weights", "expected": "finite weights >= 0"}),
    ("explain-inputs-without-tree", lambda: explain(_inputs(), "A", "population"), IVE,
     "explaining inputs needs the parameters",
     {"field": "tree", "expected": "tree=ParameterTree"}),
    ("inequality-shapes", lambda: inequality([1.0, 2.0], [1.0]), IVE,
     "values and weights must be 1-D and of one non-zero length",
     {"field": "values", "value": ((2,), (1,))}),
    ("inequality-empty", lambda: lorenz([]), IVE,
     "values and weights must be 1-D and of one non-zero length",
     {"field": "values", "value": ((0,), (0,))}),
    ("inequality-2d", lambda: inequality([[1.0, 2.0]]), IVE,
     "values and weights must be 1-D and of one non-zero length",
     {"field": "values", "value": ((1, 2), (1,))}),
    ("inequality-values", lambda: inequality([1.0, 2.0, -0.5]), IVE, "bad values (index 2)",
     {"field": "values", "value": -0.5, "expected": "finite numbers >= 0"}),
    ("inequality-weights-inf", lambda: lorenz([1.0, 2.0], [np.inf, 1.0]), IVE,
     "bad weights (index 0)",
     {"field": "weights", "value": float("inf"), "expected": "finite numbers >= 0"}),
    ("donor-definition", lambda: donors_recipients(pd.DataFrame(), "net_contributors"), URE,
     "unknown donor definition",
     {"field": "definition", "value": "net_contributors",
      "expected": "one of " + ", ".join(DONOR_DEFINITIONS), "hint": "Did you mean "
      "net_contributor?"}),
    ("published-one-year", lambda: published._year({}, 1998, 1999, "stage_2_recipients"), IVE,
     "stage_2_recipients is a one-year measure",
     {"field": "year_to", "value": "1998–1999", "expected": "year_from = year_to"}),
    ("published-year-not-run", lambda: published._frame(
        {1998: None, 2000: None}, 1998, 2000), URE,  # type: ignore[dict-item]
     "year not run", {"field": "year_from", "value": 1999, "expected": "one of [1998, 2000]"}),
    ("published-figure", lambda: published.measure("net_donors_with"), URE,
     "no measure for this figure",
     {"field": "figure", "value": "net_donors_with", "expected": "one of " + ", ".join(
         published.MEASURES), "hint": "Did you mean net_donors, net_donors_with_direct_spending?"}),
    ("pipeline-parent-unknown", lambda: run_year(_inputs(parent=(None, "Q", None)), TREE),
     UnknownActorError, "bad parent region",
     {"row": 2, "field": "parent", "value": "Q", "expected": "another region's id, or None"}),
    ("pipeline-parent-itself", lambda: run_year(_inputs(parent=(None, None, "C")), TREE),
     UnknownActorError, "bad parent region",
     {"row": 3, "field": "parent", "value": "C", "expected": "another region's id, or None"}),
    ("pipeline-regions-disagree", lambda: run_year(replace(
        _inputs(), firms=Firms([], [], n_regions=2)), TREE), IVE,
     "inputs disagree on the number of regions",
     {"field": "n_regions", "value": (3, 2), "expected": "3 regions, as in the regions table"}),
    ("pipeline-establishments-disagree", lambda: run_year(replace(
        _inputs(), establishments=Establishments([], [], [], [], [], [], n_firms=0,
                                                 n_regions=4)), TREE), IVE,
     "inputs disagree on the number of regions",
     {"field": "n_regions", "value": (4, 3), "expected": "3 regions, as in the regions table"}),
    ("run-years-key", lambda: run_years({1998: _inputs(1999)}, TREE), IVE,
     "mapping key differs from the inputs' year",
     {"field": "year", "value": 1998, "expected": "1999"}),
    ("run-years-twice", lambda: run_years([_inputs(1998), _inputs(1998)], TREE), IVE,
     "year given twice", {"field": "year", "value": 1998}),
    ("result-year", lambda: run_years([_inputs(1998)], TREE).year(1999), URE,
     "year not in the result", {"field": "year", "value": 1999, "expected": "one of [1998]"}),
]


@pytest.mark.parametrize(("call", "kind", "message", "fields"),
                         [case[1:] for case in RUNNER_ERRORS],
                         ids=[c[0] for c in RUNNER_ERRORS])
def test_every_run_error_is_whole(raises_exactly: Raises, call: Callable[[], object],
                                  kind: type[RegionetError], message: str,
                                  fields: dict[str, Any]) -> None:
    with np.errstate(all="ignore"):
        raises_exactly(call, kind, message, **fields)


def test_the_limits_are_accepted() -> None:
    # collection 0 and any finite value; weights of 0 (the population then); a one-year
    # measure asked for one year; the cycle's member read on its own
    run = run_year(_inputs(1999, 2), TREE, collection_by_region=[0.0, 1e300])
    assert run.trace.node("collection_efficiency").value.tolist() == [0.0, 1e300]
    assert run.trace.node("collection_efficiency").rule == "collection_by_region"
    even = share_out(6.0, np.zeros(2), np.array([1.0, 2.0]))
    assert (even.value.tolist(), even.rule) == ([2.0, 4.0], "population (no region has a weight)")
    keyed = share_out(6.0, np.array([0.0, 3.0]), np.array([1.0, 2.0]))
    assert (keyed.value.tolist(), keyed.rule) == ([0.0, 6.0], "key")
    # subnormal weights (found by Hypothesis): 0.5 × 5e-324 underflowed to 0 before
    tiny = share_out(0.5, np.array([5e-324, 1e-323]), np.ones(2))
    assert tiny.value.tolist() == [0.5 / 3, 1 / 3]
    assert published._year({1998: "x"}, 1998, 1998, "f") == "x"  # type: ignore[dict-item]
    assert inequality([5.0], [2.0])["gini"] == 0.0
    assert lorenz([1.0, 3.0], [0.0, 1.0]).to_dict("list") == {
        "population_share": [0.0, 1.0], "value_share": [0.0, 1.0]}


def test_a_missing_value_is_refused_the_same_way_every_time(raises_exactly: Raises) -> None:
    # the second ask is answered from the evaluation's cache of missing values
    def twice(q: Evaluation) -> float:
        for _ in range(2):
            with pytest.raises(UnknownReferenceError) as info:
                q.number("late")
            errors.append(info.value)
        return 0.0
    errors: list[UnknownReferenceError] = []
    _run(_q("twice", twice, parameters=("late",), scalar=True)).scalar("twice")
    assert errors[0] is errors[1]
    assert (errors[0].message, errors[0].file, errors[0].field, errors[0].hint) == (
        "parameter has no value on 1999-01-01, needed for 1999", "<mapping>", "late",
        "The law as encoded does not cover this date; check the year, or give the value in a "
        "scenario.")


def _split_scenario(regional: float) -> Any:
    return scenario_from_mapping({"name": "s", "description": "d", "overrides": {
        "vat.split.regional": {"1997-01-01": regional}}}, TREE)


def test_a_tax_split_must_add_up_to_one_within_1e_9(raises_exactly: Raises) -> None:
    vat = {"vat": np.array([100.0, 0.0])}
    inputs = _inputs(1997, 2, tax_due=vat)
    near = run_year(inputs, TREE, scenario=_split_scenario(0.25 + 5e-10))
    assert near.regions["vat_regional"].tolist() == [100.0 * (0.25 + 5e-10), 0.0]
    raises_exactly(lambda: run_year(inputs, TREE, scenario=_split_scenario(0.25 + 2e-9)),
                   IVE, "the vat shares do not add up to 1 in 1997",
                   field="vat.split.federal, vat.split.regional", value=(0.75, 0.25 + 2e-9),
                   hint="A scenario probably overrode one share without the others.")


def test_a_tax_without_a_split_is_refused_only_when_due(raises_exactly: Raises) -> None:
    hydrocarbons = "mineral_extraction_tax.hydrocarbons"
    zero = run_year(_inputs(2000, 2, tax_due={hydrocarbons: np.zeros(2)}), TREE)
    assert zero.regions["mineral_extraction_tax_hydrocarbons_regional"].tolist() == [0.0, 0.0]
    err = raises_exactly(
        lambda: run_year(_inputs(2000, 2, tax_due={hydrocarbons: np.array([0.0, 1.0])}), TREE),
        URE, f"tax due is given for {hydrocarbons} but its split has no value in 2000",
        field=f"{hydrocarbons}.split.federal",
        file=str(PARAMETERS / "mineral_extraction_tax.yaml"),
        hint="Check the year, or leave that tax out of the inputs (the tax may not exist yet).")
    assert isinstance(err.__cause__, UnknownReferenceError)


def test_the_other_aid_s_shares_must_add_up_to_one(raises_exactly: Raises) -> None:
    split = "federal_flows.financial_aid.split"
    bad = scenario_from_mapping({"name": "s", "description": "d", "overrides": {
        f"{split}.subventions": {"1999-01-01": 0.9}}}, TREE)
    inputs = _inputs(1999, 2, tax_due={"vat": np.array([100.0, 0.0])})  # a fund: aid is sized
    shares = run_year(inputs, TREE).trace.node("other_aid_size")
    assert [p.path for p in shares.parameters][1:] == [
        f"{split}.subventions", f"{split}.mutual_settlements", f"{split}.federal_programmes"]
    others = [p.number for p in shares.parameters][2:]
    raises_exactly(lambda: run_year(inputs, TREE, scenario=bad), IVE,
                   "the shares of the other aid do not add up to 1 in 1999",
                   field=f"{split}.subventions, {split}.mutual_settlements, "
                         f"{split}.federal_programmes", value=(0.9, *others),
                   hint="A scenario probably overrode one share without the others.")


def test_an_unknown_fund_base_is_refused(raises_exactly: Raises,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from regionet.engines.fiscal.run import quantities_transfers
    monkeypatch.setattr(quantities_transfers, "FUND_BASES", {"federal_vat": "vat_federal"})
    raises_exactly(lambda: run_year(_inputs(1999, 2), TREE), URE, "unknown fund base",
                   field="equalization.fund.base",
                   value="federal_tax_revenue_excl_import_duties",
                   expected="one of federal_vat")


def test_transfers_without_an_allocation_are_refused(raises_exactly: Raises,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    plain = replace(QUANTITIES["transfers"], function=lambda q: np.zeros(q.n))
    monkeypatch.setattr(pipeline, "QUANTITIES", {**QUANTITIES, "transfers": plain})
    raises_exactly(lambda: run_year(_inputs(1999, 2), TREE), IVE,
                   "the transfers quantity returned no allocation", field="transfers",
                   expected="Computed(outcome=Allocation)")


def test_results_to_compare_must_match(raises_exactly: Raises) -> None:
    a = pd.DataFrame({"region": ["A", "B"], "year": [1999, 1999], "x": [1.0, 2.0]})
    b = pd.DataFrame({"region": ["A", "C"], "year": [1999, 1999], "x": [1.0, 2.0]})
    raises_exactly(lambda: winners_losers(a, b, "y"), IVE, "unknown measure", field="measure",
                   value="y", expected="a numeric column of the results")
    raises_exactly(lambda: winners_losers(a, b.drop(columns="x").assign(z=1.0), "x"), IVE,
                   "unknown measure", field="measure", value="x",
                   expected="a numeric column of the results")
    raises_exactly(lambda: winners_losers(a, b, "x"), IVE,
                   "the results cover different regions or years", field="region",
                   value="B 1999", expected="the same regions and years in both results")
    same = winners_losers(a, a, "x")
    assert same["status"].tolist() == ["unchanged", "unchanged"]


# --- legal cases ------------------------------------------------------------------------------

def _case(**changes: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "name": "VAT 1997", "year": 1997, "comment": "by hand",
        "input": {"regions": {"A": {"population": 1000, "tax_due": {"vat": 1000}}}},
        "output": {"vat_regional": {"A": 250}}}
    return {**case, **changes}


W = 'case 2 "VAT 1997"'


def _p(message: str, field: str, value: object = None, expected: str | None = None,
       hint: str | None = None, *, kind: type[RegionetError] = IVE, row: int | None = None,
       where: str = W) -> tuple[object, ...]:
    return (kind, f"{where}: {message}", "bad.yaml", row, field, value, expected, hint)


_REGION = "{population, expenditure_index, parent, tax_due}"
CASE_PROBLEMS: list[tuple[str, object, list[tuple[object, ...]]]] = [
    ("not-a-mapping", ["a"], [_p("a case is a mapping", "", "['a']",
                                 "name, year, comment, input, output", where="case 2")]),
    ("unknown-key", _case(comentary="x"), [_p("unknown key", "comentary", None,
                                              "one of " + ", ".join(legal_cases.CASE_KEYS),
                                              "Did you mean comment?")]),
    ("missing-keys", {"name": "VAT 1997", "year": 1997}, [
        _p("missing key", key, None, "name, year, comment, input and output")
        for key in ("comment", "input", "output")]),
    ("bad-name", _case(name=" "), [_p("bad name", "name", " ", "a non-empty text",
                                      where='case 2 " "')]),
    ("no-arithmetic", _case(comment=["x"]), [_p("no arithmetic", "comment", "['x']",
                                                "the arithmetic by hand, a non-empty text")]),
    ("bad-year", _case(year=True), [_p("bad year", "year", True, "a year, e.g. 1999")]),
    ("margin-text", _case(absolute_error_margin="0.1"), [
        _p("not a number", "absolute_error_margin", "0.1", "a number >= 0")]),
    ("margin-negative", _case(absolute_error_margin=-1e-12), [
        _p("negative margin", "absolute_error_margin", -1e-12, "a number >= 0")]),
    ("options-not-a-mapping", _case(options=[1]), [
        _p("not a mapping", "options", "[1]",
           "{use_published_total: bool, collection_by_region: {region: e}}")]),
    ("options-unknown", _case(options={"use_published": True}), [
        _p("unknown key", "options.use_published", None,
           "one of use_published_total, collection_by_region", "Did you mean "
           "use_published_total?")]),
    ("published-not-bool", _case(options={"use_published_total": 1}), [
        _p("not true or false", "options.use_published_total", 1)]),
    ("efficiency-regions", _case(options={"collection_by_region": {"A": 1, "B": 1}}), [
        _p("not one efficiency per region", "options.collection_by_region", ["A", "B"],
           "every region of the input: A")]),
    ("efficiency-text", _case(options={"collection_by_region": {"A": "full"}}), [
        _p("not a number", "options.collection_by_region.A", "full", "a finite number")]),
    ("input-unknown-key", _case(input={"regions": {"A": {"population": 1}}, "firm": {}}), [
        _p("unknown key", "input.firm", None, "one of regions, firms, establishments",
           "Did you mean firms?")]),
    ("no-region", _case(input={"regions": {}}), [
        _p("no region", "input.regions", None, "at least one region"),
        _p("region not in the input", "output.vat_regional.A", None, "one of ")]),
    ("region-id-not-text", _case(input={"regions": {7: {"population": 1}}},
                                 output={"population": {"7": 1}}), [
        _p("region id is not a text", "input.regions.7", 7, "a text, e.g. A")]),
    ("region-not-a-mapping", _case(input={"regions": {"A": 5}}), [
        _p("not a mapping", "input.regions.A", 5, _REGION),
        _p("missing key", "input.regions.A.population", None, "persons, > 0")]),
    ("region-unknown-key", _case(input={"regions": {"A": {"population": 1,
                                                          "populaton": 2}}}), [
        _p("unknown key", "input.regions.A.populaton", None,
           "one of population, expenditure_index, parent, tax_due",
           "Did you mean population?")]),
    ("index-negative", _case(input={"regions": {"A": {"population": 1,
                                                      "expenditure_index": -0.5}}}), [
        _p("out of range", "input.regions.A.expenditure_index", -0.5, "a number >= 0")]),
    ("index-not-finite", _case(input={"regions": {"A": {"population": 1,
                                                        "expenditure_index": float("inf")}}}),
     [_p("not a number", "input.regions.A.expenditure_index", float("inf"),
         "a finite number >= 0")]),
    ("population-negative", _case(input={"regions": {"A": {"population": -1}}}), [
        _p("out of range", "input.regions.A.population", -1.0, "a number > 0")]),
    ("parent-unknown", _case(input={"regions": {"A": {"population": 1, "parent": "B"}}}), [
        _p("unknown parent region", "input.regions.A.parent", "B",
           "another region of the input, or null")]),
    ("parent-itself", _case(input={"regions": {"A": {"population": 1, "parent": "A"}}}), [
        _p("unknown parent region", "input.regions.A.parent", "A",
           "another region of the input, or null")]),
    ("tax-due-not-a-mapping", _case(input={"regions": {"A": {"population": 1,
                                                             "tax_due": 5}}}), [
        _p("not a mapping", "input.regions.A.tax_due", 5, "{tax key: amount}")]),
    ("tax-due-text", _case(input={"regions": {"A": {"population": 1,
                                                    "tax_due": {"vat": "x"}}}}), [
        _p("not a number", "input.regions.A.tax_due.vat", "x", "a finite number")]),
    ("firms-not-a-mapping", _case(input={"regions": {"A": {"population": 1}}, "firms": [1]}),
     [_p("not a mapping", "input.firms", "[1]", "{firm id: {registered_region, profit}}")]),
    ("firm-not-a-mapping", _case(input={"regions": {"A": {"population": 1}},
                                        "firms": {"f": 3}}), [
        _p("not a mapping", "input.firms.f", 3, "{registered_region, profit}"),
        _p("not a number", "input.firms.f.profit", None, "a finite number")]),
    ("firm-unknown-key", _case(input={"regions": {"A": {"population": 1}}, "firms": {
        "f": {"registered_region": "A", "profit": 1, "profits": 2}}}), [
        _p("unknown key", "input.firms.f.profits", None, "one of registered_region, profit",
           "Did you mean profit?")]),
    ("establishments-not-a-list", _case(input={"regions": {"A": {"population": 1}},
                                               "establishments": {"x": 1}}), [
        _p("not a list", "input.establishments", "{'x': 1}",
           "a list of {firm_id, region, headcount, payroll, assets, sales}")]),
    ("establishment-not-a-mapping", _case(input={"regions": {"A": {"population": 1}},
                                                 "establishments": ["e"]}), [
        _p("not a mapping", "input.establishments[1]", "e", "{firm_id, region, factors}")]),
    ("establishment-unknown-key", _case(input={"regions": {"A": {"population": 1}},
                                               "establishments": [{"firm": "f"}]}), [
        _p("unknown key", "input.establishments[1].firm", None,
           "one of firm_id, region, headcount, payroll, assets, sales, own_balance_sheet",
           "Did you mean firm_id?")]),
    ("establishment-factor-text", _case(input={"regions": {"A": {"population": 1}},
                                               "establishments": [{"sales": "x"}]}), [
        _p("not a number", "input.establishments[1].sales", "x", "a finite number")]),
    ("output-not-a-mapping", _case(output=[1]), [
        _p("not a mapping", "output", "[1]",
           "{column: {region: value}, totals: {total: value}}")]),
    ("output-unknown-column", _case(output={"vat_regionl": {"A": 1}}), [
        _p("unknown output column", "output.vat_regionl", None, "an output column or totals",
           "Did you mean vat_regional, revenue_regional, profit_tax_regional?")]),
    ("output-column-not-a-mapping", _case(output={"vat_regional": 250}), [
        _p("not a mapping", "output.vat_regional", 250, "{region: value}")]),
    ("output-totals-not-a-mapping", _case(output={"totals": 250}), [
        _p("not a mapping", "output.totals", 250, "{total: value}")]),
    ("output-unknown-total", _case(output={"totals": {"fund": 1}}), [
        _p("unknown total", "output.totals.fund", None,
           "one of " + ", ".join(pipeline.TOTALS), "Did you mean fund_size?")]),
    ("output-value-text", _case(output={"vat_regional": {"A": "250"}}), [
        _p("not a number", "output.vat_regional.A", "250", "a finite number")]),
    ("scenario-not-a-mapping", _case(scenario=5), [
        _p("not a mapping", "scenario", 5, "{overrides: {...}, rules: {...}}")]),
    ("input-built-badly", _case(input={"regions": {"A": {"population": 1}},
                                       "firms": {"f": {"registered_region": "B", "profit": 1}}},
                                output={"population": {"A": 1}}), [
        _p("unknown registered_region", "input.firms.registered_region", "B",
           "an id listed in the regions", kind=UnknownActorError, row=1)]),
    ("scenario-override-unknown", _case(scenario={"overrides": {"vat.split.regionl": {
        "1997-01-01": 0.5}}}), [
        _p("unknown parameter", "scenario.overrides", "vat.split.regionl",
           "a parameter path (see tree.paths())", "Did you mean vat.split.regional, "
           "vat.split.federal, excise.spirits.split.regional?", kind=URE)]),
]


@pytest.mark.parametrize(("data", "problems"), [c[1:] for c in CASE_PROBLEMS],
                         ids=[c[0] for c in CASE_PROBLEMS])
def test_every_problem_of_a_case_is_whole(problems_exactly: Problems, data: object,
                                          problems: list[tuple[object, ...]]) -> None:
    problems_exactly(lambda: parse_case(data, "bad.yaml", 2, TREE), *problems)


def test_a_case_s_limits_are_accepted() -> None:
    case = parse_case(_case(absolute_error_margin=0, options={
        "use_published_total": False, "collection_by_region": {"A": 0, "B": 1}},
        input={"regions": {
            "A": {"population": 1e-300, "expenditure_index": 0, "tax_due": {"vat": 1000}},
            "B": {"population": 1, "parent": "A"}}}), "ok.yaml", 1, TREE)
    assert (case.margin, case.collection_by_region, case.use_published_total) == (
        0.0, (0.0, 1.0), False)
    assert case.inputs.regions.parent == (None, "A")
    assert case.title == 'ok.yaml, case 1 "VAT 1997" (1997)'


def test_a_scenario_without_the_parameters_is_a_problem(problems_exactly: Problems) -> None:
    problems_exactly(lambda: parse_case(_case(scenario={}), "bad.yaml", 2, None),
                     _p("a scenario needs the parameters", "scenario", None,
                        "read_cases(..., tree)"),
                     heading="1 problem(s) in the legal cases; no case was run:")


def test_case_files_name_the_path(raises_exactly: Raises, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    raises_exactly(lambda: case_files([tmp_path]), DataFileError,
                   "no legal case files (*.yaml, *.yml) in the folder", file=str(tmp_path),
                   expected="a folder of YAML cases")
    raises_exactly(lambda: case_files([tmp_path / "none.yaml"]), DataFileError,
                   "file not found", file=str(tmp_path / "none.yaml"),
                   expected="a YAML file or a folder of them")
    (tmp_path / "b.yml").write_text("x", encoding="utf-8")
    (tmp_path / "a.yaml").write_text("x", encoding="utf-8")
    assert case_files([tmp_path, tmp_path / "notes.txt"]) == [
        tmp_path / "a.yaml", tmp_path / "b.yml", tmp_path / "notes.txt"]


def test_read_cases_gathers_the_problems_of_every_file(problems_exactly: Problems,
                                                       tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("- name: one\n- {}\n", encoding="utf-8")
    file = str(tmp_path / "a.yaml")
    need = "name, year, comment, input and output"
    problems_exactly(
        lambda: read_cases([tmp_path], TREE),
        *[(IVE, 'case 1 "one": missing key', file, None, key, None, need, None)
          for key in ("year", "comment", "input", "output")],
        *[(IVE, "case 2: missing key", file, None, key, None, need, None)
          for key in ("name", "year", "comment", "input", "output")],
        heading="9 problem(s) in the legal cases; no case was run:")


def test_a_run_error_fails_the_case_with_its_message() -> None:
    case = parse_case(_case(year=2000, input={"regions": {"A": {
        "population": 1, "tax_due": {"mineral_extraction_tax.hydrocarbons": 1}}}},
        output={"population": {"A": 1}}), "c.yaml", 1, TREE)
    result = run_case(case, TREE)
    assert (result.passed, result.checked, result.mismatches, result.result) == (
        False, 0, (), None)
    assert result.error == (
        f"{PARAMETERS / 'mineral_extraction_tax.yaml'}, field "
        "'mineral_extraction_tax.hydrocarbons.split.federal': tax due is given for "
        "mineral_extraction_tax.hydrocarbons but its split has no value in 2000. Check the "
        "year, or leave that tax out of the inputs (the tax may not exist yet).")


def test_a_validation_error_in_a_case_becomes_its_problems() -> None:
    # a ValidationError's problems are located one by one, as InvalidValueError
    checker = legal_cases._Checker("x.yaml", 3, "n", legal_cases.ErrorCollector())
    inner = ValidationError.from_errors([
        InvalidValueError("bad", file="input.firms", row=2, field="profit", value="x",
                          expected="e", hint="h"),
        UnknownActorError("who", field="region", value="Q")])
    checker.located(inner, "input.")
    got = [(type(e), e.message, e.file, e.row, e.field, e.value, e.expected, e.hint)
           for e in checker.errors.errors]
    assert got == [
        (IVE, 'case 3 "n": bad', "x.yaml", 2, "input.firms.profit", "x", "e", "h"),
        (UnknownActorError, 'case 3 "n": who', "x.yaml", None, "input.region", "Q", None, None)]
    # a problem that is itself a ValidationError is kept as an InvalidValueError
    nested = ValidationError.from_errors([ValidationError.from_errors([
        UnknownActorError("who", field="region", value="Q")])])
    whole = legal_cases._Checker("x.yaml", 3, None, legal_cases.ErrorCollector())
    whole.located(nested, "scenario.")
    assert [(type(e), e.message, e.field, e.value) for e in whole.errors.errors] == [
        (IVE, "case 3: 1 problem(s) found; nothing was written:\n  - field 'region', value "
              "'Q': who", "scenario.", None)]


# --- from the fresh random sample of run/ (``--sample 40 --seed 43 fiscal-run``) -------------

def test_a_case_s_establishments_keep_their_regions() -> None:
    # read inside the test: the legal-case files are read when their module is collected,
    # before mutmut switches a mutant on
    case = parse_case(_case(input={
        "regions": {"A": {"population": 1}, "B": {"population": 2}},
        "firms": {"f": {"registered_region": "A", "profit": 10}},
        "establishments": [{"firm_id": "f", "region": "B", "headcount": 3, "assets": 1},
                           {"firm_id": "f", "region": "A", "headcount": 1, "assets": 3,
                            "own_balance_sheet": True}]},
        output={"population": {"A": 1}}), "c.yaml", 1, TREE)
    est = case.inputs.establishments
    assert (est.region.tolist(), est.headcount.tolist(), est.assets.tolist()) == (
        [1, 0], [3.0, 1.0], [1.0, 3.0])
    assert (est.own_balance_sheet.tolist(), case.inputs.firms.profit.tolist()) == (
        [False, True], [10.0])


def test_the_flow_matrix_of_less_than_one_unit_of_revenue() -> None:
    from regionet.engines.fiscal.run.outputs import flow_matrix
    frame = pd.DataFrame({"region": ["A", "B"], "year": [1999, 1999],
                          "revenue_federal_collected": [0.25, 0.25], "transfers": [0.0, 0.25]})
    got = flow_matrix(frame)
    assert got.to_dict("list") == {"A": [0.0, 0.0], "B": [0.125, 0.125],
                                   "centre": [0.125, 0.125]}


def test_a_scenario_s_rule_no_parameter_holds_reaches_the_run() -> None:
    # a law whose equalization method is no rule_kind: the scenario's choice is q.rules
    plain = ParameterTree({p: replace(TREE.parameter(p), rule_kind=None) if
                           TREE.parameter(p).rule_kind == "equalization" else TREE.parameter(p)
                           for p in TREE.paths()})
    rules = scenario_from_mapping({"name": "r", "description": "d",
                                   "rules": {"equalization": "none"}}, plain,
                                  rule_names=pipeline.RULE_NAMES)
    inputs = _inputs(1999, 2, tax_due={"vat": np.array([100.0, 0.0])})
    assert run_year(inputs, plain).trace.node("transfers").rule == "two_stage"
    ruled = run_year(inputs, plain, scenario=rules)
    assert (ruled.trace.node("transfers").rule, ruled.regions["transfers"].tolist()) == (
        "none", [0.0, 0.0])


def test_the_profit_tax_cites_its_laws() -> None:
    laws = ('Law 2116-1 "On the profit tax of enterprises and organizations" art. 5 (rates '
            "to 2001)", "Tax Code art. 284 (rates from 2002)")
    for level in ("federal", "regional", "local"):
        declared = QUANTITIES[f"profit_tax_{level}"]
        assert (declared.references, declared.parameters) == (
            laws, (f"profit_tax.rate.{level}",))


# --- from the third fresh sample of run/ (``--sample 60 --seed 51 fiscal-run``) --------------

def test_an_explanation_s_steps_keep_rule_note_and_inputs() -> None:
    # 1995: no mineral extraction tax yet, so its shares are 0 with the note saying why
    inputs = _inputs(1995, 2, tax_due={"vat": np.array([100.0, 0.0])})
    result = run_year(inputs, TREE)
    steps = explain(result, "A", "vat_regional").to_dict()["steps"]
    assert [list(step)[:7] for step in steps][:1] == [
        ["quantity", "formula", "value", "inputs", "rule", "note", "parameters"]]
    share = explain(result, "A", "mineral_extraction_tax_hydrocarbons_share_federal")
    assert (share.steps[-1].note, share.to_dict()["steps"][-1]["note"]) == (
        "the split has no value this year and no tax is due: 0",) * 2
    transfers = explain(result, "A", "transfers").to_dict()["steps"][-1]
    assert (transfers["rule"], transfers["quantity"]) == ("gap_filling", "transfers")
    assert result.tree is TREE


def test_explaining_inputs_applies_the_scenario() -> None:
    inputs = _inputs(1997, 2, tax_due={"vat": np.array([100.0, 0.0])})
    half = scenario_from_mapping({"name": "half", "description": "d", "overrides": {
        "vat.split.regional": {"1997-01-01": 0.5}, "vat.split.federal": {"1997-01-01": 0.5}}},
        TREE)
    assert explain(inputs, "A", "vat_regional", tree=TREE).value == 25.0
    assert explain(inputs, "A", "vat_regional", tree=TREE, scenario=half).value == 50.0


def test_a_donor_definition_suggests_the_nearest_one(raises_exactly: Raises) -> None:
    raises_exactly(lambda: donors_recipients(pd.DataFrame(), "net_federal_flows"), URE,
                   "unknown donor definition", field="definition", value="net_federal_flows",
                   expected="one of " + ", ".join(DONOR_DEFINITIONS),
                   hint="Did you mean net_federal_flow?")


def test_several_years_are_one_frame_numbered_from_zero() -> None:
    series = run_years([_inputs(1998, 2), _inputs(1999, 2)], TREE)
    assert (series.regions.index.tolist(), series.regions["year"].tolist()) == (
        [0, 1, 2, 3], [1998, 1998, 1999, 1999])


def test_a_channel_without_a_value_says_so() -> None:
    from datetime import date

    from regionet.engines.fiscal.law.values import ParameterValue
    path = "federal_flows.direct_spending.primary_spending_to_revenue"
    ended = TREE.override({path: [ParameterValue(date(1999, 1, 1), None, "none", "assumed")]})
    node = run_year(_inputs(1999, 2), ended).trace.node("direct_spending_size")
    assert (node.value, node.rule, node.note) == (0.0, "no value", f"{path} has no value in 1999")
