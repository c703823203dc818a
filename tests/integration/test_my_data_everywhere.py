"""My data everywhere (issue 7, item 1): what a user imports is read back through every door.

The records in ``tests/data/my_workspace`` are not in the bundled case (checked first): two
foreign regions, a cross-border tie of Karelia, one of Pskov, a second Karelia-Murmansk tie and
an observation. After ``regionet data import`` they must appear in the CLI's ``data``,
``network``, ``figures`` and ``report`` commands, in every export format, and in every REST
resource, on a server that was already running (no restart: the workspace's revision changes).
"""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from regionet.interfaces.api import create_app
from regionet.io.casefiles import load_case
from regionet.services.case_source import CaseSource
from regionet.services.workspace import import_files, init_workspace

FIXTURE = Path(__file__).parents[1] / "data" / "my_workspace"
FILES = sorted(FIXTURE.glob("*.csv"))
NEW_ACTORS = {"FI-13", "EE-65"}
NEW_TIES = {"t-test-kr-north-karelia", "t-test-psk-polva", "t-test-kr-mur-transport"}
NEW_OBSERVATION = "o-test-kr-agreements"
EXE = [sys.executable, "-m", "regionet.interfaces.cli"]


def cli(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*EXE, *args], capture_output=True, text=True, timeout=300)
    if ok:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture
def workspace(workspace_url: str) -> str:
    init_workspace(workspace_url)
    return workspace_url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def imported(request: pytest.FixtureRequest, new_workspace_url: Any) -> str:
    db = str(new_workspace_url(request, request.param))
    init_workspace(db)
    import_files(db, FILES)
    return db


def test_the_fixture_is_not_in_the_bundled_case() -> None:
    case = load_case()
    assert not NEW_ACTORS & set(case.actors)
    assert not NEW_TIES & set(case.ties)
    assert NEW_OBSERVATION not in case.observations


def _fresh(client: TestClient, path: str, revision: int, **params: Any) -> Any:
    """GET ``path`` until it reflects ``revision``; earlier answers must say they are older.

    Whole-graph results (the map's values, network measures) may answer with the previous
    revision's for a moment after a write while the new one is computed (docs/api.md,
    "Which revision"); records never do.
    """
    deadline = time.monotonic() + 60
    while True:
        response = client.get(path, params=params)
        seen = int(response.headers["X-Regionet-Revision"])
        if seen == revision:
            return response.json()
        assert seen < revision and time.monotonic() < deadline, (path, seen)
        time.sleep(0.1)


def _ties_total(client: TestClient, measure: str = "ties_total", revision: int = 1
                ) -> dict[str, float]:
    fc = _fresh(client, "/api/geo/subjects", revision, measure=measure)
    return {f["id"]: f["properties"]["value"] for f in fc["features"]}


