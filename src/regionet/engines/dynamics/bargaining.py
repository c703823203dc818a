"""Bargaining with the centre: leverage, selective fiscal appeasement, power-sharing treaties.

Treisman (1996, *BJPolS* 26(3); 1999, *After the Deluge*) found that Moscow's transfers and
tax privileges went disproportionately to regions that could threaten it (sovereignty
declarations, strikes, a low federal vote): "selective fiscal appeasement". Bilateral
power-sharing treaties followed from 1994 (Tatarstan, 15 February 1994) with a wave before the
1996 presidential election, the last in 1998; some were signed jointly by a krai or oblast and
its autonomous okrugs (``dynamics/treaties.csv``).

Equations (``docs/dynamics.md``, "Bargaining"):

- leverage ``L_i = l_rep·republic_i + l_res·resource_i + l_disc·D_i + l_pop·ln(P_i / median P)``
  with ``D_i`` last year's donor discontent;
- appeasement: a share ``θ_t = θ0 (1 − r_t)`` of the fund ``F_t`` is bargained instead of
  allocated by the formula, ``B_i = θ_t F_t · w_i`` with ``w_i ∝ max(L_i − median L, 0)`` (only
  regions above the median leverage receive: selective); the model pays ``k_t`` of it;
- treaty hazard of a region without one (okrugs sign only with their parent)
  ``h_i = 1 − exp(−η · w_t · (1 + η_e · e_t) · (1 − r_t) · max(L_i, 0))`` with ``w_t`` the
  treaty window, ``e_t`` the election year and ``r_t`` the centre's resolve; a parent's okrugs
  co-sign with probability ``p_joint``.

Examples:
    >>> import numpy as np
    >>> appeasement(100.0, 0.5, np.array([0.0, 1.0, 2.0, 5.0])).tolist()
    [0.0, 0.0, 6.25, 43.75]
    >>> treaty_hazard(np.array([0.0, 1.0]), rate=1.0, window=1.0, election=0.0, boost=0.0,
    ...               resolve=0.0).round(4).tolist()
    [0.0, 0.6321]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["appeasement", "leverage", "median", "sign_treaties", "treaty_hazard"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.intp]


def leverage(republic: BoolArray, resource: BoolArray, discontent: FloatArray,
             population: FloatArray, *, w_republic: float, w_resource: float,
             w_discontent: float, w_population: float) -> FloatArray:
    """Return each region's bargaining leverage ``L_i`` (module docstring)."""
    size = np.log(population / np.median(population))
    return np.asarray(w_republic * republic + w_resource * resource
                      + w_discontent * discontent + w_population * size, dtype=np.float64)


def median(values: FloatArray) -> float:
    """``np.median`` of a 1-D float array, bit for bit, without its generic overhead.

    One partition, then the middle element or the mean of the two middle ones; NaN when a
    value is NaN (as ``np.median``).

    Examples:
        >>> import numpy as np
        >>> median(np.array([3.0, 1.0, 2.0])), median(np.array([4.0, 1.0, 2.0, 3.0]))
        (2.0, 2.5)
        >>> median(np.array([1.0, np.nan, 2.0]))
        nan
    """
    n = len(values)
    if n == 0:
        return float(np.median(values))
    k = n // 2
    part = np.partition(values, [k - 1, k, -1] if n % 2 == 0 else [k, -1])
    if np.isnan(part[-1]):
        return float("nan")
    return float((part[k - 1] + part[k]) / 2 if n % 2 == 0 else part[k])


def appeasement(amount: float, share: float, lev: FloatArray) -> FloatArray:
    """Split ``share × amount`` among regions above the median leverage, by their excess."""
    excess = np.maximum(lev - median(lev), 0.0)
    total = float(excess.sum())
    if total <= 0.0 or amount <= 0.0 or share <= 0.0:
        return np.zeros(len(lev))
    return np.asarray(share * amount * excess / total, dtype=np.float64)


def treaty_hazard(lev: FloatArray, *, rate: float, window: float, election: float,
                  boost: float, resolve: float) -> FloatArray:
    """Yearly probability that a region signs a treaty (module docstring)."""
    intensity = rate * window * (1.0 + boost * election) * max(1.0 - resolve, 0.0)
    return np.asarray(1.0 - np.exp(-intensity * np.maximum(lev, 0.0)), dtype=np.float64)


def sign_treaties(hazard: FloatArray, signed: BoolArray, parent: IntArray, draws: FloatArray,
                  joint_draws: FloatArray, joint_share: float) -> tuple[BoolArray, BoolArray]:
    """Return ``(signers, co-signers)`` this year.

    A region without a treaty and without a parent signs when its draw is below its hazard;
    each okrug of a signer co-signs when its joint draw is below ``joint_share``. A joint
    treaty is one treaty: count treaties by ``signers``, regions by ``signers | co-signers``.

    Examples:
        >>> import numpy as np
        >>> s, c = sign_treaties(np.array([0.9, 0.0, 0.0]), np.zeros(3, bool),
        ...     np.array([-1, 0, -1]), np.array([0.5, 0.0, 0.5]), np.array([0, 0.3, 0]), 0.5)
        >>> s.tolist(), c.tolist()
        ([True, False, False], [False, True, False])
    """
    free = ~signed
    signers = free & (parent < 0) & (draws < hazard)
    cosigners = free & (parent >= 0) & signers[np.maximum(parent, 0)] & (joint_draws < joint_share)
    return signers, cosigners
