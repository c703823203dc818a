"""Maps of cooperation ties: arcs between administrative centres, coloured by level.

Where each party is drawn: a member of the federation at its capital (a company at its
registration region's); the centre and its agencies at Moscow; an association at the mean
position of its members' capitals (a drawing convention, not a seat); a foreign state,
foreign region or multilateral body at its capital or seat from
``geo/foreign_capitals.csv`` (GeoNames coordinates). Parties without a place are left out
and counted in the footer.

Examples:
    >>> fig = tie_map(levels=["bilateral"])
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][0]
    'bilateral (3)'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations, product

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from regionet.core.errors import UnknownReferenceError, closest
from regionet.engines.geo.arcs import bezier_arcs, clip_to_box
from regionet.interfaces.figures.charts import (
    GEO_CREDITS,
    LEVEL_COLOURS,
    LEVEL_LABELS,
    add_frame,
    footer_height,
    footer_lines,
    new_figure,
)
from regionet.interfaces.figures.maps import (
    NEIGHBOUR_FILL,
    Point,
    base_axes,
    capital_point,
    case_or_bundled,
    project,
    russia_frame,
)
from regionet.io.geojson import read_places
from regionet.model.actors import ActorKind
from regionet.model.case import Case
from regionet.model.levels import Classification, Side, Sublevel

__all__ = ["DEFAULT_LEVELS", "tie_map"]

#: The levels a tie map draws by default: the memo's three levels and vertical ties (not
#: interstate, federal or external ties).
DEFAULT_LEVELS = ("bilateral", "subnational", "cross-border", "trans-regional",
                  "non-adjacent", "vertical")


def _class(c: Classification) -> str:
    return c.sublevel.value if c.sublevel is not None else c.level.value


def _levels(levels: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for name in levels:
        if name == "international":
            out |= {s.value for s in Sublevel}
        elif name in LEVEL_COLOURS:
            out.add(name)
        else:
            near = closest(name, [*LEVEL_COLOURS, "international"])
            raise UnknownReferenceError(
                "unknown level", field="levels", value=name,
                expected="one of international, " + ", ".join(LEVEL_COLOURS),
                hint=f"Did you mean {', '.join(near)}?" if near else None)
    return out


class _Positions:
    """Where each party of a tie is drawn, in projected coordinates."""

    def __init__(self, case: Case, centre_at: str) -> None:
        self.case, self.fed = case, case.federation_model
        self.places = read_places()
        self.centre = capital_point(case, centre_at)
        self.centre_name = str(case.actor(centre_at).attributes.get("capital_en") or centre_at)
        self.members_of: dict[str, set[str]] = defaultdict(set)
        for tie in case.ties.values():
            sides = [self.fed.side(a) for a in tie.actors]
            for a, (side, _) in zip(tie.actors, sides, strict=True):
                if side == "association":
                    self.members_of[a] |= {m for s, m in sides if s == "member" and m}

    def member(self, actor_id: str) -> str | None:
        side, member = self.fed.side(actor_id)
        return member if side == "member" else None

    def locate(self, actor_id: str) -> tuple[str, Point, str] | None:
        """Return (key, point, kind) of a non-member party, or None when it has no place."""
        side, _ = self.fed.side(actor_id)
        if side == "centre":
            return ("centre", self.centre, "centre") if self.centre else None
        if side == "association":
            pts = [p for m in sorted(self.members_of[actor_id])
                   if (p := capital_point(self.case, m)) is not None]
            if not pts:
                return None
            return actor_id, (float(np.mean([p[0] for p in pts])),
                              float(np.mean([p[1] for p in pts]))), "association"
        actor = self.case.actor(actor_id)
        place = self.places.get(actor_id)
        if place is None and actor.kind is ActorKind.FOREIGN_REGION and actor.parent:
            place = self.places.get(actor.parent)  # a region without a place: its state's
        if place is None or side not in (Side.FOREIGN, Side.STRUCTURE, Side.MULTILATERAL):
            return None
        x, y = project([place.lon], [place.lat])
        return actor_id, (float(x[0]), float(y[0])), "foreign"

    def label(self, key: str, kind: str) -> str:
        if kind == "centre":
            return f"{self.centre_name} (centre)"
        name = self.case.actor(key).name_en
        if kind == "association":
            return name.replace(" Association", "").replace("Association ", "")
        short = name[name.rfind("(") + 1:-1] if name.endswith(")") else ""
        return short if short.isupper() and " " not in short else name  # "(NEFCO)"


def tie_map(case: Case | None = None, *, levels: Iterable[str] = DEFAULT_LEVELS,
            year: int | None = None, title: str | None = None,
            source_note: str | None = None, centre_at: str = "RU-MOW",
            reach: float = 0.2) -> Figure:
    """Draw ties as arcs between administrative centres, coloured by level.

    Members are drawn at their capital; the centre (and its agencies) at ``centre_at``'s
    capital (Moscow); an association at the mean position of its members' capitals; a
    foreign state, foreign region or multilateral body at its capital or seat
    (``geo/foreign_capitals.csv``, GeoNames). A partner farther than ``reach`` × the map's
    size beyond Russia's frame is placed on the map's edge, in its direction. Parties with
    no place (e.g. Interreg programmes) are left out; the footer counts the ties not drawn.
    A bilateral tie draws every pair of members; other ties join each member (a tie's
    location when it stands in for one) to each partner, and ties without a member join
    every pair of partners.

    Args:
        case: the case (default: the bundled one).
        levels: keys of :data:`~regionet.interfaces.figures.charts.LEVEL_COLOURS`, or
            ``international`` for its three sublevels.
        year: only ties whose dates touch the year (undated ties are always drawn).
        title: the figure's title (default names the year).
        source_note: the source line (default: the case's ties and what was left out).
        centre_at: the subject whose capital stands for the federal centre.
        reach: how far beyond Russia's frame partners are still drawn in place.

    Raises:
        UnknownReferenceError: an unknown level (with suggestions).
    """
    case = case_or_bundled(case)
    pos = _Positions(case, centre_at)
    got = _collect(case, pos, _levels(levels), year)
    frame = _tie_frame([p for p, _ in got.ends.values()], reach)
    when = (f"Ties whose dates touch {year}; undated ties are always drawn." if year
            else "All ties, whatever their dates.")
    if got.skipped:
        when += (f" Not drawn: {got.skipped} tie(s) with no partner on the map ("
                 + ", ".join(sorted(got.missing)) + ").")
    note = source_note or (f"Ties: regionet case {case.id}, ties.csv (each tie sourced; "
                           "A. Sergounin, PONARS Policy Memo 59, 1999, and reference tables)."
                           f"\n{when}")
    fig = new_figure(11.0, 7.0)
    bottom = footer_height(fig, footer_lines(note, GEO_CREDITS)) + 0.02
    ax = base_axes(fig, (0.01, bottom, 0.98, 0.92 - bottom), frame, "#fbfbf8")
    inset = 0.01 * (frame[1] - frame[0])  # markers on the edge stay whole
    box = (frame[0] + inset, frame[1] - inset, frame[2] + inset, frame[3] - inset)
    for order, (key, pairs) in enumerate(sorted(got.arcs.items(), key=_draw_order)):
        a, b = np.asarray([p for p, _ in pairs]), np.asarray([q for _, q in pairs])
        bx, by, _ = clip_to_box(a[:, 0], a[:, 1], b[:, 0], b[:, 1], box)
        x, y = bezier_arcs(a[:, 0], a[:, 1], bx, by, bend=0.12, n=24)
        thin = key == "subnational"
        ax.add_collection(LineCollection(list(np.stack([x, y], axis=-1)),
                                         colors=LEVEL_COLOURS[key],
                                         linewidths=0.6 if thin else 1.2,
                                         alpha=0.55 if thin else 0.85, zorder=6 + order / 10))
    handles: list[Patch | Line2D] = [
        Line2D([], [], color=LEVEL_COLOURS[k], linewidth=2,
               label=f"{LEVEL_LABELS[k]} ({got.counts[k]})")
        for k in LEVEL_COLOURS if got.counts.get(k)]
    handles += _draw_places(ax, case, pos, got, box)
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False,
              title="Level (number of ties)", title_fontsize=7)
    add_frame(fig, title=title or ("Cooperation ties of Russia's regions"
                                   + (f", {year}" if year else "")),
              source_note=note, credits=GEO_CREDITS)
    return fig


def _draw_order(item: tuple[str, object]) -> int:
    return list(LEVEL_COLOURS).index(item[0])


@dataclass
class _Collected:
    """The arcs of a tie map and what was left out."""

    arcs: dict[str, list[tuple[Point, Point]]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ends: dict[str, tuple[Point, str]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    skipped: int = 0


def _collect(case: Case, pos: _Positions, wanted: set[str], year: int | None) -> _Collected:
    got = _Collected()
    for tie in case.select_ties(year=year):
        c = case.classify(tie)
        key = _class(c)
        if key not in wanted:
            continue
        members = [(m, p) for m in c.members if (p := capital_point(case, m)) is not None]
        others: dict[str, tuple[str, Point, str]] = {}
        for a in tie.actors:
            found = None if pos.member(a) else pos.locate(a)
            if found is not None:
                others[found[0]] = found
            elif not pos.member(a):
                got.missing.add(a)
        if key == "bilateral":
            pairs = [(a[1], b[1]) for a, b in combinations(members, 2)]
        elif not members:  # external, interstate, federal, the federation's memberships
            pairs = [(a[1], b[1]) for a, b in combinations(others.values(), 2)]
        else:
            pairs = [(m[1], o[1]) for m, o in product(members, others.values())]
        if not pairs:
            got.skipped += 1
            continue
        got.counts[key] += 1
        got.arcs[key] += pairs
        got.used |= {m for m, _ in members}
        got.ends.update({k: (p, kind) for k, p, kind in others.values()})
    return got


def _tie_frame(partners: Sequence[Point], reach: float) -> list[float]:
    """Russia's frame, widened to the partners within ``reach`` × its size of it."""
    x0, x1, y0, y1 = russia_frame()
    w, h = x1 - x0, y1 - y0
    near = [p for p in partners if x0 - reach * w <= p[0] <= x1 + reach * w
            and y0 - reach * h <= p[1] <= y1 + reach * h]
    return [min([x0, *(p[0] for p in near)]) - 0.02 * w,
            max([x1, *(p[0] for p in near)]) + 0.02 * w,
            min([y0, *(p[1] for p in near)]) - 0.03 * h,
            max([y1, *(p[1] for p in near)]) + 0.03 * h]


def _draw_places(ax: Axes, case: Case, pos: _Positions, got: _Collected,
                 box: tuple[float, float, float, float]) -> list[Patch | Line2D]:
    caps = [p for m in sorted(got.used) if (p := capital_point(case, m)) is not None]
    ax.scatter([p[0] for p in caps], [p[1] for p in caps], s=7, c="#222222", zorder=9)
    style = {"foreign": ("o", "white", 26), "association": ("D", "#009E73", 24),
             "centre": ("*", "#E69F00", 110), "edge": (">", "white", 26)}
    starts = {q: p for pairs in got.arcs.values() for p, q in pairs}
    labels: dict[tuple[int, int], list[str]] = defaultdict(list)
    at: dict[tuple[int, int], Point] = {}
    kinds: set[str] = set()
    below: set[tuple[int, int]] = set()  # the centre's label goes under it, clear of the
    #                                      associations around Moscow
    for key, (point, kind) in sorted(got.ends.items()):
        start = starts.get(point, point)
        x, y, moved = clip_to_box([start[0]], [start[1]], [point[0]], [point[1]], box)
        kinds.add("edge" if moved[0] else kind)
        marker, face, size = style["edge" if moved[0] else kind]
        ax.scatter(x, y, marker=marker, s=size, c=face, edgecolors="#222222",
                   linewidths=0.7, zorder=10)
        cell = (round(float(x[0]) / 40), round(float(y[0]) / 40))
        at[cell] = (float(x[0]), float(y[0]))
        labels[cell].append(pos.label(key, kind))
        if kind == "centre":
            below.add(cell)
    for cell, names in labels.items():
        ax.annotate(", ".join(dict.fromkeys(names)), at[cell],
                    xytext=(5, -9 if cell in below else 3),
                    textcoords="offset points", fontsize=6.5, color="#222222", zorder=11)
    text = {"centre": f"federal centre ({pos.centre_name})",
            "association": "association: mean of its members' capitals",
            "foreign": "foreign partner: capital or seat (GeoNames)",
            "edge": "partner beyond the map's edge, in its direction"}
    handles: list[Patch | Line2D] = [Line2D([], [], marker="o", linestyle="", markersize=3,
                                            color="#222222", label="capital of a subject")]
    handles += [Line2D([], [], marker=style[k][0], linestyle="", markerfacecolor=style[k][1],
                       markeredgecolor="#222222", label=text[k]) for k in text if k in kinds]
    return [*handles, Patch(facecolor=NEIGHBOUR_FILL, label="neighbouring state")]
