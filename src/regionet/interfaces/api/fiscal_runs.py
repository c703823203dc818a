"""Fiscal computations for the REST API: bundled scenarios only, posted reforms, caches.

The fiscal service (:mod:`regionet.services.fiscal`) accepts a scenario *name or file*; over
HTTP only the case's bundled scenario names are accepted (a client must not make the server
read files). A posted reform (rule, equalization method, parameter overrides) is composed
onto the chosen scenario and validated with
:func:`~regionet.engines.fiscal.law.scenarios.scenario_from_mapping` before it is run.

Runs are cached per process with :func:`functools.lru_cache` (bounded): a year by
(year, scenario, rule, equalization, overrides), a 1992–2010 series by scenario. Fiscal inputs
come from the bundled case's illustrative economy, so a workspace change does not affect them.

Examples:
    >>> "collection-collapse-1998" in scenario_names()
    True
    >>> check_scenario("../../etc/passwd")
    Traceback (most recent call last):
    ...
    regionet.core.errors.UnknownReferenceError: field 'scenario', value '../../etc/passwd': ...
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from regionet.core.errors import (
    InvalidValueError,
    UnknownActorError,
    UnknownReferenceError,
    did_you_mean,
)
from regionet.engines.fiscal.law.scenarios import Scenario, list_scenarios, scenario_from_mapping
from regionet.engines.fiscal.run.pipeline import COLUMNS, RULE_NAMES, FiscalResult, YearResult
from regionet.engines.fiscal.run.pipeline import run_year as engine_run_year
from regionet.interfaces.api.schemas import finite, json_safe
from regionet.io.casefiles import case_directory
from regionet.services.fiscal import (
    YEARS,
    compare_scenarios,
    explain_number,
    fiscal_inputs,
    parameters,
    resolve_scenario,
    run_fiscal_series,
    run_fiscal_year,
)

__all__ = [
    "COMPARABLE",
    "ROW_COLUMNS",
    "SERIES_COLUMNS",
    "Overrides",
    "check_scenario",
    "compare",
    "explain",
    "region_series",
    "rows",
    "run",
    "scenario_names",
    "scenarios",
]

CASE = "russia-1990s"
#: Per-region columns of ``POST /api/fiscal/runs``.
ROW_COLUMNS = ("region", "population", "profit_tax_federal", "profit_tax_regional",
               "revenue_federal_collected", "revenue_regional", "transfers", "net_flow",
               "revenue_regional_per_capita", "transfers_per_capita", "total_per_capita")
#: Columns of a region's profile (``GET /api/fiscal/regions/{id}``).
SERIES_COLUMNS = ("year", "revenue_regional_per_capita", "transfers_per_capita",
                  "total_per_capita", "net_flow")
#: Numeric per-region columns two scenarios can be compared on.
COMPARABLE = tuple(c for c in COLUMNS if c not in ("region", "year", "illustrative"))
#: Overrides in a hashable, canonical form: ((path, ((date, value), …)), …), sorted.
Overrides = tuple[tuple[str, tuple[tuple[str, float], ...]], ...]


def rows(records: list[dict[Any, Any]]) -> list[dict[str, Any]]:
    """Return records with every float made JSON-safe by :func:`finite`."""
    return [{str(k): finite(v) if isinstance(v, float) else v for k, v in r.items()}
            for r in records]


@lru_cache(maxsize=1)
def scenario_names() -> tuple[str, ...]:
    """Return the bundled scenario names, sorted."""
    return tuple(list_scenarios(case_directory(CASE) / "scenarios"))


def check_scenario(name: str | None, field: str = "scenario") -> str | None:
    """Return ``name`` if it is a bundled scenario (or None).

    Raises:
        UnknownReferenceError: any other name, or a path, with the nearest names as a hint.
    """
    if name is None or name in scenario_names():
        return name
    raise UnknownReferenceError("unknown scenario", field=field, value=name,
                                expected="one of " + ", ".join(scenario_names()),
                                hint=did_you_mean(name, scenario_names()))


@lru_cache(maxsize=1)
def scenarios() -> tuple[dict[str, Any], ...]:
    """Return each bundled scenario's name, description, overridden paths and rules."""
    tree = parameters(CASE)
    out = []
    for name in scenario_names():
        s = resolve_scenario(name, tree, case=CASE)
        if s is not None:
            out.append({"name": s.name, "description": s.description,
                        "overrides": sorted(s.overrides), "rules": dict(s.rules)})
    return tuple(out)


