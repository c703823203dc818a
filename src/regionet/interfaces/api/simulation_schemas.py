"""Request and response schemas of ``/api/simulations`` (the dynamics model's runs).

Examples:
    >>> body = SimulationCreate(seeds=[0, 1])
    >>> body.scenario, body.years
    ('as-described', (1991, 2002))
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from regionet.services.simulation_runs import MAX_SEED, MAX_SEED_YEARS, MAX_SEEDS

__all__ = ["FIRST_YEAR", "LAST_YEAR", "DynamicsScenarioPublic", "DynamicsScenariosPublic",
           "SimulationCheckPublic", "SimulationCreate", "SimulationProgressPublic",
           "SimulationPublic", "SimulationResultsPublic"]

#: The years a simulation may cover (1991 runs on 1992's law; the law's data end in 2010).
FIRST_YEAR, LAST_YEAR = 1991, 2010
Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR)]
Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]


class SimulationCreate(BaseModel):
    """A run of one dynamics scenario over a few seeds (each seed one Monte Carlo run).

    Bounded: 1 to 50 distinct seeds, and seeds × years at most 600; more is refused with 422
    naming ``seeds`` (run larger sweeps with ``regionet simulate sweep``).
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"scenario": "as-described", "seeds": [0, 1, 2, 3, 4], "years": [1991, 2002]},
        {"scenario": "closed-borders", "seeds": [7], "years": [1994, 2000]}]})

    scenario: str = Field("as-described", min_length=1, max_length=80,
                          description="a dynamics scenario: as-described, strong-centre, "
                                      "tax-at-operation, closed-borders or no-treaties")
    seeds: list[Seed] = Field(default_factory=lambda: [0], min_length=1, max_length=MAX_SEEDS,
                              description=f"1 to {MAX_SEEDS} distinct seeds (0 to 2^32 - 1); "
                                          f"seeds x years at most {MAX_SEED_YEARS}")
    years: tuple[Year, Year] = Field((1991, 2002), description=f"first and last year "
                                     f"simulated ({FIRST_YEAR}–{LAST_YEAR}), first <= last")


class SimulationProgressPublic(BaseModel):
    """Seeds finished of all."""

    done: int
    total: int


class SimulationCheckPublic(BaseModel):
    """One observed pattern against the runs: the observed range, the simulated mean."""

    scenario: str
    target: str
    label: str
    column: str
    low: float
    high: float
    mean: float | None
    q10: float | None
    q90: float | None
    passed: bool
    distance: float | None
    share_in_range: float | None
    runs: int
    source: str
    status: str


class SimulationResultsPublic(BaseModel):
    """A finished run's results.

    ``rows``: one per seed and year (``run_id`` is the seed's position, then ``seed``,
    ``scenario``, ``year`` and every output of docs/dynamics.md, "Outputs"); ``summary``:
    per year and output, ``runs``, ``mean`` and the 5/25/50/75/95 % quantiles over the seeds;
    ``checks``: the case's pattern checks over the seeds (those the years cover).
    """

    rows: list[dict[str, Any]]
    summary: list[dict[str, Any]]
    checks: list[SimulationCheckPublic]


class SimulationPublic(BaseModel):
    """A submitted simulation: what was asked, its status and progress, its results."""

    id: str
    url: str
    status: Literal["queued", "running", "done", "failed"]
    scenario: str
    seeds: list[int]
    years: tuple[int, int]
    submitted: str = Field(description="when it was submitted (UTC, ISO 8601)")
    progress: SimulationProgressPublic
    results: SimulationResultsPublic | None = Field(None, description="when done")
    error: dict[str, Any] | None = Field(None, description="when failed: what went wrong "
                                         "(detail, field, value, expected)")


class DynamicsScenarioPublic(BaseModel):
    """A dynamics scenario a simulation may run."""

    name: str
    description: str
    fiscal_scenario: str | None = Field(description="the fiscal scenario the fiscal engine "
                                        "runs under (null: the law)")


class DynamicsScenariosPublic(BaseModel):
    """The case's dynamics scenarios."""

    data: list[DynamicsScenarioPublic]
    count: int
