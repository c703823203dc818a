"""Declarations of the taxes: the profit tax by level, the other taxes split between budgets.

Each quantity below is declared once (see :mod:`regionet.engines.fiscal.run.runner`); the
taxes of :data:`~regionet.engines.fiscal.inputs.year_inputs.TAX_KEYS` are declared by one
template per kind (a share, a budget's part), so the eight taxes follow the same formulas:

- the profit tax: bases at the head office and attributed by the year's rule, a part per level
  (rate × base × collection efficiency);
- each other tax: ``<tax>_due`` (an input) is collected (× collection efficiency) and split by
  ``<tax>_share_federal`` / ``<tax>_share_regional``, the year's shares (:data:`SPLITS`);
  hydrocarbons extracted in an autonomous okrug follow the okrug split, and the okrug's parent
  region receives ``mineral_extraction_tax_hydrocarbons_share_parent_region`` of them;
- the sums: tax collected, federal revenue collected, regional revenue and its capacity
  (at full collection).

Examples:
    >>> tax_column("mineral_extraction_tax.hydrocarbons", "regional")
    'mineral_extraction_tax_hydrocarbons_regional'
    >>> due_name("vat"), share_name("vat", "federal")
    ('vat_due', 'vat_share_federal')
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import numpy as np

from regionet.core.errors import InvalidValueError, UnknownReferenceError
from regionet.engines.fiscal.inputs.establishments import FloatArray
from regionet.engines.fiscal.inputs.year_inputs import TAX_KEYS
from regionet.engines.fiscal.rules.attribution import RULES, Rule, attribute_parts, attribution_rule
from regionet.engines.fiscal.run.runner import (
    MONEY,
    SHARE,
    Computed,
    Evaluation,
    Quantity,
    quantity,
)

__all__ = ["HYDROCARBONS", "MISSING_SPLIT", "OKRUG", "PARENT_SHARE", "SPLITS", "TAX_COLUMNS",
           "TAX_QUANTITIES", "WHOLLY", "due_name", "share_name", "tax_column"]

#: Tax key -> (federal share, regional share) parameter paths.
SPLITS: Final = {
    "vat": ("vat.split.federal", "vat.split.regional"),
    "personal_income_tax": ("personal_income_tax.split.federal",
                            "personal_income_tax.split.regional"),
    "excise_spirits": ("excise.spirits.split.federal", "excise.spirits.split.regional"),
    "excise_other": ("excise.other_domestic.split.federal",
                     "excise.other_domestic.split.regional"),
    "mineral_extraction_tax.hydrocarbons": ("mineral_extraction_tax.hydrocarbons.split.federal",
                                            "mineral_extraction_tax.hydrocarbons.split.regional"),
    "mineral_extraction_tax.other_minerals": (
        "mineral_extraction_tax.other_minerals.split.federal",
        "mineral_extraction_tax.other_minerals.split.regional"),
}
#: Shares on the days a split has no value: excises are fully federal outside 1996–1998.
MISSING_SPLIT: Final = {"excise_spirits": (1.0, 0.0), "excise_other": (1.0, 0.0)}
#: Taxes credited wholly to one level.
WHOLLY: Final = {"regional_other": "regional", "federal_other": "federal"}
HYDROCARBONS: Final = "mineral_extraction_tax.hydrocarbons"
OKRUG: Final = tuple(f"mineral_extraction_tax.hydrocarbons_okrug.split.{part}"
                     for part in ("federal", "okrug", "parent_region"))
#: Where each tax is legislated (the shares cite their own references in the parameters).
_TAX_LAW: Final = {
    "vat": "federal budget laws (VAT split: 228-FZ art. 14 for 1996)",
    "personal_income_tax": "Tax Code art. 226 p. 7 (paid where the employees work)",
    "excise_spirits": "federal budget law for 1996 (228-FZ) art. 14 (excise split 1996–1998)",
    "excise_other": "federal budget law for 1996 (228-FZ) art. 14 (excise split 1996–1998)",
    HYDROCARBONS: "Law 126-FZ (2001): mineral extraction tax, okrug split",
    "mineral_extraction_tax.other_minerals": "Law 126-FZ (2001): mineral extraction tax",
    "regional_other": "input contract: taxes credited wholly to the regional budget",
    "federal_other": "input contract: taxes credited wholly to the federal budget, no import "
                     "duties",
}
_EFFICIENCY: Final = "collection_efficiency"


def tax_column(key: str, level: str) -> str:
    """Return the output column of tax ``key`` at ``level``: ``key_level``, dots as underscores."""
    return f"{key.replace('.', '_')}_{level}"


def due_name(key: str) -> str:
    """The input quantity of tax due for ``key``."""
    return tax_column(key, "due")


def share_name(key: str, level: str) -> str:
    """The quantity of ``key``'s share credited to ``level`` in each region."""
    return tax_column(key, f"share_{level}")


