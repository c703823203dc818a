"""Scenario overrides outside the law's bounds, refused everywhere they can come from.

Each ``tests/data/bad/*_scenario.yaml`` has overrides a careless user would write (issue 9,
item 8: a collection efficiency of 7, profit-tax rates of 35, an equalization share of 5 or
1e300, a negative share in a split that sums to 1, a rate of 1e308). Each goes through the
real ``regionet fiscal run --scenario FILE`` and, as the same overrides in a JSON body,
through ``POST /api/fiscal/runs``: the CLI exits 2 with every problem naming the file, the
path, the date and the allowed range; the API answers 422 naming the path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from regionet.core.errors import RegionetError, ValidationError
from regionet.interfaces.api import create_app
from regionet.services.case_source import CaseSource
from regionet.services.fiscal import resolve_scenario

BAD = Path(__file__).resolve().parents[1] / "data" / "bad"
EXE = [sys.executable, "-m", "regionet.interfaces.cli"]


@dataclass(frozen=True)
class Refused:
    """One problem: the override's path and date, its value as written, the range, a hint."""

    path: str
    value: str
    allowed: str
    hint: str | None = None

    @property
    def field(self) -> str:
        return f"overrides.{self.path}[1999-01-01].value"

    def line(self, file: Path) -> str:
        text = (f"{file}, field '{self.field}', value '{self.value}': outside the allowed "
                f"range [0, 1] of {self.path} (expected a finite number in {self.allowed})")
        return text + (f". {self.hint}" if self.hint else "")


def percent(v: int) -> str:
    return f"Rates and shares are fractions: if you meant {v} %, write {v / 100:g}."


RATE = "[0, 1] (/1, declared in profit_tax.yaml)"
CASES: dict[str, list[Refused]] = {
    "collection_efficiency_7_scenario.yaml": [
        Refused("collection.efficiency", "7", "[0, 1] (/1, declared in collection.yaml)",
                percent(7))],
    "collection_negative_scenario.yaml": [
        Refused("collection.efficiency", "-0.5", "[0, 1] (/1, declared in collection.yaml)")],
    "profit_tax_rate_35_scenario.yaml": [
        Refused("profit_tax.rate.total", "35", RATE, percent(35)),
        Refused("profit_tax.rate.federal", "13", RATE, percent(13)),
        Refused("profit_tax.rate.regional", "22", RATE, percent(22))],
    "equalization_share_5_scenario.yaml": [
        Refused("equalization.fund.share", "5", "[0, 1] (share, declared in equalization.yaml)",
                percent(5))],
    "equalization_share_1e300_scenario.yaml": [
        Refused("equalization.fund.share", "1e300",
                "[0, 1] (share, declared in equalization.yaml)")],
    "profit_tax_rate_1e308_scenario.yaml": [Refused("profit_tax.rate.federal", "1e+308", RATE)],
    "split_negative_scenario.yaml": [
        Refused("vat.split.federal", "-0.5", "[0, 1] (share, declared in vat.yaml)"),
        Refused("vat.split.regional", "1.5", "[0, 1] (share, declared in vat.yaml)")],
}


def test_every_bad_scenario_file_has_a_case() -> None:
    assert sorted(p.name for p in BAD.glob("*_scenario.yaml")) == sorted(CASES)


@pytest.mark.slow  # a `regionet` process per file; the service and API tests below run in-process
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_cli_refuses_the_file_naming_path_date_and_range(name: str, tmp_path: Path) -> None:
    file = BAD / name
    result = subprocess.run([*EXE, "fiscal", "run", "--year", "1999", "--scenario", str(file)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=180,
                            check=False, env={**os.environ, "COLUMNS": "400"})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "revenue" not in result.stderr
    for refused in CASES[name]:
        assert refused.line(file) in result.stderr
    if len(CASES[name]) > 1:
        assert f"{len(CASES[name])} problem(s) in scenario" in result.stderr


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_service_collects_every_problem(name: str) -> None:
    file = BAD / name
    with pytest.raises(RegionetError) as caught:
        resolve_scenario(CaseSource.bundled(), file)
    problems = (caught.value.errors if isinstance(caught.value, ValidationError)
                else [caught.value])
    assert [(p.field, str(p.value)) for p in problems] == [
        (r.field, r.value) for r in CASES[name]]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(None, dashboard=False)) as client:  # one event loop
        yield client


def body(name: str) -> dict[str, Any]:
    scenario = yaml.safe_load((BAD / name).read_text(encoding="utf-8"))
    overrides = {path: {str(day): float(value) for day, value in schedule.items()}
                 for path, schedule in scenario["overrides"].items()}
    return {"year": 1999, "overrides": overrides}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_api_answers_422_naming_the_path(name: str, client: TestClient) -> None:
    response = client.post("/api/fiscal/runs", json=body(name))
    assert response.status_code == 422, response.text
    problem = response.json()
    problems = problem.get("errors") or [problem]
    negative = [r for r in CASES[name] if r.value.startswith("-")]
    if negative:  # the body's schema refuses a negative number before the law is consulted
        assert [p["field"] for p in problems] == [
            f"overrides.{r.path}.1999-01-01" for r in negative]
        return
    expected = sorted(CASES[name], key=lambda r: r.path)  # the API sorts the overrides
    assert [(p["field"], p["detail"].split(": ", 1)[1].split(" (expected")[0], p["expected"])
            for p in problems] == [
        (f"overrides.{r.path}[1999-01-01].value", f"outside the allowed range [0, 1] of {r.path}",
         f"a finite number in {r.allowed}") for r in expected]
