"""OpenFisca-style legal test cases: every ``tests/cases/*.yaml`` file, run through the pipeline.

A file holds one case or a list of cases: ``name``, ``year``, ``comment`` (the arithmetic by
hand), ``input`` (``regions``, ``firms``, ``establishments``), optional ``scenario`` and
``options``, the expected ``output`` (``column: {region: value}``, ``totals: {...}``) and
``absolute_error_margin``. The format, with an example and every key, is documented in
:mod:`regionet.engines.fiscal.run.legal_cases` and docs/fiscal.md; the reader and runner are the
package's, the same that ``regionet fiscal test tests/cases`` runs. Parameters are the bundled
Russian ones (``regionet/cases/russia_1990s/parameters``).
Every case is also explained: ``explain`` must give the run's number for every output column
of every region of the case.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import regionet.cases
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.run.explain import explain
from regionet.engines.fiscal.run.legal_cases import LegalCase, read_cases, run_case
from regionet.engines.fiscal.run.pipeline import COLUMNS

HERE = Path(__file__).parent
TREE = load_parameters(Path(regionet.cases.__file__).parent / "russia_1990s" / "parameters")
CASES = read_cases([HERE], TREE)

#: the case names' non-ASCII characters, spelled in ASCII for the test ids
_ASCII = str.maketrans({"\u2014": "-", "\u2013": "-", "\u00d7": "x", "\u2192": "->"})


def _case_id(case: LegalCase) -> str:
    """The test id of a case: its file's stem and name, in ASCII.

    pytest escapes a non-ASCII id (``\\u2014``), and a second pytest session in the same
    process (mutmut runs them so) escapes the escape again: the ids it recorded in the first
    are then not found.
    """
    return f"{Path(case.file).stem}: {case.name}".translate(_ASCII).encode(
        "ascii", "replace").decode("ascii")


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_legal_case(case: LegalCase) -> None:
    result = run_case(case, TREE)
    assert result.passed, str(result)
    assert result.checked == sum(len(values) for values in case.expected.values())


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_explain_gives_the_run_number(case: LegalCase) -> None:
    # Every case is also explained: the off-default branches the cases reach (collection below
    # 1, okrug splits, the stage defaults) are checked in the explanation as in the run.
    result = run_case(case, TREE).result
    assert result is not None
    frame = result.regions.set_index("region")
    quantities = [c for c in COLUMNS if c not in ("region", "year", "illustrative")]
    wrong = []
    for region in frame.index:
        for quantity in quantities:
            got, run = explain(result, region, quantity).value, float(frame.loc[region, quantity])
            if abs(got - run) > 1e-9 * max(1.0, abs(run)):
                wrong.append(f"{quantity}[{region}]: explain {got} != run {run}")
    assert not wrong, "\n".join(wrong)
