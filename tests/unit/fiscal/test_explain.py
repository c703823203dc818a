"""explain() reads the run's trace: collection overrides, intermediates, and one formula only."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import regionet.cases
from regionet.engines.fiscal.inputs.coding import from_frames
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs, RegionTable
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import scenario_from_mapping
from regionet.engines.fiscal.run import explain as explain_module
from regionet.engines.fiscal.run.explain import Explanation, explain
from regionet.engines.fiscal.run.pipeline import QUANTITY_COLUMNS, RULE_NAMES, YearResult, run_year
from regionet.engines.fiscal.run.quantities import QUANTITIES

CASE = Path(regionet.cases.__file__).parent / "russia_1990s"


@pytest.fixture(scope="module")
def tree() -> ParameterTree:
    return load_parameters(CASE / "parameters")


def two_regions(year: int = 1997) -> FiscalInputs:
    """A firm registered in A with a quarter of its headcount and assets in A, the rest in B."""
    est, firms = from_frames(
        pd.DataFrame({"firm_id": ["f", "f"], "region": ["A", "B"], "headcount": [1, 3],
                      "payroll": [1, 3], "assets": [1, 3], "sales": [1, 3]}),
        pd.DataFrame({"firm_id": ["f"], "registered_region": ["A"], "profit": [1000.0]}),
        ("A", "B"))
    table = RegionTable(("A", "B"), np.array([1000.0, 1000.0]), tax_due={
        "vat": np.array([1000.0, 200.0]), "regional_other": np.array([100.0, 0.0]),
        "federal_other": np.array([0.0, 300.0])})
    return FiscalInputs(year, table, est, firms)


def assert_explains_the_run(result: YearResult) -> None:
    """Every quantity of the trace, for every region: the last step is the frame's number, and
    each step's inputs are the values of the steps it read."""
    frame = result.regions.set_index("region")
    for region in frame.index:
        for quantity in result.trace.nodes:
            explanation = explain(result, region, quantity)
            if quantity in QUANTITY_COLUMNS:
                assert explanation.value == frame.loc[region, quantity], (quantity, region)
            steps = {s.quantity: s for s in explanation.steps}
            assert explanation.steps[-1].quantity == quantity
            for step in explanation.steps:
                for name in result.trace.nodes[step.quantity].dependencies:
                    shown = step.inputs.get(name, step.inputs.get(f"{name} (this region)"))
                    assert shown == steps[name].value, (quantity, step.quantity, name)


def step(explanation: Explanation, quantity: str) -> explain_module.Step:
    return next(s for s in explanation.steps if s.quantity == quantity)


def test_explain_under_collection_by_region(tree: ParameterTree) -> None:
    result = run_year(two_regions(), tree, collection_by_region=[0.5, 1.0])
    assert_explains_the_run(result)
    # 1997: profit tax 13 % federal at the head office, 22 % regional on the art288_1995
    # shares ½·¼ + ½·¼ = ¼ (A) and ¾ (B); VAT 25 % regional; A collects half.
    expected = {"profit_tax_federal": (0.13 * 1000 * 0.5, 0.0),
                "profit_tax_regional": (0.22 * 250 * 0.5, 0.22 * 750),
                "vat_regional": (0.25 * 1000 * 0.5, 0.25 * 200),
                "revenue_regional": (27.5 + 125 + 50, 165 + 50),
                # capacity is at full collection: A's is not halved
                "revenue_regional_capacity": (0.22 * 250 + 0.25 * 1000 + 100, 165 + 50)}
    for quantity, values in expected.items():
        for region, value in zip("AB", values, strict=True):
            assert explain(result, region, quantity).value == pytest.approx(value, abs=1e-9)
    vat = explain(result, "A", "vat_regional")
    efficiency = step(vat, "collection_efficiency")
    assert efficiency.value == 0.5 and efficiency.parameters == ()
    assert efficiency.rule == "collection_by_region"
    assert efficiency.formula == "input: the collection_by_region override"
    assert step(vat, "vat_regional").inputs == {"vat_share_regional": 0.25, "vat_due": 1000.0,
                                                "collection_efficiency": 0.5}
    capacity = step(explain(result, "A", "revenue_regional_capacity"),
                    "revenue_regional_capacity")
    assert capacity.inputs["vat_regional at full collection"] == 250.0
    assert capacity.inputs["regional_other_regional at full collection"] == 100.0
    assert "collection_efficiency" not in capacity.inputs


