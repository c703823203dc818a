"""Fiscal use cases: run a year or a series, compare scenarios, explain a number, test the law.

Every function takes a :class:`~regionet.services.case_source.CaseSource`: the law
(parameters, scenarios) and the illustrative economy come from the case's folder. Inputs are
the illustrative economy unless the user names inputs registered in the workspace
(``inputs=NAME``, :mod:`regionet.services.inputs`) or gives files; every result says which
inputs it came from (``result.inputs.name`` and ``.checksum``) and whether it is
illustrative. A scenario is a bundled name or a scenario file; a *reform* adds to it an
attribution rule, an equalization method and parameter overrides, composed and validated in
one place (:func:`resolve_scenario`) for the CLI, the REST API and the dashboard alike.

Runs under a bundled scenario are computed once: on the illustrative economy per source and
revision, on registered inputs per inputs' checksum (the services' cache).

Examples:
    >>> source = CaseSource.bundled()
    >>> result = run_fiscal_year(source, 1999)
    >>> result.inputs.illustrative, len(result.regions)
    (True, 89)
    >>> table = compare_scenarios(source, 1999, "rule-registration", "tax-at-operation")
    >>> table.iloc[0]["region"], table.iloc[-1]["region"]   # biggest winner and loser
    ('RU-YAN', 'RU-MOW')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from regionet.core.errors import (
    InvalidValueError,
    UnknownActorError,
    UnknownReferenceError,
    did_you_mean,
)
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import (
    Scenario,
    list_scenarios,
    load_scenario,
    scenario_from_mapping,
)
from regionet.engines.fiscal.rules.attribution import RULES
from regionet.engines.fiscal.rules.equalization import METHODS
from regionet.services.cache import memo
from regionet.services.case_source import CaseSource, case_folder
from regionet.services.inputs import ILLUSTRATIVE, inputs_key, load_inputs

if TYPE_CHECKING:  # the pipeline loads when a run needs it, pandas when a frame is asked for
    import pandas as pd

    from regionet.engines.fiscal.run.explain import Explanation
    from regionet.engines.fiscal.run.legal_cases import CaseResult
    from regionet.engines.fiscal.run.pipeline import FiscalResult, YearResult

__all__ = [
    "YEARS",
    "Overrides",
    "check_scenario_name",
    "compare_scenarios",
    "explain_number",
    "fiscal_inputs",
    "parameters",
    "region_series",
    "resolve_scenario",
    "run_fiscal_series",
    "run_fiscal_year",
    "run_legal_cases",
    "scenario_names",
    "scenario_summaries",
    "write_fiscal_result",
]

#: The years the bundled parameters cover.
YEARS: Final = range(1992, 2011)
#: Rule names the pipeline implements, by kind (``rules.attribution``, ``rules.equalization``).
_RULE_NAMES: Final = {"attribution": tuple(RULES), "equalization": tuple(METHODS)}
#: Overrides in a hashable, canonical form: ((path, ((date, value), …)), …), sorted.
Overrides = tuple[tuple[str, tuple[tuple[str, float], ...]], ...]


def _comparable() -> tuple[str, ...]:
    """Numeric per-region columns two scenarios can be compared on."""
    from regionet.engines.fiscal.run.pipeline import COLUMNS

    return tuple(c for c in COLUMNS if c not in ("region", "year", "illustrative"))


def write_fiscal_result(result: YearResult, out: Path, fmt: str = "csv") -> list[Path]:
    """Write a year's results to ``out`` (see :mod:`regionet.io.fiscal_results`)."""
    from regionet.io.fiscal_results import write_fiscal_result as write

    return write(result, out, fmt)


def _key(source: CaseSource) -> tuple[tuple[str, str], str]:
    return (source.key, source.state()[1])


def parameters(source: CaseSource) -> ParameterTree:
    """Return the case's parameter tree (read once: the case's law files never change)."""
    folder = case_folder(source) / "parameters"
    return memo("fiscal.parameters", str(folder), lambda: load_parameters(folder))


def scenario_names(source: CaseSource) -> tuple[str, ...]:
    """Return the names of the case's bundled scenarios, sorted."""
    return tuple(list_scenarios(case_folder(source) / "scenarios"))


