"""Report section 6: the fiscal system, computed on the illustrative economy and labelled so.

Tables and figures come from the main job's fiscal section
(:class:`~regionet.services.fiscal_summary.FiscalSection`), whose CSV files are in
``fiscal/`` beside the report.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from regionet.interfaces.figures import bars_chart, choropleth, lorenz_chart, series_chart
from regionet.interfaces.report.elements import Page, frame_table
from regionet.services.fiscal_summary import FiscalSection
from regionet.services.geo import subject_map
from regionet.services.inequality import lorenz_curve
from regionet.services.report import ReportData

__all__ = ["fiscal_system"]

_MEMO_PARA_5 = ("Under current legislation, state and private companies that extract natural "
                "resources must pay taxes at the place of their registration, rather than in "
                "the region where they operate. Since such companies are mainly registered "
                "in Moscow, the money never reaches local budgets.")
_BANNER = ('<div class="banner"><b>Illustrative.</b> No per-region tax data for the 1990s '
           "were found. The numbers of this section come from a seeded <b>illustrative "
           "economy</b> calibrated to published national aggregates (table 6.6): they show "
           "the mechanism of the law (rates, splits, attribution rules, the equalization "
           "formula, all sourced), not the history of any region. Amounts in rubles of the "
           "year (new-ruble equivalents before 1998).</div>")
_RULES = ("<b>registration</b>: the profit tax's regional part goes to the region of the "
          "head office; <b>operation</b>: where the activity is (headcount shares, a "
          "benchmark); <b>art288_1995</b>: the 1995 law (Law 64-FZ of 25.04.1995, Government "
          "Resolution 660), half by labour, half by fixed assets of the branches without "
          "their own balance sheet and bank account, while branches with one pay on their "
          "own profit where they are registered; <b>art288</b>: Tax Code art. 288 (from "
          "2002), half by labour, half by depreciable property of every branch.")


def _source(section: FiscalSection, what: str) -> str:
    return (f"regionet fiscal model, {section.year}, {escape(what)}; CSV in "
            "<code>fiscal/</code>; law and parameters: docs/fiscal.md")


def _note(section: FiscalSection, what: str) -> str:
    return f"Source: regionet fiscal model, {section.year}, {what}. Tables in fiscal/."


def _per_person(frame: pd.DataFrame, a: str, b: str, rows: int) -> pd.DataFrame:
    view = pd.concat([frame.head(rows), frame.tail(rows)])[
        ["region", "a", "b", "difference", "relative", "status"]].rename(
        columns={"a": a, "b": b, "relative": "relative change (%)"})
    for column in (a, b, "difference"):
        view[column] = view[column] * 1e6  # million RUB per person -> RUB per person
    view["relative change (%)"] = view["relative change (%)"] * 100
    return view


def _rules(section: FiscalSection, page: Page) -> str:
    rules = section.rules_year
    change = rules["change_registration_to_operation"]
    fig = bars_chart({str(k): float(v) for k, v in change.items()},
                     title=f"Profit tax's regional part, {section.year}",
                     unit="million RUB", xlabel="Change, registration → operation",
                     names={str(r): page.names.get(str(r), str(r)) for r in rules.index},
                     top=10,
                     source_note=_note(section, "rules registration and operation"),
                     illustrative=True)
    view = pd.concat([rules.head(8), rules.tail(8)]).reset_index().rename(
        columns={"change_registration_to_operation": "change reg. → op."})
    return (
        f"<h3>6.1 Who receives the profit tax, {section.year}: registration, operation, "
        "art. 288</h3>"
        f"<p>The same national profit tax base, attributed by four rules. {_RULES} "
        f"Money is conserved: every rule shares out the same total.</p>"
        + page.figure(fig, "The ten regions losing most and the ten gaining most when the "
                      "regional part moves from the head office to where the activity is.",
                      alt="Bar chart of the change of the profit tax's regional part by region",
                      source=_source(section, "profit_tax_by_rule"), illustrative=True,
                      wide=False)
        + f"<h4>Regional part by rule, million RUB, {section.year} (largest losses and gains)"
          "</h4>" + frame_table(view, 0, {"region": page.actor}))


def _bill(section: FiscalSection, page: Page) -> str:
    bill = section.bill
    counts = bill["status"].value_counts().to_dict()
    fig = bars_chart({str(r): float(d) * 1e6 for r, d in zip(bill["region"],
                                                              bill["difference"], strict=True)},
                     title=f"The regions' bill, {section.year}: revenue per capita",
                     unit="RUB per person", xlabel="Change, registration → operation",
                     names={r: page.names.get(r, r) for r in bill["region"]}, top=10,
                     source_note=_note(section, "scenarios rule-registration and "
                                                "tax-at-operation"), illustrative=True)
    counted = ", ".join(f"{counts[k]} {k}{'s' if k != 'unchanged' else ''}"
                        for k in ("winner", "loser", "unchanged") if counts.get(k))
    return (
        f"<h3>6.2 The regions' bill (memo para 5), {section.year}: winners and losers</h3>"
        f'<blockquote>“{escape(_MEMO_PARA_5)}” <cite>{page.document("sergounin-1999")}: '
        "para 5</cite></blockquote>"
        "<p>Total revenue per capita (own revenue and equalization transfers) under the "
        "status quo the memo describes (scenario <code>rule-registration</code>: tax at the "
        "head office) and under the bill the regions tabled (scenario "
        f"<code>tax-at-operation</code>: tax where companies operate), after equalization: "
        f"{counted}.</p>"
        + page.figure(fig, "The ten largest gains and losses of revenue per capita.",
                      alt="Bar chart of the change of revenue per capita under the bill",
                      source=_source(section, "regions_bill"), illustrative=True, wide=False)
        + frame_table(_per_person(bill, "registration, RUB/person", "operation, RUB/person",
                                  8), 1, {"region": page.actor})
        + f"<h4>The bill against the law in force in {section.year}</h4>"
          '<p class="note">From 1995 the law already attributed part of the regional profit '
          "tax to branches by labour and fixed assets (art288_1995), so the bill changes less "
          "against the law in force than against pure registration. The bill's rule "
          "(operation) counts headcount only, while the law in force also counts fixed "
          "assets, which weigh more in capital-intensive extraction regions: there the "
          "bill can give less than the law in force.</p>" + _own_balance(section)
        + frame_table(_per_person(section.bill_vs_baseline, "law in force, RUB/person",
                                  "operation, RUB/person", 5), 2, {"region": page.actor}))


def _own_balance(section: FiscalSection) -> str:
    """How the law in force met the branches' own balance sheets (the flag), in words."""
    own = section.own_balance
    if not own:
        return ""
    return (
        '<p class="note">The law in force is computed with the 1995 distinction: only '
        "branches <i>without</i> their own balance sheet and bank account are apportioned "
        "with the head office (Law 64-FZ of 25.04.1995; Government Resolution 660 of "
        f"01.07.1995); in {section.year} {int(own['own_balance_sheet'])} of "
        f"{int(own['establishments'])} establishments keep their own (an assumption by "
        "activity: production units yes, service branches no; docs/economy.md) and pay where "
        "they are registered. The model has no profit per establishment, so a branch's own "
        "profit is approximated by its labour-and-assets share of its firm's profit; under "
        "that approximation the distinction changes a region's receipts only in firms with "
        "branches of both kinds besides the head office: "
        f"{int(own['firms_differing'])} such firms here, largest change of a region's "
        f"regional part {own['largest_change']:.3g} million RUB against apportioning every "
        "branch (the rule used before the distinction was modelled).</p>")


