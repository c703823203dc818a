"""Explain against the run when collection is below 1, where capacity and revenue differ.

The bundled parameters collect everything (collection efficiency 1.0 every year), so on the
baseline tax capacity equals revenue collected and an explanation built at the wrong
collection would still agree with the run. These runs use scenarios that collect less:
the bundled ``collection-collapse-1998`` (0.7 in 1998, 0.85 in 1999) and a scenario file
collecting 0.6 from 2003, a year with okrug hydrocarbons (RU-KHM and RU-YAN in RU-TYU).
Every output quantity of a few regions is explained through the service, and a few through
``GET /api/fiscal/explain``. (Per-region collection, ``collection_by_region``, is checked by the
legal cases in ``tests/cases``, which explain every case.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from regionet.services.case_source import CaseSource
from regionet.services.fiscal import explain_number, run_fiscal_year

SRC = CaseSource.bundled()

NOT_QUANTITIES = ("region", "year", "illustrative")
REGIONS = ("RU-KR", "RU-MOW", "RU-TYU", "RU-KHM", "RU-YAN")
SCENARIO_2003 = """\
name: collection-0.6-from-2003
description: Collection efficiency 0.6 from 2003 (a test scenario, illustrative).
overrides:
  collection.efficiency:
    2003-01-01: 0.6
"""


def assert_explained(year: int, scenario: str | Path, efficiency: float) -> None:
    result = run_fiscal_year(SRC, year, scenario=scenario)
    frame = result.regions.set_index("region")
    # the preconditions that make this test able to fail: collection below 1, and tax capacity
    # different from regional revenue collected in every region checked
    assert set(frame.loc[list(REGIONS), "collection_efficiency"]) == {efficiency}
    for region in REGIONS:
        assert frame.loc[region, "revenue_regional_capacity"] != pytest.approx(
            frame.loc[region, "revenue_regional"], rel=1e-3), region
    wrong = []
    for region in REGIONS:
        for quantity in (c for c in frame.columns if c not in NOT_QUANTITIES):
            run = float(frame.loc[region, quantity])
            got = explain_number(SRC, year, region, quantity, scenario=scenario).value
            if got != pytest.approx(run, rel=1e-12, abs=1e-9):
                wrong.append(f"{quantity}[{region}]: explain {got} != run {run}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(("year", "efficiency"), [(1998, 0.7), (1999, 0.85)])
def test_explain_under_the_collection_collapse(year: int, efficiency: float) -> None:
    assert_explained(year, "collection-collapse-1998", efficiency)


def test_explain_under_collection_with_okrug_hydrocarbons(tmp_path: Path) -> None:
    scenario = tmp_path / "collection-0.6.yaml"
    scenario.write_text(SCENARIO_2003, encoding="utf-8")
    result = run_fiscal_year(SRC, 2003, scenario=scenario).regions.set_index("region")
    # RU-TYU receives 5.5 % of the hydrocarbons tax collected in its two okrugs
    okrugs = result.loc[["RU-KHM", "RU-YAN"], "mineral_extraction_tax_hydrocarbons_federal"]
    assert (okrugs > 0).all()
    assert_explained(2003, scenario, 0.6)


def test_api_explain_under_the_collection_collapse() -> None:
    from fastapi.testclient import TestClient

    from regionet.interfaces.api import create_app

    client = TestClient(create_app(None, dashboard=False))
    run = run_fiscal_year(SRC, 1998, scenario="collection-collapse-1998")
    run = run.regions.set_index("region")
    for region in ("RU-KR", "RU-TYU"):
        for quantity in ("revenue_regional_capacity", "revenue_regional", "transfers",
                         "net_flow"):
            body = client.get("/api/fiscal/explain", params={
                "year": 1998, "region": region, "quantity": quantity,
                "scenario": "collection-collapse-1998"}).json()
            assert body["value"] == pytest.approx(run.loc[region, quantity], rel=1e-12)
            assert body["steps"][-1]["quantity"] == quantity
