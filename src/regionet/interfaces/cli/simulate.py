"""``regionet simulate``: run the dynamics model, sweep it, calibrate it, check it against history.

The commands parse their options and call :mod:`regionet.services.dynamics`; a bad option is
refused before anything runs, naming the option (``--param``), the value and what was
expected. See docs/dynamics.md, "Running it".

Examples:
    >>> parse_years("1991:1998")
    (1991, 1998)
    >>> parse_param("ties.stress=0:8:3")
    ('ties.stress', [0.0, 4.0, 8.0])
    >>> parse_param("ties.stress=8")
    Traceback (most recent call last):
    ...
    regionet.core.errors.InvalidValueError: field 'param', value 'ties.stress=8': bad sweep ...
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from regionet.core.errors import InvalidValueError, RegionetError
from regionet.interfaces.cli.progress import QuietOption, counting, progress
from regionet.interfaces.cli.sources import DEFAULT_DB, ReadDbOption, read_source

if TYPE_CHECKING:  # imported when a command runs: `regionet --help` stays fast
    import pandas as pd

__all__ = ["parse_param", "parse_years", "simulate_app"]

simulate_app = typer.Typer(
    help="The dynamics model: centre, regions and partners in motion (docs/dynamics.md).",
    no_args_is_help=True)

#: The outputs ``simulate run`` prints, with their short headings (``--json`` and ``--out``
#: keep every output; docs/dynamics.md, "Outputs", says what each is).
RUN_COLUMNS: Final = {"year": "year", "ties_total": "ties", "ties_bilateral": "bilat.",
                      "ties_subnational": "subnat.", "ties_international": "intl.",
                      "treaty_regions_total": "treaty regions", "stress_mean": "stress",
                      "regional_share_of_tax_revenue": "regional share",
                      "equalization_recipients": "recipients",
                      "integration_index": "integration", "donors": "donors"}
#: The columns ``simulate check`` prints.
CHECK_COLUMNS: Final = ("target", "label", "observed", "simulated", "share_in_range", "passed",
                        "source")
_YEARS_FORM: Final = "START:END, two years with START <= END, e.g. 1991:2002"
_PARAM_FORM: Final = ("PATH=START:STOP:N (N >= 1 evenly spaced values from START to STOP), "
                      "e.g. ties.stress=0:8:5")

ScenarioOption = Annotated[str, typer.Option(
    "--scenario", help="Dynamics scenario: as-described, strong-centre, tax-at-operation, "
                       "closed-borders or no-treaties.")]
YearsOption = Annotated[str, typer.Option("--years", help="First and last year, START:END.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
WorkersOption = Annotated[int | None, typer.Option(
    "--workers", min=1, help="Local processes (default 1).")]
DaskOption = Annotated[str | None, typer.Option(
    "--dask", help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                   "(pip install 'regionet[dynamics]').")]


def parse_years(text: str) -> tuple[int, int]:
    """Parse ``--years START:END``.

    Raises:
        InvalidValueError: naming ``years``, the value and the expected form.
    """
    start, sep, end = text.partition(":")
    try:
        years = (int(start), int(end))
    except ValueError:
        years = None
    if not sep or years is None or years[0] > years[1]:
        raise InvalidValueError("bad years", field="years", value=text, expected=_YEARS_FORM)
    return years


def parse_param(text: str) -> tuple[str, list[float]]:
    """Parse one ``--param PATH=START:STOP:N`` into the path and its N values.

    Raises:
        InvalidValueError: naming ``param``, the value and the expected form.
    """
    path, sep, spec = text.partition("=")
    parts = spec.split(":")
    try:
        start, stop, n = float(parts[0]), float(parts[1]), int(parts[2])
        ok = bool(sep and path.strip()) and len(parts) == 3 and n >= 1
    except (ValueError, IndexError):
        ok = False
    if not ok:
        raise InvalidValueError("bad sweep parameter", field="param", value=text,
                                expected=_PARAM_FORM)
    if n == 1:
        return path.strip(), [start]
    step = (stop - start) / (n - 1)
    return path.strip(), [start + k * step if k < n - 1 else stop for k in range(n)]


def _backend(workers: int | None, dask: str | None) -> dict[str, Any]:
    if workers is not None and dask is not None:
        raise InvalidValueError("give --workers or --dask, not both", field="dask", value=dask,
                                expected="either local processes (--workers N) or a Dask "
                                         "scheduler (--dask ADDRESS)")
    return {"workers": workers or 1, "dask": dask}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    from regionet.core.jsonsafe import json_safe

    records: list[dict[str, Any]] = json_safe(frame.to_dict(orient="records"))
    return records


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:.4g}"
    return str(value)


@simulate_app.command("run")
def simulate_run(
    scenario: ScenarioOption = "as-described",
    seed: Annotated[int, typer.Option("--seed", min=0, help="The run's seed (its only "
                                                            "randomness).")] = 0,
    years: YearsOption = "1991:2002",
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write run.parquet (and regions.parquet with --regions) here.")] = None,
    regions: Annotated[bool, typer.Option(
        "--regions", help="Also keep one row per region and year (with --out or --json).")]
    = False,
    as_json: JsonFlag = False,
    db: ReadDbOption = DEFAULT_DB,
    quiet: QuietOption = False,
) -> None:
    """Run one scenario with one seed: ties by level, treaties, stress, money, year by year."""
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.services.dynamics import run_simulation, write_run

    span = parse_years(years)
    source = read_source(db)
    with progress(f"Simulating {scenario}, seed {seed}, {span[0]}-{span[1]}", quiet=quiet):
        result = run_simulation(source, scenario, seed, years=span, regions=regions)
    if out is not None:
        for path in write_run(result, out):
            typer.echo(str(path))
    elif as_json:
        data: dict[str, Any] = {"scenario": scenario, "seed": seed,
                                "rows": _records(result.rows)}
        if result.regions is not None:
            data["regions"] = _records(result.regions)
        print_json(data)
    else:
        rows = [{RUN_COLUMNS[k]: _number(v) for k, v in r.items()}
                for r in _records(result.rows[list(RUN_COLUMNS)])]
        print_table(rows, list(RUN_COLUMNS.values()), f"{scenario}, seed {seed}")


@simulate_app.command("sweep")
def simulate_sweep(
    out: Annotated[Path, typer.Option("--out", help="Folder for chunks/ and summary.parquet "
                                                    "(its chunks/ must be new or empty).")],
    scenarios: Annotated[list[str], typer.Option(
        "--scenario", help="A dynamics scenario; repeat for several.")],
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Runs per point: seeds 0..N-1.")],
    params: Annotated[list[str] | None, typer.Option(
        "--param", help="PATH=START:STOP:N: sweep a parameter over N values; repeat for a "
                        "grid.")] = None,
    years: YearsOption = "1991:2002",
    workers: WorkersOption = None,
    dask: DaskOption = None,
    chunk_size: Annotated[int, typer.Option("--chunk-size", min=1,
                                            help="Runs per task and per file.")] = 25,
    db: ReadDbOption = DEFAULT_DB,
    quiet: QuietOption = False,
) -> None:
    """Run every scenario x parameter values x seed; stream chunks to Parquet, then a summary."""
    from regionet.services.sweeps import sweep

    span = parse_years(years)
    values = dict(parse_param(p) for p in params or [])
    if len(values) != len(params or []):
        raise InvalidValueError("a parameter swept twice", field="param",
                                value=";".join(params or []), expected="each PATH once")
    backend = _backend(workers, dask)
    source = read_source(db)
    runs = len(scenarios) * seeds
    for grid in values.values():
        runs *= len(grid)
    try:
        with counting(f"Running {runs} simulations", quiet=quiet) as count:
            result = sweep(source, scenarios, range(seeds), out=out, values=values or None,
                           years=span, chunk_size=chunk_size, progress=count, **backend)
    except RegionetError as err:
        if err.field == "values":  # the service's argument is the command's --param
            err.field = "param"
        raise
    typer.echo(f"{result.runs} runs, {len(result.chunks)} chunk files in "
               f"{(out / 'chunks').resolve()}")
    typer.echo(f"summary {result.summary.resolve()}")


@simulate_app.command("calibrate")
def simulate_calibrate(
    out: Annotated[Path, typer.Option("--out", help="Folder for fit.yaml, samples.parquet and "
                                                    "chunks/.")],
    samples: Annotated[int, typer.Option("--samples", min=1,
                                         help="Points of the Latin hypercube.")] = 24,
    seeds: Annotated[int, typer.Option("--seeds", min=1,
                                       help="Runs per sample: seeds 0..N-1.")] = 20,
    params: Annotated[list[str] | None, typer.Option(
        "--param", help="Fit only this calibrated parameter (a path); repeat for several. "
                        "Default: every parameter with status calibrated.")] = None,
    scenario: ScenarioOption = "as-described",
    years: YearsOption = "1991:2002",
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the sampling.")] = 0,
    workers: WorkersOption = None,
    dask: DaskOption = None,
    as_json: JsonFlag = False,
    db: ReadDbOption = DEFAULT_DB,
    quiet: QuietOption = False,
) -> None:
    """Fit the calibrated parameters to the observed patterns (random search); write fit.yaml."""
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.services.sweeps import calibrate

    span = parse_years(years)
    backend = _backend(workers, dask)
    source = read_source(db)
    try:
        with counting(f"Calibrating: {samples} samples x {seeds} seeds", quiet=quiet) as count:
            fit = calibrate(source, out=out, samples=samples, seeds=range(seeds),
                            paths=params or None, scenario=scenario, years=span, seed=seed,
                            progress=count, **backend)
    except RegionetError as err:
        if err.field == "paths":
            err.field = "param"
        raise
    targets = {str(name): {"distance": float(group["distance"].mean()),
                           "passed": bool(group["passed"].all())}
               for name, group in fit.checks.groupby("target", sort=True)}
    if as_json:
        print_json({"values": dict(fit.values), "distance": fit.distance, "targets": targets,
                    "fit": str(fit.path)})
        return
    print_table([{"parameter": p, "value": _number(v)} for p, v in fit.values.items()],
                ["parameter", "value"], f"Best of {samples} samples, mean distance "
                                        f"{fit.distance:.3f}")
    print_table([{"target": t, "distance": f"{v['distance']:.3f}", "passed": str(v["passed"])}
                 for t, v in targets.items()], ["target", "distance", "passed"],
                "Distance per target (<= 1 inside the observed range)")
    typer.echo(str(fit.path))


def _check_rows(checks: pd.DataFrame) -> list[dict[str, str]]:
    rows = []
    for r in _records(checks):
        keys = {k: _number(v) for k, v in r.items() if k == "scenario" or "." in str(k)}
        observed = (_number(r["low"]) if r["low"] == r["high"]
                    else f"{_number(r['low'])}-{_number(r['high'])}")
        rows.append({**keys, "target": r["target"], "label": r["label"], "observed": observed,
                     "simulated": f"{_number(r['mean'])} ({_number(r['q10'])}-"
                                  f"{_number(r['q90'])})",
                     "share_in_range": f"{r['share_in_range']:.0%}",
                     "passed": "yes" if r["passed"] else "NO", "source": r["source"]})
    return rows


@simulate_app.command("check")
def simulate_check(
    source_dir: Annotated[Path | None, typer.Option(
        "--from", help="Check the runs a run or a sweep wrote to this folder (--out).")]
    = None,
    scenario: ScenarioOption = "as-described",
    seeds: Annotated[int, typer.Option("--seeds", min=1,
                                       help="Without --from: run seeds 0..N-1.")] = 20,
    years: YearsOption = "1991:2002",
    as_json: JsonFlag = False,
    db: ReadDbOption = DEFAULT_DB,
    quiet: QuietOption = False,
) -> None:
    """Check the runs against the observed patterns: observed range vs simulated mean."""
    from regionet.interfaces.cli.output import print_json, print_table
    from regionet.services.dynamics import check_patterns, read_runs, run_simulation, runs_table

    source = read_source(db)
    if source_dir is not None:
        rows = read_runs(source_dir)
        what = str(source_dir)
    else:
        span = parse_years(years)
        with progress(f"Simulating {scenario}, {seeds} seeds", quiet=quiet):
            rows = runs_table([run_simulation(source, scenario, s, years=span)
                               for s in range(seeds)])
        what = f"{scenario}, {seeds} seeds, {span[0]}-{span[1]}"
    checks = check_patterns(source, rows)
    if as_json:
        print_json(_records(checks))
        return
    table = _check_rows(checks)
    keys = [k for k in (table[0] if table else {}) if k not in CHECK_COLUMNS]
    print_table(table, [*keys, *CHECK_COLUMNS], f"Observed patterns vs {what} "
                "(simulated: mean over runs, 10-90 % in brackets)")
    failed = int((~checks["passed"]).sum()) if len(checks) else 0
    typer.echo(f"{len(checks) - failed} of {len(checks)} checks within the observed range.")
