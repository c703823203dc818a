"""The illustrative economy: a seeded generator of :class:`FiscalInputs` for 1992-2010.

No regional GDP, per-region tax data or per-region transfers were found for Russia in the
1990s, so the bundled case builds an **illustrative** economy from written-down assumptions
(``cases/russia_1990s/economy/assumptions.yaml``) and sourced facts (population, the resource
companies' registration and extraction regions, national anchors of 1998 and 2000-2002).
Every :class:`FiscalInputs` it returns has ``illustrative=True`` and a ``provenance`` saying
what is sourced and what is assumed. Users replace it with their own files.

The algorithm (details and the constants: ``docs/economy.md``):

1. Regions: the ids given (the 89 subjects of 1999, kept separate through 2010: units merged
   in 2005-2008 stay separate), sorted; population of 1 January of the year.
2. Income index of the non-resource economy per region: ``exp(dispersion x (economic-region
   level + region premium + structural noise))`` x a small yearly noise, normalised to a
   population-weighted mean of 1.
3. Components, each a distribution over regions summing to 1: ``non_resource`` (population x
   income index), ``population``, ``hydrocarbons`` and ``other_minerals`` (extraction shares).
4. Tax due of each tax key: the national amount ``T(year) x mix(tax, year)`` spread by the
   tax's component weights. ``T`` is anchored on sources in 1998 and 2000-2002 and assumed
   elsewhere; ``regional_other`` is the calibrated size of the wholly regional taxes.
5. Firms: the resource companies (head offices mostly in Moscow, extraction where the
   reference table says) and synthetic single- and multi-region firms; profits scaled so the
   national profit-tax base equals ``T(year) x mix(profit_tax_base, year)``.
6. Expenditure index: an assumed factor per region (Far North higher), population-weighted
   mean 1.

Examples:
    >>> import pandas as pd
    >>> from regionet.engines.economy.assumptions import parse_assumptions
    >>> subjects = pd.DataFrame({"id": ["RU-B", "RU-A"], "economic_region": ["X", "Y"]})
    >>> population = pd.DataFrame({"region": ["RU-A", "RU-B"], "year": [1999, 1999],
    ...                            "population": [1e6, 2e6]})
    >>> economy = Economy(example_assumptions(), population, None, subjects=subjects, seed=1)
    >>> inputs = economy.inputs(1999)
    >>> inputs.regions.ids, inputs.illustrative
    (('RU-A', 'RU-B'), True)
    >>> round(float(sum(inputs.regions.due("vat"))), 6)
    300.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from regionet.core.errors import InvalidValueError, UnknownActorError, did_you_mean
from regionet.core.rng import make_rng
from regionet.engines.economy.assumptions import EconomyAssumptions, parse_assumptions
from regionet.engines.economy.columns import Columns, columns_of, names_of, number_or_nan
from regionet.engines.economy.firms import (
    CompanyRow,
    SyntheticFirms,
    YearFirms,
    build_synthetic,
    company_rows,
    firms_for_year,
    own_balance_by_activity,
)
from regionet.engines.fiscal.inputs.establishments import FloatArray
from regionet.engines.fiscal.inputs.year_inputs import TAX_KEYS, FiscalInputs, RegionTable

if TYPE_CHECKING:  # frames are accepted, never needed: no pandas on a fiscal run's path
    import pandas as pd

__all__ = [
    "COMPONENTS",
    "DEFAULT_YEARS",
    "Economy",
    "example_assumptions",
    "generate",
    "generate_years",
]

#: The distributions over regions that the tax bases combine.
COMPONENTS = ("non_resource", "population", "hydrocarbons", "other_minerals")
#: The years of the bundled case's fiscal model.
DEFAULT_YEARS = tuple(range(1992, 2011))
_PRICE_YEAR = 1998  # money constants of the firms are in rubles of this year


def _year_seed(seed: int, year: int) -> int:
    """An independent, reproducible seed for one year's draws."""
    return int(np.random.SeedSequence([seed, year]).generate_state(1)[0])