#: The columns of the other taxes, by tax and level.
TAX_COLUMNS: Final = tuple(tax_column(k, level) for k in TAX_KEYS
                           for level in ((WHOLLY[k],) if k in WHOLLY else ("federal", "regional")))
PARENT_SHARE: Final = share_name(HYDROCARBONS, "parent_region")
_REGIONAL_KEYS: Final = tuple(k for k in TAX_KEYS if WHOLLY.get(k, "regional") == "regional")
_WEIGHTS: Final = {"art288": ("attribution.art288.weight.labour",
                              "attribution.art288.weight.assets"),
                   "art288_1995": ("attribution.art288_1995.weight.labour",
                                   "attribution.art288_1995.weight.fixed_assets")}

# --- the profit tax ------------------------------------------------------------------------


@quantity(label="Profit tax base of the firms registered in the region", unit=MONEY,
          formula="Σ max(profit, 0) over the firms whose head office is in the region",
          references=("Tax Code art. 288 (the federal part is paid at the head office)",),
          details={"firms": "firms registered here"})
def profit_tax_base_registered(q: Evaluation) -> Computed:
    """Each firm's base goes to its registered region."""
    firms = q.inputs.firms
    base = np.bincount(firms.registered_region, weights=firms.base, minlength=q.n)
    count = np.bincount(firms.registered_region, minlength=q.n)
    return Computed(base.astype(np.float64), details={"firms": count.astype(np.float64)})


def _year_rule(q: Evaluation, name: str) -> Rule:
    """The attribution rule with the year's art. 288 weights (in force on 1 July)."""
    if name not in _WEIGHTS:
        return attribution_rule(name)
    labour, capital = (q.optional(path, average=False) for path in _WEIGHTS[name])
    if labour is None or capital is None:  # used before its weights were enacted (a scenario)
        return attribution_rule(name)
    return attribution_rule(name, labour, capital)


_ATTRIBUTED: Final = ("base left at the head offices in the region + Σ share × base of the "
                      "firms' establishments in the region, shares by the attribution rule")


@quantity(label="Profit tax base attributed to the region", unit=MONEY, formula=_ATTRIBUTED,
          by_rule={name: f"{_ATTRIBUTED}: {(rule.__doc__ or name).splitlines()[0]}"
                   for name, rule in RULES.items()},
          references=("Law 64-FZ of 25.04.1995; Government Resolution 660 of 01.07.1995 "
                      "(art288_1995)", "Tax Code art. 288 p. 2 (art288, from 2002)"),
          parameters=("attribution.profit_tax.rule", *_WEIGHTS["art288"],
                      *_WEIGHTS["art288_1995"]),
          details={"head_office": "base left at head offices here",
                   "establishments": "base attributed to establishments here",
                   "own_balance_sheet": "of which: establishments here with their own balance "
                                        "sheet and bank account, on their own base "
                                        "(art288_1995)",
                   "apportioned": "of which: establishments here without their own balance "
                                  "sheet, apportioned with the head office (art288_1995)"})
