"""The bundled 1992–2010 run: every output number has a trace node with the same value."""

from __future__ import annotations

import pytest

from regionet.engines.fiscal.run.explain import explain
from regionet.engines.fiscal.run.pipeline import COLUMNS, QUANTITY_COLUMNS, FiscalResult
from regionet.services.case_source import CaseSource
from regionet.services.fiscal import YEARS, run_fiscal_series


@pytest.fixture(scope="module")
def series() -> FiscalResult:
    return run_fiscal_series(CaseSource.bundled())


def test_every_column_region_and_year_has_its_trace_node(series: FiscalResult) -> None:
    assert list(series.years) == list(YEARS)
    checked = 0
    for year, result in series.years.items():
        trace = result.trace
        assert trace.year == year and trace.regions == tuple(result.regions["region"])
        assert set(COLUMNS) - set(trace.nodes) == {"region", "year", "illustrative"}
        for column in QUANTITY_COLUMNS:
            for region, value in zip(result.regions["region"], result.regions[column],
                                     strict=True):
                assert trace.value(column, region) == value, (year, column, region)
                checked += 1
        for total in ("fund_size", "fund_base_amount"):
            assert trace.nodes[total].value == result.totals[total]
        assert result.parameters == trace.parameters
    assert checked == len(YEARS) * 89 * len(QUANTITY_COLUMNS)


def test_explanations_of_the_series_read_the_same_nodes(series: FiscalResult) -> None:
    frame = series.regions.set_index(["year", "region"])
    for year in (1992, 1995, 1999, 2003, 2010):
        for region in ("RU-MOW", "RU-KHM", "RU-TYU", "RU-PSK"):
            explanation = explain(series, region, "net_flow", year=year)
            assert explanation.value == frame.loc[(year, region), "net_flow"]
            names = [s.quantity for s in explanation.steps]
            assert names[-1] == "net_flow" and {"transfers", "fund_size"} <= set(names)
