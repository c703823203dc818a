"""Guard of the illustrative economy's calibration: the committed assumptions meet the
published aggregates within their tolerances (a calibration, not a validation).

Targets (fiscal-russia.md): the regions' share of consolidated tax revenue 1996-2002 (Gaidar
Institute, table 14) within 3 points; 70-80 of the 89 regions receive equalization transfers
in each of 1999-2001 (IET/CEPRA). Re-fit with ``scripts/calibrate_economy.py --fit``.
"""

from __future__ import annotations

import pytest

from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.run.pipeline import YearResult, run_year
from regionet.io.casefiles import case_directory
from regionet.io.economy_files import load_economy

PUBLISHED_SHARE = {1996: 49.5, 1997: 53.1, 1998: 56.6, 1999: 49.2, 2000: 43.5, 2001: 37.4,
                   2002: 35.1}
TOLERANCE_POINTS = 3.0
RECIPIENT_YEARS = (1999, 2000, 2001)


@pytest.fixture(scope="module")
def results() -> dict[int, YearResult]:
    economy = load_economy()
    tree = load_parameters(case_directory("russia-1990s") / "parameters")
    return {year: run_year(economy.inputs(year), tree) for year in PUBLISHED_SHARE}


@pytest.mark.parametrize("year", sorted(PUBLISHED_SHARE))
def test_regional_share_of_tax_revenue_tracks_the_published_series(
        results: dict[int, YearResult], year: int) -> None:
    share = 100 * results[year].totals["regional_share_of_tax_revenue"]
    assert abs(share - PUBLISHED_SHARE[year]) <= TOLERANCE_POINTS, (year, share)


@pytest.mark.parametrize("year", RECIPIENT_YEARS)
def test_70_to_80_regions_receive_equalization_transfers(
        results: dict[int, YearResult], year: int) -> None:
    result = results[year]
    assert result.rules["equalization"] == "two_stage"
    recipients = int((result.regions["transfers"] > 0).sum())
    assert 70 <= recipients <= 80, (year, recipients)


def test_results_of_the_illustrative_economy_say_so(results: dict[int, YearResult]) -> None:
    for result in results.values():
        assert result.inputs.illustrative
        assert result.regions["illustrative"].all()


def test_the_commonly_named_rich_regions_receive_nothing_in_1999(
        results: dict[int, YearResult]) -> None:
    frame = results[1999].regions.set_index("region")
    # fiscal-russia.md names them as receiving no transfer (unverified list): a sanity
    # check of the income index, not a calibration target
    for region in ("RU-MOW", "RU-KHM", "RU-YAN", "RU-TA", "RU-SAM"):
        assert frame.loc[region, "transfers"] == 0, region
