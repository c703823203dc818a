"""Fiscal use cases: run a year or a series, compare scenarios, explain a number, test the law.

Inputs come from the case's illustrative economy unless the user gives files; every result
says whether it is illustrative.

Examples:
    >>> result = run_fiscal_year(1999)
    >>> result.inputs.illustrative, len(result.regions)
    (True, 89)
    >>> table = compare_scenarios(1999, "rule-registration", "tax-at-operation")
    >>> table.iloc[0]["region"], table.iloc[-1]["region"]   # biggest winner and loser
    ('RU-YAN', 'RU-MOW')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from regionet.core.errors import InvalidValueError, UnknownReferenceError, did_you_mean
from regionet.engines.economy.economy import Economy
from regionet.engines.fiscal.inputs.establishments import from_frames
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import Scenario, load_scenario, scenario_from_mapping
from regionet.engines.fiscal.rules.attribution import RULES
from regionet.engines.fiscal.run.explain import Explanation, explain
from regionet.engines.fiscal.run.legal_cases import CaseResult, read_cases, run_case
from regionet.engines.fiscal.run.outputs import winners_losers
from regionet.engines.fiscal.run.pipeline import RULE_NAMES, FiscalResult, YearResult, run_years
from regionet.engines.fiscal.run.pipeline import run_year as engine_run_year
from regionet.io.casefiles import case_directory
from regionet.io.economy_files import load_economy, read_fiscal_inputs
from regionet.services.cache import memo

__all__ = [
    "YEARS",
    "compare_scenarios",
    "explain_number",
    "fiscal_inputs",
    "parameters",
    "resolve_scenario",
    "run_fiscal_series",
    "run_fiscal_year",
    "run_legal_cases",
]

#: The years the bundled parameters cover.
YEARS = range(1992, 2011)


def parameters(case: str | Path = "russia-1990s") -> ParameterTree:
    """Return the case's parameter tree (parsed once per process: bundled files never change)."""
    folder = case_directory(case) / "parameters"
    return memo("parameters", ("bundled", str(folder), 0), lambda: load_parameters(folder))


def _economy(case: str, seed: int | None) -> Economy:
    return memo("economy", ("bundled", case, 0, seed), lambda: load_economy(case, seed=seed))


def fiscal_inputs(year: int, *, case: str = "russia-1990s", regions: Path | None = None,
                  establishments: Path | None = None, firms: Path | None = None,
                  seed: int | None = None) -> FiscalInputs:
    """Return the inputs of ``year``: the user's files where given, else the illustrative economy.

    ``establishments`` and ``firms`` go together. Without ``regions`` the illustrative
    regions table is used (the firms' region ids must then be the case's subject ids).

    Raises:
        InvalidValueError: when only one of establishments / firms is given, or the year is
            outside the parameters' period.
    """
    if year not in YEARS:
        raise InvalidValueError("year outside the parameters' period", field="year", value=year,
                                expected=f"{YEARS.start}–{YEARS.stop - 1}")
    if (establishments is None) != (firms is None):
        raise InvalidValueError("establishments and firms files go together",
                                field="--establishments" if establishments is None
                                else "--firms", value="", expected="both files, or neither")
    if regions is not None and establishments is not None:
        return read_fiscal_inputs(year, regions, establishments, firms)  # type: ignore[arg-type]
    base = _economy(case, seed).inputs(year)
    if establishments is not None and firms is not None:
        est, firm_table = from_frames(_frame(establishments), _frame(firms), base.regions.ids,
                                      establishments_file=str(establishments),
                                      firms_file=str(firms))
        notes = {**base.provenance, "establishments": str(establishments), "firms": str(firms)}
        return FiscalInputs(year, base.regions, est, firm_table, illustrative=True,
                            provenance=notes)
    if regions is not None:
        own = read_fiscal_inputs(year, regions, *_illustrative_files(base, year))
        return FiscalInputs(year, own.regions, base.establishments, base.firms,
                            illustrative=True, provenance={**base.provenance,
                                                           "regions": str(regions)})
    return base


def _frame(path: Path) -> pd.DataFrame:
    from regionet.core.errors import DataFileError

    if not path.is_file():
        raise DataFileError("file not found", file=str(path), expected="an existing file")
    if path.suffix.lower() in (".parquet", ".pq"):
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype={"firm_id": str, "region": str, "registered_region": str})


def _illustrative_files(base: FiscalInputs, year: int) -> tuple[Path, Path]:
    import tempfile

    from regionet.io.economy_files import write_fiscal_inputs

    folder = Path(tempfile.mkdtemp(prefix="regionet-"))
    write_fiscal_inputs(base, folder)
    return folder / "establishments.csv", folder / "firms.csv"


