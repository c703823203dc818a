"""Geography use cases for maps: the neighbouring states' outlines as GeoJSON.

The subjects' polygons with a measure's values come from
:func:`regionet.services.measures.subjects_geojson`; this module adds what a map draws around
them.

Examples:
    >>> fc = neighbours_geojson(CaseSource.bundled())
    >>> fc["type"], "FI" in {f["id"] for f in fc["features"]}
    ('FeatureCollection', True)
"""

from __future__ import annotations

from typing import Any

from regionet.core.jsonsafe import json_bytes
from regionet.services.case_source import CaseSource, case_folder, per_version

__all__ = ["neighbours_geojson", "neighbours_geojson_bytes"]


def neighbours_geojson(source: CaseSource) -> dict[str, Any]:
    """Return the outlines of the states neighbouring the federation as a FeatureCollection.

    Each feature has ``id`` and the file's properties (``id``, ``name_en``); the collection
    carries the Natural Earth credit in ``attribution``. Geometries are in degrees (RFC 7946).

    Raises:
        DataFileError: the case's file is missing or not a FeatureCollection (with the
            command that rebuilds it).
    """
    from regionet.io.geojson import read_attribution, read_neighbours

    folder = case_folder(source)
    features = [{"type": "Feature", "id": f.id, "properties": dict(f.properties),
                 "geometry": f.geometry()} for f in read_neighbours(folder)]
    return {"type": "FeatureCollection",
            "attribution": read_attribution(folder / "geo" / "neighbours.geojson"),
            "features": features}


def neighbours_geojson_bytes(source: CaseSource) -> bytes:
    """Return :func:`neighbours_geojson` encoded as compact JSON, once per source revision."""
    return per_version(source, "geo.neighbours", None,
                       lambda: json_bytes(neighbours_geojson(source)))
