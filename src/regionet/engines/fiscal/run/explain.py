"""Explain one number: the steps, inputs, parameters and rules behind a region's value.

:func:`explain` rebuilds a quantity of the per-region output (a column of
:data:`~regionet.engines.fiscal.run.pipeline.COLUMNS`) from the inputs and the year's parameters,
step by step: each :class:`Step` gives the formula in words, the inputs with their values, the
parameters with value, reference and status (as resolved under the date convention, see
:mod:`regionet.engines.fiscal.law.annual`) and the rule used. Steps come in dependency order, and
the last one is the quantity: its value equals the pipeline's number (tested).

Examples:
    >>> step = Step("net_flow", "transfers − revenue_federal_collected", -2.0,
    ...             {"transfers": 1.0, "revenue_federal_collected": 3.0})
    >>> print(step)
    net_flow = -2 : transfers − revenue_federal_collected
        transfers = 1; revenue_federal_collected = 3
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from regionet.core.errors import InvalidValueError, UnknownActorError, UnknownReferenceError
from regionet.engines.fiscal.inputs.year_inputs import TAX_KEYS, FiscalInputs
from regionet.engines.fiscal.law.annual import AnnualValue
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import Scenario
from regionet.engines.fiscal.rules.attribution import attribute_by_establishment
from regionet.engines.fiscal.run.pipeline import (
    COLUMNS,
    HYDROCARBONS,
    OKRUG,
    SPLITS,
    WHOLLY,
    FiscalResult,
    YearResult,
    attribution_rule,
    run_year,
    tax_column,
)

__all__ = ["Explanation", "Step", "explain"]


@dataclass(frozen=True)
class Step:
    """One step: ``quantity = value``, by ``formula`` from ``inputs`` and ``parameters``."""

    quantity: str
    formula: str
    value: float
    inputs: Mapping[str, float] = field(default_factory=dict)
    parameters: tuple[AnnualValue, ...] = ()
    rule: str | None = None
    note: str | None = None

    def __str__(self) -> str:
        lines = [f"{self.quantity} = {self.value:.10g} : {self.formula}"]
        if self.inputs:
            lines.append("    " + "; ".join(f"{k} = {v:.10g}" for k, v in self.inputs.items()))
        lines += [f"    parameter {p}" for p in self.parameters]
        if self.rule:
            lines.append(f"    rule: {self.rule}")
        if self.note:
            lines.append(f"    note: {self.note}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Explanation:
    """The trace of ``quantity`` for ``region`` in ``year``; ``value`` is the last step's."""

    region: str
    year: int
    quantity: str
    value: float
    steps: tuple[Step, ...]

    def __str__(self) -> str:
        head = f"{self.quantity} of {self.region} in {self.year} = {self.value:.10g}"
        return "\n".join([head, *(f"{k}. {s}" for k, s in enumerate(self.steps, 1))])

    def to_dict(self) -> dict[str, Any]:
        """Return the trace as plain data (for JSON)."""
        return {"region": self.region, "year": self.year, "quantity": self.quantity,
                "value": self.value, "steps": [
                    {"quantity": s.quantity, "formula": s.formula, "value": s.value,
                     "inputs": dict(s.inputs), "rule": s.rule, "note": s.note,
                     "parameters": [{"path": p.path, "value": p.value, "convention": p.convention,
                                     "pieces": [{"since": str(q.since), "value": q.value,
                                                 "weight": q.weight, "reference": q.reference,
                                                 "status": q.status} for q in p.pieces]}
                                    for p in s.parameters]} for s in self.steps]}


