"""Equalization: how the federal fund for financial support of the regions is allocated.

Each method takes the fund size ``F`` and :class:`EqualizationInputs` (population, expenditure
index, own-revenue capacity and own revenue collected, one value per region) and returns an
:class:`Allocation`: transfers per region plus the part of ``F`` nobody received
(``undistributed``), so that ``transfers.sum() + undistributed == F`` up to float64 rounding.
Money is never lost silently: a method with no eligible region reports the fund undistributed
(the centre keeps it). Methods are registered by name in :data:`METHODS`; the year's method
is the parameter ``equalization.method`` (a scenario's ``rules: {equalization: NAME}``).

Examples:
    >>> data = EqualizationInputs(population=[1.0, 1.0, 2.0], expenditure_index=[1.0, 1.0, 1.0],
    ...                           capacity=[4.0, 2.0, 2.0], revenue=[4.0, 2.0, 2.0])
    >>> equal_per_capita(100.0, data).transfers.tolist()
    [25.0, 25.0, 50.0]
    >>> sorted(METHODS)
    ['equal_per_capita', 'gap_filling', 'none', 'two_stage']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from regionet.core.errors import InvalidValueError, UnknownReferenceError, did_you_mean
from regionet.engines.fiscal.inputs.establishments import FloatArray

__all__ = [
    "METHODS",
    "Allocation",
    "EqualizationInputs",
    "Method",
    "allocate",
    "equal_per_capita",
    "gap_filling",
    "no_equalization",
    "solve_level",
    "two_stage",
]


def _vector(name: str, values: npt.ArrayLike, n: int | None, *,
            positive: bool = False) -> FloatArray:
    array = np.array(values, dtype=np.float64)  # a copy: callers' arrays stay theirs
    if array.ndim != 1 or (n is not None and len(array) != n):
        raise InvalidValueError("wrong shape", field=name, value=array.shape,
                                expected=f"one value per region ({n if n is not None else 'R'})")
    bad = ~np.isfinite(array) | ((array <= 0) if positive else (array < 0))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InvalidValueError(f"bad {name} (array index {i})", field=name, row=i + 1,
                                value=float(array[i]),
                                expected="a finite number " + ("> 0" if positive else ">= 0"))
    return array


@dataclass(frozen=True, eq=False)
class EqualizationInputs:
    """What the allocation methods see of each region (arrays of one length, float64).

    Attributes:
        population: persons, > 0.
        expenditure_index: ИБР, relative per-capita cost of standard public services, >= 0.
        capacity: own revenue capacity: the regional and local revenue the region's taxes
            would raise at full collection (used by :func:`two_stage`).
        revenue: own regional and local revenue actually collected (used by
            :func:`gap_filling`).
    """

    population: FloatArray
    expenditure_index: FloatArray
    capacity: FloatArray
    revenue: FloatArray

    def __post_init__(self) -> None:
        population = _vector("population", self.population, None, positive=True)
        n = len(population)
        object.__setattr__(self, "population", population)
        for name in ("expenditure_index", "capacity", "revenue"):
            object.__setattr__(self, name, _vector(name, getattr(self, name), n))

    @property
    def n(self) -> int:
        """Number of regions."""
        return len(self.population)


@dataclass(frozen=True, eq=False)
class Allocation:
    """A method's result.

    Attributes:
        method: the method's name.
        fund: the fund size ``F`` it was given.
        transfers: transfer to each region (float64, >= 0).
        undistributed: the part of ``F`` no region received (kept by the centre).
        details: intermediate quantities by name (arrays per region or scalars), for
            explanations: e.g. ``sufficiency``, ``stage_1``, ``stage_2``, ``level``.
        note: why money stayed undistributed, if it did.
    """

    method: str
    fund: float
    transfers: FloatArray
    undistributed: float
    details: Mapping[str, FloatArray | float] = field(default_factory=dict)
    note: str | None = None


def _proportional(amount: float, weights: FloatArray) -> FloatArray:
    """Split ``amount`` in proportion to ``weights`` (all zeros when the weights sum to 0)."""
    total = float(weights.sum())
    if total <= 0.0 or amount == 0.0:
        return np.zeros(len(weights))
    return np.asarray(amount * (weights / total), dtype=np.float64)


def _rest(fund: float, transfers: FloatArray) -> float:
    """``fund − Σ transfers``, with float64 rounding noise (|rest| ≤ 1e-12 F) shown as 0."""
    rest = fund - float(transfers.sum())
    return 0.0 if abs(rest) <= 1e-12 * max(fund, 1.0) else rest


def _fund(fund: float) -> float:
    value = float(fund)
    if not np.isfinite(value) or value < 0:
        raise InvalidValueError("bad fund size", field="fund", value=fund,
                                expected="a finite amount >= 0")
    return value


def no_equalization(fund: float, data: EqualizationInputs) -> Allocation:
    """``none``: no formula transfers; the whole fund is reported undistributed.

    The parameters give ``none`` before the fund's creation in 1994 (fiscal-russia.md, FFPR).

    Examples:
        >>> data = EqualizationInputs([1.0], [1.0], [1.0], [1.0])
        >>> a = no_equalization(10.0, data)
        >>> a.transfers.tolist(), a.undistributed
        ([0.0], 10.0)
    """
    fund = _fund(fund)
    return Allocation("none", fund, np.zeros(data.n), fund,
                      note="method 'none': the centre keeps the fund" if fund else None)


def equal_per_capita(fund: float, data: EqualizationInputs) -> Allocation:
    """``equal_per_capita``: ``T_i = F · N_i / Σ_j N_j`` (a benchmark, not Russian law).

    Examples:
        >>> data = EqualizationInputs([1.0, 3.0], [1.0, 1.0], [0.0, 0.0], [0.0, 0.0])
        >>> equal_per_capita(8.0, data).transfers.tolist()
        [2.0, 6.0]
    """
    fund = _fund(fund)
    transfers = _proportional(fund, data.population)
    return Allocation("equal_per_capita", fund, transfers, _rest(fund, transfers))


def gap_filling(fund: float, data: EqualizationInputs) -> Allocation:
    """``gap_filling``: an approximation of the bargained gap filling before 1999.

    ``need_i = ИБР_i · N_i · r̄`` with ``r̄ = Σ_j R_j / Σ_j N_j`` the national average
    per-capita own revenue (collected); ``gap_i = max(0, need_i − R_i)``;
    ``T_i = F · gap_i / Σ_j gap_j``. With no gap anywhere the fund is undistributed.

    Source: fiscal-russia.md, FFPR "before 1999" (◐): expenditure needs from an indexed 1991
    base, revenues from a base year, two groups of regions, amounts largely bargained in
    parliament in 1998. The formula keeps the gap idea with the current year's expenditure
    index and revenue: it is an approximation, not the historical allocation (the 1995 group
    split and the 1997 per-region percentages are not reproduced).

    Examples:
        >>> data = EqualizationInputs([1.0, 1.0], [1.0, 1.0], [3.0, 1.0], [3.0, 1.0])
        >>> a = gap_filling(10.0, data)              # r̄ = 2: need 2 each, gaps 0 and 1
        >>> a.transfers.tolist(), a.details["gap"].tolist()
        ([0.0, 10.0], [0.0, 1.0])
    """
    fund = _fund(fund)
    average = float(data.revenue.sum() / data.population.sum())
    need = data.expenditure_index * data.population * average
    gap = np.maximum(need - data.revenue, 0.0)
    transfers = _proportional(fund, gap)
    undistributed = _rest(fund, transfers)
    note = "no region has a gap: the fund is undistributed" if fund and not gap.any() else None
    return Allocation("gap_filling", fund, transfers, undistributed,
                      {"need": need, "gap": gap, "average_revenue_per_capita": average}, note)


def solve_level(sufficiency: FloatArray, cost: FloatArray, amount: float) -> float:
    """Return the level ``B*`` with ``Σ_i max(0, B* − b_i) · c_i = amount`` (exactly, no iteration).

    ``f(B) = Σ max(0, B − b_i) c_i`` is piecewise linear and increasing: sort ``b``, evaluate
    ``f`` at each breakpoint ``b_(k)`` as ``b_(k) C_k − D_k`` (``C_k``, ``D_k`` cumulative sums
    of ``c`` and ``b·c`` in sorted order), find the last breakpoint with ``f ≤ amount`` and
    solve the linear piece after it: ``B* = (amount + D_k) / C_k``.

    Args:
        sufficiency: ``b_i`` per region.
        cost: ``c_i > 0`` per region (money per unit of sufficiency).
        amount: money to distribute, >= 0.

    Examples:
        >>> solve_level(np.array([0.2, 0.5, 0.9]), np.array([1.0, 1.0, 1.0]), 0.5)
        0.6
    """
    order = np.argsort(sufficiency, kind="stable")
    b, c = sufficiency[order], cost[order]
    c_cum, d_cum = np.cumsum(c), np.cumsum(b * c)
    at_breakpoints = b * c_cum - d_cum
    k = max(int(np.searchsorted(at_breakpoints, amount, side="right")), 1)
    return float((amount + d_cum[k - 1]) / c_cum[k - 1])


def fill_to_level(money: FloatArray, cost: FloatArray, amount: float
                  ) -> tuple[FloatArray, float]:
    """Raise the regions with the least ``money / cost`` to one level: ``(T, B*)``.

    The same problem as :func:`solve_level` with ``b_i = m_i / c_i``, solved in money so that
    it cannot overflow when a region's cost is tiny beside its money: on the active set ``S``
    (the regions below ``B*``), ``T_i = c_i / Σ_S c · (amount + Σ_S m) − m_i``, a share of a
    finite sum. ``B* = (amount + Σ_S m) / Σ_S c`` is returned for explanation (it may be
    ``inf`` in such a degenerate case; the transfers never are).

    Examples:
        >>> t, level = fill_to_level(np.array([0.2, 0.5, 0.9]), np.ones(3), 0.5)
        >>> t.round(6).tolist(), round(level, 6)
        ([0.4, 0.1, 0.0], 0.6)
        >>> t, _ = fill_to_level(np.array([1.0]), np.array([1e-300]), 2.0)   # no overflow
        >>> t.tolist()
        [2.0]
    """
    with np.errstate(over="ignore", divide="ignore"):
        ratio = money / cost
    order = np.argsort(ratio, kind="stable")
    b, c, m = ratio[order], cost[order], money[order]
    c_cum, m_cum = np.cumsum(c), np.cumsum(m)
    with np.errstate(over="ignore", invalid="ignore"):
        at_breakpoints = np.where(np.isinf(b), np.inf, b * c_cum - m_cum)
    k = max(int(np.searchsorted(at_breakpoints, amount, side="right")), 1)
    active = order[:k]
    transfers = np.zeros(len(money))
    transfers[active] = np.maximum(cost[active] / c_cum[k - 1] * (amount + m_cum[k - 1])
                                   - money[active], 0.0)
    with np.errstate(over="ignore"):
        level = float((amount + m_cum[k - 1]) / c_cum[k - 1])
    return transfers, level


def two_stage(fund: float, data: EqualizationInputs, *, stage_1: float = 0.8,
              stage_2: float = 0.2) -> Allocation:
    """``two_stage``: the FFPR formula of 1999–2001.

    With ``x̄ = Σ_j K_j / Σ_j N_j`` the national average per-capita capacity (``K``):

    - tax capacity index ``ИНП_i = (K_i / N_i) / x̄``; budget sufficiency
      ``БО_i = ИНП_i / ИБР_i``;
    - stage 1 (``s₁F``) to regions with ``БО_i < 1``:
      ``T1_i = s₁F · (1 − БО_i) ИБР_i N_i / Σ_{БО_j<1} (1 − БО_j) ИБР_j N_j``;
    - sufficiency after stage 1: ``БО'_i = БО_i + T1_i / (ИБР_i N_i x̄)``;
    - stage 2 (``s₂F``) raises the poorest to a common level ``B*`` solving
      ``Σ_i max(0, B* − БО'_i) ИБР_i N_i x̄ = s₂F`` (:func:`solve_level`, exact);
      ``T2_i = max(0, B* − БО'_i) ИБР_i N_i x̄``.

    Source: fiscal-russia.md, FFPR 1999–2001 (◐: shape from sub-national laws copied from the
    federal method; stage-2 algebra from the Gaidar Institute's description); stage shares
    from ``equalization.stage_split.*``. ``x̄`` is the average before transfers in both stages.

    Money that stays undistributed: stage 1 when no region has ``БО < 1``; everything when
    total capacity is 0 (the indices are undefined); ``(1 − s₁ − s₂)F`` if the shares sum
    below 1.

    Raises:
        InvalidValueError: a region's expenditure index is 0, or the stage shares are
            negative or sum above 1.

    Examples:
        >>> data = EqualizationInputs([1.0] * 4, [1.0] * 4, [5.0, 2.0, 1.0, 0.0],
        ...                           [5.0, 2.0, 1.0, 0.0])
        >>> a = two_stage(3.0, data)     # x̄ = 2; БО = 2.5, 1, 0.5, 0
        >>> a.details["stage_1"].round(6).tolist()          # 2.4 ∝ (1 − БО)
        [0.0, 0.0, 0.8, 1.6]
        >>> a.details["sufficiency_after_stage_1"].round(6).tolist()
        [2.5, 1.0, 0.9, 0.8]
        >>> round(a.details["level"], 6), a.details["stage_2"].round(6).tolist()
        (1.0, [0.0, 0.0, 0.2, 0.4])
    """
    fund = _fund(fund)
    if stage_1 < 0 or stage_2 < 0 or stage_1 + stage_2 > 1 + 1e-12:
        raise InvalidValueError("bad stage shares", field="equalization.stage_split",
                                value=(stage_1, stage_2), expected="shares >= 0 summing to <= 1")
    index = data.expenditure_index
    if np.any(index <= 0):
        i = int(np.flatnonzero(index <= 0)[0])
        raise InvalidValueError("two_stage needs an expenditure index > 0", row=i + 1,
                                field="expenditure_index", value=float(index[i]),
                                expected="> 0 for every region (БО = ИНП / ИБР)")
    n = data.n
    average = float(data.capacity.sum() / data.population.sum())
    if average <= 0.0:
        zeros = np.zeros(n)
        return Allocation("two_stage", fund, zeros, fund, {"average_capacity_per_capita": 0.0},
                          "no region has tax capacity: the indices are undefined and the "
                          "fund is undistributed" if fund else None)
    capacity_index = data.capacity / data.population / average
    sufficiency = capacity_index / index
    cost = index * data.population * average  # money that raises БО_i by 1
    below = sufficiency < 1.0
    first = _proportional(stage_1 * fund,
                          np.where(below, (1.0 - sufficiency) * index * data.population, 0.0))
    with np.errstate(over="ignore"):  # shown only; the transfers are computed in money
        after_first = sufficiency + first / cost
    amount = stage_2 * fund
    # BО'_i · c_i = K_i + T1_i: stage 2 in money, so a tiny average capacity cannot overflow
    second, level = fill_to_level(data.capacity + first, cost, amount)
    if second.sum() > 0:
        second *= amount / second.sum()  # remove the rounding of B* so Σ T2 = s₂F
    transfers = first + second
    undistributed = _rest(fund, transfers)
    note = None
    if fund and not below.any():
        note = "no region has budget sufficiency below 1: stage 1 is undistributed"
    details: dict[str, FloatArray | float] = {
        "average_capacity_per_capita": average, "capacity_index": capacity_index,
        "sufficiency": sufficiency, "stage_1": first, "sufficiency_after_stage_1": after_first,
        "level": level, "stage_2": second, "stage_1_share": stage_1, "stage_2_share": stage_2}
    return Allocation("two_stage", fund, transfers, undistributed, details, note)


#: An allocation method: ``(fund, inputs, **options) -> Allocation``.
Method = Callable[..., Allocation]

#: The equalization methods by name (the values of ``equalization.method``).
METHODS: dict[str, Method] = {
    "two_stage": two_stage,
    "gap_filling": gap_filling,
    "equal_per_capita": equal_per_capita,
    "none": no_equalization,
}


def allocate(method: str, fund: float, data: EqualizationInputs, **options: float) -> Allocation:
    """Allocate ``fund`` with the method named ``method`` (options such as ``stage_1=``).

    Raises:
        UnknownReferenceError: unknown method name, with the nearest names.

    Examples:
        >>> data = EqualizationInputs([1.0, 1.0], [1.0, 1.0], [1.0, 0.0], [1.0, 0.0])
        >>> allocate("gap_filling", 4.0, data).transfers.tolist()
        [0.0, 4.0]
        >>> try:
        ...     allocate("two_stages", 4.0, data)
        ... except UnknownReferenceError as err:
        ...     print(err.value, "|", err.hint)
        two_stages | Did you mean two_stage?
    """
    if method not in METHODS:
        raise UnknownReferenceError("unknown equalization method", field="equalization.method",
                                    value=method, expected="one of " + ", ".join(METHODS),
                                    hint=did_you_mean(method, METHODS))
    return METHODS[method](fund, data, **options)