def profit_tax_base_attributed(q: Evaluation) -> Computed:
    """The year's rule (or the scenario's) splits each firm's base over its establishments.

    Under ``art288_1995`` the details also split the establishments' base into those with
    their own balance sheet (paid where they are registered) and those apportioned.
    """
    name = q.rules.get("attribution", q.name("attribution.profit_tax.rule"))
    parts = attribute_parts(q.inputs.establishments, q.inputs.firms, _year_rule(q, name), q.n)
    details = {"head_office": parts.head_office, "establishments": parts.establishments}
    note = None
    if name == "art288_1995" and parts.own_balance_sheet is not None:
        details["own_balance_sheet"] = parts.own_balance_sheet
        details["apportioned"] = parts.establishments - parts.own_balance_sheet
        count = int(q.inputs.establishments.own_balance_sheet.sum())
        note = (f"{count} of {len(q.inputs.establishments)} establishments keep their own "
                "balance sheet and pay on their own base (approximated by their share of the "
                "firm's base) where they are registered; the rest is apportioned "
                "(Law 64-FZ, Resolution 660)")
    return Computed(parts.total, rule=name, details=details, note=note)


def _profit_tax(level: str) -> Quantity:
    base = "profit_tax_base_registered" if level == "federal" else "profit_tax_base_attributed"
    rate = f"profit_tax.rate.{level}"
    where = {"federal": "paid at the head office (Tax Code art. 288)",
             "regional": "paid where the attribution rule puts the base",
             "local": "2002–2004, credited with the regional part to the region's budget"}[level]

    def function(q: Evaluation) -> FloatArray:
        return q.number(rate) * q.array(base) * q.array(_EFFICIENCY)
    return Quantity(f"profit_tax_{level}", f"Profit tax, {level} part ({where})", MONEY,
                    f"{rate} × {base} × collection_efficiency", function,
                    ('Law 2116-1 "On the profit tax of enterprises and organizations" art. 5 '
                     "(rates to 2001)", "Tax Code art. 284 (rates from 2002)"),
                    (rate,), (base, _EFFICIENCY))


# --- the other taxes: shares ---------------------------------------------------------------


def _split(q: Evaluation, paths: Sequence[str], default: Sequence[float] | None, needed: bool,
           what: str) -> tuple[float, ...] | None:
    """Resolve shares that must sum to 1; None when unneeded and not in force."""
    for path in paths:
        q.known(path)  # an unknown path is an error, never a missing value
    try:
        values = q.numbers(paths, default)
    except UnknownReferenceError as err:
        if not needed:
            return None
        raise UnknownReferenceError(f"tax due is given for {what} but its split has no value "
                                    f"in {q.year}", field=err.field, file=err.file,
                                    hint="Check the year, or leave that tax out of the inputs "
                                         "(the tax may not exist yet).") from err
    if abs(math.fsum(values) - 1.0) > 1e-9:
        raise InvalidValueError(f"the {what} shares do not add up to 1 in {q.year}",
                                field=", ".join(paths), value=values,
                                hint="A scenario probably overrode one share without the others.")
    return values


def _okrug_split(q: Evaluation) -> tuple[float, ...] | None:
    """The okrug split of hydrocarbons, when the inputs have okrugs and it is in force."""
    okrug = q.parent >= 0
    if not okrug.any():
        return None
    return _split(q, OKRUG, None, bool(q.array(due_name(HYDROCARBONS))[okrug].any()),
                  "okrug hydrocarbons")


_NO_SPLIT: Final = "the split has no value this year and no tax is due: 0"


