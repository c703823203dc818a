"""Small simulations run in the background: submitted, followed, their results kept a while.

The REST API (``POST /api/simulations``) and the dashboard's scenario runner submit a run of
one dynamics scenario over a few seeds; :class:`SimulationRuns` checks it at once (an unknown
scenario, bad years or seeds, too much work: nothing is queued), queues it for its own worker
thread (never the server's event loop, nor its request threads) and answers with its id.
:meth:`SimulationRuns.get` returns a snapshot: ``queued``, ``running`` (seeds done of all),
``done`` (the rows per seed and year, their summary per year and the pattern checks) or
``failed`` (the error).

The work is bounded: at most :data:`MAX_SEEDS` seeds and :data:`MAX_SEED_YEARS` seeds ×
years per run (larger sweeps belong to ``regionet simulate sweep``). At most ``keep`` runs are
kept: a new one evicts the oldest finished run; when every kept run is still queued or
running, a new one is refused (:class:`~regionet.core.errors.BusyError`).

Each seed's rows are exactly :func:`~regionet.services.dynamics.run_simulation`'s.

Examples:
    >>> runs = SimulationRuns(keep=4)
    >>> first = runs.submit(CaseSource.bundled(), "as-described", [0, 1], (1991, 1993))
    >>> runs.wait(first.id).status, len(runs.get(first.id).rows)
    ('done', 6)
    >>> runs.submit(CaseSource.bundled(), "as-described", list(range(51)), (1991, 1993))
    Traceback (most recent call last):
    ...
    regionet.core.errors.InvalidValueError: field 'seeds', value '51 seeds': too many seeds ...
    >>> runs.close()
"""

from __future__ import annotations

import logging
import queue
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, Literal

import pandas as pd

from regionet.core.errors import BusyError, InvalidValueError, RegionetError, UnknownReferenceError
from regionet.engines.dynamics.batch import summarize
from regionet.services.case_source import CaseSource
from regionet.services.dynamics import (
    check_patterns,
    dynamics_setup,
    run_simulation,
    runs_table,
)

__all__ = ["MAX_SEEDS", "MAX_SEED_YEARS", "Simulation", "SimulationRuns", "Status"]

#: The most seeds one submitted run may have.
MAX_SEEDS: Final = 50
#: The most work one submitted run may ask for: seeds × years simulated (600 ≈ 2 s here).
MAX_SEED_YEARS: Final = 600
#: The largest seed (seeds are 32-bit non-negative integers).
MAX_SEED: Final = 2**32 - 1

Status = Literal["queued", "running", "done", "failed"]
_LOG = logging.getLogger("regionet.simulations")


@dataclass(frozen=True, eq=False)
class Simulation:
    """A snapshot of one submitted run.

    Attributes:
        id: the run's id (``GET /api/simulations/{id}``).
        scenario, seeds, years: what was asked.
        status: ``queued``, ``running``, ``done`` or ``failed``.
        done: seeds finished (of ``len(seeds)``).
        submitted: when it was submitted (seconds since the epoch).
        rows: when done, one row per seed and year (``run_id`` is the seed's position).
        summary: when done, mean and quantiles per year of every output over the seeds.
        checks: when done, the case's pattern checks over the seeds.
        error: when failed, what went wrong.
    """

    id: str
    scenario: str
    seeds: tuple[int, ...]
    years: tuple[int, int]
    status: Status = "queued"
    done: int = 0
    submitted: float = field(default_factory=time.time)
    rows: pd.DataFrame | None = None
    summary: pd.DataFrame | None = None
    checks: pd.DataFrame | None = None
    error: RegionetError | None = None

    @property
    def total(self) -> int:
        """Seeds to run in all."""
        return len(self.seeds)

    @property
    def finished(self) -> bool:
        """True once done or failed."""
        return self.status in ("done", "failed")


def _check_request(source: CaseSource, scenario: str, seeds: Sequence[int],
                   years: tuple[int, int]) -> None:
    """Refuse a run that cannot or should not be queued (nothing is queued)."""
    if not seeds or len(seeds) > MAX_SEEDS:
        raise InvalidValueError("too many seeds" if seeds else "no seed", field="seeds",
                                value=f"{len(seeds)} seeds",
                                expected=f"1 to {MAX_SEEDS} seeds")
    if len(set(seeds)) != len(seeds) or any(not 0 <= s <= MAX_SEED for s in seeds):
        raise InvalidValueError("bad seeds", field="seeds", value=list(seeds)[:10],
                                expected=f"distinct integers from 0 to {MAX_SEED}")
    work = len(seeds) * (years[1] - years[0] + 1)
    if work > MAX_SEED_YEARS:
        raise InvalidValueError(
            "too much work for one request", field="seeds",
            value=f"{len(seeds)} seeds x {years[1] - years[0] + 1} years = {work}",
            expected=f"seeds x years <= {MAX_SEED_YEARS}",
            hint="Run larger sweeps with `regionet simulate sweep`.")
    dynamics_setup(source, years=years).scenario(scenario)


