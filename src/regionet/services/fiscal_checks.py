"""The bundled run beside the published tables: each figure, the model's value, within or not.

The published figures and their tolerances are data (``economy/published_figures.csv`` of the
case, each row sourced); the measures are the engine's
(:mod:`regionet.engines.fiscal.run.published`). For a figure the model does not reproduce,
the row's ``model_note`` says what in the model keeps it from the figure.

Examples:
    >>> table = published_checks(CaseSource.bundled())
    >>> row = table.set_index(["figure", "period"]).loc[("no_equalization_transfer", "1999")]
    >>> float(row["published"]), row["tolerance"], bool(row["within"])
    (13.0, '10–16', True)
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from regionet.engines.fiscal.run.pipeline import FiscalResult, YearResult
from regionet.engines.fiscal.run.published import measure
from regionet.io.economy_files import read_published_figures
from regionet.services.case_source import CaseSource, case_folder
from regionet.services.fiscal import run_fiscal_series, run_fiscal_year

__all__ = ["CHECK_COLUMNS", "markdown", "plan_year", "published_checks"]

#: Columns of :func:`published_checks`.
CHECK_COLUMNS = ("figure", "period", "unit", "published", "tolerance", "modelled", "within",
                 "measure", "status", "sources", "note", "model_note")


def plan_year(source: CaseSource, year: int) -> YearResult:
    """The baseline law of ``year`` at full collection: the plan a budget law set out from."""
    return run_fiscal_year(source, year,
                           overrides={"collection.efficiency": {f"{year}-01-01": 1.0}},
                           origin="the plan (full collection)")


def _years(figures: pd.DataFrame) -> list[int]:
    spans: Iterable[range] = (range(int(a), int(b) + 1)
                              for a, b in zip(figures["year_from"], figures["year_to"],
                                              strict=True))
    return sorted({y for span in spans for y in span})


def published_checks(source: CaseSource, baseline: FiscalResult | None = None) -> pd.DataFrame:
    """Set the case's run beside each of its published figures (:data:`CHECK_COLUMNS`).

    Args:
        source: the case (its law, economy and ``published_figures.csv``).
        baseline: the baseline series, if already run (the years it lacks are run).

    Raises:
        DataFileError: or InvalidValueError: a missing or malformed figures file.
        UnknownReferenceError: a figure with no measure.
    """
    figures = read_published_figures(case_folder(source))
    years = _years(figures)
    have = dict(baseline.years) if baseline is not None else {}
    missing = [y for y in years if y not in have]
    if missing:
        have.update(run_fiscal_series(source, missing).years)
    plan = {y: plan_year(source, y) for y in _years(
        figures[figures["figure"] == "transfers_below_plan"])}
    rows = []
    for f in figures.to_dict(orient="records"):
        first, last = int(f["year_from"]), int(f["year_to"])
        low, high = float(f["low"]), float(f["high"])
        modelled = measure(str(f["figure"]))(have, plan, first, last)
        rows.append({
            "figure": f["figure"], "period": str(first) if first == last else f"{first}–{last}",
            "unit": f["unit"], "published": float(f["value"]),
            "tolerance": f"{low:g}–{high:g}", "modelled": modelled,
            "within": bool(low <= modelled <= high), "measure": f["measure"],
            "status": f["status"], "sources": f["sources"], "note": f["note"],
            "model_note": f["model_note"]})
    return pd.DataFrame(rows, columns=list(CHECK_COLUMNS))


def markdown(table: pd.DataFrame) -> str:
    """The checks as the Markdown table of docs/fiscal.md (generated; a test keeps it current).

    Examples:
        >>> row = {"figure": "x", "period": "1999", "unit": "regions", "published": 13.0,
        ...        "tolerance": "10–16", "modelled": 15.0, "within": True, "status": "partial",
        ...        "sources": "doc:§ 1", "model_note": "calibrated"}
        >>> print(markdown(pd.DataFrame([row])).splitlines()[2])
        | `x` | 1999 | 13 regions | 10–16 | 15 | yes | partial | doc:§ 1 |  |
    """
    lines = ["| figure | period | published | tolerance | modelled | within | status | source "
             "| why not |", "|---|---|---|---|---|---|---|---|---|"]
    for r in table.to_dict(orient="records"):
        unit = {"ratio": "×", "percent": " %"}.get(str(r["unit"]), f" {r['unit']}")
        modelled = float(r["modelled"])
        cells = [f"`{r['figure']}`", str(r["period"]), f"{float(r['published']):g}{unit}",
                 str(r["tolerance"]), f"{modelled:.3g}" if modelled < 1000 else f"{modelled:.0f}",
                 "yes" if r["within"] else "**no**", str(r["status"]), str(r["sources"]),
                 "" if r["within"] else str(r["model_note"])]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