_DEFINITIONS = (
    ("net_contributor", "the centre collects more in the region than it pays back through "
                        "the equalization fund (net flow < 0)", True),
    ("no_equalization_transfer", "the region receives no equalization transfer", True),
    ("net_federal_flow", "the centre collects more in the region than it pays back through "
                         "the fund and the other aid: subventions, mutual settlements, federal "
                         "programmes (Lavrov's net federal flows)", False),
    ("net_federal_flow_with_direct_spending", "as the previous one, also counting the "
                                              "centre's direct spending in the region", False))


def _donors(data: ReportData, section: FiscalSection, page: Page) -> str:
    donors = section.donors.set_index("region")
    maps, counts = [], []
    for definition, text, mapped in _DEFINITIONS:
        status = donors[f"status_{definition}"]
        counts.append(f"<li><b>{definition}</b>: {text} — {int((status == 'donor').sum())} "
                      f"donors, {int((status != 'donor').sum())} recipients</li>")
        if not mapped:
            continue
        values = {str(r): 1.0 if s == "donor" else 0.0 for r, s in status.items()}
        fig = choropleth(values, subject_map(data.result.source),
                         title=f"Donors and recipients, {section.year}: "
                         f"definition {definition}", unit="",
                         categories={1.0: "donor", 0.0: "recipient (or balanced)"},
                         source_note=_note(section, f"baseline law, definition {definition}"),
                         illustrative=True)
        maps.append(page.figure(fig, f"Donors under <i>{definition}</i>: {escape(text)}.",
                                alt=f"Map of donor and recipient regions ({definition})",
                                source=_source(section, "donors"), illustrative=True))
    return (f"<h3>6.3 Donors and recipients, {section.year}: four definitions</h3>"
            f"<ul>{''.join(counts)}</ul>"
            '<p class="note">The other aid and the direct spending are sized from the budget '
            "laws and IET/CEPRA and shared among regions by assumed keys (docs/fiscal.md, "
            "Other federal channels). Lavrov (2001) counts 49 donor regions in 1995–99 by net "
            "federal flows, 33 (1998) and 44 (1999) with direct spending ("
            f"{page.document('regionet-ref-fiscal')}): table 6.7 sets the model beside these "
            "counts.</p>" + "".join(maps))


