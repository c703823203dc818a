"""Without PostgreSQL, the PostgreSQL tests are set aside in one line, or fail when required."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def run_pytest(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/integration/test_migrations.py", "-k", "head_schema"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, "REGIONET_TEST_POSTGRES": "127.0.0.1:1", **env})


@pytest.mark.slow
def test_a_machine_without_postgres_skips_them_and_says_so_in_one_line() -> None:
    env = {k: v for k, v in os.environ.items() if k != "REGIONET_REQUIRE_POSTGRES"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/integration/test_migrations.py", "-k", "head_schema"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**env, "REGIONET_TEST_POSTGRES": "127.0.0.1:1"})
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if "PostgreSQL" in line]
    assert len(lines) == 1, done.stdout
    assert lines[0].startswith(
        "regionet: skipped 1 PostgreSQL tests (the [postgresql] runs in test_migrations.py) "
        "because PostgreSQL did not answer at 127.0.0.1:1 (")
    assert lines[0].endswith("to run them, start PostgreSQL 15 at 127.0.0.1:1 (user postgres, "
                             "trust authentication) and run `make test` again.")
    assert re.search(r"\b1 passed, \d+ deselected in", done.stdout), done.stdout


@pytest.mark.slow
def test_ci_requires_them() -> None:
    done = run_pytest(REGIONET_REQUIRE_POSTGRES="1")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "REGIONET_REQUIRE_POSTGRES=1 requires the PostgreSQL tests" in done.stdout
    assert re.search(r"\b1 passed, \d+ deselected, 1 error in", done.stdout), done.stdout
