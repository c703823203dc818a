"""Charts of Monte Carlo runs: fan charts over the years, and observed patterns against runs.

A **fan** is one output over the years summarized over seeds: its median as a line, the
25–75 % band darker, the 5–95 % band lighter. :func:`fan_chart` draws panels of fans (say one
per scenario, or one per level); :func:`pattern_chart` puts each observed pattern's range
beside the runs' mean and 10–90 % spread, on a common scale where the observed range is
[−1, 1]. Both take plain numbers from the services (e.g. the summary of
:func:`regionet.services.dynamics_summary.dynamics_section`) and share the frame of
:mod:`regionet.interfaces.figures.charts`.

Examples:
    >>> fan = Fan("ties", (1991, 1992), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6))
    >>> fig = fan_chart([("as-described", [fan])], title="Ties", ylabel="ties",
    ...                 source_note="Source: test")
    >>> fig.get_suptitle(), len(fig.axes)
    ('Ties', 1)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from regionet.core.errors import InvalidValueError
from regionet.interfaces.figures.charts import (
    SERIES_COLOURS,
    add_frame,
    footer_height,
    footer_lines,
    new_figure,
)

__all__ = ["Fan", "fan_chart", "pattern_chart"]

_OBSERVED = "#9ecae1"


@dataclass(frozen=True)
class Fan:
    """One output over the years, summarized over seeds.

    Attributes:
        label: the legend label.
        years: the years, in order.
        q05, q25, q50, q75, q95: the quantiles over the seeds, one per year.
        colour: the line and band colour (a level's colour, or a series colour).
    """

    label: str
    years: Sequence[int]
    q05: Sequence[float]
    q25: Sequence[float]
    q50: Sequence[float]
    q75: Sequence[float]
    q95: Sequence[float]
    colour: str = SERIES_COLOURS[0]


def fan_chart(panels: Sequence[tuple[str, Sequence[Fan]]], *, title: str, ylabel: str,
              source_note: str, columns: int | None = None, illustrative: bool = False,
              share_y: bool = True) -> Figure:
    """Panels of fans: medians as lines, 25–75 % and 5–95 % bands around them.

    Args:
        panels: ``(panel title, fans)`` in reading order (left to right, then down).
        title: the figure's title.
        ylabel: what the values are (the left panels' axis).
        source_note: the source line at the bottom.
        columns: panels per row (default: all in one row, up to 3).
        illustrative: add the "ILLUSTRATIVE" label and watermark.
        share_y: one y range for every panel (to compare them).

    Raises:
        InvalidValueError: no panel, or a fan whose quantiles do not match its years.
    """
    if not panels:
        raise InvalidValueError("nothing to draw", field="panels", value="[]",
                                expected="at least one panel of fans")
    for _, fans in panels:
        for fan in fans:
            lengths = {len(q) for q in (fan.q05, fan.q25, fan.q50, fan.q75, fan.q95)}
            if lengths != {len(fan.years)}:
                raise InvalidValueError("quantiles do not match the years", field=fan.label,
                                        value=sorted(lengths), expected=f"{len(fan.years)} "
                                        "values per quantile, one per year")
    cols = columns or min(len(panels), 3)
    rows = math.ceil(len(panels) / cols)
    lines = footer_lines(source_note, illustrative=illustrative)
    # Sizes in inches: the title and the legend above the panels, the footer below.
    cell_w, cell_h = (3.1, 2.4) if len(panels) > 1 else (6.0, 3.4)
    left = 0.65
    fig = new_figure(max(6.5, left + cell_w * cols + 0.2), 1.0)
    legend_cols = max(1, min(len(panels[0][1]), int(fig.get_figwidth() / 3.2)))
    head = 0.5 + 0.2 * math.ceil(len(panels[0][1]) / legend_cols)
    foot = footer_height(fig, lines) * fig.get_figheight() + 0.1  # inches
    fig.set_figheight(head + cell_h * rows + foot)
    width, height = fig.get_figwidth(), fig.get_figheight()
    top_value = max(max(f.q95) for _, fans in panels for f in fans if len(f.q95))
    axes = []
    for k, (name, fans) in enumerate(panels):
        r, c = divmod(k, cols)
        x0 = left + c * cell_w
        y0 = foot + (rows - r - 1) * cell_h + 0.35
        ax = fig.add_axes((x0 / width, y0 / height, (cell_w - 0.4) / width,
                           (cell_h - 0.7) / height))
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(True, color="#e5e5e5", linewidth=0.6)
        ax.set_axisbelow(True)
        for fan in fans:
            x = np.asarray(fan.years, dtype=np.float64)
            ax.fill_between(x, fan.q05, fan.q95, color=fan.colour, alpha=0.15, linewidth=0)
            ax.fill_between(x, fan.q25, fan.q75, color=fan.colour, alpha=0.3, linewidth=0)
            ax.plot(x, fan.q50, color=fan.colour, linewidth=1.6, label=fan.label)
        ax.set_title(name, fontsize=9, loc="left")
        ax.tick_params(labelsize=7)
        if share_y:
            ax.set_ylim(0, top_value * 1.05 if top_value > 0 else 1)
        if c == 0:
            ax.set_ylabel(ylabel, fontsize=8)
        axes.append(ax)
    handles, labels = axes[0].get_legend_handles_labels()
    if len(labels) > 1 or len(panels) > 1:
        fig.legend(handles, [f"{label} (median; 25–75 %, 5–95 %)" if i == 0 else label
                             for i, label in enumerate(labels)], loc="upper left",
                   bbox_to_anchor=(left / width, 1 - 0.4 / height), ncols=legend_cols,
                   fontsize=7.5, frameon=False)
    add_frame(fig, title=title, source_note=source_note, illustrative=illustrative,
              axes=axes)
    return fig


def pattern_chart(checks: pd.DataFrame, *, title: str, source_note: str,
                  illustrative: bool = False) -> Figure:
    """Each observed pattern's range beside the runs' mean and 10–90 % spread.

    One row per check. Values are placed on a common scale, ``(value − centre) /
    half-width`` of the observed range, so the range is [−1, 1] for every pattern whatever its
    unit (a pattern with a single observed value gets the half-width the distance uses); the
    numbers themselves are written at the right.

    Args:
        checks: rows of :func:`regionet.services.dynamics.check_patterns`: ``target, label,
            low, high, mean, q10, q90, passed``.
        title: the figure's title.
        source_note: the source line at the bottom.
        illustrative: add the "ILLUSTRATIVE" label and watermark.

    Raises:
        InvalidValueError: no checks.
    """
    if checks.empty:
        raise InvalidValueError("nothing to draw", field="checks", value="(none)",
                                expected="at least one pattern check")
    n = len(checks)
    fig = new_figure(9.0, 1.5 + 0.3 * n)
    lines = footer_lines(source_note, illustrative=illustrative)
    bottom = footer_height(fig, lines) + 0.45 / fig.get_figheight()
    top = 1.0 - 0.65 / fig.get_figheight()
    ax = fig.add_axes((0.3, bottom, 0.42, top - bottom))
    ax.spines[["top", "right", "left"]].set_visible(False)
    centre = (checks["low"] + checks["high"]) / 2
    half = (checks["high"] - checks["low"]) / 2
    scale = half.where(half > 0, np.maximum(centre.abs() * 0.05, 0.5))
    y = np.arange(n)[::-1]
    ax.axvspan(-1, 1, color=_OBSERVED, alpha=0.5, linewidth=0, label="observed range")
    ax.axvline(0, color="#6b8fb3", linewidth=0.6)
    where = ((checks[["mean", "q10", "q90"]].sub(centre, axis=0)).div(scale, axis=0)
             .clip(-4, 4))
    colours = np.where(checks["passed"], SERIES_COLOURS[0], SERIES_COLOURS[1])
    ax.hlines(y, where["q10"], where["q90"], color=colours, linewidth=1.4)
    ax.scatter(where["mean"], y, color=colours, s=22, zorder=3)
    names = [f"{t.replace('_', ' ')} ({lab})" if lab not in t else t.replace("_", " ")
             for t, lab in zip(checks["target"], checks["label"], strict=True)]
    ax.set_yticks(y, names, fontsize=7)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_xlim(-4.3, 4.3)
    ax.set_xticks([-4, -2, -1, 0, 1, 2, 4], ["≤ −4", "−2", "−1", "0", "1", "2", "≥ 4"],
                  fontsize=7)
    ax.set_xlabel("position against the observed range (−1 to 1: inside)", fontsize=8)
    for yy, (_, r) in zip(y, checks.iterrows(), strict=True):
        observed = f"{r['low']:.3g}" if r["low"] == r["high"] else \
            f"{r['low']:.3g}–{r['high']:.3g}"
        ax.text(4.6, yy, f"observed {observed}; runs {r['mean']:.3g} "
                         f"({r['q10']:.3g}–{r['q90']:.3g})", fontsize=6.5, va="center",
                ha="left", clip_on=False)
    from matplotlib.lines import Line2D

    ax.legend(handles=[
        Line2D([], [], color=_OBSERVED, linewidth=6, label="observed range"),
        Line2D([], [], color=SERIES_COLOURS[0], marker="o", label="runs: mean, 10–90 %; in "
               "range"),
        Line2D([], [], color=SERIES_COLOURS[1], marker="o", label="out of range")],
        loc="lower left", bbox_to_anchor=(0, 1.0), ncols=3, fontsize=7, frameon=False)
    add_frame(fig, title=title, source_note=source_note, illustrative=illustrative,
              axes=[ax])
    return fig
