"""Derive the adjacency of the 89 units of 1999 from the 2008 adjacency (``adjacency_1999.csv``).

``build_geodata.py`` computes ``adjacency_2008.csv`` from the polygons and calls
:func:`adjacency_1999` to write ``adjacency_1999.csv``. This module needs no third-party
package, so the 1999 file can be rebuilt offline from the committed 2008 file::

    .venv/bin/python scripts/geodata_1999.py            # rewrite the committed file
    .venv/bin/python scripts/geodata_1999.py --check    # exit 1 if it is not up to date

The rules, and the sources of the 1999 borders that geometry cannot give, are in
``docs/geodata.md`` ("1999 adjacency").
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

GEO = Path(__file__).resolve().parents[1] / "src/regionet/cases/russia_1990s/geo"
HEADER = ("a", "b", "shared_border_km", "basis", "sources")

#: The units of 1999 whose polygon is that of a 2008 successor that differs from their own
#: 1999 territory: the six okrugs merged in 2005-08 and the five subjects they merged with.
SUCCESSOR_BASIS: tuple[str, ...] = (
    "RU-KOP",
    "RU-PER",
    "RU-TAY",
    "RU-EVE",
    "RU-KYA",
    "RU-KOR",
    "RU-KAM",
    "RU-UOB",
    "RU-IRK",
    "RU-AGB",
    "RU-CHI",
)

#: Borders of 1999 that lie inside one 2008 polygon (an okrug and the subject it lay in;
#: Taymyr and Evenk AOs, both in Krasnoyarsk Krai, bordered each other too), with the
#: autonomous-okrug pages (document ``src-aoi``) that place each okrug in its subject.
NESTED_ADJACENCY: Mapping[tuple[str, str], str] = {
    ("RU-KOP", "RU-PER"): "src-aoi:row RU-KOP",
    ("RU-KYA", "RU-TAY"): "src-aoi:row RU-TAY",
    ("RU-EVE", "RU-KYA"): "src-aoi:row RU-EVE",
    ("RU-EVE", "RU-TAY"): "src-aoi:row RU-EVE;src-aoi:row RU-TAY",
    ("RU-KAM", "RU-KOR"): "src-aoi:row RU-KOR",
    ("RU-IRK", "RU-UOB"): "src-aoi:row RU-UOB",
    ("RU-AGB", "RU-CHI"): "src-aoi:row RU-AGB",
}

#: Okrugs that lay wholly inside their host subject in 1999: they bordered no other unit.
#: Agin-Buryat "was completely surrounded by Chita Oblast" (its page in ``src-aoi``);
#: Ust-Orda Buryat was "an autonomous okrug of Russia within Irkutsk Oblast", north of
#: Irkutsk, away from every other subject (its page in ``src-aoi``; our reading of it).
ENCLAVES: Mapping[str, str] = {"RU-AGB": "RU-CHI", "RU-UOB": "RU-IRK"}

#: Pairs that the 2008 geometry makes adjacent but that did not border each other in 1999.
NOT_ADJACENT_1999: Mapping[tuple[str, str], str] = {
    ("RU-KLU", "RU-MOW"): "border created by the 2012 expansion of Moscow (in the source polygon)",
    ("RU-BA", "RU-KOP"): "Komi-Permyak AO lay in the north-west of Perm Oblast; Perm Oblast's "
                         "own territory lay between it and Bashkortostan",
    ("RU-KEM", "RU-TAY"): "Taymyr AO lay in the far north of Krasnoyarsk Krai; Kemerovo Oblast "
                          "borders the krai's southern part",
}


def _flagged_sources(a: str, b: str, successor_of: Mapping[str, str]) -> str:
    polygons = sorted({successor_of[u] for u in (a, b) if u in SUCCESSOR_BASIS})
    return "natural-earth:2008 polygon" + ("s " if len(polygons) > 1 else " ") + ", ".join(polygons)


def adjacency_1999(
    successor_of: Mapping[str, str], adj2008: Mapping[tuple[str, str], float]
) -> list[tuple[str, str, float | None, str, str]]:
    """Derive the 1999 adjacency from the 2008 one.

    Args:
        successor_of: each 1999 unit's 2008 successor (``successor_2008``).
        adj2008: the 2008 pairs ``(a, b)`` with ``a < b`` and their border in km.

    Returns:
        ``(a, b, km or None, basis, sources)`` rows with ``a < b``, sorted; ``basis`` is
        ``geometry`` (both units have their own polygon), ``nested-in-parent`` (an okrug and
        the subject it lay in, sourced) or ``successor-approximate`` (inherited from a 2008
        successor's polygon: approximate).

    Examples:
        >>> rows = adjacency_1999({"RU-AGB": "RU-ZAB", "RU-CHI": "RU-ZAB", "RU-AMU": "RU-AMU",
        ...                        "RU-BU": "RU-BU"},
        ...                       {("RU-AMU", "RU-ZAB"): 1.0, ("RU-BU", "RU-ZAB"): 2.0})
        >>> [(a, b, basis) for a, b, _, basis, _ in rows]
        [('RU-AGB', 'RU-CHI', 'nested-in-parent'), ('RU-AMU', 'RU-CHI', 'successor-approximate'), \
('RU-BU', 'RU-CHI', 'successor-approximate')]
    """
    units_of: dict[str, list[str]] = defaultdict(list)
    for unit, successor in successor_of.items():
        units_of[successor].append(unit)
    flagged = set(SUCCESSOR_BASIS) & set(successor_of)
    rows: dict[tuple[str, str], tuple[float | None, str, str]] = {}
    for (p, q), km in adj2008.items():
        for a in units_of[p]:
            for b in units_of[q]:
                pair = (a, b) if a < b else (b, a)
                if pair in NOT_ADJACENT_1999 or any(
                    u in ENCLAVES and ENCLAVES[u] not in pair for u in pair
                ):
                    continue
                if a in flagged or b in flagged:
                    rows[pair] = (None, "successor-approximate",
                                  _flagged_sources(*pair, successor_of))
                else:
                    rows[pair] = (km, "geometry", "natural-earth:admin-1 polygons")
    for (a, b), sources in NESTED_ADJACENCY.items():
        if a not in successor_of or b not in successor_of or not a < b:
            sys.exit(f"bad nested pair {a}-{b}")
        rows[(a, b)] = (None, "nested-in-parent", sources)
    return [(a, b, km, basis, src) for (a, b), (km, basis, src) in sorted(rows.items())]


def csv_text(rows: Sequence[tuple[str, str, float | None, str, str]]) -> str:
    """Return ``adjacency_1999.csv`` as text (``\\n`` line ends, km with one decimal)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows((a, b, "" if km is None else f"{km:.1f}", basis, src)
                     for a, b, km, basis, src in rows)
    return out.getvalue()


def from_committed(geo: Path = GEO) -> str:
    """Rebuild ``adjacency_1999.csv`` from the committed ``adjacency_2008.csv`` and subjects."""
    with (geo / "adjacency_2008.csv").open(encoding="utf-8", newline="") as fh:
        adj2008 = {(r["a"], r["b"]): float(r["shared_border_km"]) for r in csv.DictReader(fh)}
    with (geo.parent / "subjects.csv").open(encoding="utf-8", newline="") as fh:
        successor_of = {r["id"]: r["successor_2008"] for r in csv.DictReader(fh)}
    return csv_text(adjacency_1999(successor_of, adj2008))


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite (or, with ``--check``, compare) the committed ``adjacency_1999.csv``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file differs")
    args = parser.parse_args(argv)
    text = from_committed()
    path = GEO / "adjacency_1999.csv"
    if args.check:
        same = path.read_text(encoding="utf-8") == text
        print(f"{path}: {'up to date' if same else 'differs from the rebuild'}")
        return 0 if same else 1
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
