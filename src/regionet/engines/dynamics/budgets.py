"""Regional budgets: expenditure needs, what ties bring and cost, fiscal stress.

Equations (``docs/dynamics.md``, "Budgets and stress"):

- need ``N_i = ν · P_i x_i · (Σ_j K_j + F*) / Σ_j P_j x_j`` where ``P`` is population, ``x`` the
  expenditure index, ``K`` the regions' tax capacity and ``F*`` the equalization fund at the
  law's full collection: at ``ν = 1`` the law's money covers the federation's needs exactly;
- tie gains ``G_i = N_i g_max (1 − exp(−Σ_k g_k n_ik / g_max))`` (trade, barter, aid and
  programmes, with diminishing returns) and costs ``C_i = N_i (c n_i + Σ_q m_q p)`` (the
  effort of keeping ``n_i`` ties, and the matching funds ``m_q p`` of each programme tie);
- stress ``S_i = clip(1 − (R_i + T_i + B_i + G_i − C_i) / N_i, 0, 1)``.

Examples:
    >>> import numpy as np
    >>> stress(np.array([50.0, 120.0]), np.array([100.0, 100.0])).tolist()
    [0.5, 0.0]
    >>> round(float(gains(np.array([100.0]), np.array([[2.0, 0.0]]), np.array([0.01, 0.02]),
    ...                   cap=0.1)[0]), 4)
    1.8127
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["gains", "need", "stress"]

FloatArray = npt.NDArray[np.float64]


def need(population: FloatArray, expenditure_index: FloatArray, capacity_total: float,
         fund: float, ratio: float) -> FloatArray:
    """Expenditure need of each region (module docstring)."""
    weight = population * expenditure_index
    return np.asarray(ratio * weight * (capacity_total + fund) / weight.sum(), dtype=np.float64)


def gains(needs: FloatArray, counts: FloatArray, per_tie: FloatArray, *, cap: float
          ) -> FloatArray:
    """What ties bring: ``counts`` is regions × kinds, ``per_tie`` the gain per tie by kind."""
    raw = counts @ per_tie
    return np.asarray(needs * cap * (1.0 - np.exp(-raw / cap)), dtype=np.float64)


def stress(budget: FloatArray, needs: FloatArray) -> FloatArray:
    """Fiscal stress: the share of need the budget leaves uncovered, in [0, 1]."""
    return np.asarray(np.clip(1.0 - budget / needs, 0.0, 1.0), dtype=np.float64)
