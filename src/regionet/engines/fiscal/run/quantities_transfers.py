"""Declarations of the transfers: the equalization fund, its allocation and the net flows.

The fund's size is national (``fund_base_amount``, ``fund_size``: scalars); ``transfers``
calls the year's allocation method of :mod:`regionet.engines.fiscal.rules.equalization` and
keeps its :class:`~regionet.engines.fiscal.rules.equalization.Allocation` in the trace (the
method's details: budget sufficiency, stage transfers, the stage-2 level, gaps…). Net flows
and per-capita amounts follow.

Examples:
    >>> FUND_BASES["federal_domestic_vat"], STAGE_SPLIT_DEFAULTS
    ('vat_federal', {'stage_1': 0.8, 'stage_2': 0.2})
"""

from __future__ import annotations

from typing import Final

from regionet.core.errors import UnknownReferenceError
from regionet.engines.fiscal.inputs.establishments import FloatArray
from regionet.engines.fiscal.rules.equalization import EqualizationInputs, allocate
from regionet.engines.fiscal.run.runner import (
    MONEY,
    MONEY_PER_PERSON,
    Computed,
    Evaluation,
    quantity,
)

__all__ = ["FUND_BASES", "STAGE_SPLIT_DEFAULTS", "TRANSFER_QUANTITIES"]

#: The fund's base (``equalization.fund.base``) -> the quantity summed over regions. The model
#: has no import VAT and no customs duties: both VAT bases are the federal VAT, and federal tax
#: revenue "excluding import duties" is all modelled federal revenue (docs/fiscal.md).
FUND_BASES: Final = {"federal_vat": "vat_federal", "federal_domestic_vat": "vat_federal",
                     "federal_tax_revenue_excl_import_duties": "revenue_federal_collected"}
#: Engine defaults of the two-stage shares on days without a value (docs/fiscal.md).
STAGE_SPLIT_DEFAULTS: Final = {"stage_1": 0.8, "stage_2": 0.2}
_PUBLISHED: Final = "equalization.fund.total"
_FFPR: Final = ("federal budget law for 1995 (39-FZ) art. 28",
                "federal budget laws for 1996 (228-FZ) and 1997 (29-FZ art. 25)",
                "fiscal-russia.md, Federal Fund for Financial Support of the Regions (FFPR)")


@quantity(label="Base of the equalization fund (national)", unit=MONEY, scalar=True,
          formula="Σ over regions of the quantity equalization.fund.base names: vat_federal "
                  "(federal_vat, federal_domestic_vat) or revenue_federal_collected "
                  "(federal_tax_revenue_excl_import_duties)",
          by_rule={"published_total": "Σ revenue_federal_collected (for comparison: the fund "
                                      "is its published total)",
                   "none": "0: no fund rule in force"},
          references=_FFPR, parameters=(_PUBLISHED, "equalization.fund.base"),
          reads=tuple(dict.fromkeys(FUND_BASES.values())))
def fund_base_amount(q: Evaluation) -> Computed:
    """The amount the fund's share applies to; its rule names the base."""
    if q.use_published_total and q.optional(_PUBLISHED, average=False) is not None:
        return Computed(float(q.array("revenue_federal_collected").sum()), rule="published_total")
    base = q.optional_name("equalization.fund.base")
    if base is None:
        return Computed(0.0, rule="none", note="no fund rule in force")
    if base not in FUND_BASES:
        raise UnknownReferenceError("unknown fund base", field="equalization.fund.base",
                                    value=base, expected="one of " + ", ".join(FUND_BASES))
    return Computed(float(q.array(FUND_BASES[base]).sum()), rule=base)


@quantity(label="Size of the equalization fund (national)", unit=MONEY, scalar=True,
          formula="equalization.fund.share × fund_base_amount",
          by_rule={"published_total": "equalization.fund.total, the published total (in force "
                                      "on 1 July; with use_published_total)",
                   "no fund rule in force": "0: no fund rule in force"},
          references=_FFPR, parameters=("equalization.fund.share", _PUBLISHED),
          reads=("fund_base_amount",))
def fund_size(q: Evaluation) -> Computed:
    """The fund ``F``; its rule says where the size comes from (the result's ``fund_source``)."""
    base = q.rule_of("fund_base_amount")
    total = q.optional(_PUBLISHED, average=False) if base == "published_total" else None
    if total is not None:
        return Computed(total, rule="published_total")
    if base == "none":
        return Computed(0.0, rule="no fund rule in force")
    return Computed(q.number("equalization.fund.share") * q.scalar("fund_base_amount"),
                    rule="share")


