"""The bundled run beside the published tables (issue 9, item 9): the service, the files, the
report and docs/fiscal.md.

Each modelled value is recomputed here from the run's own columns, independently of the
measures, and set against the published value, range and source of the case file.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import regionet.cases
from regionet.core.errors import InvalidValueError, UnknownReferenceError
from regionet.engines.fiscal.run.published import measure
from regionet.io.economy_files import read_published_figures
from regionet.services.case_source import CaseSource
from regionet.services.fiscal import run_fiscal_series, run_fiscal_year
from regionet.services.fiscal_checks import CHECK_COLUMNS, markdown, published_checks
from regionet.services.fiscal_summary import fiscal_section

CASE = Path(regionet.cases.__file__).parent / "russia_1990s"
FIGURES = CASE / "economy" / "published_figures.csv"
DOC = Path(__file__).resolve().parents[2] / "docs" / "fiscal.md"


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return published_checks(CaseSource.bundled())


@pytest.fixture(scope="module")
def regions() -> pd.DataFrame:
    return run_fiscal_series(CaseSource.bundled(), range(1992, 2003)).regions


def test_every_published_figure_is_set_beside_the_model(table: pd.DataFrame) -> None:
    with FIGURES.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(table.columns) == list(CHECK_COLUMNS)
    assert [(r["figure"], r["year_from"], r["year_to"]) for r in rows] == [
        ("no_equalization_transfer", "1999", "1999"), ("stage_2_recipients", "2001", "2001"),
        ("stage_2_share_of_fund", "2000", "2000"), ("net_donors", "1995", "1999"),
        ("net_donors_with_direct_spending", "1998", "1998"),
        ("net_donors_with_direct_spending", "1999", "1999"), ("spending_max_min", "1992", "1992"),
        ("spending_max_min", "2000", "2000"), ("transfers_below_plan", "1999", "1999")]
    assert table["published"].tolist() == [13, 33, 63, 49, 33, 44, 12, 40, 27]
    assert table["period"].tolist() == ["1999", "2001", "2000", "1995–1999", "1998", "1999",
                                        "1992", "2000", "1999"]
    for r, row in zip(rows, table.itertuples(index=False), strict=True):
        low, high = float(r["low"]), float(r["high"])
        assert row.tolerance == f"{low:g}–{high:g}"
        assert row.within == (low <= row.modelled <= high)
        assert row.sources == r["sources"] and row.sources.startswith("regionet-ref-fiscal:")
        assert row.status in ("verified", "partial") and row.model_note


def test_modelled_values_recomputed_from_the_columns(table: pd.DataFrame,
                                                     regions: pd.DataFrame) -> None:
    by = {(r.figure, r.period): r.modelled for r in table.itertuples(index=False)}

    def year(y: int) -> pd.DataFrame:
        return regions[regions["year"] == y]

    assert by[("no_equalization_transfer", "1999")] == (year(1999)["transfers"] == 0).sum()
    period = regions[regions["year"].between(1995, 1999)]
    assert by[("net_donors", "1995–1999")] == (
        period.groupby("region")["net_federal_flow"].sum() < 0).sum()
    for y in (1998, 1999):
        assert by[("net_donors_with_direct_spending", str(y))] == (
            year(y)["net_federal_flow_with_direct_spending"] < 0).sum()
    for y in (1992, 2000):
        spending = year(y)["spending_regional_per_capita"]
        assert by[("spending_max_min", str(y))] == pytest.approx(spending.max() / spending.min())
    stage_2 = np.asarray(run_fiscal_year(CaseSource.bundled(), 2001).allocation.details["stage_2"])
    assert by[("stage_2_recipients", "2001")] == (stage_2 > 0).sum()
    # the baseline collects everything, so the plan is the run itself: no shortfall
    assert by[("transfers_below_plan", "1999")] == 0


def test_what_the_model_reproduces_and_what_not(table: pd.DataFrame) -> None:
    """Pins today's outcome, so a change of the model that moves a figure shows up here."""
    within = {(r.figure, r.period): bool(r.within) for r in table.itertuples(index=False)}
    assert [k for k, ok in within.items() if ok] == [
        ("no_equalization_transfer", "1999"), ("net_donors_with_direct_spending", "1998")]
    modelled = table.set_index(["figure", "period"])["modelled"]
    assert modelled[("net_donors", "1995–1999")] == 70  # Lavrov: 49; the fund alone: 77 in 1999
    assert modelled[("no_equalization_transfer", "1999")] == 15


def test_the_other_channels_move_the_net_donors_toward_lavrov(regions: pd.DataFrame) -> None:
    y1999 = regions[regions["year"] == 1999]
    narrow = int((y1999["net_flow"] < 0).sum())
    all_aid = int((y1999["net_federal_flow"] < 0).sum())
    with_direct = int((y1999["net_federal_flow_with_direct_spending"] < 0).sum())
    assert (narrow, all_aid, with_direct) == (77, 70, 29)
    # money: each channel pays out exactly its national size
    totals = run_fiscal_series(CaseSource.bundled(), range(1999, 2000)).totals.iloc[0]
    assert y1999["transfers_other"].sum() == pytest.approx(totals["other_aid"], rel=1e-12)
    assert y1999["direct_spending"].sum() == pytest.approx(totals["direct_spending"], rel=1e-12)
    assert totals["other_aid"] == pytest.approx(0.8598 * totals["fund_size"], rel=1e-12)


def test_the_figures_file_is_validated(tmp_path: Path) -> None:
    (tmp_path / "case.yaml").write_text("id: test\n", encoding="utf-8")
    economy = tmp_path / "economy"
    economy.mkdir()
    text = FIGURES.read_text(encoding="utf-8")
    lines = text.splitlines()
    bad = lines[1].replace("1999,1999,13,10,16", "1999,1999,13,14,16", 1)
    (economy / "published_figures.csv").write_text("\n".join([lines[0], bad]) + "\n", "utf-8")
    with pytest.raises(InvalidValueError) as info:
        read_published_figures(tmp_path)
    assert (info.value.row, info.value.field, info.value.value) == (1, "low", "14–16")
    unknown = lines[1].replace("no_equalization_transfer", "no_equalisation_transfer", 1)
    (economy / "published_figures.csv").write_text("\n".join([lines[0], unknown]) + "\n",
                                                   "utf-8")
    with pytest.raises(UnknownReferenceError) as err:
        measure(str(read_published_figures(tmp_path)["figure"].iloc[0]))
    assert err.value.hint == "Did you mean no_equalization_transfer?"


def test_the_section_writes_the_table_and_the_report_shows_it(tmp_path: Path) -> None:
    section = fiscal_section(CaseSource.bundled(), tmp_path)
    written = pd.read_csv(section.files["published_checks"])
    assert written["figure"].tolist() == section.published["figure"].tolist()
    assert section.series.set_index("year").loc[1999, "net_federal_donors"] == 70
    donors = section.donors.set_index("region")
    assert (donors["status_net_federal_flow"] == "donor").sum() == 70
    assert (donors["status_net_federal_flow_with_direct_spending"] == "donor").sum() == 29


def test_docs_table_is_generated_from_the_run(table: pd.DataFrame) -> None:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"<!-- BEGIN GENERATED PUBLISHED CHECKS -->\n(.*)\n"
                      r"<!-- END GENERATED PUBLISHED CHECKS -->", text, flags=re.S)
    assert found is not None
    assert found.group(1) == markdown(table), "regenerate the table (see docs/fiscal.md)"