class _Trace:
    """Steps for one region of one year result, each quantity computed once."""

    def __init__(self, result: YearResult, region: int) -> None:
        self.result, self.i = result, region
        self.inputs: FiscalInputs = result.inputs
        self.values: dict[str, float] = {}
        self.steps: list[Step] = []

    def need(self, quantity: str) -> float:
        if quantity not in self.values:
            step = _handler(quantity)(self)
            self.values[quantity] = step.value
            self.steps.append(step)
        return self.values[quantity]

    def param(self, path: str) -> AnnualValue | None:
        return self.result.parameters.get(path)

    def params(self, *paths: str) -> tuple[AnnualValue, ...]:
        return tuple(p for path in paths if (p := self.param(path)) is not None)

    def number(self, path: str, missing: float = 0.0) -> float:
        value = self.param(path)
        return missing if value is None else value.number

    def parent(self) -> np.ndarray[Any, np.dtype[np.intp]]:
        ids, parents = self.inputs.regions.ids, self.inputs.regions.parent
        return np.array([-1 if p is None else ids.index(p) for p in (parents or [None] * len(ids))],
                        dtype=np.intp)

    def efficiency(self, region: int) -> float:
        return float(self.result.regions["collection_efficiency"].iloc[region])


def _population(t: _Trace) -> Step:
    value = float(t.inputs.regions.population[t.i])
    return Step("population", "input: RegionTable.population", value, {"population": value})


def _expenditure_index(t: _Trace) -> Step:
    value = float(t.result.regions["expenditure_index"].iloc[t.i])
    return Step("expenditure_index", "input: RegionTable.expenditure_index (ИБР)", value,
                {"expenditure_index": value})


def _tax_collected(t: _Trace) -> Step:
    eff = t.need("collection_efficiency")
    inputs = {f"profit_tax_{lv}": t.need(f"profit_tax_{lv}")
              for lv in ("federal", "regional", "local")}
    inputs |= {f"tax due ({key})": float(t.inputs.regions.due(key)[t.i]) for key in TAX_KEYS}
    value = sum(v for k, v in inputs.items() if k.startswith("profit")) + eff * sum(
        float(t.inputs.regions.due(key)[t.i]) for key in TAX_KEYS)
    return Step("tax_collected", "profit tax collected in the region (all levels) + Σ tax due "
                "× collection efficiency", value, {**inputs, "collection_efficiency": eff})


def _efficiency(t: _Trace) -> Step:
    value = t.efficiency(t.i)
    if t.result.collection_override:
        return Step("collection_efficiency", "input: the collection_by_region override", value,
                    {"collection_by_region": value})
    return Step("collection_efficiency", "national collection efficiency (parameter)", value,
                parameters=t.params("collection.efficiency"))


def _base_registered(t: _Trace) -> Step:
    firms = t.inputs.firms
    here = firms.registered_region == t.i
    value = float(firms.base[here].sum())
    return Step("profit_tax_base_registered",
                "Σ max(profit, 0) over the firms whose head office is in the region", value,
                {"firms registered here": float(here.sum()), "their base": value})


def _base_attributed(t: _Trace) -> Step:
    rule = t.result.rules["attribution"]
    weights = t.params(*(f"attribution.{rule}.weight.{w}"
                         for w in ("labour", "assets", "fixed_assets")))
    est, firms = t.inputs.establishments, t.inputs.firms
    rule_fn = (attribution_rule(rule, *(w.number for w in weights)) if len(weights) == 2
               else attribution_rule(rule))  # as the pipeline: both weights or the defaults
    split = attribute_by_establishment(est, firms, rule_fn)
    region = est.region if est.order is None else est.region[np.argsort(est.order)]
    at_establishments = float(split.establishment[region == t.i].sum())
    at_head_office = float(split.head_office[firms.registered_region == t.i].sum())
    return Step("profit_tax_base_attributed",
                "base left at the head offices in the region + Σ share × base of the firms' "
                "establishments in the region (shares by the attribution rule)",
                at_head_office + at_establishments,
                {"base left at head offices here": at_head_office,
                 "base attributed to establishments here": at_establishments,
                 "establishments here": float((region == t.i).sum())},
                t.params("attribution.profit_tax.rule", *(w.path for w in weights)), rule)


