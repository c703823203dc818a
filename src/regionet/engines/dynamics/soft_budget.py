"""Soft budget constraints: a centre that bails out or not, and regions that learn its type.

Rodden (2006, *Hamilton's Paradox*, Cambridge UP) explains fiscal indiscipline in federations
by the expectation of bailouts: where the centre cannot commit not to rescue, regions learn
that it will and spend (or collect) accordingly.

Equations (``docs/dynamics.md``, "Soft budget constraints"):

- a region whose stress ``S_i`` exceeds ``s_b`` asks for a bailout; the centre grants it with
  probability ``1 − r_t`` (its resolve), drawn per request;
- a grant pays ``(S_i − s_b) N_i``, bringing the region's stress down to ``s_b``;
- beliefs are Beta posteriors: ``a_i ← a_i + granted_i``, ``c_i ← c_i + refused_i``; the belief
  that the centre bails out is ``b_i = a_i / (a_i + c_i)`` (priors ``a_0``, ``c_0``).

Examples:
    >>> import numpy as np
    >>> grant, paid = bailouts(np.array([0.1, 0.5, 0.5]), np.array([10.0, 10.0, 10.0]),
    ...     np.array([0.0, 0.2, 0.9]), threshold=0.2, resolve=0.5)
    >>> grant.tolist(), paid.tolist()
    ([False, True, False], [0.0, 3.0, 0.0])
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["bailouts", "belief"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def bailouts(stress: FloatArray, need: FloatArray, draws: FloatArray, *, threshold: float,
             resolve: float) -> tuple[BoolArray, FloatArray]:
    """Return ``(granted, amount)`` per region (module docstring)."""
    request = stress > threshold
    granted = request & (draws < 1.0 - resolve)
    amount = np.where(granted, (stress - threshold) * need, 0.0)
    return granted, np.asarray(amount, dtype=np.float64)


def belief(granted: FloatArray, refused: FloatArray) -> FloatArray:
    """Posterior mean belief that the centre bails out, from Beta counts (priors included)."""
    return np.asarray(granted / (granted + refused), dtype=np.float64)
