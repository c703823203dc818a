"""Charts for papers — Lorenz curves, time series, winners and losers — and the shared frame.

Every figure of :mod:`regionet.interfaces.figures` is a :class:`matplotlib.figure.Figure`
made directly (never through ``pyplot``, so no global figure state) and drawn with the Agg
canvas. The frame they share lives here: the palette, the title, the footer with the source
line and the credits, the "ILLUSTRATIVE" label, :func:`save` and :func:`to_svg_text`.

Examples:
    >>> fig = bars_chart({"RU-MOW": -3.0, "RU-KR": 1.5}, title="Change", unit="RUB per person",
    ...                  source_note="Source: regionet")
    >>> fig.get_suptitle(), len(fig.axes)
    ('Change', 1)
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from regionet.core.errors import InvalidValueError

if TYPE_CHECKING:
    from regionet.services.inequality import LorenzCurve

__all__ = [
    "GEO_CREDITS",
    "ILLUSTRATIVE_NOTE",
    "LEVEL_COLOURS",
    "LEVEL_LABELS",
    "SERIES_COLOURS",
    "add_frame",
    "bars_chart",
    "footer_height",
    "footer_lines",
    "lorenz_chart",
    "new_figure",
    "save",
    "series_chart",
    "to_svg_text",
]

#: Colours of the levels of cooperation, from the Okabe–Ito palette (safe for the common
#: colour-vision deficiencies). The same everywhere: maps, charts, report, dashboard.
#: Keys: the levels, with ``international`` split into its sublevels.
LEVEL_COLOURS: Mapping[str, str] = MappingProxyType({
    "bilateral": "#0072B2",            # blue
    "subnational": "#009E73",          # bluish green
    "cross-border": "#D55E00",         # vermillion
    "trans-regional": "#CC79A7",       # reddish purple
    "non-adjacent": "#56B4E9",         # sky blue
    "vertical": "#E69F00",             # orange
    "interstate": "#000000",           # black
    "federal": "#F0E442",              # yellow
    "external": "#999999",             # grey (outside the palette: no party of the federation)
})

#: Legend labels of the keys of :data:`LEVEL_COLOURS`.
LEVEL_LABELS: Mapping[str, str] = MappingProxyType({
    "bilateral": "bilateral", "subnational": "subnational (association)",
    "cross-border": "international: cross-border",
    "trans-regional": "international: trans-regional",
    "non-adjacent": "international: non-adjacent", "vertical": "vertical (centre)",
    "interstate": "interstate (the federation itself)", "federal": "federal (centre only)",
    "external": "external (no party of the federation)",
})

#: Line colours of series, in order (Okabe–Ito, yellow last: weak on white).
SERIES_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
                  "#000000", "#F0E442")

#: Credits every map carries (the data's licences ask for them).
GEO_CREDITS = "Boundaries: Natural Earth (public domain); capitals: GeoNames (CC BY 4.0)"

#: The label of figures made from the illustrative economy.
ILLUSTRATIVE_NOTE = ("ILLUSTRATIVE: inputs from the illustrative economy; the numbers show "
                     "the mechanism, not history (docs/economy.md)")

_FOOTER_LINE_IN = 0.16
_GREY = "#444444"


def new_figure(width: float = 10.0, height: float = 6.0) -> Figure:
    """Return an empty figure of ``width`` × ``height`` inches with an Agg canvas."""
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def footer_lines(source_note: str, credits: str = "", illustrative: bool = False) -> int:
    """Return how many lines :func:`add_frame` writes in the footer."""
    return (source_note.count("\n") + 1 + (credits.count("\n") + 1 if credits else 0)
            + (1 if illustrative else 0))


def footer_height(fig: Figure, lines: int) -> float:
    """Return the figure fraction taken by ``lines`` footer lines."""
    return float((0.08 + _FOOTER_LINE_IN * lines) / fig.get_figheight())


def add_frame(fig: Figure, *, title: str, source_note: str, credits: str = "",
              illustrative: bool = False, axes: Sequence[Axes] = ()) -> None:
    """Add the title, the footer (source line, then credits) and the illustrative label.

    With ``illustrative`` a boxed label goes at the top right and a faint "ILLUSTRATIVE"
    watermark across each of ``axes``. The footer texts have the gids ``source-note`` and
    ``credits``; the label ``illustrative-label``.
    """
    fig.suptitle(title, x=0.01, y=0.985, ha="left", va="top", fontsize=13,
                 fontweight="bold")
    blocks = [(source_note, "source-note")] + ([(credits, "credits")] if credits else [])
    if illustrative:
        blocks.insert(1, (ILLUSTRATIVE_NOTE, "illustrative-note"))
    height, line = fig.get_figheight(), 0
    for text, gid in reversed(blocks):
        fig.text(0.01, (0.05 + _FOOTER_LINE_IN * line) / height, text, ha="left",
                 va="bottom", fontsize=7, color=_GREY, gid=gid, linespacing=1.5)
        line += text.count("\n") + 1
    if illustrative:
        fig.text(0.99, 0.985, "ILLUSTRATIVE", ha="right", va="top", fontsize=9,
                 fontweight="bold", color="#B22222", gid="illustrative-label",
                 bbox={"boxstyle": "square,pad=0.3", "fc": "white", "ec": "#B22222"})
        for ax in axes:
            ax.text(0.5, 0.5, "ILLUSTRATIVE", transform=ax.transAxes, ha="center",
                    va="center", rotation=20, fontsize=60, color="#B22222", alpha=0.1,
                    fontweight="bold", zorder=20, clip_on=True, gid="illustrative-watermark")


def _svg_bytes(fig: Figure) -> str:
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "regionet", "svg.fonttype": "path"}):
        fig.savefig(buffer, format="svg", metadata={"Creator": "regionet", "Date": None})
    text = buffer.getvalue().decode("utf-8")
    # The DOCTYPE points at an external DTD and the RDF metadata at vocabularies on the web;
    # SVG needs neither, HTML forbids the DOCTYPE inline, and a figure should name no URL
    # but its namespaces.
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text, count=1)
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.DOTALL)


def save(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` as PNG (200 dpi) or SVG, chosen by the file's suffix; return the path.

    Missing parent folders are created. The SVG has text as paths (no font needed), no
    date, no metadata and stable ids, so the same figure gives the same file; the only URLs
    in it are its XML namespaces.

    Raises:
        InvalidValueError: a suffix other than ``.png`` or ``.svg``.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise InvalidValueError("unsupported figure format", field="--out", value=str(out),
                                expected="a file name ending in .png or .svg")
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        fig.savefig(out, format="png", dpi=200, metadata={"Software": "regionet"})
    else:
        out.write_text(_svg_bytes(fig), encoding="utf-8")
    return out


def to_svg_text(fig: Figure) -> str:
    """Return ``fig`` as an ``<svg>`` element to inline in HTML (no XML prologue).

    Examples:
        >>> fig = new_figure(2, 1)
        >>> to_svg_text(fig).startswith("<svg")
        True
    """
    text = _svg_bytes(fig)
    return text[text.index("<svg"):]


def _layout(fig: Figure, lines: int, *, left: float = 0.1, right: float = 0.97) -> Axes:
    bottom = footer_height(fig, lines) + 0.5 / fig.get_figheight()
    top = 1.0 - 0.55 / fig.get_figheight()
    ax = fig.add_axes((left, bottom, right - left, top - bottom))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(True, color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    return ax


def lorenz_chart(curves: Sequence[LorenzCurve], *,
                 title: str = "Inequality of regional revenue per capita",
                 labels: Sequence[str] = ("own revenue (before transfers)",
                                          "own revenue and transfers (after)"),
                 source_note: str = "Source: regionet fiscal model.",
                 illustrative: bool = False) -> Figure:
    """Lorenz curves of a per-capita quantity, e.g. before and after transfers.

    Each curve is the share of all revenue held by the poorest share of residents (regions
    ordered by value, each counted by its population); its Gini index is in the legend.

    Args:
        curves: the curves (:func:`regionet.services.inequality.lorenz_curve`), one line
            each, in the order of ``labels``.
        title: the figure's title.
        labels: legend labels of the curves.
        source_note: the source line at the bottom.
        illustrative: add the "ILLUSTRATIVE" label and watermark.

    Raises:
        InvalidValueError: not one label per curve.
    """
    if len(labels) != len(curves):
        raise InvalidValueError("one label per curve", field="labels", value=len(labels),
                                expected=f"{len(curves)} labels")
    fig = new_figure(6.5, 6.0)
    ax = _layout(fig, footer_lines(source_note, illustrative=illustrative))
    ax.plot([0, 100], [0, 100], color="#999999", linestyle="--", linewidth=1,
            label="equal distribution")
    for curve, label, colour in zip(curves, labels, SERIES_COLOURS, strict=False):
        ax.plot(curve.population_share * 100, curve.value_share * 100, color=colour,
                linewidth=2, label=f"{label}: Gini {curve.gini:.3f}")
    ax.set(xlim=(0, 100), ylim=(0, 100), aspect="equal",
           xlabel="Cumulative share of population (%), regions ordered by value",
           ylabel="Cumulative share of revenue (%)")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    add_frame(fig, title=title, source_note=source_note, illustrative=illustrative,
              axes=[ax])
    return fig


def series_chart(frame: pd.DataFrame, columns: Sequence[str], *, title: str, ylabel: str,
                 unit: str, x: str = "year", labels: Mapping[str, str] | None = None,
                 source_note: str = "Source: regionet fiscal model.",
                 illustrative: bool = False, years: tuple[int, int] = (1992, 2010)) -> Figure:
    """Lines of ``columns`` over the years (default 1992–2010).

    Args:
        frame: one row per year, with a ``x`` column (or index) and the ``columns``.
        columns: the columns to draw, one line each.
        title: the figure's title.
        ylabel: what the values are; the axis reads "ylabel (unit)".
        unit: the unit of the values.
        x: the year column (the index when the frame has no such column).
        labels: legend labels by column (default: the column names).
        source_note: the source line at the bottom.
        illustrative: add the "ILLUSTRATIVE" label and watermark.
        years: the x-axis range.

    Raises:
        InvalidValueError: a column the frame lacks.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing or not columns:
        raise InvalidValueError("column not in the frame", field="columns",
                                value=", ".join(missing) or "(none)",
                                expected="one or more of " + ", ".join(map(str, frame.columns)))
    xs = frame[x] if x in frame.columns else pd.Series(frame.index, index=frame.index)
    fig = new_figure(8.0, 5.0)
    ax = _layout(fig, footer_lines(source_note, illustrative=illustrative), right=0.72)
    for i, column in enumerate(columns):
        ax.plot(xs.to_numpy(), frame[column].to_numpy(dtype=np.float64), marker="o",
                markersize=3, linewidth=1.8, color=SERIES_COLOURS[i % len(SERIES_COLOURS)],
                label=(labels or {}).get(column, column))
    ax.set(xlim=(years[0] - 0.5, years[1] + 0.5), xlabel="Year", ylabel=f"{ylabel} ({unit})")
    ax.set_xticks(range(years[0], years[1] + 1, 2))
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)
    add_frame(fig, title=title, source_note=source_note, illustrative=illustrative,
              axes=[ax])
    return fig


