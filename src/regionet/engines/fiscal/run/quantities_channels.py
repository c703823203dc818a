"""Declarations of the other federal channels: aid besides the fund, direct spending, net flows.

The equalization fund (:mod:`.quantities_transfers`) is one channel of federal money among
several. Lavrov (2001) counts donor regions by *net federal flows*: federal taxes collected in
a region against everything the centre pays there. The channels here are sized by the
parameters ``federal_flows.*`` (relative to the fund ``F`` and to federal revenue) and shared
among regions by keys declared with each quantity; every key is an assumption, named in its
formula and in docs/fiscal.md ("Other federal channels"):

- **subventions** (targeted: early delivery to the Far North, Far East electricity tariffs,
  compensation for the new FFPR method, regional programmes): the northern part by
  ``N × max(ИБР − 1, 0)``, the rest in proportion to the FFPR transfer;
- **mutual settlements** (compensation of federal decisions that raised regional spending):
  by ``N × ИБР``;
- **federal programmes** (road-fund dotations, programmes of regional development): by ``N``;
- **direct spending** (the centre's own functions in the regions): what federal spending other
  than debt service leaves after the fund and the aid, by ``N``.

A key whose weights are all 0 (no region with ИБР > 1, no FFPR transfer) falls back to
population, so every channel pays out exactly its size. A law without the ``federal_flows``
parameters (a case of one's own, a toy law) models no other channel: the sizes are 0 and the
trace says so; so are they in a year the parameters give no value.

Examples:
    >>> import numpy as np
    >>> share_out(10.0, np.array([1.0, 3.0]), np.array([5.0, 5.0])).value.tolist()
    [2.5, 7.5]
    >>> out = share_out(10.0, np.zeros(2), np.array([1.0, 4.0]))
    >>> out.value.tolist(), out.rule
    ([2.0, 8.0], 'population (no region has a weight)')
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from regionet.core.errors import InvalidValueError
from regionet.engines.fiscal.inputs.establishments import FloatArray
from regionet.engines.fiscal.run.runner import (
    MONEY,
    MONEY_PER_PERSON,
    Computed,
    Evaluation,
    quantity,
)

__all__ = ["CHANNEL_QUANTITIES", "share_out"]

_AID = "federal_flows.financial_aid"
_SPLIT: Final = tuple(f"{_AID}.split.{c}" for c in ("subventions", "mutual_settlements",
                                                     "federal_programmes"))
_IET: Final = ("IET/CEPRA, federal financial aid to the subjects 1992–2001 (table 1; the "
               "FFPR is 53.77 % of financial aid in the 2001 draft budget)",)
_KEY: Final = "allocation key: an assumption (docs/fiscal.md, Other federal channels)"


def _size_parameter(q: Evaluation, path: str) -> float | Computed:
    """The year's value of a channel's size parameter, or a zero size saying why not."""
    if path not in q.tree:
        return Computed(0.0, rule="not modelled", note=f"the law has no {path}: the channel "
                                                       "is not modelled")
    value = q.optional(path)
    if value is None:
        return Computed(0.0, rule="no value", note=f"{path} has no value in {q.year}")
    return value


def share_out(amount: float, weights: FloatArray, population: FloatArray) -> Computed:
    """Share ``amount`` among regions in proportion to ``weights`` (population if all are 0).

    Raises:
        InvalidValueError: a negative or non-finite weight.
    """
    if not np.all(np.isfinite(weights) & (weights >= 0)):
        raise InvalidValueError("bad allocation weights", field="weights",
                                expected="finite weights >= 0")
    total = float(weights.sum())
    if total > 0:
        # weights / total first: amount × a subnormal weight would underflow to 0 (Hypothesis)
        return Computed(amount * (weights / total), rule="key")
    return Computed(amount * population / float(population.sum()),
                    rule="population (no region has a weight)")


@quantity(label="Federal revenue collected (national)", unit=MONEY, scalar=True,
          formula="Σ over regions of revenue_federal_collected",
          references=("model definition (docs/fiscal.md, Other federal channels)",),
          reads=("revenue_federal_collected",))
def federal_revenue_national(q: Evaluation) -> float:
    """The centre's tax revenue, the base direct spending is sized on."""
    return float(q.array("revenue_federal_collected").sum())