class SimulationRuns:
    """The runs one server keeps: a bounded store and one worker thread.

    Args:
        keep: how many runs are kept (finished ones are evicted oldest first).
        workers: worker threads running the queue.
    """

    def __init__(self, *, keep: int = 16, workers: int = 1) -> None:
        self.keep = keep
        self._runs: OrderedDict[str, Simulation] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[CaseSource, str] | None] = queue.SimpleQueue()
        self._closed = False
        # Daemon threads: a server that stops drops its queued runs (they live in memory
        # only) instead of running them all before it exits.
        self._workers = [threading.Thread(target=self._serve, daemon=True,
                                          name=f"regionet-simulation-{k}")
                         for k in range(workers)]
        for worker in self._workers:
            worker.start()

    def submit(self, source: CaseSource, scenario: str, seeds: Sequence[int],
               years: tuple[int, int]) -> Simulation:
        """Check and queue a run of ``scenario`` over ``seeds``; return its first snapshot.

        Raises:
            InvalidValueError: bad years or seeds, or more work than allowed.
            UnknownReferenceError: an unknown scenario (with the nearest names).
            BusyError: every kept run is still queued or running, or the runs are closed.
        """
        if self._closed:
            raise BusyError("the simulations are closed", field="simulations",
                            hint="The server is stopping.")
        _check_request(source, scenario, seeds, years)
        run = Simulation(secrets.token_hex(8), scenario, tuple(int(s) for s in seeds), years)
        with self._lock:
            if len(self._runs) >= self.keep:
                oldest = next((k for k, r in self._runs.items() if r.finished), None)
                if oldest is None:
                    raise BusyError(
                        "too many simulations queued or running", field="simulations",
                        value=len(self._runs), expected=f"fewer than {self.keep} unfinished",
                        hint="Retry when one of them has finished.")
                del self._runs[oldest]
            self._runs[run.id] = run
        self._queue.put((source, run.id))
        return run

    def get(self, run_id: str) -> Simulation:
        """Return the current snapshot of ``run_id``.

        Raises:
            UnknownReferenceError: an id that was never given, or whose run was evicted.
        """
        with self._lock:
            run = self._runs.get(run_id)
        if run is None:
            raise UnknownReferenceError(
                "no such simulation", field="id", value=run_id,
                expected=f"the id of one of the last {self.keep} runs submitted",
                hint="Finished runs are evicted, oldest first, when new ones come.")
        return run

    def wait(self, run_id: str, timeout: float = 60.0) -> Simulation:
        """Return the snapshot of ``run_id`` once finished (or after ``timeout`` seconds)."""
        end = time.monotonic() + timeout
        while not (run := self.get(run_id)).finished and time.monotonic() < end:
            time.sleep(0.01)
        return run

    def close(self) -> None:
        """Stop: the runs going on finish, the queued ones are dropped (marked failed)."""
        self._closed = True
        for _ in self._workers:
            self._queue.put(None)
        for worker in self._workers:
            worker.join()

    def _serve(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._closed:
                self._update(item[1], _stopped)
            else:
                self._execute(*item)

    def _update(self, run_id: str, change: Callable[[Simulation], Simulation]) -> None:
        with self._lock:
            if run_id in self._runs:
                self._runs[run_id] = change(self._runs[run_id])

    def _execute(self, source: CaseSource, run_id: str) -> None:
        run = self.get(run_id)
        self._update(run_id, lambda r: replace(r, status="running"))
        try:
            results = []
            for seed in run.seeds:
                results.append(run_simulation(source, run.scenario, seed, years=run.years))
                done = len(results)
                self._update(run_id, lambda r: replace(r, done=done))  # noqa: B023 (called now)
            rows = runs_table(results)
            summary = summarize(rows, by=("scenario", "year"))
            checks = check_patterns(source, rows)
        except RegionetError as error:
            failure = error
        except Exception as error:  # a run must never stay "running" for ever
            _LOG.exception("simulation %s failed", run_id)
            failure = RegionetError(f"the simulation failed unexpectedly "
                                    f"({type(error).__name__}); it has been logged")
        else:
            self._update(run_id, lambda r: replace(r, status="done", rows=rows,
                                                   summary=summary, checks=checks))
            return
        self._update(run_id, lambda r: replace(r, status="failed", error=failure))


def _stopped(run: Simulation) -> Simulation:
    """A queued run dropped when the runs were closed."""
    return replace(run, status="failed",
                   error=RegionetError("the server stopped before the simulation ran"))
