"""The dynamics section of the main job: Monte Carlo runs of every scenario, checked.

Every scenario of the case runs over the same seeds (:data:`REPORT_SEEDS`: 20, so that
``regionet run`` stays quick; the 100-seed checks are a test, docs/dynamics.md). The section
holds what the report draws, and writes it to ``out/dynamics/``:

- ``runs.parquet``: every run's rows (one per scenario, seed and year);
- ``summary.csv``: per scenario, year and output, the mean and 5/25/50/75/95 % quantiles
  over the seeds (the fan charts, the tie counts by level);
- ``checks.csv``: the case's observed patterns against each scenario's runs;
- ``properties.csv``: the memo's qualitative claims as properties of paired runs (one seed,
  two scenarios: common random numbers);
- ``regions_<year>.csv``: under ``as-described``, the ties each region holds in the last
  year, by kind, mean over the seeds (the map of where ties formed).

Examples:
    >>> section = dynamics_section(CaseSource.bundled(), seeds=range(2), years=(1991, 1999),
    ...                            scenarios=("as-described", "strong-centre"))
    >>> section.seeds, sorted(set(section.summary["scenario"]))
    ((0, 1), ['as-described', 'strong-centre'])
    >>> int(section.regions["region"].nunique())
    89
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from regionet.engines.dynamics.batch import summarize
from regionet.io.dynamics_files import write_parquet
from regionet.io.fiscal_results import write_tables
from regionet.services.case_source import CaseSource
from regionet.services.dynamics import (
    DEFAULT_YEARS,
    check_patterns,
    run_simulation,
    runs_table,
    scenario_summaries,
)

__all__ = ["MAP_SCENARIO", "REPORT_SEEDS", "DynamicsSection", "dynamics_section"]

#: The seeds of the report's runs: 0 to 19 for every scenario.
REPORT_SEEDS: Final = tuple(range(20))
#: The scenario whose runs the map of ties per region shows (the history the memo tells).
MAP_SCENARIO: Final = "as-described"
_KIND_COLUMNS: Final = ("ties_bilateral", "ties_subnational", "ties_foreign", "ties_programme")


@dataclass
class DynamicsSection:
    """What the report's dynamics section shows (frames), and the files written.

    Attributes:
        scenarios: name -> description, in the order run.
        seeds: the seeds every scenario ran with.
        years: first and last year simulated.
        summary: per scenario, year and output (``metric``): ``runs, mean, q05 … q95``.
        checks: the observed patterns against each scenario's runs (``scenario`` first, then
            the columns of :func:`~regionet.services.dynamics.check_patterns`).
        properties: the memo's qualitative claims over paired seeds: ``claim, source,
            measure, scenario, value, compared_to, other_value, share_of_seeds, holds``.
        regions: under :data:`MAP_SCENARIO`, per region, the ties it holds in the last year
            by kind and in all (``ties``), mean over the seeds.
        files: what was written to ``out/dynamics/``.
    """

    scenarios: dict[str, str]
    seeds: tuple[int, ...]
    years: tuple[int, int]
    summary: pd.DataFrame
    checks: pd.DataFrame
    properties: pd.DataFrame
    regions: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)


def _paired(rows: pd.DataFrame, scenario: str, column: str, year: int) -> pd.Series:
    frame = rows[(rows["scenario"] == scenario) & (rows["year"] == year)]
    return frame.set_index("seed")[column].sort_index()


def _growth(rows: pd.DataFrame, scenario: str, column: str, first: int, last: int) -> pd.Series:
    return _paired(rows, scenario, column, last) - _paired(rows, scenario, column, first)


_PROPERTY_COLUMNS: Final = ("claim", "source", "measure", "scenario", "value", "compared_to",
                            "other_value", "share_of_seeds", "holds")


def _claim(claim: str, source: str, measure: str, compared_to: str, mine: pd.Series,
           other: pd.Series, share: float, holds: bool) -> dict[str, object]:
    return dict(zip(_PROPERTY_COLUMNS, (claim, source, measure, "as-described",
                                        float(mine.mean()), compared_to, float(other.mean()),
                                        share, holds), strict=True))


def _properties(rows: pd.DataFrame, years: tuple[int, int]) -> pd.DataFrame:
    """The memo's qualitative claims, where the runs hold the scenarios and years they need.

    Each compares ``as-described`` with another scenario seed by seed (the same seed in both:
    common random numbers) and holds when the mean says so and enough seeds agree (60 % for
    the growth, 90 % for the borders), as ``tests/integration/test_dynamics_patterns.py``
    checks over 100 seeds.
    """
    names = set(rows["scenario"])
    out = []
    if {"as-described", "strong-centre"} <= names and years[0] <= 1997 and years[1] >= 2000:
        mine = _growth(rows, "as-described", "horizontal_ties", 1997, 2000)
        other = _growth(rows, "strong-centre", "horizontal_ties", 1997, 2000)
        share = float((mine > other).mean())
        out.append(_claim("horizontal ties grow after the 1998 crisis more than under a "
                          "strong centre", "sergounin-1999: para 6; sergounin-1999: para 12",
                          "growth of horizontal ties, 1997 to 2000", "strong-centre", mine,
                          other, share, bool(mine.mean() > other.mean() and share >= 0.6)))
    if {"as-described", "closed-borders"} <= names and years[0] <= 2000 <= years[1]:
        borders = "sergounin-1999: para 7; sergounin-1999: para 9; sergounin-1999: para 13"
        open_ = _paired(rows, "as-described", "cross_border_ties_border_regions", 2000)
        closed = _paired(rows, "closed-borders", "cross_border_ties_border_regions", 2000)
        share = float((closed <= open_).mean())
        out.append(_claim("closing the borders lowers the cross-border ties of border regions",
                          borders, "cross-border ties of border regions, 2000",
                          "closed-borders", open_, closed, share,
                          bool(closed.mean() < 0.9 * open_.mean() and share >= 0.9)))
        inland = _paired(rows, "as-described", "international_ties_inland_regions", 2000)
        shut = _paired(rows, "closed-borders", "international_ties_inland_regions", 2000)
        ratio = float(shut.mean() / inland.mean()) if inland.mean() else float("nan")
        out.append(_claim("... and leaves the international ties of inland regions as they "
                          "are", borders, "international ties of inland regions, 2000",
                          "closed-borders", inland, shut,
                          float((np.abs(shut - inland) <= 0.02 * inland).mean()),
                          bool(abs(ratio - 1) < 0.02)))
    return pd.DataFrame(out, columns=list(_PROPERTY_COLUMNS))


def _regions(tables: Iterable[pd.DataFrame], year: int) -> pd.DataFrame:
    frame = pd.concat([t[t["year"] == year] for t in tables], ignore_index=True)
    mean = frame.groupby("region", sort=True)[list(_KIND_COLUMNS)].mean()
    mean["ties"] = mean.sum(axis=1)
    return mean.reset_index()


def dynamics_section(source: CaseSource, out: Path | None = None, *,
                     seeds: Sequence[int] = REPORT_SEEDS,
                     years: tuple[int, int] = DEFAULT_YEARS,
                     scenarios: Sequence[str] | None = None,
                     progress: Callable[[str], None] | None = None) -> DynamicsSection:
    """Run every scenario (or ``scenarios``) over ``seeds``; with ``out``, write the tables.

    Args:
        source: the case source.
        out: the main job's folder; the files go to ``out/dynamics/``.
        seeds: the seeds every scenario runs with.
        years: first and last year simulated.
        scenarios: the scenarios to run (default: all of the case's).
        progress: told which scenario runs.

    Raises:
        UnknownReferenceError: an unknown scenario.
    """
    say = progress or (lambda _msg: None)
    known = {str(s["name"]): str(s["description"] or "") for s in scenario_summaries(source)}
    chosen = list(scenarios) if scenarios is not None else list(known)
    runs, tables = [], []
    for name in chosen:
        say(f"Simulating {name}, {len(seeds)} seeds")
        for seed in seeds:
            keep = name == MAP_SCENARIO
            result = run_simulation(source, name, seed, years=years, regions=keep)
            runs.append(result)
            if result.regions is not None:
                tables.append(result.regions)
    rows = runs_table(runs)
    summary = summarize(rows, by=("scenario", "year"))
    checks = check_patterns(source, rows)
    regions = _regions(tables, years[1]) if tables else pd.DataFrame(
        columns=["region", *_KIND_COLUMNS, "ties"])
    section = DynamicsSection(
        scenarios={name: known.get(name, "") for name in chosen}, seeds=tuple(seeds),
        years=years, summary=summary, checks=checks, properties=_properties(rows, years),
        regions=regions)
    if out is not None:
        folder = out / "dynamics"
        section.files["runs"] = write_parquet(rows, folder / "runs.parquet")
        section.files.update(write_tables(folder, {
            "summary": summary, "checks": checks, "properties": section.properties,
            f"regions_{years[1]}": regions}))
    return section
