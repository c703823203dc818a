"""Batch runs without the workers: run specifications, chunks, one chunk's rows, summaries.

A sweep is a list of :class:`RunSpec` (a run id, a seed, a scenario and parameter values).
:func:`run_chunk` runs some of them on a :class:`Setup` and returns their rows (one per run and
year); the services send chunks to processes or to a Dask cluster and write each chunk's rows
to its own file as it arrives, so a sweep never sits in memory whole (the problem users of
Mesa's ``batch_run`` report). A run's rows depend only on its spec and the setup, never on the
worker, the chunk or the order: the same seeds give the same numbers on every backend.

Examples:
    >>> from regionet.engines.dynamics.testing import tiny_setup
    >>> world, path, params = tiny_setup()
    >>> setup = Setup(world, {None: path}, params, {"base": Scenario("base", "d")}, 1992, 1994)
    >>> specs = grid(["base"], seeds=[1, 2], values={"ties.stress": [1.0, 4.0]})
    >>> [(s.run_id, s.seed, dict(s.values)) for s in specs][:2]
    [(0, 1, {'ties.stress': 1.0}), (1, 2, {'ties.stress': 1.0})]
    >>> rows = run_chunk(specs[:1], setup)
    >>> rows[["run_id", "seed", "scenario", "year"]].values.tolist()[0]
    [0, 1, 'base', 1992]
    >>> rows.equals(run_chunk(specs[:1], setup))
    True
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from regionet.core.errors import InvalidValueError, UnknownReferenceError, did_you_mean
from regionet.engines.dynamics.core import DataCollector, run
from regionet.engines.dynamics.fiscal_path import FiscalPath
from regionet.engines.dynamics.model import FederationModel
from regionet.engines.dynamics.outputs import record
from regionet.engines.dynamics.parameters import DynamicsParameters
from regionet.engines.dynamics.scenarios import DynamicsScenario as Scenario
from regionet.engines.dynamics.world import World

__all__ = ["RunSpec", "Scenario", "Setup", "chunks", "grid", "run_chunk", "run_one",
           "summarize"]


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep: its id, seed, scenario name and parameter values."""

    run_id: int
    seed: int
    scenario: str
    values: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, eq=False)
class Setup:
    """What every run of a sweep shares (sent once to each worker).

    Attributes:
        world: the world.
        paths: fiscal paths by fiscal scenario name (None: the law).
        parameters: the baseline dynamics parameters.
        scenarios: dynamics scenarios by name.
        start, end: first and last year simulated.
    """

    world: World
    paths: Mapping[str | None, FiscalPath]
    parameters: DynamicsParameters
    scenarios: Mapping[str, Scenario] = field(default_factory=dict)
    start: int = 1991
    end: int = 2002

    def scenario(self, name: str) -> Scenario:
        """Return the scenario ``name``.

        Raises:
            UnknownReferenceError: an unknown name, with the nearest ones.
        """
        if name not in self.scenarios:
            raise UnknownReferenceError("unknown dynamics scenario", field="scenario", value=name,
                                        expected="one of " + ", ".join(sorted(self.scenarios)),
                                        hint=did_you_mean(name, self.scenarios))
        return self.scenarios[name]


def grid(scenarios: Sequence[str], *, seeds: Sequence[int],
         values: Mapping[str, Sequence[float]] | None = None) -> list[RunSpec]:
    """Every combination of scenario, parameter values and seed, numbered from 0.

    The order is scenario, then parameter values, then seed (seeds vary fastest).

    Raises:
        InvalidValueError: no scenario, no seed, a negative or repeated seed.
    """
    if not scenarios or not seeds:
        raise InvalidValueError("a sweep needs a scenario and a seed", field="seeds",
                                value=len(seeds), expected="at least one of each")
    if len(set(seeds)) != len(seeds) or min(seeds) < 0:
        raise InvalidValueError("seeds must be distinct integers >= 0", field="seeds",
                                expected="distinct non-negative integers")
    names = list(values or {})
    combos = list(itertools.product(*[list((values or {})[k]) for k in names])) or [()]
    specs, run_id = [], 0
    for scenario in scenarios:
        for combo in combos:
            for seed in seeds:
                specs.append(RunSpec(run_id, int(seed), scenario,
                                     tuple(zip(names, map(float, combo), strict=True))))
                run_id += 1
    return specs


def chunks(specs: Sequence[RunSpec], size: int) -> Iterator[tuple[int, list[RunSpec]]]:
    """Yield ``(chunk index, specs)`` of at most ``size`` runs, in order."""
    if size < 1:
        raise InvalidValueError("bad chunk size", field="chunk_size", value=size,
                                expected="an integer >= 1")
    for k, start in enumerate(range(0, len(specs), size)):
        yield k, list(specs[start:start + size])


def run_one(spec: RunSpec, setup: Setup) -> pd.DataFrame:
    """Run one spec; one row per year with ``run_id``, ``seed``, ``scenario``, the values."""
    scenario = setup.scenario(spec.scenario)
    parameters = scenario.apply(setup.parameters)
    if spec.values:
        parameters = parameters.with_values(dict(spec.values), status="calibrated",
                                            reference="sweep value")
    if scenario.fiscal_scenario not in setup.paths:
        raise UnknownReferenceError("no fiscal path for the scenario's fiscal scenario",
                                    field="fiscal_scenario", value=scenario.fiscal_scenario,
                                    expected="one of the setup's fiscal paths")
    model = FederationModel(setup.world, setup.paths[scenario.fiscal_scenario], parameters,
                            seed=spec.seed, start_year=setup.start)
    frame = run(model, until=setup.end, collector=DataCollector({"_": record}))
    rows = pd.DataFrame(list(frame["_"]))
    head = {"run_id": spec.run_id, "seed": spec.seed, "scenario": spec.scenario,
            **{path: value for path, value in spec.values}}
    return pd.concat([pd.DataFrame({**head, "year": frame["year"]}), rows], axis=1)


def run_chunk(specs: Sequence[RunSpec], setup: Setup) -> pd.DataFrame:
    """Run ``specs`` one after the other and return all their rows."""
    return pd.concat([run_one(spec, setup) for spec in specs], ignore_index=True)


def summarize(frame: pd.DataFrame, *, by: Sequence[str] = ("scenario", "year"),
              metrics: Sequence[str] | None = None,
              quantiles: Sequence[float] = (0.05, 0.25, 0.5, 0.75, 0.95)) -> pd.DataFrame:
    """Mean and quantiles of each metric per group (long format).

    Returns:
        Columns ``*by, metric, runs, mean, q05, q25, q50, q75, q95`` (names from
        ``quantiles``).
    """
    keep = [m for m in (metrics or frame.columns) if m not in (*by, "run_id", "seed")
            and pd.api.types.is_numeric_dtype(frame[m])]
    long = frame.melt(id_vars=list(by), value_vars=keep, var_name="metric")
    groups = long.groupby([*by, "metric"], sort=True)["value"]
    out = groups.agg(runs="count", mean="mean")
    for q in quantiles:
        out[f"q{round(q * 100):02d}"] = groups.quantile(q)
    return out.reset_index()
