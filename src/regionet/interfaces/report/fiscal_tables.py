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


def render_fiscal(section: FiscalSection) -> str:
    """Return the fiscal section as HTML."""
    year = section.year
    rules = section.rules_year.reset_index()
    movers = pd.concat([rules.head(8), rules.tail(8)])
    bill = section.bill
    bill_view = pd.concat([bill.head(8), bill.tail(8)])[
        ["region", "a", "b", "difference", "relative", "status"]].rename(
        columns={"a": "registration", "b": "operation"})
    for column in ("registration", "operation", "difference"):
        bill_view[column] = bill_view[column] * 1e6  # million RUB per person -> RUB
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
