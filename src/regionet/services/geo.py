"""Geography use cases for maps: the neighbouring states' outlines as GeoJSON.

The subjects' polygons with a measure's values come from
:func:`regionet.services.measures.subjects_geojson`; this module adds what a map draws around
them.

Examples:
    >>> fc = neighbours_geojson()
    >>> fc["type"], "FI" in {f["id"] for f in fc["features"]}
    ('FeatureCollection', True)
"""

from __future__ import annotations

from typing import Any

__all__ = ["neighbours_geojson"]


def neighbours_geojson(case: str = "russia-1990s") -> dict[str, Any]:
    """Return the outlines of the states neighbouring the federation as a FeatureCollection.

    Each feature has ``id`` and the file's properties (``id``, ``name_en``); the collection
    carries the Natural Earth credit in ``attribution``. Geometries are in degrees (RFC 7946).

    Raises:
        DataFileError: the bundled file is missing or not a FeatureCollection (with the
            command that rebuilds it).
    """
    from regionet.io.geojson import geo_directory, read_attribution, read_neighbours

    features = [{"type": "Feature", "id": f.id, "properties": dict(f.properties),
                 "geometry": f.geometry()} for f in read_neighbours(case)]
    return {"type": "FeatureCollection",
            "attribution": read_attribution(geo_directory(case) / "neighbours.geojson"),
            "features": features}
