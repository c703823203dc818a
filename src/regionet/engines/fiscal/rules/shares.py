"""Shares: an attribution rule's result, kept factorised per firm, and its fast expansion.

Every attribution rule is a weighted mean of factor shares, so the share of establishment
``i`` of firm ``f`` is ``sum_k per_unit_k[f] * X_k[i]``: ``X_k`` is a factor column and
``per_unit_k[f] = weight_k[f] / total_k[f]`` the share one unit of that factor earns in
firm ``f``. The rest of the firm's base, ``head_office[f]``, stays at its registered region.
Per-firm arrays are cheap; expanding them to establishments is the costly step, so it runs
over the firm-sorted columns in cache-sized chunks (``np.take`` of the per-firm
coefficient, multiply, ``np.bincount`` by region) and allocates no full-length temporary;
with both cores free, the regional sums' chunks are split between two threads.

Examples:
    >>> from regionet.engines.fiscal.inputs.establishments import Establishments
    >>> est = Establishments(firm=[0, 0, 1], region=[0, 1, 1], headcount=[1, 3, 0],
    ...                      payroll=[0, 0, 0], assets=[1, 1, 0], sales=[0, 0, 0],
    ...                      n_firms=2, n_regions=2)
    >>> shares = mean_of_shares(est, [(0.5, [("headcount", 1.0)]), (0.5, [("assets", 1.0)])])
    >>> shares.per_establishment().tolist(), shares.head_office.tolist()
    ([0.375, 0.625, 0.0], [0.0, 1.0])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from regionet.core.cores import spare_core
from regionet.core.errors import InvalidValueError
from regionet.engines.fiscal.inputs.establishments import Establishments, FloatArray

__all__ = ["MIN_TOTAL", "Groups", "Shares", "first_positive", "mean_of_shares"]

#: A firm's factor total at or below this counts as zero: 1/total would overflow float64 once
#: multiplied by a base (a factor that small is below any unit of money or headcount anyway).
MIN_TOTAL = 1e-250

#: Rows per chunk when expanding per-firm coefficients: two float64 buffers stay in L2.
_CHUNK = 1 << 17
#: Firms per block when computing per-firm coefficients.
_FIRM_CHUNK = 1 << 18

#: A mean of factor groups: ``(group weight, ((factor, weight within the group), ...))``.
Groups = Sequence[tuple[float, Sequence[tuple[str, float]]]]

#: ``(factor column, coefficient per firm)`` pairs.
_Terms = Sequence[tuple[FloatArray, FloatArray]]


def _combine(est: Establishments, terms: _Terms, start: int, stop: int,
             out: FloatArray, scratch: FloatArray) -> None:
    """Write ``sum_k coef_k[firm] * x_k`` for stored rows ``start:stop`` into ``out``."""
    if not terms:
        out.fill(0.0)
        return
    firm = est.firm[start:stop]
    for k, (values, coefficient) in enumerate(terms):
        target = out if k == 0 else scratch
        # mode="clip" skips take's buffered bounds check; codes were validated on construction.
        np.take(coefficient, firm, out=target, mode="clip")
        target *= values[start:stop]
        if k:
            out += scratch


@dataclass(frozen=True, eq=False)
class Shares:
    """A rule's shares for every firm, kept factorised (see the module docstring).

    For each firm the establishment shares plus ``head_office`` sum to 1.

    Attributes:
        establishments: the establishments the shares are for.
        per_unit: factor name -> per-firm share earned by one unit of that factor.
        head_office: per-firm share left at the registered region (1 for registration and
            for firms whose factors are all zero or that have no establishment, else 0).
    """

    establishments: Establishments
    per_unit: Mapping[str, FloatArray]
    head_office: FloatArray

    def _terms(self, scale: FloatArray | None) -> list[tuple[FloatArray, FloatArray]]:
        est = self.establishments
        return [(est.factor(name), c if scale is None else c * scale)
                for name, c in self.per_unit.items()]

    def per_establishment(self, scale: FloatArray | None = None) -> FloatArray:
        """Return each establishment's share of its firm, in input row order.

        Args:
            scale: optional per-firm multiplier (e.g. the firm's base, to get money).

        Examples:
            >>> from regionet.engines.fiscal.inputs.establishments import Establishments
            >>> est = Establishments(firm=[0, 0], region=[1, 0], headcount=[1, 3],
            ...                      payroll=[0, 0], assets=[0, 0], sales=[0, 0],
            ...                      n_firms=1, n_regions=2)
            >>> shares = first_positive(est, ["headcount"])
            >>> shares.per_establishment().tolist(), shares.per_establishment([8.0]).tolist()
            ([0.25, 0.75], [2.0, 6.0])
        """
        est = self.establishments
        terms = self._terms(None if scale is None else np.asarray(scale, dtype=np.float64))
        n = len(est)
        values = np.empty(n)
        scratch = np.empty(min(n, _CHUNK))
        for start in range(0, n, _CHUNK):
            stop = min(start + _CHUNK, n)
            _combine(est, terms, start, stop, values[start:stop], scratch[: stop - start])
        return est.to_input_order(values)

    def regional_sums(self, scale: FloatArray, n_regions: int) -> FloatArray:
        """Return ``sum(share_i * scale[firm_i])`` over each region's establishments.

        The head-office shares are not included.

        Examples:
            >>> from regionet.engines.fiscal.inputs.establishments import Establishments
            >>> est = Establishments(firm=[0, 0], region=[1, 0], headcount=[1, 3],
            ...                      payroll=[0, 0], assets=[0, 0], sales=[0, 0],
            ...                      n_firms=1, n_regions=2)
            >>> first_positive(est, ["headcount"]).regional_sums(np.array([8.0]), 2).tolist()
            [6.0, 2.0]
        """
        est = self.establishments
        n = len(est)
        sums = np.zeros(n_regions)
        if not self.per_unit or n == 0:
            return sums
        terms = self._terms(scale)
        starts = range(0, n, _CHUNK)
        parts: list[FloatArray] = [sums] * len(starts)

        def chunks(which: range) -> None:
            out, scratch = np.empty(min(n, _CHUNK)), np.empty(min(n, _CHUNK))
            for k in which:
                start = starts[k]
                stop = min(start + _CHUNK, n)
                m = stop - start
                _combine(est, terms, start, stop, out[:m], scratch[:m])
                parts[k] = np.asarray(np.bincount(est.region[start:stop], weights=out[:m],
                                                  minlength=n_regions), dtype=np.float64)

        everything = range(len(starts))
        if len(starts) >= 4 and spare_core():
            # Half the chunks in another thread (take and the products release the GIL); the
            # chunks' sums are added in chunk order below, so the result is the same to the bit.
            with ThreadPoolExecutor(max_workers=1) as pool:
                done = pool.submit(chunks, everything[: len(starts) // 2])
                chunks(everything[len(starts) // 2:])
                done.result()
        else:
            chunks(everything)
        for part in parts:
            sums += part
        return sums


def mean_of_shares(establishments: Establishments, groups: Groups) -> Shares:
    """Shares for a weighted mean of factor shares, dropping factors whose firm total is 0.

    Within a firm, a member factor with a zero total leaves its group (the other members'
    weights are renormalised); a group with no member left leaves the mean (the other groups'
    weights are renormalised); a firm with no group left keeps its base at the head office.

    Args:
        establishments: the establishments.
        groups: ``(weight, ((factor, weight within the group), ...))`` for each group; each
            factor in one group only. Weights are >= 0; a firm whose present factors all
            weigh 0 keeps its base at the head office.

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments
        >>> est = Establishments(firm=[0, 0], region=[0, 1], headcount=[1, 3],
        ...                      payroll=[0, 0], assets=[1, 3], sales=[2, 2],
        ...                      n_firms=1, n_regions=2)
        >>> groups = [(1.0, [("sales", 1.0)]), (1.0, [("payroll", 0.5), ("headcount", 0.5)])]
        >>> mean_of_shares(est, groups).per_establishment().tolist()   # payroll is all zero
        [0.375, 0.625]
    """
    n_firms = establishments.n_firms
    names = [name for _, members in groups for name, _ in members]
    if len(set(names)) < len(names):
        raise InvalidValueError("a factor appears twice in the mean", field="groups",
                                value=names, expected="each factor once")
    weights = [w for weight, members in groups for w in (weight, *(m for _, m in members))]
    if not all(np.isfinite(w) and w >= 0 for w in weights):
        raise InvalidValueError("factor weights must be finite and >= 0", field="groups",
                                value=weights, expected="weights >= 0")
    totals = {name: establishments.firm_totals(name) for name in names}
    per_unit = {name: np.zeros(n_firms) for name in names}
    head_office = np.empty(n_firms)
    # Blocks of firms keep the per-firm temporaries in cache (~2x faster than whole arrays
    # at 3e6 firms).
    for start in range(0, n_firms, _FIRM_CHUNK):
        block = slice(start, start + _FIRM_CHUNK)
        _mean_of_shares_block({name: totals[name][block] for name in names}, groups,
                              {name: per_unit[name][block] for name in names},
                              head_office[block])
    return Shares(establishments, per_unit, head_office)


def _mean_of_shares_block(totals: Mapping[str, FloatArray], groups: Groups,
                          per_unit: Mapping[str, FloatArray], head_office: FloatArray) -> None:
    """Fill ``per_unit`` (zeros on entry) and ``head_office`` for one block of firms."""
    present = {name: total > MIN_TOTAL for name, total in totals.items()}
    weight_sum = np.zeros(len(head_office))  # weights of the groups each firm still has
    inner_sums: list[FloatArray | None] = []  # per group: weights of the members still there
    for weight, members in groups:
        if len(members) == 1:
            inner_sums.append(None)
            weight_sum += weight * present[members[0][0]]
            continue
        inner = np.zeros(len(head_office))
        for name, member_weight in members:
            inner += member_weight * present[name]
        weight_sum += weight * (inner > 0)
        inner_sums.append(inner)
    for (weight, members), group_inner in zip(groups, inner_sums, strict=True):
        for name, member_weight in members:
            # share per unit = weight * member_weight / (inner * weight_sum * total), where a
            # lone member's inner equals its member_weight
            denominator = weight_sum * totals[name]
            numerator = weight
            if group_inner is not None:
                denominator *= group_inner
                numerator *= member_weight
            # where= leaves 0 for a dropped factor (or a firm whose only factors weigh 0),
            # without a division warning; a total in (0, MIN_TOTAL] is dropped too (its
            # weight went to the others: dividing by it gave a second whole share, or inf)
            np.divide(numerator, denominator, out=per_unit[name],
                      where=(denominator > 0) & present[name])
    np.equal(weight_sum, 0.0, out=head_office, casting="unsafe")


def first_positive(establishments: Establishments, factors: Sequence[str]) -> Shares:
    """Shares by the first of ``factors`` whose firm total is positive (else head office).

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments
        >>> est = Establishments(firm=[0, 1], region=[0, 1], headcount=[0, 0],
        ...                      payroll=[2, 0], assets=[0, 0], sales=[0, 0],
        ...                      n_firms=2, n_regions=2)
        >>> shares = first_positive(est, ["headcount", "payroll"])
        >>> shares.per_establishment().tolist(), shares.head_office.tolist()
        ([1.0, 0.0], [0.0, 1.0])
    """
    n_firms = establishments.n_firms
    unassigned = np.ones(n_firms, dtype=bool)
    per_unit: dict[str, FloatArray] = {}
    for name in factors:
        totals = establishments.firm_totals(name)
        use = unassigned & (totals > MIN_TOTAL)
        per_unit[name] = np.divide(1.0, totals, out=np.zeros(n_firms), where=use)
        unassigned &= ~use
    return Shares(establishments, per_unit, unassigned.astype(np.float64))
