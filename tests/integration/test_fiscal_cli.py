"""`regionet fiscal` as a user runs it: JSON output, user files, scenarios, explain, errors."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

EXE = [sys.executable, "-m", "regionet.interfaces.cli"]
pytestmark = pytest.mark.slow  # every test runs `regionet` in a subprocess


def regionet(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EXE, *args], cwd=cwd, capture_output=True, text=True, timeout=180,
                          check=False, env={**os.environ, "COLUMNS": "200"})


def test_run_json_has_one_object_per_region(tmp_path):
    result = regionet("fiscal", "run", "--year", "1999", "--format", "json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 89
    for key in ("region", "profit_tax_federal", "profit_tax_regional", "transfers", "net_flow"):
        assert key in rows[0]
    assert "illustrative" in result.stderr.lower()
    total = sum(r["transfers"] for r in rows)
    assert total > 0


def test_run_writes_files(tmp_path):
    result = regionet("fiscal", "run", "--year", "2000", "--scenario", "tax-at-operation",
                      "--out", "res", "--format", "parquet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    regions = pd.read_parquet(tmp_path / "res" / "regions.parquet")
    assert len(regions) == 89 and regions["illustrative"].all()
    flows = pd.read_parquet(tmp_path / "res" / "flow_matrix.parquet")
    assert "centre" in flows.columns


def test_user_establishments_and_firms(tmp_path):
    (tmp_path / "est.csv").write_text(
        "firm_id,region,headcount,payroll,assets,sales\n"
        "oil,RU-KHM,900,90,800,0\noil,RU-MOW,100,10,200,0\n", encoding="utf-8")
    (tmp_path / "firms.csv").write_text("firm_id,registered_region,profit\noil,RU-MOW,1000\n",
                                        encoding="utf-8")
    reg = regionet("fiscal", "run", "--year", "1994", "--establishments", "est.csv", "--firms",
                   "firms.csv", "--rule", "registration", "--format", "json", cwd=tmp_path)
    op = regionet("fiscal", "run", "--year", "1994", "--establishments", "est.csv", "--firms",
                  "firms.csv", "--rule", "operation", "--format", "json", cwd=tmp_path)
    assert reg.returncode == 0 and op.returncode == 0, reg.stderr + op.stderr
    by_region = {r["region"]: r for r in json.loads(reg.stdout)}
    assert by_region["RU-MOW"]["profit_tax_base_attributed"] == pytest.approx(1000)
    assert by_region["RU-KHM"]["profit_tax_base_attributed"] == 0
    by_region = {r["region"]: r for r in json.loads(op.stdout)}
    # operation: headcount share 900 / 1000 to Khanty-Mansi
    assert by_region["RU-KHM"]["profit_tax_base_attributed"] == pytest.approx(900)
    # 1994: regional rate 22 % (Law 2116-1 art. 5), collection efficiency 1
    assert by_region["RU-KHM"]["profit_tax_regional"] == pytest.approx(900 * 0.22)


@pytest.mark.parametrize(("args", "message"), [
    (("fiscal", "run", "--year", "1999", "--rule", "registraton"), "Did you mean registration"),
    (("fiscal", "run", "--year", "1985"), "year outside"),
    (("fiscal", "run", "--year", "1999", "--scenario", "tax-at-operatoin"), "tax-at-operation"),
    (("fiscal", "run", "--year", "1999", "--firms", "firms.csv"), "go together"),
    (("fiscal", "explain", "--year", "1999", "--region", "RU-XX"), "unknown region"),
    (("fiscal", "explain", "--year", "1999", "--region", "RU-KR", "--quantity", "nett_flow"),
     "net_flow"),
    (("fiscal", "compare", "--year", "1999", "--scenario", "baseline"), "exactly two"),
])
def test_bad_input(tmp_path, args, message):
    result = regionet(*args, cwd=tmp_path)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_bad_user_file_names_file_row_and_field(tmp_path):
    (tmp_path / "est.csv").write_text(
        "firm_id,region,headcount,payroll,assets,sales\noil,RU-KHM,-5,90,800,0\n",
        encoding="utf-8")
    (tmp_path / "firms.csv").write_text("firm_id,registered_region,profit\noil,RU-MOW,1000\n",
                                        encoding="utf-8")
    result = regionet("fiscal", "run", "--year", "1999", "--establishments", "est.csv",
                      "--firms", "firms.csv", cwd=tmp_path)
    assert result.returncode != 0
    assert "est.csv" in result.stderr and "headcount" in result.stderr
    assert "-5" in result.stderr


def test_explain_reproduces_the_number(tmp_path):
    run = json.loads(regionet("fiscal", "run", "--year", "1999", "--format", "json",
                              cwd=tmp_path).stdout)
    expected = next(r for r in run if r["region"] == "RU-YAN")["net_flow"]
    result = regionet("fiscal", "explain", "--year", "1999", "--region", "RU-YAN", "--json",
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    trace = json.loads(result.stdout)
    assert trace["value"] == pytest.approx(expected)
    references = [p["pieces"][0]["reference"] for s in trace["steps"] for p in s["parameters"]]
    assert any("2116-1" in r for r in references)


def test_compare_registration_against_the_bill(tmp_path):
    result = regionet("fiscal", "compare", "--year", "1999", "--scenario", "rule-registration",
                      "--scenario", "tax-at-operation", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0]["region"] == "RU-YAN" and rows[0]["status"] == "winner"
    assert rows[-1]["region"] == "RU-MOW" and rows[-1]["status"] == "loser"
