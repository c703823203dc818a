"""Start-up: commands import nothing heavy they do not use (issue 10: the fiscal path stays light).

Timings live in benchmarks (``bench_whole_process.py --startup``); this checks what is imported,
which is what makes ``regionet --version`` and ``regionet fiscal run --help`` fast.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("pandas", "matplotlib", "sqlalchemy", "fastapi", "networkx", "pyarrow", "numpy",
         "yaml", "igraph", "pydantic")  # pydantic: Typer's option adapters (cli/coercion.py)

PROBE = """
import sys
sys.argv = ["regionet", *{args!r}]
from regionet.interfaces.cli.app import main
try:
    main()
except SystemExit as exit:
    assert not exit.code, exit.code
print("IMPORTED", ",".join(m for m in (*{heavy!r}, "rich") if m in sys.modules),
      file=sys.stderr)
"""


def imported(*args: str, cwd: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=list(args), heavy=HEAVY)],
                          capture_output=True, text=True, timeout=180, check=False, cwd=cwd)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("IMPORTED"))
    return {m for m in line.removeprefix("IMPORTED ").split(",") if m}


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("fiscal", "run", "--help"),
                                  ("fiscal", "inputs", "--help")])
def test_help_and_version_import_nothing_heavy(args: tuple[str, ...], tmp_path: Path) -> None:
    assert imported(*args, cwd=tmp_path) - {"rich"} == set()  # rich: Typer draws the help


def test_a_fiscal_run_on_files_imports_no_database_plotting_or_server_code(tmp_path: Path
                                                                           ) -> None:
    (tmp_path / "est.csv").write_text("firm_id,region,headcount,payroll,assets,sales\n"
                                      "oil,RU-KHM,9,1,8,0\noil,RU-MOW,1,1,2,0\n",
                                      encoding="utf-8")
    (tmp_path / "firms.csv").write_text("firm_id,registered_region,profit\noil,RU-MOW,10\n",
                                        encoding="utf-8")
    used = imported("fiscal", "run", "--year", "2003", "--establishments", "est.csv",
                    "--firms", "firms.csv", "--format", "json", "--db", "absent.db",
                    cwd=tmp_path)
    assert used & {"matplotlib", "sqlalchemy", "fastapi", "networkx", "igraph",
                   "pydantic", "rich"} == set()  # rich: no terminal, no progress display
    assert {"numpy", "pyarrow"} <= used  # what the run needs (pandas: the results table)


FIRST_IMPORT = """
import sys, threading
class Spy:
    def find_spec(self, name, path, target=None):
        if name == "pandas":
            print("PANDAS", threading.current_thread() is threading.main_thread(),
                  file=sys.stderr)
            sys.meta_path.remove(self)
        return None
sys.meta_path.insert(0, Spy())
sys.argv = ["regionet", *{args!r}]
from regionet.interfaces.cli.app import main
try:
    main()
except SystemExit as exit:
    assert not exit.code, exit.code
"""


def test_a_fiscal_run_on_files_imports_pandas_in_the_second_thread(tmp_path: Path) -> None:
    """pandas (for the results table) loads while the main thread reads and codes the files."""
    (tmp_path / "est.csv").write_text("firm_id,region,headcount,payroll,assets,sales\n"
                                      "oil,RU-KHM,9,1,8,0\n", encoding="utf-8")
    (tmp_path / "firms.csv").write_text("firm_id,registered_region,profit\noil,RU-MOW,10\n",
                                        encoding="utf-8")
    args = ["fiscal", "run", "--year", "2003", "--establishments", "est.csv", "--firms",
            "firms.csv", "--format", "json", "--db", "absent.db"]
    done = subprocess.run([sys.executable, "-c", FIRST_IMPORT.format(args=args)],
                          capture_output=True, text=True, timeout=180, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "PANDAS False" in done.stderr.splitlines(), done.stderr  # not the main thread
    assert '"region": "RU-KHM"' in done.stdout or '"region":"RU-KHM"' in done.stdout
