"""Pattern-oriented checks: several observed patterns at once, over many seeds (Grimm et al. 2005).

A :class:`Target` names an output column (:mod:`.outputs`), a statistic over years and the
range the observed pattern allows, with its source. :func:`evaluate` computes the statistic
for every run, averages it over the runs (seeds) and says whether the mean falls in the range,
with a **distance** ``|mean − centre| / half-width`` (≤ 1 inside the range) that the
calibration minimizes. Statistics:

- ``each``: the value in every year of ``years`` (one check per year);
- ``at_end``: the value in the last year of ``years``;
- ``sum``: the sum over ``years``;
- ``share``: the sum over ``years`` divided by the sum over ``window``.

References:
    .. [1] V. Grimm et al., "Pattern-oriented modeling of agent-based complex systems: lessons
       from ecology", Science 310(5750), 2005, 987-991.

Examples:
    >>> import pandas as pd
    >>> runs = pd.DataFrame({"run_id": [0, 0, 1, 1], "year": [1995, 1996] * 2,
    ...                      "treaties_signed": [1, 3, 2, 2]})
    >>> t = Target("wave", "treaties_signed", "share", (1996, 1996), 0.5, 1.0,
    ...            window=(1995, 1996), source="s")
    >>> evaluate(runs, [t])[["target", "mean", "passed"]].values.tolist()
    [['wave', 0.625, True]]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from regionet.core.errors import InvalidValueError

__all__ = ["STATISTICS", "Target", "evaluate", "total_distance"]

#: The statistics a target may use (module docstring).
STATISTICS: Final = ("each", "at_end", "sum", "share")


@dataclass(frozen=True)
class Target:
    """One observed pattern (module docstring).

    Attributes:
        name: short identifier (``treaty_regions_1998``).
        column: the output column it reads.
        statistic: one of :data:`STATISTICS`.
        years: first and last year (inclusive).
        low, high: the range the mean over seeds must fall in.
        window: the denominator's years for ``share``.
        source: document and locator of the observed pattern.
        status: the source's status (verified / partial / assumed).
        note: how the range was derived.
    """

    name: str
    column: str
    statistic: str
    years: tuple[int, int]
    low: float
    high: float
    window: tuple[int, int] | None = None
    source: str = ""
    status: str = "verified"
    note: str = ""

    def __post_init__(self) -> None:
        if self.statistic not in STATISTICS:
            raise InvalidValueError("unknown statistic", field="statistic", value=self.statistic,
                                    expected="one of " + ", ".join(STATISTICS))
        if self.low > self.high or self.years[0] > self.years[1]:
            raise InvalidValueError("empty range", field=self.name,
                                    value=(self.low, self.high, self.years),
                                    expected="low <= high and a first year <= the last")
        if self.statistic == "share" and self.window is None:
            raise InvalidValueError("a share needs a window", field=self.name,
                                    expected="window: (first year, last year)")


def _per_run(frame: pd.DataFrame, target: Target) -> pd.DataFrame:
    """The statistic for each run: columns ``run_id``, ``label``, ``value``."""
    if target.column not in frame.columns:
        raise InvalidValueError("the runs have no such output", field=target.column,
                                value=target.name, expected="a column of the model's outputs")
    first, last = target.years
    inside = frame[(frame["year"] >= first) & (frame["year"] <= last)]
    if target.statistic == "each":
        out = inside[["run_id", "year", target.column]].rename(columns={target.column: "value"})
        return out.assign(label=out["year"].astype(str))[["run_id", "label", "value"]]
    if target.statistic == "at_end":
        out = inside[inside["year"] == last][["run_id", target.column]]
        return out.rename(columns={target.column: "value"}).assign(label=str(last))
    total = inside.groupby("run_id")[target.column].sum()
    if target.statistic == "share":
        a, b = target.window or target.years
        around = frame[(frame["year"] >= a) & (frame["year"] <= b)]
        denominator = around.groupby("run_id")[target.column].sum()
        total = (total / denominator.replace(0, np.nan)).dropna()
    return pd.DataFrame({"run_id": total.index, "value": total.to_numpy(),
                         "label": f"{first}-{last}"})


def evaluate(frame: pd.DataFrame, targets: Iterable[Target]) -> pd.DataFrame:
    """Check ``targets`` against runs (one row per run and year, with ``run_id``, ``year``).

    Returns:
        One row per target and label (a year for ``each``): ``target, label, column, mean,
        q10, q90, low, high, passed, distance, share_in_range, runs, source, status``.

    Raises:
        InvalidValueError: a target reads a column the runs do not have.
    """
    rows = []
    for target in targets:
        per_run = _per_run(frame, target)
        centre, half = (target.low + target.high) / 2, (target.high - target.low) / 2
        scale = half if half > 0 else max(abs(centre) * 0.05, 0.5)
        for label, group in per_run.groupby("label", sort=True):
            values = group["value"].to_numpy(dtype=np.float64)
            mean = float(values.mean())
            rows.append({
                "target": target.name, "label": str(label), "column": target.column,
                "mean": mean, "q10": float(np.quantile(values, 0.1)),
                "q90": float(np.quantile(values, 0.9)), "low": target.low, "high": target.high,
                "passed": bool(target.low <= mean <= target.high),
                "distance": abs(mean - centre) / scale,
                "share_in_range": float(((values >= target.low) & (values <= target.high)).mean()),
                "runs": len(values), "source": target.source, "status": target.status})
    return pd.DataFrame(rows)


def total_distance(checks: pd.DataFrame, weights: Sequence[float] | None = None) -> float:
    """Mean distance over targets.

    Each target's labels are averaged first, so a yearly series counts as much as one number.
    """
    per_target = checks.groupby("target", sort=True)["distance"].mean()
    w = np.ones(len(per_target)) if weights is None else np.asarray(weights, dtype=np.float64)
    return float(np.average(per_target.to_numpy(), weights=w))
