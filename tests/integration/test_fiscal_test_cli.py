"""`regionet fiscal test` as a user runs it: the bundled cases pass, a wrong case fails with its
arithmetic, a malformed file is refused with exit 2 before anything runs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

EXE = [sys.executable, "-m", "regionet.interfaces.cli", "fiscal", "test"]
pytestmark = pytest.mark.slow  # every test runs `regionet` in a subprocess
CASES = Path(__file__).resolve().parents[1] / "cases"
WRONG = """\
- name: VAT 1997 regional share (deliberately wrong)
  year: 1997
  comment: VAT due 1000 in A, 25 % regional = 250; 300 is expected here on purpose
  input:
    regions:
      A: {population: 1000, tax_due: {vat: 1000}}
      B: {population: 1000}
  output:
    vat_regional: {A: 300, B: 0}
    vat_federal: {A: 750}
- name: VAT 1997 federal share
  year: 1997
  comment: 75 % of 1000
  input: {regions: {A: {population: 1000, tax_due: {vat: 1000}}}}
  output: {vat_federal: {A: 750}}
"""


def fiscal_test(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*EXE, *args], cwd=cwd, capture_output=True, text=True, timeout=180,
                          check=False, env={**os.environ, "COLUMNS": "200"})


def test_the_bundled_cases_pass(tmp_path: Path) -> None:
    documents = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in CASES.glob("*.yaml")]
    count = sum(len(d) if isinstance(d, list) else 1 for d in documents)
    result = fiscal_test(str(CASES), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"{count} passed, 0 failed"]
    verbose = fiscal_test(str(CASES / "vat_split.yaml"), "--verbose", cwd=tmp_path)
    assert verbose.returncode == 0
    assert verbose.stdout.count("PASS ") == 3 and "3 passed, 0 failed" in verbose.stdout


def test_a_wrong_case_fails_with_its_arithmetic(tmp_path: Path) -> None:
    (tmp_path / "wrong.yaml").write_text(WRONG, encoding="utf-8")
    result = fiscal_test("wrong.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        'FAIL wrong.yaml, case 1 "VAT 1997 regional share (deliberately wrong)" (1997)',
        "  vat_regional[A]: expected 300, got 250 (difference -50, margin 1e-09)",
        "  comment: VAT due 1000 in A, 25 % regional = 250; 300 is expected here on purpose",
        "1 passed, 1 failed"]


def test_a_malformed_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(WRONG.replace("vat_federal: {A: 750}\n-",
                                                     "vat_fedral: {A: 750}\n-"),
                                       encoding="utf-8")
    result = fiscal_test("bad.yaml", str(CASES), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""  # nothing ran, not even the good files
    assert "bad.yaml" in result.stderr and 'case 1 "VAT 1997 regional share' in result.stderr
    assert "field 'output.vat_fedral'" in result.stderr and "vat_federal" in result.stderr
    assert "Traceback" not in result.stderr
    missing = fiscal_test("nowhere.yaml", cwd=tmp_path)
    assert missing.returncode == 3 and "nowhere.yaml: file not found" in missing.stderr
