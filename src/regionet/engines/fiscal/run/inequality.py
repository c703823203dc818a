"""Inequality between regions: Gini, Theil T and max/min ratio, before and after transfers.

Values are per-capita amounts of regions; with ``weights`` (population) each region counts as
its residents, i.e. the measures describe persons who all get their region's per-capita
value (the *population-weighted* variants); without weights every region counts once.

- **Gini** (Gini 1912): ``G = Σ_i Σ_j w_i w_j |x_i − x_j| / (2 W² μ)`` with ``W = Σ w`` and
  ``μ = Σ w x / W``; computed exactly from the Lorenz curve, ``G = 1 − Σ_k (P_k − P_{k−1})
  (L_k + L_{k−1})`` (values sorted; ``P``, ``L`` cumulative population and value shares).
  No small-sample correction ``n / (n − 1)``.
- **Theil T** (Theil 1967, *Economics and Information Theory*; Cowell 2011, *Measuring
  Inequality*, ch. 3): ``T = Σ_i (w_i / W) (x_i / μ) ln(x_i / μ)``, with ``0 ln 0 = 0``.
  0 for equality, ``ln W/w_min``-type maximum when one region has everything.
- **max/min**: highest over lowest value among regions with positive weight (∞ if the
  lowest is 0), the measure of the "12× in 1992, 40× in 2000" spread (fiscal-russia.md).

Examples:
    >>> inequality([1.0, 1.0, 1.0])
    {'gini': 0.0, 'theil': 0.0, 'max_min': 1.0}
    >>> {k: round(v, 4) for k, v in inequality([0.0, 1.0]).items()}
    {'gini': 0.5, 'theil': 0.6931, 'max_min': inf}
    >>> round(inequality([1.0, 3.0], weights=[3.0, 1.0])["gini"], 4)  # 3 persons at 1, 1 at 3
    0.25
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from regionet.core.errors import InvalidValueError

if TYPE_CHECKING:
    from regionet.engines.fiscal.run.pipeline import FiscalResult, YearResult

__all__ = ["inequality", "inequality_before_after", "lorenz"]

FloatArray = npt.NDArray[np.float64]


def _prepare(values: npt.ArrayLike, weights: npt.ArrayLike | None) -> tuple[FloatArray, FloatArray]:
    """Validate, drop zero weights and sort by value."""
    x = np.asarray(values, dtype=np.float64)
    w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=np.float64)
    if x.ndim != 1 or w.shape != x.shape or len(x) == 0:
        raise InvalidValueError("values and weights must be 1-D and of one non-zero length",
                                field="values", value=(x.shape, w.shape))
    for name, array in (("values", x), ("weights", w)):
        if not np.all(np.isfinite(array) & (array >= 0)):
            i = int(np.flatnonzero(~(np.isfinite(array) & (array >= 0)))[0])
            raise InvalidValueError(f"bad {name} (index {i})", field=name, value=float(array[i]),
                                    expected="finite numbers >= 0")
    keep = w > 0
    if not keep.any():
        raise InvalidValueError("all weights are zero", field="weights", expected="some > 0")
    order = np.argsort(x[keep], kind="stable")
    return x[keep][order], w[keep][order]


def lorenz(values: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> pd.DataFrame:
    """Lorenz curve points: cumulative population share and value share, from (0, 0).

    Examples:
        >>> lorenz([3.0, 1.0]).round(3).to_dict("list")
        {'population_share': [0.0, 0.5, 1.0], 'value_share': [0.0, 0.25, 1.0]}
    """
    x, w = _prepare(values, weights)
    mass = w * x
    total = float(mass.sum())
    share = np.cumsum(mass) / total if total > 0 else np.cumsum(w) / w.sum()
    return pd.DataFrame({"population_share": np.concatenate([[0.0], np.cumsum(w) / w.sum()]),
                         "value_share": np.concatenate([[0.0], share])})


def inequality(values: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> dict[str, float]:
    """Return ``{"gini", "theil", "max_min"}`` of ``values`` (see the module docstring).

    All-zero values count as equal (Gini and Theil 0, max/min NaN).

    Raises:
        InvalidValueError: negative or non-finite values or weights, unequal lengths, no
            positive weight.
    """
    x, w = _prepare(values, weights)
    W, mu = float(w.sum()), float((w * x).sum() / w.sum())
    if mu == 0.0:
        return {"gini": 0.0, "theil": 0.0, "max_min": math.nan}
    p = np.concatenate([[0.0], np.cumsum(w) / W])
    lc = np.concatenate([[0.0], np.cumsum(w * x) / (W * mu)])
    gini = float(1.0 - np.sum(np.diff(p) * (lc[1:] + lc[:-1])))
    ratio = x / mu
    logs = np.log(ratio, out=np.zeros_like(ratio), where=ratio > 0)
    theil = float(np.sum(w / W * ratio * logs))
    max_min = float(x[-1] / x[0]) if x[0] > 0 else math.inf
    return {"gini": max(gini, 0.0), "theil": max(theil, 0.0), "max_min": max_min}


def inequality_before_after(result: YearResult | FiscalResult | pd.DataFrame, *,
                            weighted: bool = True) -> pd.DataFrame:
    """Inequality of own revenue per capita (before) and own + transfers per capita (after).

    Returns:
        One row per year and measure: ``year, measure, before, after, change``
        (``change = after − before``), population-weighted unless ``weighted=False``.

    Examples:
        >>> frame = pd.DataFrame({"year": [1999, 1999], "population": [1.0, 1.0],
        ...     "revenue_regional_per_capita": [3.0, 1.0], "total_per_capita": [3.0, 3.0]})
        >>> inequality_before_after(frame)[["measure", "before", "after"]].round(3).values.tolist()
        [['gini', 0.25, 0.0], ['theil', 0.131, 0.0], ['max_min', 3.0, 1.0]]
    """
    frame = result if isinstance(result, pd.DataFrame) else result.regions
    rows = []
    for year, group in frame.groupby("year", sort=True):
        weights = group["population"].to_numpy() if weighted else None
        before = inequality(group["revenue_regional_per_capita"].to_numpy(), weights)
        after = inequality(group["total_per_capita"].to_numpy(), weights)
        rows += [{"year": year, "measure": m, "before": before[m], "after": after[m],
                  "change": after[m] - before[m]} for m in before]
    return pd.DataFrame(rows, columns=["year", "measure", "before", "after", "change"])