@quantity(label="Other financial aid (national)", unit=MONEY, scalar=True,
          formula="federal_flows.financial_aid.other_to_fund × fund_size (0 with no fund)",
          references=_IET, parameters=(f"{_AID}.other_to_fund", *_SPLIT),
          reads=("fund_size",))
def other_aid_size(q: Evaluation) -> Computed:
    """Aid to regional budgets besides the FFPR; its channels' shares must add up to 1."""
    fund = q.scalar("fund_size")
    if fund == 0.0:
        return Computed(0.0, rule="no fund", note="no fund: the other aid is not sized")
    ratio = _size_parameter(q, f"{_AID}.other_to_fund")
    if isinstance(ratio, Computed):
        return ratio
    shares = q.numbers(_SPLIT)
    if not math.isclose(math.fsum(shares), 1.0, abs_tol=1e-9):
        raise InvalidValueError(f"the shares of the other aid do not add up to 1 in {q.year}",
                                field=", ".join(_SPLIT), value=shares,
                                hint="A scenario probably overrode one share without the "
                                     "others.")
    return Computed(ratio * fund, rule="ratio to the fund")


@quantity(label="Targeted subventions", unit=MONEY,
          formula="s × A: the northern part (subventions.northern_share) by N × max(ИБР − 1, "
                  "0), the rest in proportion to transfers (the FFPR); s = "
                  "financial_aid.split.subventions, A = other_aid_size",
          references=("Law 36-FZ (federal budget for 1999) art. 43: the fund of targeted "
                      "subventions", _KEY),
          parameters=(f"{_AID}.split.subventions", f"{_AID}.subventions.northern_share"),
          reads=("other_aid_size", "population", "expenditure_index", "transfers"),
          details={"northern": "northern part", "rest": "part following the FFPR transfer"})
def subventions(q: Evaluation) -> Computed:
    """Early delivery to the North and Far East tariffs by northern need; the rest like the FFPR."""
    size = q.scalar("other_aid_size")
    population = q.array("population")
    if size == 0.0:
        return Computed(np.zeros(q.n), rule="no aid")
    amount = q.number(f"{_AID}.split.subventions") * size
    north = q.number(f"{_AID}.subventions.northern_share")
    need = population * np.maximum(q.array("expenditure_index") - 1.0, 0.0)
    northern = share_out(north * amount, need, population)
    rest = share_out((1.0 - north) * amount, np.asarray(q.array("transfers")), population)
    return Computed(northern.value + rest.value, rule="key",
                    note=f"northern part by {northern.rule}, the rest by {rest.rule}",
                    details={"northern": northern.value, "rest": rest.value})


@quantity(label="Mutual settlements", unit=MONEY,
          formula="s × A by N × ИБР; s = financial_aid.split.mutual_settlements, "
                  "A = other_aid_size", references=(*_IET, _KEY),
          parameters=(f"{_AID}.split.mutual_settlements",),
          reads=("other_aid_size", "population", "expenditure_index"))
def mutual_settlements(q: Evaluation) -> Computed:
    """Compensation of federal decisions that raised regional spending, by cost of services."""
    size = q.scalar("other_aid_size")
    if size == 0.0:
        return Computed(np.zeros(q.n), rule="no aid")
    population = q.array("population")
    return share_out(q.number(f"{_AID}.split.mutual_settlements") * size,
                     population * q.array("expenditure_index"), population)


@quantity(label="Federal programmes", unit=MONEY,
          formula="s × A by N; s = financial_aid.split.federal_programmes, A = other_aid_size",
          references=("IET/CEPRA: road-fund dotations and federal programmes of regional "
                      "development do not exceed 0.2 % of GDP", _KEY),
          parameters=(f"{_AID}.split.federal_programmes",),
          reads=("other_aid_size", "population"))
def federal_programmes(q: Evaluation) -> Computed:
    """Road-fund dotations and programmes of regional development, per resident."""
    size = q.scalar("other_aid_size")
    if size == 0.0:
        return Computed(np.zeros(q.n), rule="no aid")
    population = q.array("population")
    return share_out(q.number(f"{_AID}.split.federal_programmes") * size, population,
                     population)


