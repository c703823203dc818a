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

The reader and runner are the package's (:mod:`regionet.engines.fiscal.run.legal_cases`, which
documents every key), the same that ``regionet fiscal test tests/cases`` runs. Parameters are
the bundled Russian ones (``regionet/cases/russia_1990s/parameters``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import regionet.cases
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.run.legal_cases import LegalCase, read_cases, run_case

HERE = Path(__file__).parent
TREE = load_parameters(Path(regionet.cases.__file__).parent / "russia_1990s" / "parameters")
CASES = read_cases([HERE], TREE)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{Path(c.file).stem}: {c.name}")
def test_legal_case(case: LegalCase) -> None:
    result = run_case(case, TREE)
    assert result.passed, str(result)
    assert result.checked == sum(len(values) for values in case.expected.values())