def _profit_tax(level: str) -> Callable[[_Trace], Step]:
    base = "profit_tax_base_registered" if level == "federal" else "profit_tax_base_attributed"

    def handler(t: _Trace) -> Step:
        amount, eff = t.need(base), t.need("collection_efficiency")
        rate = t.number(f"profit_tax.rate.{level}")
        where = "at the head office" if level == "federal" else "by the attribution rule"
        return Step(f"profit_tax_{level}", f"{level} rate × {base} ({where}) × collection "
                    "efficiency", rate * amount * eff, {base: amount, "collection_efficiency": eff},
                    t.params(f"profit_tax.rate.{level}"))
    return handler


def _tax_part(t: _Trace, key: str, level: str, collected: bool) -> tuple[float, dict[str, float],
                                                                          tuple[str, ...]]:
    """One region's revenue from ``key`` at ``level``: (value, inputs, parameter paths)."""
    due = t.inputs.regions.due(key)
    eff = (t.result.regions["collection_efficiency"].to_numpy() if collected
           else np.ones(len(due)))
    parent = t.parent()
    okrug = key == HYDROCARBONS and parent[t.i] >= 0 and t.param(OKRUG[0]) is not None
    paths: tuple[str, ...] = (OKRUG[0 if level == "federal" else 1],) if okrug else (
        () if key in WHOLLY else (SPLITS[key][0 if level == "federal" else 1],))
    share = 1.0 if key in WHOLLY else t.number(paths[0])
    inputs = {f"tax due ({key})": float(due[t.i]), "collection efficiency": float(eff[t.i]),
              "share": share}
    value = share * float(due[t.i]) * float(eff[t.i])
    children = np.flatnonzero(parent == t.i)
    if (key == HYDROCARBONS and level == "regional" and children.size
            and t.param(OKRUG[2]) is not None):
        parent_share = t.number(OKRUG[2])
        for k in children:
            inputs[f"tax due in okrug {t.inputs.regions.ids[k]}"] = float(due[k])
            inputs[f"collection efficiency in okrug {t.inputs.regions.ids[k]}"] = float(eff[k])
        received = parent_share * float((due[children] * eff[children]).sum())
        inputs["parent region's share"], inputs["received from okrugs"] = parent_share, received
        value, paths = value + received, (*paths, OKRUG[2])
    return value, inputs, paths


def _tax(key: str, level: str) -> Callable[[_Trace], Step]:
    def handler(t: _Trace) -> Step:
        value, inputs, paths = _tax_part(t, key, level, collected=True)
        formula = ("tax due × collection efficiency (credited wholly to this level)"
                   if key in WHOLLY else f"{level} share × tax due × collection efficiency")
        if key == HYDROCARBONS and level == "regional" and "received from okrugs" in inputs:
            formula += " + parent-region share × okrugs' tax collected"
        in_force = key in WHOLLY or all(t.param(p) is not None for p in paths)
        note = None if in_force else "the split has no value this year and no tax is due: 0"
        return Step(tax_column(key, level), formula, value, inputs, t.params(*paths), note=note)
    return handler


_FEDERAL = ["profit_tax_federal", *(tax_column(k, "federal") for k in TAX_KEYS
                                    if WHOLLY.get(k, "federal") == "federal")]
_REGIONAL = ["profit_tax_regional", "profit_tax_local",
             *(tax_column(k, "regional") for k in TAX_KEYS if WHOLLY.get(k, "regional")
               == "regional")]


def _sum_of(quantity: str, parts: list[str], formula: str) -> Callable[[_Trace], Step]:
    def handler(t: _Trace) -> Step:
        values = {p: t.need(p) for p in parts}
        return Step(quantity, formula, float(sum(values.values())), values)
    return handler


def _capacity(t: _Trace) -> Step:
    base = t.need("profit_tax_base_attributed")
    rates = t.number("profit_tax.rate.regional") + t.number("profit_tax.rate.local")
    inputs, paths = {"profit_tax_base_attributed": base}, ["profit_tax.rate.regional",
                                                           "profit_tax.rate.local"]
    value = rates * base
    for key in TAX_KEYS:
        if WHOLLY.get(key, "regional") == "regional":
            part, _, used = _tax_part(t, key, "regional", collected=False)
            inputs[f"{tax_column(key, 'regional')} at full collection"] = part
            value, paths = value + part, [*paths, *used]
    return Step("revenue_regional_capacity", "(regional + local profit tax rate) × base "
                "attributed + regional parts of the other taxes, all at full collection (tax "
                "capacity, used by two_stage)", value, inputs, t.params(*dict.fromkeys(paths)))


