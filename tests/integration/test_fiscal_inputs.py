"""Registered fiscal inputs: add → list → run (CLI, REST) → remove, bad files, tampering, kills.

The economy below is small enough to attribute by hand (art. 288, the rule of 2003 and 2004:
½ headcount share + ½ assets share):

- 2003: oil (head office Moscow, profit 1000) has 900 staff / 800 assets in Khanty-Mansi and
  100 / 200 in Moscow: Khanty-Mansi ½(0.9 + 0.8) = 0.85 → 850, Moscow 150; gas (head office
  Moscow, profit 50) is all in Yamal → 50. A loss-making firm (−30) attributes nothing.
- 2004: oil's profit is 2000 with the same factors → 1700 / 300; gas 100 → Yamal 100.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from regionet.core.errors import (
    DataFileError,
    InvalidValueError,
    UnknownActorError,
    UnknownReferenceError,
)
from regionet.interfaces.api import create_app
from regionet.services import cache
from regionet.services.case_source import CaseSource
from regionet.services.fiscal import run_fiscal_year
from regionet.services.inputs import add_inputs, list_inputs, load_inputs, remove_inputs
from regionet.services.workspace import init_workspace
from regionet.storage.schema import SCHEMA_VERSION
from regionet.storage.workspace import WorkspaceExistsError

EXE = [sys.executable, "-m", "regionet.interfaces.cli"]

REGIONS = """region,population,vat,year
RU-MOW,1000000,100,2003
RU-KHM,500000,50,2003
RU-YAN,250000,0,2003
RU-MOW,1010000,110,2004
RU-KHM,505000,55,2004
RU-YAN,251000,1,2004
"""
ESTABLISHMENTS = """firm_id,region,headcount,payroll,assets,sales,year
oil,RU-KHM,900,90,800,0,2003
gas,RU-YAN,5,1,1,1,2003
oil,RU-MOW,100,10,200,0,2003
loss,RU-MOW,3,1,1,1,2003
oil,RU-KHM,900,90,800,0,2004
gas,RU-YAN,5,1,1,1,2004
oil,RU-MOW,100,10,200,0,2004
loss,RU-MOW,3,1,1,1,2004
"""
FIRMS = """firm_id,registered_region,profit,year
gas,RU-MOW,50,2003
oil,RU-MOW,1000,2003
loss,RU-MOW,-30,2003
gas,RU-MOW,100,2004
oil,RU-MOW,2000,2004
loss,RU-MOW,-30,2004
"""
ATTRIBUTED = {2003: {"RU-MOW": 150.0, "RU-KHM": 850.0, "RU-YAN": 50.0},
              2004: {"RU-MOW": 300.0, "RU-KHM": 1700.0, "RU-YAN": 100.0}}


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace made once; each test copies it (init takes seconds)."""
    db = tmp_path_factory.mktemp("template") / "ws.db"
    init_workspace(db)
    return db


@pytest.fixture
def ws(template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "study.db"
    db.write_bytes(template.read_bytes())
    return db


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("regions", REGIONS), ("establishments", ESTABLISHMENTS),
                       ("firms", FIRMS)):
        out[name] = tmp_path / f"{name}.csv"
        out[name].write_text(text, encoding="utf-8")
    return out


def regionet(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EXE, *args], cwd=cwd, capture_output=True, text=True, timeout=180,
                          check=False, env={**os.environ, "COLUMNS": "200"})


def revision(db: Path) -> int:
    return CaseSource.workspace(db).revision()