def _share(key: str, level: str) -> Quantity:
    position = 0 if level == "federal" else 1
    okrug_paths = OKRUG[:2] if key == HYDROCARBONS else ()

    def function(q: Evaluation) -> Computed:
        split = _split(q, SPLITS[key], MISSING_SPLIT.get(key),
                       bool(q.array(due_name(key)).any()), key)
        share = np.full(q.n, 0.0 if split is None else split[position])
        okrug = _okrug_split(q) if okrug_paths else None
        if okrug is not None:
            share[q.parent >= 0] = okrug[position]
        return Computed(share, note=_NO_SPLIT if split is None and okrug is None else None)
    formula = (f"{SPLITS[key][position]} (the {level} share; must add up to 1 with the other "
               "share)")
    if okrug_paths:
        formula += f"; in an autonomous okrug: {okrug_paths[position]}"
    if key in MISSING_SPLIT:
        formula += f"; {MISSING_SPLIT[key][position]:g} on days without a split"
    return Quantity(share_name(key, level), f"{key}: share credited to the {level} budget",
                    SHARE, formula, function, (_TAX_LAW[key],),
                    (*SPLITS[key], *(OKRUG if okrug_paths else ())), (due_name(key),))


@quantity(label="Share of an okrug's hydrocarbons extraction tax credited to its parent region",
          unit=SHARE, formula=f"{OKRUG[2]} in an autonomous okrug (a region with a parent), "
                              "else 0", references=(_TAX_LAW[HYDROCARBONS],),
          parameters=OKRUG, reads=(due_name(HYDROCARBONS),))
def mineral_extraction_tax_hydrocarbons_share_parent_region(q: Evaluation) -> FloatArray:
    """The parent's share, at the okrug (it is credited to the parent by the regional part)."""
    share = np.zeros(q.n)
    okrug = _okrug_split(q)
    if okrug is not None:
        share[q.parent >= 0] = okrug[2]
    return share


# --- the other taxes: parts by budget ------------------------------------------------------


def _regional_part(q: Evaluation, key: str,
                   collected: FloatArray) -> tuple[FloatArray, FloatArray | None]:
    """The regional budget's part of ``collected`` tax ``key``: (part, received from okrugs)."""
    if key in WHOLLY:
        return collected, None
    part = q.array(share_name(key, "regional")) * collected
    if key != HYDROCARBONS:
        return part, None
    okrug = q.parent >= 0
    to_parent = q.array(PARENT_SHARE)[okrug] * collected[okrug]
    received = np.bincount(q.parent[okrug], weights=to_parent, minlength=q.n).astype(np.float64)
    return part + received, received


def _tax(key: str, level: str) -> Quantity:
    due = due_name(key)
    name, collected = tax_column(key, level), f"{due} × collection_efficiency"
    reads: tuple[str, ...] = (due, _EFFICIENCY)
    if key in WHOLLY:
        formula = f"{collected} (credited wholly to the {level} budget)"
    else:
        formula = f"{share_name(key, level)} × {collected}"
        reads += (share_name(key, level),)
    if key == HYDROCARBONS and level == "regional":
        formula += (f" + Σ over the region's okrugs of {PARENT_SHARE} × their "
                    f"{collected}")
        reads += (PARENT_SHARE,)

    def function(q: Evaluation) -> FloatArray | Computed:
        if key in WHOLLY:
            return q.array(due) * q.array(_EFFICIENCY)
        if level == "federal":
            return q.array(share_name(key, level)) * (q.array(due) * q.array(_EFFICIENCY))
        part, received = _regional_part(q, key, q.array(due) * q.array(_EFFICIENCY))
        return part if received is None else Computed(part, details={"from_okrugs": received})
    return Quantity(name, f"{key}, {level} budget's part", MONEY, formula, function,
                    (_TAX_LAW[key],), reads=reads,
                    details={"from_okrugs": "received from its okrugs"})


# --- sums ----------------------------------------------------------------------------------


_DUES: Final = tuple(due_name(k) for k in TAX_KEYS)
_PROFIT_PARTS: Final = ("profit_tax_federal", "profit_tax_regional", "profit_tax_local")
#: Parts credited to the federal and to the regional budget, in the order summed.
FEDERAL_PARTS: Final = ("profit_tax_federal", *(c for c in TAX_COLUMNS if c.endswith("_federal")))
REGIONAL_PARTS: Final = ("profit_tax_regional", "profit_tax_local",
                         *(c for c in TAX_COLUMNS if c.endswith("_regional")))


