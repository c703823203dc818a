"""The bundled Russia 1990s case holds every fact of the memo, each row sourced.

The case data are read straight from the CSV files (the ``regionet`` loader is not used),
so this test checks the data themselves: every fact listed in ``tests/data/memo_facts.yaml``
is found by its query and the matching row cites the memo's paragraph; and the tables hang
together (ids, references, vocabularies, statuses, dates).
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CASE = ROOT / "src" / "regionet" / "cases" / "russia_1990s"
FACTS_FILE = ROOT / "tests" / "data" / "memo_facts.yaml"

MEMO = "sergounin-1999"
ASSUMPTION = "regionet-assumption"
STATUSES = {"verified", "partial", "assumed"}
COMPARATORS = {"=", ">", "<", ">=", "<=", "~"}
ACTOR_KINDS = {
    "centre",
    "subject",
    "association",
    "state",
    "foreign_region",
    "organization",
    "fund",
    "programme",
    "agency",
    "company",
}
MEMBERSHIP_TARGETS = {"association", "organization", "fund", "programme"}
CURRENCIES = {
    "RUB",
    "RUR",
    "USD",
    "EUR",
    "ECU",
    "NOK",
    "SEK",
    "DKK",
    "FIM",
    "DEM",
    "PLN",
    "LTL",
    "JPY",
    "CNY",
    "GBP",
}
TABLE_FILES = {
    "ties": "ties.csv",
    "observations": "observations.csv",
    "actors": "actors.csv",
    "actor_attributes": "actor_attributes.csv",
    "rates": "rates.csv",
}
SOURCED_FILES = [
    "actors.csv",
    "subjects.csv",
    "actor_attributes.csv",
    "ties.csv",
    "observations.csv",
    "rates.csv",
]
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
ID_RE = re.compile(r"^(?:[A-Z]{2}|[A-Z]{2}-[A-Z0-9]{1,3}|[a-z0-9]+(?:[-_.][a-z0-9]+)*)$")


# ---------------------------------------------------------------- loading helpers


@cache
def load(name: str) -> tuple[dict[str, str], ...]:
    with (CASE / name).open(encoding="utf-8", newline="") as f:
        return tuple(csv.DictReader(f))


@cache
def facts() -> tuple[dict[str, Any], ...]:
    with FACTS_FILE.open(encoding="utf-8") as f:
        return tuple(yaml.safe_load(f)["facts"])


@cache
def actors_by_id() -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in load("actors.csv")}


def split_list(cell: str) -> list[str]:
    return [x for x in cell.split(";") if x]


def citations(cell: str) -> list[tuple[str, str]]:
    """Split a sources cell into (document id, locator) pairs at the first colon."""
    out = []
    for entry in cell.split(";"):
        doc, sep, locator = entry.partition(":")
        out.append((doc.strip(), locator.strip() if sep else ""))
    return out


def cites_memo(row: dict[str, str], para: int) -> bool:
    return (MEMO, f"para {para}") in citations(row["sources"])


def parse_date(text: str, bound: str) -> date:
    m = DATE_RE.match(text)
    assert m, f"not a date: {text!r}"
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    if mo is None:
        return date(y, 1, 1) if bound == "start" else date(y, 12, 31)
    month = int(mo)
    if d is None:
        if bound == "start":
            return date(y, month, 1)
        nxt = date(y + month // 12, month % 12 + 1, 1)
        return date.fromordinal(nxt.toordinal() - 1)
    return date(y, month, int(d))


def as_float(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- fact queries


def matches(row: dict[str, str], where: dict[str, Any]) -> bool:
    for key, want in where.items():
        if key == "giver":
            if split_list(row["actors"])[:1] != [str(want)]:
                return False
            continue
        assert key in row, f"query column {key!r} is not in the table"
        have = row[key].strip()
        if key == "comparator" and not have:
            have = "="
        if isinstance(want, list):
            if not {str(w) for w in want} <= set(split_list(have)):
                return False
        elif isinstance(want, (int, float)) and not isinstance(want, bool):
            got = as_float(have)
            if got is None or not math.isclose(got, float(want), rel_tol=1e-6, abs_tol=1e-9):
                return False
        elif have != str(want):
            return False
    return True


def test_fact_list_is_well_formed() -> None:
    ids = [f["id"] for f in facts()]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    for f in facts():
        assert set(f) == {"id", "para", "fact", "table", "where"}, f["id"]
        assert f["table"] in TABLE_FILES, f["id"]
        assert 1 <= int(f["para"]) <= 19, f["id"]
        assert f["where"], f["id"]
        # YAML 1.1 reads unquoted NO / yes / on as booleans: quote them in the fact list
        for value in f["where"].values():
            items = value if isinstance(value, list) else [value]
            assert not any(isinstance(v, bool) for v in items), f"{f['id']}: boolean in query"
    # every body paragraph of the memo holds at least one fact
    assert {int(f["para"]) for f in facts()} == set(range(1, 20))


@pytest.mark.parametrize("fact", facts(), ids=lambda f: f["id"])
def test_memo_fact_is_encoded(fact: dict[str, Any]) -> None:
    rows = load(TABLE_FILES[fact["table"]])
    hits = [r for r in rows if matches(r, fact["where"])]
    assert hits, f"{fact['id']}: no row of {fact['table']} matches {fact['where']}"
    cited = [r for r in hits if cites_memo(r, int(fact["para"]))]
    assert cited, (
        f"{fact['id']}: matching rows do not cite {MEMO}:para {fact['para']}: "
        + "; ".join(r.get("id") or r.get("actor", "") for r in hits)
    )


# ---------------------------------------------------------------- integrity


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("documents.csv", ("id",)),
        ("actors.csv", ("id",)),
        ("subjects.csv", ("id",)),
        ("ties.csv", ("id",)),
        ("observations.csv", ("id",)),
        ("actor_attributes.csv", ("actor", "attribute")),
        ("rates.csv", ("base", "quote", "year")),
        ("vocab/tie_kinds.csv", ("kind",)),
        ("vocab/domains.csv", ("domain",)),
        ("vocab/indicators.csv", ("indicator",)),
    ],
)
def test_keys_are_unique(name: str, key: tuple[str, ...]) -> None:
    counts = Counter(tuple(r[k] for k in key) for r in load(name))
    assert not [k for k, n in counts.items() if n > 1]


@pytest.mark.parametrize("name", SOURCED_FILES)
def test_rows_are_sourced_with_valid_status(name: str) -> None:
    docs = {r["id"] for r in load("documents.csv")}
    for i, row in enumerate(load(name), start=2):
        where = f"{name} line {i}"
        assert row["status"] in STATUSES, f"{where}: status {row['status']!r}"
        cites = citations(row["sources"])
        assert cites and row["sources"].strip(), f"{where}: no sources"
        for doc, locator in cites:
            assert doc in docs, f"{where}: unknown document {doc!r}"
            assert locator, f"{where}: citation of {doc!r} has no locator"
        if any(doc == ASSUMPTION for doc, _ in cites):
            assert row["status"] == "assumed", f"{where}: cites {ASSUMPTION} but is {row['status']}"
        if row["status"] == "assumed":
            assert row["note"].strip(), f"{where}: assumed row without a note saying why"


def test_documents() -> None:
    docs = {r["id"]: r for r in load("documents.csv")}
    for required in (MEMO, ASSUMPTION, "rosstat-31557", "src-c65", "src-r90", "src-mrg"):
        assert required in docs
    for doc_id, row in docs.items():
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", doc_id), doc_id
        assert row["title"].strip(), doc_id


def test_vocabularies() -> None:
    for row in load("vocab/tie_kinds.csv"):
        assert row["directed"] in {"true", "false"}, row["kind"]
        assert row["definition"].strip(), row["kind"]
    kinds = {r["kind"] for r in load("vocab/tie_kinds.csv")}
    for required in (
        "membership",
        "agreement",
        "cooperation",
        "joint_project",
        "joint_venture",
        "joint_monitoring",
        "assistance",
        "grant",
        "loan",
        "investment",
        "pledge",
        "capitalization",
        "trade",
        "barter_trade",
        "lobbying",
        "negotiation",
        "establishment",
        "representation",
    ):
        assert required in kinds
    for row in load("vocab/domains.csv"):
        assert re.fullmatch(r"[a-z][a-z_]*", row["domain"]), row["domain"]


def test_actors() -> None:
    actors = actors_by_id()
    for actor_id, row in actors.items():
        assert ID_RE.match(actor_id), actor_id
        assert row["kind"] in ACTOR_KINDS, actor_id
        assert row["name_en"].strip(), actor_id
        if row["parent"]:
            assert row["parent"] in actors, f"{actor_id}: unknown parent {row['parent']}"
        if row["valid_from"] and row["valid_to"]:
            assert parse_date(row["valid_to"], "end") >= parse_date(row["valid_from"], "start")
    subjects = [a for a in actors.values() if a["kind"] == "subject"]
    assert len(subjects) == 89
    assert all(s["parent"] == "RU" for s in subjects)
    assert actors["RU"]["kind"] == "centre"
    ended = {a["id"]: a["valid_to"] for a in subjects if a["valid_to"]}
    assert ended == {
        "RU-KOP": "2005-12-01",
        "RU-PER": "2005-12-01",
        "RU-TAY": "2007-01-01",
        "RU-EVE": "2007-01-01",
        "RU-KOR": "2007-07-01",
        "RU-KAM": "2007-07-01",
        "RU-UOB": "2008-01-01",
        "RU-AGB": "2008-03-01",
        "RU-CHI": "2008-03-01",
    }


def test_subjects_table() -> None:
    actors = actors_by_id()
    rows = load("subjects.csv")
    assert {r["id"] for r in rows} == {a for a, r in actors.items() if r["kind"] == "subject"}
    total = 0
    for r in rows:
        for col in ("land_border_states", "sea_border_states"):
            for state in split_list(r[col]):
                assert actors[state]["kind"] == "state", (r["id"], state)
        assert r["population_year"] == "1999"
        total += int(r["population_1999"])
        assert ("rosstat-31557", "indicator 31557, 1 January 1999") in citations(r["sources"])
    # the 89 rows add up to the (retro-revised) Russian total of 1 January 1999
    assert 145_000_000 < total < 149_000_000


def test_ties() -> None:
    actors = actors_by_id()
    kinds = {r["kind"] for r in load("vocab/tie_kinds.csv")}
    domains = {r["domain"] for r in load("vocab/domains.csv")}
    for t in load("ties.csv"):
        tid = t["id"]
        assert tid.startswith("t-") and ID_RE.match(tid), tid
        assert t["kind"] in kinds, tid
        parties = split_list(t["actors"])
        assert len(parties) >= 2, tid
        assert len(parties) == len(set(parties)), f"{tid}: an actor twice"
        for p in parties:
            assert p in actors, f"{tid}: unknown actor {p}"
        for d in split_list(t["domains"]):
            assert d in domains, f"{tid}: unknown domain {d}"
        start = parse_date(t["start"], "start") if t["start"] else None
        end = parse_date(t["end"], "end") if t["end"] else None
        if start and end:
            assert end >= start, tid
        # a tie's dates lie inside each actor's validity (open ends always fit)
        for p in parties:
            a = actors[p]
            if start and a["valid_from"]:
                assert parse_date(a["valid_from"], "start") <= start, f"{tid}: starts before {p}"
            if end and a["valid_to"]:
                assert end <= parse_date(a["valid_to"], "end"), f"{tid}: ends after {p}"
        if t["amount"]:
            amount = as_float(t["amount"])
            assert amount is not None and amount >= 0, tid
            assert t["currency"] in CURRENCIES, tid
        if t["amount_year"]:
            assert re.fullmatch(r"\d{4}", t["amount_year"]), tid
        if t["location"]:
            assert actors[t["location"]]["kind"] == "subject", f"{tid}: location"


def test_memberships() -> None:
    actors = actors_by_id()
    for t in load("ties.csv"):
        if t["kind"] != "membership":
            continue
        member, *groups = split_list(t["actors"])
        for g in groups:
            assert actors[g]["kind"] in MEMBERSHIP_TARGETS, f"{t['id']}: {g} cannot have members"
            if actors[g]["kind"] == "association":
                assert actors[member]["kind"] == "subject", f"{t['id']}: non-subject in association"


def test_association_memberships_cover_the_reference_table() -> None:
    members = {
        (split_list(t["actors"])[1], split_list(t["actors"])[0])
        for t in load("ties.csv")
        if t["kind"] == "membership"
    }
    per_assoc = Counter(a for a, _ in members if a.startswith("assoc-"))
    # one tie per association x member of shared/reference/data/associations_1990s.csv
    assert per_assoc == {
        "assoc-central-russia": 13,
        "assoc-northwest": 12,
        "assoc-greater-volga": 13,
        "assoc-ural": 11,
        "assoc-siberian-accord": 19,
        "assoc-far-east": 13,
        "assoc-chernozem": 6,
        "assoc-north-caucasus": 10,
    }


def test_observations() -> None:
    actors = actors_by_id()
    indicators = {r["indicator"] for r in load("vocab/indicators.csv")}
    for o in load("observations.csv"):
        oid = o["id"]
        assert oid.startswith("o-"), oid
        assert o["indicator"] in indicators, oid
        assert o["subject"] in actors, oid
        assert (o["comparator"] or "=") in COMPARATORS, oid
        assert o["value"] or o["value_text"], oid
        if o["value"]:
            assert as_float(o["value"]) is not None, oid
        if o["start"] and o["end"]:
            assert parse_date(o["end"], "end") >= parse_date(o["start"], "start"), oid


def test_actor_attributes_and_rates() -> None:
    actors = actors_by_id()
    domains = {r["domain"] for r in load("vocab/domains.csv")}
    for r in load("actor_attributes.csv"):
        assert r["actor"] in actors, r["actor"]
        if r["unit"] == "domain_list":
            assert set(split_list(r["value"])) <= domains, (r["actor"], r["attribute"])
        if r["unit"] in {"state_list", "subject_list", "subject"}:
            for ref in split_list(r["value"]):
                assert ref in actors, (r["actor"], r["attribute"], ref)
        if r["unit"] in {"ECU", "share"}:
            assert as_float(r["value"]) is not None, (r["actor"], r["attribute"])
    rates = load("rates.csv")
    for r in rates:
        assert r["base"] in CURRENCIES and r["quote"] in CURRENCIES
        rate = as_float(r["rate"])
        assert rate is not None and rate > 0
    ecu_nok = [r for r in rates if (r["base"], r["quote"]) == ("ECU", "NOK")]
    assert ecu_nok and math.isclose(float(ecu_nok[0]["rate"]), 300 / 37)


def test_case_manifest() -> None:
    with (CASE / "case.yaml").open(encoding="utf-8") as f:
        manifest = yaml.safe_load(f)
    assert manifest["id"] == "russia-1990s"
    assert manifest["federation"] == "RU"
    for table, filename in manifest["files"].items():
        assert (CASE / filename).is_file(), f"{table}: {filename} missing"
