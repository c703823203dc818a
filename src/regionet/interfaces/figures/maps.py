"""Choropleth maps of the 89 subjects of 1999, and the base map every map shares.

Maps draw what the geography service prepares (:mod:`regionet.services.geo`): the
subjects' and neighbouring states' outlines, projected with the Albers equal-area conic for
Russia (52° and 64° N, 100° E), and the capitals of GeoNames; they carry the credits. Units
merged in 2005–08 are drawn on their successor's polygon: the polygon is hatched and takes
the value of the krai or oblast; each autonomous okrug on it shows its own value as a dot at
its capital. The tie map is in :mod:`regionet.interfaces.figures.tie_maps`.

Examples:
    >>> from regionet.services.case_source import CaseSource
    >>> from regionet.services.geo import subject_map
    >>> fig = choropleth({"RU-KR": 1.0}, subject_map(CaseSource.bundled()), title="One value",
    ...                  unit="ties", source_note="Test")
    >>> fig.get_suptitle()
    'One value'
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.colors import Colormap, Normalize, TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path
from matplotlib.ticker import FuncFormatter

from regionet.interfaces.figures.charts import (
    GEO_CREDITS,
    add_frame,
    footer_height,
    footer_lines,
    new_figure,
)

if TYPE_CHECKING:
    from regionet.services.geo import BaseMap, Outline, SubjectMap

__all__ = ["MERGED_LABEL", "NEIGHBOUR_FILL", "base_axes", "choropleth", "outline_path"]

#: Legend text of the hatched polygons of units merged in 2005–08.
MERGED_LABEL = "1999 unit shown with its successor's territory"
#: Fill of the neighbouring states.
NEIGHBOUR_FILL = "#e3e3e3"
_NO_DATA = "#cfcfcf"


def outline_path(outline: Outline) -> Path:
    """One compound path of every ring of a projected outline."""
    codes = []
    for ring in outline.rings:
        c = np.full(len(ring), Path.LINETO, dtype=Path.code_type)
        c[0], c[-1] = Path.MOVETO, Path.CLOSEPOLY
        codes.append(c)
    return Path(np.concatenate(outline.rings), np.concatenate(codes))


def _borders(outlines: Iterable[Outline]) -> list[npt.NDArray[np.float64]]:
    return [piece for o in outlines for piece in o.borders]


def base_axes(fig: Figure, rect: tuple[float, float, float, float], frame: Sequence[float],
              base: BaseMap, subjects_fill: str | None, border: str = "#9a9a9a") -> Axes:
    """Add map axes at ``rect`` showing ``frame``: neighbours in grey, subjects' borders.

    ``subjects_fill`` fills the subjects in one colour (None: the caller fills them);
    ``border`` is the colour of the subjects' borders.
    """
    ax = fig.add_axes(rect)
    ax.set_aspect("equal")
    ax.set_xlim(frame[0], frame[1])
    ax.set_ylim(frame[2], frame[3])
    ax.set_axis_off()
    ax.add_collection(PatchCollection([PathPatch(outline_path(o)) for o in base.neighbours],
                                      facecolor=NEIGHBOUR_FILL, edgecolor="none", zorder=1))
    ax.add_collection(LineCollection(_borders(base.neighbours), colors="white",
                                     linewidths=0.4, zorder=1.1))
    if subjects_fill is not None:
        ax.add_collection(PatchCollection([PathPatch(outline_path(o)) for o in base.subjects],
                                          facecolor=subjects_fill, edgecolor="none", zorder=2))
    ax.add_collection(LineCollection(_borders(base.subjects), colors=border,
                                     linewidths=0.3, zorder=3))
    return ax


def _scale(values: Sequence[float], cmap: str | None,
           robust: bool) -> tuple[Normalize, Colormap, str]:
    import matplotlib as mpl

    finite = np.asarray([v for v in values if math.isfinite(v)], dtype=np.float64)
    if finite.size == 0:
        finite = np.zeros(1)
    lo, hi = (np.percentile(finite, [2, 98]) if robust else (finite.min(), finite.max()))
    extend = "neither"
    if robust:
        extend = {(True, True): "both", (True, False): "min", (False, True): "max"}.get(
            (bool(finite.min() < lo), bool(finite.max() > hi)), "neither")
    if lo < 0 < hi:
        return TwoSlopeNorm(0.0, lo, hi), mpl.colormaps[cmap or "PuOr"], extend
    return Normalize(lo, hi if hi > lo else lo + 1), mpl.colormaps[cmap or "viridis"], extend


def _ticks(norm: Normalize) -> list[float]:
    """Colour-bar ticks: a few round values on each side of 0 for a two-slope scale."""
    from matplotlib.ticker import MaxNLocator

    lo, hi = float(norm.vmin or 0.0), float(norm.vmax or 0.0)
    if isinstance(norm, TwoSlopeNorm):
        ticks = [*MaxNLocator(3).tick_values(lo, 0.0), *MaxNLocator(3).tick_values(0.0, hi)]
    else:
        ticks = list(MaxNLocator(5).tick_values(lo, hi))
    return sorted({float(t) for t in ticks if lo - 1e-9 <= t <= hi + 1e-9})


def _number_format(norm: Normalize) -> FuncFormatter:
    big = max(abs(float(norm.vmin or 0.0)), abs(float(norm.vmax or 0.0))) >= 1000
    return FuncFormatter(lambda v, _: f"{v:,.0f}" if big else f"{v:g}")


def choropleth(values: Mapping[str, float], geography: SubjectMap, *, title: str, unit: str,
               source_note: str, illustrative: bool = False, label: str | None = None,
               categories: Mapping[float, str] | None = None, cmap: str | None = None,
               robust: bool = False) -> Figure:
    """Colour the 89 subjects of 1999 by ``values`` (region id → value).

    Args:
        values: one value per subject id; missing or NaN values are drawn as "no data".
        geography: the outlines, the polygons to fill and the okrugs' dots
            (:func:`regionet.services.geo.subject_map` of the case drawn).
        title: the figure's title.
        unit: the unit, written under the colour bar.
        source_note: the source line at the bottom (credits are added after it).
        illustrative: add the "ILLUSTRATIVE" label and watermark.
        label: what the values are, written before the unit on the colour bar.
        categories: value → legend label, for categorical values (e.g. ``{1.0: "donor",
            0.0: "not a donor"}``): a legend instead of a colour bar.
        cmap: a matplotlib colormap name (default ``viridis``; ``PuOr`` centred on 0 when
            the values have both signs).
        robust: colour scale from the 2nd to the 98th percentile (extremes shown by the
            colour bar's arrows), so that one outlier such as Moscow does not flatten it.
    """
    subjects = geography.base.subjects
    fig = new_figure(11.0, 6.8)
    bottom = footer_height(fig, footer_lines(source_note, GEO_CREDITS, illustrative)) + 0.09
    ax = base_axes(fig, (0.01, bottom, 0.98, 0.91 - bottom), geography.base.frame,
                   geography.base, None, border="white")
    numbers = [float(values.get(f.id, math.nan)) for f in subjects]
    norm, colormap, extend = _scale(numbers, cmap, robust)
    palette = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00")
    colour_of = {k: palette[i % len(palette)] for i, k in enumerate(sorted(categories or {}))}

    def colour(v: float) -> str | tuple[float, float, float, float]:
        if not math.isfinite(v):
            return _NO_DATA
        if categories:
            return colour_of.get(v, _NO_DATA)
        r, g, b, a = colormap(float(norm(v)))
        return (float(r), float(g), float(b), float(a))

    shown = geography.filled
    patches = [PathPatch(outline_path(f)) for f in subjects if f.id in shown]
    face = [colour(float(values.get(f.id, math.nan))) for f in subjects if f.id in shown]
    ax.add_collection(PatchCollection(patches, facecolors=face, edgecolor="none", zorder=2))
    merged = [PathPatch(outline_path(f)) for f in subjects if f.id in geography.merged]
    ax.add_collection(PatchCollection(merged, facecolor="none", edgecolor="#222222",
                                      hatch="////", hatchcolor="#8c8c8c", linewidth=0.9,
                                      zorder=4))
    handles: list[Patch | Line2D] = [
        Patch(facecolor="white", edgecolor="#222222", hatch="////", hatchcolor="#8c8c8c",
              label=MERGED_LABEL)]
    points = [(p, float(values.get(i, math.nan))) for i, p in geography.dots]
    if points:
        ax.scatter([p[0] for p, _ in points], [p[1] for p, _ in points], s=36, zorder=5,
                   color=[colour(v) for _, v in points], edgecolors="black", linewidths=0.8)
        handles.append(Line2D([], [], marker="o", linestyle="", markerfacecolor="white",
                              markeredgecolor="black", label="autonomous okrug on a shared "
                              "polygon: its own value, at its capital"))
    if any(not math.isfinite(v) for v in numbers):
        handles.append(Patch(facecolor=_NO_DATA, label="no data"))
    handles.append(Patch(facecolor=NEIGHBOUR_FILL, label="neighbouring state"))
    if categories:
        handles[:0] = [Patch(facecolor=colour_of[k], label=categories[k])
                       for k in sorted(categories)]
    else:
        from matplotlib.cm import ScalarMappable

        cax = fig.add_axes((0.6, bottom - 0.045, 0.3, 0.022))
        bar = fig.colorbar(ScalarMappable(norm, colormap), cax=cax, orientation="horizontal",
                           extend=extend, ticks=_ticks(norm))
        bar.ax.xaxis.set_major_formatter(_number_format(norm))
        bar.set_label(f"{label} ({unit})" if label else unit, fontsize=8)
        bar.ax.tick_params(labelsize=7)
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False)
    add_frame(fig, title=title, source_note=source_note, credits=GEO_CREDITS,
              illustrative=illustrative, axes=[ax])
    return fig

