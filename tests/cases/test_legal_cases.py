"""OpenFisca-style legal test cases: every ``tests/cases/*.yaml`` file, run through the pipeline.

A file holds one case or a list of cases: ``name``, ``year``, ``comment`` (the arithmetic by
hand), ``input`` (``regions``, ``firms``, ``establishments``), optional ``scenario`` and
``options``, the expected ``output`` (``column: {region: value}``, ``totals: {...}``) and
``absolute_error_margin``. The format, with an example and every key, is documented in
:mod:`regionet.engines.fiscal.run.legal_cases` and docs/fiscal.md; the reader and runner are the
package's, the same that ``regionet fiscal test tests/cases`` runs. Parameters are the bundled
Russian ones (``regionet/cases/russia_1990s/parameters``).
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
