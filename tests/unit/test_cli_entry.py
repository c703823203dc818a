"""The console script starts a fiscal run's reading before setting up the commands."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from regionet.interfaces.cli.entry import files_read_first
from regionet.services import read_ahead

ROOT = Path(__file__).resolve().parents[2]
FILES = ("--establishments", "e.parquet", "--firms", "f.parquet")


@pytest.mark.parametrize(("args", "expected"), [
    (["fiscal", "run", "--year", "2005", *FILES], ("e.parquet", "f.parquet")),
    (["fiscal", "run", "--firms=f.pq", "--year", "2005", "--establishments=e.pq"],
     ("e.pq", "f.pq")),
    (["fiscal", "run", "--year", "2005", "--establishments", "e.parquet"], None),
    (["fiscal", "run", *FILES, "--inputs", "mine"], None),
    (["fiscal", "run", *FILES, "--inputs=mine"], None),
    (["fiscal", "run", *FILES, "--help"], None),
    (["fiscal", "run", "--establishments", "e.parquet", "--firms"], None),  # no value
    (["fiscal", "compare", *FILES], None),
    (["data", "run", *FILES], None),
    (["run", "fiscal", *FILES], None),
    ([], None),
])
def test_only_a_plain_fiscal_run_with_both_files_is_read_first(
        args: list[str], expected: tuple[str, str] | None) -> None:
    found = files_read_first(args)
    assert found == (None if expected is None else tuple(Path(p) for p in expected))


def test_the_console_script_is_the_entry_module() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["regionet"] == "regionet.interfaces.cli.entry:main"


def test_a_second_start_for_the_same_files_returns_the_first_reading(tmp_path: Path) -> None:
    est, firms = tmp_path / "e.parquet", tmp_path / "f.parquet"
    for path in (est, firms):
        pq.write_table(pa.table({"firm_id": ["1", "2"]}), path)
    first = read_ahead.read_inputs_ahead(est, firms)
    assert first is not None
    assert read_ahead.read_inputs_ahead(Path(str(est)), firms) is first
    assert read_ahead.read_inputs_ahead(firms, est) is not first  # another pair
    first.join()


SPY = """
import sys
from regionet.services import read_ahead
started = []
def spy(est, firms):
    started.append((str(est), str(firms), "regionet.interfaces.cli.app" in sys.modules))
    return None
read_ahead.read_inputs_ahead = spy
sys.argv = ["regionet", *sys.argv[1:]]
from regionet.interfaces.cli.entry import main
try:
    main()
except SystemExit:
    pass
print("STARTED", started, file=sys.stderr)
"""


def test_the_reading_starts_before_the_commands_are_imported(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SPY, "fiscal", "run", "--year", "2005",
                           "--establishments", "e.parquet", "--firms", "f.parquet",
                           "--db", "absent.db"],
                          capture_output=True, text=True, timeout=180, check=False, cwd=tmp_path)
    line = next(x for x in done.stderr.splitlines() if x.startswith("STARTED"))
    # once by the entry point before the app is imported, once more by the command itself
    assert line == ("STARTED [('e.parquet', 'f.parquet', False), "
                    "('e.parquet', 'f.parquet', True)]")


_THREADS = """
import os, sys
sys.argv = ["regionet", *sys.argv[1:]]
from regionet.interfaces.cli.entry import main
try:
    main()
except SystemExit:
    pass
import numpy  # imported by the command already (the fiscal commands) or now
print("THREADS", len(os.listdir("/proc/self/task")), os.environ.get("OPENBLAS_NUM_THREADS"))
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="Linux /proc")
@pytest.mark.parametrize(("args", "env", "expected"), [
    (["fiscal", "run", "--help"], {}, "THREADS 1 1"),
    (["fiscal", "run", "--help"], {"OPENBLAS_NUM_THREADS": "2"}, "THREADS 2 2"),
    (["--version"], {}, "THREADS 2 None"),
])
def test_a_fiscal_command_runs_openblas_without_its_thread_pool(
        tmp_path: Path, args: list[str], env: dict[str, str], expected: str) -> None:
    """OpenBLAS's pool (one thread more on two cores) is not started for a fiscal command."""
    import os

    if (os.cpu_count() or 1) < 2:
        pytest.skip("OpenBLAS starts no pool on one core")
    environ = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run([sys.executable, "-c", _THREADS, *args], capture_output=True,
                          text=True, timeout=180, check=False, cwd=tmp_path,
                          env={**environ, **env})
    line = next(x for x in done.stdout.splitlines() if x.startswith("THREADS"))
    assert line == expected