@pytest.mark.slow  # subprocesses, ~4-14 s
def test_a_running_api_sees_an_import_on_its_next_request(workspace: str) -> None:
    client = TestClient(create_app(workspace, dashboard=False, public_read=True))
    before = client.get("/api/health").json()
    assert before["revision"] == 1 and before["counts"]["ties"] == len(load_case().ties)
    assert client.get("/api/ties", params={"actor": "EE-65"}).status_code == 422
    totals, border = _ties_total(client), _ties_total(client, "ties_cross_border")
    metrics = {r["id"] for r in client.get("/api/network/metrics?limit=1000").json()["data"]}
    assert not NEW_ACTORS & metrics

    import_files(workspace, FILES)  # the server is not restarted

    after = client.get("/api/health").json()
    assert after["revision"] == 2
    assert after["counts"]["ties"] == before["counts"]["ties"] + 3
    assert after["counts"]["actors"] == before["counts"]["actors"] + 2
    assert after["counts"]["observations"] == before["counts"]["observations"] + 1
    got = client.get("/api/ties", params={"actor": "EE-65"}).json()
    assert [t["id"] for t in got["data"]] == ["t-test-psk-polva"] and got["count"] == 1
    assert got["data"][0]["sublevel"] == "cross-border"
    assert client.get("/api/ties/t-test-kr-north-karelia").json()["actors"] == ["RU-KR", "FI-13"]
    actor = client.get("/api/actors/FI-13").json()
    assert actor["parent"] == "FI" and [t["id"] for t in actor["ties"]] == [
        "t-test-kr-north-karelia"]
    observations = client.get("/api/observations", params={"subject": "RU-KR"}).json()
    assert NEW_OBSERVATION in {o["id"] for o in observations["data"]}
    cited = client.get("/api/sources/sergounin-1999").json()["cited_by"]["ties"]
    assert set(cited) >= NEW_TIES
    # the map's tie counts follow the workspace (they stayed on the bundled case before)
    new_totals = _ties_total(client, revision=2)
    new_border = _ties_total(client, "ties_cross_border", revision=2)
    assert new_totals["RU-KR"] == totals["RU-KR"] + 2
    assert new_totals["RU-PSK"] == totals["RU-PSK"] + 1
    assert new_totals["RU-MUR"] == totals["RU-MUR"] + 1
    assert {k for k in totals if new_totals[k] != totals[k]} == {"RU-KR", "RU-PSK", "RU-MUR"}
    assert new_border["RU-PSK"] == border["RU-PSK"] + 1
    assert new_border["RU-MUR"] == border["RU-MUR"]
    # whole-graph measures follow too
    rows = _fresh(client, "/api/network/metrics", 2, limit=1000)["data"]
    assert {r["id"] for r in rows} >= NEW_ACTORS
    nodes = {n["id"] for n in _fresh(client, "/api/network/graph", 2)["nodes"]}
    assert nodes >= NEW_ACTORS
    pskov = _fresh(client, "/api/network/actorness", 2, region="RU-PSK")["data"]
    year = {r["year"]: r for r in pskov}
    assert year[1996]["ties_cross_border"] >= 1 and "EE-65" in year[1996]["partners"]


def test_the_bundled_source_never_changes(workspace: str) -> None:
    bundled = TestClient(create_app(None, dashboard=False))
    first = bundled.get("/api/health").json()
    import_files(workspace, FILES)
    second = bundled.get("/api/health").json()
    assert first == second and first["revision"] == 0 and first["read_only"] is True
    assert CaseSource.bundled().state() == (0, "bundled")
    assert bundled.get("/api/ties", params={"actor": "EE-65"}).status_code == 422


@pytest.mark.slow  # subprocesses, ~4-14 s
def test_the_cli_reads_the_workspace(imported: str, tmp_path: Path) -> None:
    db = ["--db", str(imported)]
    ties = json.loads(cli("data", "ties", "--actor", "EE-65", "--json", *db).stdout)
    assert [t["id"] for t in ties] == ["t-test-psk-polva"]
    shown = json.loads(cli("data", "show", "FI-13", *db).stdout)
    assert shown["record_type"] == "actor" and shown["name_local"] == "Pohjois-Karjala"
    facts = json.loads(cli("data", "observations", "--subject", "RU-KR", "--json", *db).stdout)
    assert NEW_OBSERVATION in {o["id"] for o in facts}
    metrics = json.loads(cli("network", "metrics", "--json", *db).stdout)
    assert {r["id"] for r in metrics} >= NEW_ACTORS
    pskov = json.loads(cli("network", "actorness", "--region", "RU-PSK", "--json", *db).stdout)
    assert any("EE-65" in r["partners"] for r in pskov)
    bundled = {b["association"]: b for b in json.loads(
        cli("network", "blocs", "--json", "--db", str(tmp_path / "none.db")).stdout)}
    mine = {b["association"]: b for b in json.loads(cli("network", "blocs", "--json", *db).stdout)}
    # the second Karelia-Murmansk tie is internal to the Northwest Association, and only there
    changed = {a for a in mine if mine[a] != bundled[a]}
    assert changed == {"assoc-northwest"}
    nw, was = mine["assoc-northwest"], bundled["assoc-northwest"]
    assert nw["n_internal_ties"] == was["n_internal_ties"] + 1
    assert nw["member_strength"]["RU-KR"] == was["member_strength"]["RU-KR"] + 1
    communities = json.loads(cli("network", "communities", "--json", *db).stdout)
    assert communities["n_compared"] > 0
    out = cli("network", "export", "--format", "graphml", "--out", str(tmp_path / "g"), *db)
    graph = Path(out.stdout.strip()).read_text(encoding="utf-8")
    assert all(f'"{a}"' in graph for a in NEW_ACTORS)
    png = tmp_path / "ties_total.png"
    done = cli("figures", "map", "--measure", "ties_total", "--out", str(png), *db)
    assert Path(done.stdout.strip()) == png and png.stat().st_size > 10_000
    assert "does not exist" not in done.stderr  # the workspace, not the bundled stand-in


