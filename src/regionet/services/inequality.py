"""Inequality between regions for charts: Lorenz curves with their Gini index.

The measures themselves (Gini, Theil T, max/min, population-weighted) are defined in
:mod:`regionet.engines.fiscal.run.inequality`; this module hands the Lorenz curve of a
per-capita quantity to the interfaces, which draw it
(:func:`regionet.interfaces.figures.lorenz_chart`).

Examples:
    >>> curve = lorenz_curve([3.0, 1.0])
    >>> curve.population_share.tolist(), curve.value_share.tolist(), curve.gini
    ([0.0, 0.5, 1.0], [0.0, 0.25, 1.0], 0.25)
    >>> lorenz_curve([1.0, 3.0], weights=[3.0, 1.0]).gini   # 3 persons at 1, 1 at 3
    0.25
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from regionet.engines.fiscal.run.inequality import inequality, lorenz

__all__ = ["LorenzCurve", "lorenz_curve"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LorenzCurve:
    """The Lorenz curve of a per-capita quantity over regions.

    Attributes:
        population_share: cumulative share of the population (or of the regions, without
            weights), from 0 to 1, regions ordered by value.
        value_share: cumulative share of the total held by that population, from 0 to 1.
        gini: the Gini index of the curve.
    """

    population_share: FloatArray
    value_share: FloatArray
    gini: float


def lorenz_curve(values: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> LorenzCurve:
    """Return the Lorenz curve and Gini index of per-capita ``values``.

    Args:
        values: per-capita values, one per region.
        weights: the population of each region (None: each region counts once).

    Raises:
        InvalidValueError: negative or non-finite values or weights, unequal lengths, no
            positive weight.
    """
    curve = lorenz(values, weights)
    return LorenzCurve(curve["population_share"].to_numpy(dtype=np.float64),
                       curve["value_share"].to_numpy(dtype=np.float64),
                       inequality(values, weights)["gini"])