def _fund(t: _Trace) -> Step:
    totals, rules = t.result.totals, t.result.rules
    if rules["fund_source"] == "published_total":
        return Step("fund_size", "published total of the fund", totals["fund_size"],
                    parameters=t.params("equalization.fund.total"))
    if rules["fund_source"] != "share":
        return Step("fund_size", "no fund rule in force: 0", 0.0)
    share, base = t.number("equalization.fund.share"), totals["fund_base_amount"]
    return Step("fund_size", f"fund share × {rules['fund_base']} (national total)", share * base,
                {rules["fund_base"]: base}, t.params("equalization.fund.share",
                                                     "equalization.fund.base"))


def _transfers(t: _Trace) -> Step:
    fund, a = t.need("fund_size"), t.result.allocation
    frame, i = t.result.regions, t.i
    n_all, index = frame["population"].to_numpy(), frame["expenditure_index"].to_numpy()
    n_i, idx = t.need("population"), float(index[i])
    inputs: dict[str, float] = {"fund_size": fund, "population": n_i}
    paths: tuple[str, ...] = ("equalization.method",)
    if a.method == "equal_per_capita":
        inputs["national population"] = float(n_all.sum())
        value, formula = fund * n_i / float(n_all.sum()), "F × N_i / Σ N"
    elif a.method == "gap_filling":
        revenue = frame["revenue_regional"].to_numpy()
        average = float(revenue.sum() / n_all.sum())
        gaps = np.maximum(index * n_all * average - revenue, 0.0)
        inputs.update({"revenue_regional": t.need("revenue_regional"), "expenditure_index": idx,
                       "national average revenue per capita": average,
                       "need": idx * n_i * average, "gap": float(gaps[i]),
                       "Σ gap": float(gaps.sum())})
        value = fund * float(gaps[i]) / float(gaps.sum()) if gaps.sum() > 0 else 0.0
        formula = "F × gap_i / Σ gap, gap = max(0, ИБР × N × average − own revenue)"
    elif a.method == "two_stage" and "sufficiency" in a.details:
        d = a.details
        cap, s1 = t.need("revenue_regional_capacity"), float(d["stage_1_share"])
        average, suff = float(d["average_capacity_per_capita"]), np.asarray(d["sufficiency"])
        weights = np.where(suff < 1, (1 - suff) * index * n_all, 0.0)
        first = s1 * fund * float(weights[i] / weights.sum()) if weights.sum() > 0 else 0.0
        after = float(suff[i]) + first / (idx * n_i * average)
        second = max(float(d["level"]) - after, 0.0) * idx * n_i * average
        inputs.update({"revenue_regional_capacity": cap, "expenditure_index": idx,
                       "average capacity per capita": average,
                       "ИНП (capacity index)": cap / n_i / average, "БО (sufficiency)": float(
                           suff[i]), "Σ (1 − БО) ИБР N over БО < 1": float(weights.sum()),
                       "T1 (stage 1)": first, "БО after stage 1": after,
                       "B* (stage-2 level)": float(d["level"]), "T2 (stage 2)": second})
        value = first + second
        formula = ("T1 + T2: T1 = s₁F (1 − БО) ИБР N / Σ_{БО<1} (1 − БО) ИБР N if БО < 1; "
                   "T2 = max(0, B* − БО') ИБР N x̄")
        paths = (*paths, "equalization.stage_split.stage_1", "equalization.stage_split.stage_2")
    else:
        value, formula = float(a.transfers[i]), f"method {a.method}: no transfer"
    return Step("transfers", formula, value, inputs, t.params(*paths), a.method, a.note)


