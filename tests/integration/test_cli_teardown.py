"""A finished `regionet fiscal run` ends without the interpreter's teardown (teardown.py).

What must hold: the output of a process that skips the teardown is complete (the same bytes
as the command run in-process, which never skips it), a failed run still exits with its code
and message after a normal teardown, and a run inside another program (pytest here) returns.
Whether the teardown was skipped is seen from an ``atexit`` hook, which only a normal exit
runs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import types
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from regionet.interfaces.cli import teardown

pytestmark = pytest.mark.slow  # `regionet` processes

#: Loaded at start-up by the runs below (``sitecustomize``): an atexit hook writing a mark
#: file, which only a normal teardown runs.
HOOK = """
import atexit, os
from pathlib import Path
atexit.register(Path(os.environ["TEARDOWN_MARK"]).write_text, "torn down")
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """Parquet files of three firms (registry numbers) and their establishments."""
    est, firms = tmp_path / "est.parquet", tmp_path / "firms.parquet"
    pq.write_table(pa.table({
        "firm_id": ["7701000001", "7701000002", "7701000001", "8601000003"],
        "region": ["RU-KHM", "RU-YAN", "RU-MOW", "RU-MOW"], "headcount": [900, 5, 100, 3],
        "payroll": [90, 1, 10, 1], "assets": [800, 1, 200, 1], "sales": [0, 1, 0, 1]}), est)
    pq.write_table(pa.table({
        "firm_id": ["7701000001", "7701000002", "8601000003"],
        "registered_region": ["RU-MOW", "RU-MOW", "RU-MOW"],
        "profit": [1000.0, 50.0, -30.0]}), firms)
    return {"establishments": str(est), "firms": str(firms)}


def run(mark: Path, *args: str, script: tuple[str, ...] = ("-m", "regionet.interfaces.cli")
        ) -> subprocess.CompletedProcess[str]:
    """``python -m regionet.interfaces.cli ARGS`` (regionet's own script), hook loaded."""
    hooks = mark.parent / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(HOOK, encoding="utf-8")
    path = os.pathsep.join(p for p in (str(hooks), os.environ.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, *script, *args], capture_output=True,
                          text=True, timeout=180, check=False,
                          env={**os.environ, "PYTHONPATH": path, "TEARDOWN_MARK": str(mark)})


def fiscal_run(files: dict[str, str], *more: str, rule: str = "art288") -> list[str]:
    return ["fiscal", "run", "--year", "2005", "--rule", rule, "--establishments",
            files["establishments"], "--firms", files["firms"], "--db",
            str(Path(files["firms"]).parent / "no-such.db"), *more]


def test_a_finished_run_skips_the_teardown_and_its_output_is_complete(
        files: dict[str, str], tmp_path: Path, regionet_main) -> None:
    mark = tmp_path / "mark"
    done = run(mark, *fiscal_run(files, "--format", "json"))
    assert done.returncode == 0, done.stderr
    assert not mark.exists()  # no teardown: the atexit hook never ran
    code, out, err = regionet_main(*fiscal_run(files, "--format", "json"))
    assert code == 0  # in-process (under pytest): returns, the normal path
    assert done.stdout == out and done.stdout.endswith("]\n") and len(out) > 10_000
    assert done.stderr == err


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_files_written_before_the_skipped_teardown_are_whole(
        files: dict[str, str], tmp_path: Path, regionet_main, fmt: str) -> None:
    mark = tmp_path / "mark"
    done = run(mark, *fiscal_run(files, "--format", fmt, "--out", str(tmp_path / "fast")))
    assert done.returncode == 0 and not mark.exists(), done.stderr
    code, out, _ = regionet_main(*fiscal_run(files, "--format", fmt, "--out",
                                             str(tmp_path / "slow")))
    assert code == 0
    fast = sorted(p.name for p in (tmp_path / "fast").iterdir())
    assert fast == sorted(p.name for p in (tmp_path / "slow").iterdir()) and fast
    for name in fast:
        assert (tmp_path / "fast" / name).read_bytes() == (tmp_path / "slow" / name).read_bytes()
    assert done.stdout == out.replace(str(tmp_path / "slow"), str(tmp_path / "fast"))


@pytest.mark.parametrize(("rule", "fmt", "code", "message"), [
    ("nosuch", "json", 4, "error: field '--rule', value 'nosuch': unknown attribution rule"),
    ("art288", "xml", 2, "error: field '--format', value 'xml': unknown format"),
])
def test_a_failed_run_tears_down_and_keeps_its_code(
        files: dict[str, str], tmp_path: Path, rule: str, fmt: str, code: int,
        message: str) -> None:
    mark = tmp_path / "mark"
    done = run(mark, *fiscal_run(files, "--format", fmt, rule=rule))
    assert done.returncode == code
    assert message in done.stderr and "Traceback" not in done.stderr
    assert mark.read_text() == "torn down"


def test_a_script_calling_main_goes_on_after_a_finished_run(
        files: dict[str, str], tmp_path: Path) -> None:
    code = ("import sys; sys.argv = ['regionet', *sys.argv[1:]]\n"
            "from regionet.interfaces.cli.app import main\n"
            "try:\n    main()\nexcept SystemExit as done:\n"
            "    print('went on', done.code, file=sys.stderr)\n")
    mark = tmp_path / "mark"
    done = run(mark, *fiscal_run(files, "--format", "json"), script=("-c", code))
    assert done.returncode == 0 and done.stderr.endswith("went on 0\n"), done.stderr
    assert mark.read_text() == "torn down"


def test_other_commands_tear_down(tmp_path: Path) -> None:
    mark = tmp_path / "mark"
    done = run(mark, "fiscal", "run", "--help")
    assert done.returncode == 0 and "--establishments" in done.stdout
    assert mark.read_text() == "torn down"


def test_only_a_marked_success_in_regionets_own_process_ends_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    ended: list[int] = []
    monkeypatch.setattr(teardown.os, "_exit", ended.append)
    teardown.nothing_to_finalize()
    try:
        teardown.end(0)  # pytest's __main__ is not regionet's script
        assert ended == []
        script = types.ModuleType("__main__")
        script.__file__ = "/usr/local/bin/regionet"
        monkeypatch.setitem(sys.modules, "__main__", script)
        teardown.end(2)
        teardown.end("error")
        assert ended == []
        teardown.end(0)
        teardown.end(None)
        assert ended == [0, 0]
        teardown.forget()
        teardown.end(0)
        assert ended == [0, 0]
    finally:
        teardown.forget()