def resolve_scenario(scenario: str | Path | None, tree: ParameterTree, *,
                     rule: str | None = None, case: str = "russia-1990s") -> Scenario | None:
    """Load a bundled scenario by name or a scenario file; ``rule`` overrides attribution.

    Raises:
        UnknownReferenceError: an unknown scenario name or attribution rule (with suggestions).
    """
    loaded = None
    if scenario is not None:
        loaded = load_scenario(scenario, tree, directory=case_directory(case) / "scenarios",
                               rule_names=RULE_NAMES)
    if rule is None:
        return loaded
    if rule not in RULES:
        raise UnknownReferenceError("unknown attribution rule", field="--rule", value=rule,
                                    expected="one of " + ", ".join(RULES),
                                    hint=did_you_mean(rule, RULES))
    data: dict[str, object] = {
        "name": f"rule-{rule}", "rules": {"attribution": rule},
        "description": f"the profit tax's regional part attributed by the rule {rule}"}
    if loaded is not None:
        data = {"name": f"{loaded.name}+rule-{rule}",
                "description": f"{loaded.description} With attribution rule {rule}.",
                "overrides": {p: {str(v.since): v.value for v in vs}
                              for p, vs in loaded.overrides.items()},
                "rules": {**loaded.rules, "attribution": rule}}
    return scenario_from_mapping(data, tree, rule_names=RULE_NAMES)


def run_fiscal_year(year: int, *, scenario: str | Path | None = None, rule: str | None = None,
                    case: str = "russia-1990s", regions: Path | None = None,
                    establishments: Path | None = None, firms: Path | None = None,
                    seed: int | None = None) -> YearResult:
    """Run the fiscal pipeline for one year."""
    tree = parameters(case)
    chosen = resolve_scenario(scenario, tree, rule=rule, case=case)
    inputs = fiscal_inputs(year, case=case, regions=regions, establishments=establishments,
                           firms=firms, seed=seed)
    return engine_run_year(inputs, tree, scenario=chosen)


def run_fiscal_series(years: Iterable[int] = YEARS, *, scenario: str | Path | None = None,
                      rule: str | None = None, case: str = "russia-1990s",
                      seed: int | None = None) -> FiscalResult:
    """Run the pipeline over several years of the illustrative economy."""
    tree = parameters(case)
    chosen = resolve_scenario(scenario, tree, rule=rule, case=case)
    return run_years([fiscal_inputs(y, case=case, seed=seed) for y in years], tree, chosen)


def compare_scenarios(year: int, scenario_a: str | Path, scenario_b: str | Path, *,
                      measure: str = "total_per_capita", case: str = "russia-1990s",
                      rules: Sequence[str | None] = (None, None)) -> pd.DataFrame:
    """Return winners and losers of ``scenario_b`` against ``scenario_a`` in ``year``."""
    a = run_fiscal_year(year, scenario=scenario_a, rule=rules[0], case=case)
    b = run_fiscal_year(year, scenario=scenario_b, rule=rules[1], case=case)
    return winners_losers(a, b, measure=measure)


def explain_number(year: int, region: str, quantity: str, *, scenario: str | Path | None = None,
                   rule: str | None = None, case: str = "russia-1990s") -> Explanation:
    """Return the trace of inputs, parameters and rule behind one region's number."""
    return explain(run_fiscal_year(year, scenario=scenario, rule=rule, case=case), region,
                   quantity)


def run_legal_cases(paths: Iterable[Path], *, case: str = "russia-1990s") -> list[CaseResult]:
    """Run the YAML legal cases of ``paths`` (files or folders) under the case's parameters.

    Every file is validated before any case runs.

    Raises:
        DataFileError: a path that does not exist, or a folder without YAML files.
        ValidationError: malformed cases (each problem names the file, the case and the field).
    """
    tree = parameters(case)
    return [run_case(legal_case, tree) for legal_case in read_cases(paths, tree)]


def write_fiscal_result(result: YearResult, out: Path, fmt: str = "csv") -> list[Path]:
    """Write a year's per-region results, national totals and flow matrix to ``out``."""
    from regionet.engines.fiscal.run.outputs import donors_recipients, flow_matrix

    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "regions": result.regions,
        "totals": pd.DataFrame([{"year": result.year, **result.totals, **result.rules,
                                 "illustrative": result.inputs.illustrative}]),
        "flow_matrix": flow_matrix(result).rename_axis("from_region").reset_index(),
        "donors_net_contributor": donors_recipients(result, "net_contributor"),
        "donors_no_equalization_transfer": donors_recipients(result,
                                                             "no_equalization_transfer"),
    }
    paths = []
    for name, frame in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "parquet":
            frame.to_parquet(path, index=False)
        elif fmt == "json":
            frame.to_json(path, orient="records", indent=2, force_ascii=False)
        else:
            frame.to_csv(path, index=False)
        paths.append(path)
    return paths