def test_explain_under_a_scenario_collection_efficiency(tree: ParameterTree) -> None:
    scenario = scenario_from_mapping({
        "name": "slump", "description": "d",
        "overrides": {"collection.efficiency": {"1997-01-01": 0.8}}}, tree,
        rule_names=RULE_NAMES)
    result = run_year(two_regions(), tree, scenario=scenario)
    assert_explains_the_run(result)
    vat = explain(result, "A", "vat_regional")
    assert vat.value == pytest.approx(0.25 * 1000 * 0.8)
    [parameter] = step(vat, "collection_efficiency").parameters
    assert parameter.path == "collection.efficiency" and parameter.number == 0.8
    assert [(p.reference, p.status) for p in parameter.pieces] == [("scenario 'slump'",
                                                                    "assumed")]
    assert step(vat, "collection_efficiency").rule is None
    capacity = explain(result, "A", "revenue_regional_capacity")
    assert capacity.value == pytest.approx(0.22 * 250 + 0.25 * 1000 + 100)


def test_explain_every_method_and_national_numbers(tree: ParameterTree) -> None:
    for method in RULE_NAMES["equalization"]:
        scenario = scenario_from_mapping({"name": method, "description": "d",
                                          "rules": {"equalization": method}}, tree,
                                         rule_names=RULE_NAMES)
        result = run_year(two_regions(2000), tree, scenario=scenario)
        assert_explains_the_run(result)
        transfers = step(explain(result, "B", "transfers"), "transfers")
        assert transfers.rule == method
        assert transfers.formula == QUANTITIES["transfers"].formula_for(method)
    fund = explain(result, "B", "fund_size")  # a national number: the same for every region
    assert fund.value == explain(result, "A", "fund_size").value == result.totals["fund_size"]
    assert step(fund, "fund_size").inputs == {"fund_base_amount":
                                              result.totals["fund_base_amount"]}
    base = step(fund, "fund_base_amount")
    assert base.rule == "federal_tax_revenue_excl_import_duties"
    assert base.inputs == {"revenue_federal_collected (this region)":
                           result.regions.set_index("region").loc["B",
                                                                  "revenue_federal_collected"]}


def test_changing_a_declaration_changes_the_run_and_the_explanation(
        tree: ParameterTree, monkeypatch: pytest.MonkeyPatch) -> None:
    doubled = dataclasses.replace(
        QUANTITIES["net_flow"], formula="2 × (transfers − revenue_federal_collected)",
        function=lambda q: 2 * (q.array("transfers") - q.array("revenue_federal_collected")))
    before = run_year(two_regions(), tree)
    monkeypatch.setitem(QUANTITIES, "net_flow", doubled)
    after = run_year(two_regions(), tree)
    np.testing.assert_array_equal(after.regions["net_flow"], 2 * before.regions["net_flow"])
    explained = explain(after, "B", "net_flow")
    assert explained.value == after.regions.set_index("region").loc["B", "net_flow"] != 0
    assert explained.steps[-1].formula == "2 × (transfers − revenue_federal_collected)"


def test_explain_holds_no_arithmetic() -> None:
    """There is no second formula to drift: explain.py only reads the trace."""
    tree = ast.parse(Path(explain_module.__file__).read_text(encoding="utf-8"))
    operators = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
                 ast.MatMult)  # not |, which annotations use (str | None)
    arithmetic = [node.lineno for node in ast.walk(tree)
                  if (isinstance(node, ast.BinOp | ast.AugAssign)
                      and isinstance(node.op, operators))
                  or (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd)
                      and not isinstance(node.operand, ast.Constant))]  # steps[-1] is fine
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import | ast.ImportFrom)
                for alias in node.names} | {node.module for node in ast.walk(tree)
                                            if isinstance(node, ast.ImportFrom) and node.module}
    calls = {node.func.id for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert arithmetic == [], f"arithmetic on lines {arithmetic}"
    assert not {"numpy", "math"} & imported
    assert not any(m.startswith("regionet.engines.fiscal.rules") for m in imported if m)
    assert not {"sum", "min", "max", "abs", "round"} & calls
