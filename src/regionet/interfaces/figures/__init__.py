"""Figures for papers: maps of the subjects and of ties, Lorenz curves, series and bars.

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
from regionet.interfaces.figures.maps import MERGED_LABEL, choropleth
from regionet.interfaces.figures.tie_maps import DEFAULT_LEVELS, tie_map

__all__ = [
    "DEFAULT_LEVELS",
    "GEO_CREDITS",
    "LEVEL_COLOURS",
    "LEVEL_LABELS",
    "MERGED_LABEL",
    "bars_chart",
    "choropleth",
    "lorenz_chart",
    "save",
    "series_chart",
    "tie_map",
    "to_svg_text",
]
