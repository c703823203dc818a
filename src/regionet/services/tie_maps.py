"""The tie map's data: arcs between administrative centres, by level, ready to draw.

Where each party is drawn: a member of the federation at its capital (a company at its
registration region's); the centre and its agencies at Moscow; an association at the mean
position of its members' capitals (a drawing convention, not a seat); a foreign state,
foreign region or multilateral body at its capital or seat from
``geo/foreign_capitals.csv`` (GeoNames coordinates). Parties without a place are left out
and counted. The figure (:func:`regionet.interfaces.figures.tie_map`) draws what
:func:`tie_arcs` returns; the result is kept in the services' cache per source version.

Examples:
    >>> arcs = tie_arcs(CaseSource.bundled(), levels=["bilateral"])
    >>> [(a.level, a.ties, a.arcs.shape) for a in arcs.levels]
    [('bilateral', 3, (3, 24, 2))]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, product
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from regionet.core.errors import UnknownReferenceError, closest
from regionet.engines.geo.arcs import bezier_arcs, clip_to_box
from regionet.io.geojson import Place, read_places
from regionet.model.actors import ActorKind
from regionet.model.case import Case
from regionet.model.levels import Classification, Side, Sublevel
from regionet.services.cache import memo
from regionet.services.case_source import CaseSource, case_folder, per_revision
from regionet.services.geo import BaseMap, Point, base_map, capitals, project

__all__ = ["DEFAULT_LEVELS", "TIE_MAP_LEVELS", "LevelArcs", "PlaceKind", "TieArcs",
           "TiePlace", "tie_arcs"]

#: The keys a tie map colours, in drawing order: the levels, with the international level
#: split into its sublevels.
TIE_MAP_LEVELS: Final = ("bilateral", "subnational", "cross-border", "trans-regional",
                         "non-adjacent", "vertical", "interstate", "federal", "external")
#: The levels a tie map draws by default: the memo's three levels and vertical ties (not
#: interstate, federal or external ties).
DEFAULT_LEVELS: Final = TIE_MAP_LEVELS[:6]

#: How a party other than a member is drawn.
PlaceKind = Literal["centre", "association", "foreign"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LevelArcs:
    """The arcs of one level.

    Attributes:
        level: a key of :data:`TIE_MAP_LEVELS`.
        ties: how many ties gave arcs.
        arcs: shape ``(k, n, 2)``: each arc's points (x, y in km), a quadratic Bézier curve
            bending left by 0.12 × its chord, its end moved onto the frame's edge when the
            partner lies beyond it.
    """

    level: str
    ties: int
    arcs: FloatArray


@dataclass(frozen=True)
class TiePlace:
    """A party other than a member, where its marker goes.

    Attributes:
        key: the actor id (``centre`` for the federal centre).
        label: its short label (an association without "Association", an organization by
            its acronym).
        kind: centre, association or foreign.
        point: where the marker goes (x, y in km): on the frame's edge when ``beyond``.
        beyond: True when the party lies beyond the frame (drawn on its edge, in its
            direction).
    """

    key: str
    label: str
    kind: PlaceKind
    point: Point
    beyond: bool


@dataclass(frozen=True)
class TieArcs:
    """Everything a tie map draws.

    Attributes:
        case_id: the case's id.
        year: only ties whose dates touch this year (None: all ties).
        base: the outlines (:func:`regionet.services.geo.base_map`).
        frame: ``(xmin, xmax, ymin, ymax)``: Russia's frame widened to the partners within
            ``reach``.
        levels: the levels with arcs, in the order of :data:`TIE_MAP_LEVELS`.
        members: shape ``(m, 2)``: the capitals of the members the arcs join, by id.
        places: the other parties, by key.
        centre_name: the city standing for the federal centre (``Moscow``).
        skipped: ties of the chosen levels with no arc (no partner on the map).
        missing: the parties without a place, sorted.
    """

    case_id: str
    year: int | None
    base: BaseMap
    frame: tuple[float, float, float, float]
    levels: tuple[LevelArcs, ...]
    members: FloatArray
    places: tuple[TiePlace, ...]
    centre_name: str
    skipped: int
    missing: tuple[str, ...]


def _key(c: Classification) -> str:
    return c.sublevel.value if c.sublevel is not None else c.level.value


def _levels(levels: Iterable[str]) -> frozenset[str]:
    out: set[str] = set()
    for name in levels:
        if name == "international":
            out |= {s.value for s in Sublevel}
        elif name in TIE_MAP_LEVELS:
            out.add(name)
        else:
            near = closest(name, [*TIE_MAP_LEVELS, "international"])
            raise UnknownReferenceError(
                "unknown level", field="levels", value=name,
                expected="one of international, " + ", ".join(TIE_MAP_LEVELS),
                hint=f"Did you mean {', '.join(near)}?" if near else None)
    return frozenset(out)


class _Positions:
    """Where each party of a tie is drawn, in projected coordinates."""

    def __init__(self, case: Case, capitals: Mapping[str, Point], places: Mapping[str, Place],
                 centre_at: str) -> None:
        self.case, self.fed, self.capitals, self.places = (case, case.federation_model,
                                                           capitals, places)
        self.centre = capitals.get(centre_at)
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

    def locate(self, actor_id: str) -> tuple[str, Point, PlaceKind] | None:
        """Return (key, point, kind) of a non-member party, or None when it has no place."""
        side, _ = self.fed.side(actor_id)
        if side == "centre":
            return ("centre", self.centre, "centre") if self.centre else None
        if side == "association":
            pts = [p for m in sorted(self.members_of[actor_id])
                   if (p := self.capitals.get(m)) is not None]
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

    def label(self, key: str, kind: PlaceKind) -> str:
        if kind == "centre":
            return f"{self.centre_name} (centre)"
        name = self.case.actor(key).name_en
        if kind == "association":
            return name.replace(" Association", "").replace("Association ", "")
        short = name[name.rfind("(") + 1:-1] if name.endswith(")") else ""
        return short if short.isupper() and " " not in short else name  # "(NEFCO)"


@dataclass
class _Collected:
    """The arcs' end points and what was left out."""

    arcs: dict[str, list[tuple[Point, Point]]] = field(default_factory=lambda: defaultdict(list))
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ends: dict[str, tuple[Point, PlaceKind]] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    skipped: int = 0


