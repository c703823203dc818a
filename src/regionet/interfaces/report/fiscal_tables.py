"""HTML tables of the fiscal section of the summary (no scripts, no external URLs)."""

from __future__ import annotations

from html import escape

import pandas as pd

from regionet.services.fiscal_summary import COMPARED_RULES, FiscalSection

__all__ = ["render_fiscal"]


def _frame_table(frame: pd.DataFrame, digits: int = 1) -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False):
        cells = []
        for value in row:
            if isinstance(value, float):
                text = f"{value:,.{digits}f}"
                cells.append(f'<td class="num">{text}</td>')
            else:
                cells.append(f"<td>{escape(str(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _per_person(table: pd.DataFrame, a: str, b: str, rows: int = 8) -> pd.DataFrame:
    """Top and bottom ``rows`` of a winners/losers table, per capita in RUB per person."""
    view = pd.concat([table.head(rows), table.tail(rows)])[
        ["region", "a", "b", "difference", "relative", "status"]].rename(columns={"a": a, "b": b})
    for column in (a, b, "difference"):
        view[column] = view[column] * 1e6  # million RUB per person -> RUB per person
    return view


def render_fiscal(section: FiscalSection) -> str:
    """Return the fiscal section as HTML."""
    year = section.year
    rules = section.rules_year.reset_index()
    movers = pd.concat([rules.head(8), rules.tail(8)])
    bill_view = _per_person(section.bill, "registration", "operation")
    baseline_view = _per_person(section.bill_vs_baseline, "baseline law", "operation", rows=5)
    donors = section.donors
    counts = {c: donors[c].value_counts().to_dict() for c in donors.columns
              if c.startswith("status_")}
    count_rows = pd.DataFrame([{"definition": c.removeprefix("status_"), **v}
                               for c, v in counts.items()]).fillna(0)
    inequality = section.inequality[["measure", "before", "after", "change"]]
    warning = ('<p class="assumed"><b>Illustrative.</b> No per-region tax data for the 1990s '
               "were found: the fiscal numbers come from a seeded illustrative economy "
               "calibrated to published national aggregates (table below). They show the "
               "mechanism of the law, not the history of any region. Amounts in million RUB "
               "of the year (new-ruble equivalents).</p>") if section.illustrative else ""
    return (
        "<h2>The fiscal system</h2>" + warning
        + "<h3>Calibration to published aggregates</h3>"
        + '<p class="note">A calibration, not a validation: the economy\'s free constants '
          "were tuned to these figures (docs/economy.md).</p>"
        + _frame_table(section.calibration, 2)
        + "<h3>1992–2010 series (baseline law)</h3>"
        + _frame_table(section.series, 1)
        + f"<h3>Who receives the profit tax's regional part, {year}: "
        + ", ".join(COMPARED_RULES) + "</h3>"
        + '<p class="note">Regions losing and gaining most when the regional part moves from '
          "the head office (registration) to where the activity is (operation).</p>"
        + _frame_table(movers, 0)
        + f"<h3>The regions' bill (memo para 5), {year}: registration → operation</h3>"
        + '<p class="note">Total revenue per capita (own + transfers, RUB per person) '
          "under the status quo the memo describes (tax at registration) and under the bill "
          "(tax where companies operate), after equalization.</p>"
        + _frame_table(bill_view, 2)
        + f"<h4>The bill against the law in force in {year}</h4>"
        + '<p class="note">From 1995 the law already attributed part of the regional profit tax '
          "to branches by labour and fixed assets (art288_1995), so the bill changes less "
          "against the law in force than against pure registration.</p>"
        + _frame_table(baseline_view, 2)
        + f"<h3>Donors and recipients, {year}</h3>"
        + '<p class="note">net_contributor: the centre collects more in the region than it '
          "transfers to it; no_equalization_transfer: the region receives no equalization "
          "transfer. Only the equalization fund is modelled (no federal direct spending or "
          "other transfers), so net contributors are more than the 49 donor regions of "
          "1995–99 that Lavrov (2001) counts from net federal flows (regionet-ref-fiscal).</p>"
        + _frame_table(count_rows, 0)
        + f"<h3>Inequality of revenue per capita before and after transfers, {year}</h3>"
        + _frame_table(inequality, 3)
        + '<p class="note">Tables as CSV in <code>fiscal/</code>.</p>'
    )
