"""The fiscal engine inside the dynamics: each year's law, evaluated at any collection.

The model's regions collect taxes with an efficiency that changes every step (the centre's
collection times the region's effort). The fiscal pipeline multiplies *every* amount by the
collection efficiency of the region where it is paid (``engines/fiscal/run/pipeline.py``, step 3),
so for a year's law and inputs the revenues are **linear** in the vector of efficiencies
``κ``:

- federal revenue collected in region ``i``: ``F_i(κ) = f_i κ_i``;
- regional (and local) revenue of region ``i``: ``R_i(κ) = r_i κ_i + Σ_{o: parent(o)=i} h_o κ_o``
  where ``h_o`` is the parent region's share of the hydrocarbon extraction tax of the
  autonomous okrug ``o`` (from 2002);
- the equalization fund: ``share × base(κ)`` with ``base`` the federal VAT or the federal tax
  revenue, both linear in ``κ``.

:func:`fiscal_year` calls :func:`~regionet.engines.fiscal.run.pipeline.run_year` once, at unit
collection, reads ``f``, ``r``, ``h`` and the fund's base off the result, and keeps the law's
own collection efficiency. :meth:`FiscalYear.collect` then evaluates the year at any ``κ`` and
allocates the fund with the year's equalization method
(:func:`~regionet.engines.fiscal.rules.equalization.allocate`): the same numbers as
``run_year(inputs, tree, scenario, collection_by_region=ε κ)`` (a property test checks this)
without re-running the attribution of firms at every step.

Examples:
    >>> import numpy as np
    >>> from regionet.engines.dynamics.testing import synthetic_path
    >>> year = synthetic_path(["A", "B", "C"], [1995], method="none").at(1995)
    >>> flows = year.collect(np.array([1.0, 0.5, 0.0]))
    >>> bool(np.allclose(flows.regional, year.regional_unit * [1.0, 0.5, 0.0]))
    True
    >>> bool(np.allclose(flows.federal, 3 * flows.regional)), flows.transfers.tolist()
    (True, [0.0, 0.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from regionet.core.errors import InvalidValueError, UnknownReferenceError
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import Scenario, apply
from regionet.engines.fiscal.rules.equalization import EqualizationInputs, allocate
from regionet.engines.fiscal.run.pipeline import HYDROCARBONS, OKRUG, YearResult, run_year

__all__ = ["FiscalFlows", "FiscalPath", "FiscalYear", "fiscal_path", "fiscal_year"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class FiscalFlows:
    """One year's money at a given collection (arrays over regions, float64).

    Attributes:
        regional: own regional and local tax revenue collected (``revenue_regional``).
        federal: federal tax revenue collected in each region (``revenue_federal_collected``).
        transfers: the equalization fund's allocation by the year's method (before the
            centre's failure to pay, which the model applies).
        fund: the fund's size.
    """

    regional: FloatArray
    federal: FloatArray
    transfers: FloatArray
    fund: float


@dataclass(frozen=True, eq=False)
class FiscalYear:
    """A year's law and inputs as a linear map from collection efficiencies to money.

    Attributes:
        year: the fiscal year.
        ids: region ids (the order of every array).
        population, expenditure_index, capacity: from the year's inputs and law
            (``capacity`` = regional revenue at full collection, the two-stage formula's input).
        law_efficiency: the law's collection efficiency per region (``collection.efficiency``).
        federal_unit, regional_unit: ``f`` and ``r`` (revenue per unit of efficiency).
        okrug, okrug_parent, okrug_to_parent: the okrugs whose hydrocarbon tax partly goes to
            a parent region, their parent's index and that amount per unit of efficiency.
        fund_base_unit: each region's part of the fund's base per unit of efficiency.
        fund_share: fund size per unit of base (0 when no fund).
        method: the equalization method; ``options``: its options (two-stage split).
        result: the pipeline's result at the law's own collection (for reports).
    """

    year: int
    ids: tuple[str, ...]
    population: FloatArray
    expenditure_index: FloatArray
    capacity: FloatArray
    law_efficiency: FloatArray
    federal_unit: FloatArray
    regional_unit: FloatArray
    okrug: IntArray
    okrug_parent: IntArray
    okrug_to_parent: FloatArray
    fund_base_unit: FloatArray
    fund_share: float
    method: str
    options: Mapping[str, float]
    result: YearResult

    @property
    def n(self) -> int:
        """Number of regions."""
        return len(self.ids)

    @cached_property
    def full_fund(self) -> float:
        """The fund's size at the law's own collection (``collect(ones).fund``, computed once).

        Examples:
            >>> import numpy as np
            >>> from regionet.engines.dynamics.testing import synthetic_path
            >>> year = synthetic_path(["A", "B"], [2000], seed=1).at(2000)
            >>> year.full_fund == year.collect(np.ones(2)).fund
            True
        """
        kappa = np.ones(self.n) * self.law_efficiency
        return self.fund_share * float(self.fund_base_unit @ kappa)

    @cached_property
    def capacity_total(self) -> float:
        """``capacity.sum()`` (computed once)."""
        return float(self.capacity.sum())

    @cached_property
    def log_relative_population(self) -> FloatArray:
        """``ln(P_i / median P)``, the population term of leverage (computed once)."""
        return np.asarray(np.log(self.population / np.median(self.population)),
                          dtype=np.float64)

    def collect(self, efficiency: npt.ArrayLike, *, regional_extra: FloatArray | None = None
                ) -> FiscalFlows:
        """Evaluate the year at per-region efficiencies ``κ`` (multiplying the law's own).

        Args:
            efficiency: one multiplier per region, >= 0.
            regional_extra: revenue moved from the federal to the regional budget before the
                equalization formula sees it (the model's treaty retention), or None.

        Raises:
            InvalidValueError: wrong length or a negative / non-finite efficiency.
        """
        k = np.asarray(efficiency, dtype=np.float64)
        if k.shape != (self.n,) or not np.all(np.isfinite(k) & (k >= 0)):
            raise InvalidValueError("bad collection efficiencies", field="efficiency",
                                    value=k.shape, expected=f"{self.n} finite numbers >= 0")
        kappa = k * self.law_efficiency
        federal = self.federal_unit * kappa
        regional = self.regional_unit * kappa
        if len(self.okrug):
            regional = regional + np.bincount(self.okrug_parent,
                                              weights=self.okrug_to_parent * kappa[self.okrug],
                                              minlength=self.n)
        base = float(self.fund_base_unit @ kappa)
        fund = self.fund_share * base
        if regional_extra is not None:
            regional = regional + regional_extra
            federal = federal - regional_extra
        allocation = allocate(self.method, fund, EqualizationInputs(
            self.population, self.expenditure_index, self.capacity, regional), **self.options)
        return FiscalFlows(regional, federal, allocation.transfers, fund)


def _okrug_links(result: YearResult) -> tuple[IntArray, IntArray, FloatArray]:
    """The okrugs' hydrocarbon tax going to their parents, per unit of efficiency."""
    regions = result.inputs.regions
    empty = (np.zeros(0, np.intp), np.zeros(0, np.intp), np.zeros(0))
    share = result.parameters.get(OKRUG[2])
    if regions.parent is None or share is None:
        return empty
    index = {rid: i for i, rid in enumerate(regions.ids)}
    due = regions.due(HYDROCARBONS)
    pairs = [(i, index[p]) for i, p in enumerate(regions.parent) if p is not None]
    if not pairs:
        return empty
    okrug, parent = (np.array(x, dtype=np.intp) for x in zip(*pairs, strict=True))
    return okrug, parent, share.number * due[okrug]


def fiscal_year(inputs: FiscalInputs, tree: ParameterTree, *,
                scenario: Scenario | None = None) -> FiscalYear:
    """Run the pipeline for ``inputs.year`` at unit collection and keep its linear map.

    The tree is expected with the scenario already applied when ``scenario`` is None; with a
    scenario it is applied here (a copy; ``tree`` is unchanged).

    Raises:
        whatever :func:`~regionet.engines.fiscal.run.pipeline.run_year` raises.
    """
    law = run_year(inputs, tree, scenario=scenario)
    unit = run_year(inputs, tree, scenario=scenario, collection_by_region=np.ones(inputs.regions.n))
    frame = unit.regions
    okrug, parent, to_parent = _okrug_links(unit)
    regional = frame["revenue_regional"].to_numpy(dtype=np.float64).copy()
    if len(okrug):
        regional -= np.bincount(parent, weights=to_parent, minlength=len(regional))
    federal = frame["revenue_federal_collected"].to_numpy(dtype=np.float64)
    base_name = unit.rules["fund_base"]
    bases = {"federal_vat": "vat_federal", "federal_domestic_vat": "vat_federal",
             "federal_tax_revenue_excl_import_duties": "revenue_federal_collected"}
    if base_name in bases and unit.totals["fund_base_amount"] > 0:
        base = frame[bases[base_name]].to_numpy(dtype=np.float64)
        share = unit.totals["fund_size"] / unit.totals["fund_base_amount"]
    elif base_name == "none" or unit.totals["fund_size"] == 0:
        base, share = np.zeros(len(frame)), 0.0
    else:
        raise UnknownReferenceError("the dynamics cannot scale this fund base with collection",
                                    field="equalization.fund.base", value=base_name,
                                    expected="one of " + ", ".join(bases))
    method = unit.rules["equalization"]
    options = {}
    if method == "two_stage":
        options = {stage: unit.parameters[f"equalization.stage_split.{stage}"].number
                   if f"equalization.stage_split.{stage}" in unit.parameters else default
                   for stage, default in (("stage_1", 0.8), ("stage_2", 0.2))}
    return FiscalYear(
        inputs.year, tuple(inputs.regions.ids),
        frame["population"].to_numpy(dtype=np.float64),
        frame["expenditure_index"].to_numpy(dtype=np.float64),
        frame["revenue_regional_capacity"].to_numpy(dtype=np.float64),
        law.regions["collection_efficiency"].to_numpy(dtype=np.float64),
        federal, regional, okrug, parent, to_parent, base, float(share), method, options, law)


@dataclass(frozen=True, eq=False)
class FiscalPath:
    """The fiscal years a simulation runs through, by year, under one fiscal scenario.

    ``proxy`` maps model years without fiscal inputs (1991: the law's parameters start in
    1992) to the fiscal year that stands in for them.
    """

    years: Mapping[int, FiscalYear]
    scenario: str | None = None

    def __post_init__(self) -> None:
        if not self.years:
            raise InvalidValueError("a fiscal path needs at least one year", field="years",
                                    expected="fiscal inputs for one year or more")
        ids = {y.ids for y in self.years.values()}
        if len(ids) != 1:
            raise InvalidValueError("fiscal years disagree on the regions", field="ids",
                                    expected="the same region ids, in the same order, every year")

    @property
    def ids(self) -> tuple[str, ...]:
        """The region ids (the same every year)."""
        return next(iter(self.years.values())).ids

    def at(self, year: int) -> FiscalYear:
        """Return the fiscal year for model year ``year`` (the nearest year outside the path)."""
        if year in self.years:
            return self.years[year]
        first, last = min(self.years), max(self.years)
        return self.years[first if year < first else last]

    def proxy(self, year: int) -> int:
        """The fiscal year used for model year ``year``."""
        return self.at(year).year


def fiscal_path(inputs_by_year: Iterable[FiscalInputs], tree: ParameterTree, *,
                scenario: Scenario | None = None) -> FiscalPath:
    """Build the :class:`FiscalPath` of the given years (the scenario is applied once)."""
    reformed = tree if scenario is None else apply(tree, scenario)
    years = {i.year: fiscal_year(i, reformed) for i in sorted(inputs_by_year, key=lambda i: i.year)}
    return FiscalPath(years, None if scenario is None else scenario.name)
