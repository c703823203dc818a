"""``/api/fiscal``: run a year under a scenario, compare scenarios, a region's profile, explain.

``POST /api/fiscal/runs`` answers **200**, not 201: it computes a result and creates no
resource that could later be fetched by URL (runs are cached, not stored).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from regionet.interfaces.api import fiscal_runs
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import (
    ComparisonPublic,
    ExplanationPublic,
    FiscalRunCreate,
    FiscalRunPublic,
    RegionSeriesPublic,
    finite,
)

__all__ = ["router"]

router = APIRouter(prefix="/fiscal", tags=["fiscal"])

YearQuery = Annotated[int, Query(ge=1992, le=2010, description="fiscal year (1992–2010)")]
ScenarioQuery = Annotated[str | None, Query(
    description="a bundled scenario name (GET /api/scenarios); none means the baseline")]


@router.post("/runs", response_model=FiscalRunPublic, status_code=200,
             responses=problem_responses(400, 422))
def create_run(body: FiscalRunCreate) -> dict[str, Any]:
    """Run one fiscal year: per-region revenue by level, transfers and net flow.

    The scenario, rule, equalization method and overrides are validated before the run; a
    problem names the offending path, date or value. Amounts are in million rubles of the
    year; per-capita values in million rubles per person. Inputs come from the case's
    illustrative economy (``illustrative: true``): the numbers show the mechanism, not history.
    """
    result = fiscal_runs.run(body.year, scenario=body.scenario, rule=body.rule,
                             equalization=body.equalization, overrides=body.overrides)
    data = fiscal_runs.rows(
        result.regions[list(fiscal_runs.ROW_COLUMNS)].to_dict(orient="records"))
    return {"year": result.year, "scenario": result.scenario, "rules": dict(result.rules),
            "illustrative": bool(result.inputs.illustrative),
            "totals": {k: finite(v) for k, v in result.totals.items()},
            "data": data, "count": len(data)}


@router.get("/compare", response_model=ComparisonPublic, responses=problem_responses(422))
def read_comparison(
    year: YearQuery,
    a: Annotated[str, Query(description="the base scenario, e.g. rule-registration")],
    b: Annotated[str, Query(description="the alternative, e.g. tax-at-operation")],
    measure: Annotated[str, Query(description="a numeric per-region column")]
    = "total_per_capita",
) -> dict[str, Any]:
    """Winners and losers of scenario ``b`` against ``a``: per region, largest gain first."""
    data = fiscal_runs.compare(year, a, b, measure)
    return {"year": year, "a": a, "b": b, "measure": measure,
            "winners": sum(r["status"] == "winner" for r in data),
            "losers": sum(r["status"] == "loser" for r in data), "data": data,
            "count": len(data)}


@router.get("/regions/{region_id}", response_model=RegionSeriesPublic,
            responses=problem_responses(404, 422))
def read_region(
    region_id: Annotated[str, Path(description="region id, e.g. RU-KR")],
    scenario: ScenarioQuery = None,
) -> dict[str, Any]:
    """A region's fiscal profile 1992–2010: own revenue, transfers, total per capita, net flow."""
    result, data = fiscal_runs.region_series(region_id, scenario)
    return {"region": region_id, "scenario": scenario,
            "illustrative": bool(result.regions["illustrative"].all()), "data": data,
            "count": len(data)}


@router.get("/explain", response_model=ExplanationPublic, responses=problem_responses(422))
def read_explanation(
    year: YearQuery,
    region: Annotated[str, Query(description="region id, e.g. RU-KHM")],
    quantity: Annotated[str, Query(description="an output column, e.g. transfers")]
    = "net_flow",
    scenario: ScenarioQuery = None,
    rule: Annotated[str | None, Query(description="attribution rule, e.g. operation")] = None,
) -> dict[str, Any]:
    """The steps, inputs, parameters (with legal references) and rule behind one number."""
    return fiscal_runs.explain(year, region, quantity, scenario=scenario, rule=rule)