def check_scenario_name(source: CaseSource, name: str | None, field: str = "scenario"
                        ) -> str | None:
    """Return ``name`` if it is a bundled scenario (or None); never a file path.

    For callers that must not read files chosen by a client (the REST API).

    Raises:
        UnknownReferenceError: any other name, or a path, with the nearest names as a hint.
    """
    if name is None:
        return None
    names = scenario_names(source)
    if name in names:
        return name
    raise UnknownReferenceError("unknown scenario", field=field, value=name,
                                expected="one of " + ", ".join(names),
                                hint=did_you_mean(name, names))


def scenario_summaries(source: CaseSource) -> list[dict[str, Any]]:
    """Return each bundled scenario's name, description, overridden paths and rules."""
    def compute() -> tuple[dict[str, Any], ...]:
        out = []
        for name in scenario_names(source):
            s = resolve_scenario(source, name)
            if s is not None:
                out.append({"name": s.name, "description": s.description,
                            "overrides": sorted(s.overrides), "rules": dict(s.rules)})
        return tuple(out)
    return list(memo("fiscal.scenarios", str(case_folder(source)), compute))


def canonical_overrides(overrides: Mapping[str, Mapping[str, float]] | None) -> Overrides:
    """Return overrides as a sorted, hashable tuple (the cache key of a reform)."""
    return tuple(sorted(
        (str(path), tuple(sorted((str(day), float(v)) for day, v in schedule.items())))
        for path, schedule in (overrides or {}).items()))


def _entries(base: Scenario) -> dict[str, dict[str, dict[str, Any]]]:
    """A scenario's overrides in the mapping form, each value's reference and notes kept."""
    return {path: {str(v.since): {"value": v.value, "reference": v.reference,
                                  "status": v.status, **({"note": v.note} if v.note else {})}
                   for v in values}
            for path, values in base.overrides.items()}


def _check_rule(kind: str, name: str | None, names: Sequence[str]) -> None:
    if name is not None and name not in names:
        field = "rule" if kind == "attribution" else kind
        raise UnknownReferenceError(f"unknown {kind} rule", field=field, value=name,
                                    expected="one of " + ", ".join(names),
                                    hint=did_you_mean(name, names))


def resolve_scenario(source: CaseSource, scenario: str | Path | None = None, *,
                     rule: str | None = None, equalization: str | None = None,
                     overrides: Mapping[str, Mapping[str, float]] | Overrides | None = None,
                     origin: str = "the reform") -> Scenario | None:
    """Compose and validate a scenario and a reform; None for the plain baseline.

    Args:
        source: the case whose law and bundled scenarios are used.
        scenario: a bundled scenario name or a scenario file (its overrides keep their
            references, statuses and notes).
        rule: an attribution rule for the profit tax's regional part (``rules.attribution``).
        equalization: an equalization method (``rules.equalization``).
        overrides: ``{path: {date: value}}`` added to (and replacing) the scenario's.
        origin: where the reform comes from, named in errors ("request body").

    Raises:
        UnknownReferenceError: an unknown scenario, rule, method or parameter path (with the
            nearest names; the field names the argument: ``scenario``, ``rule``,
            ``equalization`` or the parameter path).
        InvalidValueError: or ValidationError: a bad date or value.
    """
    tree = parameters(source)
    base = None
    if scenario is not None:
        base = load_scenario(scenario, tree, directory=case_folder(source) / "scenarios",
                             rule_names=_RULE_NAMES)
    _check_rule("attribution", rule, tuple(RULES))
    _check_rule("equalization", equalization, tuple(METHODS))
    added = (dict(overrides) if isinstance(overrides, Mapping)
             else {path: dict(schedule) for path, schedule in overrides or ()})
    if rule is None and equalization is None and not added:
        return base
    rules: dict[str, str] = dict(base.rules) if base else {}
    rules.update({k: v for k, v in (("attribution", rule), ("equalization", equalization))
                  if v is not None})
    schedules: dict[str, Any] = _entries(base) if base else {}
    schedules.update({path: {str(day): value for day, value in schedule.items()}
                      for path, schedule in added.items()})
    parts = [base.name if base else "baseline", *([f"rule-{rule}"] if rule else []),
             *([f"equalization-{equalization}"] if equalization else []),
             *(["overrides"] if added else [])]
    described = base.description if base else "The baseline parameters."
    return scenario_from_mapping(
        {"name": "+".join(parts), "description": f"{described} Changed by {origin}.",
         "overrides": schedules, "rules": rules},
        tree, rule_names=_RULE_NAMES, source=origin)


