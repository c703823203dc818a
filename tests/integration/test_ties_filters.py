"""Tie filters give exactly the ties a hand count of the case files gives: REST API and CLI.

The expected ids are computed here from the bundled ``ties.csv`` read as plain text, without
regionet's date parsing: a tie touches year ``Y`` when its start text's year is ``<= Y`` and its
end text's year ``>= Y`` (an empty date is open); it is valid on day ``D`` when its start text
is ``<=`` the same-length prefix of ``D`` and its end text ``>=`` it ("1999-12" as an end covers
every day of December 1999). ``actor`` matches a party or the tie's location. Levels are not
in the case files: a level's ties must be exactly the unfiltered listing's ties of that level,
the levels must partition the ties, and the ties whose parties are all subjects must be the
bilateral ones (docs/levels.md).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import regionet.cases
from regionet.interfaces.api import create_app

CASE = Path(regionet.cases.__file__).parent / "russia_1990s"
Row = dict[str, str]


def read(name: str) -> list[Row]:
    with (CASE / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


TIES = read("ties.csv")
ACTOR_KIND = {r["id"]: r["kind"] for r in read("actors.csv")}


def touches_year(year: int) -> Callable[[Row], bool]:
    return lambda t: ((not t["start"] or int(t["start"][:4]) <= year)
                      and (not t["end"] or int(t["end"][:4]) >= year))


def valid_on(day: str) -> Callable[[Row], bool]:
    return lambda t: ((not t["start"] or t["start"] <= day[:len(t["start"])])
                      and (not t["end"] or day[:len(t["end"])] <= t["end"]))


def involves(actor: str) -> Callable[[Row], bool]:
    return lambda t: actor in t["actors"].split(";") or t["location"] == actor


def column(name: str, value: str) -> Callable[[Row], bool]:
    return lambda t: t[name] == value


def hand(*tests: Callable[[Row], bool]) -> list[str]:
    """Ids of the ties passing every test, sorted (the API's order)."""
    return sorted(t["id"] for t in TIES if all(test(t) for test in tests))


#: (query, the same filter by hand). Each hand count is checked to select a proper, non-empty
#: subset, so an ignored filter cannot pass.
CASES: list[tuple[dict[str, Any], list[str]]] = [
    ({"year": 1990}, hand(touches_year(1990))),
    ({"year": 1992}, hand(touches_year(1992))),
    ({"year": 1998}, hand(touches_year(1998))),
    ({"year": 2005}, hand(touches_year(2005))),
    ({"as_of": "1990-12-14"}, hand(valid_on("1990-12-14"))),
    ({"as_of": "1998-06-01"}, hand(valid_on("1998-06-01"))),
    ({"as_of": "2001-06-09"}, hand(valid_on("2001-06-09"))),
    ({"as_of": "1990-12-15"}, hand(valid_on("1990-12-15"))),  # first and last day of the
    ({"as_of": "2001-06-08"}, hand(valid_on("2001-06-08"))),  # Central Russia memberships
    ({"as_of": "1999-12-31"}, hand(valid_on("1999-12-31"))),
    ({"actor": "RU-KR"}, hand(involves("RU-KR"))),
    ({"actor": "RU-MUR"}, hand(involves("RU-MUR"))),
    ({"actor": "FI"}, hand(involves("FI"))),
    ({"status": "verified"}, hand(column("status", "verified"))),
    ({"status": "assumed"}, hand(column("status", "assumed"))),
    ({"kind": "membership"}, hand(column("kind", "membership"))),
    ({"kind": "lobbying"}, hand(column("kind", "lobbying"))),
    ({"kind": "membership", "year": 2001}, hand(column("kind", "membership"),
                                                 touches_year(2001))),
    ({"actor": "RU-KR", "year": 1992}, hand(involves("RU-KR"), touches_year(1992))),
    ({"actor": "RU-MUR", "as_of": "1998-06-01", "status": "verified"},
     hand(involves("RU-MUR"), valid_on("1998-06-01"), column("status", "verified"))),
    ({"kind": "membership", "status": "assumed", "year": 1995},
     hand(column("kind", "membership"), column("status", "assumed"), touches_year(1995))),
]


def ids(case: dict[str, Any]) -> str:
    return "&".join(f"{k}={v}" for k, v in case.items())


def test_the_hand_counts_select_proper_subsets() -> None:
    for query, expected in CASES:
        assert 0 < len(expected) < len(TIES) == 161, query
    # the dates in the case files have the three forms the hand tests read
    forms = {len(t[e]) for t in TIES for e in ("start", "end") if t[e]}
    assert forms == {4, 7, 10}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(None, dashboard=False)) as client:  # one event loop
        yield client


def api_ids(client: TestClient, query: dict[str, Any]) -> tuple[int, list[str]]:
    response = client.get("/api/ties", params={**query, "limit": 1000})
    assert response.status_code == 200, response.text
    body = response.json()
    return body["count"], [t["id"] for t in body["data"]]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[ids(q) for q, _ in CASES])