@quantity(label="Other financial aid received", unit=MONEY,
          formula="subventions + mutual_settlements + federal_programmes",
          references=_IET, reads=("subventions", "mutual_settlements", "federal_programmes"))
def transfers_other(q: Evaluation) -> FloatArray:
    """Aid to the regional budget besides the FFPR transfer."""
    return q.array("subventions") + q.array("mutual_settlements") + q.array("federal_programmes")


_PRIMARY: Final = "federal_flows.direct_spending.primary_spending_to_revenue"


@quantity(label="Federal direct spending (national)", unit=MONEY, scalar=True,
          formula="max(0, p × federal_revenue_national − fund_size − other_aid_size), "
                  "p = direct_spending.primary_spending_to_revenue",
          references=("Law 36-FZ (federal budget for 1999) art. 1–2: revenue and the surplus "
                      "before debt service",), parameters=(_PRIMARY,),
          reads=("federal_revenue_national", "fund_size", "other_aid_size"))
def direct_spending_size(q: Evaluation) -> Computed:
    """Primary federal spending that is not a transfer to regional budgets."""
    primary = _size_parameter(q, _PRIMARY)
    if isinstance(primary, Computed):
        return primary
    gross = primary * q.scalar("federal_revenue_national")
    left = gross - q.scalar("fund_size") - q.scalar("other_aid_size")
    if left < 0:
        return Computed(0.0, rule="nothing left",
                        note="the fund and the aid exceed primary spending")
    return Computed(left, rule="rest of primary spending")


@quantity(label="Federal direct spending in the region", unit=MONEY,
          formula="direct_spending_size by N", references=(_KEY,),
          reads=("direct_spending_size", "population"))
def direct_spending(q: Evaluation) -> Computed:
    """The centre's own spending in the region (defence, law enforcement, federal agencies…)."""
    population = q.array("population")
    return share_out(q.scalar("direct_spending_size"), population, population)


_LAVROV: Final = ("Lavrov (2001) via fiscal-russia.md, donors and recipients: net federal "
                  "flows", "model definition (docs/fiscal.md, output columns)")


@quantity(label="Net federal flow", unit=MONEY,
          formula="transfers + transfers_other − revenue_federal_collected (> 0: the region "
                  "receives more aid than the centre collects there)", references=_LAVROV,
          reads=("transfers", "transfers_other", "revenue_federal_collected"))
def net_federal_flow(q: Evaluation) -> FloatArray:
    """Every transfer to the regional budget against the federal taxes collected there."""
    return (q.array("transfers") + q.array("transfers_other")
            - q.array("revenue_federal_collected"))


@quantity(label="Net federal flow with direct spending", unit=MONEY,
          formula="net_federal_flow + direct_spending", references=_LAVROV,
          reads=("net_federal_flow", "direct_spending"))
def net_federal_flow_with_direct_spending(q: Evaluation) -> FloatArray:
    """Also counting what the centre spends in the region itself."""
    return q.array("net_federal_flow") + q.array("direct_spending")


@quantity(label="Regional spending per capita", unit=MONEY_PER_PERSON,
          formula="(revenue_regional + transfers + transfers_other) / population (a "
                  "balanced budget: the region spends its revenue and all aid)",
          references=("model definition (docs/fiscal.md, output columns)",),
          reads=("revenue_regional", "transfers", "transfers_other", "population"))
def spending_regional_per_capita(q: Evaluation) -> FloatArray:
    """The per-capita spending whose max/min fiscal-russia.md reports (12× 1992, 40× 2000)."""
    return ((q.array("revenue_regional") + q.array("transfers") + q.array("transfers_other"))
            / q.array("population"))


#: The declarations of this module.
CHANNEL_QUANTITIES: Final = (federal_revenue_national, other_aid_size, subventions,
                             mutual_settlements, federal_programmes, transfers_other,
                             direct_spending_size, direct_spending, net_federal_flow,
                             net_federal_flow_with_direct_spending, spending_regional_per_capita)
