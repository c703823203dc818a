"""Columnar establishment microdata for attribution: :class:`Establishments` and :class:`Firms`.

Establishments are stored **sorted by firm**: each firm's rows form one contiguous segment
``firm_offsets[f]:firm_offsets[f + 1]``, so firm totals are one sequential pass over the
sorted codes (``np.bincount``) instead of hash group-bys, and per-firm values broadcast back
with a cache-friendly ``np.take``. The sort happens once, at construction;
input already in firm order is not sorted again. ``order[j]`` is the input row of stored row
``j`` (``None`` when the input was already in firm order).

Firms and regions are integer codes ``0..n_firms-1`` and ``0..n_regions-1``;
:mod:`~regionet.engines.fiscal.inputs.coding` turns users' id columns into codes. A one-off
run on an unsorted file may keep the input order (``sort=False``): every rule gives the same
result, firm totals and expansions simply read memory out of order.

Examples:
    >>> est = Establishments(firm=[1, 0, 0], region=[2, 0, 1], headcount=[5, 1, 3],
    ...                      payroll=[50, 10, 30], assets=[0, 7, 7], sales=[1, 2, 3],
    ...                      n_firms=2, n_regions=3)
    >>> est.firm.tolist(), est.firm_offsets.tolist(), est.order.tolist()
    ([0, 0, 1], [0, 2, 3], [1, 2, 0])
    >>> est.headcount.tolist()
    [1.0, 3.0, 5.0]
"""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from regionet.core.errors import InvalidValueError, UnknownReferenceError

