"""Dynamics use cases: one run, sweeps on processes or Dask, pattern checks, calibration.

Every function takes a :class:`~regionet.services.case_source.CaseSource` (a bundled case or
a workspace: its actors, ties and associations make the world; the law, the economy and the
dynamics files come from its case folder) and plain arguments (scenario names, seeds, years,
workers, an output folder), and returns results; the CLI, the REST API, the dashboard and the
report only render them. The setup (world, fiscal paths, parameters) is kept in the
services' cache once per source version, so a write to a workspace is seen by the next run.

- :func:`dynamics_setup`: the world, the fiscal paths and the parameters of a case (cached);
- :func:`run_simulation`: one seeded run, one row per year (and optionally per region);
- :func:`sweep`: many runs; each chunk of runs is written to its own Parquet file as it
  arrives (``chunks/chunk-00000.parquet``…), then a summary per scenario and year
  (``summary.parquet``); processes locally (``workers``) or an existing Dask cluster
  (``dask``: an address or a ``distributed.Client``); the same seeds give the same rows on
  every backend and with any number of workers;
- :func:`check_patterns`: the pattern-oriented checks of the case over the runs;
- :func:`calibrate`: a random search over the ``calibrated`` parameters' bounds, scored by the
  pattern distances, written to ``fit.yaml``.

Examples:
    >>> result = run_simulation(CaseSource.bundled(), "as-described", seed=1, years=(1991, 1993))
    >>> result.rows["year"].tolist()
    [1991, 1992, 1993]
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from regionet.core.errors import (
    DataFileError,
    InvalidValueError,
    UnknownReferenceError,
    did_you_mean,
)
from regionet.core.rng import make_rng
from regionet.engines.dynamics.batch import RunSpec, Setup, chunks, grid, run_chunk, summarize
from regionet.engines.dynamics.core import DataCollector, run
from regionet.engines.dynamics.fiscal_path import fiscal_path
from regionet.engines.dynamics.model import FederationModel
from regionet.engines.dynamics.outputs import record, region_table
from regionet.engines.dynamics.patterns import evaluate, total_distance
from regionet.engines.dynamics.world import world_from_case
from regionet.io.dynamics_files import (
    list_scenarios,
    read_columns,
    read_frames,
    read_parameters,
    read_scenario,
    read_targets,
    write_parquet,
    write_yaml,
)
from regionet.io.geojson import read_places
from regionet.model.case import Case
from regionet.services.case_source import CaseSource, case_folder, per_revision
from regionet.services.fiscal import YEARS, fiscal_inputs, parameters, resolve_scenario

__all__ = ["DEFAULT_YEARS", "RUN_FILE", "Fit", "SimulationResult", "SweepResult", "calibrate",
           "check_patterns", "dynamics_setup", "read_runs", "run_simulation", "runs_table",
           "scenario_summaries", "sweep", "write_run"]

#: The years simulated by default (the memo's decade and the fiscal targets to 2002).
DEFAULT_YEARS = (1991, 2002)
#: The file a single run writes its rows to (:func:`write_run`).
RUN_FILE = "run.parquet"
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


@dataclass(frozen=True)
class SweepResult:
    """Where a sweep wrote its results: the chunk files, the summary, and how many runs."""

    out: Path
    chunks: tuple[Path, ...]
    summary: Path
    runs: int


_WORKER_SETUP: dict[str, Setup] = {}


def _init_worker(setup: Setup) -> None:
    _WORKER_SETUP["setup"] = setup


def _worker_chunk(specs: list[RunSpec]) -> pd.DataFrame:
    return run_chunk(specs, _WORKER_SETUP["setup"])


def _dask_client(address: Any) -> Any:
    try:
        import distributed
    except ImportError as exc:  # an optional extra
        raise InvalidValueError("Dask is not installed", field="dask", value=str(address),
                                hint="Install it with: pip install 'regionet[dynamics]'") from exc
    client: Any = distributed.Client  # untyped library
    return address if isinstance(address, client) else client(address)


def _results(parts: list[tuple[int, list[RunSpec]]], setup: Setup, workers: int,
             dask: Any) -> Iterator[tuple[int, pd.DataFrame]]:
    """Yield ``(chunk index, rows)`` as chunks finish, on the chosen backend."""
    if dask is not None:
        client = _dask_client(dask)
        shared = client.scatter(setup, broadcast=True)
        futures = {client.submit(run_chunk, specs, shared, pure=False): k for k, specs in parts}
        import distributed

        finished: Any = distributed.as_completed  # untyped library
        for future in finished(futures):
            yield futures[future], future.result()
        return
    if workers <= 1:
        for k, specs in parts:
            yield k, run_chunk(specs, setup)
        return
    context = multiprocessing.get_context("fork")
    with cf.ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                                initargs=(setup,)) as pool:
        pending = {pool.submit(_worker_chunk, specs): k for k, specs in parts}
        for future in cf.as_completed(pending):
            yield pending[future], future.result()


def _execute(specs: Sequence[RunSpec], setup: Setup, out: Path, *, workers: int, dask: Any,
             chunk_size: int, progress: Progress | None) -> tuple[Path, ...]:
    """Run ``specs`` and write each chunk's rows to ``out/chunks`` as soon as it is done."""
    folder = out / "chunks"
    if folder.exists() and any(folder.iterdir()):
        raise DataFileError("the output folder already holds a sweep", file=str(folder),
                            expected="an empty or new folder",
                            hint="Choose another --out; nothing was overwritten.")
    if workers < 1:
        raise InvalidValueError("bad number of workers", field="workers", value=workers,
                                expected="an integer >= 1")
    parts = list(chunks(specs, chunk_size))
    files: dict[int, Path] = {}
    done = 0
    if progress is not None:
        progress(0, len(specs))
    for k, rows in _results(parts, setup, workers, dask):
        files[k] = write_parquet(rows, folder / f"chunk-{k:05d}.parquet")
        done += len(parts[k][1])
        if progress is not None:
            progress(done, len(specs))
    return tuple(files[k] for k in sorted(files))


