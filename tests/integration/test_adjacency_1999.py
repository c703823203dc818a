"""The 1999 adjacency of the bundled case: rebuilt offline, sourced or approximate, and said so.

``geo/adjacency_1999.csv`` is derived from ``geo/adjacency_2008.csv`` by
``scripts/geodata_1999.py`` (which ``scripts/build_geodata.py`` calls); these tests need
neither the network nor geopandas.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import regionet as rn
from regionet.model.case import Case

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "src/regionet/cases/russia_1990s"
#: The nine units of 1999 merged in 2005-08, and the two subjects whose 1999 territory
#: differs from their 2008 polygon because an okrug was carved out of it.
MERGED = {"RU-KOP", "RU-PER", "RU-TAY", "RU-EVE", "RU-KOR", "RU-KAM", "RU-UOB", "RU-AGB",
          "RU-CHI"}
FLAGGED = MERGED | {"RU-KYA", "RU-IRK"}


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("geodata_1999", ROOT / "scripts/geodata_1999.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("geodata_1999", module)
    spec.loader.exec_module(module)
    return module


def rows() -> list[dict[str, str]]:
    with (CASE / "geo/adjacency_1999.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def case() -> Case:
    return rn.load_case("russia-1990s")


def test_the_committed_file_is_the_rebuild() -> None:
    text = (CASE / "geo/adjacency_1999.csv").read_text(encoding="utf-8")
    assert script().from_committed(CASE / "geo") == text
    assert script().main(["--check"]) == 0


def test_every_pair_of_a_merged_unit_is_sourced_or_approximate() -> None:
    documents = {r["id"] for r in csv.DictReader((CASE / "documents.csv").open(encoding="utf-8"))}
    counts: dict[str, int] = {}
    for r in rows():
        counts[r["basis"]] = counts.get(r["basis"], 0) + 1
        for citation in r["sources"].split(";"):
            doc, _, locator = citation.partition(":")
            assert doc in documents and locator, (r["a"], r["b"], citation)
        if {r["a"], r["b"]} & FLAGGED:
            assert r["basis"] in ("nested-in-parent", "successor-approximate"), r
            assert r["shared_border_km"] == ""
        else:
            assert (r["basis"], r["sources"]) == ("geometry", "natural-earth:admin-1 polygons")
    assert counts == {"geometry": 165, "nested-in-parent": 7, "successor-approximate": 43}


def test_enclaves_border_only_their_host_and_the_wrong_pairs_are_gone() -> None:
    pairs = {(r["a"], r["b"]) for r in rows()}
    assert {p for p in pairs if "RU-AGB" in p} == {("RU-AGB", "RU-CHI")}
    assert {p for p in pairs if "RU-UOB" in p} == {("RU-IRK", "RU-UOB")}
    for wrong in [("RU-AGB", "RU-AMU"), ("RU-AGB", "RU-SA"), ("RU-BA", "RU-KOP"),
                  ("RU-KEM", "RU-TAY"), ("RU-TY", "RU-UOB"), ("RU-KLU", "RU-MOW")]:
        assert wrong not in pairs
    # the okrug's host keeps the successor polygon's other borders, approximately
    assert ("RU-AMU", "RU-CHI") in pairs and ("RU-BA", "RU-PER") in pairs


def test_the_rebuild_applies_the_rules_to_any_input() -> None:
    derive = script().adjacency_1999
    successor_of = {"RU-AGB": "RU-ZAB", "RU-CHI": "RU-ZAB", "RU-AMU": "RU-AMU",
                    "RU-KOP": "RU-PER", "RU-PER": "RU-PER", "RU-BA": "RU-BA",
                    "RU-KO": "RU-KO", "RU-KAM": "RU-KAM", "RU-KOR": "RU-KAM",
                    "RU-KYA": "RU-KYA", "RU-TAY": "RU-KYA", "RU-EVE": "RU-KYA",
                    "RU-IRK": "RU-IRK", "RU-UOB": "RU-IRK"}
    got = derive(successor_of, {("RU-AMU", "RU-ZAB"): 600.0, ("RU-BA", "RU-PER"): 500.0,
                                ("RU-KO", "RU-PER"): 400.0})
    assert [(a, b, km, basis) for a, b, km, basis, _ in got] == [
        ("RU-AGB", "RU-CHI", None, "nested-in-parent"),
        ("RU-AMU", "RU-CHI", None, "successor-approximate"),
        ("RU-BA", "RU-PER", None, "successor-approximate"),
        ("RU-EVE", "RU-KYA", None, "nested-in-parent"),
        ("RU-EVE", "RU-TAY", None, "nested-in-parent"),
        ("RU-IRK", "RU-UOB", None, "nested-in-parent"),
        ("RU-KAM", "RU-KOR", None, "nested-in-parent"),
        ("RU-KO", "RU-KOP", None, "successor-approximate"),
        ("RU-KO", "RU-PER", None, "successor-approximate"),
        ("RU-KOP", "RU-PER", None, "nested-in-parent"),
        ("RU-KYA", "RU-TAY", None, "nested-in-parent"),
    ]


def test_the_case_knows_which_borders_are_approximate(case: Case) -> None:
    approximate = {frozenset({r["a"], r["b"]}) for r in rows()
                   if r["basis"] == "successor-approximate"}
    assert case.approximate_adjacency == approximate and len(approximate) == 43
    assert approximate < case.adjacency and len(case.adjacency) == 215


def test_an_approximate_pair_never_shares_a_border_without_approximately(case: Case) -> None:
    fed = case.federation_model
    for pair in sorted(case.adjacency, key=sorted):
        c = fed.classify(sorted(pair))
        assert c.neighbours is True
        assert ("approximately" in c.reason) == (pair in case.approximate_adjacency), c.reason
    # in a tie of three members too
    c = fed.classify(["RU-KO", "RU-KOP", "RU-KR"])
    assert c.reason.endswith("1 of 3 pairs share a border (1 approximately)")
    c = fed.classify(["RU-AGB", "RU-AMU"])
    assert (c.neighbours, c.reason) == (False, "RU-AGB and RU-AMU: members of RU with no "
                                               "common border")