def _entries(base: Scenario) -> dict[str, dict[str, dict[str, Any]]]:
    """Return a scenario's overrides in the mapping form, references and notes kept."""
    return {path: {str(v.since): {"value": v.value, "reference": v.reference,
                                  "status": v.status, **({"note": v.note} if v.note else {})}
                   for v in values}
            for path, values in base.overrides.items()}


def _compose(scenario: str | None, rule: str | None, equalization: str | None,
             overrides: Overrides) -> Scenario:
    """Validate the reform: ``scenario``'s overrides and rules, then the posted changes."""
    tree = parameters(CASE)
    base = resolve_scenario(scenario, tree, case=CASE)
    rules: dict[str, str] = dict(base.rules) if base else {}
    if rule is not None:
        rules["attribution"] = rule
    if equalization is not None:
        rules["equalization"] = equalization
    schedules: dict[str, Any] = _entries(base) if base else {}
    schedules.update({path: dict(schedule) for path, schedule in overrides})
    parts = [scenario or "baseline", *([f"rule-{rule}"] if rule else []),
             *([f"equalization-{equalization}"] if equalization else []),
             *(["overrides"] if overrides else [])]
    data = {"name": "+".join(parts),
            "description": (base.description if base else "The baseline parameters.")
            + " Changed through POST /api/fiscal/runs.",
            "overrides": schedules, "rules": rules}
    return scenario_from_mapping(data, tree, rule_names=RULE_NAMES, source="request body")


@lru_cache(maxsize=64)
def _run(year: int, scenario: str | None, rule: str | None, equalization: str | None,
         overrides: Overrides) -> YearResult:
    if rule is None and equalization is None and not overrides:
        return run_fiscal_year(year, scenario=scenario, case=CASE)
    chosen = _compose(scenario, rule, equalization, overrides)
    return engine_run_year(fiscal_inputs(year, case=CASE), parameters(CASE), scenario=chosen)


def run(year: int, *, scenario: str | None = None, rule: str | None = None,
        equalization: str | None = None,
        overrides: Mapping[str, Mapping[str, float]] | None = None) -> YearResult:
    """Run one year under a bundled scenario with an optional posted reform (cached).

    Raises:
        UnknownReferenceError: unknown scenario, rule, method or parameter path (with hints).
        InvalidValueError: or ValidationError: a bad date or value, or a year outside 1992–2010.
    """
    check_scenario(scenario)
    canonical: Overrides = tuple(sorted(
        (str(path), tuple(sorted((str(day), float(v)) for day, v in schedule.items())))
        for path, schedule in (overrides or {}).items()))
    return _run(year, scenario, rule, equalization, canonical)


@lru_cache(maxsize=16)
def _series(scenario: str | None) -> FiscalResult:
    return run_fiscal_series(YEARS, scenario=scenario, case=CASE)


def region_series(region: str, scenario: str | None = None
                  ) -> tuple[FiscalResult, list[dict[str, Any]]]:
    """Return the 1992–2010 series and the rows of one region (cached by scenario).

    Raises:
        UnknownActorError: the region is not one of the fiscal inputs' regions (suggesting
            the nearest ids). UnknownReferenceError: unknown scenario.
    """
    check_scenario(scenario)
    result = _series(scenario)
    frame = result.regions[result.regions["region"] == region]
    if frame.empty:
        ids = sorted(set(result.regions["region"]))
        raise UnknownActorError("unknown region", field="id", value=region,
                                expected="a region id of the fiscal inputs (the 89 subjects of "
                                         "1999, e.g. RU-KR)",
                                hint=did_you_mean(region, ids))
    records = frame.sort_values("year")[list(SERIES_COLUMNS)].to_dict(orient="records")
    return result, rows(records)


def compare(year: int, a: str, b: str, measure: str) -> list[dict[str, Any]]:
    """Return the winners and losers of bundled scenario ``b`` against ``a`` in ``year``.

    Raises:
        UnknownReferenceError: unknown scenario. InvalidValueError: unknown measure or year.
    """
    check_scenario(a, "a")
    check_scenario(b, "b")
    if measure not in COMPARABLE:
        raise InvalidValueError("unknown measure", field="measure", value=measure,
                                expected="one of " + ", ".join(COMPARABLE),
                                hint=did_you_mean(measure, COMPARABLE))
    table = compare_scenarios(year, a, b, measure=measure, case=CASE)
    return rows(table.to_dict(orient="records"))


def explain(year: int, region: str, quantity: str, *, scenario: str | None = None,
            rule: str | None = None) -> dict[str, Any]:
    """Return the explanation of one region's number as plain, JSON-safe data."""
    check_scenario(scenario)
    data: dict[str, Any] = json_safe(explain_number(year, region, quantity, scenario=scenario,
                                                    rule=rule, case=CASE).to_dict())
    return data
