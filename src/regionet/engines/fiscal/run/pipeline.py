"""The fiscal pipeline: attribute → collect → split → transfers → outputs, for one year or many.

Parameters are looked up for year ``Y`` under the date convention of
:mod:`regionet.engines.fiscal.law.annual`: numeric rates and shares are time-weighted annual
averages; names (rules, methods) and published annual amounts are the values in force on 1 July.

Steps for year ``Y`` (arrays over regions; no Python loop over establishments):

1. profit tax: ``base = max(profit, 0)`` per firm; federal part ``= federal rate × base`` paid
   at the head office; regional and local parts ``= rate × base attributed`` by the year's rule
   (``attribution.profit_tax.rule``; a scenario's ``rules.attribution`` replaces it);
2. other taxes: ``RegionTable.tax_due`` split by the year's shares (:data:`SPLITS`);
   hydrocarbons extracted in an autonomous okrug (a region with a ``parent``) follow the okrug
   split, the parent's share going to the parent's budget;
3. collection: every amount is multiplied by the collection efficiency of the region where it
   is paid (``collection.efficiency``, or a per-region override);
4. equalization: the fund ``F`` (share × base, or the published total) allocated by the year's
   method (:mod:`regionet.engines.fiscal.rules.equalization`);
5. outputs: one row per region (:data:`COLUMNS`) and national totals (:class:`YearResult`).

Examples:
    >>> tax_column("mineral_extraction_tax.hydrocarbons", "regional")
    'mineral_extraction_tax_hydrocarbons_regional'
    >>> RULE_NAMES["equalization"]
    ('two_stage', 'gap_filling', 'equal_per_capita', 'none')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from regionet.core.errors import InvalidValueError, UnknownActorError, UnknownReferenceError
from regionet.engines.fiscal.inputs.establishments import Establishments, FloatArray
from regionet.engines.fiscal.inputs.year_inputs import TAX_KEYS, FiscalInputs, RegionTable
from regionet.engines.fiscal.law.annual import AnnualValue, YearParameters
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import Scenario, apply
from regionet.engines.fiscal.rules.attribution import RULES, Rule, attribute
from regionet.engines.fiscal.rules.equalization import (
    METHODS,
    Allocation,
    EqualizationInputs,
    allocate,
)
from regionet.engines.fiscal.rules.shares import Shares, mean_of_shares

__all__ = [
    "COLUMNS", "HYDROCARBONS", "MISSING_SPLIT", "OKRUG", "RULE_NAMES", "SPLITS", "WHOLLY",
    "FiscalResult", "YearResult", "attribution_rule", "run_year", "run_years", "tax_column",
]

#: Rule names the pipeline implements, by kind (pass to ``load_scenario(rule_names=...)``).
RULE_NAMES: Final = {"attribution": tuple(RULES), "equalization": tuple(METHODS)}
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


def tax_column(key: str, level: str) -> str:
    """Return the output column of tax ``key`` at ``level``: ``key_level``, dots as underscores."""
    return f"{key.replace('.', '_')}_{level}"


_TAX_COLUMNS: Final = [tax_column(k, level) for k in TAX_KEYS
                       for level in ((WHOLLY[k],) if k in WHOLLY else ("federal", "regional"))]
#: Output columns, one row per region (all float64 except region, year and illustrative).
COLUMNS: Final = (
    "region", "year", "population", "expenditure_index", "collection_efficiency",
    "profit_tax_base_registered", "profit_tax_base_attributed", "profit_tax_federal",
    "profit_tax_regional", "profit_tax_local", *_TAX_COLUMNS, "tax_collected",
    "revenue_federal_collected", "revenue_regional", "revenue_regional_capacity", "transfers",
    "net_flow", "revenue_regional_per_capita", "transfers_per_capita", "total_per_capita",
    "illustrative")


def attribution_rule(name: str, labour_weight: float = 0.5, assets_weight: float = 0.5) -> Rule:
    """Return the attribution rule ``name``; art. 288 rules use the given factor weights.

    Raises:
        UnknownReferenceError: unknown rule name.
    """
    if name not in RULES:
        raise UnknownReferenceError("unknown attribution rule", field="attribution.profit_tax.rule",
                                    value=name, expected="one of " + ", ".join(RULES))
    if name not in ("art288", "art288_1995") or (labour_weight, assets_weight) == (0.5, 0.5):
        return RULES[name]

    def weighted(establishments: Establishments) -> Shares:
        return mean_of_shares(establishments, [(labour_weight, [("headcount", 1.0)]),
                                               (assets_weight, [("assets", 1.0)])])
    return weighted


@dataclass(frozen=True, eq=False)
class YearResult:
    """One year's results: the per-region frame, national totals and what produced them.

    Attributes:
        year: the fiscal year.
        regions: one row per region, columns :data:`COLUMNS`.
        totals: national totals (plain floats): ``tax_collected``, ``federal_tax_revenue``,
            ``regional_tax_revenue`` (regional + local), ``regional_share_of_tax_revenue``
            (the calibration target), ``fund_base_amount``, ``fund_size``,
            ``fund_distributed``, ``fund_undistributed``, ``federal_revenue_after_transfers``,
            ``population``.
        parameters: each parameter used, as an :class:`AnnualValue` with provenance.
        rules: ``attribution``, ``equalization``, ``fund_base`` and ``fund_source`` names.
        allocation: the equalization method's full result.
        inputs: the inputs; ``tree``: the parameters after the scenario.
        scenario: the scenario's name, if any; ``collection_override``: True when per-region
            efficiencies replaced the parameter.
    """

    year: int
    regions: pd.DataFrame
    totals: Mapping[str, float]
    parameters: Mapping[str, AnnualValue]
    rules: Mapping[str, str]
    allocation: Allocation
    inputs: FiscalInputs
    tree: ParameterTree
    scenario: str | None = None
    collection_override: bool = False


@dataclass(frozen=True, eq=False)
class FiscalResult:
    """Results for a series of years: ``regions`` (all rows) and ``totals`` (one row a year)."""

    years: Mapping[int, YearResult]
    regions: pd.DataFrame
    totals: pd.DataFrame
    scenario: str | None = None

    def year(self, year: int) -> YearResult:
        """Return the result of ``year``."""
        if year not in self.years:
            raise UnknownReferenceError("year not in the result", field="year", value=year,
                                        expected=f"one of {sorted(self.years)}")
        return self.years[year]


def _shares(look: YearParameters, paths: tuple[str, ...], default: tuple[float, ...] | None,
            needed: bool, what: str) -> tuple[float, ...] | None:
    """Resolve shares that must sum to 1; None when unneeded and not in force."""
    for path in paths:
        look.tree.parameter(path)  # an unknown path is an error, never a missing value
    try:
        values = tuple(look.number(p, None if default is None else d)
                       for p, d in zip(paths, default or (None,) * len(paths), strict=True))
    except UnknownReferenceError as err:
        for path in paths:
            look.used.pop(path, None)
        if not needed:
            return None
        raise UnknownReferenceError(f"tax due is given for {what} but its split has no value "
                                    f"in {look.year}", field=err.field, file=err.file,
                                    hint="Check the year, or leave that tax out of the inputs "
                                         "(the tax may not exist yet).") from err
    if abs(math.fsum(values) - 1.0) > 1e-9:
        raise InvalidValueError(f"the {what} shares do not add up to 1 in {look.year}",
                                field=", ".join(paths), value=values,
                                hint="A scenario probably overrode one share without the others.")
    return values


def _parents(regions: RegionTable) -> npt.NDArray[np.intp]:
    """Parent region code of each region (-1 for none)."""
    if regions.parent is None:
        return np.full(regions.n, -1, dtype=np.intp)
    index = {rid: i for i, rid in enumerate(regions.ids)}
    codes = np.full(regions.n, -1, dtype=np.intp)
    for i, parent in enumerate(regions.parent):
        if parent is None:
            continue
        if parent not in index or parent == regions.ids[i]:
            raise UnknownActorError("bad parent region", row=i + 1, field="parent", value=parent,
                                    expected="another region's id, or None")
        codes[i] = index[parent]
    return codes


def _split_taxes(due: Mapping[str, FloatArray], shares: Mapping[str, tuple[float, ...]],
                 parent: npt.NDArray[np.intp], eff: FloatArray) -> dict[str, FloatArray]:
    """Per-region revenue by tax and level (:data:`_TAX_COLUMNS`) after collection."""
    n, columns = len(eff), {}
    for key in TAX_KEYS:
        collected = due[key] * eff
        if key in WHOLLY:
            columns[tax_column(key, WHOLLY[key])] = collected
            continue
        federal, regional = (np.full(n, s) for s in shares.get(key, (0.0, 0.0)))
        received = np.zeros(n)
        okrug = parent >= 0
        if key == HYDROCARBONS and OKRUG[0] in shares and okrug.any():
            fed_o, own_o, parent_o = shares[OKRUG[0]]
            federal[okrug], regional[okrug] = fed_o, own_o
            received = np.bincount(parent[okrug], weights=parent_o * collected[okrug],
                                   minlength=n).astype(np.float64)
        columns[tax_column(key, "federal")] = federal * collected
        columns[tax_column(key, "regional")] = regional * collected + received
    return columns


def _year_rule(look: YearParameters, name: str) -> Rule:
    """The attribution rule with the year's art. 288 weights (in force on 1 July)."""
    if name not in ("art288", "art288_1995"):
        return attribution_rule(name)
    assets = "assets" if name == "art288" else "fixed_assets"
    labour, capital = (look.optional(f"attribution.{name}.weight.{w}", average=False)
                       for w in ("labour", assets))
    if labour is None or capital is None:  # used before its weights were enacted (a scenario)
        return attribution_rule(name)
    return attribution_rule(name, labour, capital)


