"""Firms and establishments of the illustrative economy: resource companies and synthetic firms.

Two kinds of profit-tax payers (see ``docs/economy.md``):

- **resource companies** from a table with one row per establishment (``firm, region,
  activity, weight, from_year, to_year``). A firm's registered region is the region of its
  ``head_office`` row in force that year. Weights are shares of the whole group: an
  establishment gets ``weight x headcount`` workers and the firm ``weight x profit_share`` of
  the national profit base, summed over the rows in force. Before a group exists (no head
  office in force), each of its rows without a ``from_year`` is a stand-alone predecessor firm
  registered where it operates; rows with a later ``from_year`` join the group that year and
  are absent before.
- **synthetic firms**: single-region firms in every region plus multi-region firms whose head
  offices cluster in Moscow and St Petersburg, placed once per seed (the structure); their
  payroll, assets, sales and profits are redrawn per year.

Profits of the synthetic firms are scaled so that the national profit-tax base (the sum of
positive profits of all firms) equals the year's target exactly.

Whether an establishment keeps its own balance sheet and bank account (the
``own_balance_sheet`` flag read by the 1995-2001 attribution rule ``art288_1995``) is set by
activity from ``firms.own_balance_sheet`` (an assumption: ``{activity: 1 or 0}``). It applies
to the subdivisions of multi-establishment firms only: a head office (a resource company's
``head_office`` row, a synthetic firm's first establishment, in its registered region) and a
single-establishment firm are never flagged. Without that constant no establishment is
flagged (the column's default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from regionet.core.errors import InvalidValueError, UnknownActorError, did_you_mean
from regionet.engines.economy.assumptions import EconomyAssumptions
from regionet.engines.economy.columns import Columns, columns_of, names_of, number_or_nan
from regionet.engines.fiscal.inputs.establishments import (
    Establishments,
    Firms,
    FloatArray,
    IntArray,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ACTIVITY_KEYS", "OWN_BALANCE_PATH", "CompanyRow", "SyntheticFirms", "YearFirms",
           "build_synthetic", "company_rows", "firms_for_year", "own_balance_by_activity"]

#: Per-activity constants (``firms.activities.<activity>``).
ACTIVITY_KEYS = ("wage", "assets_per_worker", "sales_per_worker", "margin")
_SECTORS = ("manufacturing", "services")
_COMPANY_COLUMNS = ("firm", "region", "activity", "weight", "from_year", "to_year")
#: The assumption giving, per activity, whether its subdivisions keep their own balance sheet.
OWN_BALANCE_PATH = "firms.own_balance_sheet"


def own_balance_by_activity(assumptions: EconomyAssumptions,
                            activities: list[str]) -> dict[str, bool]:
    """Return ``{activity: keeps its own balance sheet}`` from ``firms.own_balance_sheet``.

    Without the constant every activity is False (the column's default). With it, every
    activity must be given, as 1 or 0.

    Raises:
        InvalidValueError: an activity missing, or a value other than 1 or 0.

    Examples:
        >>> from regionet.engines.economy.assumptions import parse_assumptions
        >>> a = parse_assumptions({"firms": {"own_balance_sheet": {
        ...     "value": {"services": 0, "manufacturing": 1}, "status": "assumed", "note": "n"}}})
        >>> own_balance_by_activity(a, ["manufacturing", "services"])
        {'manufacturing': True, 'services': False}
    """
    if not assumptions.has(OWN_BALANCE_PATH):
        return dict.fromkeys(activities, False)
    values = assumptions.numbers(OWN_BALANCE_PATH)
    missing = [k for k in activities if k not in values]
    if missing:
        raise InvalidValueError("activity missing from the own balance sheet assumption",
                                field=OWN_BALANCE_PATH, value=", ".join(missing),
                                expected="1 or 0 for every activity: " + ", ".join(activities))
    for name, value in values.items():
        if value not in (0.0, 1.0):
            raise InvalidValueError("not 1 or 0", field=f"{OWN_BALANCE_PATH}.{name}",
                                    value=value, expected="1 (own balance sheet) or 0")
    return {name: values[name] == 1.0 for name in activities}


@dataclass(frozen=True)
class CompanyRow:
    """One establishment of a resource company (region as a code into the region ids)."""

    firm: str
    region: int
    activity: str
    weight: float
    from_year: int | None
    to_year: int | None

    def active(self, year: int) -> bool:
        """True if the row is part of its group in ``year``."""
        return ((self.from_year is None or self.from_year <= year)
                and (self.to_year is None or year <= self.to_year))


def _year(value: object, row: int, field: str) -> int | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value == "":
        return None
    try:
        number = float(str(value))
    except ValueError:
        number = float("nan")
    if not number.is_integer():
        raise InvalidValueError("not a year", file="resource companies", row=row, field=field,
                                value=value, expected="a year such as 1997, or empty")
    return int(number)


def company_rows(companies: pd.DataFrame | Columns, ids: tuple[str, ...],
                 activities: list[str]) -> list[CompanyRow]:
    """Validate the resource companies table and code its regions.

    Raises:
        InvalidValueError: a missing column, a bad weight or year, an unknown activity, a
            firm without a head office row, or two head offices in force in one year.
        UnknownActorError: a region not among ``ids``.
    """
    missing = [c for c in _COMPANY_COLUMNS if c not in names_of(companies)]
    if missing:
        raise InvalidValueError("missing column(s) " + ", ".join(missing),
                                file="resource companies", expected=", ".join(_COMPANY_COLUMNS))
    codes = {region: i for i, region in enumerate(ids)}
    rows: list[CompanyRow] = []
    table = columns_of(companies)
    for n, rec in enumerate(zip(*(table[c] for c in _COMPANY_COLUMNS), strict=True), start=1):
        firm, region, activity, weight = str(rec[0]), str(rec[1]), str(rec[2]), rec[3]
        if region not in codes:
            raise UnknownActorError("unknown region", file="resource companies", row=n,
                                    field="region", value=region, expected="a region id",
                                    hint=did_you_mean(region, ids))
        if activity not in activities:
            raise InvalidValueError("unknown activity", file="resource companies", row=n,
                                    field="activity", value=activity,
                                    expected="one of " + ", ".join(activities))
        w = number_or_nan(weight)
        if not (np.isfinite(w) and w > 0):
            raise InvalidValueError("bad weight", file="resource companies", row=n,
                                    field="weight", value=weight, expected="a number > 0")
        rows.append(CompanyRow(firm, codes[region], activity, float(w),
                               _year(rec[4], n, "from_year"), _year(rec[5], n, "to_year")))
    for firm in dict.fromkeys(r.firm for r in rows):
        offices = [r for r in rows if r.firm == firm and r.activity == "head_office"]
        if not offices:
            raise InvalidValueError("firm without a head_office row", file="resource companies",
                                    field="firm", value=firm,
                                    expected="one head_office row giving the registered region")
        for year in range(1900, 2101):
            if sum(r.active(year) for r in offices) > 1:
                raise InvalidValueError("two head offices in force", file="resource companies",
                                        field="firm", value=firm,
                                        expected=f"one head_office row in force in {year}")
    return rows


@dataclass(frozen=True)
class SyntheticFirms:
    """The placed synthetic firms (the same in every year for one seed).

    Attributes:
        registered: head-office region code of each firm.
        sector: 0 manufacturing, 1 services, per firm.
        firm: firm code of each establishment.
        region: region code of each establishment.
        headcount: workers of each establishment.
        assets_noise: log-normal factor on assets per worker, per establishment.
        sales_noise: log-normal factor on sales per worker, per establishment.
    """

    registered: IntArray
    sector: IntArray
    firm: IntArray
    region: IntArray
    headcount: FloatArray
    assets_noise: FloatArray
    sales_noise: FloatArray

    @property
    def n_firms(self) -> int:
        """Number of synthetic firms."""
        return len(self.registered)


def _choice(rng: np.random.Generator, n: int, size: int, p: FloatArray) -> IntArray:
    return np.asarray(rng.choice(n, size=size, p=p / p.sum()), dtype=np.intp)


def build_synthetic(rng: np.random.Generator, economy_share: FloatArray, population: FloatArray,
                    assumptions: EconomyAssumptions, ids: tuple[str, ...]) -> SyntheticFirms:
    """Place the synthetic firms and establishments.

    Args:
        rng: the structural random generator.
        economy_share: each region's share of the non-resource economy (sums to 1).
        population: population of the structure year, per region.
        assumptions: the constants (``firms.*``).
        ids: region ids.
    """
    a, n = assumptions, len(ids)
    total = int(a.number("firms.synthetic_establishments"))
    n_multi = int(a.number("firms.multi_region_firms"))
    branches = a.numbers("firms.branches")
    per_region = int(a.number("firms.min_establishments_per_region"))
    k = rng.integers(int(branches["min"]), int(branches["max"]) + 1, size=n_multi)
    n_single = total - int(k.sum()) - per_region * n
    if n_single < 0:
        raise InvalidValueError("too few synthetic establishments", field="firms",
                                value=total, expected=f"more than {int(k.sum()) + per_region * n}")
    single_counts = per_region + rng.multinomial(n_single, economy_share / economy_share.sum())
    single_region = np.repeat(np.arange(n), single_counts).astype(np.intp)
    offices = a.numbers("firms.head_office_regions")
    codes = {region: i for i, region in enumerate(ids)}
    hq_p = economy_share * (1.0 - sum(offices.values()))
    for office, p in offices.items():
        if office not in codes:
            raise UnknownActorError("unknown region", field="firms.head_office_regions",
                                    value=office, expected="a region id")
        hq_p[codes[office]] += p
    hq = _choice(rng, n, n_multi, hq_p)
    branch_regions = [np.concatenate(([hq[f]], _choice(rng, n, int(k[f]) - 1, economy_share)))
                      for f in range(n_multi)]
    multi_firm = np.repeat(np.arange(n_multi), k).astype(np.intp)
    registered = np.concatenate((hq, single_region)).astype(np.intp)
    firm = np.concatenate((multi_firm, n_multi + np.arange(len(single_region)))).astype(np.intp)
    region = np.concatenate((*branch_regions, single_region)).astype(np.intp)
    sector = (rng.random(len(registered)) < a.number("firms.services_share")).astype(np.intp)
    raw = rng.lognormal(0.0, a.number("firms.establishment_size_sigma"), size=len(firm))
    employment = a.number("firms.employment_rate") * population
    region_raw = np.bincount(region, weights=raw, minlength=n)
    headcount = raw * (employment / region_raw)[region]
    sigma = a.number("firms.factor_noise_sigma")
    assets_noise = rng.lognormal(0.0, sigma, len(firm))
    sales_noise = rng.lognormal(0.0, sigma, len(firm))
    return SyntheticFirms(registered, sector, firm, region, headcount, assets_noise, sales_noise)


@dataclass(frozen=True)
class YearFirms:
    """The firms of one year: ids, coded establishments and firms."""

    firm_ids: tuple[str, ...]
    establishments: Establishments
    firms: Firms


def _activity(assumptions: EconomyAssumptions, name: str) -> dict[str, float]:
    values = assumptions.numbers(f"firms.activities.{name}")
    missing = [k for k in ACTIVITY_KEYS if k not in values]
    if missing:
        raise InvalidValueError("missing activity constant(s) " + ", ".join(missing),
                                field=f"firms.activities.{name}", expected=", ".join(ACTIVITY_KEYS))
    return values


def firms_for_year(year: int, synthetic: SyntheticFirms, rows: list[CompanyRow],
                   assumptions: EconomyAssumptions, *, ids: tuple[str, ...],
                   income: FloatArray, nominal: float,
                   profit_base: float, rng: np.random.Generator) -> YearFirms:
    """Build the establishments and firms of ``year``.

    Args:
        year: the year.
        synthetic: the placed synthetic firms.
        rows: the resource companies' establishments.
        assumptions: the constants.
        ids: region ids (names the stand-alone predecessor firms).
        income: the year's income index per region (mean 1).
        nominal: money scale of the year relative to 1998.
        profit_base: the national profit-tax base to reach (sum of positive profits).
        rng: the year's random generator.
    """
    a, n_regions = assumptions, len(income)
    unit_wage = a.number("firms.unit_wage") * nominal
    wage_index = income ** a.number("income.wage_elasticity")
    names: list[str] = []
    registered: list[int] = []
    profits: list[float] = []
    cols: dict[str, list[npt.NDArray[np.float64] | npt.NDArray[np.intp]]] = {
        k: [] for k in ("firm", "region", "headcount", "payroll", "assets", "sales")}
    own_by_activity = own_balance_by_activity(
        a, sorted({*_SECTORS, *(r.activity for r in rows)}))
    own: list[bool] = []

    def add(firm_id: str, office: int, profit: float, members: list[CompanyRow],
            size: dict[str, float]) -> None:
        code = len(names)
        names.append(firm_id)
        registered.append(office)
        profits.append(profit)
        for r in members:
            act = _activity(a, r.activity)
            heads = r.weight * size["headcount"]
            cols["firm"].append(np.array([code], dtype=np.intp))
            cols["region"].append(np.array([r.region], dtype=np.intp))
            cols["headcount"].append(np.array([heads]))
            cols["payroll"].append(np.array([heads * unit_wage * act["wage"]
                                             * wage_index[r.region]]))
            cols["assets"].append(np.array([heads * act["assets_per_worker"] * nominal]))
            cols["sales"].append(np.array([heads * act["sales_per_worker"] * nominal]))
            # a subdivision of a group (not its head office, not a stand-alone firm)
            own.append(len(members) > 1 and r.activity != "head_office"
                       and own_by_activity[r.activity])

    for firm in dict.fromkeys(r.firm for r in rows):
        size = a.numbers(f"firms.resource_companies.{firm}")
        share = size["profit_share"] * profit_base
        mine = [r for r in rows if r.firm == firm]
        office = [r for r in mine if r.activity == "head_office" and r.active(year)]
        if office:
            members = [r for r in mine if r.active(year)
                       and (r.activity != "head_office" or r is office[0])]
            add(firm, office[0].region, share * sum(r.weight for r in members), members, size)
        else:  # the group does not exist yet: its enterprises stand alone
            for r in mine:
                if r.activity != "head_office" and r.from_year is None and r.active(year):
                    add(f"{firm}:{r.activity}:{ids[r.region]}", r.region, share * r.weight,
                        [r], size)
    resource_base = float(np.maximum(np.array(profits), 0.0).sum())
    target = profit_base - resource_base
    if target <= 0:
        raise InvalidValueError("resource companies exceed the national profit base",
                                field="firms.resource_companies", value=resource_base,
                                expected=f"profit shares summing below 1 (base {profit_base})")

    s = synthetic
    sector_names = [_SECTORS[i] for i in s.sector[s.firm]]
    act = {name: _activity(a, name) for name in _SECTORS}
    per_est = {k: np.array([act[name][k] for name in sector_names]) for k in ACTIVITY_KEYS}
    payroll = s.headcount * unit_wage * per_est["wage"] * wage_index[s.region]
    assets = s.headcount * per_est["assets_per_worker"] * s.assets_noise * nominal
    sales = s.headcount * per_est["sales_per_worker"] * income[s.region] * s.sales_noise * nominal
    n_synth = s.n_firms
    margin_sales = np.bincount(s.firm, weights=per_est["margin"] * sales, minlength=n_synth)
    noise = rng.lognormal(0.0, a.number("firms.profit_noise_sigma"), n_synth)
    losing = rng.random(n_synth) < a.number("firms.loss_making_share")
    depth = rng.uniform(0.0, 0.5, n_synth)
    profit = np.where(losing, -depth * margin_sales, margin_sales * noise)
    positive = profit > 0
    profit[positive] *= target / profit[positive].sum()

    # A synthetic firm's first establishment is its head office (in its registered region);
    # the others are subdivisions, flagged by sector.
    first = np.ones(len(s.firm), dtype=np.bool_)
    first[1:] = s.firm[1:] != s.firm[:-1]
    sector_own = np.array([own_by_activity[name] for name in _SECTORS])[s.sector[s.firm]]
    offset = len(names)
    firm_codes = np.concatenate([*cols["firm"], offset + s.firm]).astype(np.intp)
    region_codes = np.concatenate([*cols["region"], s.region]).astype(np.intp)
    establishments = Establishments(
        firm=firm_codes, region=region_codes,
        headcount=np.concatenate([*cols["headcount"], s.headcount]),
        payroll=np.concatenate([*cols["payroll"], payroll]),
        assets=np.concatenate([*cols["assets"], assets]),
        sales=np.concatenate([*cols["sales"], sales]),
        n_firms=offset + n_synth, n_regions=n_regions,
        own_balance_sheet=np.concatenate([np.array(own, dtype=np.bool_), ~first & sector_own]))
    all_ids = (*names, *(f"synthetic-{i:04d}" for i in range(n_synth)))
    firms = Firms(registered_region=np.concatenate([np.array(registered, dtype=np.intp),
                                                    s.registered]),
                  profit=np.concatenate([np.array(profits, dtype=np.float64), profit]),
                  n_regions=n_regions)
    return YearFirms(all_ids, establishments, firms)
