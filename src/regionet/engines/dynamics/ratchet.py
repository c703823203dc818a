"""The ratchet: shared revenue takes back most of a change in own revenue (Zhuravskaya 2000).

Zhuravskaya (2000, *J. Public Econ.* 76(3), 337–368) found for Russian cities in 1992–97 that
an increase in own revenue was almost entirely offset by a fall in shared revenue, so local
governments had little reason to raise their own base. Here the offset applies where the
year's equalization formula sees *collected* revenue (gap filling before 1999) and the region
receives a transfer; a formula on *capacity* (the 1999–2001 two-stage method) or no transfer
leaves the region everything it raises.

Equations (``docs/dynamics.md``, "Ratchet and effort"):

- marginal retention ``ρ_i = 1 − φ`` if the method uses collected revenue and ``T_i > 0``,
  else ``ρ_i = 1``;
- effort target ``e*_i = e_min + (1 − e_min) · ρ_i · (1 − μ b_i)`` (``b_i`` the region's belief
  that the centre bails out: :mod:`.soft_budget`);
- adjustment ``e_i ← e_i + λ_e (e*_i − e_i)``.

Examples:
    >>> import numpy as np
    >>> retention(np.array([0.0, 5.0]), offset=0.9, uses_revenue=True).tolist()
    [1.0, 0.09999999999999998]
    >>> effort_step(np.array([1.0]), np.array([1.0]), np.array([0.0]), minimum=0.5,
    ...             moral_hazard=0.3, adjustment=0.5).tolist()
    [1.0]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["USES_REVENUE", "effort_step", "retention"]

FloatArray = npt.NDArray[np.float64]
#: Equalization methods whose allocation depends on collected (not potential) revenue.
USES_REVENUE = frozenset({"gap_filling"})


def retention(transfers: FloatArray, *, offset: float, uses_revenue: bool) -> FloatArray:
    """Marginal retention ``ρ_i`` of own revenue (module docstring)."""
    rho = np.ones(len(transfers))
    if uses_revenue:
        rho[transfers > 0] = 1.0 - offset
    return rho


def effort_step(effort: FloatArray, rho: FloatArray, belief: FloatArray, *, minimum: float,
                moral_hazard: float, adjustment: float) -> FloatArray:
    """Next year's collection effort (module docstring), kept within ``[minimum, 1]``."""
    target = minimum + (1.0 - minimum) * rho * (1.0 - moral_hazard * belief)
    return np.asarray(np.clip(effort + adjustment * (target - effort), minimum, 1.0),
                      dtype=np.float64)