def _summary(files: Sequence[Path], by: Sequence[str], out: Path) -> Path:
    """Mean and quantiles per group, reading a few metric columns at a time."""
    names = list(pd.read_parquet(files[0]).columns) if files else []
    skip = {"run_id", "seed", *by}
    metrics = [m for m in names if m not in skip]
    parts = []
    for start in range(0, len(metrics), 8):
        frame = read_columns(files, [*by, *metrics[start:start + 8]])
        parts.append(summarize(frame, by=by, metrics=metrics[start:start + 8]))
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    return write_parquet(table, out / "summary.parquet")


def sweep(source: CaseSource, scenarios: Sequence[str], seeds: Sequence[int], *, out: Path,
          values: Mapping[str, Sequence[float]] | None = None,
          years: tuple[int, int] = DEFAULT_YEARS, workers: int = 1, dask: Any = None,
          chunk_size: int = 25, progress: Progress | None = None) -> SweepResult:
    """Run every scenario × parameter values × seed, streaming chunks to Parquet.

    Args:
        source: the case source.
        scenarios: dynamics scenario names.
        seeds: distinct seeds (each run's only randomness).
        out: output folder (its ``chunks/`` must be new or empty).
        values: parameter path -> values to sweep (a grid).
        years: first and last year simulated.
        workers: local processes (1 runs in this process).
        dask: a Dask scheduler address (``tcp://…``) or a ``distributed.Client``; overrides
            ``workers``.
        chunk_size: runs per task and per file.
        progress: called with (runs done, runs in all) before the first chunk and after each.

    Raises:
        UnknownReferenceError: an unknown scenario or parameter path (nothing is run).
        DataFileError: ``out/chunks`` already holds files.
    """
    setup = dynamics_setup(source, years=years)
    for name in scenarios:
        setup.scenario(name)
    for path in values or {}:
        if path not in setup.parameters:
            raise UnknownReferenceError(
                "unknown dynamics parameter", field="values", value=path,
                expected="a parameter path of the case's dynamics parameters (docs/dynamics.md)",
                hint=did_you_mean(path, setup.parameters.paths()))
    specs = grid(scenarios, seeds=seeds, values=values)
    files = _execute(specs, setup, out, workers=workers, dask=dask, chunk_size=chunk_size,
                     progress=progress)
    summary = _summary(files, ["scenario", *(values or {}), "year"], out)
    return SweepResult(out, files, summary, len(specs))


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


