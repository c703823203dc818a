"""A small agent-based core in the manner of Mesa: the model owns its RNG; collecting is outside.

Three pieces, as in Mesa (Kazil, Masad and Crooks 2020) but vectorized: agents of one kind
are rows of NumPy arrays, not Python objects, so a step costs a few array operations whatever
the number of regions.

- :class:`Model`: the clock (``year``, ``steps``), ``running``, and the model's own random
  generators. One integer ``seed`` gives the model a :class:`numpy.random.SeedSequence`;
  each mechanism draws from its own child stream (:meth:`Model.stream`), so two scenarios run
  with one seed see the same random numbers wherever their mechanisms draw the same amount
  (common random numbers: differences between scenarios come from the scenarios, not the
  draws). Nothing uses the global ``random`` or ``numpy.random`` state.
- :class:`DataCollector`: named reporters (functions of the model) called once per step,
  kept as rows; :meth:`DataCollector.frame` returns them as a DataFrame.
- :func:`run`: step a model until a year (or until it stops) while collecting.

Batch runs and sweeps live outside the model (:mod:`regionet.engines.dynamics.batch`, and the
services for workers and files).

Examples:
    >>> class Counter(Model):
    ...     def __init__(self, seed):
    ...         super().__init__(seed, start_year=2000)
    ...         self.total = 0.0
    ...     def advance(self):
    ...         self.total += float(self.stream("draws").random())
    >>> c = DataCollector({"total": lambda m: m.total})
    >>> frame = run(Counter(7), until=2002, collector=c)
    >>> frame["year"].tolist(), bool(frame["total"].is_monotonic_increasing)
    ([2000, 2001, 2002], True)
    >>> again = DataCollector({"total": lambda m: m.total})
    >>> frame.equals(run(Counter(7), until=2002, collector=again))
    True
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from regionet.core.errors import InvalidValueError
from regionet.core.rng import make_rng

__all__ = ["DataCollector", "Model", "run"]


class Model:
    """Base of a time-stepped model: a clock, a ``running`` flag and seeded random streams.

    Subclasses implement :meth:`advance` (what happens in ``self.year``); :meth:`step` calls
    it and moves the clock one year on.

    Args:
        seed: a non-negative integer (the model's only source of randomness).
        start_year: the first year :meth:`step` simulates.

    Raises:
        InvalidValueError: a seed that is not a non-negative integer.
    """

    def __init__(self, seed: int, *, start_year: int) -> None:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise InvalidValueError("bad seed", field="seed", value=seed,
                                    expected="an integer >= 0")
        self.seed = int(seed)
        self.year = start_year
        self.steps = 0
        self.running = True
        self._streams: dict[str, np.random.Generator] = {}

    def stream(self, name: str) -> np.random.Generator:
        """Return the random generator of mechanism ``name`` (created on first use).

        Each name gets an independent stream derived from ``(seed, name)``, whatever the
        order in which mechanisms ask for theirs.
        """
        if name not in self._streams:
            words = [int.from_bytes(name.encode("utf-8")[k:k + 4].ljust(4, b"\0"), "little")
                     for k in range(0, max(len(name), 1), 4)]
            self._streams[name] = make_rng(np.random.default_rng(
                np.random.SeedSequence([self.seed, *words])))
        return self._streams[name]

    def advance(self) -> None:
        """Simulate ``self.year`` (subclasses override)."""
        raise NotImplementedError

    def step(self) -> None:
        """Simulate the current year, then move the clock to the next."""
        self.advance()
        self.year += 1
        self.steps += 1


Reporter = Callable[[Any], object]


class DataCollector:
    """Model-level reporters, called once per step; rows are kept until :meth:`frame`.

    Args:
        reporters: column name -> function of the model returning a plain value (or a
            mapping of them, for a batch that spreads it into columns).
        collect_year: record the model's ``year`` (the year just simulated) as the first
            column.
    """

    def __init__(self, reporters: Mapping[str, Reporter], *, collect_year: bool = True) -> None:
        self.reporters = dict(reporters)
        self.collect_year = collect_year
        self.rows: list[dict[str, object]] = []

    def collect(self, model: Model, year: int | None = None) -> None:
        """Record one row for ``model`` (``year`` defaults to the model's current year)."""
        row: dict[str, object] = {"year": model.year if year is None else year} \
            if self.collect_year else {}
        row.update({name: fn(model) for name, fn in self.reporters.items()})
        self.rows.append(row)

    def frame(self) -> pd.DataFrame:
        """Return the rows collected so far as a DataFrame (one row per step)."""
        return pd.DataFrame(self.rows)


def run(model: Model, *, until: int, collector: DataCollector | None = None) -> pd.DataFrame:
    """Step ``model`` through year ``until`` (inclusive) or until it stops running.

    After each step the collector records the year just simulated. Returns the collector's
    frame (empty without a collector).
    """
    while model.running and model.year <= until:
        year = model.year
        model.step()
        if collector is not None:
            collector.collect(model, year)
    return collector.frame() if collector is not None else pd.DataFrame()