def _tax_shares(look: YearParameters, due: Mapping[str, FloatArray],
                parent: npt.NDArray[np.intp]) -> dict[str, tuple[float, ...]]:
    """The year's shares by tax key (and :data:`OKRUG`), skipping splits not needed."""
    shares: dict[str, tuple[float, ...]] = {}
    for key, paths in SPLITS.items():
        got = _shares(look, paths, MISSING_SPLIT.get(key), bool(due[key].any()), key)
        if got is not None:
            shares[key] = got
    okrug = parent >= 0
    if okrug.any():
        got = _shares(look, OKRUG, None, bool(due[HYDROCARBONS][okrug].any()),
                      "okrug hydrocarbons")
        if got is not None:
            shares[OKRUG[0]] = got
    return shares


def _efficiency(look: YearParameters, n: int, override: npt.ArrayLike | None) -> FloatArray:
    national = look.number("collection.efficiency")
    if override is None:
        return np.full(n, national)
    eff = np.array(override, dtype=np.float64)
    if eff.shape != (n,) or not np.all(np.isfinite(eff) & (eff >= 0)):
        raise InvalidValueError("bad collection_by_region", field="collection_by_region",
                                value=eff.shape, expected=f"{n} finite efficiencies >= 0")
    return eff


def _fund(look: YearParameters, columns: Mapping[str, FloatArray],
          use_published_total: bool) -> tuple[float, float, str, str]:
    """Return (fund size, base amount, base name, source)."""
    federal = float(columns["revenue_federal_collected"].sum())
    total = look.optional("equalization.fund.total", average=False) if use_published_total else None
    if total is not None:
        return total, federal, "published_total", "published_total"
    if look.tree.get("equalization.fund.base", date(look.year, 7, 1), None) is None:
        return 0.0, 0.0, "none", "no fund rule in force"
    base = look.name("equalization.fund.base")
    amounts = {"federal_vat": float(columns["vat_federal"].sum()),
               "federal_domestic_vat": float(columns["vat_federal"].sum()),
               "federal_tax_revenue_excl_import_duties": federal}
    if base not in amounts:
        raise UnknownReferenceError("unknown fund base", field="equalization.fund.base",
                                    value=base, expected="one of " + ", ".join(amounts))
    return look.number("equalization.fund.share") * amounts[base], amounts[base], base, "share"