def _inequality(data: ReportData, section: FiscalSection, page: Page) -> str:
    lorenz = data.lorenz
    if lorenz is None:
        return ""
    curves = [lorenz_curve(lorenz[column], lorenz["population"]) for column in ("before",
                                                                                 "after")]
    fig = lorenz_chart(curves, title=f"Lorenz curves of revenue per capita, {section.year}",
                       source_note=_note(section, "baseline law, population-weighted"),
                       illustrative=True)
    view = section.inequality[["measure", "before", "after", "change"]]
    return (f"<h3>6.4 Inequality before and after transfers, {section.year}</h3>"
            + page.figure(fig, "Lorenz curves of own regional revenue per capita (before) "
                          "and own revenue plus equalization transfers (after); regions "
                          "ordered by value, each weighted by its population (Rosstat, "
                          "1 January 1999).", alt="Lorenz curves before and after transfers",
                          source=_source(section, "regions_1992_2010"), illustrative=True,
                          wide=False)
            + '<p class="note">Gini and Theil T population-weighted; max/min is the ratio '
              "of the highest to the lowest region.</p>" + frame_table(view, 3))


def _series(section: FiscalSection, page: Page) -> str:
    series = section.series
    share = series_chart(series, ["regional_share_pct"], title="Regional share of tax "
                         "revenue, 1992–2010", ylabel="Share", unit="%",
                         labels={"regional_share_pct": "regional budgets' share"},
                         source_note="Source: regionet fiscal model, baseline law.",
                         illustrative=True)
    counts = series_chart(series, ["recipients", "net_contributors", "net_federal_donors"],
                          title="Recipients and net contributors, 1992–2010",
                          ylabel="Regions", unit="count",
                          labels={"recipients": "recipients (any transfer)",
                                  "net_contributors": "net contributors (fund only)",
                                  "net_federal_donors": "net donors (all aid)"},
                          source_note="Source: regionet fiscal model, baseline law.",
                          illustrative=True)
    source = ("regionet fiscal model, baseline law, <code>fiscal/series_1992_2010.csv</code>; "
              "the published targets are in table 6.6")
    return ("<h3>6.5 The 1992–2010 series (baseline law)</h3>"
            + page.figure(share, "Share of regional budgets in consolidated tax revenue.",
                          alt="Line chart of the regional share of tax revenue",
                          source=source, illustrative=True, wide=False)
            + page.figure(counts, "Regions receiving an equalization transfer, net "
                          "contributors against the fund alone, and net donors against all the "
                          "aid. The fund starts in 1994.",
                          alt="Line chart of recipients and net contributors",
                          source=source, illustrative=True, wide=False)
            + frame_table(series, {"regional_share_pct": 1})
            + '<p class="note">fund_size, federal_tax_revenue and regional_tax_revenue in '
              "million RUB of the year (illustrative scale).</p>")


def _published(section: FiscalSection, page: Page) -> str:
    table = section.published
    if table.empty:
        return ""
    view = table[["figure", "period", "unit", "published", "tolerance", "modelled", "within",
                  "sources"]].copy()
    view["why not"] = [("" if ok else note) for ok, note in
                       zip(table["within"], table["model_note"], strict=True)]
    hits = int(table["within"].sum())
    return ("<h3>6.7 Checked against the published tables</h3>"
            f"<p>The baseline run beside each published figure of the reference: {hits} of "
            f"{len(table)} lie within their stated tolerance. Unlike the calibration (table "
            "6.6) these are checks: nothing was tuned to meet them, except the count of regions "
            "without a transfer, which the calibration of the economy's income dispersion "
            "targets. Figures, tolerances and sources are data "
            "(<code>economy/published_figures.csv</code>); where the model misses a figure, "
            "<i>why not</i> says what in the model keeps it from the figure.</p>"
            + frame_table(view, {"published": 0, "modelled": 1}, {"sources": page.refs}))


def fiscal_system(data: ReportData, page: Page) -> str:
    """Section 6: rules, the regions' bill, donors, inequality, series, calibration, checks."""
    section = data.fiscal
    if section is None:
        return ('<section id="the-fiscal-system"><h2>6. The fiscal system</h2>'
                "<p>No fiscal section: the case has no economy, or it was left out "
                "(<code>--no-fiscal</code>).</p></section>")
    banner = _BANNER if section.illustrative else ""
    calibration = frame_table(section.calibration, 2, {"sources": page.refs})
    return (
        '<section id="the-fiscal-system" class="fiscal"><h2>6. The fiscal system</h2>'
        + banner + _rules(section, page) + _bill(section, page)
        + _donors(data, section, page) + _inequality(data, section, page)
        + _series(section, page)
        + "<h3>6.6 Calibration to published aggregates</h3>"
          '<p class="note">A calibration, not a validation: the economy\'s free constants '
          "were tuned to these figures (docs/economy.md). <i>within</i>: the modelled value "
          "lies inside the published range.</p>" + calibration
        + _published(section, page)
        + '<p class="note">Every table of this section is a CSV file in <code>fiscal/</code>'
          " beside this page.</p></section>")