def test_api_ties_filter_equals_the_hand_count(client: TestClient, query: dict[str, Any],
                                               expected: list[str]) -> None:
    count, got = api_ids(client, query)
    assert got == expected
    assert count == len(expected)


def test_api_year_filter_returns_only_ties_valid_that_year(client: TestClient) -> None:
    body = client.get("/api/ties", params={"year": 1992, "limit": 1000}).json()
    for tie in body["data"]:
        assert tie["start"] is None or int(tie["start"][:4]) <= 1992, tie["id"]
        assert tie["end"] is None or int(tie["end"][:4]) >= 1992, tie["id"]
    dropped = {t["id"] for t in TIES} - {t["id"] for t in body["data"]}
    assert dropped == {t["id"] for t in TIES if not touches_year(1992)(t)}
    assert "t-mem-central-russia-bry" not in dropped  # 1990-12-15 – 2001-06-08


def test_api_pages_add_up_to_the_count(client: TestClient) -> None:
    expected = hand(touches_year(1998))
    pages = [client.get("/api/ties", params={"year": 1998, "limit": 50, "offset": o}).json()
             for o in range(0, len(expected), 50)]
    assert {p["count"] for p in pages} == {len(expected)}
    assert [t["id"] for p in pages for t in p["data"]] == expected


def test_api_levels_partition_the_ties(client: TestClient) -> None:
    _, everything = api_ids(client, {})
    assert everything == hand()
    full = client.get("/api/ties", params={"limit": 1000}).json()["data"]
    level_of = {t["id"]: t["level"] for t in full}
    seen: list[str] = []
    for level in ("bilateral", "subnational", "international", "vertical", "interstate",
                  "federal", "external"):
        count, got = api_ids(client, {"level": level})
        assert got == sorted(i for i, lv in level_of.items() if lv == level), level
        assert count == len(got) > 0
        seen += got
    assert sorted(seen) == everything  # every tie in exactly one level
    all_subjects = hand(lambda t: all(ACTOR_KIND[a] == "subject"
                                      for a in t["actors"].split(";")))
    assert api_ids(client, {"level": "bilateral"})[1] == all_subjects == [
        "t-ko-kr-bilateral", "t-kr-mur-bilateral", "t-niz-kda-bilateral"]
    parts = [api_ids(client, {"level": "international", "sublevel": s})[1]
             for s in ("cross-border", "trans-regional", "non-adjacent")]
    international = api_ids(client, {"level": "international"})[1]
    assert sorted(i for part in parts for i in part) == international
    level_1998 = api_ids(client, {"level": "subnational", "year": 1998})[1]
    assert level_1998 == sorted(set(hand(touches_year(1998)))
                                & {i for i, lv in level_of.items() if lv == "subnational"})


# --- the CLI: `regionet data ties` filters the same way ---------------------------------------

EXE = [sys.executable, "-m", "regionet.interfaces.cli"]
#: Options of `data ties` for the query parameters (the CLI has no --status).
OPTION = {"year": "--year", "as_of": "--as-of", "actor": "--actor", "kind": "--kind",
          "level": "--level", "sublevel": "--sublevel"}


def regionet(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "REGIONET_DB": db}
    cwd = None if "://" in db else Path(db).parent
    return subprocess.run([*EXE, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def workspace(request: pytest.FixtureRequest, new_workspace_url: Any) -> str:
    db = str(new_workspace_url(request, request.param))
    result = regionet(db, "data", "init")
    assert result.returncode == 0, result.stderr
    return db


CLI_CASES = [(q, e) for q, e in CASES if set(q) <= set(OPTION)
             and q in ({"year": 1992}, {"as_of": "2001-06-09"}, {"actor": "RU-KR", "year": 1992},
                       {"kind": "membership", "year": 2001})]


@pytest.mark.slow  # `regionet` in a subprocess
@pytest.mark.parametrize(("query", "expected"), CLI_CASES, ids=[ids(q) for q, _ in CLI_CASES])
def test_cli_data_ties_filter_equals_the_hand_count(workspace: str, query: dict[str, Any],
                                                    expected: list[str]) -> None:
    args = [a for k, v in query.items() for a in (OPTION[k], str(v))]
    result = regionet(workspace, "data", "ties", "--json", *args)
    assert result.returncode == 0, result.stderr
    assert [t["id"] for t in json.loads(result.stdout)] == expected


@pytest.mark.slow  # `regionet` in a subprocess
def test_cli_level_filter_equals_the_api(workspace: str, client: TestClient) -> None:
    result = regionet(workspace, "data", "ties", "--json", "--level", "international",
                      "--sublevel", "cross-border")
    assert result.returncode == 0, result.stderr
    got = [t["id"] for t in json.loads(result.stdout)]
    assert got == api_ids(client, {"level": "international", "sublevel": "cross-border"})[1]
    assert 0 < len(got) < 23