def run_year(inputs: FiscalInputs, tree: ParameterTree, *, scenario: Scenario | None = None,
             collection_by_region: npt.ArrayLike | None = None,
             use_published_total: bool = False) -> YearResult:
    """Run the pipeline for ``inputs.year`` (see the module docstring).

    Args:
        inputs: the year's inputs.
        tree: the baseline parameters; ``scenario`` is applied to a copy.
        scenario: overrides and rules (``rules.attribution``, ``rules.equalization``).
        collection_by_region: per-region collection efficiencies replacing
            ``collection.efficiency``.
        use_published_total: size the fund by ``equalization.fund.total`` where the
            parameters give one (2000, 2001), else by share × base.

    Raises:
        InvalidValueError: inputs that disagree on the number of regions, a bad override,
            shares that do not add up to 1.
        UnknownReferenceError: a parameter without value in the year (e.g. tax due for a
            tax not yet in force), an unknown rule.

    Examples:
        >>> from pathlib import Path
        >>> import regionet.cases
        >>> from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
        >>> from regionet.engines.fiscal.law.files import load_parameters
        >>> tree = load_parameters(Path(regionet.cases.__file__).parent / "russia_1990s"
        ...                        / "parameters")
        >>> est = Establishments(firm=[0], region=[1], headcount=[1], payroll=[1], assets=[1],
        ...                      sales=[1], n_firms=1, n_regions=2)
        >>> inputs = FiscalInputs(1999, RegionTable(("A", "B"), np.array([1.0, 1.0])), est,
        ...                       Firms(registered_region=[0], profit=[3650.0], n_regions=2))
        >>> r = run_year(inputs, tree)     # 13 % → 11 % federal on 1 April 1999
        >>> r.regions[["profit_tax_federal", "profit_tax_regional"]].round(2).values.tolist()
        [[419.5, 0.0], [0.0, 720.5]]
    """
    reformed = tree if scenario is None else apply(tree, scenario)
    return _run(inputs, reformed, scenario, collection_by_region, use_published_total)