def _net_flow(t: _Trace) -> Step:
    tr, fed = t.need("transfers"), t.need("revenue_federal_collected")
    return Step("net_flow", "transfers − revenue_federal_collected (> 0: the region receives "
                "more than the centre collects there)", tr - fed,
                {"transfers": tr, "revenue_federal_collected": fed})


def _per_capita(quantity: str, parts: tuple[str, ...]) -> Callable[[_Trace], Step]:
    def handler(t: _Trace) -> Step:
        values = {p: t.need(p) for p in parts}
        population = t.need("population")
        return Step(quantity, f"({' + '.join(parts)}) / population",
                    sum(values.values()) / population, {**values, "population": population})
    return handler


_HANDLERS: dict[str, Callable[[_Trace], Step]] = {
    "population": _population, "expenditure_index": _expenditure_index,
    "collection_efficiency": _efficiency, "tax_collected": _tax_collected,
    "profit_tax_base_registered": _base_registered,
    "profit_tax_base_attributed": _base_attributed,
    **{f"profit_tax_{level}": _profit_tax(level) for level in ("federal", "regional", "local")},
    **{tax_column(k, lv): _tax(k, lv) for k in TAX_KEYS
       for lv in ((WHOLLY[k],) if k in WHOLLY else ("federal", "regional"))},
    "revenue_federal_collected": _sum_of("revenue_federal_collected", _FEDERAL,
                                         "Σ federal parts of the taxes collected in the region"),
    "revenue_regional": _sum_of("revenue_regional", _REGIONAL,
                                "Σ regional and local parts credited to the region's budget"),
    "revenue_regional_capacity": _capacity, "fund_size": _fund, "transfers": _transfers,
    "net_flow": _net_flow,
    "revenue_regional_per_capita": _per_capita("revenue_regional_per_capita",
                                               ("revenue_regional",)),
    "transfers_per_capita": _per_capita("transfers_per_capita", ("transfers",)),
    "total_per_capita": _per_capita("total_per_capita", ("revenue_regional", "transfers")),
}


def _handler(quantity: str) -> Callable[[_Trace], Step]:
    if quantity not in _HANDLERS:
        known = [c for c in COLUMNS if c in _HANDLERS]
        raise UnknownReferenceError("no explanation for this quantity", field="quantity",
                                    value=quantity, expected="one of " + ", ".join(known))
    return _HANDLERS[quantity]


def explain(source: YearResult | FiscalResult | FiscalInputs, region: str, quantity: str, *,
            year: int | None = None, tree: ParameterTree | None = None,
            scenario: Scenario | None = None, **options: Any) -> Explanation:
    """Explain ``quantity`` for ``region``: the steps that produce the pipeline's number.

    Args:
        source: a year's result, a multi-year result (give ``year``), or inputs (give
            ``tree``; the pipeline is run with ``scenario`` and ``options`` first).
        region: the region id.
        quantity: an output column (e.g. ``profit_tax_regional``, ``transfers``, ``net_flow``).
        year: the year, for a multi-year result.
        tree: the parameters, when ``source`` is inputs.
        scenario: the scenario, when ``source`` is inputs.
        **options: passed to :func:`~regionet.engines.fiscal.run.pipeline.run_year`.

    Raises:
        UnknownActorError: unknown region. UnknownReferenceError: unknown quantity or year.
        InvalidValueError: inputs without ``tree``, or a multi-year result without ``year``.
    """
    if isinstance(source, FiscalInputs):
        if tree is None:
            raise InvalidValueError("explaining inputs needs the parameters", field="tree",
                                    expected="tree=ParameterTree")
        source = run_year(source, tree, scenario=scenario, **options)
    if isinstance(source, FiscalResult):
        if year is None:
            raise InvalidValueError("a multi-year result needs year=", field="year",
                                    expected=f"one of {sorted(source.years)}")
        source = source.year(year)
    ids = source.inputs.regions.ids
    if region not in ids:
        raise UnknownActorError("unknown region", field="region", value=region,
                                expected="a region id of the inputs")
    trace = _Trace(source, ids.index(region))
    value = trace.need(quantity)
    return Explanation(region, source.year, quantity, value, tuple(trace.steps))
