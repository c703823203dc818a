"""Arcs between points, for drawing ties between administrative centres.

Two kinds, both vectorized over many arcs at once (inputs of shape ``(k,)``, outputs of
shape ``(k, n)``):

* :func:`great_circle` — points along the shortest path on the sphere (spherical linear
  interpolation of unit vectors), in longitude and latitude; project them afterwards.
* :func:`bezier_arcs` — quadratic Bézier curves in the projected plane, bent to the left of
  the direction of travel (the apex lies ``bend`` × the chord length from the chord). They
  read better than great circles on a small-scale map: ties between the same two places
  can be told apart by their bend, and short ties stay visible.
* :func:`clip_to_box` — moves end points beyond the map's frame onto its edge.

Examples:
    >>> lon, lat = great_circle([0.0], [0.0], [90.0], [0.0], n=3)
    >>> lon.round(6).tolist(), lat.round(6).tolist()
    ([[0.0, 45.0, 90.0]], [[0.0, 0.0, 0.0]])
    >>> x, y = bezier_arcs([0.0], [0.0], [2.0], [0.0], bend=0.25, n=3)
    >>> x.tolist(), y.tolist()
    ([[0.0, 1.0, 2.0]], [[0.0, 0.5, 0.0]])
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from regionet.core.errors import InvalidValueError

__all__ = ["bezier_arcs", "clip_to_box", "great_circle"]

FloatArray = npt.NDArray[np.float64]


def _vectors(*arrays: npt.ArrayLike) -> list[FloatArray]:
    out = [np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in arrays]
    shapes = {a.shape for a in out}
    if len(shapes) != 1 or out[0].ndim != 1:
        raise InvalidValueError("arc end points must be 1-D arrays of one length",
                                field="points", value=sorted(shapes),
                                expected="arrays of shape (k,)")
    if not all(np.isfinite(a).all() for a in out):
        raise InvalidValueError("arc end points must be finite", field="points",
                                value="nan or inf", expected="finite coordinates")
    return out


def _check_n(n: int) -> None:
    if n < 2:
        raise InvalidValueError("an arc needs at least 2 points", field="n", value=n,
                                expected="an integer >= 2")


def _unit(lon: FloatArray, lat: FloatArray) -> FloatArray:
    lam, phi = np.radians(lon), np.radians(lat)
    return np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)],
                    axis=-1)


def great_circle(lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike,
                 lat2: npt.ArrayLike, *, n: int = 64) -> tuple[FloatArray, FloatArray]:
    """Points along the great circles from (lon1, lat1) to (lon2, lat2), in degrees.

    Args:
        lon1: start longitudes, shape ``(k,)``.
        lat1: start latitudes.
        lon2: end longitudes.
        lat2: end latitudes.
        n: points per arc, ends included.

    Returns:
        ``(lon, lat)``, each of shape ``(k, n)``; longitudes in [−180°, 180°]. An arc between
        identical points is that point repeated.

    Raises:
        InvalidValueError: arrays of different shapes, non-finite values, ``n < 2``, or
            antipodal end points (no unique great circle).

    Examples:
        >>> lon, lat = great_circle([0.0], [0.0], [0.0], [90.0], n=3)
        >>> lat.round(6).tolist()
        [[0.0, 45.0, 90.0]]
    """
    _check_n(n)
    a_lon, a_lat, b_lon, b_lat = _vectors(lon1, lat1, lon2, lat2)
    a, b = _unit(a_lon, a_lat), _unit(b_lon, b_lat)
    cos_omega = np.clip(np.einsum("ij,ij->i", a, b), -1.0, 1.0)
    omega = np.arccos(cos_omega)
    if np.any(np.pi - omega < 1e-9):
        raise InvalidValueError("antipodal end points have no unique great circle",
                                field="points", value="antipodal pair",
                                expected="end points less than 180° apart")
    t = np.linspace(0.0, 1.0, n)
    sin_omega = np.sin(omega)[:, None]
    same = sin_omega < 1e-12
    safe = np.where(same, 1.0, sin_omega)
    wa = np.where(same, 1.0 - t[None, :], np.sin((1.0 - t[None, :]) * omega[:, None]) / safe)
    wb = np.where(same, t[None, :], np.sin(t[None, :] * omega[:, None]) / safe)
    p = wa[..., None] * a[:, None, :] + wb[..., None] * b[:, None, :]
    p /= np.linalg.norm(p, axis=-1, keepdims=True)
    lon = np.degrees(np.arctan2(p[..., 1], p[..., 0]))
    lat = np.degrees(np.arcsin(np.clip(p[..., 2], -1.0, 1.0)))
    return lon, lat


def bezier_arcs(x0: npt.ArrayLike, y0: npt.ArrayLike, x1: npt.ArrayLike, y1: npt.ArrayLike,
                *, bend: float | npt.ArrayLike = 0.15, n: int = 32
                ) -> tuple[FloatArray, FloatArray]:
    """Quadratic Bézier arcs between projected points.

    The curve's apex lies ``bend`` × the chord length from the chord's midpoint, along the
    chord's left normal (left of the direction start → end); the control point is twice as
    far. ``bend = 0`` gives straight lines; a negative bend curves to the right.

    Args:
        x0: start x, shape ``(k,)``.
        y0: start y.
        x1: end x.
        y1: end y.
        bend: one value or one per arc.
        n: points per arc, ends included.

    Returns:
        ``(x, y)``, each of shape ``(k, n)``.

    Raises:
        InvalidValueError: arrays of different shapes, non-finite values or ``n < 2``.
    """
    _check_n(n)
    ax, ay, bx, by = _vectors(x0, y0, x1, y1)
    k = np.broadcast_to(np.asarray(bend, dtype=np.float64), ax.shape)
    dx, dy = bx - ax, by - ay
    cx = (ax + bx) / 2.0 - k * dy * 2.0
    cy = (ay + by) / 2.0 + k * dx * 2.0
    t = np.linspace(0.0, 1.0, n)[None, :]
    u = 1.0 - t
    x = u * u * ax[:, None] + 2.0 * u * t * cx[:, None] + t * t * bx[:, None]
    y = u * u * ay[:, None] + 2.0 * u * t * cy[:, None] + t * t * by[:, None]
    return x, y


def clip_to_box(x0: npt.ArrayLike, y0: npt.ArrayLike, x1: npt.ArrayLike, y1: npt.ArrayLike,
                box: tuple[float, float, float, float]
                ) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """Move end points that lie outside ``box`` back along the segment onto its edge.

    Used to place a partner beyond the map's edge on the edge, in its direction. Start
    points are assumed inside the box.

    Args:
        x0: start x, shape ``(k,)``.
        y0: start y.
        x1: end x.
        y1: end y.
        box: ``(xmin, xmax, ymin, ymax)``.

    Returns:
        ``(x, y, moved)``: the new end points and whether each was moved.

    Examples:
        >>> x, y, moved = clip_to_box([0.0, 0.0], [0.0, 0.0], [4.0, 0.5], [2.0, 0.5],
        ...                           (-1.0, 1.0, -1.0, 1.0))
        >>> x.tolist(), y.tolist(), moved.tolist()
        ([1.0, 0.5], [0.5, 0.5], [True, False])
    """
    ax, ay, bx, by = _vectors(x0, y0, x1, y1)
    xmin, xmax, ymin, ymax = box
    moved = (bx < xmin) | (bx > xmax) | (by < ymin) | (by > ymax)
    dx, dy = bx - ax, by - ay
    with np.errstate(divide="ignore", invalid="ignore"):
        tx = np.where(dx > 0, (xmax - ax) / dx, np.where(dx < 0, (xmin - ax) / dx, np.inf))
        ty = np.where(dy > 0, (ymax - ay) / dy, np.where(dy < 0, (ymin - ay) / dy, np.inf))
    t = np.where(moved, np.clip(np.minimum(tx, ty), 0.0, 1.0), 1.0)
    return ax + t * dx, ay + t * dy, moved
