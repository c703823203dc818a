"""The fiscal section of the main job: series, rules compared, the regions' bill, donors.

Every table is written to ``out/fiscal/`` and returned for the HTML summary, with the run
set beside the published tables (:mod:`regionet.services.fiscal_checks`). All of it runs on
the illustrative economy and says so.

Examples:
    >>> out = tmp_path   # any folder of yours
    >>> section = fiscal_section(CaseSource.bundled(), out, years=range(1998, 2001))
    >>> section.illustrative, sorted(section.rules_year.columns)[:2]
    (True, ['art288', 'art288_1995'])
    >>> section.files["calibration"] == out / "fiscal" / "calibration.csv"
    True
    >>> list(section.published["figure"])[:2]
    ['no_equalization_transfer', 'stage_2_recipients']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from regionet.engines.fiscal.rules.attribution import own_balance_summary
from regionet.engines.fiscal.run.inequality import inequality_before_after
from regionet.engines.fiscal.run.outputs import donor_counts, donors_recipients, winners_losers
from regionet.io.economy_files import read_calibration_targets
from regionet.io.fiscal_results import write_tables
from regionet.services.case_source import CaseSource, case_folder
from regionet.services.fiscal import YEARS, fiscal_inputs, run_fiscal_series, run_fiscal_year
from regionet.services.fiscal_checks import published_checks

__all__ = ["COMPARED_RULES", "FiscalSection", "fiscal_section"]

#: Attribution rules compared region by region in the summary.
COMPARED_RULES = ("registration", "operation", "art288_1995", "art288")
#: The year the memo was written; the per-region tables are for this year.
MEMO_YEAR = 1999


@dataclass
class FiscalSection:
    """Tables of the fiscal section (pandas frames) and the files written.

    ``regions`` holds the baseline's per-region rows of every year; ``published`` the run
    beside each published figure (:func:`~regionet.services.fiscal_checks.published_checks`).
    ``own_balance`` says how the law in force of the year (``art288_1995`` in 1995–2001)
    met the establishments' ``own_balance_sheet`` flag: the counts of
    :func:`~regionet.engines.fiscal.rules.attribution.own_balance_summary` and
    ``largest_change``, the largest change of a region's profit tax regional part (million
    RUB) between ``art288_1995`` (with the flag) and ``art288`` (every establishment
    apportioned: the 1995 rule as it was applied before the flag existed).
    """

    year: int
    regions: pd.DataFrame
    series: pd.DataFrame
    calibration: pd.DataFrame
    rules_year: pd.DataFrame
    bill: pd.DataFrame
    bill_vs_baseline: pd.DataFrame
    donors: pd.DataFrame
    inequality: pd.DataFrame
    illustrative: bool
    published: pd.DataFrame = field(default_factory=pd.DataFrame)
    own_balance: dict[str, float] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)


def _series(result_regions: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    net = donor_counts(result_regions, "net_contributor").set_index("year")
    flows = donor_counts(result_regions, "net_federal_flow").set_index("year")
    none = donor_counts(result_regions, "no_equalization_transfer").set_index("year")
    frame = totals.set_index("year")[["regional_share_of_tax_revenue", "fund_size",
                                      "federal_tax_revenue", "regional_tax_revenue"]].copy()
    frame["regional_share_pct"] = 100 * frame.pop("regional_share_of_tax_revenue")
    frame["recipients"] = none["recipient"]
    frame["net_contributors"] = net["donor"]
    frame["net_federal_donors"] = flows["donor"]
    return frame.reset_index()


def _calibration(source: CaseSource, series: pd.DataFrame) -> pd.DataFrame:
    targets = read_calibration_targets(case_folder(source)).to_dict(orient="records")
    share = dict(zip(series["year"], series["regional_share_pct"], strict=True))
    recipients = dict(zip(series["year"], series["recipients"], strict=True))
    rows = []
    for t in targets:
        year = int(t["year"])
        if year not in share:
            continue
        if t["indicator"] == "regional_share_of_tax_revenue":
            got, value, tol = float(share[year]), float(t["value"]), float(t["tolerance"])
            ok, published = abs(got - value) <= tol, f"{value:g} ± {tol:g}"
        else:
            got, low, high = float(recipients[year]), float(t["low"]), float(t["high"])
            ok, published = low <= got <= high, f"{low:g}–{high:g}"
        rows.append({"indicator": t["indicator"], "year": year, "published": published,
                     "modelled": round(got, 2), "within": ok, "sources": t["sources"]})
    return pd.DataFrame(rows)


def fiscal_section(source: CaseSource, out: Path | None = None, years: range = YEARS,
                   year: int = MEMO_YEAR) -> FiscalSection:
    """Compute the fiscal section; with ``out``, write its tables to ``out/fiscal`` as CSV."""
    baseline = run_fiscal_series(source, years)
    series = _series(baseline.regions, baseline.totals)
    per_rule = {rule: run_fiscal_year(source, year, rule=rule).regions.set_index("region")
                for rule in COMPARED_RULES}
    rules_year = pd.DataFrame({rule: r["profit_tax_regional"] for rule, r in per_rule.items()})
    rules_year["change_registration_to_operation"] = (rules_year["operation"]
                                                      - rules_year["registration"])
    rules_year = rules_year.sort_values("change_registration_to_operation")
    own_balance: dict[str, float] = {
        **own_balance_summary(fiscal_inputs(source, year).establishments),
        "largest_change": float((rules_year["art288_1995"] - rules_year["art288"]).abs().max())}
    at_operation = run_fiscal_year(source, year, scenario="tax-at-operation")
    bill = winners_losers(run_fiscal_year(source, year, scenario="rule-registration"),
                          at_operation, measure="total_per_capita")
    bill_vs_baseline = winners_losers(baseline.year(year), at_operation,
                                      measure="total_per_capita")
    donors = donors_recipients(baseline.year(year), "net_contributor").rename(
        columns={"status": "status_net_contributor"})
    for definition in ("no_equalization_transfer", "net_federal_flow",
                       "net_federal_flow_with_direct_spending"):
        donors[f"status_{definition}"] = donors_recipients(baseline.year(year),
                                                           definition)["status"].to_numpy()
    section = FiscalSection(
        year=year, regions=baseline.regions, series=series,
        calibration=_calibration(source, series), rules_year=rules_year,
        bill=bill, bill_vs_baseline=bill_vs_baseline, donors=donors,
        inequality=inequality_before_after(baseline.year(year)),
        illustrative=bool(baseline.regions["illustrative"].all()),
        published=published_checks(source, baseline), own_balance=own_balance)
    tables = {"series_1992_2010": series, "calibration": section.calibration,
              f"profit_tax_by_rule_{year}": rules_year.reset_index(),
              f"regions_bill_{year}": bill,
              f"regions_bill_vs_baseline_{year}": bill_vs_baseline, f"donors_{year}": donors,
              f"inequality_{year}": section.inequality, "regions_1992_2010": baseline.regions,
              "published_checks": section.published,
              f"own_balance_sheet_{year}": pd.DataFrame([own_balance])}
    if out is not None:
        section.files.update(write_tables(out / "fiscal", tables))
    return section
