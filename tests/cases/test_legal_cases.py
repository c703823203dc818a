"""OpenFisca-style legal test cases: every ``tests/cases/*.yaml`` file, run through the pipeline.

A file holds one case or a list of cases::

    name: profit tax 1999, federal rate change on 1 April
    year: 1999
    comment: the arithmetic, by hand
    input:
      regions:   {A: {population: 1000, expenditure_index: 1.0, parent: null,
                      tax_due: {vat: 100}}}
      firms:     {f1: {registered_region: A, profit: 3650}}
      establishments:
        - {firm_id: f1, region: A, headcount: 1, payroll: 1, assets: 1, sales: 1}
    scenario:    {rules: {attribution: operation}, overrides: {...}}     # optional
    options:     {use_published_total: true, collection_by_region: {A: 0.5}}  # optional
    output:
      profit_tax_federal: {A: 419.5}          # column: {region: value}
      totals: {fund_size: 0.0}                # national totals
    absolute_error_margin: 0.000001

Parameters are the bundled Russian ones (``regionet/cases/russia_1990s/parameters``).
Every case is also explained: ``explain`` must give the run's number for every output column
of every region of the case (so the off-default branches the cases reach, e.g. collection
below 1 or okrug splits, are checked in explain as well as in the pipeline).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import regionet.cases
from regionet.engines.fiscal.inputs.coding import from_frames
from regionet.engines.fiscal.inputs.establishments import FACTORS
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs, RegionTable
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import scenario_from_mapping
from regionet.engines.fiscal.run.explain import explain
from regionet.engines.fiscal.run.pipeline import COLUMNS, RULE_NAMES, YearResult, run_year

HERE = Path(__file__).parent
PARAMETERS = Path(regionet.cases.__file__).parent / "russia_1990s" / "parameters"
CASE_KEYS = {"name", "year", "comment", "input", "scenario", "options", "output",
             "absolute_error_margin"}


def _cases() -> list[Any]:
    params = []
    for file in sorted(HERE.glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        for case in data if isinstance(data, list) else [data]:
            params.append(pytest.param(case, id=f"{file.stem}: {case.get('name', '?')}"))
    return params


def build_inputs(case: dict[str, Any]) -> FiscalInputs:
    regions: dict[str, dict[str, Any]] = case["input"]["regions"]
    ids = tuple(regions)
    keys = sorted({k for r in regions.values() for k in (r.get("tax_due") or {})})
    parents = tuple(r.get("parent") for r in regions.values())
    table = RegionTable(
        ids, population=np.array([r["population"] for r in regions.values()], dtype=float),
        expenditure_index=np.array([r.get("expenditure_index", 1.0) for r in regions.values()],
                                   dtype=float),
        tax_due={k: np.array([(r.get("tax_due") or {}).get(k, 0.0) for r in regions.values()],
                             dtype=float) for k in keys},
        parent=parents if any(parents) else None)
    firms = case["input"].get("firms") or {}
    firm_frame = pd.DataFrame({
        "firm_id": list(firms),
        "registered_region": [f["registered_region"] for f in firms.values()],
        "profit": [float(f["profit"]) for f in firms.values()]})
    est = case["input"].get("establishments") or []
    est_frame = pd.DataFrame({"firm_id": [e["firm_id"] for e in est],
                              "region": [e["region"] for e in est],
                              **{f: [float(e.get(f, 0.0)) for e in est] for f in FACTORS}})
    establishments, coded = from_frames(est_frame, firm_frame, ids)
    return FiscalInputs(int(case["year"]), table, establishments, coded)


@pytest.fixture(scope="module")
def tree() -> ParameterTree:
    return load_parameters(PARAMETERS)


def test_there_are_enough_cases() -> None:
    assert len(_cases()) >= 12


def run_case(case: dict[str, Any], tree: ParameterTree) -> YearResult:
    """Run a case's inputs under its scenario and options."""
    inputs = build_inputs(case)
    scenario = None
    if case.get("scenario"):
        scenario = scenario_from_mapping({"name": case["name"], "description": "legal case",
                                          **case["scenario"]}, tree, rule_names=RULE_NAMES)
    options = dict(case.get("options") or {})
    if "collection_by_region" in options:
        by_region = options["collection_by_region"]
        options["collection_by_region"] = np.array([by_region[r] for r in inputs.regions.ids])
    return run_year(inputs, tree, scenario=scenario, **options)


@pytest.mark.parametrize("case", _cases())
def test_legal_case(case: dict[str, Any], tree: ParameterTree) -> None:
    unknown = set(case) - CASE_KEYS
    assert not unknown, f"unknown keys {unknown}"
    assert case.get("comment"), "every case shows its arithmetic in comment:"
    result = run_case(case, tree)
    frame = result.regions.set_index("region")
    margin = float(case.get("absolute_error_margin", 1e-9))
    for column, expected in case["output"].items():
        if column == "totals":
            for key, value in expected.items():
                got = result.totals[key]
                assert abs(got - value) <= margin, f"totals.{key}: {got} != {value}"
            continue
        assert column in COLUMNS, f"unknown output column {column}"
        for region, value in expected.items():
            got = float(frame.loc[region, column])
            assert abs(got - value) <= margin, f"{column}[{region}]: {got} != {value}"


@pytest.mark.parametrize("case", _cases())
def test_explain_gives_the_run_number(case: dict[str, Any], tree: ParameterTree) -> None:
    result = run_case(case, tree)
    frame = result.regions.set_index("region")
    quantities = [c for c in COLUMNS if c not in ("region", "year", "illustrative")]
    wrong = []
    for region in frame.index:
        for quantity in quantities:
            got, run = explain(result, region, quantity).value, float(frame.loc[region, quantity])
            if abs(got - run) > 1e-9 * max(1.0, abs(run)):
                wrong.append(f"{quantity}[{region}]: explain {got} != run {run}")
    assert not wrong, "\n".join(wrong)