def stored(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT name, checksum, folder, years FROM fiscal_inputs").fetchall()


def inputs_dir(db: Path) -> Path:
    return db.with_name(db.stem + ".inputs")


def by_region(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["region"]: r for r in rows}


def same_row(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Equal rows: text and flags exactly, numbers to 1e-12 (sums in another order)."""
    for column, value in a.items():
        if isinstance(value, float):
            assert value == pytest.approx(b[column], rel=1e-12, abs=1e-9), column
        else:
            assert value == b[column], column


# --- the user's path, end to end -----------------------------------------------------------------

@pytest.mark.slow
def test_add_list_run_cli_and_rest_equal_the_files_run_directly(
        ws: Path, files: dict[str, Path], tmp_path: Path) -> None:
    added = regionet("fiscal", "inputs", "add", "firms-2003", "--establishments",
                     str(files["establishments"]), "--firms", str(files["firms"]),
                     "--regions", str(files["regions"]), "--db", str(ws), cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "establishments 8, firms 6, regions 6" in added.stdout
    assert "years 2003, 2004" in added.stdout

    listed = regionet("fiscal", "inputs", "list", "--json", "--db", str(ws), cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert set(rows) == {"illustrative", "firms-2003"}
    mine = rows["firms-2003"]
    assert (mine["years"], mine["rows"], mine["illustrative"]) == (
        [2003, 2004], {"establishments": 8, "firms": 6, "regions": 6}, False)
    # the checksum is SHA-256 over each stored file's SHA-256, recomputed here from the disk
    folder = inputs_dir(ws) / f"firms-2003-{mine['checksum'][:12]}"
    digests = {p.stem: hashlib.sha256(p.read_bytes()).hexdigest()
               for p in sorted(folder.glob("*.parquet"))}
    assert sorted(digests) == ["establishments", "firms", "regions"]
    text = "".join(f"{role}:{digests[role]}\n" for role in sorted(digests))
    assert mine["checksum"] == hashlib.sha256(text.encode()).hexdigest()
    assert stored(ws) == [("firms-2003", mine["checksum"], folder.name, "2003,2004")]

    for year in (2003, 2004):
        registered = regionet("fiscal", "run", "--year", str(year), "--inputs", "firms-2003",
                              "--format", "json", "--db", str(ws), cwd=tmp_path)
        direct = regionet("fiscal", "run", "--year", str(year), "--regions",
                          str(files["regions"]), "--establishments",
                          str(files["establishments"]), "--firms", str(files["firms"]),
                          "--format", "json", "--db", str(ws), cwd=tmp_path)
        assert registered.returncode == 0 and direct.returncode == 0, registered.stderr
        assert f"Inputs: firms-2003, SHA-256 {mine['checksum'][:16]}" in registered.stderr
        assert "illustrative economy" not in registered.stderr
        a, b = by_region(json.loads(registered.stdout)), by_region(json.loads(direct.stdout))
        assert list(a) == ["RU-MOW", "RU-KHM", "RU-YAN"] == list(b)
        for region in a:
            same_row(a[region], b[region])
            assert a[region]["profit_tax_base_attributed"] == pytest.approx(
                ATTRIBUTED[year][region])

        client = TestClient(create_app(ws, dashboard=False, public_read=True))
        answer = client.post("/api/fiscal/runs", json={"year": year, "inputs": "firms-2003"})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["inputs"] == {"name": "firms-2003", "checksum": mine["checksum"],
                                  "illustrative": False}
        assert body["illustrative"] is False
        for row in body["data"]:
            same_row(row, b[row["region"]])


def test_rest_lists_the_inputs_at_the_revision_it_read(ws: Path, files: dict[str, Path]
                                                      ) -> None:
    source = CaseSource.workspace(ws)
    summary = add_inputs(source, "mine", establishments=files["establishments"],
                         firms=files["firms"], regions=files["regions"])
    answer = TestClient(create_app(ws, dashboard=False, public_read=True)).get("/api/fiscal/inputs")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["count"] == 2 and [r["name"] for r in body["data"]] == ["illustrative", "mine"]
    assert body["data"][1] == {"name": "mine", "checksum": summary.checksum,
                               "years": [2003, 2004], "added": summary.added,
                               "rows": {"establishments": 8, "firms": 6, "regions": 6},
                               "illustrative": False}
    assert body["data"][0]["illustrative"] is True and body["data"][0]["added"] is None
    assert answer.headers["X-Regionet-Revision"] == str(revision(ws)) == "2"
    bundled = TestClient(create_app(None, dashboard=False)).get("/api/fiscal/inputs").json()
    assert [r["name"] for r in bundled["data"]] == ["illustrative"]


def test_the_python_api_runs_compares_and_explains_registered_inputs(
        ws: Path, files: dict[str, Path]) -> None:
    import regionet as rn

    summary = add_inputs(CaseSource.workspace(ws), "mine", establishments=files["establishments"],
                         firms=files["firms"], regions=files["regions"])
    run = rn.fiscal_run(2004, inputs="mine", source=ws)
    assert (run.inputs.name, run.inputs.checksum) == ("mine", summary.checksum)
    assert dict(zip(run.regions["region"], run.regions["profit_tax_base_attributed"],
                    strict=True)) == pytest.approx(ATTRIBUTED[2004])
    table = rn.fiscal_compare(2004, "rule-registration", "tax-at-operation", inputs="mine",
                              measure="profit_tax_base_attributed", source=ws)
    # registration: all 2000 + 100 at the head offices in Moscow; operation: by the factors
    assert dict(zip(table["region"], table["a"], strict=True)) == pytest.approx(
        {"RU-MOW": 2100.0, "RU-KHM": 0.0, "RU-YAN": 0.0})
    explained = rn.fiscal_explain(2004, "RU-KHM", "profit_tax_base_attributed",
                                  inputs="mine", source=ws)
    assert explained.value == pytest.approx(1700.0)
    with pytest.raises(UnknownReferenceError, match="Did you mean mine"):
        rn.fiscal_run(2004, inputs="mien", source=ws)


def test_inputs_without_a_year_column_are_listed_for_any_year(ws: Path, tmp_path: Path
                                                              ) -> None:
    from typer.testing import CliRunner

    from regionet.interfaces.cli.app import app

    (tmp_path / "est.csv").write_text("firm_id,region,headcount,payroll,assets,sales\n"
                                      "oil,RU-KHM,9,1,8,0\n", encoding="utf-8")
    (tmp_path / "firms.csv").write_text("firm_id,registered_region,profit\noil,RU-MOW,10\n",
                                        encoding="utf-8")
    runner = CliRunner()
    added = runner.invoke(app, ["fiscal", "inputs", "add", "any-year", "--establishments",
                                str(tmp_path / "est.csv"), "--firms",
                                str(tmp_path / "firms.csv"), "--db", str(ws)])
    assert added.exit_code == 0, added.output
    assert "Registered inputs any-year: establishments 1, firms 1; years any;" in added.output
    listed = runner.invoke(app, ["fiscal", "inputs", "list", "--db", str(ws)],
                           env={"COLUMNS": "200"})
    rows = [line.split("│")[1:3] for line in listed.output.splitlines() if "│" in line]
    assert [(n.strip(), y.strip()) for n, y in rows] == [("illustrative", "1992-2010"),
                                                        ("any-year", "any")]


def test_remove_forgets_the_record_and_deletes_the_files(ws: Path, files: dict[str, Path]
                                                         ) -> None:
    source = CaseSource.workspace(ws)
    summary = add_inputs(source, "mine", establishments=files["establishments"],
                         firms=files["firms"])
    folder = inputs_dir(ws) / f"mine-{summary.checksum[:12]}"
    assert folder.is_dir() and summary.illustrative  # no regions file: illustrative regions
    before = revision(ws)
    assert remove_inputs(source, "mine").checksum == summary.checksum
    assert revision(ws) == before + 1
    assert not folder.exists() and stored(ws) == []
    assert [s.name for s in list_inputs(source)] == ["illustrative"]
    with pytest.raises(UnknownReferenceError, match="no registered fiscal inputs"):
        run_fiscal_year(source, 2003, inputs="mine")
    with pytest.raises(UnknownReferenceError):
        remove_inputs(source, "mine")
    with pytest.raises(InvalidValueError, match="cannot be removed"):
        remove_inputs(source, "illustrative")


def test_init_force_deletes_the_files_of_the_inputs_it_forgets(
        ws: Path, files: dict[str, Path]) -> None:
    source = CaseSource.workspace(ws)
    summary = add_inputs(source, "mine", establishments=files["establishments"],
                         firms=files["firms"])
    folder = inputs_dir(ws) / f"mine-{summary.checksum[:12]}"
    stray = inputs_dir(ws) / ".other.999999999.partial"   # a dead process's staging folder
    stray.mkdir()
    with pytest.raises(WorkspaceExistsError):   # without force: refused, nothing touched
        init_workspace(ws)
    assert folder.is_dir() and stray.is_dir()
    init_workspace(ws, force=True)
    assert stored(ws) == [] and [s.name for s in list_inputs(source)] == ["illustrative"]
    assert not folder.exists() and not stray.exists()
    assert list(inputs_dir(ws).iterdir()) == []


def test_without_regions_file_the_case_regions_are_used(ws: Path, files: dict[str, Path]
                                                       ) -> None:
    source = CaseSource.workspace(ws)
    add_inputs(source, "firms-only", establishments=files["establishments"],
               firms=files["firms"])
    result = run_fiscal_year(source, 2004, inputs="firms-only")
    assert result.inputs.illustrative and result.inputs.name == "firms-only"
    assert len(result.regions) == 89
    got = result.regions.set_index("region")["profit_tax_base_attributed"]
    assert got[got > 0].to_dict() == pytest.approx(ATTRIBUTED[2004])


# --- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("file", "line", "replacement", "error", "row", "field", "value"), [
    ("establishments", "gas,RU-YAN,5,1,1,1,2003", "gas,RU-YAM,5,1,1,1,2003",
     UnknownActorError, 2, "region", "RU-YAM"),
    ("establishments", "oil,RU-MOW,100,10,200,0,2004", "oil,RU-MOW,-100,10,200,0,2004",
     InvalidValueError, 7, "headcount", "-100"),
    ("establishments", "gas,RU-YAN,5,1,1,1,2004", "gaz,RU-YAN,5,1,1,1,2004",
     UnknownReferenceError, 6, "firm_id", "gaz"),
    ("firms", "loss,RU-MOW,-30,2004", "oil,RU-MOW,-30,2004", InvalidValueError, 6,
     "firm_id", "oil"),
])
def test_bad_files_are_refused_naming_file_row_field_value_and_nothing_is_stored(
        ws: Path, files: dict[str, Path], file: str, line: str, replacement: str,
        error: type[Exception], row: int, field: str, value: str) -> None:
    path = files[file]
    path.write_text(path.read_text(encoding="utf-8").replace(line, replacement),
                    encoding="utf-8")
    before = revision(ws)
    with pytest.raises(error) as info:
        add_inputs(CaseSource.workspace(ws), "bad", establishments=files["establishments"],
                   firms=files["firms"], regions=files["regions"])
    err = info.value
    assert (err.file, err.row, err.field, err.value) == (str(path), row, field, value)  # type: ignore[attr-defined]
    assert revision(ws) == before and stored(ws) == []
    assert not inputs_dir(ws).exists() or list(inputs_dir(ws).iterdir()) == []


def test_a_year_missing_from_one_file_is_refused(ws: Path, files: dict[str, Path]) -> None:
    text = files["firms"].read_text(encoding="utf-8")
    files["firms"].write_text("\n".join(line for line in text.splitlines()
                                        if not line.endswith("2004")) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="no rows for 2004") as info:
        add_inputs(CaseSource.workspace(ws), "half", establishments=files["establishments"],
                   firms=files["firms"])
    assert info.value.file == str(files["firms"])


def test_duplicate_and_invalid_names(ws: Path, files: dict[str, Path]) -> None:
    source = CaseSource.workspace(ws)
    first = add_inputs(source, "mine", establishments=files["establishments"],
                       firms=files["firms"])
    with pytest.raises(InvalidValueError, match="already registered") as info:
        add_inputs(source, "mine", establishments=files["establishments"],
                   firms=files["firms"], regions=files["regions"])
    assert "fiscal inputs remove mine" in str(info.value.hint)
    assert [(s.name, s.checksum) for s in list_inputs(source)][1:] == [("mine", first.checksum)]
    for name in ("illustrative", "../up", "", "a b", "x" * 65):
        with pytest.raises(InvalidValueError):
            add_inputs(source, name, establishments=files["establishments"],
                       firms=files["firms"])
    with pytest.raises(InvalidValueError, match="registered in a workspace"):
        add_inputs(CaseSource.bundled(), "mine", establishments=files["establishments"],
                   firms=files["firms"])
    with pytest.raises(UnknownReferenceError) as unknown:
        run_fiscal_year(source, 2003, inputs="mien")
    assert unknown.value.hint == "Did you mean mine?"
    with pytest.raises(InvalidValueError, match="hold no rows"):
        run_fiscal_year(source, 2005, inputs="mine")
    with pytest.raises(InvalidValueError, match="not both"):
        run_fiscal_year(source, 2003, inputs="mine", regions=files["regions"])


def test_a_file_edited_behind_regionets_back_is_an_error_naming_it(
        ws: Path, files: dict[str, Path]) -> None:
    source = CaseSource.workspace(ws)
    summary = add_inputs(source, "mine", establishments=files["establishments"],
                         firms=files["firms"], regions=files["regions"])
    client = TestClient(create_app(ws, dashboard=False, public_read=True))
    first = client.post("/api/fiscal/runs", json={"year": 2003, "inputs": "mine"})
    assert first.status_code == 200  # cached now: the edit below must still be noticed
    firms = inputs_dir(ws) / f"mine-{summary.checksum[:12]}" / "firms.parquet"
    table = pq.read_table(firms)
    profit = table.column("profit").to_pylist()
    profit[1] = 999_999.0  # a plausible, valid-looking edit
    pq.write_table(table.set_column(table.schema.get_field_index("profit"), "profit",
                                    pa.array(profit)), firms, compression="zstd")
    with pytest.raises(DataFileError, match="changed after it was registered") as info:
        load_inputs(source, 2003, "mine")
    assert info.value.file == str(firms)
    answer = client.post("/api/fiscal/runs", json={"year": 2003, "inputs": "mine"})
    assert answer.status_code == 503 and answer.json()["file"] == str(firms)


# --- all or nothing ------------------------------------------------------------------------------

def test_a_failure_after_the_files_are_written_leaves_nothing(
        ws: Path, files: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    import regionet.storage.workspace as workspace

    seen: list[list[str]] = []

    def fail(*_args: object) -> None:  # inside the transaction, just before its commit
        seen.append(sorted(p.name for p in inputs_dir(ws).rglob("*.parquet")))
        raise OSError("disk full")

    monkeypatch.setattr(workspace, "_set_state", fail)
    before = revision(ws)
    with pytest.raises(Exception, match="disk full"):
        add_inputs(CaseSource.workspace(ws), "mine", establishments=files["establishments"],
                   firms=files["firms"], regions=files["regions"])
    assert seen == [["establishments.parquet", "firms.parquet", "regions.parquet"]]
    monkeypatch.undo()
    assert revision(ws) == before and stored(ws) == []
    assert list(inputs_dir(ws).iterdir()) == []


KILL = """
import os, signal, sys
import regionet.{module} as target
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
target.{function} = die
sys.argv = ["regionet", *sys.argv[1:]]
from regionet.interfaces.cli.app import main
main()
"""


def killed_add(ws: Path, files: dict[str, Path], module: str, function: str
               ) -> subprocess.CompletedProcess[str]:
    code = KILL.format(module=module, function=function)
    return subprocess.run([sys.executable, "-c", code, "fiscal", "inputs", "add", "mine",
                           "--establishments", str(files["establishments"]), "--firms",
                           str(files["firms"]), "--db", str(ws)], capture_output=True,
                          text=True, timeout=180, check=False)


@pytest.mark.slow  # a `regionet` process, killed
def test_a_process_killed_before_its_commit_leaves_nothing_once_swept(
        ws: Path, files: dict[str, Path]) -> None:
    before = revision(ws)
    done = killed_add(ws, files, "storage.workspace", "_set_state")
    assert done.returncode == -9, done.stderr
    assert revision(ws) == before and stored(ws) == []
    staging = [p.name for p in inputs_dir(ws).iterdir()]
    assert len(staging) == 1 and staging[0].startswith(".mine.")  # the dead process's
    source = CaseSource.workspace(ws)
    assert [s.name for s in list_inputs(source)] == ["illustrative"]
    add_inputs(source, "other", establishments=files["establishments"], firms=files["firms"])
    assert [p.name.split("-")[0] for p in inputs_dir(ws).iterdir()] == ["other"]


@pytest.mark.slow  # a `regionet` process, killed
def test_a_process_killed_between_commit_and_rename_is_finished_by_the_next_read(
        ws: Path, files: dict[str, Path]) -> None:
    done = killed_add(ws, files, "services.inputs", "publish")
    assert done.returncode == -9, done.stderr
    (name, checksum, folder, _), = stored(ws)
    assert name == "mine" and not (inputs_dir(ws) / folder).exists()
    inputs = load_inputs(CaseSource.workspace(ws), 2004, "mine")
    assert inputs.checksum == checksum and (inputs_dir(ws) / folder).is_dir()
    assert [p.name for p in inputs_dir(ws).iterdir()] == [folder]


def test_a_schema_3_workspace_gains_the_tables_on_its_first_read(
        ws: Path, files: dict[str, Path]) -> None:
    """Main's schema 3 (stored levels, no fiscal-inputs tables): the first read adds them."""
    with sqlite3.connect(ws) as conn:  # made before migrations existed: no alembic_version
        conn.execute("DROP TABLE alembic_version")
        for team_table in ("history", "proposals", "users"):  # schema 5's, not there yet
            conn.execute(f"DROP TABLE {team_table}")
        conn.execute("DROP TABLE fiscal_input_files")
        conn.execute("DROP TABLE fiscal_inputs")
        conn.execute("UPDATE case_info SET schema_version = 3")
    source = CaseSource.workspace(ws)
    before = revision(ws)
    assert [s.name for s in list_inputs(source)] == ["illustrative"]
    with sqlite3.connect(ws) as conn:
        assert conn.execute("SELECT schema_version FROM case_info").fetchone() == (SCHEMA_VERSION,)
        assert conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name "
                            "LIKE 'fiscal_input%' ORDER BY name").fetchall() == [
            ("fiscal_input_files",), ("fiscal_inputs",)]
    assert revision(ws) == before  # an upgrade changes no record
    add_inputs(source, "mine", establishments=files["establishments"], firms=files["firms"])
    assert [s.name for s in list_inputs(source)] == ["illustrative", "mine"]
    assert revision(ws) == before + 1


def test_written_results_name_their_inputs(ws: Path, files: dict[str, Path], tmp_path: Path
                                           ) -> None:
    from regionet.io.fiscal_results import write_fiscal_result

    source = CaseSource.workspace(ws)
    summary = add_inputs(source, "mine", establishments=files["establishments"],
                         firms=files["firms"], regions=files["regions"])
    write_fiscal_result(run_fiscal_year(source, 2003, inputs="mine"), tmp_path / "out")
    totals = (tmp_path / "out" / "totals.csv").read_text(encoding="utf-8").splitlines()
    row = dict(zip(totals[0].split(","), totals[1].split(","), strict=True))
    assert (row["inputs"], row["inputs_checksum"], row["illustrative"]) == (
        "mine", summary.checksum, "False")


def test_a_postgresql_workspace_cannot_register_inputs_and_says_why(
        postgres_url: str, files: dict[str, Path]) -> None:
    """Registered inputs are files beside a SQLite workspace: a server database has no 'beside'."""
    init_workspace(postgres_url)
    source = CaseSource.workspace(postgres_url)
    with pytest.raises(InvalidValueError) as info:
        add_inputs(source, "mine", establishments=files["establishments"], firms=files["firms"])
    assert (info.value.field, info.value.value) == ("db", postgres_url)
    assert "registered fiscal inputs are stored beside a workspace file" in str(info.value)
    assert "pass the files with --establishments/--firms" in str(info.value)
    assert [s.name for s in list_inputs(source)] == ["illustrative"]
    assert source.revision() == 1