@dataclass(frozen=True)
class Fit:
    """A calibration's result: the best values, their distance per target, where it is written."""

    values: Mapping[str, float]
    distance: float
    checks: pd.DataFrame
    samples: pd.DataFrame
    path: Path


def calibrate(source: CaseSource, *, out: Path, samples: int = 24,
              seeds: Sequence[int] = tuple(range(20)),
              paths: Sequence[str] | None = None, scenario: str = "as-described",
              years: tuple[int, int] = DEFAULT_YEARS,
              workers: int = 1, dask: Any = None, seed: int = 0,
              progress: Progress | None = None) -> Fit:
    """Fit the ``calibrated`` parameters to the pattern targets by random search.

    Samples are a Latin hypercube over each parameter's ``bounds`` (drawn with ``seed``); the
    current values are sample 0. Every sample runs ``seeds``; its score is the mean pattern
    distance (:func:`~regionet.engines.dynamics.patterns.total_distance`). The best sample's
    values, its distance per target and all samples go to ``out/fit.yaml`` and
    ``out/samples.parquet``.

    Raises:
        UnknownReferenceError: a path that is not a calibrated parameter.
    """
    setup = dynamics_setup(source, years=years)
    chosen = list(paths or [leaf.path for leaf in setup.parameters.leaves()
                            if leaf.status == "calibrated"])
    ranges = {leaf.path: leaf.bounds for leaf in setup.parameters.leaves()
              if leaf.status == "calibrated" and leaf.bounds and leaf.value is not None}
    for path in chosen:
        if path not in ranges:
            raise UnknownReferenceError(
                "not a calibrated constant", field="paths", value=path,
                expected="one of " + ", ".join(ranges) + " (status calibrated, with bounds)",
                hint=did_you_mean(path, ranges))
    bounds = [ranges[path] for path in chosen]
    rng = make_rng(seed)
    grid_values = np.empty((samples, len(chosen)))
    for j, (low, high) in enumerate(bounds):
        strata = (rng.permutation(samples) + rng.random(samples)) / samples
        grid_values[:, j] = low + strata * (high - low)
    grid_values[0] = [setup.parameters.value(p) for p in chosen]
    specs = [RunSpec(s * len(seeds) + k, int(sd), scenario,
                     tuple(zip(chosen, map(float, grid_values[s]), strict=True)))
             for s in range(samples) for k, sd in enumerate(seeds)]
    files = _execute(specs, setup, out, workers=workers, dask=dask,
                     chunk_size=max(len(seeds), 1), progress=progress)
    targets = read_targets(case_folder(source))
    columns = sorted({"run_id", "year", *(t.column for t in targets)})
    rows = read_columns(files, columns)
    scores, best, best_checks = [], -1, pd.DataFrame()
    for s in range(samples):
        mine = rows[(rows["run_id"] // len(seeds)) == s]
        checks = evaluate(mine, targets)
        score = total_distance(checks)
        scores.append({"sample": s, **dict(zip(chosen, grid_values[s], strict=True)),
                       "distance": score})
        if best < 0 or score < scores[best]["distance"]:
            best, best_checks = s, checks
    table = pd.DataFrame(scores)
    write_parquet(table, out / "samples.parquet")
    values = {p: float(grid_values[best][j]) for j, p in enumerate(chosen)}
    per_target = best_checks.groupby("target", sort=True)["distance"].mean()
    fit = {"scenario": scenario, "seeds": len(seeds), "samples": samples, "rng_seed": seed,
           "method": "random search (Latin hypercube over the bounds), mean pattern distance",
           "values": values, "distance": float(scores[best]["distance"]),
           "distance_per_target": {k: round(float(v), 4) for k, v in per_target.items()},
           "passed": {f"{r.target}[{r.label}]": bool(r.passed)
                      for r in best_checks.itertuples()}}
    written = write_yaml(fit, out / "fit.yaml")
    return Fit(values, float(scores[best]["distance"]), best_checks, table, written)
