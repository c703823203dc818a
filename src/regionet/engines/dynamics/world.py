"""The world a simulation runs in: regions, partners and every tie the model may create.

The model never invents a kind of tie at run time: before it runs, the world lists every
**candidate** tie (a region with another region, with one of its associations, with a foreign
state or region, with a programme), its attributes (adjacency, distance, complementarity, a
border with the partner, a programme's area) and its **level and sublevel**, computed by the
case's classifier (:meth:`regionet.model.case.Case.classify`, memo para 10) on the tie the model
would create. The model then only switches candidates on and off.

Candidate sets (the mechanism each one follows, ``docs/dynamics.md``):

- ``bilateral``: pairs of regions ``i < j`` (all pairs up to :data:`ALL_PAIRS_UP_TO` regions;
  beyond, each region's nearest neighbours and adjacent regions);
- ``subnational``: a region and an association it belongs to (dated memberships);
- ``foreign``: a region and a foreign state or foreign region;
- ``programme``: a region and a programme or fund whose area includes it.

Examples:
    >>> world = synthetic_world(5, seed=1)
    >>> world.n, len(world.candidates["bilateral"])
    (5, 10)
    >>> sorted(world.candidates)
    ['bilateral', 'foreign', 'programme', 'subnational']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, TypeVar

import numpy as np
import numpy.typing as npt

from regionet.core.errors import InvalidValueError, UnknownActorError
from regionet.core.ids import ActorId, TieId
from regionet.core.rng import Seed, make_rng
from regionet.engines.geo.distance import distance_km
from regionet.model.actors import ActorKind
from regionet.model.case import Case
from regionet.model.levels import Level, Sublevel
from regionet.model.ties import Tie

__all__ = ["ALL_PAIRS_UP_TO", "KINDS", "LEVELS", "SUBLEVELS", "TieCandidates", "World",
           "synthetic_world", "world_from_case"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Candidate sets, in the order the model updates them.
KINDS: Final = ("bilateral", "subnational", "foreign", "programme")
#: Level codes: the classifier's levels (:class:`~regionet.model.levels.Level`).
LEVELS: Final = tuple(level.value for level in Level)
#: Sublevel codes; 0 means no sublevel (only international ties have one).
SUBLEVELS: Final = ("", *(sub.value for sub in Sublevel))
#: Up to this many regions every pair of regions is a bilateral candidate.
ALL_PAIRS_UP_TO: Final = 1500
#: Beyond :data:`ALL_PAIRS_UP_TO`, each region's nearest regions that are candidates.
NEAREST: Final = 12
_OPEN_START, _OPEN_END = 0, 9999
_A = TypeVar("_A", bound=np.ndarray)


@dataclass(frozen=True, eq=False)
class TieCandidates:
    """Every tie of one kind the model may create (arrays aligned, one entry per candidate).

    Attributes:
        kind: one of :data:`KINDS`.
        region: the region's index.
        other: the other party's index (a region, an association or a partner).
        level, sublevel: codes into :data:`LEVELS` and :data:`SUBLEVELS` (the classifier's).
        distance_km: between the parties' capitals (NaN when unknown).
        adjacent: the two regions share a border (bilateral).
        complementarity: ``|resource_i − resource_j|`` (bilateral), in [0, 1].
        border: the region borders the partner's state by land or sea (foreign).
        start, end: first and last year the candidate exists (memberships, programmes).
    """

    kind: str
    region: IntArray
    other: IntArray
    level: IntArray
    sublevel: IntArray
    distance_km: FloatArray
    adjacent: BoolArray
    complementarity: FloatArray
    border: BoolArray
    start: IntArray
    end: IntArray

    def __len__(self) -> int:
        return len(self.region)

    def exists(self, year: int) -> BoolArray:
        """True where the candidate exists in ``year``."""
        return np.asarray((self.start <= year) & (year <= self.end))

    @classmethod
    def build(cls, kind: str, region: npt.ArrayLike, other: npt.ArrayLike, *,
              level: npt.ArrayLike, sublevel: npt.ArrayLike | None = None,
              distance: npt.ArrayLike | None = None, adjacent: npt.ArrayLike | None = None,
              complementarity: npt.ArrayLike | None = None,
              border: npt.ArrayLike | None = None, start: npt.ArrayLike | None = None,
              end: npt.ArrayLike | None = None) -> TieCandidates:
        """Build from sequences; omitted attributes take their neutral value.

        Raises:
            InvalidValueError: attributes of unequal length.
        """
        k = len(np.asarray(region))

        def ints(values: npt.ArrayLike | None, default: int) -> IntArray:
            return check(np.full(k, default, dtype=np.intp) if values is None
                         else np.asarray(values, dtype=np.intp))

        def floats(values: npt.ArrayLike | None, default: float) -> FloatArray:
            return check(np.full(k, default) if values is None
                         else np.asarray(values, dtype=np.float64))

        def flags(values: npt.ArrayLike | None) -> BoolArray:
            return check(np.zeros(k, dtype=np.bool_) if values is None
                         else np.asarray(values, dtype=np.bool_))

        def check(out: _A) -> _A:
            if out.shape != (k,):
                raise InvalidValueError("candidate attributes of unequal length", field=kind,
                                        value=out.shape, expected=f"{k} values")
            return out

        return cls(kind, ints(region, 0), ints(other, 0), ints(level, 0), ints(sublevel, 0),
                   floats(distance, np.nan), flags(adjacent), floats(complementarity, 0.0),
                   flags(border), ints(start, _OPEN_START), ints(end, _OPEN_END))


@dataclass(frozen=True, eq=False)
class World:
    """Static structure of a simulation (nothing here changes while the model runs).

    Attributes:
        ids: region ids, in the order of the fiscal inputs.
        republic: ethnic republics (a sovereignty-declaring status; Treisman's leverage).
        resource: regions where the case's resource companies extract (memo para 5).
        parent: for autonomous okrugs inside a krai/oblast, the parent's index (-1 else);
            they may sign a power-sharing treaty jointly.
        border_region: regions with a land or sea border with a foreign state.
        associations: association ids (``other`` of subnational candidates).
        partners: foreign state / foreign region / programme ids (``other`` of foreign and
            programme candidates).
        matching_share: per partner, the co-financing share a region must pay (0 for none).
        candidates: by kind (:data:`KINDS`).
    """

    ids: tuple[str, ...]
    republic: BoolArray
    resource: BoolArray
    parent: IntArray
    border_region: BoolArray
    associations: tuple[str, ...]
    partners: tuple[str, ...]
    matching_share: FloatArray
    candidates: Mapping[str, TieCandidates] = field(default_factory=dict)

    @property
    def n(self) -> int:
        """Number of regions."""
        return len(self.ids)


def _year(day: object, default: int) -> int:
    return default if day is None else int(getattr(day, "year", default))


def _code(level: str, sublevel: str | None) -> tuple[int, int]:
    return LEVELS.index(level), SUBLEVELS.index(sublevel or "")


def _classify(case: Case, parties: tuple[str, str]) -> tuple[int, int]:
    """Level and sublevel codes of the tie the model would create between ``parties``."""
    tie = Tie(TieId("sim-" + "-".join(parties)), "cooperation",
              tuple(ActorId(p) for p in parties))
    c = case.classify(tie)
    return _code(c.level.value, c.sublevel.value if c.sublevel else None)


def _float(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) else float("nan")


def _split(value: object) -> list[str]:
    return [x for x in str(value or "").split(";") if x]


def _region_pairs(n: int, lat: FloatArray, lon: FloatArray) -> tuple[IntArray, IntArray]:
    if n <= ALL_PAIRS_UP_TO:
        i, j = np.triu_indices(n, k=1)
        return i.astype(np.intp), j.astype(np.intp)
    pairs: set[tuple[int, int]] = set()
    for a in range(n):  # only for large synthetic federations
        d = distance_km(lat[a], lon[a], lat, lon)
        d[a] = np.inf
        for b in np.argpartition(d, NEAREST)[:NEAREST]:
            pairs.add((min(a, int(b)), max(a, int(b))))
    ordered = sorted(pairs)
    return (np.array([p[0] for p in ordered], dtype=np.intp),
            np.array([p[1] for p in ordered], dtype=np.intp))


def world_from_case(case: Case, ids: Sequence[str], *,
                    places: Mapping[str, tuple[float, float]] | None = None,
                    parents: Mapping[str, str] | None = None) -> World:
    """Build the world of ``case`` for the regions ``ids`` (the fiscal inputs' order).

    Args:
        case: the case (actors, ties, adjacency, the level classifier).
        ids: the regions, in the order of the fiscal inputs.
        places: ``(lat, lon)`` of foreign actors (``geo/foreign_capitals.csv``); a foreign
            region without one is placed at its state's capital.
        parents: nested okrug -> parent region (``RegionTable.parent``).

    Raises:
        UnknownActorError: a region id that is not a subject of the case.
    """
    places = dict(places or {})
    index = {rid: i for i, rid in enumerate(ids)}
    subjects = []
    for rid in ids:
        actor = case.actors.get(ActorId(rid))
        if actor is None or actor.kind is not ActorKind.SUBJECT:
            raise UnknownActorError("region is not a subject of the case", field="ids",
                                    value=rid, expected="a subject id of " + case.id)
        subjects.append(actor)
    n = len(ids)
    lat = np.array([_float(a.attributes.get("capital_lat")) for a in subjects])
    lon = np.array([_float(a.attributes.get("capital_lon")) for a in subjects])
    republic = np.array([a.attributes.get("type") == "republic" for a in subjects])
    borders = [set(_split(a.attributes.get("land_border_states")))
               | set(_split(a.attributes.get("sea_border_states"))) for a in subjects]
    resource = np.zeros(n, dtype=bool)
    for actor in case.actors.values():
        if actor.kind is ActorKind.COMPANY:
            for rid in _split(actor.attributes.get("operation_regions")):
                if rid in index:
                    resource[index[rid]] = True
    parent = np.full(n, -1, dtype=np.intp)
    for child, par in (parents or {}).items():
        if child in index and par in index:
            parent[index[child]] = index[par]
    candidates = {"bilateral": _bilateral(case, ids, lat, lon, resource),
                  "subnational": TieCandidates.build("subnational", [], [], level=[])}
    associations, subnational = _subnational(case, index)
    candidates["subnational"] = subnational
    partners, matching, foreign, programme = _partners(case, ids, index, lat, lon, borders,
                                                       places)
    candidates["foreign"], candidates["programme"] = foreign, programme
    return World(tuple(ids), republic, resource, parent,
                 np.array([bool(b) for b in borders]), associations, partners, matching,
                 candidates)


def _bilateral(case: Case, ids: Sequence[str], lat: FloatArray, lon: FloatArray,
               resource: BoolArray) -> TieCandidates:
    i, j = _region_pairs(len(ids), lat, lon)
    codes = [_classify(case, (ids[a], ids[b])) for a, b in zip(i, j, strict=True)]
    adjacent = [frozenset((ids[a], ids[b])) in case.adjacency for a, b in zip(i, j, strict=True)]
    return TieCandidates.build(
        "bilateral", i.tolist(), j.tolist(), level=[c[0] for c in codes],
        sublevel=[c[1] for c in codes], distance=distance_km(lat[i], lon[i], lat[j], lon[j]),
        adjacent=adjacent, complementarity=np.abs(resource[i].astype(float)
                                                  - resource[j].astype(float)))


def _subnational(case: Case, index: Mapping[str, int]
                 ) -> tuple[tuple[str, ...], TieCandidates]:
    kinds = {a.id: a for a in case.actors.values() if a.kind is ActorKind.ASSOCIATION}
    associations = tuple(sorted(kinds))
    rows: list[tuple[int, int, int, int, tuple[int, int]]] = []
    for tie in sorted(case.ties.values(), key=lambda t: t.id):
        if tie.kind != "membership" or len(tie.actors) != 2:
            continue
        region = next((p for p in tie.actors if p in index), None)
        assoc = next((p for p in tie.actors if p in kinds), None)
        if region is None or assoc is None:
            continue
        founded = kinds[assoc].validity
        start = max(_year(tie.validity.start, _OPEN_START), _year(founded.start, _OPEN_START))
        end = min(_year(tie.validity.end, _OPEN_END), _year(founded.end, _OPEN_END))
        rows.append((index[region], associations.index(assoc), start, end,
                     _classify(case, (region, assoc))))
    return associations, TieCandidates.build(
        "subnational", [r[0] for r in rows], [r[1] for r in rows],
        level=[r[4][0] for r in rows], sublevel=[r[4][1] for r in rows],
        start=[r[2] for r in rows], end=[r[3] for r in rows])


def _programme_area(case: Case, programme: str, index: Mapping[str, int]) -> set[int]:
    """Regions a programme reaches: those tied to it in the case (or hosting a company that is)."""
    area: set[int] = set()
    for tie in case.ties.values():
        if programme not in tie.actors:
            continue
        for party in tie.actors:
            actor = case.actors.get(party)
            if party in index:
                area.add(index[party])
            elif actor is not None and actor.kind is ActorKind.COMPANY \
                    and actor.parent is not None and actor.parent in index:
                area.add(index[actor.parent])
    return area


def _partners(case: Case, ids: Sequence[str], index: Mapping[str, int], lat: FloatArray,
              lon: FloatArray, borders: Sequence[set[str]],
              places: Mapping[str, tuple[float, float]]
              ) -> tuple[tuple[str, ...], FloatArray, TieCandidates, TieCandidates]:
    foreign = sorted(a.id for a in case.actors.values()
                     if a.kind in (ActorKind.STATE, ActorKind.FOREIGN_REGION))
    multilateral = sorted(a.id for a in case.actors.values()
                          if a.kind in (ActorKind.PROGRAMME, ActorKind.FUND))
    areas = {pid: _programme_area(case, pid, index) for pid in multilateral}
    programmes = [pid for pid in multilateral if areas[pid]]
    partners = tuple(foreign + programmes)
    matching = np.zeros(len(partners))
    fi: list[int] = []
    fp: list[int] = []
    f_codes: list[tuple[int, int]] = []
    f_dist: list[float] = []
    f_border: list[bool] = []
    for p, pid in enumerate(foreign):
        actor = case.actors[ActorId(pid)]
        state = pid if actor.kind is ActorKind.STATE else str(actor.parent or "")
        place = places.get(pid) or places.get(state)
        for i, rid in enumerate(ids):
            fi.append(i)
            fp.append(p)
            f_codes.append(_classify(case, (rid, pid)))
            f_dist.append(float(distance_km(lat[i], lon[i], place[0], place[1])) if place
                          else float("nan"))
            f_border.append(state in borders[i])
    gi: list[int] = []
    gp: list[int] = []
    g_codes: list[tuple[int, int]] = []
    g_start: list[int] = []
    g_end: list[int] = []
    for k, pid in enumerate(programmes):
        p = len(foreign) + k
        actor = case.actors[ActorId(pid)]
        share = [r.value for r in case.attributes_of(pid)
                 if r.attribute == "matching_share_required"]
        matching[p] = float(share[0]) if share and isinstance(share[0], (int, float)) else 0.0
        for i in sorted(areas[pid]):
            gi.append(i)
            gp.append(p)
            g_codes.append(_classify(case, (ids[i], pid)))
            g_start.append(_year(actor.validity.start, _OPEN_START))
            g_end.append(_year(actor.validity.end, _OPEN_END))
    foreign_set = TieCandidates.build(
        "foreign", fi, fp, level=[c[0] for c in f_codes], sublevel=[c[1] for c in f_codes],
        distance=f_dist, border=f_border)
    programme_set = TieCandidates.build(
        "programme", gi, gp, level=[c[0] for c in g_codes], sublevel=[c[1] for c in g_codes],
        start=g_start, end=g_end)
    return partners, matching, foreign_set, programme_set


def synthetic_world(n: int, *, seed: Seed = 0, associations: int = 8, states: int = 12,
                    programmes: int = 2, matching_share: float = 0.5) -> World:
    """A random world of ``n`` regions (benchmarks and tests; no case behind it).

    Regions lie at random points of a Russia-sized box; adjacency links each region to its
    three nearest; each region belongs to one association; a quarter of the regions border
    one of the first half of the states (their ties with it are cross-border; other foreign
    ties are ``other``); each programme reaches a random tenth of the regions.

    Raises:
        InvalidValueError: ``n`` < 2.
    """
    if n < 2:
        raise InvalidValueError("a world needs two regions or more", field="n", value=n,
                                expected=">= 2")
    rng = make_rng(seed)
    lat, lon = rng.uniform(42, 70, n), rng.uniform(20, 180, n)
    i, j = _region_pairs(n, lat, lon)
    near: set[tuple[int, int]] = set()
    for a in range(n):
        d = distance_km(lat[a], lon[a], lat, lon)
        d[a] = np.inf
        near |= {(min(a, int(b)), max(a, int(b))) for b in np.argsort(d)[:3]}
    resource = rng.random(n) < 0.15
    bilateral = TieCandidates.build(
        "bilateral", i.tolist(), j.tolist(), level=[0] * len(i),
        distance=distance_km(lat[i], lon[i], lat[j], lon[j]),
        adjacent=[(a, b) in near for a, b in zip(i.tolist(), j.tolist(), strict=True)],
        complementarity=np.abs(resource[i].astype(float) - resource[j].astype(float)))
    member = rng.integers(0, associations, n)
    subnational = TieCandidates.build("subnational", list(range(n)), member.tolist(),
                                      level=[1] * n)
    bordering = np.where(rng.random(n) < 0.25, rng.integers(0, max(states // 2, 1), n), -1)
    slat, slon = rng.uniform(30, 70, states), rng.uniform(0, 180, states)
    fi, fp = np.repeat(np.arange(n), states), np.tile(np.arange(states), n)
    border = bordering[fi] == fp
    foreign = TieCandidates.build(
        "foreign", fi.tolist(), fp.tolist(), level=[2] * len(fi),
        sublevel=np.where(fp < states // 2, 1, 3).tolist(),
        distance=distance_km(lat[fi], lon[fi], slat[fp], slon[fp]), border=border.tolist())
    pi: list[int] = []
    pp: list[int] = []
    for k in range(programmes):
        area = np.flatnonzero(rng.random(n) < 0.1)
        pi += area.tolist()
        pp += [states + k] * len(area)
    programme = TieCandidates.build("programme", pi, pp, level=[2] * len(pi),
                                    sublevel=[2] * len(pi))
    matching = np.concatenate([np.zeros(states), np.full(programmes, matching_share)])
    return World(tuple(f"R{k:05d}" for k in range(n)), rng.random(n) < 0.2, resource,
                 np.full(n, -1, dtype=np.intp), np.isin(np.arange(n), np.flatnonzero(
                     bordering >= 0)), tuple(f"A{k}" for k in range(associations)),
                 tuple([f"S{k}" for k in range(states)] + [f"P{k}" for k in range(programmes)]),
                 matching, {"bilateral": bilateral, "subnational": subnational,
                            "foreign": foreign, "programme": programme})


def region_index(world: World, ids: Iterable[str]) -> IntArray:
    """Indices of ``ids`` in the world (raises UnknownActorError with a suggestion)."""
    index = {rid: k for k, rid in enumerate(world.ids)}
    out = []
    for rid in ids:
        if rid not in index:
            raise UnknownActorError("region not in the world", value=rid,
                                    expected="one of the world's region ids")
        out.append(index[rid])
    return np.array(out, dtype=np.intp)
