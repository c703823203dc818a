"""Geography use cases for maps: projected outlines, capitals, and GeoJSON for the web map.

The paper figures (:mod:`regionet.interfaces.figures`) draw what this module prepares, as
plain NumPy arrays in the map projection of every regionet map of Russia
(:data:`regionet.engines.geo.projection.RUSSIA_ALBERS`, km): the subjects' and the
neighbouring states' outlines (:func:`base_map`), the subjects' capitals
(:func:`capitals`) and which subjects a choropleth fills (:func:`subject_map`). The web map
takes the neighbours as GeoJSON (:func:`neighbours_geojson`); the subjects with a measure's
values come from :func:`regionet.services.measures.subjects_geojson`.

Everything is kept in the services' cache. The polygons belong to the case's folder, which
does not change while the process runs (like a bundled case), so they are read and
projected once per folder; the capitals and the subjects' types are the case's records, so
they follow the workspace's version.

Examples:
    >>> fc = neighbours_geojson(CaseSource.bundled())
    >>> fc["type"], "FI" in {f["id"] for f in fc["features"]}
    ('FeatureCollection', True)
    >>> base = base_map(CaseSource.bundled())
    >>> len(base.subjects), base.subjects[0].id, base.subjects[0].rings[0].shape[1]
    (89, 'RU-AD', 2)
    >>> x, y = capitals(CaseSource.bundled())["RU-MOW"]   # Moscow, km from 100° E, 58° N
    >>> round(x), round(y)
    (-3363, 1411)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from regionet.core.jsonsafe import json_bytes
from regionet.engines.geo.projection import RUSSIA_ALBERS, outline_pieces
from regionet.io.geojson import Feature, read_collection
from regionet.model.case import Case
from regionet.services.cache import memo
from regionet.services.case_source import CaseSource, case_folder, per_revision, per_version

__all__ = ["BaseMap", "Outline", "Point", "SubjectMap", "base_map", "capitals",
           "neighbours_geojson", "neighbours_geojson_bytes", "project", "subject_features",
           "subject_map"]

#: A projected point (x, y) in km.
Point = tuple[float, float]
FloatArray = npt.NDArray[np.float64]

_SUBJECTS = "subjects_1999.geojson"
_NEIGHBOURS = "neighbours.geojson"


def project(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Project degrees with the map projection of every regionet map of Russia (km).

    Examples:
        >>> x, y = project([100.0], [58.0])
        >>> float(x[0]), float(y[0])
        (0.0, 0.0)
    """
    return RUSSIA_ALBERS.forward(lon, lat)


def _frozen(array: FloatArray) -> FloatArray:
    """The array made read-only: cached values are shared and must never change."""
    array.flags.writeable = False
    return array


@dataclass(frozen=True)
class Outline:
    """One polygonal feature, projected.

    Attributes:
        id: the feature's id (a subject id such as ``RU-KR``, or a state's ``FI``).
        rings: every ring of every polygon (exteriors and holes), each an ``(n, 2)`` array
            of x, y in km, closed (first point = last): what a fill draws.
        borders: the outline to stroke, as ``(n, 2)`` pieces: the rings without their
            segments along the ±180° cut (Chukotka shows no seam).
        properties: the feature's properties in the file (read-only).
    """

    id: str
    rings: tuple[FloatArray, ...]
    borders: tuple[FloatArray, ...]
    properties: Mapping[str, Any]


@dataclass(frozen=True)
class BaseMap:
    """The outlines every map of the federation draws.

    Attributes:
        subjects: the 89 subjects of 1999, in the file's order (by id).
        neighbours: the neighbouring states.
        frame: ``(xmin, xmax, ymin, ymax)``: the subjects' exterior rings' extent, padded
            by 2.5 % of its width and height.
    """

    subjects: tuple[Outline, ...]
    neighbours: tuple[Outline, ...]
    frame: tuple[float, float, float, float]


def _outline(feature: Feature) -> Outline:
    rings = []
    for polygon in feature.polygons:
        for ring in polygon:
            a = np.asarray(ring, dtype=np.float64)
            x, y = project(a[:, 0], a[:, 1])
            rings.append(_frozen(np.column_stack([x, y])))
    pieces = [p for polygon in feature.polygons for ring in polygon
              for p in outline_pieces(ring)]
    borders = [_frozen(np.column_stack(project(p[:, 0], p[:, 1]))) for p in pieces]
    return Outline(feature.id, tuple(rings), tuple(borders), feature.properties)


def _frame(subjects: Sequence[Feature], pad: float = 0.025) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for f in subjects:
        for polygon in f.polygons:
            a = np.asarray(polygon[0])
            x, y = project(a[:, 0], a[:, 1])
            xs += [float(x.min()), float(x.max())]
            ys += [float(y.min()), float(y.max())]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    return (min(xs) - pad * w, max(xs) + pad * w, min(ys) - pad * h, max(ys) + pad * h)


def _layer(folder: Path, name: str) -> tuple[tuple[Feature, ...], str]:
    """The features and attribution of ``geo/name``, read once per case folder."""
    return memo("geo.layer", (("bundled", str(folder)), "bundled", name),
                lambda: read_collection(folder / "geo" / name))


