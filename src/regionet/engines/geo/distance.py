"""Distances on the sphere between points given in degrees.

Examples:
    >>> round(float(distance_km(0.0, 0.0, 0.0, 90.0)), 1)   # a quarter of the equator
    10007.6
    >>> distance_km([61.78, 55.75], [34.35, 37.62], [60.17], [24.94]).round(0).tolist()
    [538.0, 893.0]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from regionet.engines.geo.projection import AUTHALIC_RADIUS_KM

__all__ = ["distance_km"]


def distance_km(lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike,
                lon2: npt.ArrayLike, *, radius_km: float = AUTHALIC_RADIUS_KM
                ) -> npt.NDArray[np.float64]:
    """Great-circle distance in km by the haversine formula (arrays broadcast).

    ``d = 2 R asin(sqrt(sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2)))`` on a sphere of radius ``R``
    (the authalic radius of the WGS84 ellipsoid by default, 6371.007 km).

    References:
        .. [1] R. W. Sinnott, "Virtues of the Haversine", Sky and Telescope 68(2), 1984, p. 159.
    """
    p1, l1, p2, l2 = (np.radians(np.asarray(v, dtype=np.float64))
                      for v in (lat1, lon1, lat2, lon2))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return np.asarray(2.0 * radius_km * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))),
                      dtype=np.float64)
