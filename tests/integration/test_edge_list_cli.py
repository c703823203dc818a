"""`regionet network metrics --edges FILE` as a user runs it."""

import json
import os
import subprocess
import sys
from pathlib import Path

EXE = [sys.executable, "-m", "regionet.interfaces.cli"]


def regionet(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EXE, *args], cwd=cwd, capture_output=True, text=True, timeout=180,
                          check=False, env={**os.environ, "COLUMNS": "200"})


def test_edges_json_and_table(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text("source,target,weight\nRU-KR,FI,2\nFI,RU-MUR,1\nA,B,0.5\n",
                                    encoding="utf-8")
    done = regionet("network", "metrics", "--edges", "e.csv", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows[0]["id"] == "FI"  # the hub of the 3-node path
    assert {r["id"]: (r["degree"], r["strength"], r["component"], r["component_size"])
            for r in rows} == {"RU-KR": (1, 2.0, 0, 3), "FI": (2, 3.0, 0, 3),
                               "RU-MUR": (1, 1.0, 0, 3), "A": (1, 0.5, 1, 2),
                               "B": (1, 0.5, 1, 2)}
    assert abs(sum(r["pagerank"] for r in rows) - 1.0) < 1e-12
    table = regionet("network", "metrics", "--edges", "e.csv", cwd=tmp_path)
    assert table.returncode == 0 and "5 nodes, 2 components" in table.stdout


def test_edges_errors(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text("source,target,weight\nRU-KR,FI,-2\n", encoding="utf-8")
    done = regionet("network", "metrics", "--edges", "e.csv", cwd=tmp_path)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "e.csv, row 1, field 'weight', value '-2': bad weight" in done.stderr
    done = regionet("network", "metrics", "--edges", "e.csv", "--year", "1999", cwd=tmp_path)
    assert done.returncode != 0 and "--year and --level" in done.stderr