def _run(inputs: FiscalInputs, tree: ParameterTree, scenario: Scenario | None,
         collection_by_region: npt.ArrayLike | None, use_published_total: bool) -> YearResult:
    regions, est, firms, year = inputs.regions, inputs.establishments, inputs.firms, inputs.year
    n = regions.n
    if est.n_regions != n or firms.n_regions != n:
        raise InvalidValueError("inputs disagree on the number of regions", field="n_regions",
                                value=(est.n_regions, firms.n_regions),
                                expected=f"{n} regions, as in the regions table")
    look, chosen = YearParameters(tree, year), dict(scenario.rules) if scenario else {}
    eff = _efficiency(look, n, collection_by_region)
    # 1. profit tax bases: at the head office (federal part) and attributed (regional part)
    rule_name = chosen.get("attribution", look.name("attribution.profit_tax.rule"))
    registered = np.bincount(firms.registered_region, weights=firms.base,
                             minlength=n).astype(np.float64)
    attributed = attribute(est, firms, _year_rule(look, rule_name), n)
    rates = {level: look.number(f"profit_tax.rate.{level}")
             for level in ("federal", "regional", "local")}
    # 2-3. the other taxes, split and collected
    due = {key: regions.due(key) for key in TAX_KEYS}
    parent = _parents(regions)
    shares = _tax_shares(look, due, parent)
    cols: dict[str, Any] = {
        "region": list(regions.ids), "year": np.full(n, year, dtype=np.int64),
        "population": regions.population,
        "expenditure_index": np.asarray(regions.expenditure_index, dtype=np.float64),
        "collection_efficiency": eff, "profit_tax_base_registered": registered,
        "profit_tax_base_attributed": attributed,
        "profit_tax_federal": rates["federal"] * registered * eff,
        "profit_tax_regional": rates["regional"] * attributed * eff,
        "profit_tax_local": rates["local"] * attributed * eff,
    }
    cols.update(_split_taxes(due, shares, parent, eff))
    cols["tax_collected"] = (cols["profit_tax_federal"] + cols["profit_tax_regional"]
                             + cols["profit_tax_local"] + sum(due[k] * eff for k in TAX_KEYS))
    federal_cols = ["profit_tax_federal", *(c for c in _TAX_COLUMNS if c.endswith("_federal"))]
    regional_cols = ["profit_tax_regional", "profit_tax_local",
                     *(c for c in _TAX_COLUMNS if c.endswith("_regional"))]
    cols["revenue_federal_collected"] = np.sum([cols[c] for c in federal_cols], axis=0)
    cols["revenue_regional"] = np.sum([cols[c] for c in regional_cols], axis=0)
    at_full = _split_taxes(due, shares, parent, np.ones(n))
    cols["revenue_regional_capacity"] = (
        (rates["regional"] + rates["local"]) * attributed
        + np.sum([at_full[c] for c in _TAX_COLUMNS if c.endswith("_regional")], axis=0))
    # 4. equalization
    method = chosen.get("equalization", look.name("equalization.method"))
    fund, base_amount, base_name, source = _fund(look, cols, use_published_total)
    options = {}
    if method == "two_stage":
        options = {stage: look.number(f"equalization.stage_split.{stage}", default)
                   for stage, default in (("stage_1", 0.8), ("stage_2", 0.2))}
    allocation = allocate(method, fund, EqualizationInputs(
        regions.population, cols["expenditure_index"], cols["revenue_regional_capacity"],
        cols["revenue_regional"]), **options)
    cols["transfers"] = allocation.transfers
    cols["net_flow"] = allocation.transfers - cols["revenue_federal_collected"]
    cols["revenue_regional_per_capita"] = cols["revenue_regional"] / regions.population
    cols["transfers_per_capita"] = allocation.transfers / regions.population
    cols["total_per_capita"] = ((cols["revenue_regional"] + allocation.transfers)
                                / regions.population)
    cols["illustrative"] = np.full(n, bool(inputs.illustrative))
    frame = pd.DataFrame({c: cols[c] for c in COLUMNS})
    federal, regional = (float(cols[c].sum()) for c in ("revenue_federal_collected",
                                                         "revenue_regional"))
    consolidated = federal + regional
    totals = {
        "tax_collected": float(cols["tax_collected"].sum()), "federal_tax_revenue": federal,
        "regional_tax_revenue": regional,
        "regional_share_of_tax_revenue": regional / consolidated if consolidated else math.nan,
        "fund_base_amount": base_amount, "fund_size": fund,
        "fund_distributed": float(allocation.transfers.sum()),
        "fund_undistributed": allocation.undistributed,
        "federal_revenue_after_transfers": federal - float(allocation.transfers.sum()),
        "population": float(regions.population.sum())}
    rules = {"attribution": rule_name, "equalization": method, "fund_base": base_name,
             "fund_source": source}
    return YearResult(year, frame, totals, dict(look.used), rules, allocation, inputs, tree,
                      None if scenario is None else scenario.name,
                      collection_by_region is not None)