def fiscal_inputs(source: CaseSource, year: int, *, regions: Path | None = None,
                  establishments: Path | None = None, firms: Path | None = None,
                  seed: int | None = None, inputs: str | None = None) -> FiscalInputs:
    """Return the inputs of ``year``: registered ``inputs``, the user's files, or the economy.

    ``establishments`` and ``firms`` go together. Without ``regions`` the illustrative
    regions table is used (the firms' region ids must then be the case's subject ids); with
    ``regions`` only, the illustrative firms are kept.

    Raises:
        InvalidValueError: when only one of establishments / firms is given, files together
            with ``inputs``, or the year is outside the parameters' period.
        UnknownReferenceError: unknown registered inputs (with the nearest names).
    """
    if year not in YEARS:
        raise InvalidValueError("year outside the parameters' period", field="year", value=year,
                                expected=f"{YEARS.start}–{YEARS.stop - 1}")
    return load_inputs(source, year, inputs, regions=regions, establishments=establishments,
                       firms=firms, seed=seed)


def _bundled_name(source: CaseSource, scenario: str | Path | None) -> bool:
    return scenario is None or (isinstance(scenario, str) and scenario in scenario_names(source))


def run_fiscal_year(source: CaseSource, year: int, *, scenario: str | Path | None = None,
                    rule: str | None = None, equalization: str | None = None,
                    overrides: Mapping[str, Mapping[str, float]] | None = None,
                    regions: Path | None = None, establishments: Path | None = None,
                    firms: Path | None = None, seed: int | None = None,
                    inputs: str | None = None, origin: str = "the reform") -> YearResult:
    """Run the fiscal pipeline for one year under a scenario and reform.

    ``inputs`` names registered inputs (None or ``illustrative``: the economy); files
    (``regions``, ``establishments``, ``firms``) are the alternative.

    Raises:
        UnknownReferenceError: unknown scenario, rule, method, parameter path or inputs
            (with hints).
        InvalidValueError: or ValidationError: a bad date or value, a year outside 1992–2010,
            bad input files.
        DataFileError: a registered file edited behind regionet's back (naming it).
    """
    canonical = canonical_overrides(overrides)
    registered = inputs is not None and inputs != ILLUSTRATIVE

    def compute() -> YearResult:
        chosen = resolve_scenario(source, scenario, rule=rule, equalization=equalization,
                                  overrides=canonical, origin=origin)
        given = fiscal_inputs(source, year, regions=regions, establishments=establishments,
                              firms=firms, seed=seed, inputs=inputs)
        # Imported once the inputs are read: for users' files, a second thread imports the
        # pipeline while the firm ids are coded (services/inputs.py, _files). The pipeline
        # imports no pandas: its results table is built on demand (YearResult.regions).
        from regionet.engines.fiscal.run.pipeline import run_year

        return run_year(given, parameters(source), scenario=chosen)

    files = (regions, establishments, firms)
    if any(f is not None for f in files) or not _bundled_name(source, scenario):
        return compute()  # the user's files: read afresh, never cached
    if registered:
        # Keyed by the inputs' checksum (and the files' state, checked on every call), not
        # by the workspace's revision: other writes to the workspace keep the result.
        if year not in YEARS:
            return compute()  # raises the year's error
        return memo("fiscal.year.inputs", (str(case_folder(source)),
                                           inputs_key(source, str(inputs), year), scenario,
                                           rule, equalization, canonical), compute)
    return memo("fiscal.year", (_key(source), year, scenario, rule, equalization, canonical,
                                seed), compute)


