"""Measures of a run set beside published figures: counts of donors, stage-2 recipients, ratios.

Each published figure of the case (``economy/published_figures.csv``: about 13 regions without
an equalization transfer in 1999, 33 with stage-2 money, Lavrov's 49 net donors…) names a
measure here by its ``figure`` id. A measure reads the results of the years of its period
(``actual``) and, for a shortfall against plan, the same years run at full collection
(``plan``); it returns one number. The measures compute only what the run's columns and trace
hold, so a figure the model cannot produce shows that, with the reason the case file gives.

Examples:
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"region": ["A", "B", "C"] * 2, "year": [1998] * 3 + [1999] * 3,
    ...                       "net_federal_flow": [-5.0, 1.0, 2.0, 4.0, -2.0, -3.0]})
    >>> donors_over(frame, "net_federal_flow", 1998, 1999)   # sums -5+4, 1-2, 2-3
    3
    >>> donors_over(frame, "net_federal_flow", 1999, 1999)
    2
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from regionet.core.errors import InvalidValueError, UnknownReferenceError, did_you_mean

if TYPE_CHECKING:
    from regionet.engines.fiscal.run.pipeline import YearResult

__all__ = ["MEASURES", "PLAN_SHORTFALL", "Measure", "donors_over", "measure"]

#: A measure: (actual results by year, plan results by year, first year, last year) -> value.
Measure = Callable[["Mapping[int, YearResult]", "Mapping[int, YearResult]", int, int], float]
#: The shortfall against plan the 1999 figure counts (transfers ≥ 15 points below plan).
PLAN_SHORTFALL: Final = 0.15


def _year(results: Mapping[int, YearResult], first: int, last: int, figure: str) -> YearResult:
    if first != last:
        raise InvalidValueError(f"{figure} is a one-year measure", field="year_to",
                                value=f"{first}–{last}", expected="year_from = year_to")
    if first not in results:
        raise UnknownReferenceError("year not run", field="year_from", value=first,
                                    expected=f"one of {sorted(results)}")
    return results[first]


def _stage_2(result: YearResult) -> np.ndarray:
    stage_2 = result.allocation.details.get("stage_2")
    if not isinstance(stage_2, np.ndarray):  # another method than two_stage: no stage 2
        return np.zeros(len(result.regions), dtype=bool)
    return stage_2 > 0


def donors_over(frame: pd.DataFrame, column: str, first: int, last: int) -> int:
    """Regions whose ``column`` summed over ``first``–``last`` is negative."""
    period = frame[(frame["year"] >= first) & (frame["year"] <= last)]
    return int((period.groupby("region")[column].sum() < 0).sum())


def _frame(results: Mapping[int, YearResult], first: int, last: int) -> pd.DataFrame:
    missing = [y for y in range(first, last + 1) if y not in results]
    if missing:
        raise UnknownReferenceError("year not run", field="year_from", value=missing[0],
                                    expected=f"one of {sorted(results)}")
    return pd.concat([results[y].regions for y in range(first, last + 1)], ignore_index=True)


def no_equalization_transfer(actual: Mapping[int, YearResult], plan: Mapping[int, YearResult],
                             first: int, last: int) -> float:
    """Regions whose FFPR transfer is 0."""
    year = _year(actual, first, last, "no_equalization_transfer")
    return float((year.regions["transfers"].to_numpy() == 0.0).sum())


def stage_2_recipients(actual: Mapping[int, YearResult], plan: Mapping[int, YearResult],
                       first: int, last: int) -> float:
    """Regions with stage-2 money (0 in a year whose method has no stage 2)."""
    return float(_stage_2(_year(actual, first, last, "stage_2_recipients")).sum())


def stage_2_share_of_fund(actual: Mapping[int, YearResult], plan: Mapping[int, YearResult],
                          first: int, last: int) -> float:
    """Per cent of the FFPR paid to the regions with stage-2 money (NaN with no transfer)."""
    year = _year(actual, first, last, "stage_2_share_of_fund")
    transfers = year.regions["transfers"].to_numpy()
    total = float(transfers.sum())
    return 100.0 * float(transfers[_stage_2(year)].sum()) / total if total else float("nan")


def net_donors(actual: Mapping[int, YearResult], plan: Mapping[int, YearResult],
               first: int, last: int) -> float:
    """Regions whose net federal flow summed over the period is negative."""
    return float(donors_over(_frame(actual, first, last), "net_federal_flow", first, last))


def net_donors_with_direct_spending(actual: Mapping[int, YearResult],
                                    plan: Mapping[int, YearResult],
                                    first: int, last: int) -> float:
    """As :func:`net_donors`, with the centre's direct spending counted."""
    return float(donors_over(_frame(actual, first, last),
                             "net_federal_flow_with_direct_spending", first, last))


def spending_max_min(actual: Mapping[int, YearResult], plan: Mapping[int, YearResult],
                     first: int, last: int) -> float:
    """Highest over lowest regional spending per capita (∞ if the lowest is 0)."""
    spending = _year(actual, first, last, "spending_max_min").regions[
        "spending_regional_per_capita"].to_numpy()
    low = float(spending.min())
    return float(spending.max()) / low if low > 0 else float("inf")


def transfers_below_plan(actual: Mapping[int, YearResult], plan: Mapping[int, YearResult],
                         first: int, last: int) -> float:
    """Planned FFPR recipients whose transfer is at least 15 points below plan.

    The plan is the year run at full collection (the law's formula on the revenue the budget
    expected); ``1 − actual / plan ≥ 0.15`` counts, up to float64 rounding.
    """
    done = _year(actual, first, last, "transfers_below_plan").regions["transfers"].to_numpy()
    planned = _year(plan, first, last, "transfers_below_plan").regions["transfers"].to_numpy()
    recipients = planned > 0
    shortfall = 1.0 - done[recipients] / planned[recipients]
    return float((shortfall >= PLAN_SHORTFALL - 1e-12).sum())


#: Every measure by the ``figure`` id of the published-figures file.
MEASURES: Final[dict[str, Measure]] = {
    f.__name__: f for f in (no_equalization_transfer, stage_2_recipients, stage_2_share_of_fund,
                            net_donors, net_donors_with_direct_spending, spending_max_min,
                            transfers_below_plan)}


def measure(figure: str) -> Measure:
    """The measure of ``figure``.

    Raises:
        UnknownReferenceError: no measure of that name (with the nearest ones).
    """
    if figure not in MEASURES:
        raise UnknownReferenceError("no measure for this figure", field="figure", value=figure,
                                    expected="one of " + ", ".join(MEASURES),
                                    hint=did_you_mean(figure, MEASURES))
    return MEASURES[figure]
