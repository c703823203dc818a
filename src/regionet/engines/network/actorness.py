"""International actorness: how far each region acts abroad, per year (memo paras 8–9, 13–18).

The memo says devolution made Russia's regions "real international actors" (para 8).
For a member of the federation ``r`` and a year ``y``, regionet counts the international
ties (level ``international`` by the classifier) valid in ``y`` in which ``r`` is a party
(directly, or through a company registered in ``r``):

* ``ties_cross_border``, ``ties_trans_regional``, ``ties_non_adjacent``: those ties by
  sublevel, and ``foreign_ties`` their sum (a tie counts for the members its classification
  stands on: the member parties, or its location when no member is a party);
* ``partners``: the distinct foreign and multilateral parties of those ties;
* money: the amounts of those ties whose amount is dated ``y``, per currency
  (``money_by_currency``) and converted to ECU through the case's rates table where a
  rate exists for that currency and year (``money_ecu``); an amount without a rate stays
  in its currency in ``money_unconverted`` and ``money_note`` says so — no rate is ever
  invented. A tie's whole amount counts for each member that is a party;
* ``actorness = foreign_ties + n_partners + money_ties``: a plain count of the region's
  international engagements seen three ways (how many ties, with how many partners, how
  many with money), each engagement worth 1.

Undated ties are valid in every year (as in ``Case.select_ties(year=…)``);
``undated_ties`` says how many of the year's ties have no date at all.

Examples:
    >>> import regionet as rn
    >>> rows = international_actorness(rn.load_case("russia-1990s"), years=[1998],
    ...                                regions=["RU-KR"])
    >>> rows[0]["ties_cross_border"] > 0 and "FI" in rows[0]["partners"]
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from regionet.core.errors import ConversionError
from regionet.model.case import Case
from regionet.model.levels import Level, Side, Sublevel
from regionet.model.ties import Tie

__all__ = ["ACTORNESS_FORMULA", "international_actorness"]

#: The composite, in words (also in ``docs/network.md``).
ACTORNESS_FORMULA = "actorness = foreign_ties + n_partners + money_ties"

_SUBLEVEL_FIELD = {Sublevel.CROSS_BORDER: "ties_cross_border",
                   Sublevel.TRANS_REGIONAL: "ties_trans_regional",
                   Sublevel.NON_ADJACENT: "ties_non_adjacent"}
_PARTNER_SIDES = (Side.FOREIGN, Side.STRUCTURE, Side.MULTILATERAL)


@dataclass
class _Tally:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        _SUBLEVEL_FIELD.values(), 0))
    partners: set[str] = field(default_factory=set)
    money_ties: int = 0
    money_ecu: float = 0.0
    by_currency: dict[str, float] = field(default_factory=dict)
    unconverted: dict[tuple[str, int], float] = field(default_factory=dict)
    undated: int = 0


@dataclass(frozen=True)
class _ForeignTie:
    tie: Tie
    field: str
    members: tuple[str, ...]
    partners: tuple[str, ...]


def _foreign_ties(case: Case) -> list[_ForeignTie]:
    fed = case.federation_model
    out = []
    for tie in sorted(case.ties.values(), key=lambda t: t.id):
        c = case.classify(tie)
        if c.level is not Level.INTERNATIONAL or c.sublevel is None:
            continue
        partners = tuple(a for a in tie.actors if fed.side(a)[0] in _PARTNER_SIDES)
        out.append(_ForeignTie(tie, _SUBLEVEL_FIELD[c.sublevel], c.members, partners))
    return out


def _add(case: Case, tally: _Tally, ft: _ForeignTie, year: int, currency: str) -> None:
    tally.counts[ft.field] += 1
    tally.partners.update(ft.partners)
    if ft.tie.validity.start is None and ft.tie.validity.end is None:
        tally.undated += 1
    money = ft.tie.amount
    if money is None or money.year != year:
        return
    tally.money_ties += 1
    tally.by_currency[money.currency] = tally.by_currency.get(money.currency, 0.0) + money.amount
    try:
        tally.money_ecu += case.rates.convert(money, currency).amount
    except ConversionError:
        key = (money.currency, money.year)
        tally.unconverted[key] = tally.unconverted.get(key, 0.0) + money.amount


def _row(case: Case, region: str, year: int, tally: _Tally, currency: str) -> dict[str, Any]:
    foreign = sum(tally.counts.values())
    note = "; ".join(f"no {cur}->{currency} rate for {y} in the rates table: "
                     f"{amount:,.0f} {cur} kept unconverted"
                     for (cur, y), amount in sorted(tally.unconverted.items()))
    actor = case.actors.get(region)  # type: ignore[call-overload]
    return {
        "region": region, "name_en": actor.name_en if actor is not None else region,
        "year": year, **tally.counts, "foreign_ties": foreign,
        "partners": sorted(tally.partners), "n_partners": len(tally.partners),
        "money_ties": tally.money_ties, f"money_{currency.lower()}": tally.money_ecu,
        "money_by_currency": dict(sorted(tally.by_currency.items())),
        "money_unconverted": {cur: amount for (cur, _), amount in
                              sorted(tally.unconverted.items())},
        "money_note": note, "undated_ties": tally.undated,
        "actorness": foreign + len(tally.partners) + tally.money_ties,
    }


def international_actorness(case: Case, *, years: Iterable[int],
                            regions: Iterable[str] | None = None, currency: str = "ECU",
                            include_zero: bool = False) -> list[dict[str, Any]]:
    """Return one row per region and year with its international ties, partners and money.

    See the module docstring for every field and the composite ``actorness``.

    Args:
        case: the case.
        years: the years to report.
        regions: member ids to report (default: every member of the federation).
        currency: the currency to convert money into (the rates table decides what can
            be); the field is named ``money_<currency>`` (``money_ecu`` by default).
        include_zero: also return rows of regions without any foreign tie that year.

    Returns:
        Rows sorted by year, then by ``actorness`` (highest first), then region id.

    Raises:
        UnknownActorError: for a region that is not an actor of the case.
        InvalidValueError: for an unknown currency.

    Examples:
        >>> import regionet as rn
        >>> rows = international_actorness(rn.load_case("russia-1990s"), years=[1998],
        ...                                regions=["RU-MUR"])
        >>> rows[0]["money_by_currency"]["NOK"], round(rows[0]["money_ecu"] / 1e6, 1)
        (300000000.0, 37.0)
    """
    from regionet.core.money import check_currency

    check_currency(currency, field="currency")
    chosen = [case.actor(r).id for r in regions] if regions is not None else [
        a.id for a in case.members()]
    wanted = set(chosen)
    ties = _foreign_ties(case)
    rows: list[dict[str, Any]] = []
    for year in sorted(set(years)):
        tallies: dict[str, _Tally] = {r: _Tally() for r in chosen}
        for ft in ties:
            if not ft.tie.validity.overlaps_year(year):
                continue
            for member in ft.members:
                if member in wanted:
                    _add(case, tallies[member], ft, year, currency)
        for region in chosen:
            row = _row(case, region, year, tallies[region], currency)
            if include_zero or row["foreign_ties"]:
                rows.append(row)
    rows.sort(key=lambda r: (r["year"], -r["actorness"], r["region"]))
    return rows