def run_fiscal_series(source: CaseSource, years: Iterable[int] = YEARS, *,
                      scenario: str | Path | None = None, rule: str | None = None,
                      seed: int | None = None) -> FiscalResult:
    """Run the pipeline over several years of the illustrative economy."""
    span = tuple(years)

    def compute() -> FiscalResult:
        from regionet.engines.fiscal.run.pipeline import run_years

        chosen = resolve_scenario(source, scenario, rule=rule)
        return run_years([fiscal_inputs(source, y, seed=seed) for y in span],
                         parameters(source), chosen)

    if not _bundled_name(source, scenario):
        return compute()
    return memo("fiscal.series", (_key(source), span, scenario, rule, seed), compute)


def compare_scenarios(source: CaseSource, year: int, scenario_a: str | Path,
                      scenario_b: str | Path, *, measure: str = "total_per_capita",
                      rules: Sequence[str | None] = (None, None),
                      inputs: str | None = None) -> pd.DataFrame:
    """Return winners and losers of ``scenario_b`` against ``scenario_a`` in ``year``.

    Both runs use the same inputs: registered ``inputs``, or the illustrative economy.

    Raises:
        InvalidValueError: an unknown measure (field ``measure``).
        UnknownReferenceError: an unknown scenario or rule.
    """
    from regionet.engines.fiscal.run.outputs import winners_losers

    comparable = _comparable()
    if measure not in comparable:
        raise InvalidValueError("unknown measure", field="measure", value=measure,
                                expected="one of " + ", ".join(comparable),
                                hint=did_you_mean(measure, comparable))
    a = run_fiscal_year(source, year, scenario=scenario_a, rule=rules[0], inputs=inputs)
    b = run_fiscal_year(source, year, scenario=scenario_b, rule=rules[1], inputs=inputs)
    return winners_losers(a, b, measure=measure)


def region_series(source: CaseSource, region: str, scenario: str | None = None
                  ) -> tuple[FiscalResult, pd.DataFrame]:
    """Return the 1992–2010 series and the rows of one region, sorted by year.

    Raises:
        UnknownActorError: the region is not one of the fiscal inputs' regions (field
            ``region``, suggesting the nearest ids). UnknownReferenceError: unknown scenario.
    """
    result = run_fiscal_series(source, YEARS, scenario=scenario)
    frame = result.regions[result.regions["region"] == region]
    if frame.empty:
        ids = sorted(set(result.regions["region"]))
        raise UnknownActorError("unknown region", field="region", value=region,
                                expected="a region id of the fiscal inputs (the 89 subjects of "
                                         "1999, e.g. RU-KR)",
                                hint=did_you_mean(region, ids))
    return result, frame.sort_values("year")


def explain_number(source: CaseSource, year: int, region: str, quantity: str, *,
                   scenario: str | Path | None = None, rule: str | None = None,
                   inputs: str | None = None) -> Explanation:
    """Return the trace of inputs, parameters and rule behind one region's number.

    ``inputs`` names registered inputs (None: the illustrative economy).

    Raises:
        UnknownActorError: an unknown region (field ``region``).
        UnknownReferenceError: an unknown quantity (field ``quantity``), scenario or rule.
    """
    from regionet.engines.fiscal.run.explain import explain

    result = run_fiscal_year(source, year, scenario=scenario, rule=rule, inputs=inputs)
    if region not in result.inputs.regions.ids:
        raise UnknownActorError("unknown region", field="region", value=region,
                                expected="a region id of the fiscal inputs",
                                hint=did_you_mean(region, result.inputs.regions.ids))
    return explain(result, region, quantity)


def run_legal_cases(source: CaseSource, paths: Iterable[Path]) -> list[CaseResult]:
    """Run the YAML legal cases of ``paths`` (files or folders) under the case's parameters.

    Every file is validated before any case runs.

    Raises:
        DataFileError: a path that does not exist, or a folder without YAML files.
        ValidationError: malformed cases (each problem names the file, the case and the field).
    """
    from regionet.engines.fiscal.run.legal_cases import read_cases, run_case

    tree = parameters(source)
    return [run_case(legal_case, tree) for legal_case in read_cases(paths, tree)]
