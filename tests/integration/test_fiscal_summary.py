"""The fiscal section of the main job: what it computes and writes."""

from pathlib import Path

import pandas as pd
import pytest

from regionet.services.case_source import CaseSource
from regionet.services.fiscal_summary import fiscal_section


@pytest.fixture(scope="module")
def section(tmp_path_factory: pytest.TempPathFactory):
    return fiscal_section(CaseSource.bundled(), tmp_path_factory.mktemp("run"))


def test_calibration_rows_are_all_within_the_published_tolerance(section):
    table = section.calibration
    assert set(table["year"]) >= {1996, 1997, 1998, 1999, 2000, 2001, 2002}
    assert table["within"].all(), table[~table["within"]]


def test_the_bill_moves_money_from_moscow_to_the_extraction_regions(section):
    bill = section.bill.set_index("region")
    assert bill.loc["RU-YAN", "status"] == "winner" and bill.loc["RU-KHM", "status"] == "winner"
    assert bill.loc["RU-MOW", "status"] == "loser"
    rules = section.rules_year
    assert rules.loc["RU-MOW", "registration"] > rules.loc["RU-MOW", "operation"]
    # every rule attributes the same national base: money is conserved across rules
    totals = rules[["registration", "operation", "art288_1995", "art288"]].sum()
    assert totals.max() - totals.min() < 1e-6 * totals.max()


def test_transfers_reduce_inequality(section):
    ineq = section.inequality.set_index("measure")
    assert ineq.loc["gini", "after"] < ineq.loc["gini", "before"]


def test_series_covers_1992_2010_and_files_are_written(section):
    assert list(section.series["year"]) == list(range(1992, 2011))
    for path in section.files.values():
        assert Path(path).is_file()
        assert len(pd.read_csv(path)) > 0
    assert section.illustrative