def run_years(inputs_by_year: Mapping[int, FiscalInputs] | Iterable[FiscalInputs],
              tree: ParameterTree, scenario: Scenario | None = None, *,
              collection_by_region: Mapping[int, npt.ArrayLike] | None = None,
              use_published_total: bool = False) -> FiscalResult:
    """Run :func:`run_year` for each year (the scenario is applied once).

    Raises:
        InvalidValueError: a mapping key differs from its inputs' year, or a year repeats.
    """
    items = (list(inputs_by_year.values()) if isinstance(inputs_by_year, Mapping)
             else list(inputs_by_year))
    if isinstance(inputs_by_year, Mapping):
        for key, value in inputs_by_year.items():
            if key != value.year:
                raise InvalidValueError("mapping key differs from the inputs' year", field="year",
                                        value=key, expected=f"{value.year}")
    reformed = tree if scenario is None else apply(tree, scenario)
    years: dict[int, YearResult] = {}
    for inputs in sorted(items, key=lambda i: i.year):
        if inputs.year in years:
            raise InvalidValueError("year given twice", field="year", value=inputs.year)
        override = (collection_by_region or {}).get(inputs.year)
        years[inputs.year] = _run(inputs, reformed, scenario, override, use_published_total)
    frames = [r.regions for r in years.values()]
    regions = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    totals = pd.DataFrame([{"year": y, **r.totals} for y, r in years.items()])
    return FiscalResult(years, regions, totals, None if scenario is None else scenario.name)
