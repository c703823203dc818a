"""Arcs between points: great circles and projected quadratic Bézier curves."""

from __future__ import annotations

import math

import numpy as np
import pytest

from regionet.core.errors import InvalidValueError
from regionet.engines.geo.arcs import bezier_arcs, clip_to_box, great_circle


def haversine(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * math.asin(math.sqrt(a))


def test_great_circle_ends_shape_and_even_spacing() -> None:
    # Moscow -> Vladivostok and Petrozavodsk -> Helsinki, vectorized
    lon1, lat1 = np.array([37.62, 34.35]), np.array([55.75, 61.78])
    lon2, lat2 = np.array([131.87, 24.94]), np.array([43.11, 60.17])
    lon, lat = great_circle(lon1, lat1, lon2, lat2, n=50)
    assert lon.shape == lat.shape == (2, 50)
    np.testing.assert_allclose(lon[:, 0], lon1, atol=1e-9)
    np.testing.assert_allclose(lat[:, -1], lat2, atol=1e-9)
    for k in range(2):
        steps = [haversine(lon[k, i], lat[k, i], lon[k, i + 1], lat[k, i + 1])
                 for i in range(49)]
        np.testing.assert_allclose(steps, steps[0], rtol=1e-6)
        total = haversine(lon1[k], lat1[k], lon2[k], lat2[k])
        assert sum(steps) == pytest.approx(total, rel=1e-9)
    assert lat[0].max() > 55.75  # a great circle bulges towards the pole


def test_great_circle_known_midpoints() -> None:
    lon, lat = great_circle([0.0, 0.0], [0.0, 0.0], [90.0, 0.0], [0.0, 90.0], n=3)
    np.testing.assert_allclose(lon[0], [0, 45, 90], atol=1e-9)
    np.testing.assert_allclose(lat[1], [0, 45, 90], atol=1e-9)


def test_great_circle_across_the_antimeridian_stays_in_the_pacific() -> None:
    lon, _ = great_circle([170.0], [60.0], [-170.0], [62.0], n=20)
    assert np.all(np.abs(lon) >= 170.0)


def test_great_circle_same_point() -> None:
    lon, lat = great_circle([30.0], [60.0], [30.0], [60.0], n=4)
    np.testing.assert_allclose(lon, 30.0)
    np.testing.assert_allclose(lat, 60.0)


@pytest.mark.parametrize(("args", "n"), [
    (([0.0], [0.0], [180.0], [0.0]), 8),   # antipodal
    (([0.0], [0.0], [1.0], [1.0]), 1),     # n < 2
    (([0.0, 1.0], [0.0], [1.0], [1.0]), 8),  # shapes differ
    (([np.nan], [0.0], [1.0], [1.0]), 8),  # not finite
])
def test_great_circle_errors(args: tuple[list[float], ...], n: int) -> None:
    with pytest.raises(InvalidValueError):
        great_circle(*args, n=n)


def test_bezier_ends_apex_and_side() -> None:
    x, y = bezier_arcs([0.0, 10.0], [0.0, 0.0], [10.0, 0.0], [0.0, 0.0], bend=0.2, n=21)
    assert x.shape == (2, 21)
    assert (x[0, 0], y[0, 0], x[0, -1], y[0, -1]) == (0.0, 0.0, 10.0, 0.0)
    assert y[0, 10] == pytest.approx(2.0)   # apex: bend x chord, left of travel
    assert y[1, 10] == pytest.approx(-2.0)  # travelling west, left is south


def test_bezier_straight_and_per_arc_bend() -> None:
    x, y = bezier_arcs([0.0, 0.0], [0.0, 0.0], [3.0, 3.0], [4.0, 4.0], bend=[0.0, -0.1], n=5)
    np.testing.assert_allclose(y[0], x[0] * 4 / 3)
    offset = (4 * x[1, 2] - 3 * y[1, 2]) / 5  # signed distance from the chord
    assert offset == pytest.approx(0.5)       # 0.1 x chord 5, to the right


def test_bezier_errors() -> None:
    with pytest.raises(InvalidValueError):
        bezier_arcs([0.0], [0.0], [1.0], [1.0], n=1)
    with pytest.raises(InvalidValueError):
        bezier_arcs([0.0], [0.0], [1.0, 2.0], [1.0], n=3)


def test_clip_to_box_keeps_direction() -> None:
    x, y, moved = clip_to_box([0.0, 0.0, 0.5], [0.0, 0.0, 0.5], [4.0, 0.5, -3.0],
                              [2.0, 0.5, 0.5], (-1.0, 1.0, -1.0, 1.0))
    assert moved.tolist() == [True, False, True]
    assert (x[0], y[0]) == (1.0, 0.5)
    assert (x[1], y[1]) == (0.5, 0.5)
    assert (x[2], y[2]) == (-1.0, 0.5)
