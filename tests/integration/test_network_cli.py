"""`regionet network` as a user runs it: JSON output, workspace or bundled case, errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

EXE = [sys.executable, "-m", "regionet.interfaces.cli"]
pytestmark = pytest.mark.slow  # every test runs `regionet` in a subprocess


def regionet(*args: str, cwd: Path, env: dict[str, str] | None = None
             ) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "REGIONET_DB"}
    return subprocess.run([*EXE, *args], cwd=cwd, capture_output=True, text=True, timeout=180,
                          check=False, env={**environ, "COLUMNS": "200", **(env or {})})


def test_metrics_json_falls_back_to_the_bundled_case(tmp_path):
    result = regionet("network", "metrics", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "using the bundled case russia-1990s" in result.stderr
    rows = json.loads(result.stdout)
    kr = next(r for r in rows if r["id"] == "RU-KR")
    for key in ("name_en", "kind", "degree", "strength", "degree_by_level", "betweenness",
                "pagerank", "eigenvector", "community"):
        assert key in kr
    assert kr["degree_by_level"]["international"] >= 1
    assert sum(r["pagerank"] for r in rows) == pytest.approx(1.0)


def test_metrics_with_year_and_level(tmp_path):
    result = regionet("network", "metrics", "--json", "--year", "1998", "--level",
                      "cross-border", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert set(rows["RU-KR"]["degree_by_level"]) == {"international"}
    assert rows["RU-KR"]["degree_by_sublevel"] == {"cross-border": rows["RU-KR"]["degree"]}


@pytest.mark.parametrize(("args", "message"), [
    (["metrics", "--level", "crossborder"], "unknown level or sublevel"),
    (["export", "--format", "svg", "--out", "x"], "unknown graph format"),
    (["actorness", "--from", "2000", "--to", "1990"], "--to is before --from"),
])
def test_bad_input_is_a_clear_error_without_traceback(tmp_path, args, message):
    result = regionet("network", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_unknown_region_exit_code(tmp_path):
    result = regionet("network", "actorness", "--region", "RU-KRL", cwd=tmp_path)
    assert result.returncode == 4 and "Did you mean RU-KR" in result.stderr
    assert "Traceback" not in result.stderr


def test_blocs_and_actorness_json(tmp_path):
    result = regionet("network", "blocs", "--json", "--year", "1999", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {r["association"]: r for r in json.loads(result.stdout)}
    assert rows["assoc-ural"]["claimed_hub"] == "RU-SVE"
    assert rows["assoc-northwest"]["claimed_hub"] == "RU-SPE"
    assert all(r["basis"] and r["sentence"] for r in rows.values())
    result = regionet("network", "actorness", "--json", "--region", "RU-KR", "--from", "1998",
                      "--to", "1998", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (kr,) = json.loads(result.stdout)
    assert "FI" in kr["partners"] and kr["ties_cross_border"] >= 1


def test_tables_print(tmp_path):
    for command in ("metrics", "blocs", "actorness", "communities"):
        result = regionet("network", command, cwd=tmp_path)
        assert result.returncode == 0, (command, result.stderr)
        assert result.stdout.strip(), command
    assert "NMI" in regionet("network", "communities", cwd=tmp_path).stdout


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_export_reads_back(tmp_path, fmt):
    result = regionet("network", "export", "--format", fmt, "--out", "graphs", "--year", "1999",
                      "--level", "international", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = tmp_path / result.stdout.strip()
    assert path == tmp_path / "graphs" / f"ties_1999_international.{fmt}"
    G = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert G.number_of_edges() > 0
    assert {d["level"] for *_, d in G.edges(data=True)} == {"international"}


def test_workspace_is_used_when_it_exists(tmp_path):
    init = regionet("data", "init", "--db", "ws.db", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    result = regionet("network", "communities", "--json", cwd=tmp_path,
                      env={"REGIONET_DB": "ws.db"})
    assert result.returncode == 0, result.stderr
    assert "bundled case" not in result.stderr
    out = json.loads(result.stdout)
    assert 0.0 <= out["nmi"] <= 1.0 and out["n_associations"] == 8