@quantity(label="Tax collected in the region, all levels", unit=MONEY,
          formula="profit_tax_federal + profit_tax_regional + profit_tax_local + Σ tax due × "
                  "collection_efficiency", reads=(*_PROFIT_PARTS, *_DUES, _EFFICIENCY),
          references=("model definition (docs/fiscal.md, output columns)",))
def tax_collected(q: Evaluation) -> FloatArray:
    """All tax collected on the region's territory."""
    efficiency = q.array(_EFFICIENCY)
    profit = q.array(_PROFIT_PARTS[0]) + q.array(_PROFIT_PARTS[1]) + q.array(_PROFIT_PARTS[2])
    return profit + sum(q.array(due) * efficiency for due in _DUES)


def _budget(name: str, label: str, what: str, parts: tuple[str, ...]) -> Quantity:
    """A budget's revenue in the region: the sum of its parts, in the order given."""
    def function(q: Evaluation) -> FloatArray:
        total: FloatArray = np.sum([q.array(part) for part in parts], axis=0)
        return total
    return Quantity(name, label, MONEY, f"Σ {what}: " + " + ".join(parts), function,
                    ("model definition (docs/fiscal.md, output columns)",), reads=parts)


revenue_federal_collected: Final = _budget(
    "revenue_federal_collected", "Federal revenue collected in the region",
    "federal parts of the taxes collected in the region", FEDERAL_PARTS)
revenue_regional: Final = _budget(
    "revenue_regional", "Own revenue of the region's budget (regional + local)",
    "regional and local parts credited to the region's budget", REGIONAL_PARTS)


@quantity(label="Tax capacity: own revenue at full collection", unit=MONEY,
          formula="(profit_tax.rate.regional + profit_tax.rate.local) × "
                  "profit_tax_base_attributed + regional parts of the other taxes at full "
                  "collection (the tax due instead of the tax collected)",
          references=("fiscal-russia.md, FFPR 1999–2001: tax capacity index (the model's "
                      "capacity is own revenue at full collection, docs/fiscal.md)",),
          parameters=("profit_tax.rate.regional", "profit_tax.rate.local"),
          reads=("profit_tax_base_attributed", *(due_name(k) for k in _REGIONAL_KEYS),
                 *(share_name(k, "regional") for k in _REGIONAL_KEYS if k not in WHOLLY),
                 PARENT_SHARE),
          details={tax_column(k, "regional"): f"{tax_column(k, 'regional')} at full collection"
                   for k in _REGIONAL_KEYS})
def revenue_regional_capacity(q: Evaluation) -> Computed:
    """Used by the two-stage formula: collection failures do not lower a region's capacity."""
    rates = q.number("profit_tax.rate.regional") + q.number("profit_tax.rate.local")
    base = q.array("profit_tax_base_attributed")
    parts = {tax_column(k, "regional"): _regional_part(q, k, q.array(due_name(k)))[0]
             for k in _REGIONAL_KEYS}
    return Computed(rates * base + np.sum(list(parts.values()), axis=0), details=parts)


#: The declarations of this module, in the order of the output columns.
TAX_QUANTITIES: Final = (
    profit_tax_base_registered, profit_tax_base_attributed,
    *(_profit_tax(level) for level in ("federal", "regional", "local")),
    *(_share(k, level) for k in SPLITS for level in ("federal", "regional")),
    mineral_extraction_tax_hydrocarbons_share_parent_region,
    *(_tax(k, level) for k in TAX_KEYS
      for level in ((WHOLLY[k],) if k in WHOLLY else ("federal", "regional"))),
    tax_collected, revenue_federal_collected, revenue_regional, revenue_regional_capacity,
)