def _collect(case: Case, pos: _Positions, wanted: frozenset[str],
             year: int | None) -> _Collected:
    got = _Collected()
    for tie in case.select_ties(year=year):
        c = case.classify(tie)
        key = _key(c)
        if key not in wanted:
            continue
        members = [(m, p) for m in c.members if (p := pos.capitals.get(m)) is not None]
        others: dict[str, tuple[str, Point, PlaceKind]] = {}
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


def _tie_frame(russia: Sequence[float], partners: Sequence[Point],
               reach: float) -> tuple[float, float, float, float]:
    """Russia's frame, widened to the partners within ``reach`` × its size of it."""
    x0, x1, y0, y1 = russia
    w, h = x1 - x0, y1 - y0
    near = [p for p in partners if x0 - reach * w <= p[0] <= x1 + reach * w
            and y0 - reach * h <= p[1] <= y1 + reach * h]
    return (min([x0, *(p[0] for p in near)]) - 0.02 * w,
            max([x1, *(p[0] for p in near)]) + 0.02 * w,
            min([y0, *(p[1] for p in near)]) - 0.03 * h,
            max([y1, *(p[1] for p in near)]) + 0.03 * h)


def _read_only(array: FloatArray) -> FloatArray:
    array.flags.writeable = False
    return array


def _arcs(case: Case, base: BaseMap, points: Mapping[str, Point], places: Mapping[str, Place],
          wanted: frozenset[str], year: int | None, centre_at: str, reach: float) -> TieArcs:
    pos = _Positions(case, points, places, centre_at)
    got = _collect(case, pos, wanted, year)
    frame = _tie_frame(base.frame, [p for p, _ in got.ends.values()], reach)
    inset = 0.01 * (frame[1] - frame[0])  # markers on the edge stay whole
    box = (frame[0] + inset, frame[1] - inset, frame[2] + inset, frame[3] - inset)
    levels = []
    for key in TIE_MAP_LEVELS:
        pairs = got.arcs.get(key)
        if not pairs:
            continue
        a, b = np.asarray([p for p, _ in pairs]), np.asarray([q for _, q in pairs])
        bx, by, _ = clip_to_box(a[:, 0], a[:, 1], b[:, 0], b[:, 1], box)
        x, y = bezier_arcs(a[:, 0], a[:, 1], bx, by, bend=0.12, n=24)
        levels.append(LevelArcs(key, got.counts[key],
                                _read_only(np.stack([x, y], axis=-1))))
    starts = {q: p for pairs in got.arcs.values() for p, q in pairs}
    placed = []
    for key, (point, kind) in sorted(got.ends.items()):
        start = starts.get(point, point)
        x, y, moved = clip_to_box([start[0]], [start[1]], [point[0]], [point[1]], box)
        placed.append(TiePlace(key, pos.label(key, kind), kind, (float(x[0]), float(y[0])),
                               bool(moved[0])))
    members = np.asarray([points[m] for m in sorted(got.used) if m in points],
                         dtype=np.float64).reshape(-1, 2)
    return TieArcs(case.id, year, base, frame, tuple(levels), _read_only(members),
                   tuple(placed), pos.centre_name, got.skipped, tuple(sorted(got.missing)))


def tie_arcs(source: CaseSource, *, levels: Iterable[str] = DEFAULT_LEVELS,
             year: int | None = None, centre_at: str = "RU-MOW",
             reach: float = 0.2) -> TieArcs:
    """Return the arcs of the case's ties, by level, and the places they join.

    A bilateral tie gives an arc for every pair of its members; any other tie joins each
    member (a tie's location when it stands in for one) to each located partner, and a tie
    without a member (external, interstate, federal) every pair of its partners. A
    partner farther than ``reach`` × the map's size beyond Russia's frame is placed on the
    frame's edge, in its direction. Parties with no place (e.g. Interreg programmes) are
    left out; ties left with no arc are counted in ``skipped``.

    Args:
        source: the case source (a workspace's own ties and capitals are drawn).
        levels: keys of :data:`TIE_MAP_LEVELS`, or ``international`` for its three
            sublevels.
        year: only ties whose dates touch the year (undated ties are always drawn).
        centre_at: the subject whose capital stands for the federal centre.
        reach: how far beyond Russia's frame partners are still drawn in place.

    Raises:
        UnknownReferenceError: an unknown level (with suggestions).
    """
    wanted = _levels(levels)
    base, points = base_map(source), capitals(source)
    folder = case_folder(source)
    places = memo("geo.places", (("bundled", str(folder)), "bundled"),
                  lambda: read_places(folder))
    return per_revision(source, "tie_map.arcs", (wanted, year, centre_at, reach),
                        lambda case: _arcs(case, base, points, places, wanted, year,
                                           centre_at, reach))