def subject_features(source: CaseSource) -> tuple[tuple[Feature, ...], str]:
    """Return the subjects' features (degrees, as in the file) and the file's attribution.

    Raises:
        DataFileError: the file is missing or not a FeatureCollection.
    """
    return _layer(case_folder(source), _SUBJECTS)


def base_map(source: CaseSource) -> BaseMap:
    """Return the projected outlines of the case's subjects and neighbouring states.

    Raises:
        DataFileError: a geography file is missing or not a FeatureCollection (with the
            command that rebuilds it).
    """
    folder = case_folder(source)

    def build() -> BaseMap:
        subjects = _layer(folder, _SUBJECTS)[0]
        neighbours = _layer(folder, _NEIGHBOURS)[0]
        return BaseMap(tuple(_outline(f) for f in subjects),
                       tuple(_outline(f) for f in neighbours), _frame(subjects))

    return memo("geo.base_map", (("bundled", str(folder)), "bundled"), build)


def _capitals(case: Case) -> Mapping[str, Point]:
    points: dict[str, Point] = {}
    for actor in sorted(case.actors.values(), key=lambda a: a.id):
        lat, lon = actor.attributes.get("capital_lat"), actor.attributes.get("capital_lon")
        if isinstance(lat, float | int) and isinstance(lon, float | int):
            x, y = project([float(lon)], [float(lat)])
            points[str(actor.id)] = (float(x[0]), float(y[0]))
    return MappingProxyType(points)


def capitals(source: CaseSource) -> Mapping[str, Point]:
    """Return the projected capital of every actor with coordinates, by actor id.

    The coordinates are the case's ``capital_lat`` and ``capital_lon`` attributes (the
    subjects' capitals, GeoNames); actors without them are absent.
    """
    return per_revision(source, "geo.capitals", None, _capitals)


@dataclass(frozen=True)
class SubjectMap:
    """What a choropleth of the subjects draws.

    Units merged in 2005–08 carry their successor's polygon, so several subjects share one
    polygon: it is filled once, with the value of the krai or oblast on it, and each
    autonomous okrug on it shows its own value as a dot at its capital.

    Attributes:
        base: the outlines (:func:`base_map`).
        filled: ids of the subjects whose polygon is filled (one per polygon).
        merged: of those, the polygons that are a successor's territory (drawn hatched).
        dots: the okrugs on a shared polygon, with their capital, by id (okrugs without a
            capital are left out).
    """

    base: BaseMap
    filled: frozenset[str]
    merged: frozenset[str]
    dots: tuple[tuple[str, Point], ...]


def _subject_map(case: Case, base: BaseMap, points: Mapping[str, Point]) -> SubjectMap:
    groups: dict[str, list[str]] = defaultdict(list)
    for f in base.subjects:
        groups[str(f.properties.get("successor_2008") or f.id)].append(f.id)
    filled, dots = set(), []
    for ids in groups.values():
        main = [i for i in ids if case.actor(i).attributes.get("type") != "autonomous_okrug"]
        keep = sorted(main or ids)[0]
        filled.add(keep)
        dots += [i for i in ids if i != keep]
    merged = {f.id for f in base.subjects
              if f.id in filled and f.properties.get("geometry_basis") == "successor"}
    return SubjectMap(base, frozenset(filled), frozenset(merged),
                      tuple((i, points[i]) for i in sorted(dots) if i in points))


def subject_map(source: CaseSource) -> SubjectMap:
    """Return what a choropleth of the case's subjects draws (see :class:`SubjectMap`).

    Examples:
        >>> m = subject_map(CaseSource.bundled())
        >>> len(m.filled), len(m.merged), [i for i, _ in m.dots]
        (83, 5, ['RU-AGB', 'RU-EVE', 'RU-KOP', 'RU-KOR', 'RU-TAY', 'RU-UOB'])
    """
    base, points = base_map(source), capitals(source)
    return per_revision(source, "geo.subject_map", None,
                        lambda case: _subject_map(case, base, points))


def neighbours_geojson(source: CaseSource) -> dict[str, Any]:
    """Return the outlines of the states neighbouring the federation as a FeatureCollection.

    Each feature has ``id`` and the file's properties (``id``, ``name_en``); the collection
    carries the Natural Earth credit in ``attribution``. Geometries are in degrees (RFC 7946).

    Raises:
        DataFileError: the case's file is missing or not a FeatureCollection (with the
            command that rebuilds it).
    """
    features, attribution = _layer(case_folder(source), _NEIGHBOURS)
    return {"type": "FeatureCollection", "attribution": attribution,
            "features": [{"type": "Feature", "id": f.id, "properties": dict(f.properties),
                          "geometry": f.geometry()} for f in features]}


def neighbours_geojson_bytes(source: CaseSource) -> bytes:
    """Return :func:`neighbours_geojson` encoded as compact JSON, once per source revision."""
    return per_version(source, "geo.neighbours", None,
                       lambda: json_bytes(neighbours_geojson(source)))
