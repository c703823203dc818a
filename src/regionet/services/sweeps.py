"""Many dynamics runs: sweeps on local processes or a Dask cluster, and the calibration.

- :func:`sweep`: every scenario × parameter values × seed; each chunk of runs is written to its
  own Parquet file as it arrives (``chunks/chunk-00000.parquet``…), then a summary per
  scenario and year (``summary.parquet``); processes locally (``workers``) or an existing
  Dask cluster (``dask``: an address or a ``distributed.Client``); the same seeds give the
  same rows on every backend and with any number of workers;
- :func:`calibrate`: a random search over the ``calibrated`` parameters' bounds, scored by the
  pattern distances, written to ``fit.yaml``.

Both take a :class:`~regionet.services.case_source.CaseSource` and run on the setup of
:func:`regionet.services.dynamics.dynamics_setup`.

Examples:
    >>> result = sweep(CaseSource.bundled(), ["as-described"], [0, 1], out=tmp_path,
    ...                years=(1991, 1993))
    >>> result.runs, [p.name for p in result.chunks]
    (2, ['chunk-00000.parquet'])
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
from regionet.engines.dynamics.patterns import evaluate, total_distance
from regionet.io.dynamics_files import read_columns, read_targets, write_parquet, write_yaml
from regionet.services.case_source import CaseSource, case_folder
from regionet.services.dynamics import DEFAULT_YEARS, Progress, dynamics_setup

__all__ = ["DASK_TIMEOUT", "Fit", "SweepResult", "calibrate", "sweep"]

#: How long a sweep waits to reach a Dask scheduler before giving up.
DASK_TIMEOUT = "10s"


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
    if isinstance(address, client):
        return address
    try:
        return client(address, timeout=DASK_TIMEOUT)
    except (OSError, ValueError, TypeError) as exc:  # unreachable, or not an address
        raise InvalidValueError(
            "cannot reach the Dask scheduler", field="dask", value=str(address),
            expected="the address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786",
            hint=f"{type(exc).__name__}: {exc}; nothing was run") from None


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
