"""Start-up: commands import nothing heavy they do not use (issue 10: the fiscal path stays light).

Timings live in benchmarks (``bench_whole_process.py --startup``); this checks what is imported,
which is what makes ``regionet --version`` and ``regionet fiscal run --help`` fast.
"""

from __future__ import annotations

import json
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
    assert {"numpy", "pyarrow"} <= used  # what the run needs


PANDAS_SPY = """
import sys, traceback
class Spy:
    def find_spec(self, name, path, target=None):
        if name == "pandas":
            print("PANDAS IMPORTED FROM", "".join(traceback.format_stack()), file=sys.stderr)
        return None
sys.meta_path.insert(0, Spy())
sys.argv = ["regionet", *{args!r}]
from regionet.interfaces.cli.app import main
try:
    main()
except SystemExit as exit:
    assert not exit.code, exit.code
print("PANDAS LOADED", "pandas" in sys.modules, file=sys.stderr)
"""


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_a_json_fiscal_run_on_files_never_imports_pandas(suffix: str, tmp_path: Path) -> None:
    """The regions table, the results and the JSON come from arrays: pandas is not loaded."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    est = pa.table({"firm_id": ["0000000001", "0000000002", "0000000001"],
                    "region": ["RU-KHM", "RU-MOW", "RU-MOW"], "headcount": [9.0, 1.0, 1.0],
                    "payroll": [1.0, 1.0, 1.0], "assets": [8.0, 2.0, 2.0],
                    "sales": [0.0, 1.0, 0.0]})
    firms = pa.table({"firm_id": ["0000000001", "0000000002"],
                      "registered_region": ["RU-MOW", "RU-KR"], "profit": [10.0, -1.0]})
    write = pq.write_table if suffix == "parquet" else pacsv.write_csv
    write(est, str(tmp_path / f"est.{suffix}"))
    write(firms, str(tmp_path / f"firms.{suffix}"))
    args = ["fiscal", "run", "--year", "2003", "--rule", "art288", "--establishments",
            f"est.{suffix}", "--firms", f"firms.{suffix}", "--format", "json", "--db",
            "absent.db"]
    done = subprocess.run([sys.executable, "-c", PANDAS_SPY.format(args=args)],
                          capture_output=True, text=True, timeout=180, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "PANDAS LOADED False" in done.stderr.splitlines(), done.stderr
    assert "PANDAS IMPORTED FROM" not in done.stderr
    rows = {row["region"]: row for row in json.loads(done.stdout)}
    assert len(rows) == 89
    # art. 288 in 2003: firm 1's base 10 split by the mean of its labour and asset shares
    assert rows["RU-KHM"]["profit_tax_base_attributed"] == pytest.approx(
        10 * (9 / 10 + 8 / 10) / 2, rel=1e-12)
    assert rows["RU-MOW"]["profit_tax_base_attributed"] == pytest.approx(
        10 * (1 / 10 + 2 / 10) / 2, rel=1e-12)
    assert rows["RU-KR"]["profit_tax_base_registered"] == 0.0  # a loss: no base


ARROW_AFTER = """
import sys
import pyarrow as pa
from regionet.io.arrow_pandas import arrow_without_pandas
arrow_without_pandas()
assert "pandas" not in sys.modules
import numpy as np
from regionet.core.tables import as_numpy
assert as_numpy(pa.array(np.array([1.5, 2.0])).slice(1)).tolist() == [2.0]
assert pa.array(["a", "b"], pa.string()).to_pylist() == ["a", "b"]
assert "pandas" not in sys.modules, "a conversion imported pandas"
import pandas as pd
frame = pd.DataFrame({"a": [1, 2], "b": ["x", None]})
assert pa.table(frame).column("b").to_pylist() == ["x", None]
assert pa.array(pd.Series([1.0, None])).null_count == 1
assert pa.Table.from_pandas(frame).to_pandas().equals(frame)
print("OK")
"""


def test_arrow_works_with_pandas_imported_after_it_was_kept_out() -> None:
    """pyarrow learns of pandas as soon as it is imported (io/arrow_pandas.py)."""
    done = subprocess.run([sys.executable, "-c", ARROW_AFTER], capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "OK"
