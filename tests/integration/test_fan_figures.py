"""Fan charts and observed patterns against runs (figures of the dynamics section)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from regionet.core.errors import InvalidValueError
from regionet.interfaces.figures import Fan, fan_chart, pattern_chart

YEARS = (1991, 1992, 1993)


def fan(label: str, base: float, colour: str = "#0072B2") -> Fan:
    return Fan(label, YEARS, q05=[base] * 3, q25=[base + 1] * 3, q50=[base + 2] * 3,
               q75=[base + 3] * 3, q95=[base + 4] * 3, colour=colour)


def test_a_panel_per_entry_with_its_median_and_two_bands():
    fig = fan_chart([("A", [fan("x", 0), fan("y", 10, "#D55E00")]), ("B", [fan("x", 5)])],
                    title="T", ylabel="ties", source_note="Source: test")
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["A", "B"]
    first = fig.axes[0]
    assert [line.get_ydata().tolist() for line in first.get_lines()] == [[2, 2, 2],
                                                                         [12, 12, 12]]
    bands = [c for c in first.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 4  # 5-95 and 25-75 for each fan
    assert fig.axes[0].get_ylim() == fig.axes[1].get_ylim() == (0, pytest.approx(14 * 1.05))
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["x (median; 25–75 %, 5–95 %)", "y"]


def test_a_fan_whose_quantiles_miss_a_year_is_refused():
    broken = Fan("x", YEARS, [0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3], [4, 4, 4])
    with pytest.raises(InvalidValueError, match="quantiles do not match the years"):
        fan_chart([("A", [broken])], title="T", ylabel="y", source_note="s")
    with pytest.raises(InvalidValueError, match="nothing to draw"):
        fan_chart([], title="T", ylabel="y", source_note="s")


def test_patterns_are_placed_against_their_observed_range():
    checks = pd.DataFrame({
        "target": ["share", "count", "none_before"], "label": ["1999", "1998", "1993"],
        "low": [0.4, 42.0, 0.0], "high": [0.6, 46.0, 0.0], "mean": [0.6, 50.0, 0.0],
        "q10": [0.5, 44.0, 0.0], "q90": [0.7, 60.0, 0.0], "passed": [True, False, True]})
    fig = pattern_chart(checks, title="P", source_note="s")
    ax = fig.axes[0]
    points = ax.collections[-1].get_offsets()
    # (mean − centre) / half-width: 0.6 in 0.4–0.6 → 1; 50 in 42–46 → 3; a single value 0
    # gets the half-width the distance uses (0.5) → 0; top row first
    assert np.asarray(points)[:, 0].tolist() == pytest.approx([1.0, 3.0, 0.0])
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "share (1999)", "count (1998)", "none before (1993)"]
    texts = [t.get_text() for t in ax.texts if t.get_text().startswith("observed")]
    assert "observed 42–46; runs 50 (44–60)" in texts
    with pytest.raises(InvalidValueError, match="nothing to draw"):
        pattern_chart(checks.iloc[:0], title="P", source_note="s")
