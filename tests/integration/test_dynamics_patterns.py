"""Pattern-oriented checks (Grimm et al. 2005) of the bundled case over 100 seeds.

Each target's source and range is in ``cases/russia_1990s/dynamics/patterns.csv`` and
``economy/calibration_targets.csv``; the qualitative claims of the memo are checked as
properties of paired runs (one seed, two scenarios: common random numbers).
"""

import pandas as pd
import pytest

from regionet.services.case_source import CaseSource
from regionet.services.dynamics import check_patterns
from regionet.services.sweeps import sweep

SEEDS = list(range(100))
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("patterns")
    result = sweep(CaseSource.bundled(), ["as-described", "strong-centre", "closed-borders"],
                   SEEDS, out=out, workers=2, chunk_size=50)
    return pd.concat([pd.read_parquet(p) for p in result.chunks], ignore_index=True)


def test_every_observed_pattern_at_once(runs):
    checks = check_patterns(CaseSource.bundled(), runs[runs.scenario == "as-described"])
    assert (checks["runs"] == len(SEEDS)).all()
    failed = checks[~checks["passed"]]
    assert failed.empty, failed[["target", "label", "mean", "low", "high"]].to_string()


def paired(runs, scenario, column, year):
    frame = runs[runs.year == year].set_index(["scenario", "seed"])[column]
    return frame.loc["as-described"], frame.loc[scenario]


def test_horizontal_ties_grow_after_1998_more_than_under_a_strong_centre(runs):
    """Memo para 6 and 12: the 1998 crisis stimulated horizontal networks and blocs."""
    def growth(scenario):
        before = runs[(runs.scenario == scenario) & (runs.year == 1997)].set_index("seed")
        after = runs[(runs.scenario == scenario) & (runs.year == 2000)].set_index("seed")
        return after["horizontal_ties"] - before["horizontal_ties"]

    described, strong = growth("as-described"), growth("strong-centre")
    assert described.mean() > strong.mean()
    assert (described > strong).mean() >= 0.6


def test_closing_borders_lowers_cross_border_ties_in_border_regions_only(runs):
    for year in (1995, 2000):
        open_, closed = paired(runs, "closed-borders", "cross_border_ties_border_regions", year)
        assert closed.mean() < 0.9 * open_.mean() and (closed <= open_).mean() >= 0.9
        open_, closed = paired(runs, "closed-borders", "international_ties_inland_regions",
                               year)
        assert abs(closed.mean() / open_.mean() - 1) < 0.02
