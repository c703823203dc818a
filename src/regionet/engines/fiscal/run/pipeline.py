"""The fiscal pipeline: attribute → collect → split → transfers → outputs, for one year or many.

Parameters are looked up for year ``Y`` under the date convention of
:mod:`regionet.engines.fiscal.law.annual`: numeric rates and shares are time-weighted annual
averages; names (rules, methods) and published annual amounts are the values in force on 1 July.

Steps for year ``Y`` (arrays over regions; no Python loop over establishments), each a quantity
declared once in :mod:`regionet.engines.fiscal.run.quantities` and evaluated by the runner
(:mod:`regionet.engines.fiscal.run.runner`), which records the trace explanations read:

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
5. outputs: one row per region (:data:`COLUMNS`), national totals (:data:`TOTALS`) and the
   trace (:class:`YearResult`).

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
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt

from regionet.core.errors import InvalidValueError, UnknownActorError, UnknownReferenceError
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs, RegionTable
from regionet.engines.fiscal.law.annual import AnnualValue
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import Scenario, apply
from regionet.engines.fiscal.rules.attribution import RULES, attribution_rule
from regionet.engines.fiscal.rules.equalization import METHODS, Allocation
from regionet.engines.fiscal.run.quantities import QUANTITIES
from regionet.engines.fiscal.run.quantities_taxes import (
    HYDROCARBONS,
    MISSING_SPLIT,
    OKRUG,
    SPLITS,
    TAX_COLUMNS,
    WHOLLY,
    tax_column,
)
from regionet.engines.fiscal.run.runner import Evaluation
from regionet.engines.fiscal.run.trace import Trace

if TYPE_CHECKING:  # the results table is built on demand: a JSON answer needs no pandas
    import pandas as pd

__all__ = [
    "COLUMNS", "HYDROCARBONS", "MISSING_SPLIT", "OKRUG", "QUANTITY_COLUMNS", "RULE_NAMES",
    "SPLITS", "TOTALS", "WHOLLY", "FiscalResult", "YearResult", "attribution_rule", "run_year",
    "run_years", "tax_column",
]

#: Rule names the pipeline implements, by kind (pass to ``load_scenario(rule_names=...)``).
RULE_NAMES: Final = {"attribution": tuple(RULES), "equalization": tuple(METHODS)}
#: Output columns, one row per region (all float64 except region, year and illustrative).
COLUMNS: Final = (
    "region", "year", "population", "expenditure_index", "collection_efficiency",
    "profit_tax_base_registered", "profit_tax_base_attributed", "profit_tax_federal",
    "profit_tax_regional", "profit_tax_local", *TAX_COLUMNS, "tax_collected",
    "revenue_federal_collected", "revenue_regional", "revenue_regional_capacity", "transfers",
    "net_flow", "revenue_regional_per_capita", "transfers_per_capita", "total_per_capita",
    "subventions", "mutual_settlements", "federal_programmes", "transfers_other",
    "direct_spending", "net_federal_flow", "net_federal_flow_with_direct_spending",
    "spending_regional_per_capita", "illustrative")


#: The columns that are quantities (the others label the row: region, year, illustrative).
QUANTITY_COLUMNS: Final = tuple(c for c in COLUMNS if c not in ("region", "year", "illustrative"))
#: National totals of a year (:attr:`YearResult.totals`, one row a year in
#: :attr:`FiscalResult.totals`).
TOTALS: Final = ("tax_collected", "federal_tax_revenue", "regional_tax_revenue",
                 "regional_share_of_tax_revenue", "fund_base_amount", "fund_size",
                 "fund_distributed", "fund_undistributed", "federal_revenue_after_transfers",
                 "other_aid", "direct_spending", "population")


@dataclass(frozen=True, eq=False)
class YearResult:
    """One year's results: the per-region columns, national totals and what produced them.

    Attributes:
        year: the fiscal year.
        columns: one array per quantity column of :data:`COLUMNS` (``QUANTITY_COLUMNS``),
            float64, one value per region in the order of ``inputs.regions.ids``.
        regions: one row per region, columns :data:`COLUMNS` (a pandas frame, built from
            ``columns`` when first asked for); :meth:`records` gives the same rows as plain
            Python values without pandas.
        totals: national totals (plain floats): ``tax_collected``, ``federal_tax_revenue``,
            ``regional_tax_revenue`` (regional + local), ``regional_share_of_tax_revenue``
            (the calibration target), ``fund_base_amount``, ``fund_size``,
            ``fund_distributed``, ``fund_undistributed``, ``federal_revenue_after_transfers``
            (after the FFPR only), ``other_aid`` (the aid besides the FFPR), ``direct_spending``,
            ``population``.
        parameters: each parameter the numbers used, as an :class:`AnnualValue` with
            provenance.
        rules: ``attribution``, ``equalization``, ``fund_base`` and ``fund_source`` names.
        allocation: the equalization method's full result.
        inputs: the inputs; ``tree``: the parameters after the scenario.
        trace: one node per quantity evaluated (:class:`~.trace.Trace`): values, parameters,
            dependencies, rules and details; :func:`~.explain.explain` reads it.
        scenario: the scenario's name, if any; ``collection_override``: True when per-region
            efficiencies replaced the parameter.
    """

    year: int
    columns: Mapping[str, npt.NDArray[np.float64]]
    totals: Mapping[str, float]
    parameters: Mapping[str, AnnualValue]
    rules: Mapping[str, str]
    allocation: Allocation
    inputs: FiscalInputs
    tree: ParameterTree
    trace: Trace
    scenario: str | None = None
    collection_override: bool = False

    def _labelled(self) -> dict[str, Any]:
        """Every column of :data:`COLUMNS`: the labels (region, year, illustrative) added."""
        n = self.inputs.regions.n
        return {"region": list(self.inputs.regions.ids),
                "year": np.full(n, self.year, dtype=np.int64), **self.columns,
                "illustrative": np.full(n, bool(self.inputs.illustrative))}

    @cached_property
    def regions(self) -> pd.DataFrame:
        """One row per region, columns :data:`COLUMNS` (built once, when first asked for)."""
        import pandas as pd

        return pd.DataFrame(self._labelled(), columns=list(COLUMNS))

    def records(self) -> list[dict[str, Any]]:
        """The rows of :attr:`regions` as dicts of plain Python values, without pandas.

        The same as ``regions.to_dict(orient="records")``: str, int, float and bool values,
        keys in the order of :data:`COLUMNS`.

        Examples:
            >>> from regionet.services.case_source import CaseSource
            >>> from regionet.services.fiscal import run_fiscal_year
            >>> result = run_fiscal_year(CaseSource.bundled(), 1999)
            >>> result.records() == result.regions.to_dict(orient="records")
            True
        """
        labelled = self._labelled()
        values = [v if isinstance(v, list) else v.tolist()
                  for v in (labelled[c] for c in COLUMNS)]
        return [dict(zip(COLUMNS, row, strict=True)) for row in zip(*values, strict=True)]


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
    regions, year = inputs.regions, inputs.year
    n = regions.n
    if inputs.establishments.n_regions != n or inputs.firms.n_regions != n:
        raise InvalidValueError("inputs disagree on the number of regions", field="n_regions",
                                value=(inputs.establishments.n_regions, inputs.firms.n_regions),
                                expected=f"{n} regions, as in the regions table")
    evaluation = Evaluation(QUANTITIES, inputs, tree,
                            rules=dict(scenario.rules) if scenario else {},
                            collection_by_region=collection_by_region,
                            use_published_total=use_published_total, parent=_parents(regions))
    cols = {name: evaluation.array(name) for name in QUANTITY_COLUMNS}
    trace = evaluation.trace()
    transfers = trace.nodes["transfers"]
    allocation = transfers.outcome
    if not isinstance(allocation, Allocation):
        raise InvalidValueError("the transfers quantity returned no allocation",
                                field="transfers", expected="Computed(outcome=Allocation)")
    federal, regional = (float(cols[c].sum()) for c in ("revenue_federal_collected",
                                                         "revenue_regional"))
    consolidated = federal + regional
    base, fund = trace.nodes["fund_base_amount"], trace.nodes["fund_size"]
    totals = {
        "tax_collected": float(cols["tax_collected"].sum()), "federal_tax_revenue": federal,
        "regional_tax_revenue": regional,
        "regional_share_of_tax_revenue": regional / consolidated if consolidated else math.nan,
        "fund_base_amount": float(base.value), "fund_size": float(fund.value),
        "fund_distributed": float(allocation.transfers.sum()),
        "fund_undistributed": allocation.undistributed,
        "federal_revenue_after_transfers": federal - float(allocation.transfers.sum()),
        "other_aid": float(trace.nodes["other_aid_size"].value),
        "direct_spending": float(trace.nodes["direct_spending_size"].value),
        "population": float(regions.population.sum())}
    rules = {"attribution": str(trace.nodes["profit_tax_base_attributed"].rule),
             "equalization": str(transfers.rule), "fund_base": str(base.rule),
             "fund_source": str(fund.rule)}
    return YearResult(year=year, columns=cols, totals=totals, parameters=trace.parameters,
                      rules=rules, allocation=allocation, inputs=inputs, tree=tree, trace=trace,
                      scenario=None if scenario is None else scenario.name,
                      collection_override=collection_by_region is not None)


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
    import pandas as pd

    frames = [r.regions for r in years.values()]
    regions = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
    totals = pd.DataFrame([{"year": y, **r.totals} for y, r in years.items()])
    return FiscalResult(years, regions, totals, None if scenario is None else scenario.name)
