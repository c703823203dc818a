"""The `regionet` command run as a subprocess, as a user would run it."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from regionet.io.casefiles import load_case

EXE = [sys.executable, "-m", "regionet.interfaces.cli"]
pytestmark = pytest.mark.slow  # every test runs `regionet` in a subprocess


def regionet(*args: str, cwd: Path, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    if db is not None:
        env["REGIONET_DB"] = str(db)
    return subprocess.run([*EXE, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ws")
    result = regionet("data", "init", cwd=folder, db=folder / "ws.db")
    assert result.returncode == 0, result.stderr
    assert "156 actors" in result.stdout
    return folder / "ws.db"


def ties_json(workspace: Path, *args: str) -> list[dict]:
    result = regionet("data", "ties", "--json", *args, cwd=workspace.parent, db=workspace)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_help_lists_the_commands(tmp_path):
    result = regionet("--help", cwd=tmp_path)
    assert result.returncode == 0
    assert "run" in result.stdout and "data" in result.stdout


def test_ties_json_has_the_documented_fields(workspace):
    ties = ties_json(workspace)
    assert len(ties) >= 150
    for key in ("id", "kind", "actors", "start", "end", "level", "sublevel", "reason",
                "domains", "amount", "sources"):
        assert key in ties[0]
    pledge = next(t for t in ties if t["id"] == "t-no-pechenganikel-pledge")
    assert pledge["amount"] == {"value": 300_000_000.0, "currency": "NOK", "year": 1998}
    assert {"document": "sergounin-1999", "locator": "para 14"} in pledge["sources"]


def test_ties_filters(workspace):
    cross = ties_json(workspace, "--level", "international", "--sublevel", "cross-border")
    assert cross and all(t["sublevel"] == "cross-border" for t in cross)
    karelia = ties_json(workspace, "--actor", "RU-KR")
    assert any(t["id"] == "t-fi-kr-joint-monitoring" for t in karelia)
    assert all("RU-KR" in t["actors"] or t["location"] == "RU-KR" for t in karelia)
    memberships_1999 = ties_json(workspace, "--kind", "membership", "--year", "1999")
    assert all(t["kind"] == "membership" for t in memberships_1999)
    assert any("assoc-northwest" in t["actors"] for t in memberships_1999)


def test_actors_and_observations_and_show(workspace):
    cwd = workspace.parent
    states = json.loads(regionet("data", "actors", "--kind", "state", "--json", cwd=cwd,
                                 db=workspace).stdout)
    assert {"FI", "NO", "SE", "PL", "LT", "DE", "CN", "JP"} <= {a["id"] for a in states}
    obs = json.loads(regionet("data", "observations", "--json", cwd=cwd, db=workspace).stdout)
    assert any(o["comparator"] == ">" and o["value"] == 300 for o in obs)
    shown = json.loads(regionet("data", "show", "RU-KR", cwd=cwd, db=workspace).stdout)
    assert shown["record_type"] == "actor" and shown["ties"]
    table = regionet("data", "ties", "--actor", "RU-KGD", cwd=cwd, db=workspace)
    assert table.returncode == 0 and "t-kgd-de-cooperation" in table.stdout


@pytest.mark.parametrize(("args", "code", "message"), [
    (("data", "ties", "--actor", "RU-KRR"), 4, "Did you mean RU-KR"),
    (("data", "ties", "--level", "intl"), 2, "unknown level"),
    (("data", "actors", "--kind", "city"), 2, "unknown actor kind"),
    (("data", "show", "t-nothing"), 4, "no actor, tie, observation or document"),
    (("data", "import", "missing_ties.csv"), 2, "file not found"),
])
def test_bad_input_gives_a_clear_error_and_exit_code(workspace, args, code, message):
    result = regionet(*args, cwd=workspace.parent, db=workspace)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_no_workspace_says_how_to_create_one(tmp_path):
    result = regionet("data", "actors", cwd=tmp_path)
    assert result.returncode != 0 and "regionet data init" in result.stderr


def test_import_is_all_or_nothing(workspace, tmp_path):
    def count() -> int:
        with sqlite3.connect(workspace) as con:
            return con.execute("select count(*) from ties").fetchone()[0]

    before = count()
    bad = tmp_path / "new_ties.csv"
    bad.write_text(
        "id,kind,actors,start,end,domains,sources\n"
        "t-cli-ok,cooperation,RU-KR;FI,1999,2000,environment,sergounin-1999:para 14\n"
        "t-cli-bad,cooperation,RU-KR;XX,1999,2000,environment,sergounin-1999:para 14\n",
        encoding="utf-8")
    result = regionet("data", "import", str(bad), cwd=tmp_path, db=workspace)
    assert result.returncode == 2
    assert "new_ties.csv, row 2, field 'actors', value 'XX'" in result.stderr
    assert count() == before
    good = tmp_path / "good_ties.csv"
    good.write_text(bad.read_text(encoding="utf-8").splitlines()[0] + "\n"
                    + bad.read_text(encoding="utf-8").splitlines()[1] + "\n", encoding="utf-8")
    assert regionet("data", "validate", str(good), cwd=tmp_path, db=workspace).returncode == 0
    assert count() == before
    assert regionet("data", "import", str(good), cwd=tmp_path, db=workspace).returncode == 0
    assert count() == before + 1


def test_export_formats(workspace, tmp_path):
    for fmt in ("csv", "json", "geojson", "graphml", "gexf"):
        result = regionet("data", "export", "--format", fmt, "--out", str(tmp_path / fmt),
                          cwd=tmp_path, db=workspace)
        assert result.returncode == 0, result.stderr
        assert any((tmp_path / fmt).iterdir())
    bad = regionet("data", "export", "--format", "xlsx", "--out", str(tmp_path / "x"),
                   cwd=tmp_path, db=workspace)
    assert bad.returncode != 0 and "xlsx" in bad.stderr


def test_run_writes_tables_and_an_offline_report(tmp_path):
    result = regionet("run", "--out", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    assert "report.html" in result.stdout
    # in a pipe: no progress display, on either stream; stdout lists what was written
    assert result.stderr == ""
    counts = load_case().summary()
    assert result.stdout.splitlines()[0] == (
        f"Case russia-1990s: {counts['actors']} actors, {counts['ties']} ties, "
        f"{counts['observations']} observations.")
    assert [line.split()[0] for line in result.stdout.splitlines()[2:]] == [
        "report", "tables", "json", "geojson", "graphml", "database", "fiscal", "dynamics"]
    for name in ("tables/ties.csv", "tables/actors.csv", "tables/ties_classified.csv",
                 "subjects.geojson", "ties.graphml", "regionet.db", "report.html"):
        assert (out / name).is_file(), name
    assert not (out / "summary.html").exists()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "cross-border" in html and "sergounin-1999" in html and "Natural Earth" in html
    assert "The fiscal system" in html and "Illustrative" in html
    assert (out / "fiscal" / "series_1992_2010.csv").is_file()
    assert "The system in motion" in html and "20 seeds (seeds 0–19)" in html
    assert (out / "dynamics" / "runs.parquet").is_file()
    assert "<script" not in html and "<link" not in html and 'src="http' not in html