@quantity(label="Equalization transfer", unit=MONEY,
          formula="the fund allocated by the year's equalization method",
          by_rule={
              "two_stage": "T1 + T2: T1 = s₁F (1 − БО) ИБР N / Σ_{БО<1} (1 − БО) ИБР N if "
                           "БО < 1; T2 = max(0, B* − БО') ИБР N x̄; БО = (K / N / x̄) / ИБР, "
                           "x̄ = Σ K / Σ N, K = revenue_regional_capacity",
              "gap_filling": "F × gap / Σ gap, gap = max(0, ИБР × N × Σ R / Σ N − R), "
                             "R = revenue_regional",
              "equal_per_capita": "F × N / Σ N",
              "none": "0: no formula transfers (the centre keeps the fund)"},
          references=("fiscal-russia.md, FFPR 1999–2001 formula (two_stage) and before 1999 "
                      "(gap_filling, an approximation); docs/fiscal.md, equalization methods",),
          parameters=("equalization.method", "equalization.stage_split.stage_1",
                      "equalization.stage_split.stage_2"),
          reads=("fund_size", "population", "expenditure_index", "revenue_regional_capacity",
                 "revenue_regional"),
          details={"average_capacity_per_capita": "x̄ (average capacity per capita)",
                   "capacity_index": "ИНП (capacity index)", "sufficiency": "БО (sufficiency)",
                   "stage_1": "T1 (stage 1)", "sufficiency_after_stage_1": "БО' (after stage 1)",
                   "level": "B* (stage-2 level)", "stage_2": "T2 (stage 2)",
                   "stage_1_share": "s₁ (stage-1 share)", "stage_2_share": "s₂ (stage-2 share)",
                   "need": "need (ИБР × N × average revenue per capita)", "gap": "gap",
                   "average_revenue_per_capita": "average revenue per capita"})
def transfers(q: Evaluation) -> Computed:
    """The year's method (or the scenario's) allocates the fund."""
    method = q.rules.get("equalization", q.name("equalization.method"))
    fund = q.scalar("fund_size")
    options = {}
    if method == "two_stage":
        options = {stage: q.number(f"equalization.stage_split.{stage}", default)
                   for stage, default in STAGE_SPLIT_DEFAULTS.items()}
    allocation = allocate(method, fund, EqualizationInputs(
        q.array("population"), q.array("expenditure_index"),
        q.array("revenue_regional_capacity"), q.array("revenue_regional")), **options)
    return Computed(allocation.transfers, rule=method, note=allocation.note,
                    details=allocation.details, outcome=allocation)


_DEFINITION: Final = ("model definition (docs/fiscal.md, output columns)",)


@quantity(label="Net flow with the centre", unit=MONEY,
          formula="transfers − revenue_federal_collected (> 0: the region receives more than "
                  "the centre collects there)", references=_DEFINITION,
          reads=("transfers", "revenue_federal_collected"))
def net_flow(q: Evaluation) -> FloatArray:
    """The region's narrow budget balance with the centre."""
    return q.array("transfers") - q.array("revenue_federal_collected")


@quantity(label="Own revenue per capita", unit=MONEY_PER_PERSON,
          formula="revenue_regional / population", references=_DEFINITION,
          reads=("revenue_regional", "population"))
def revenue_regional_per_capita(q: Evaluation) -> FloatArray:
    """Before transfers."""
    return q.array("revenue_regional") / q.array("population")


@quantity(label="Transfers per capita", unit=MONEY_PER_PERSON,
          formula="transfers / population", references=_DEFINITION,
          reads=("transfers", "population"))
def transfers_per_capita(q: Evaluation) -> FloatArray:
    """The transfer per resident."""
    return q.array("transfers") / q.array("population")


@quantity(label="Own revenue and transfers per capita", unit=MONEY_PER_PERSON,
          formula="(revenue_regional + transfers) / population", references=_DEFINITION,
          reads=("revenue_regional", "transfers", "population"))
def total_per_capita(q: Evaluation) -> FloatArray:
    """After transfers."""
    return (q.array("revenue_regional") + q.array("transfers")) / q.array("population")


#: The declarations of this module.
TRANSFER_QUANTITIES: Final = (fund_base_amount, fund_size, transfers, net_flow,
                              revenue_regional_per_capita, transfers_per_capita, total_per_capita)
