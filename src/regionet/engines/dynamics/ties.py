"""Tie formation and decay: a seeded stochastic process over the world's candidate ties.

Each year every candidate tie (:class:`~regionet.engines.dynamics.world.TieCandidates`) that
exists draws one uniform number ``U`` from the model's ``ties.<kind>`` stream (always the same
amount of draws, so scenarios share their random numbers). An inactive candidate forms a tie
when ``U < 1 − exp(−λ)``; an active one ends when ``U < 1 − exp(−δ_kind)`` or when it stops
existing (a membership or programme ends, or a region can no longer pay a programme's match).

Hazards ``λ`` (``docs/dynamics.md``, "Ties"), with ``S`` fiscal stress, ``cap_i = exp(−n_i /
n_cap)`` the effort left to region ``i`` with ``n_i`` ties, ``o_t`` foreign openness and
``β_t`` the openness of borders:

- bilateral ``λ = λ_b (1 + a_S (S_i + S_j)/2)(1 + a_C C_ij)(1 + a_A A_ij)(1 + a_M M_ij)
  exp(−d_ij / d_b) cap_i cap_j`` (complementarity, adjacency, a shared association, distance);
- subnational ``λ = λ_s (1 + a_S S_i)(1 + a_bloc S̄_a) cap_i`` with ``S̄_a`` the mean stress of
  the association's members;
- foreign ``λ = λ_x o_t (1 + a_S S_i) exp(−d_if / d_x) cap_i · ((1 + a_B) β_t if the region
  borders the partner's state else 1)``;
- programme ``λ = λ_q o_t cap_i`` for regions that can pay the match
  (:func:`can_pay`), 0 otherwise (matching funds: Interreg's 50 %, memo para 18).

Large candidate sets are updated sparsely with the same result (:func:`may_form`,
:func:`update_at`): since ``1 − exp(−λ) ≤ λ ≤ |λ|``, an inactive candidate whose draw is at
least an upper bound of ``|λ|`` cannot form, so the hazard is evaluated only for the inactive
candidates whose draw falls below the bound (a few per cent of them; the draws are the same).

Examples:
    >>> import numpy as np
    >>> active = np.array([False, True, True])
    >>> new, formed = update(active, np.array([True, True, False]), np.array([1e9, 0.0, 0.0]),
    ...                      decay=0.5, draws=np.array([0.5, 0.1, 0.9]))
    >>> new.tolist(), formed.tolist()
    ([True, False, False], [True, False, False])
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["can_pay", "capacity_factor", "may_form", "probability", "update", "update_at"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def probability(hazard: FloatArray) -> FloatArray:
    """``1 − exp(−λ)``: the yearly probability of an event of hazard ``λ``."""
    return np.asarray(-np.expm1(-hazard), dtype=np.float64)


def capacity_factor(counts: FloatArray, capacity: float) -> FloatArray:
    """``exp(−n_i / n_cap)``: the effort a region with ``n_i`` ties has left for more."""
    return np.asarray(np.exp(-counts / capacity), dtype=np.float64)


def can_pay(slack: FloatArray, needs: FloatArray, matching: FloatArray, project: float
            ) -> BoolArray:
    """True where a region's budget surplus pays the match ``m p N_i`` of a programme tie.

    Examples:
        >>> import numpy as np
        >>> can_pay(np.array([0.0, 1.0, 0.4]), np.array([100.0] * 3),
        ...         np.array([0.5, 0.5, 0.5]), 0.01).tolist()
        [False, True, False]
    """
    return np.asarray(slack >= matching * project * needs)


def update(active: BoolArray, exists: BoolArray, hazard: FloatArray, *, decay: float,
           draws: FloatArray) -> tuple[BoolArray, BoolArray]:
    """Return ``(active next, formed this year)`` (module docstring)."""
    ends = active & ((draws < -np.expm1(-decay)) | ~exists)
    formed = ~active & exists & (draws < probability(hazard))
    return (active & ~ends) | formed, formed


#: Relative margin added to the upper bound of a hazard (covers float64 rounding in λ).
BOUND_MARGIN = 1e-6


def may_form(active: BoolArray, draws: FloatArray, bound: FloatArray, exists: BoolArray | None
             = None) -> npt.NDArray[np.intp]:
    """Indices of the inactive (existing) candidates whose draw is below ``bound``.

    ``bound`` must be at least ``|λ|`` for every candidate (times ``1 + BOUND_MARGIN`` for
    rounding); the others cannot form this year whatever their exact hazard.

    Examples:
        >>> import numpy as np
        >>> may_form(np.array([False, True, False, False]), np.array([0.1, 0.0, 0.5, 0.2]),
        ...          np.array([0.3, 0.3, 0.3, 0.3])).tolist()
        [0, 3]
    """
    candidates = draws < bound
    candidates &= ~active
    if exists is not None:
        candidates &= exists
    return np.flatnonzero(candidates)


def update_at(active: BoolArray, exists: BoolArray | None, index: npt.NDArray[np.intp],
              hazard: FloatArray, *, decay: float, draws: FloatArray
              ) -> tuple[BoolArray, BoolArray]:
    """:func:`update` with the hazards given only at ``index`` (from :func:`may_form`).

    The result equals :func:`update` with the full hazards (``exists`` None: all exist).

    Examples:
        >>> import numpy as np
        >>> active, draws = np.array([False, True, False]), np.array([0.1, 0.1, 0.9])
        >>> new, formed = update_at(active, None, np.array([0]), np.array([1e9]), decay=0.5,
        ...                         draws=draws)
        >>> new.tolist(), formed.tolist()
        ([True, False, False], [True, False, False])
    """
    ends = draws < -np.expm1(-decay)
    if exists is not None:
        ends |= ~exists
    ends &= active
    formed = np.zeros(len(active), dtype=np.bool_)
    chosen = draws[index] < probability(hazard)
    formed[index] = chosen
    kept = active ^ ends          # active & ~ends: ends are active
    kept[index[chosen]] = True    # | formed: formed ties were inactive
    return kept, formed
