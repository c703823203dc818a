import numpy as np
import pytest

from regionet.core.errors import InvalidValueError
from regionet.engines.dynamics.fiscal_path import fiscal_year
from regionet.engines.dynamics.testing import synthetic_path
from regionet.engines.fiscal.run.pipeline import run_year
from regionet.services.case_source import CaseSource
from regionet.services.fiscal import fiscal_inputs, parameters


@pytest.mark.parametrize("year", [1993, 1997, 1999, 2003])
def test_linear_map_equals_the_pipeline_at_any_collection(year):
    """gap filling (1997), two-stage (1999) and okrug hydrocarbon shares (2003) included."""
    source = CaseSource.bundled()
    tree, inputs = parameters(source), fiscal_inputs(source, year)
    fy = fiscal_year(inputs, tree)
    for seed in range(3):
        e = np.random.default_rng(seed).uniform(0.2, 1.3, inputs.regions.n)
        flows = fy.collect(e)
        direct = run_year(inputs, tree, collection_by_region=e * fy.law_efficiency).regions
        np.testing.assert_allclose(flows.regional, direct["revenue_regional"], rtol=1e-12)
        np.testing.assert_allclose(flows.federal, direct["revenue_federal_collected"],
                                   rtol=1e-12)
        np.testing.assert_allclose(flows.transfers, direct["transfers"], rtol=1e-9, atol=1e-6)
    assert (year == 2003) == (len(fy.okrug) == 9)


def test_treaty_retention_moves_money_and_keeps_totals():
    year = synthetic_path(["A", "B", "C"], [1995]).at(1995)
    extra = np.array([0.0, 5.0, 0.0])
    a, b = year.collect(np.ones(3)), year.collect(np.ones(3), regional_extra=extra)
    np.testing.assert_allclose(b.regional - a.regional, extra)
    np.testing.assert_allclose(a.federal - b.federal, extra)
    assert a.fund == b.fund


def test_bad_efficiency():
    year = synthetic_path(["A", "B"], [1995]).at(1995)
    with pytest.raises(InvalidValueError, match="2 finite numbers"):
        year.collect(np.array([1.0, -0.1]))


def test_years_outside_the_path_use_the_nearest():
    path = synthetic_path(["A", "B"], [1992, 1993])
    assert path.proxy(1991) == 1992 and path.proxy(2005) == 1993 and path.proxy(1993) == 1993
