"""The Albers equal-area conic for Russia (Snyder 1987, ch. 14)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from regionet.core.errors import InvalidValueError
from regionet.engines.geo.projection import (
    AUTHALIC_RADIUS_KM,
    RUSSIA_ALBERS,
    AlbersEqualArea,
    outline_pieces,
    wrap_longitudes,
)
from regionet.io.geojson import read_subjects


def test_snyder_worked_example() -> None:
    # Snyder (1987), Appendix A, Albers conic on the sphere: phi1 = 29.5, phi2 = 45.5,
    # phi0 = 23, lambda0 = -96, R = 1; the point (35 N, 75 W) -> x = 0.2952720, y = 0.2416774.
    p = AlbersEqualArea(lon_0=-96.0, lat_0=23.0, lat_1=29.5, lat_2=45.5, radius=1.0)
    assert p.n == pytest.approx(0.6028370, abs=1e-7)
    x, y = p.forward([-75.0], [35.0])
    assert float(x[0]) == pytest.approx(0.2952720, abs=1e-7)
    assert float(y[0]) == pytest.approx(0.2416774, abs=1e-7)


# PROJ 9: +proj=aea +lat_0=58 +lon_0=100 +lat_1=52 +lat_2=64 +R=6371007.2 +units=km
@pytest.mark.parametrize(("lon", "lat", "x", "y"), [
    (30.0, 60.0, -3222.18628095, 2048.0372352),
    (170.0, 65.0, 2744.34557364, 2334.71983152),
    (20.5, 54.7, -4005.57902413, 2285.09867697),
    (-170.0, 66.0, 2996.60835061, 3228.85142322),
    (190.0, 66.0, 2996.60835061, 3228.85142322),
])
def test_known_points(lon: float, lat: float, x: float, y: float) -> None:
    px, py = RUSSIA_ALBERS.forward([lon], [lat])
    assert float(px[0]) == pytest.approx(x, abs=1e-6)
    assert float(py[0]) == pytest.approx(y, abs=1e-6)


def test_origin_and_central_meridian() -> None:
    x, y = RUSSIA_ALBERS.forward([100.0, 100.0, 100.0], [58.0, 40.0, 80.0])
    assert x.tolist() == [0.0, 0.0, 0.0]
    assert y[0] == 0.0 and y[1] < 0.0 < y[2]


def test_against_pyproj() -> None:
    pyproj = pytest.importorskip("pyproj")
    crs = pyproj.CRS.from_proj4("+proj=aea +lat_0=58 +lon_0=100 +lat_1=52 +lat_2=64 "
                                "+a=6371007.2 +b=6371007.2 +units=km +no_defs")
    sphere = pyproj.CRS.from_proj4("+proj=longlat +a=6371007.2 +b=6371007.2 +no_defs")
    try:
        t = pyproj.Transformer.from_crs(sphere, crs, always_xy=True)
    except pyproj.exceptions.ProjError:  # pragma: no cover - PROJ refusing the sphere
        pytest.skip("PROJ cannot build the transformation")
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(15, 180, 200), rng.uniform(35, 82, 200)
    ex, ey = t.transform(lon, lat)
    x, y = RUSSIA_ALBERS.forward(lon, lat)
    np.testing.assert_allclose(x, ex, atol=1e-6)
    np.testing.assert_allclose(y, ey, atol=1e-6)


def test_forward_then_inverse_returns_the_input_everywhere() -> None:
    lon, lat = np.meshgrid(np.arange(-180.0, 180.0, 2.5), np.arange(-89.0, 90.0, 2.0))
    x, y = RUSSIA_ALBERS.forward(lon, lat)
    back_lon, back_lat = RUSSIA_ALBERS.inverse(x, y)
    np.testing.assert_allclose(back_lat, lat, atol=1e-9)
    np.testing.assert_allclose(back_lon, lon, atol=1e-9)


@pytest.mark.parametrize("lat", [42.0, 55.0, 66.0, 77.0])
def test_monotonic_east_west_from_kaliningrad_to_chukotka(lat: float) -> None:
    lon = np.linspace(19.0, 191.0, 400)
    lon = np.where(lon > 180.0, lon - 360.0, lon)  # as stored: Chukotka's east is negative
    x, _ = RUSSIA_ALBERS.forward(lon, np.full_like(lon, lat))
    assert np.all(np.diff(x) > 0)


def test_chukotka_is_continuous_across_180() -> None:
    x, y = RUSSIA_ALBERS.forward([179.999, -179.999, 175.0, -175.0], [66.0] * 4)
    assert math.hypot(x[1] - x[0], y[1] - y[0]) < 0.2  # km
    assert x[0] < x[1] and x[2] < x[3]  # east of 180 is further east


def test_subject_extents_make_sense() -> None:
    # On a conic map "east" turns around the cone's apex: compare the angle seen from it.
    west, east, middle = {}, {}, {}
    for f in read_subjects():
        pts = np.concatenate([np.asarray(ring) for poly in f.polygons for ring in poly])
        x, y = RUSSIA_ALBERS.forward(pts[:, 0], pts[:, 1])
        angle = np.arctan2(x, RUSSIA_ALBERS.rho_0 - y)
        west[f.id], east[f.id], middle[f.id] = float(x.min()), float(x.max()), angle.mean()
    assert west["RU-KGD"] < west["RU-MOW"] < 0 < west["RU-CHU"]
    assert min(middle, key=lambda k: middle[k]) == "RU-KGD"   # Kaliningrad in the west
    assert max(middle, key=lambda k: middle[k]) == "RU-CHU"   # Chukotka in the east
    assert east["RU-CHU"] - west["RU-CHU"] < 1500  # one piece, not smeared across the map


def test_equal_area() -> None:
    # a 1 x 1 degree cell at 60 N, its boundary finely sampled (parallels are circular arcs)
    t = np.linspace(0.0, 1.0, 200)
    lon = np.concatenate([40 + t, np.full_like(t, 41.0), 41 - t, np.full_like(t, 40.0)])
    lat = np.concatenate([np.full_like(t, 60.0), 60 + t, np.full_like(t, 61.0), 61 - t])
    x, y = RUSSIA_ALBERS.forward(lon, lat)
    area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    sphere = AUTHALIC_RADIUS_KM ** 2 * math.radians(1.0) * (
        math.sin(math.radians(61.0)) - math.sin(math.radians(60.0)))
    assert area == pytest.approx(sphere, rel=1e-4)


def test_wrap_longitudes() -> None:
    assert wrap_longitudes([-179.0, -80.0, -81.0, 0.0, 180.0]).tolist() == [
        181.0, -80.0, 279.0, 0.0, 180.0]
    assert wrap_longitudes([-170.0], below=-160.0).tolist() == [190.0]


def test_custom_wrap() -> None:
    p = AlbersEqualArea(wrap_below=-160.0)
    assert p.forward([-170.0], [66.0])[0][0] == RUSSIA_ALBERS.forward([-170.0], [66.0])[0][0]


@pytest.mark.parametrize("kwargs", [{"lat_1": 30.0, "lat_2": -30.0}, {"lat_0": 95.0},
                                    {"lat_1": -90.0}])
def test_invalid_parameters(kwargs: dict[str, float]) -> None:
    with pytest.raises(InvalidValueError):
        AlbersEqualArea(**kwargs)


def test_outline_pieces_drop_only_the_cut() -> None:
    ring = [(10.0, 50.0), (11.0, 50.0), (11.0, 51.0), (10.0, 50.0)]
    assert [p.tolist() for p in outline_pieces(ring)] == [[list(q) for q in ring]]
    chukotka = next(f for f in read_subjects() if f.id == "RU-CHU")
    rings = [ring for poly in chukotka.polygons for ring in poly]
    pieces = [p for ring in rings for p in outline_pieces(ring)]
    assert len(pieces) > len(rings)  # Chukotka is stored cut at 180
    for p in pieces:
        on = np.abs(p[:, 0]) == 180.0
        assert not np.any(on[:-1] & on[1:])