class Economy:
    """The illustrative economy for one seed: structure drawn once, years built on demand.

    Args:
        assumptions: the constants (:func:`~regionet.engines.economy.assumptions.
            parse_assumptions`).
        population: columns ``region, year, population`` (``source``, ``status`` optional,
            quoted in the provenance); every region of ``subjects`` in every year used.
        companies: the resource companies' establishments (columns ``firm, region,
            activity, weight, from_year, to_year``), or None for none.
        subjects: columns ``id, economic_region``; the regions are its ids, sorted.
        seed: integer >= 0; None uses the assumptions' ``seed``.

    The tables are pandas frames or plain ``{column: values}`` mappings
    (:mod:`~regionet.engines.economy.columns`); either reads the same.

    Raises:
        InvalidValueError: bad frames or constants (naming the field and value).
        UnknownActorError: a region named in the constants or tables that is not a subject.
    """

    def __init__(self, assumptions: EconomyAssumptions, population: pd.DataFrame | Columns,
                 companies: pd.DataFrame | Columns | None, *,
                 subjects: pd.DataFrame | Columns, seed: int | None = None) -> None:
        a = self.assumptions = assumptions
        self.seed = int(a.number("seed")) if seed is None else seed
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InvalidValueError("bad seed", field="seed", value=seed,
                                    expected="an integer >= 0")
        for column in ("id", "economic_region"):
            if column not in names_of(subjects):
                raise InvalidValueError(f"missing column {column}", file="subjects",
                                        expected="columns id, economic_region")
        subject = columns_of(subjects)
        table = sorted(zip((str(i) for i in subject["id"]), subject["economic_region"],
                           strict=True), key=lambda row: row[0])
        self.ids: tuple[str, ...] = tuple(row[0] for row in table)
        n = len(self.ids)
        self._codes = {region: i for i, region in enumerate(self.ids)}
        people = columns_of(population)
        self._population = self._population_table(people)
        self._population_notes = self._notes(people)
        nested = a.names("regions.nested_in") if a.has("regions.nested_in") else {}
        self._check_regions(nested, "regions.nested_in")
        self._check_regions({v: v for v in nested.values()}, "regions.nested_in")
        self.parent: tuple[str | None, ...] = tuple(nested.get(r) for r in self.ids)
        levels = a.numbers("income.economic_region")
        premium = a.numbers("income.region_premium")
        self._check_regions(premium, "income.region_premium")
        unknown = sorted({str(row[1]) for row in table} - set(levels))
        if unknown:
            raise InvalidValueError("economic region without a level",
                                    field="income.economic_region", value=unknown[0],
                                    expected="a level for every economic region of the subjects")
        rng = make_rng(self.seed)
        noise = rng.normal(0.0, a.number("income.noise_sigma"), n)
        base = np.array([levels[str(row[1])] for row in table], dtype=np.float64)
        self._log_income = a.number("income.dispersion") * (
            base + self._vector(premium, 0.0) + noise)
        self._extraction = {c: self._shares(f"extraction.{c}")
                            for c in ("hydrocarbons", "other_minerals")}
        self._expenditure = self._vector(a.numbers("expenditure_index.region_factor"), 1.0,
                                         "expenditure_index.region_factor")
        self._bases = self._tax_bases()
        activities = a.group("firms.activities")
        own_balance_by_activity(a, activities)  # checked now, used per year
        self._rows: list[CompanyRow] = ([] if companies is None
                                        else company_rows(companies, self.ids, activities))
        for firm in dict.fromkeys(r.firm for r in self._rows):
            a.numbers(f"firms.resource_companies.{firm}")
        year = int(a.number("firms.structure_year"))
        shares = self._components(year, self._income(year, yearly=False))
        self._synthetic: SyntheticFirms = build_synthetic(
            rng, shares["non_resource"], self.population(year), a, self.ids)

    # -- validation helpers ------------------------------------------------------------------
    def _check_regions(self, mapping: Mapping[str, object], field: str) -> None:
        for region in mapping:
            if region not in self._codes:
                raise UnknownActorError("unknown region", field=field, value=region,
                                        expected="a subject id",
                                        hint=did_you_mean(region, self.ids))

    def _vector(self, mapping: Mapping[str, float], default: float,
                field: str = "income.region_premium") -> FloatArray:
        self._check_regions(mapping, field)
        return np.array([mapping.get(r, default) for r in self.ids], dtype=np.float64)

    def _shares(self, path: str) -> FloatArray:
        values = self._vector(self.assumptions.numbers(path), 0.0, path)
        if np.any(values < 0) or values.sum() <= 0:
            raise InvalidValueError("bad shares", field=path, expected="numbers >= 0, some > 0")
        return np.asarray(values / values.sum(), dtype=np.float64)

    def _tax_bases(self) -> dict[str, dict[str, float]]:
        bases = {}
        for key in TAX_KEYS:
            weights = self.assumptions.numbers(f"tax_bases.{key}")
            bad = [c for c in weights if c not in COMPONENTS]
            if bad or abs(sum(weights.values()) - 1.0) > 1e-6 or min(weights.values()) < 0:
                raise InvalidValueError("bad tax-base weights", field=f"tax_bases.{key}",
                                        value=weights,
                                        expected="weights >= 0 of " + ", ".join(COMPONENTS)
                                        + " summing to 1")
            bases[key] = weights
        return bases

    def _population_table(self, population: dict[str, list[Any]]) -> dict[Any, FloatArray]:
        """Population by year: one value per region (NaN where none is given)."""
        for column in ("region", "year", "population"):
            if column not in population:
                raise InvalidValueError(f"missing column {column}", file="population",
                                        expected="columns region, year, population")
        regions, years = population["region"], population["year"]
        self._check_regions(dict.fromkeys(str(r) for r in regions), "population.region")
        seen: set[tuple[Any, Any]] = set()
        for row, key in enumerate(zip(regions, years, strict=True)):
            if key in seen:
                raise InvalidValueError("region and year given twice", file="population",
                                        row=row + 1, field="region", value=key[0],
                                        expected="one population per region and year")
            seen.add(key)
        table: dict[Any, FloatArray] = {}
        for region, year, value in zip(regions, years, population["population"], strict=True):
            number = number_or_nan(value)
            if math.isnan(number):  # as a pivot does: a year with no number is no year
                continue
            if year not in table:
                table[year] = np.full(len(self.ids), np.nan)
            table[year][self._codes[str(region)]] = number
        return dict(sorted(table.items()))

    @staticmethod
    def _notes(population: dict[str, list[Any]]) -> dict[int, str]:
        if "status" not in population:
            return {}
        groups: dict[Any, list[int]] = {}
        for row, year in enumerate(population["year"]):
            groups.setdefault(year, []).append(row)
        notes = {}
        for year, rows in sorted(groups.items()):
            statuses = ", ".join(sorted({str(population["status"][i]) for i in rows}))
            sources = (sorted({str(population["source"][i]) for i in rows})
                       if "source" in population else [])
            notes[int(str(year))] = f"status {statuses}" + (f"; source: {sources[0]}"
                                                            if len(sources) == 1 else "")
        return notes

    # -- the regional economy ----------------------------------------------------------------
    def population(self, year: int) -> FloatArray:
        """Population of every region on 1 January of ``year``."""
        if year not in self._population:
            known = list(self._population) or [math.nan]
            raise InvalidValueError("no population for the year", file="population",
                                    field="year", value=year,
                                    expected=f"a year in {known[0]}-{known[-1]}")
        values = self._population[year].copy()
        if not np.all(np.isfinite(values) & (values > 0)):
            region = self.ids[int(np.flatnonzero(~(np.isfinite(values) & (values > 0)))[0])]
            raise InvalidValueError("missing or bad population", file="population",
                                    field=region, value=year, expected="a population > 0")
        return values

    def _income(self, year: int, *, yearly: bool = True) -> FloatArray:
        log_income = self._log_income
        if yearly:
            rng = make_rng(_year_seed(self.seed, year))
            sigma = self.assumptions.number("income.year_noise_sigma")
            log_income = log_income + rng.normal(0.0, sigma, len(self.ids))
        income = np.exp(log_income)
        people = self.population(year)
        return np.asarray(income * people.sum() / (income * people).sum(), dtype=np.float64)

    def income_index(self, year: int) -> FloatArray:
        """Per-capita income index of the non-resource economy (population-weighted mean 1)."""
        return self._income(year)

    def _components(self, year: int, income: FloatArray) -> dict[str, FloatArray]:
        people = self.population(year)
        return {"non_resource": people * income / (people * income).sum(),
                "population": people / people.sum(), **self._extraction}

    def national_tax_due(self, year: int) -> dict[str, float]:
        """National amount of each tax key, and ``profit_tax_base``, million RUB."""
        scale = self.assumptions.series("national.tax_due_scale").at(year)
        keys = (*TAX_KEYS, "profit_tax_base")
        return {k: scale * self.assumptions.series(f"national.mix.{k}").at(year) for k in keys}

    def tax_due(self, year: int, income: FloatArray | None = None) -> dict[str, FloatArray]:
        """Tax due per region for every tax key in ``year``."""
        parts = self._components(year, self.income_index(year) if income is None else income)
        totals = self.national_tax_due(year)
        due = {}
        for key in TAX_KEYS:
            spread = np.zeros(len(self.ids))
            for component, weight in self._bases[key].items():
                spread += weight * parts[component]
            due[key] = totals[key] * spread
        return due

    def expenditure_index(self, year: int) -> FloatArray:
        """Expenditure index per region (population-weighted mean 1)."""
        people = self.population(year)
        return np.asarray(self._expenditure * people.sum() / (self._expenditure * people).sum(),
                          dtype=np.float64)

    def firms(self, year: int, income: FloatArray | None = None) -> YearFirms:
        """Firms and establishments of ``year`` (with the firm ids)."""
        series = self.assumptions.series("national.tax_due_scale")
        return firms_for_year(
            year, self._synthetic, self._rows, self.assumptions, ids=self.ids,
            income=self.income_index(year) if income is None else income,
            nominal=series.at(year) / series.at(_PRICE_YEAR),
            profit_base=self.national_tax_due(year)["profit_tax_base"],
            rng=make_rng(_year_seed(self.seed, year) + 1))

    def provenance(self, year: int) -> dict[str, str]:
        """What is sourced and what is assumed in the inputs of ``year``."""
        a = self.assumptions
        scale = a.series("national.tax_due_scale")
        anchor = dict(scale.points).get(year)
        basis = (f"{anchor.status}: {anchor.note}" if anchor is not None
                 else f"assumed: {scale.basis(year)} of the anchors")
        tuned = ", ".join(sorted({c.path.split("[")[0] for c in a.calibrated()}))
        return {
            "economy": f"ILLUSTRATIVE economy (regionet.engines.economy.economy, seed "
                       f"{self.seed}); not data: no regional GDP, tax or transfer data were found",
            "regions": f"{len(self.ids)} subjects of 1999 kept separate in every year",
            "units": "million RUB of the year, new-ruble equivalents (1 new = 1000 old rubles "
                     "from 1998)",
            "population": self._population_notes.get(year, "as given"),
            "tax_due": f"illustrative: national scale T {basis}; mix by tax assumed (1998 "
                       f"partly from the 1998 federal budget law); spread over regions by an "
                       f"assumed income index and extraction shares",
            "expenditure_index": "assumed: higher in Far North regions",
            "firms": "resource companies: registration and extraction regions from the "
                     "reference table, weights and sizes assumed; synthetic firms seeded",
            "calibrated": f"tuned to published aggregates (a calibration, not a validation): "
                          f"{tuned or 'none'}",
        }

    def regions(self, year: int, income: FloatArray | None = None) -> RegionTable:
        """The regions table of ``year`` (illustrative), without generating the firms."""
        return RegionTable(self.ids, population=self.population(year),
                           expenditure_index=self.expenditure_index(year),
                           tax_due=self.tax_due(year, income), parent=self.parent)

    def inputs(self, year: int) -> FiscalInputs:
        """The :class:`FiscalInputs` of ``year`` (illustrative, named ``illustrative``)."""
        income = self.income_index(year)
        year_firms = self.firms(year, income)
        return FiscalInputs(year, self.regions(year, income), year_firms.establishments,
                            year_firms.firms, illustrative=True,
                            provenance=self.provenance(year), name="illustrative")