@pytest.mark.slow
def test_the_report_of_a_workspace_shows_its_records(imported: str, tmp_path: Path) -> None:
    cli("report", "--db", str(imported), "--no-fiscal", "--out", str(tmp_path))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert all(tie in html for tie in NEW_TIES)


def _csv_ids(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return {row["id"] for row in csv.DictReader(fh)}


@pytest.mark.slow  # `regionet` in a subprocess
@pytest.mark.parametrize("fmt", ["csv", "json", "geojson", "graphml", "gexf"])
def test_every_export_carries_the_records(imported: str, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / fmt
    paths = [Path(p) for p in cli("data", "export", "--format", fmt, "--out", str(out),
                                  "--db", str(imported)).stdout.split()]
    assert paths and all(p.is_file() for p in paths)
    if fmt == "csv":
        assert _csv_ids(out / "ties.csv") >= NEW_TIES
        assert _csv_ids(out / "actors.csv") >= NEW_ACTORS
        assert _csv_ids(out / "ties_classified.csv") >= NEW_TIES
    elif fmt == "json":
        ids = {t["id"] for t in json.loads((out / "ties.json").read_text())}
        assert ids >= NEW_TIES
    elif fmt == "geojson":
        fc = json.loads(paths[0].read_text(encoding="utf-8"))
        assert len(fc["features"]) == 89  # the subjects: the new actors are foreign regions
    else:
        root = ET.parse(paths[0]).getroot()
        ids = {el.get("id") for el in root.iter() if el.tag.endswith("node")}
        assert ids >= NEW_ACTORS


def _serve(db: str, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen([*EXE, "serve", "--db", str(db), "--port", str(port),
                             "--public-read"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_regionet_serve_shows_a_cli_import_without_restart(
        workspace: str, free_port: Callable[[], int],
        wait_for_health: Callable[..., httpx.Response]) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(workspace, port)
    try:
        health: dict[str, Any] = wait_for_health(base, process=server).json()
        assert (health["source"], health["revision"]) == ("workspace", 1)
        assert httpx.get(f"{base}/api/ties", params={"actor": "FI-13"}).status_code == 422
        cli("data", "import", *map(str, FILES), "--db", str(workspace))
        got = httpx.get(f"{base}/api/ties", params={"actor": "FI-13"}).json()
        assert [t["id"] for t in got["data"]] == ["t-test-kr-north-karelia"]
        assert httpx.get(f"{base}/api/health").json()["revision"] == 2
        fc = httpx.get(f"{base}/api/geo/subjects", params={"measure": "ties_total"}).json()
        kr = next(f for f in fc["features"] if f["id"] == "RU-KR")
        direct = json.loads(cli("data", "ties", "--actor", "RU-KR", "--json", "--db",
                                str(workspace)).stdout)
        assert kr["properties"]["value"] == len(direct)
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
