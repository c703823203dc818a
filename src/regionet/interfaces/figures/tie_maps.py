"""Maps of cooperation ties: arcs between administrative centres, coloured by level.

The figure draws what :func:`regionet.services.tie_maps.tie_arcs` prepares: where each
party is (a member at its capital, the centre at Moscow, an association at the mean of its
members' capitals, a foreign partner at its capital or seat), the arcs by level, and what
was left out, which the footer counts.

Examples:
    >>> from regionet.services.case_source import CaseSource
    >>> from regionet.services.tie_maps import tie_arcs
    >>> fig = tie_map(tie_arcs(CaseSource.bundled(), levels=["bilateral"]))
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][0]
    'bilateral (3)'
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from regionet.interfaces.figures.charts import (
    GEO_CREDITS,
    LEVEL_COLOURS,
    LEVEL_LABELS,
    add_frame,
    footer_height,
    footer_lines,
    new_figure,
)
from regionet.interfaces.figures.maps import NEIGHBOUR_FILL, base_axes
from regionet.services.tie_maps import DEFAULT_LEVELS

if TYPE_CHECKING:
    from regionet.services.geo import Point
    from regionet.services.tie_maps import TieArcs

__all__ = ["DEFAULT_LEVELS", "tie_map"]


def tie_map(arcs: TieArcs, *, title: str | None = None,
            source_note: str | None = None) -> Figure:
    """Draw ties as arcs between administrative centres, coloured by level.

    Members are drawn at their capital; the centre at its city (a star); an association at
    the mean position of its members' capitals (a diamond); a foreign state, foreign region
    or multilateral body at its capital or seat (a circle), or on the map's edge in its
    direction when it lies far beyond (a triangle). The legend counts the ties of each level;
    the footer counts the ties not drawn.

    Args:
        arcs: what to draw (:func:`regionet.services.tie_maps.tie_arcs` of the case, levels
            and year drawn).
        title: the figure's title (default names the year).
        source_note: the source line (default: the case's ties and what was left out).
    """
    year = arcs.year
    when = (f"Ties whose dates touch {year}; undated ties are always drawn." if year
            else "All ties, whatever their dates.")
    if arcs.skipped:
        when += (f" Not drawn: {arcs.skipped} tie(s) with no partner on the map ("
                 + ", ".join(arcs.missing) + ").")
    note = source_note or (f"Ties: regionet case {arcs.case_id}, ties.csv (each tie sourced; "
                           "A. Sergounin, PONARS Policy Memo 59, 1999, and reference tables)."
                           f"\n{when}")
    fig = new_figure(11.0, 7.0)
    bottom = footer_height(fig, footer_lines(note, GEO_CREDITS)) + 0.02
    ax = base_axes(fig, (0.01, bottom, 0.98, 0.92 - bottom), arcs.frame, arcs.base, "#fbfbf8")
    for order, level in enumerate(arcs.levels):
        thin = level.level == "subnational"
        ax.add_collection(LineCollection(list(level.arcs), colors=LEVEL_COLOURS[level.level],
                                         linewidths=0.6 if thin else 1.2,
                                         alpha=0.55 if thin else 0.85, zorder=6 + order / 10))
    counts = {level.level: level.ties for level in arcs.levels}
    handles: list[Patch | Line2D] = [
        Line2D([], [], color=LEVEL_COLOURS[k], linewidth=2,
               label=f"{LEVEL_LABELS[k]} ({counts[k]})")
        for k in LEVEL_COLOURS if counts.get(k)]
    handles += _draw_places(ax, arcs)
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False,
              title="Level (number of ties)", title_fontsize=7)
    add_frame(fig, title=title or ("Cooperation ties of Russia's regions"
                                   + (f", {year}" if year else "")),
              source_note=note, credits=GEO_CREDITS)
    return fig


def _draw_places(ax: Axes, arcs: TieArcs) -> list[Patch | Line2D]:
    ax.scatter(arcs.members[:, 0], arcs.members[:, 1], s=7, c="#222222", zorder=9)
    style = {"foreign": ("o", "white", 26), "association": ("D", "#009E73", 24),
             "centre": ("*", "#E69F00", 110), "edge": (">", "white", 26)}
    labels: dict[tuple[int, int], list[str]] = defaultdict(list)
    at: dict[tuple[int, int], Point] = {}
    kinds: set[str] = set()
    below: set[tuple[int, int]] = set()  # the centre's label goes under it, clear of the
    #                                      associations around Moscow
    for place in arcs.places:
        x, y = place.point
        shown = "edge" if place.beyond else place.kind
        kinds.add(shown)
        marker, face, size = style[shown]
        ax.scatter([x], [y], marker=marker, s=size, c=face, edgecolors="#222222",
                   linewidths=0.7, zorder=10)
        cell = (round(x / 40), round(y / 40))
        at[cell] = (x, y)
        labels[cell].append(place.label)
        if place.kind == "centre":
            below.add(cell)
    for cell, names in labels.items():
        ax.annotate(", ".join(dict.fromkeys(names)), at[cell],
                    xytext=(5, -9 if cell in below else 3),
                    textcoords="offset points", fontsize=6.5, color="#222222", zorder=11)
    text = {"centre": f"federal centre ({arcs.centre_name})",
            "association": "association: mean of its members' capitals",
            "foreign": "foreign partner: capital or seat (GeoNames)",
            "edge": "partner beyond the map's edge, in its direction"}
    handles: list[Patch | Line2D] = [Line2D([], [], marker="o", linestyle="", markersize=3,
                                            color="#222222", label="capital of a subject")]
    handles += [Line2D([], [], marker=style[k][0], linestyle="", markerfacecolor=style[k][1],
                       markeredgecolor="#222222", label=text[k]) for k in text if k in kinds]
    return [*handles, Patch(facecolor=NEIGHBOUR_FILL, label="neighbouring state")]
