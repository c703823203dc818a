"""``/api/fiscal``: run a year under a scenario, compare scenarios, a region's profile, explain.

Over HTTP only the case's bundled scenario names are accepted (a client must not make the
server read files); the reform a client posts (rule, equalization method, overrides) is
composed and validated by the fiscal service, the same code as the CLI's. Runs are cached
by the service.

``POST /api/fiscal/runs`` answers **200**, not 201: it computes a result and creates no
resource that could later be fetched by URL (runs are cached, not stored).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query

from regionet.core.jsonsafe import finite, json_safe
from regionet.interfaces.api.deps import SourceDep
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.schemas import (
    ComparisonPublic,
    ExplanationPublic,
    FiscalRunCreate,
    FiscalRunPublic,
    InputsListPublic,
    RegionSeriesPublic,
)
from regionet.services import fiscal
from regionet.services import inputs as fiscal_inputs

__all__ = ["ROW_COLUMNS", "SERIES_COLUMNS", "router"]

router = APIRouter(prefix="/fiscal", tags=["fiscal"])

#: Per-region columns of ``POST /api/fiscal/runs``.
ROW_COLUMNS: Final = ("region", "population", "profit_tax_federal", "profit_tax_regional",
                      "revenue_federal_collected", "revenue_regional", "transfers", "net_flow",
                      "revenue_regional_per_capita", "transfers_per_capita", "total_per_capita")
#: Columns of a region's profile (``GET /api/fiscal/regions/{id}``).
SERIES_COLUMNS: Final = ("year", "revenue_regional_per_capita", "transfers_per_capita",
                         "total_per_capita", "net_flow")

YearQuery = Annotated[int, Query(ge=1992, le=2010, description="fiscal year (1992–2010)")]
ScenarioQuery = Annotated[str | None, Query(
    description="a bundled scenario name (GET /api/scenarios); none means the baseline")]
InputsQuery = Annotated[str | None, Query(
    description="fiscal inputs registered in the workspace (GET /api/fiscal/inputs); none "
                "means the illustrative economy")]


def _rows(records: list[dict[Any, Any]]) -> list[dict[str, Any]]:
    return [{str(k): finite(v) if isinstance(v, float) else v for k, v in r.items()}
            for r in records]


@router.post("/runs", response_model=FiscalRunPublic, status_code=200,
             responses=problem_responses(400, 422))
def create_run(source: SourceDep, body: FiscalRunCreate) -> dict[str, Any]:
    """Run one fiscal year: per-region revenue by level, transfers and net flow.

    The scenario, rule, equalization method and overrides are validated before the run; a
    problem names the offending path, date or value. Amounts are in million rubles of the
    year; per-capita values in million rubles per person. Inputs are the registered inputs
    named by ``inputs``, else the case's illustrative economy (``illustrative: true``: the
    numbers show the mechanism, not history); ``inputs`` in the answer names them, with
    their checksum.
    """
    fiscal.check_scenario_name(source, body.scenario)
    result = fiscal.run_fiscal_year(source, body.year, scenario=body.scenario, rule=body.rule,
                                    equalization=body.equalization, overrides=body.overrides,
                                    inputs=body.inputs, origin="request body")
    data = _rows(result.regions[list(ROW_COLUMNS)].to_dict(orient="records"))
    return {"year": result.year, "scenario": result.scenario, "rules": dict(result.rules),
            "inputs": fiscal_inputs.identity(result.inputs),
            "illustrative": bool(result.inputs.illustrative),
            "totals": {k: finite(v) for k, v in result.totals.items()},
            "data": data, "count": len(data)}


@router.get("/compare", response_model=ComparisonPublic, responses=problem_responses(422))
def read_comparison(
    source: SourceDep,
    year: YearQuery,
    a: Annotated[str, Query(description="the base scenario, e.g. rule-registration")],
    b: Annotated[str, Query(description="the alternative, e.g. tax-at-operation")],
    measure: Annotated[str, Query(description="a numeric per-region column")]
    = "total_per_capita",
    inputs: InputsQuery = None,
) -> dict[str, Any]:
    """Winners and losers of scenario ``b`` against ``a``: per region, largest gain first."""
    fiscal.check_scenario_name(source, a, "a")
    fiscal.check_scenario_name(source, b, "b")
    table = fiscal.compare_scenarios(source, year, a, b, measure=measure, inputs=inputs)
    data = _rows(table.to_dict(orient="records"))
    return {"year": year, "a": a, "b": b, "measure": measure,
            "inputs": fiscal_inputs.describe_inputs(source, inputs),
            "winners": sum(r["status"] == "winner" for r in data),
            "losers": sum(r["status"] == "loser" for r in data), "data": data,
            "count": len(data)}


@router.get("/regions/{region}", response_model=RegionSeriesPublic,
            responses=problem_responses(404, 422))
def read_region(
    source: SourceDep,
    region: Annotated[str, Path(description="region id, e.g. RU-KR")],
    scenario: ScenarioQuery = None,
) -> dict[str, Any]:
    """A region's fiscal profile 1992–2010: own revenue, transfers, total per capita, net flow."""
    fiscal.check_scenario_name(source, scenario)
    result, frame = fiscal.region_series(source, region, scenario)
    data = _rows(frame[list(SERIES_COLUMNS)].to_dict(orient="records"))
    return {"region": region, "scenario": scenario,
            "illustrative": bool(result.regions["illustrative"].all()), "data": data,
            "count": len(data)}


@router.get("/explain", response_model=ExplanationPublic, responses=problem_responses(422))
def read_explanation(
    source: SourceDep,
    year: YearQuery,
    region: Annotated[str, Query(description="region id, e.g. RU-KHM")],
    quantity: Annotated[str, Query(description="an output column, e.g. transfers")]
    = "net_flow",
    scenario: ScenarioQuery = None,
    rule: Annotated[str | None, Query(description="attribution rule, e.g. operation")] = None,
    inputs: InputsQuery = None,
) -> dict[str, Any]:
    """The steps, inputs, parameters (with legal references) and rule behind one number."""
    fiscal.check_scenario_name(source, scenario)
    explanation = fiscal.explain_number(source, year, region, quantity, scenario=scenario,
                                        rule=rule, inputs=inputs)
    data: dict[str, Any] = json_safe(explanation.to_dict())
    return {**data, "inputs": fiscal_inputs.describe_inputs(source, inputs)}


@router.get("/inputs", response_model=InputsListPublic)
def read_inputs(source: SourceDep) -> dict[str, Any]:
    """The fiscal inputs runs can name: ``illustrative`` and those registered in the workspace.

    Register inputs with ``regionet fiscal inputs add NAME --establishments E --firms F``.
    """
    data = [s.to_dict() for s in fiscal_inputs.list_inputs(source)]
    return {"data": data, "count": len(data)}
