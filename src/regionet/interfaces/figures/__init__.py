"""Figures for papers: maps of the subjects and of ties, Lorenz curves, series and bars.

Also fan charts of Monte Carlo runs and observed patterns against runs (:mod:`.fans`).
Matplotlib figures made without ``pyplot`` (no global state), drawn with the Agg canvas.
Save them with :func:`save` (PNG at 200 dpi or SVG, by suffix) or inline them in HTML with
:func:`to_svg_text`. See docs/figures.md.
"""

from regionet.interfaces.figures.charts import (
    GEO_CREDITS,
    LEVEL_COLOURS,
    LEVEL_LABELS,
    bars_chart,
    lorenz_chart,
    save,
    series_chart,
    to_svg_text,
)
from regionet.interfaces.figures.fans import Fan, fan_chart, pattern_chart
from regionet.interfaces.figures.maps import MERGED_LABEL, choropleth
from regionet.interfaces.figures.tie_maps import DEFAULT_LEVELS, tie_map

__all__ = [
    "DEFAULT_LEVELS",
    "GEO_CREDITS",
    "LEVEL_COLOURS",
    "LEVEL_LABELS",
    "MERGED_LABEL",
    "Fan",
    "bars_chart",
    "choropleth",
    "fan_chart",
    "lorenz_chart",
    "pattern_chart",
    "save",
    "series_chart",
    "tie_map",
    "to_svg_text",
]
