"""Checks on the committed geography of the russia-1990s case (built by scripts/build_geodata.py).

The tests read the files bundled in the package only; they do not need the reference data or
the network.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

gpd = pytest.importorskip("geopandas")
shapely = pytest.importorskip("shapely")

GEO = Path(__file__).resolve().parents[2] / "src/regionet/cases/russia_1990s/geo"

MERGED_INTO = {
    "RU-KOP": "RU-PER",
    "RU-TAY": "RU-KYA",
    "RU-EVE": "RU-KYA",
    "RU-KOR": "RU-KAM",
    "RU-UOB": "RU-IRK",
    "RU-AGB": "RU-ZAB",
}
FLAGGED = {*MERGED_INTO, "RU-PER", "RU-KYA", "RU-KAM", "RU-IRK", "RU-CHI"}
NEIGHBOUR_IDS = {"FI", "NO", "EE", "LV", "LT", "PL", "BY", "UA", "GE", "AZ", "KZ", "MN", "CN",
                 "KP", "JP"}  # fmt: skip
BASES = {"geometry", "successor-approximate", "nested-in-parent"}
MAX_BYTES = 1_500_000


def read_csv(name: str) -> list[dict[str, str]]:
    with (GEO / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def subjects() -> gpd.GeoDataFrame:
    return gpd.read_file(GEO / "subjects_1999.geojson")


@pytest.fixture(scope="module")
def neighbours() -> gpd.GeoDataFrame:
    return gpd.read_file(GEO / "neighbours.geojson")


@pytest.fixture(scope="module")
def polygons_2008(subjects: gpd.GeoDataFrame) -> dict[str, object]:
    return dict(zip(subjects["successor_2008"], subjects.geometry, strict=True))


def pairs(rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(r["a"], r["b"]) for r in rows}


# -- files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "subjects_1999.geojson",
        "neighbours.geojson",
        "adjacency_2008.csv",
        "adjacency_1999.csv",
        "foreign_land_borders.csv",
        "capitals_1999.csv",
    ],
)
def test_file_present_and_small(name: str) -> None:
    path = GEO / name
    assert path.is_file()
    assert 0 < path.stat().st_size < MAX_BYTES


# -- subjects ---------------------------------------------------------------------------------


def test_subjects_ids_and_successors(subjects: gpd.GeoDataFrame) -> None:
    ids = list(subjects["id"])
    assert len(ids) == 89
    assert len(set(ids)) == 89
    successors = set(subjects["successor_2008"])
    assert len(successors) == 83
    # every 1999 id is its own successor except the merged okrugs and Chita Oblast
    expected = (set(ids) - set(MERGED_INTO) - {"RU-CHI"}) | {"RU-ZAB"}
    assert successors == expected
    got = dict(zip(subjects["id"], subjects["successor_2008"], strict=True))
    for unit, successor in MERGED_INTO.items():
        assert got[unit] == successor
    assert got["RU-CHI"] == "RU-ZAB"


def test_subjects_flags(subjects: gpd.GeoDataFrame) -> None:
    assert set(subjects["geometry_basis"]) == {"own", "successor"}
    flagged = set(subjects.loc[subjects["geometry_basis"] == "successor", "id"])
    assert flagged == FLAGGED
    by_successor: dict[str, set[str]] = {}
    for unit, succ in zip(subjects["id"], subjects["successor_2008"], strict=True):
        by_successor.setdefault(succ, set()).add(unit)
    for unit, succ, shared in zip(
        subjects["id"], subjects["successor_2008"], subjects["shares_geometry_with"], strict=True
    ):
        listed = set(shared.split(";")) if shared else set()
        assert listed == by_successor[succ] - {unit}
    # units on the same polygon carry exactly the same geometry
    for units in by_successor.values():
        geoms = list(subjects.loc[subjects["id"].isin(units)].geometry)
        assert all(g.equals_exact(geoms[0], 0) for g in geoms)


def test_subjects_geometry_valid(subjects: gpd.GeoDataFrame) -> None:
    assert subjects.crs is not None and subjects.crs.to_epsg() == 4326
    assert subjects.is_valid.all()
    assert set(subjects.geom_type) <= {"Polygon", "MultiPolygon"}
    minx, miny, maxx, maxy = subjects.total_bounds
    assert minx >= -180 and maxx <= 180
    assert miny > 41 and maxy < 82  # Russia: 41-82 N


def test_shared_borders_identical(polygons_2008: dict[str, object]) -> None:
    if not hasattr(shapely, "coverage_is_valid"):
        pytest.skip("shapely < 2.1")
    import numpy as np

    geoms = np.array(list(polygons_2008.values()), dtype=object)
    assert shapely.coverage_is_valid(geoms)


def test_chukotka_crosses_antimeridian(polygons_2008: dict[str, object]) -> None:
    chu = polygons_2008["RU-CHU"]
    assert chu.is_valid
    minx, _, maxx, _ = chu.bounds
    assert minx == pytest.approx(-180) and maxx == pytest.approx(180)


# -- neighbours -------------------------------------------------------------------------------


def test_neighbours(neighbours: gpd.GeoDataFrame) -> None:
    assert set(neighbours["id"]) == NEIGHBOUR_IDS
    assert neighbours["id"].is_unique
    assert neighbours["name_en"].str.len().gt(0).all()
    assert neighbours.is_valid.all()
    assert neighbours.crs is not None and neighbours.crs.to_epsg() == 4326


# -- adjacency --------------------------------------------------------------------------------


def test_adjacency_2008(subjects: gpd.GeoDataFrame) -> None:
    rows = read_csv("adjacency_2008.csv")
    assert list(rows[0]) == ["a", "b", "shared_border_km"]
    got = pairs(rows)
    assert len(got) == len(rows)
    successors = set(subjects["successor_2008"])
    for r in rows:
        assert r["a"] < r["b"]
        assert {r["a"], r["b"]} <= successors
        assert float(r["shared_border_km"]) > 0
    for pair in [
        ("RU-KR", "RU-MUR"),
        ("RU-ARK", "RU-KR"),
        ("RU-KR", "RU-LEN"),
        ("RU-MOS", "RU-MOW"),
        ("RU-LEN", "RU-SPE"),
        ("RU-ARK", "RU-NEN"),
        ("RU-KHM", "RU-TYU"),
    ]:
        assert pair in got, pair
    assert ("RU-KO", "RU-KR") not in got
    assert ("RU-KDA", "RU-NIZ") not in got
    assert not any("RU-KGD" in p for p in got)


def test_adjacency_1999(subjects: gpd.GeoDataFrame) -> None:
    rows = read_csv("adjacency_1999.csv")
    assert list(rows[0]) == ["a", "b", "shared_border_km", "basis", "sources"]
    assert len(pairs(rows)) == len(rows)
    ids = set(subjects["id"])
    basis = {}
    for r in rows:
        assert r["a"] < r["b"]
        assert {r["a"], r["b"]} <= ids
        assert r["basis"] in BASES
        assert (r["shared_border_km"] != "") == (r["basis"] == "geometry")
        if r["basis"] == "geometry":
            assert not {r["a"], r["b"]} & FLAGGED
        basis[(r["a"], r["b"])] = r["basis"]
    for unit, successor in MERGED_INTO.items():
        parent = "RU-CHI" if successor == "RU-ZAB" else successor
        assert basis[tuple(sorted((unit, parent)))] == "nested-in-parent"
    assert basis[("RU-ARK", "RU-NEN")] == "geometry"
    assert basis[("RU-MOS", "RU-MOW")] == "geometry"
    assert basis[("RU-KO", "RU-KOP")] == "successor-approximate"
    assert ("RU-KLU", "RU-MOW") not in basis  # 2012 expansion of Moscow
    assert not any("RU-KGD" in p for p in basis)


# -- foreign borders --------------------------------------------------------------------------


def test_foreign_land_borders(subjects: gpd.GeoDataFrame) -> None:
    rows = read_csv("foreign_land_borders.csv")
    assert list(rows[0]) == ["subject_2008", "state", "border_km"]
    got = {(r["subject_2008"], r["state"]) for r in rows}
    assert len(got) == len(rows)
    assert {r["state"] for r in rows} <= NEIGHBOUR_IDS
    assert {r["subject_2008"] for r in rows} <= set(subjects["successor_2008"])
    assert all(float(r["border_km"]) > 0 for r in rows)
    for pair in [
        ("RU-KR", "FI"),
        ("RU-MUR", "NO"),
        ("RU-MUR", "FI"),
        ("RU-KGD", "PL"),
        ("RU-KGD", "LT"),
        ("RU-PRI", "CN"),
        ("RU-PRI", "KP"),
    ]:
        assert pair in got, pair
    assert ("RU-KR", "NO") not in got
    assert not any(state == "JP" for _, state in got)


# -- capitals ---------------------------------------------------------------------------------


def test_capitals(subjects: gpd.GeoDataFrame, polygons_2008: dict[str, object]) -> None:
    rows = read_csv("capitals_1999.csv")
    assert list(rows[0]) == ["id", "capital_en", "lat", "lon", "geonameid", "sources", "status",
                             "note"]
    assert [r["id"] for r in rows] == sorted(subjects["id"])
    successor = dict(zip(subjects["id"], subjects["successor_2008"], strict=True))
    seat_in = {"RU-MOS": "RU-MOW", "RU-LEN": "RU-SPE"}
    for r in rows:
        assert r["capital_en"] and r["sources"].startswith("geonames:geonameid ")
        assert r["status"] in ("verified", "assumed")
        point = shapely.Point(float(r["lon"]), float(r["lat"]))
        polygon = polygons_2008[seat_in.get(r["id"], successor[r["id"]])]
        # within the (simplified) polygon, allowing for coastal capitals
        assert polygon.distance(point) < 0.05, r
    by_id = {r["id"]: r for r in rows}
    assert by_id["RU-MOS"]["capital_en"] == "Moscow"
    assert by_id["RU-LEN"]["capital_en"] == "Saint Petersburg"
    assert by_id["RU-KOP"]["capital_en"] == "Kudymkar"
    assert by_id["RU-IN"]["capital_en"] == "Nazran"