def generate(year: int, assumptions: EconomyAssumptions, population: pd.DataFrame | Columns,
             companies: pd.DataFrame | Columns | None, *, subjects: pd.DataFrame | Columns,
             seed: int | None = None) -> FiscalInputs:
    """Generate the illustrative :class:`FiscalInputs` of one year (see :class:`Economy`)."""
    return Economy(assumptions, population, companies, subjects=subjects, seed=seed).inputs(year)


def generate_years(years: Iterable[int], assumptions: EconomyAssumptions,
                   population: pd.DataFrame | Columns,
                   companies: pd.DataFrame | Columns | None, *,
                   subjects: pd.DataFrame | Columns, seed: int | None = None
                   ) -> dict[int, FiscalInputs]:
    """Generate the illustrative inputs of several years from one structure (one seed)."""
    economy = Economy(assumptions, population, companies, subjects=subjects, seed=seed)
    return {year: economy.inputs(year) for year in years}


def example_assumptions() -> EconomyAssumptions:
    """A minimal valid set of constants (for examples and tests; not the bundled case).

    Every tax has a national amount of 100 x its mix share; two economic regions X and Y.
    """
    def c(value: object) -> dict[str, object]:
        return {"value": value, "status": "assumed", "note": "example"}

    def s(value: float) -> dict[str, object]:
        return {"description": "d", "unit": "u", "interpolation": "linear",
                "values": {1990: c(value)}}

    activity = c({"wage": 1, "assets_per_worker": 1, "sales_per_worker": 1, "margin": 0.1})
    return parse_assumptions({
        "seed": c(0),
        "income": {"economic_region": c({"X": 0.0, "Y": 0.5}), "region_premium": c({"RU-A": 0}),
                   "noise_sigma": c(0.1), "year_noise_sigma": c(0.0), "dispersion": c(1),
                   "wage_elasticity": c(0.7)},
        "expenditure_index": {"region_factor": c({"RU-A": 1.2})},
        "extraction": {"hydrocarbons": c({"RU-A": 1}), "other_minerals": c({"RU-B": 1})},
        "tax_bases": {k: c({"non_resource": 1}) for k in TAX_KEYS},
        "national": {"tax_due_scale": s(100.0),
                     "mix": {**{k: s(1.0) for k in TAX_KEYS}, "vat": s(3.0),
                             "profit_tax_base": s(2.0)}},
        "firms": {"structure_year": c(1999), "synthetic_establishments": c(40),
                  "multi_region_firms": c(3), "branches": c({"min": 2, "max": 3}),
                  "min_establishments_per_region": c(2), "head_office_regions": c({"RU-A": 0.5}),
                  "services_share": c(0.5), "establishment_size_sigma": c(1),
                  "employment_rate": c(0.3), "factor_noise_sigma": c(0.2),
                  "loss_making_share": c(0.3), "profit_noise_sigma": c(0.3),
                  "unit_wage": c(0.01),
                  "activities": {"manufacturing": activity, "services": activity}},
    })
