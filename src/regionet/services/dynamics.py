"""Dynamics use cases: the setup, one run, runs written and read back, pattern checks.

Every function takes a :class:`~regionet.services.case_source.CaseSource` (a bundled case or
a workspace: its actors, ties and associations make the world; the law, the economy and the
dynamics files come from its case folder) and plain arguments (scenario names, seeds, years,
workers, an output folder), and returns results; the CLI, the REST API, the dashboard and the
report only render them. The setup (world, fiscal paths, parameters) is kept in the
services' cache once per source version, so a write to a workspace is seen by the next run.

- :func:`dynamics_setup`: the world, the fiscal paths and the parameters of a case (cached);
- :func:`run_simulation`: one seeded run, one row per year (and optionally per region);
- :func:`runs_table`, :func:`write_run`, :func:`read_runs`: runs in a sweep's shape, written
  to a folder and read back;
- :func:`check_patterns`: the pattern-oriented checks of the case over the runs.

Many runs on processes or Dask, and the calibration, are in
:mod:`regionet.services.sweeps`.

Examples:
    >>> result = run_simulation(CaseSource.bundled(), "as-described", seed=1, years=(1991, 1993))
    >>> result.rows["year"].tolist()
    [1991, 1992, 1993]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd

from regionet.core.errors import DataFileError, InvalidValueError
from regionet.engines.dynamics.batch import Setup
from regionet.engines.dynamics.core import DataCollector, run
from regionet.engines.dynamics.fiscal_path import fiscal_path
from regionet.engines.dynamics.model import FederationModel
from regionet.engines.dynamics.outputs import record, region_table
from regionet.engines.dynamics.patterns import evaluate
from regionet.engines.dynamics.world import world_from_case
from regionet.io.dynamics_files import (
    list_scenarios,
    read_frames,
    read_parameters,
    read_scenario,
    read_targets,
    write_parquet,
)
from regionet.io.geojson import read_places
from regionet.model.case import Case
from regionet.services.case_source import CaseSource, case_folder, per_revision
from regionet.services.fiscal import YEARS, fiscal_inputs, parameters, resolve_scenario

__all__ = ["DEFAULT_YEARS", "RUN_FILE", "Progress", "SimulationResult", "check_patterns",
           "dynamics_setup", "read_runs", "run_simulation", "runs_table", "scenario_summaries",
           "write_run"]

#: The years simulated by default (the memo's decade and the fiscal targets to 2002).
DEFAULT_YEARS = (1991, 2002)
#: The file a single run writes its rows to (:func:`write_run`).
RUN_FILE = "run.parquet"
#: What a long use case reports to: called with (runs done, runs in all).
Progress = Callable[[int, int], None]


def dynamics_setup(source: CaseSource, *, years: tuple[int, int] = DEFAULT_YEARS,
                   parameters_file: str | Path | None = None) -> Setup:
    """Return the world, fiscal paths, parameters and scenarios of ``source`` (cached).

    Args:
        source: the case source (its case makes the world; its case folder holds the law,
            the economy and the dynamics files).
        years: first and last year simulated.
        parameters_file: a dynamics parameter file instead of the case's.

    Raises:
        InvalidValueError: years in the wrong order or without any fiscal year.
    """
    start, end = years
    fiscal_years = [y for y in range(start, end + 1) if y in YEARS]
    if start > end or not fiscal_years:
        raise InvalidValueError("bad years", field="years", value=f"{start}:{end}",
                                expected=f"START:END with START <= END overlapping "
                                         f"{YEARS.start}-{YEARS.stop - 1}")

    def build(case: Case) -> Setup:
        folder = case_folder(source)
        base = read_parameters(parameters_file or folder)
        scenarios = {name: read_scenario(name, base, case=folder)
                     for name in list_scenarios(folder)}
        inputs = [fiscal_inputs(source, y) for y in fiscal_years]
        tree = parameters(source)
        paths = {name: fiscal_path(inputs, tree, scenario=resolve_scenario(source, name)
                                   if name else None)
                 for name in {s.fiscal_scenario for s in scenarios.values()} | {None}}
        regions = inputs[0].regions
        parents = {r: p for r, p in zip(regions.ids, regions.parent or (), strict=False) if p}
        places = {k: (v.lat, v.lon) for k, v in read_places(folder).items()}
        world = world_from_case(case, regions.ids, places=places, parents=parents)
        return Setup(world, paths, base, scenarios, start, end)

    return per_revision(source, "dynamics.setup",
                        (years, str(parameters_file) if parameters_file else None), build)


def scenario_summaries(source: CaseSource) -> list[dict[str, str | None]]:
    """Return the case's dynamics scenarios, sorted by name.

    Each is ``name``, ``description`` and ``fiscal_scenario`` (the fiscal scenario the fiscal
    engine runs under, None for the law).

    Examples:
        >>> [s["name"] for s in scenario_summaries(CaseSource.bundled())][:2]
        ['as-described', 'closed-borders']
    """
    scenarios = dynamics_setup(source).scenarios
    return [{"name": name, "description": scenarios[name].description,
             "fiscal_scenario": scenarios[name].fiscal_scenario} for name in sorted(scenarios)]


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """One run: ``rows`` (one per year) and ``regions`` (one per region and year, or None)."""

    scenario: str
    seed: int
    rows: pd.DataFrame
    regions: pd.DataFrame | None


def run_simulation(source: CaseSource, scenario: str = "as-described", seed: int = 0, *,
                   years: tuple[int, int] = DEFAULT_YEARS,
                   regions: bool = False) -> SimulationResult:
    """Run one scenario with one seed; ``regions=True`` also keeps a table per region and year.

    Raises:
        UnknownReferenceError: an unknown scenario (with the nearest names).
    """
    setup = dynamics_setup(source, years=years)
    chosen = setup.scenario(scenario)
    model = FederationModel(setup.world, setup.paths[chosen.fiscal_scenario],
                            chosen.apply(setup.parameters), seed=seed, start_year=years[0])
    tables: list[pd.DataFrame] = []
    collector = DataCollector({"_": record, **({"__": lambda m: tables.append(region_table(m))}
                                               if regions else {})})
    frame = run(model, until=years[1], collector=collector)
    rows = pd.concat([frame[["year"]], pd.DataFrame(list(frame["_"]))], axis=1)
    return SimulationResult(scenario, seed, rows,
                            pd.concat(tables, ignore_index=True) if regions else None)


def runs_table(results: Sequence[SimulationResult]) -> pd.DataFrame:
    """The rows of several runs in a sweep's shape, one row per run and year.

    Columns: ``run_id`` (the runs' order), ``seed``, ``scenario``, ``year`` and the outputs.
    """
    frames = [pd.concat([pd.DataFrame({"run_id": k, "seed": r.seed, "scenario": r.scenario},
                                      index=r.rows.index), r.rows], axis=1)
              for k, r in enumerate(results)]
    return pd.concat(frames, ignore_index=True)


def write_run(result: SimulationResult, out: Path) -> list[Path]:
    """Write a run to ``out``; return the files written (each whole or not at all).

    ``run.parquet`` holds its rows in a sweep's shape (:func:`runs_table`) and, when the run
    kept them, ``regions.parquet`` its region table. :func:`read_runs` (and ``regionet
    simulate check --from``) read the folder back.
    """
    paths = [write_parquet(runs_table([result]), out / RUN_FILE)]
    if result.regions is not None:
        paths.append(write_parquet(result.regions, out / "regions.parquet"))
    return paths


def read_runs(folder: Path) -> pd.DataFrame:
    """Return the rows a run or a sweep wrote to ``folder``, one row per run and year.

    A sweep's ``chunks/chunk-*.parquet`` are read in order; else a run's ``run.parquet``.

    Raises:
        DataFileError: the folder holds neither.
    """
    files = sorted((folder / "chunks").glob("chunk-*.parquet"))
    if not files and (folder / RUN_FILE).is_file():
        files = [folder / RUN_FILE]
    if not files:
        raise DataFileError("no simulation results in the folder", file=str(folder),
                            expected=f"a folder written by a run ({RUN_FILE}) or a sweep "
                                     "(chunks/chunk-*.parquet)",
                            hint="Write one with: regionet simulate run|sweep --out DIR")
    return read_frames(files)


def check_patterns(source: CaseSource, rows: pd.DataFrame) -> pd.DataFrame:
    """Check the case's pattern targets on runs: observed range against simulated mean.

    Runs are checked in groups: one per scenario and swept parameter value (the columns
    ``scenario`` and any dotted parameter path, when ``rows`` has them); each group's rows
    come first with those columns (see :func:`.patterns.evaluate` for the others).
    A target whose years the runs do not cover gives no row.
    """
    targets = read_targets(case_folder(source))
    by = [c for c in rows.columns if c == "scenario" or "." in str(c)]
    if not by:
        return evaluate(rows, targets)
    parts = []
    for key, group in rows.groupby(by, sort=True):
        checks = evaluate(group, targets)
        for column, value in zip(by, key if isinstance(key, tuple) else (key,), strict=True):
            checks[column] = cast(Any, value)  # a scalar, the group's key
        parts.append(checks)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return table[[*by, *(c for c in table.columns if c not in by)]]
