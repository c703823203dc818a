"""Outputs of the fiscal pipeline: donors and recipients, the flow matrix, winners and losers.

Inequality measures and Lorenz curves are in :mod:`regionet.engines.fiscal.run.inequality`.
Functions take a :class:`~regionet.engines.fiscal.run.pipeline.YearResult`, a
:class:`~regionet.engines.fiscal.run.pipeline.FiscalResult` (all years) or the per-region frame.

Examples:
    >>> frame = pd.DataFrame({"region": ["A", "B"], "year": [1999, 1999],
    ...                       "revenue_federal_collected": [80.0, 20.0],
    ...                       "transfers": [0.0, 10.0], "net_flow": [-80.0, -10.0]})
    >>> flow_matrix(frame)
         A    B  centre
    A  0.0  8.0    72.0
    B  0.0  2.0    18.0
    >>> donors_recipients(frame, "no_equalization_transfer")["status"].tolist()
    ['donor', 'recipient']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from regionet.core.errors import InvalidValueError, UnknownReferenceError, did_you_mean

if TYPE_CHECKING:
    from regionet.engines.fiscal.run.pipeline import FiscalResult, YearResult

__all__ = ["DONOR_DEFINITIONS", "donor_counts", "donors_recipients", "flow_matrix",
           "winners_losers"]

#: Donor definitions: name -> (column measured, what a donor is).
DONOR_DEFINITIONS: Final = {
    "no_equalization_transfer": (
        "transfers", "donor (self-sufficient): receives no equalization transfer; "
                     "recipient: receives one"),
    "net_contributor": (
        "net_flow", "donor: the centre collects more in the region than it transfers to it "
                    "(net_flow < 0); recipient: net_flow > 0; balanced: net_flow = 0"),
    "net_federal_flow": (
        "net_federal_flow", "donor: the federal taxes collected in the region exceed the FFPR "
                            "transfer and the other aid (net_federal_flow < 0, Lavrov's net "
                            "federal flows); recipient: > 0; balanced: 0"),
    "net_federal_flow_with_direct_spending": (
        "net_federal_flow_with_direct_spending",
        "as net_federal_flow, also counting the centre's direct spending in the region"),
}


def _frame(result: YearResult | FiscalResult | pd.DataFrame) -> pd.DataFrame:
    return result if isinstance(result, pd.DataFrame) else result.regions


def donors_recipients(result: YearResult | FiscalResult | pd.DataFrame,
                      definition: str = "net_contributor") -> pd.DataFrame:
    """Classify each region-year as ``donor``, ``recipient`` or ``balanced``.

    Args:
        result: a pipeline result or its per-region frame.
        definition: a name in :data:`DONOR_DEFINITIONS`: ``no_equalization_transfer`` (a
            region with zero transfer is a donor: the count reported as 9–19 regions a year,
            fiscal-russia.md), ``net_contributor`` (the FFPR transfer below the federal
            revenue collected), ``net_federal_flow`` (every transfer channel; Lavrov 2001
            counts 49 donor regions 1995–99 by net federal flows) or
            ``net_federal_flow_with_direct_spending`` (33 in 1998, 44 in 1999).

    Returns:
        Columns ``region, year, definition, measure, value, status``.

    Raises:
        UnknownReferenceError: unknown definition.
    """
    if definition not in DONOR_DEFINITIONS:
        raise UnknownReferenceError("unknown donor definition", field="definition",
                                    value=definition,
                                    expected="one of " + ", ".join(DONOR_DEFINITIONS),
                                    hint=did_you_mean(definition, DONOR_DEFINITIONS, n=1))
    frame = _frame(result)
    column = DONOR_DEFINITIONS[definition][0]
    value = frame[column].to_numpy(dtype=np.float64)
    if definition == "no_equalization_transfer":
        status = np.where(value == 0.0, "donor", "recipient")
    else:
        status = np.where(value < 0.0, "donor", np.where(value > 0.0, "recipient", "balanced"))
    return pd.DataFrame({"region": frame["region"].to_numpy(), "year": frame["year"].to_numpy(),
                         "definition": definition, "measure": column, "value": value,
                         "status": status})


def donor_counts(result: YearResult | FiscalResult | pd.DataFrame,
                 definition: str = "net_contributor") -> pd.DataFrame:
    """Number of donor, recipient and balanced regions per year under ``definition``.

    Examples:
        >>> frame = pd.DataFrame({"region": ["A", "B", "C"], "year": [2000] * 3,
        ...                       "transfers": [0.0, 1.0, 2.0], "net_flow": [-5.0, 1.0, 0.0]})
        >>> donor_counts(frame).to_dict("records")
        [{'year': 2000, 'donor': 1, 'recipient': 1, 'balanced': 1}]
    """
    table = donors_recipients(result, definition)
    counts = pd.crosstab(table["year"], table["status"])
    counts = counts.reindex(columns=["donor", "recipient", "balanced"], fill_value=0)
    counts.columns.name = None
    return counts.reset_index()


def flow_matrix(result: YearResult | FiscalResult | pd.DataFrame,
                year: int | None = None) -> pd.DataFrame:
    """The region → centre → region matrix of one year.

    The centre pools the federal revenue collected in every region and pays transfers out of
    the pool pro rata, so ``M[i, j] = f_i · t_j / Σ_k f_k`` (``f`` federal revenue collected in
    a region, ``t`` transfers) and ``centre[i] = f_i · (1 − Σ_j t_j / Σ_k f_k)`` is what the
    centre keeps of region ``i``'s money. Each row sums to ``f_i``; the columns of the regions
    sum to their transfers when ``Σ f > 0``. If transfers exceed federal revenue (a published
    fund total larger than the modelled revenue) ``centre`` is negative.

    Args:
        result: one year's result, or a multi-year result / frame with ``year`` given.
        year: the year to show (required when the frame holds several years).

    Raises:
        InvalidValueError: several years and no ``year``.
    """
    frame = _frame(result)
    years = frame["year"].unique()
    if year is None and len(years) > 1:
        raise InvalidValueError("the result holds several years", field="year",
                                expected=f"year= one of {sorted(int(y) for y in years)}")
    if year is not None:
        frame = frame[frame["year"] == year]
    federal = frame["revenue_federal_collected"].to_numpy(dtype=np.float64)
    transfers = frame["transfers"].to_numpy(dtype=np.float64)
    total = float(federal.sum())
    regions = frame["region"].to_list()
    if total > 0:
        matrix = np.outer(federal, transfers / total)
        centre = federal * (1.0 - float(transfers.sum()) / total)
    else:
        matrix, centre = np.zeros((len(federal), len(federal))), federal.copy()
    out = pd.DataFrame(matrix, index=pd.Index(regions), columns=pd.Index(regions))
    out["centre"] = centre
    return out


def winners_losers(result_a: YearResult | FiscalResult | pd.DataFrame,
                   result_b: YearResult | FiscalResult | pd.DataFrame,
                   measure: str = "total_per_capita") -> pd.DataFrame:
    """Per-region change of ``measure`` from ``result_a`` (e.g. baseline) to ``result_b``.

    Returns:
        Columns ``region, year, a, b, difference (b − a), relative (difference / |a|, NaN
        when a = 0), status`` (``winner``, ``loser``, ``unchanged``), sorted by difference,
        largest gain first.

    Raises:
        InvalidValueError: unknown measure, or the two results cover different regions/years.

    Examples:
        >>> a = pd.DataFrame({"region": ["A", "B"], "year": [1999] * 2, "x": [1.0, 2.0]})
        >>> b = a.assign(x=[1.5, 1.0])
        >>> winners_losers(a, b, "x")[["region", "difference", "status"]].values.tolist()
        [['A', 0.5, 'winner'], ['B', -1.0, 'loser']]
    """
    first, second = _frame(result_a), _frame(result_b)
    for frame in (first, second):
        if measure not in frame.columns:
            raise InvalidValueError("unknown measure", field="measure", value=measure,
                                    expected="a numeric column of the results")
    keys = ["region", "year"]
    merged = first[[*keys, measure]].merge(second[[*keys, measure]], on=keys, how="outer",
                                           suffixes=("_a", "_b"), indicator=True)
    if (merged["_merge"] != "both").any():
        row = merged[merged["_merge"] != "both"].iloc[0]
        raise InvalidValueError("the results cover different regions or years", field="region",
                                value=f"{row['region']} {row['year']}",
                                expected="the same regions and years in both results")
    a = merged[f"{measure}_a"].to_numpy(dtype=np.float64)
    b = merged[f"{measure}_b"].to_numpy(dtype=np.float64)
    difference = b - a
    relative = np.divide(difference, np.abs(a), out=np.full(len(a), np.nan), where=a != 0)
    status = np.where(difference > 0, "winner", np.where(difference < 0, "loser", "unchanged"))
    out = pd.DataFrame({"region": merged["region"], "year": merged["year"], "a": a, "b": b,
                        "difference": difference, "relative": relative, "status": status})
    return out.sort_values(["difference", "year", "region"], ascending=[False, True, True],
                           kind="stable").reset_index(drop=True)