def bars_chart(values: Mapping[str, float], *, title: str, unit: str,
               xlabel: str = "Change", names: Mapping[str, str] | None = None,
               top: int | None = 10, source_note: str = "Source: regionet fiscal model.",
               illustrative: bool = False) -> Figure:
    """Horizontal bars of one value per region: winners (gains) and losers (losses).

    Args:
        values: region id → value (e.g. the ``difference`` of
            :func:`regionet.engines.fiscal.run.outputs.winners_losers`).
        title: the figure's title.
        unit: the unit of the values; the axis reads "xlabel (unit)".
        xlabel: what the values are.
        names: display names by region id (default: the ids).
        top: show the ``top`` largest and ``top`` smallest values only (None: all).
        source_note: the source line at the bottom.
        illustrative: add the "ILLUSTRATIVE" label and watermark.

    Raises:
        InvalidValueError: no values.
    """
    if not values:
        raise InvalidValueError("nothing to draw", field="values", value="{}",
                                expected="at least one region with a value")
    ordered = sorted(values.items(), key=lambda kv: kv[1], reverse=True)
    if top is not None and len(ordered) > 2 * top:
        ordered = ordered[:top] + ordered[-top:]
    height = max(3.5, 1.6 + 0.22 * len(ordered))
    fig = new_figure(7.5, height)
    label_in = max(len((names or {}).get(k, k)) for k, _ in ordered) * 0.065 + 0.2
    ax = _layout(fig, footer_lines(source_note, illustrative=illustrative),
                 left=min(0.45, label_in / fig.get_figwidth()))
    ax.grid(True, axis="x", color="#e5e5e5")
    ax.grid(False, axis="y")
    numbers = np.array([v for _, v in ordered], dtype=np.float64)
    colours = np.where(numbers >= 0, SERIES_COLOURS[0], SERIES_COLOURS[1])
    ypos = np.arange(len(ordered))[::-1]
    ax.barh(ypos, numbers, color=colours, height=0.7)
    ax.set_yticks(ypos, [(names or {}).get(k, k) for k, _ in ordered], fontsize=7)
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_xlabel(f"{xlabel} ({unit})")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=SERIES_COLOURS[0], label="gain"),
                       Patch(color=SERIES_COLOURS[1], label="loss")],
              loc="lower right", fontsize=8, frameon=False)
    add_frame(fig, title=title, source_note=source_note, illustrative=illustrative,
              axes=[ax])
    return fig
