"""Map projection for Russia: the Albers equal-area conic on the sphere.

A choropleth compares regions by colour, so their areas must not be distorted: an
equal-area projection keeps each subject's share of the map equal to its share of the
land. The Albers conic with standard parallels 52° N and 64° N and central meridian 100° E
keeps the scale error small across Russia's latitudes (the scale along the parallels is
0.995–1.026 between 45° N and 70° N, 1.16 at Franz Josef Land's 78° N; the scale along the
meridians is its inverse) and shows the country without the Mercator blow-up of the north.

Formulas (spherical form), from J. P. Snyder, *Map Projections — A Working Manual*, U.S.
Geological Survey Professional Paper 1395, 1987, chapter 14 "Albers Equal-Area Conic
Projection" (forward and inverse spherical formulas) and its worked example in Appendix A::

    n  = (sin φ1 + sin φ2) / 2
    C  = cos² φ1 + 2 n sin φ1
    ρ  = R √(C − 2 n sin φ) / n,    ρ0 = R √(C − 2 n sin φ0) / n
    θ  = n (λ − λ0)
    x  = ρ sin θ,                   y  = ρ0 − ρ cos θ
    inverse: ρ = √(x² + (ρ0 − y)²), θ = atan2(x, ρ0 − y),
             φ = asin((C − (ρ n / R)²) / (2 n)),  λ = λ0 + θ / n

``R`` is the authalic radius of the WGS84 ellipsoid (6371.0072 km), so the map's areas
add up to the ellipsoid's; latitudes are used as given (the spherical form's error is far
below the simplification of the bundled polygons). Coordinates come out in kilometres.

Chukotka crosses the 180° meridian. Longitudes are taken in the 360° range centred on the
central meridian: those below ``wrap_below`` (default λ0 − 180° = 80° W) are shifted by
+360° before projecting. Chukotka's eastern tip (about 170° W) thus lies east of its western
part instead of jumping to the far west, and the map's cut runs through the Atlantic and the
Americas at 80° W, far from anything a map of Russia draws. Every longitude then has one
place on the map, so the inverse recovers it (in [−180°, 180°)).

Examples:
    >>> x, y = RUSSIA_ALBERS.forward([100.0], [58.0])
    >>> float(x[0]), round(float(y[0]), 6)
    (0.0, 0.0)
    >>> lon, lat = RUSSIA_ALBERS.inverse(*RUSSIA_ALBERS.forward([-175.0, 20.5], [65.0, 54.7]))
    >>> [round(float(v), 6) for v in lon], [round(float(v), 6) for v in lat]
    ([-175.0, 20.5], [65.0, 54.7])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from regionet.core.errors import InvalidValueError

__all__ = ["AUTHALIC_RADIUS_KM", "RUSSIA_ALBERS", "AlbersEqualArea", "outline_pieces",
           "wrap_longitudes"]

#: Radius of the sphere with the WGS84 ellipsoid's surface area, in km.
AUTHALIC_RADIUS_KM = 6371.0072

FloatArray = npt.NDArray[np.float64]


def wrap_longitudes(lon: npt.ArrayLike, below: float = -80.0) -> FloatArray:
    """Shift longitudes below ``below`` by +360° (Chukotka east of the 180° meridian).

    The default, 80° W, is the meridian opposite :data:`RUSSIA_ALBERS`'s central meridian.

    Examples:
        >>> wrap_longitudes([-179.5, 179.5, 30.0]).tolist()
        [180.5, 179.5, 30.0]
    """
    values = np.asarray(lon, dtype=np.float64)
    return np.where(values < below, values + 360.0, values)


@dataclass(frozen=True)
class AlbersEqualArea:
    """Albers equal-area conic projection on a sphere (Snyder 1987, ch. 14).

    Attributes:
        lon_0: central meridian λ0, degrees east.
        lat_0: latitude of the origin φ0 (y = 0), degrees north.
        lat_1: first standard parallel φ1, degrees north.
        lat_2: second standard parallel φ2, degrees north.
        radius: sphere radius; the unit of x and y (default km, authalic WGS84).
        wrap_below: longitudes below this are shifted by +360° before projecting (None:
            λ0 − 180°, the meridian opposite the central one).

    Raises:
        InvalidValueError: standard parallels symmetric about the equator (n = 0) or a
            latitude outside (−90°, 90°).
    """

    lon_0: float = 100.0
    lat_0: float = 58.0
    lat_1: float = 52.0
    lat_2: float = 64.0
    radius: float = AUTHALIC_RADIUS_KM
    wrap_below: float | None = None
    n: float = field(init=False, repr=False)
    c: float = field(init=False, repr=False)
    rho_0: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("lat_0", "lat_1", "lat_2"):
            value = getattr(self, name)
            if not -90.0 < value < 90.0:
                raise InvalidValueError("latitude out of range", field=name, value=value,
                                        expected="a latitude strictly between -90 and 90")
        phi_1, phi_2 = math.radians(self.lat_1), math.radians(self.lat_2)
        n = (math.sin(phi_1) + math.sin(phi_2)) / 2.0
        if abs(n) < 1e-12:
            raise InvalidValueError("standard parallels symmetric about the equator",
                                    field="lat_2", value=self.lat_2,
                                    expected="parallels with a non-zero mean sine")
        c = math.cos(phi_1) ** 2 + 2.0 * n * math.sin(phi_1)
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "c", c)
        object.__setattr__(self, "rho_0", self._rho(np.array([self.lat_0]))[0])

    def _rho(self, lat: FloatArray) -> FloatArray:
        inside = self.c - 2.0 * self.n * np.sin(np.radians(lat))
        return np.asarray(self.radius * np.sqrt(np.maximum(inside, 0.0)) / self.n,
                          dtype=np.float64)

    def forward(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Project longitudes and latitudes (degrees, any matching shapes) to x, y.

        Longitudes below ``wrap_below`` are first shifted by +360°. Latitudes must lie in
        [−90°, 90°]; longitudes may be in [−180°, 180°] or already wrapped.
        """
        lam = wrap_longitudes(lon, self.lon_0 - 180.0 if self.wrap_below is None
                              else self.wrap_below)
        phi = np.asarray(lat, dtype=np.float64)
        rho = self._rho(phi)
        theta = self.n * np.radians(lam - self.lon_0)
        return rho * np.sin(theta), self.rho_0 - rho * np.cos(theta)

    def inverse(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Return longitudes in [−180°, 180°) and latitudes of projected points."""
        xs = np.asarray(x, dtype=np.float64)
        dy = self.rho_0 - np.asarray(y, dtype=np.float64)
        sign = 1.0 if self.n > 0 else -1.0
        rho = np.hypot(xs, dy)
        theta = np.arctan2(sign * xs, sign * dy)
        arg = (self.c - (rho * self.n / self.radius) ** 2) / (2.0 * self.n)
        lat = np.degrees(np.arcsin(np.clip(arg, -1.0, 1.0)))
        lon = self.lon_0 + np.degrees(theta / self.n)
        return (lon + 180.0) % 360.0 - 180.0, lat


#: The projection used for every map of Russia in regionet (standard parallels 52° and
#: 64° N, central meridian 100° E, origin 58° N).
RUSSIA_ALBERS = AlbersEqualArea()


def outline_pieces(ring: npt.ArrayLike) -> list[FloatArray]:
    """Split a ``(lon, lat)`` ring into the pieces worth stroking.

    Polygons that cross the antimeridian (Chukotka) are stored cut along ±180°; the
    segments that run along the cut are not coastline or border, so an outline drawn after
    :func:`wrap_longitudes` would show a false seam there. This drops those segments.

    Examples:
        >>> ring = [(179.0, 65.0), (180.0, 65.0), (180.0, 66.0), (179.0, 66.0), (179.0, 65.0)]
        >>> [p.tolist() for p in outline_pieces(ring)]
        [[[179.0, 65.0], [180.0, 65.0]], [[180.0, 66.0], [179.0, 66.0], [179.0, 65.0]]]
    """
    a = np.asarray(ring, dtype=np.float64).reshape(-1, 2)
    on_cut = np.abs(a[:, 0]) == 180.0
    breaks = np.flatnonzero(on_cut[:-1] & on_cut[1:]) + 1
    return [piece for piece in np.split(a, breaks) if len(piece) > 1]
