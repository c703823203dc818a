"""Reading the bundled geography: GeoJSON polygons and point tables, as plain Python data.

A case's ``geo/`` folder holds ``subjects_1999.geojson`` (the 89 subjects of 1999),
``neighbours.geojson`` (the neighbouring states) and ``foreign_capitals.csv`` (where foreign
partners and multilateral bodies are drawn). This module turns them into
:class:`Feature` and :class:`Place` records: rings are tuples of ``(lon, lat)`` in degrees,
as in the file. No geopandas or shapely is needed at run time. The files are produced by
``python scripts/build_geodata.py`` (see docs/geodata.md); a missing file says so.

Nothing is cached here: every call reads the file. The services keep what they read in their
one cache (:func:`regionet.services.geo.base_map`).

Examples:
    >>> subjects = read_subjects("russia-1990s")
    >>> len(subjects), subjects[0].id, subjects[0].properties["geometry_basis"]
    (89, 'RU-AD', 'own')
    >>> lon, lat = subjects[0].polygons[0][0][0]
    >>> 38 < lon < 41 and 43 < lat < 46
    True
    >>> read_places("russia-1990s")["FI"].name
    'Helsinki'
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from regionet.cases import DEFAULT_CASE
from regionet.core.errors import DataFileError, InvalidValueError
from regionet.io.case_folders import case_directory
from regionet.io.tables import read_rows

__all__ = [
    "REBUILD_HINT",
    "Feature",
    "Place",
    "Ring",
    "geo_directory",
    "read_attribution",
    "read_collection",
    "read_features",
    "read_neighbours",
    "read_places",
    "read_subjects",
]

#: A closed ring of ``(lon, lat)`` positions in degrees (first position = last).
Ring = tuple[tuple[float, float], ...]

#: What to do when a bundled geography file is missing.
REBUILD_HINT = "Rebuild the geography with: python scripts/build_geodata.py (see docs/geodata.md)"


@dataclass(frozen=True)
class Feature:
    """One GeoJSON feature with polygonal geometry.

    Attributes:
        id: the feature's ``properties.id``.
        properties: every property of the feature (read-only).
        polygons: the polygons; each is its exterior ring followed by its holes.
    """

    id: str
    properties: Mapping[str, Any]
    polygons: tuple[tuple[Ring, ...], ...]

    def geometry(self) -> dict[str, Any]:
        """Return the geometry as a GeoJSON ``Polygon`` or ``MultiPolygon`` mapping."""
        coords = [[[list(p) for p in ring] for ring in poly] for poly in self.polygons]
        if len(coords) == 1:
            return {"type": "Polygon", "coordinates": coords[0]}
        return {"type": "MultiPolygon", "coordinates": coords}


@dataclass(frozen=True)
class Place:
    """A point where an actor is drawn (a foreign capital or an organization's seat).

    Attributes:
        id: the actor id (``FI``, ``nefco``).
        name: the place's English name (``Helsinki``).
        lat: latitude in degrees.
        lon: longitude in degrees.
        sources: source references, ``document:locator`` separated by semicolons.
        status: verified / partial / assumed.
        note: why a place stands for the actor, when that is not obvious.
    """

    id: str
    name: str
    lat: float
    lon: float
    sources: str
    status: str
    note: str = ""


def geo_directory(case: str | Path = DEFAULT_CASE) -> Path:
    """Return the ``geo/`` folder of a bundled case id or a case folder."""
    return case_directory(case) / "geo"


def _load_json(path: Path) -> Any:
    if not path.is_file():
        raise DataFileError("geography file not found", file=str(path),
                            expected="a GeoJSON file", hint=REBUILD_HINT)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(f"not valid JSON ({exc})", file=str(path), hint=REBUILD_HINT) from None


def _ring(raw: Any, *, file: str, row: int) -> Ring:
    if not isinstance(raw, list) or len(raw) < 4:
        raise InvalidValueError("a ring needs at least 4 positions", file=file, row=row,
                                field="geometry.coordinates", value=_short(raw),
                                expected="[[lon, lat], ...] closed (first = last)")
    out: list[tuple[float, float]] = []
    for pos in raw:
        try:
            lon, lat = float(pos[0]), float(pos[1])
        except (TypeError, ValueError, IndexError):
            raise InvalidValueError("a position must be [lon, lat] numbers", file=file,
                                    row=row, field="geometry.coordinates", value=_short(pos),
                                    expected="[lon, lat] in degrees") from None
        if not (math.isfinite(lon) and math.isfinite(lat) and -180.0 <= lon <= 180.0
                and -90.0 <= lat <= 90.0):
            raise InvalidValueError("position outside the globe", file=file, row=row,
                                    field="geometry.coordinates", value=f"[{lon}, {lat}]",
                                    expected="lon in [-180, 180], lat in [-90, 90]")
        out.append((lon, lat))
    return tuple(out)


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _polygons(geometry: Any, *, file: str, row: int) -> tuple[tuple[Ring, ...], ...]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "Polygon" and isinstance(coords, list):
        parts = [coords]
    elif kind == "MultiPolygon" and isinstance(coords, list):
        parts = coords
    else:
        raise InvalidValueError("unsupported geometry", file=file, row=row,
                                field="geometry.type", value=kind,
                                expected="Polygon or MultiPolygon with coordinates")
    polygons = []
    for part in parts:
        if not isinstance(part, list) or not part:
            raise InvalidValueError("empty polygon", file=file, row=row,
                                    field="geometry.coordinates", value=_short(part),
                                    expected="an exterior ring, then holes")
        polygons.append(tuple(_ring(r, file=file, row=row) for r in part))
    return tuple(polygons)


def read_collection(path: str | Path) -> tuple[tuple[Feature, ...], str]:
    """Read a GeoJSON FeatureCollection: its features and its top-level ``attribution``.

    The features must be (Multi)Polygons with an ``id`` property; rows in error messages
    are 1-based feature numbers. The attribution is "" when the file has none.

    Raises:
        DataFileError: the file is missing, not JSON or not a FeatureCollection (the message
            says how to rebuild it).
        InvalidValueError: a feature without an id, a duplicate id, another geometry type or a
            malformed ring.
    """
    p = Path(path)
    data = _load_json(p)
    name = p.name
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" \
            or not isinstance(data.get("features"), list):
        raise DataFileError("not a GeoJSON FeatureCollection", file=str(p),
                            expected='{"type": "FeatureCollection", "features": [...]}',
                            hint=REBUILD_HINT)
    features: list[Feature] = []
    seen: set[str] = set()
    for number, raw in enumerate(data["features"], start=1):
        props = raw.get("properties") if isinstance(raw, dict) else None
        fid = props.get("id") if isinstance(props, dict) else None
        if not isinstance(fid, str) or not fid:
            raise InvalidValueError("feature without an id", file=name, row=number,
                                    field="properties.id", value=fid,
                                    expected="a non-empty string id")
        if fid in seen:
            raise InvalidValueError("duplicate feature id", file=name, row=number,
                                    field="properties.id", value=fid,
                                    expected="ids unique within the file")
        seen.add(fid)
        features.append(Feature(fid, MappingProxyType(dict(props)),  # type: ignore[arg-type]
                                _polygons(raw.get("geometry"), file=name, row=number)))
    return tuple(features), str(data.get("attribution", ""))


def read_features(path: str | Path) -> tuple[Feature, ...]:
    """Read the features of a GeoJSON FeatureCollection (see :func:`read_collection`).

    Raises:
        DataFileError: the file is missing, not JSON or not a FeatureCollection.
        InvalidValueError: a malformed feature.
    """
    return read_collection(path)[0]


def read_attribution(path: str | Path) -> str:
    """Return the top-level ``attribution`` member of a bundled GeoJSON file ("" if none).

    Raises:
        DataFileError: the file is missing, not JSON or not a FeatureCollection.
        InvalidValueError: a malformed feature.
    """
    return read_collection(path)[1]


def read_subjects(case: str | Path = DEFAULT_CASE) -> tuple[Feature, ...]:
    """Return the subjects of 1999 (``geo/subjects_1999.geojson``), sorted by id as in the file.

    Each feature carries ``id, name_en, successor_2008, geometry_basis`` (``own`` or
    ``successor``: a merged unit drawn with its successor's polygon) and
    ``shares_geometry_with``.
    """
    return read_features(geo_directory(case) / "subjects_1999.geojson")


def read_neighbours(case: str | Path = DEFAULT_CASE) -> tuple[Feature, ...]:
    """Return the neighbouring states' outlines (``geo/neighbours.geojson``)."""
    return read_features(geo_directory(case) / "neighbours.geojson")


def read_places(case: str | Path = DEFAULT_CASE, *,
                file: str = "foreign_capitals.csv") -> dict[str, Place]:
    """Return the points where foreign actors are drawn (``geo/foreign_capitals.csv``), by id.

    Columns: ``id, capital_en, lat, lon, sources, status`` and optional ``note``.

    Raises:
        DataFileError: the file is missing.
        InvalidValueError: a coordinate that is not a number in range, or a duplicate id.
    """
    path = geo_directory(case) / file
    if not path.is_file():
        raise DataFileError("geography file not found", file=str(path),
                            expected="a CSV of foreign capitals",
                            hint="It is curated by hand, not built: restore it from version "
                                 "control (see docs/figures.md)")
    places: dict[str, Place] = {}
    for number, row in read_rows(path, ("id", "capital_en", "lat", "lon", "sources", "status"),
                                 ("note",)):
        lat, lon = _coordinate(row["lat"], 90.0, path.name, number, "lat"), \
            _coordinate(row["lon"], 180.0, path.name, number, "lon")
        if row["id"] in places:
            raise InvalidValueError("duplicate id", file=path.name, row=number, field="id",
                                    value=row["id"], expected="one row per actor")
        places[row["id"]] = Place(row["id"], row["capital_en"], lat, lon, row["sources"],
                                  row["status"], row.get("note", "") or "")
    return places


def _coordinate(text: str, limit: float, file: str, row: int, field: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and -limit <= value <= limit):
        raise InvalidValueError("coordinate out of range", file=file, row=row, field=field,
                                value=text, expected=f"decimal degrees in [-{limit:g}, {limit:g}]")
    return value
