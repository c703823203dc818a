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


def test_the_law_in_force_is_computed_with_the_own_balance_sheet_flag(section):
    # 1999: art288_1995 with the economy's flags (assumed by activity, docs/economy.md)
    own = section.own_balance
    assert own["establishments"] == 3028 and own["own_balance_sheet"] == 475
    assert own["firms_with_own"] == 83
    # every firm's subdivisions are of one kind: under the approximation nothing moves
    assert own["firms_differing"] == 0
    assert own["largest_change"] < 1e-6
    written = pd.read_csv(section.files["own_balance_sheet_1999"])
    assert written.loc[0, "own_balance_sheet"] == 475


def test_the_report_says_how_the_flag_met_the_law_in_force(section):
    from regionet.interfaces.report.sections_fiscal import _own_balance

    text = _own_balance(section)
    assert "in 1999 475 of 3028 establishments keep their own" in text
    assert "0 such firms here" in text
    assert "Law 64-FZ of 25.04.1995; Government Resolution 660 of 01.07.1995" in text
