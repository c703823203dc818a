"""`regionet network metrics --edges FILE` as a user runs it (in process, as the console script
runs it: ``regionet_main``; `python -m regionet` itself is run by the slow CLI tests)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

RunMain = Callable[..., tuple[int, str, str]]


@pytest.fixture
def regionet(regionet_main: RunMain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
             ) -> RunMain:
    """``regionet_main`` in ``tmp_path``, on a terminal 200 columns wide."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    return regionet_main


def test_edges_json_and_table(tmp_path: Path, regionet: RunMain) -> None:
    (tmp_path / "e.csv").write_text("source,target,weight\nRU-KR,FI,2\nFI,RU-MUR,1\nA,B,0.5\n",
                                    encoding="utf-8")
    code, out, err = regionet("network", "metrics", "--edges", "e.csv", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert rows[0]["id"] == "FI"  # the hub of the 3-node path
    assert {r["id"]: (r["degree"], r["strength"], r["component"], r["component_size"])
            for r in rows} == {"RU-KR": (1, 2.0, 0, 3), "FI": (2, 3.0, 0, 3),
                               "RU-MUR": (1, 1.0, 0, 3), "A": (1, 0.5, 1, 2),
                               "B": (1, 0.5, 1, 2)}
    assert abs(sum(r["pagerank"] for r in rows) - 1.0) < 1e-12
    code, out, _ = regionet("network", "metrics", "--edges", "e.csv")
    assert code == 0 and "5 nodes, 2 components" in out


def test_edges_errors(tmp_path: Path, regionet: RunMain) -> None:
    (tmp_path / "e.csv").write_text("source,target,weight\nRU-KR,FI,-2\n", encoding="utf-8")
    code, out, err = regionet("network", "metrics", "--edges", "e.csv")
    assert code == 2 and out == "" and "Traceback" not in err
    assert "e.csv, row 1, field 'weight', value '-2': bad weight" in err
    code, _, err = regionet("network", "metrics", "--edges", "e.csv", "--year", "1999")
    assert code == 2 and "--year and --level" in err