__all__ = ["APPORTIONED", "FACTORS", "OWN", "OWN_BALANCE_SHEET", "Establishments", "Firms",
           "FloatArray", "IntArray", "own_balance_flags"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

#: The apportionment factors every establishment carries (float64, >= 0).
FACTORS: tuple[str, ...] = ("headcount", "payroll", "assets", "sales")
#: The optional boolean column: the establishment keeps its own balance sheet and bank account.
OWN_BALANCE_SHEET = "own_balance_sheet"
#: Suffixes of the derived factor columns restricted to one kind of establishment:
#: ``"headcount" + OWN`` is the headcount of the establishments with their own balance sheet
#: (0 elsewhere), ``"headcount" + APPORTIONED`` that of the others (see
#: :meth:`Establishments.factor`).
OWN: Final = "|own"
APPORTIONED: Final = "|apportioned"


def _codes(name: str, values: npt.ArrayLike, n_codes: int, what: str) -> IntArray:
    """Validate integer codes in ``0..n_codes-1`` and return them as ``intp``."""
    array = np.asarray(values)
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise InvalidValueError(
            f"{name} must hold integer codes", field=name, value=array.dtype,
            expected=f"integer {what} codes 0..{n_codes - 1}",
        )
    codes = array.astype(np.intp, copy=False)
    if codes.size and (codes.min() < 0 or codes.max() >= n_codes):
        row = int(np.flatnonzero((codes < 0) | (codes >= n_codes))[0])
        raise InvalidValueError(
            f"{what} code out of range (array index {row})", row=row + 1, field=name,
            value=int(codes[row]), expected=f"a {what} code in 0..{n_codes - 1}",
        )
    return codes


def _amounts(name: str, values: npt.ArrayLike, *, negative_ok: bool = False) -> FloatArray:
    """Validate finite float64 amounts (``>= 0`` unless ``negative_ok``) without copying."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise InvalidValueError(f"{name} must hold numbers: {err}", field=name,
                                expected="float64 amounts") from err
    if array.size:
        # min/max are two passes without temporaries; NaN propagates into both.
        low, high = array.min(), array.max()
        if not (np.isfinite(low) and np.isfinite(high) and (negative_ok or low >= 0)):
            bad = ~np.isfinite(array) if negative_ok else ~((array >= 0) & (array < np.inf))
            row = int(np.flatnonzero(bad)[0])
            problem = "NaN or infinite" if negative_ok else "negative, NaN or infinite"
            raise InvalidValueError(
                f"{name} is {problem} (array index {row})", row=row + 1, field=name,
                value=float(array[row]),
                expected="a finite number" if negative_ok else "a finite number >= 0",
            )
    return array


def _ascending(values: IntArray, block: int = 1 << 16) -> bool:
    """Whether ``values`` never decrease: a block at a time, stopping at the first drop.

    An unsorted file is found out in its first block instead of after a pass over all of it
    (and a temporary as long as it).

    Examples:
        >>> _ascending(np.array([0, 0, 1, 3])), _ascending(np.array([0, 2, 1]))
        (True, False)
        >>> _ascending(np.array([0, 1, 2, 1, 5]), block=2)   # a drop across two blocks
        False
        >>> _ascending(np.array([], dtype=np.intp)), _ascending(np.array([4]))
        (True, True)
    """
    for start in range(0, len(values) - 1, block):
        part = values[start:start + block + 1]
        if not (part[:-1] <= part[1:]).all():
            return False
    return True


def _check_length(name: str, array: npt.NDArray[Any], n: int | None, first: str) -> None:
    """Require a 1-D array with ``n`` values (any length when ``n`` is None)."""
    if array.ndim != 1:
        raise InvalidValueError(f"{name} must be one-dimensional", field=name,
                                value=array.shape, expected="a 1-D array")
    if n is not None and len(array) != n:
        raise InvalidValueError(f"{name} has {len(array)} values", field=name, value=len(array),
                                expected=f"{n} values, as many as '{first}'")


def _count(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise InvalidValueError(f"{name} must be a count", field=name, value=value,
                                expected="an integer >= 0")
    return int(value)


def own_balance_flags(values: npt.ArrayLike | None, n: int) -> npt.NDArray[np.bool_]:
    """Validate the ``own_balance_sheet`` flags: booleans (or 0/1), ``n`` of them.

    None means the documented default: no establishment keeps its own balance sheet (every
    one is apportioned; docs/fiscal.md).

    Examples:
        >>> own_balance_flags([True, 0, 1], 3).tolist(), own_balance_flags(None, 2).tolist()
        ([True, False, True], [False, False])
        >>> try:
        ...     own_balance_flags([1, 2], 2)
        ... except InvalidValueError as err:
        ...     print(err.field, err.row, err.value, "|", err.expected)
        own_balance_sheet 2 2 | true or false (1 or 0)
    """
    if values is None:
        return np.zeros(n, dtype=np.bool_)
    array = np.asarray(values)
    if array.dtype != np.bool_ and array.size:
        bad = np.zeros(array.shape, dtype=np.bool_)
        if np.issubdtype(array.dtype, np.number):
            bad = ~((array == 0) | (array == 1))
        else:
            bad = np.ones(array.shape, dtype=np.bool_)
        if bad.any():
            row = int(np.flatnonzero(bad.ravel())[0])
            value = array.ravel()[row]
            raise InvalidValueError(
                f"{OWN_BALANCE_SHEET} is not a boolean (array index {row})", row=row + 1,
                field=OWN_BALANCE_SHEET, value=value.item() if hasattr(value, "item") else value,
                expected="true or false (1 or 0)")
    flags = array.astype(np.bool_, copy=False)
    _check_length(OWN_BALANCE_SHEET, flags, n, "firm")
    return flags


def _firm_order(firm: IntArray, n_firms: int) -> IntArray:
    """Return a stable permutation that sorts ``firm`` (not already sorted)."""
    n = len(firm)
    if n < 2**32 and n_firms < 2**32:
        # (firm << 32 | row) keys are unique, so a value sort (SIMD-accelerated in NumPy 2)
        # is a stable argsort; it is ~6x faster than argsort(kind="stable") on int codes.
        key = firm.astype(np.uint64)
        key <<= np.uint64(32)
        key |= np.arange(n, dtype=np.uint64)
        key.sort()
        key &= np.uint64(0xFFFFFFFF)
        return key.astype(np.intp)
    return np.argsort(firm, kind="stable").astype(np.intp, copy=False)


@dataclass(frozen=True, eq=False, repr=False)
class Establishments:
    """Establishments of multi-region firms, validated and stored sorted by firm.

    Args:
        firm: firm code of each establishment, integers in ``0..n_firms-1``.
        region: region code of each establishment, integers in ``0..n_regions-1``.
        headcount: average number of employees (float64, >= 0).
        payroll: labour expenses / wage fund (float64, >= 0).
        assets: residual value of depreciable property / fixed assets (float64, >= 0).
        sales: gross revenue / sales (float64, >= 0).
        n_firms: number of firms (firm codes may be absent: such a firm has no establishment).
        n_regions: number of regions.
        sort: store the rows sorted by firm (default). False keeps the input order: cheaper
            for a single run on an unsorted file (no sort, no gather of six columns), slower
            for repeated attribution on the same establishments.
        own_balance_sheet: whether each establishment keeps its own balance sheet and bank
            account (booleans or 0/1). None, the default, means none does: every establishment
            is apportioned with its firm's head office, as before the flag existed. Only
            :func:`~regionet.engines.fiscal.rules.attribution.art288_1995` reads it.

    Attributes:
        firm_offsets: ``n_firms + 1`` row offsets; firm ``f`` is rows ``[f]:[f + 1]``
            (None when the rows are not in firm order: ``sort=False`` on unsorted input).
        order: input row of each stored row, or None when stored in input order.

    After construction every column is in firm order (see the module docstring). Input
    already in firm order (float64 factors, int64 codes) is not copied, so modify neither the
    arrays passed in nor the stored ones (they are left writeable on purpose: NumPy copies
    read-only inputs in ``np.bincount``, which would double the cost of attribution).

    Raises:
        InvalidValueError: unequal lengths, non-integer or out-of-range codes, or a negative,
            NaN or infinite factor; the message names the field, the first bad row (1-based;
            the 0-based array index is in the message) and the value.

    Examples:
        >>> try:
        ...     Establishments(firm=[0, 0], region=[0, 1], headcount=[1, -2], payroll=[0, 0],
        ...                    assets=[0, 0], sales=[0, 0], n_firms=1, n_regions=2)
        ... except InvalidValueError as err:
        ...     print(err.field, err.row, err.value, "|", err.message)
        headcount 2 -2.0 | headcount is negative, NaN or infinite (array index 1)
    """

    firm: IntArray
    region: IntArray
    headcount: FloatArray
    payroll: FloatArray
    assets: FloatArray
    sales: FloatArray
    n_firms: int
    n_regions: int
    sort: InitVar[bool] = True
    own_balance_sheet: npt.NDArray[np.bool_] = None  # type: ignore[assignment]
    firm_offsets: IntArray | None = field(init=False)
    order: IntArray | None = field(init=False)
    _derived: dict[str, FloatArray] = field(init=False)
    _masks: dict[str, npt.NDArray[np.bool_]] = field(init=False)

    def __post_init__(self, sort: bool) -> None:
        n_firms = _count("n_firms", self.n_firms)
        n_regions = _count("n_regions", self.n_regions)
        firm = _codes("firm", self.firm, n_firms, "firm")
        _check_length("firm", firm, None, "firm")
        n = len(firm)
        region = _codes("region", self.region, n_regions, "region")
        _check_length("region", region, n, "firm")
        factors = {}
        for name in FACTORS:
            factors[name] = _amounts(name, getattr(self, name))
            _check_length(name, factors[name], n, "firm")
        own = own_balance_flags(self.own_balance_sheet, n)
        in_order = _ascending(firm)
        order = None if in_order or not sort else _firm_order(firm, n_firms)
        if order is not None:
            firm, region, own = firm[order], region[order], own[order]
            factors = {name: values[order] for name, values in factors.items()}
        offsets = None
        if in_order or sort:
            offsets = np.zeros(n_firms + 1, dtype=np.intp)
            np.cumsum(np.bincount(firm, minlength=n_firms), out=offsets[1:])
        values: dict[str, Any] = {"firm": firm, "region": region, **factors,
                                  "n_firms": n_firms, "n_regions": n_regions,
                                  "own_balance_sheet": own, "firm_offsets": offsets,
                                  "order": order, "_derived": {}, "_masks": {}}
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __len__(self) -> int:
        return len(self.firm)

    def __repr__(self) -> str:
        return (f"Establishments(n={len(self)}, n_firms={self.n_firms}, "
                f"n_regions={self.n_regions})")

    @property
    def any_own_balance_sheet(self) -> bool:
        """Whether any establishment keeps its own balance sheet and bank account."""
        return bool(self.own_balance_sheet.any())

    def factor(self, name: str) -> FloatArray:
        """Return the stored (firm-ordered) column of factor ``name``.

        ``name`` is one of :data:`FACTORS`, or one of them followed by :data:`OWN` or
        :data:`APPORTIONED`: the factor of the establishments with (without) their own balance
        sheet and 0 for the others (computed once, then kept).

        Examples:
            >>> est = Establishments(firm=[0, 0], region=[0, 1], headcount=[2, 3],
            ...                      payroll=[0, 0], assets=[0, 0], sales=[0, 0], n_firms=1,
            ...                      n_regions=2, own_balance_sheet=[True, False])
            >>> est.factor("headcount|own").tolist(), est.factor("headcount|apportioned").tolist()
            ([2.0, 0.0], [0.0, 3.0])
        """
        base, _, kind = name.partition("|")
        if base not in FACTORS or (kind and "|" + kind not in (OWN, APPORTIONED)):
            raise UnknownReferenceError(
                "no such apportionment factor", field="factor", value=name,
                expected="one of " + ", ".join(FACTORS) + f" (optionally + '{OWN}' or "
                         f"'{APPORTIONED}')",
            )
        values: FloatArray = getattr(self, base)
        if not kind:
            return values
        if name not in self._derived:
            # values × flag: exact (values are finite), one pass, no temporary
            keep = self.own_balance_sheet if "|" + kind == OWN else self._apportioned()
            self._derived[name] = np.multiply(values, keep, out=np.empty_like(values))
        return self._derived[name]

    def _apportioned(self) -> npt.NDArray[np.bool_]:
        """``~own_balance_sheet``, computed once."""
        if "|not" not in self._masks:
            self._masks["|not"] = ~self.own_balance_sheet
        return self._masks["|not"]

    def firm_totals(self, name: str) -> FloatArray:
        """Return the per-firm total of factor ``name`` (0 for a firm without establishments).

        Examples:
            >>> est = Establishments(firm=[2, 0, 2], region=[0, 0, 1], headcount=[1, 2, 3],
            ...                      payroll=[0, 0, 0], assets=[0, 0, 0], sales=[0, 0, 0],
            ...                      n_firms=3, n_regions=2)
            >>> est.firm_totals("headcount").tolist()
            [2.0, 0.0, 4.0]
        """
        # bincount over the sorted firm codes walks each firm's contiguous segment in order
        # (the same summation as np.add.reduceat) and is faster for many small segments.
        totals = np.bincount(self.firm, weights=self.factor(name), minlength=self.n_firms)
        return np.asarray(totals, dtype=np.float64)

    def to_input_order(self, values: FloatArray) -> FloatArray:
        """Return per-establishment ``values`` given in stored order, rearranged to input order."""
        if self.order is None:
            return values
        result = np.empty_like(values)
        result[self.order] = values
        return result


@dataclass(frozen=True, eq=False, repr=False)
class Firms:
    """Firms: each one's registered region (head office) and profit (the tax base).

    Args:
        registered_region: region code of each firm's head office, in ``0..n_regions-1``.
        profit: each firm's profit (float64, finite); a loss (negative profit) is a zero
            base for the period, so ``base = max(profit, 0)`` and a loss attributes nothing.
        n_regions: number of regions.

    Examples:
        >>> Firms(registered_region=[0, 1], profit=[100.0, -5.0], n_regions=2).base.tolist()
        [100.0, 0.0]
    """

    registered_region: IntArray
    profit: FloatArray
    n_regions: int
    base: FloatArray = field(init=False)

    def __post_init__(self) -> None:
        n_regions = _count("n_regions", self.n_regions)
        registered = _codes("registered_region", self.registered_region, n_regions, "region")
        _check_length("registered_region", registered, None, "registered_region")
        profit = _amounts("profit", self.profit, negative_ok=True)
        _check_length("profit", profit, len(registered), "registered_region")
        object.__setattr__(self, "n_regions", n_regions)
        object.__setattr__(self, "registered_region", registered)
        object.__setattr__(self, "profit", profit)
        object.__setattr__(self, "base", np.maximum(profit, 0.0))

    @property
    def n_firms(self) -> int:
        """Number of firms."""
        return len(self.profit)

    def __repr__(self) -> str:
        return f"Firms(n_firms={self.n_firms}, n_regions={self.n_regions})"
