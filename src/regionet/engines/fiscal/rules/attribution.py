"""Attribution rules: which region's budget gets a multi-region firm's regional tax base.

A rule gives every firm a share vector over its establishments plus its head office (the
registered region); the shares of one firm sum to 1. :func:`attribute` multiplies them by
each firm's base (``max(profit, 0)``: a loss attributes nothing) and sums per region, so the
regional bases add up to the total base (money is conserved up to float64 rounding).

Every rule is a weighted mean of factor shares; :class:`~.shares.Shares` keeps a rule's
result factorised per firm and expands it over the firm-sorted establishments in cache-sized
chunks (see :mod:`regionet.engines.fiscal.rules.shares`).

Zero factors, one convention for all rules: a factor whose firm total is 0 drops out of
that firm's mean and the remaining weights are renormalised (Tax Code art. 288 with no
depreciable property; Canada Reg. 402(3) "if one factor is zero, the other alone"; UDITPA
state practice for a zero denominator). A firm with every factor zero, or without any
establishment, leaves its whole base at its head office (registration).

The engine knows no law beyond these formulas: rates and which rule applies in which year
are parameters held elsewhere.

Examples:
    >>> from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
    >>> est = Establishments(firm=[0, 0], region=[1, 2], headcount=[30, 10],
    ...                      payroll=[200, 200], assets=[100, 300], sales=[0, 0],
    ...                      n_firms=1, n_regions=3)
    >>> firms = Firms(registered_region=[0], profit=[1000.0], n_regions=3)
    >>> attribute(est, firms, "art288").tolist()    # ½·headcount share + ½·assets share
    [0.0, 500.0, 500.0]
    >>> attribute(est, firms, "registration").tolist()
    [1000.0, 0.0, 0.0]
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from regionet.core.errors import InvalidValueError, UnknownReferenceError, did_you_mean
from regionet.engines.fiscal.inputs.establishments import (
    APPORTIONED,
    OWN,
    Establishments,
    Firms,
    FloatArray,
)
from regionet.engines.fiscal.rules.shares import Shares, first_positive, mean_of_shares

__all__ = [
    "RULES",
    "Attribution",
    "RegionalAttribution",
    "Rule",
    "art288",
    "art288_1995",
    "attribute",
    "attribute_by_establishment",
    "attribute_parts",
    "attribution_rule",
    "canada",
    "ccctb",
    "operation",
    "own_balance_summary",
    "registration",
    "uditpa",
    "uditpa_double_sales",
    "uditpa_single_sales",
]


def _check_labour(labour: str) -> str:
    if labour not in ("headcount", "payroll"):
        raise InvalidValueError("unknown labour measure", field="labour", value=labour,
                                expected="'headcount' or 'payroll'")
    return labour


def registration(establishments: Establishments) -> Shares:
    """Registration: the whole base at the head office (the firm's registered region).

    This holds even when the firm has no establishment in its registered region. It is the
    pre-1995 Russian practice for the regional part of the profit tax (the regional part went
    with the head office; before Law 64-FZ of 25.04.1995) and the "pure registration" scenario.

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments
        >>> est = Establishments(firm=[0], region=[1], headcount=[5], payroll=[1], assets=[1],
        ...                      sales=[1], n_firms=1, n_regions=2)
        >>> registration(est).head_office.tolist(), registration(est).per_establishment().tolist()
        ([1.0], [0.0])
    """
    return Shares(establishments, {}, np.ones(establishments.n_firms))


def operation(establishments: Establishments) -> Shares:
    """Operation: the whole base where the activity is, measured by headcount share.

    A firm with zero total headcount uses its payroll share; with both zero, registration.
    The "pure operation" scenario of the alternative rules (no statute: a benchmark).

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments
        >>> est = Establishments(firm=[0, 0, 1, 1], region=[0, 1, 0, 1],
        ...                      headcount=[1, 3, 0, 0], payroll=[9, 9, 1, 4],
        ...                      assets=[0, 0, 0, 0], sales=[0, 0, 0, 0], n_firms=2, n_regions=2)
        >>> operation(est).per_establishment().tolist()
        [0.25, 0.75, 0.2, 0.8]
    """
    return first_positive(establishments, ("headcount", "payroll"))


def art288(establishments: Establishments, *, labour: str = "headcount") -> Shares:
    """Tax Code of the Russian Federation art. 288 p. 2 (from 2002).

    ``share_i = ½ · L_i / ΣL + ½ · K_i / ΣK``: ``L`` is average headcount or labour expenses
    (the taxpayer's choice for the period: ``labour="headcount"`` or ``"payroll"``), ``K`` the
    residual value of depreciable property (art. 257 p. 1; the ``assets`` column). With no
    depreciable property the labour share alone is used (Finance Ministry letter of 20.02.2021
    No. 03-03-06/1/12084); with no labour the property share alone; with neither, registration.

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments
        >>> est = Establishments(firm=[0, 0], region=[0, 1], headcount=[1, 3],
        ...                      payroll=[1, 1], assets=[0, 0], sales=[0, 0],
        ...                      n_firms=1, n_regions=2)
        >>> art288(est).per_establishment().tolist()            # no property: labour alone
        [0.25, 0.75]
        >>> art288(est, labour="payroll").per_establishment().tolist()
        [0.5, 0.5]
    """
    labour = _check_labour(labour)
    return mean_of_shares(establishments, [(0.5, [(labour, 1.0)]), (0.5, [("assets", 1.0)])])


def _art288_groups(labour: str, labour_weight: float, assets_weight: float,
                   kind: str = "") -> list[tuple[float, list[tuple[str, float]]]]:
    return [(labour_weight, [(labour + kind, 1.0)]), (assets_weight, [("assets" + kind, 1.0)])]


def art288_1995(establishments: Establishments, *, labour: str = "headcount",
                labour_weight: float = 0.5, assets_weight: float = 0.5) -> Shares:
    """Law 64-FZ of 25.04.1995 / Resolution 660: only subdivisions without own balance apportioned.

    For subdivisions **without** their own balance sheet and bank account, the regional part
    was paid at their locations by the mean of the headcount (or wage fund:
    ``labour="payroll"``) share and the share of fixed production assets (the ``assets``
    column). A subdivision **with** its own balance sheet and bank account was a taxpayer in
    its own right (Law 2116-1 art. 1) and paid on its own profit where it is registered.

    The model has no profit per establishment, so (an approximation, docs/fiscal.md) the own
    profit of an establishment with ``own_balance_sheet`` is its art. 288-style share of the
    firm's base computed over **all** the firm's establishments, paid in its own region; the
    rest of the base (the head office's profit) is apportioned among the establishments
    **without** their own balance sheet by the same factors, their totals taken over those
    establishments only (zero factors drop out as in every rule; if none is left, the rest
    stays at the head office). With no establishment flagged this is exactly :func:`art288`
    (same algebra; fixed production assets rather than residual value of depreciable
    property). Before 1995 the regional part went with the head office: use
    :func:`registration` for 1992-1994.

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments
        >>> est = Establishments(firm=[0, 0], region=[0, 1], headcount=[1, 3],
        ...                      payroll=[0, 0], assets=[3, 1], sales=[0, 0],
        ...                      n_firms=1, n_regions=2)
        >>> art288_1995(est).per_establishment().tolist()
        [0.5, 0.5]
        >>> est = Establishments(firm=[0, 0, 0], region=[0, 1, 2], headcount=[2, 1, 1],
        ...                      payroll=[0, 0, 0], assets=[2, 1, 1], sales=[0, 0, 0],
        ...                      n_firms=1, n_regions=3, own_balance_sheet=[False, True, False])
        >>> art288_1995(est).per_establishment().tolist()   # ¼ own; ¾ split 2:1
        [0.5, 0.25, 0.25]
    """
    labour = _check_labour(labour)
    whole = mean_of_shares(establishments, _art288_groups(labour, labour_weight, assets_weight))
    if not establishments.any_own_balance_sheet:
        return whole
    names = (labour, "assets")
    # The own-balance establishments' shares of the firm, taken over all its establishments.
    own_share = np.zeros(establishments.n_firms)
    for name in names:
        own_share += whole.per_unit[name] * establishments.firm_totals(name + OWN)
    rest = np.clip(1.0 - own_share, 0.0, 1.0)
    apportioned = mean_of_shares(establishments, _art288_groups(
        labour, labour_weight, assets_weight, APPORTIONED))
    per_unit = {name + OWN: whole.per_unit[name] for name in names}
    per_unit.update({name: rest * coefficient
                     for name, coefficient in apportioned.per_unit.items()})
    return Shares(establishments, per_unit, rest * apportioned.head_office)


def own_balance_summary(establishments: Establishments) -> dict[str, int]:
    """Count the establishments and firms the ``own_balance_sheet`` flag concerns.

    ``firms_differing``: firms with at least one establishment with its own balance sheet and
    at least two without; only there can :func:`art288_1995` differ from :func:`art288` (the
    own-balance establishments get their art. 288 shares either way, and a single apportioned
    establishment, usually the head office, gets all the rest either way).

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments
        >>> est = Establishments(firm=[0, 0, 0, 1, 1], region=[0, 1, 2, 0, 1],
        ...                      headcount=[1] * 5, payroll=[1] * 5, assets=[1] * 5,
        ...                      sales=[1] * 5, n_firms=2, n_regions=3,
        ...                      own_balance_sheet=[False, True, False, False, True])
        >>> summary = own_balance_summary(est)
        >>> summary["own_balance_sheet"], summary["firms_with_own"], summary["firms_differing"]
        (2, 2, 1)
    """
    n_firms = establishments.n_firms
    own = np.bincount(establishments.firm, weights=establishments.own_balance_sheet,
                      minlength=n_firms)
    rest = np.bincount(establishments.firm, minlength=n_firms) - own
    return {"establishments": len(establishments),
            "own_balance_sheet": int(establishments.own_balance_sheet.sum()),
            "firms": n_firms, "firms_with_own": int((own > 0).sum()),
            "firms_differing": int(((own > 0) & (rest >= 2)).sum())}


def uditpa(establishments: Establishments) -> Shares:
    """US Uniform Division of Income for Tax Purposes Act (1957), three-factor formula.

    ``(property% + payroll% + sales%) / 3``, each factor in-state over everywhere; property is
    the ``assets`` column (UDITPA values rented property at 8 × annual rent: build the column
    so). A factor whose firm total is zero is left out of the average, as states do under
    UDITPA when a factor's denominator is zero.

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments
        >>> est = Establishments(firm=[0, 0], region=[0, 1], headcount=[0, 0],
        ...                      payroll=[1, 3], assets=[1, 1], sales=[0, 0],
        ...                      n_firms=1, n_regions=2)
        >>> uditpa(est).per_establishment().tolist()          # no sales: (property + payroll) / 2
        [0.375, 0.625]
    """
    return mean_of_shares(establishments, [(1.0, [("assets", 1.0)]),
                                            (1.0, [("payroll", 1.0)]), (1.0, [("sales", 1.0)])])


def uditpa_double_sales(establishments: Establishments) -> Shares:
    """UDITPA with double-weighted sales (state variants): ``(property + payroll + 2 sales) / 4``.

    Zero-total factors are dropped as in :func:`uditpa`.

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments
        >>> est = Establishments(firm=[0, 0], region=[0, 1], headcount=[0, 0],
        ...                      payroll=[1, 1], assets=[1, 1], sales=[0, 4],
        ...                      n_firms=1, n_regions=2)
        >>> uditpa_double_sales(est).per_establishment().tolist()
        [0.25, 0.75]
    """
    return mean_of_shares(establishments, [(1.0, [("assets", 1.0)]),
                                            (1.0, [("payroll", 1.0)]), (2.0, [("sales", 1.0)])])


def uditpa_single_sales(establishments: Establishments) -> Shares:
    """UDITPA single sales factor (state variants): the sales share alone.

    A firm without sales falls back to registration (the zero-factor convention).

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments
        >>> est = Establishments(firm=[0, 0], region=[0, 1], headcount=[9, 9],
        ...                      payroll=[9, 9], assets=[9, 9], sales=[1, 3],
        ...                      n_firms=1, n_regions=2)
        >>> uditpa_single_sales(est).per_establishment().tolist()
        [0.25, 0.75]
    """
    return mean_of_shares(establishments, [(1.0, [("sales", 1.0)])])


def ccctb(establishments: Establishments) -> Shares:
    """EU Common Consolidated Corporate Tax Base, COM(2011) 121 art. 86.

    ``⅓ sales + ⅓ (½ payroll + ½ employees) + ⅓ assets``. The labour factor is one factor of
    the three: if a firm's payroll (or headcount) total is zero the other half stands for
    the whole labour factor; a factor with a zero total is dropped and the rest renormalised.

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments
        >>> est = Establishments(firm=[0, 0], region=[0, 1], headcount=[1, 3],
        ...                      payroll=[1, 1], assets=[1, 1], sales=[1, 1],
        ...                      n_firms=1, n_regions=2)
        >>> ccctb(est).per_establishment().round(4).tolist()   # ⅓·½ + ⅓·(¼ + ½)/2 + ⅓·½
        [0.4583, 0.5417]
    """
    return mean_of_shares(establishments, [
        (1 / 3, [("sales", 1.0)]),
        (1 / 3, [("payroll", 0.5), ("headcount", 0.5)]),
        (1 / 3, [("assets", 1.0)]),
    ])


def canada(establishments: Establishments) -> Shares:
    """Canada, Income Tax Regulations (C.R.C., c. 945) s. 402(3): two-factor formula.

    ``½ gross revenue share + ½ salaries and wages share`` (the ``sales`` and ``payroll``
    columns); if one factor's firm total is zero, the other alone.

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments
        >>> est = Establishments(firm=[0, 0], region=[0, 1], headcount=[0, 0],
        ...                      payroll=[1, 3], assets=[0, 0], sales=[1, 1],
        ...                      n_firms=1, n_regions=2)
        >>> canada(est).per_establishment().tolist()
        [0.375, 0.625]
    """
    return mean_of_shares(establishments, [(0.5, [("sales", 1.0)]), (0.5, [("payroll", 1.0)])])


#: A rule: establishments (and options such as ``labour=``) -> :class:`Shares`.
Rule = Callable[..., Shares]

#: The attribution rules by name.
RULES: dict[str, Rule] = {
    "registration": registration,
    "operation": operation,
    "art288": art288,
    "art288_1995": art288_1995,
    "uditpa": uditpa,
    "uditpa_double_sales": uditpa_double_sales,
    "uditpa_single_sales": uditpa_single_sales,
    "ccctb": ccctb,
    "canada": canada,
}


def _shares(est: Establishments, firms: Firms, rule: str | Rule, options: dict[str, Any]) -> Shares:
    if firms.n_firms != est.n_firms:
        raise InvalidValueError(
            "establishments and firms disagree on the number of firms", field="n_firms",
            value=firms.n_firms, expected=f"{est.n_firms} firms, as coded in the establishments",
        )
    if isinstance(rule, str):
        if rule not in RULES:
            raise UnknownReferenceError(
                "unknown attribution rule", field="rule", value=rule,
                expected="one of " + ", ".join(RULES), hint=did_you_mean(rule, RULES),
            )
        rule = RULES[rule]
    try:
        inspect.signature(rule).bind(est, **options)
    except TypeError as err:
        raise InvalidValueError(f"option not accepted by the rule: {err}", field="options",
                                value=sorted(options), expected=str(inspect.signature(rule)),
                                ) from err
    return rule(est, **options)


def attribution_rule(name: str, labour_weight: float = 0.5, assets_weight: float = 0.5) -> Rule:
    """Return the attribution rule ``name``; art. 288 rules use the given factor weights.

    Raises:
        UnknownReferenceError: unknown rule name.

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments
        >>> est = Establishments(firm=[0, 0], region=[0, 1], headcount=[1, 3],
        ...                      payroll=[0, 0], assets=[3, 1], sales=[0, 0],
        ...                      n_firms=1, n_regions=2)
        >>> attribution_rule("art288", 1.0, 0.0)(est).per_establishment().tolist()
        [0.25, 0.75]
    """
    if name not in RULES:
        raise UnknownReferenceError("unknown attribution rule", field="attribution.profit_tax.rule",
                                    value=name, expected="one of " + ", ".join(RULES),
                                    hint=did_you_mean(name, RULES))
    if name not in ("art288", "art288_1995") or (labour_weight, assets_weight) == (0.5, 0.5):
        return RULES[name]
    if name == "art288_1995":
        def weighted_1995(establishments: Establishments) -> Shares:
            return art288_1995(establishments, labour_weight=labour_weight,
                               assets_weight=assets_weight)
        weighted_1995.__doc__ = art288_1995.__doc__
        return weighted_1995

    def weighted(establishments: Establishments) -> Shares:
        return mean_of_shares(establishments, _art288_groups("headcount", labour_weight,
                                                             assets_weight))
    return weighted


class RegionalAttribution(NamedTuple):
    """A region's attributed base, in two parts (float64 arrays of length ``n_regions``).

    ``head_office``: the base left at the head offices registered in the region;
    ``establishments``: the base attributed to the establishments located there;
    ``own_balance_sheet``: of ``establishments``, the part of those with their own balance
    sheet and bank account, which pay on their own base (:func:`art288_1995` only; zeros
    for the other rules).
    """

    head_office: FloatArray
    establishments: FloatArray
    own_balance_sheet: FloatArray | None = None

    @property
    def total(self) -> FloatArray:
        """The base attributed to each region: head offices + establishments."""
        return self.head_office + self.establishments


def attribute_parts(
    establishments: Establishments,
    firms: Firms,
    rule: str | Rule,
    n_regions: int | None = None,
    **options: Any,
) -> RegionalAttribution:
    """Return each region's attributed base, split between head offices and establishments.

    Arguments and errors as :func:`attribute`, whose result is ``.total``.

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
        >>> est = Establishments(firm=[0, 0], region=[1, 2], headcount=[1, 3], payroll=[1, 1],
        ...                      assets=[0, 0], sales=[3, 1], n_firms=2, n_regions=3)
        >>> firms = Firms(registered_region=[0, 2], profit=[100.0, 50.0], n_regions=3)
        >>> parts = attribute_parts(est, firms, "operation")   # firm 1 has no establishment
        >>> parts.head_office.tolist(), parts.establishments.tolist(), parts.total.tolist()
        ([0.0, 0.0, 50.0], [0.0, 25.0, 75.0], [0.0, 25.0, 125.0])
    """
    needed = max(establishments.n_regions, firms.n_regions)
    n_regions = needed if n_regions is None else n_regions
    if n_regions < needed:
        raise InvalidValueError("n_regions is smaller than the region codes in use",
                                field="n_regions", value=n_regions, expected=f">= {needed}")
    shares = _shares(establishments, firms, rule, options)
    base = firms.base
    head_office = np.asarray(np.bincount(firms.registered_region,
                                         weights=shares.head_office * base,
                                         minlength=n_regions), dtype=np.float64)
    own = {name: c for name, c in shares.per_unit.items() if name.endswith(OWN)}
    own_part = (Shares(establishments, own, shares.head_office).regional_sums(base, n_regions)
                if own else np.zeros(n_regions))
    return RegionalAttribution(head_office, shares.regional_sums(base, n_regions), own_part)


def attribute(
    establishments: Establishments,
    firms: Firms,
    rule: str | Rule,
    n_regions: int | None = None,
    **options: Any,
) -> FloatArray:
    """Return the tax base attributed to each region (length ``n_regions``, float64).

    Args:
        establishments: the firms' establishments.
        firms: registered region and profit of each firm (the base is ``max(profit, 0)``).
        rule: a name in :data:`RULES` or a rule function.
        n_regions: length of the result; defaults to the larger of ``establishments.n_regions``
            and ``firms.n_regions``.
        **options: passed to the rule (e.g. ``labour="payroll"`` for ``art288``).

    Returns:
        Per-region base; it sums to ``firms.base.sum()`` up to float64 rounding.

    Raises:
        UnknownReferenceError: unknown rule name.
        InvalidValueError: firm counts disagree, ``n_regions`` too small, or a bad option.

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
        >>> est = Establishments(firm=[0, 0], region=[1, 2], headcount=[1, 3], payroll=[1, 1],
        ...                      assets=[0, 0], sales=[3, 1], n_firms=2, n_regions=3)
        >>> firms = Firms(registered_region=[0, 2], profit=[100.0, 50.0], n_regions=3)
        >>> attribute(est, firms, "operation").tolist()   # firm 1 has no establishment
        [0.0, 25.0, 125.0]
        >>> attribute(est, firms, "art288", labour="payroll").tolist()
        [0.0, 50.0, 100.0]
    """
    return attribute_parts(establishments, firms, rule, n_regions, **options).total


class Attribution(NamedTuple):
    """Attributed base per establishment (input row order) and left at each head office."""

    establishment: FloatArray
    head_office: FloatArray


def attribute_by_establishment(
    establishments: Establishments, firms: Firms, rule: str | Rule, **options: Any
) -> Attribution:
    """Return the base attributed to each establishment and to each firm's head office.

    ``establishment[i]`` goes to the region of input row ``i``; ``head_office[f]`` to firm
    ``f``'s registered region. Together they sum to ``firms.base.sum()``.

    Examples:
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
        >>> est = Establishments(firm=[0, 0], region=[1, 2], headcount=[1, 3], payroll=[1, 1],
        ...                      assets=[0, 0], sales=[3, 1], n_firms=2, n_regions=3)
        >>> firms = Firms(registered_region=[0, 2], profit=[100.0, 50.0], n_regions=3)
        >>> a = attribute_by_establishment(est, firms, "operation")
        >>> a.establishment.tolist(), a.head_office.tolist()
        ([25.0, 75.0], [0.0, 50.0])
    """
    shares = _shares(establishments, firms, rule, options)
    base = firms.base
    return Attribution(shares.per_establishment(base), shares.head_office * base)
