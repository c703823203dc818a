"""Geography engine: the map projection for Russia, arcs and distances between points.

Pure computation on numpy arrays; reading the bundled polygons is :mod:`regionet.io.geojson`.
"""

from regionet.engines.geo.arcs import bezier_arcs, clip_to_box, great_circle
from regionet.engines.geo.distance import distance_km
from regionet.engines.geo.projection import (
    AUTHALIC_RADIUS_KM,
    RUSSIA_ALBERS,
    AlbersEqualArea,
    outline_pieces,
    wrap_longitudes,
)

__all__ = [
    "AUTHALIC_RADIUS_KM",
    "RUSSIA_ALBERS",
    "AlbersEqualArea",
    "bezier_arcs",
    "clip_to_box",
    "distance_km",
    "great_circle",
    "outline_pieces",
    "wrap_longitudes",
]
