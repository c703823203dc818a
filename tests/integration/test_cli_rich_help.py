"""Typer's Rich help without Markdown and tracebacks imported (``cli/rich_help.py``, issue 10).

Each case runs in a fresh interpreter, since ``typer.rich_utils`` is imported once per process:
with the import hook (as ``regionet`` runs) and without it (``install`` made a no-op before
the app is imported), and compares what is printed, the exit code and what was imported.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import sys
if {plain!r}:
    import regionet.interfaces.cli.rich_help as rich_help
    rich_help.install = lambda: None
sys.argv = ["regionet", *{args!r}]
from regionet.interfaces.cli.app import main
code = 0
try:
    main()
except SystemExit as exit:
    code = exit.code or 0
sys.stdout.flush()
print("IMPORTED", ",".join(m for m in ("typer.rich_utils", "rich.markdown", "rich.traceback",
                                       "markdown_it", "pygments") if m in sys.modules),
      file=sys.stderr)
print("CODE", code, file=sys.stderr)
"""


def run(args: list[str], *, plain: bool, cwd: Path) -> tuple[str, str, int, set[str]]:
    """(stdout, stderr without the probe's lines, exit code, modules imported of interest)."""
    done = subprocess.run([sys.executable, "-c", PROBE.format(args=args, plain=plain)],
                          capture_output=True, text=True, timeout=180, check=False, cwd=cwd,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "100",
                               "PYTHONPATH": ":".join(sys.path)})
    lines = done.stderr.splitlines()
    imported = next(x for x in lines if x.startswith("IMPORTED ")).removeprefix("IMPORTED ")
    code = int(next(x for x in lines if x.startswith("CODE ")).removeprefix("CODE "))
    rest = "\n".join(x for x in lines if not x.startswith(("IMPORTED ", "CODE ")))
    return done.stdout, rest, code, {m for m in imported.split(",") if m}


@pytest.mark.parametrize("args", [["fiscal", "run", "--help"], ["--help"], ["fiscal"],
                                  ["fiscal", "run", "--no-such-option"], ["fiscl"]])
def test_help_and_usage_errors_are_typers_own_without_markdown_or_tracebacks(
        args: list[str], tmp_path: Path) -> None:
    out, err, code, used = run(args, plain=False, cwd=tmp_path)
    out_plain, err_plain, code_plain, used_plain = run(args, plain=True, cwd=tmp_path)
    assert (out, err, code) == (out_plain, err_plain, code_plain)
    assert "typer.rich_utils" in used and "typer.rich_utils" in used_plain
    assert used == {"typer.rich_utils"}  # nothing of markdown-it, Pygments, rich.traceback
    assert {"rich.markdown", "rich.traceback", "markdown_it", "pygments"} <= used_plain
    if "--help" in args or args == ["fiscal"]:  # a group alone: its help, exit code 2
        assert "Usage: regionet" in out and "─ Options ─" in out
        assert code == (2 if args == ["fiscal"] else 0)
    else:
        assert "Usage: regionet" in err and "─ Error ─" in err and code == 2


def test_markdown_help_and_rich_tracebacks_still_work_through_the_stand_ins(
        tmp_path: Path) -> None:
    script = """
import sys
from regionet.interfaces.cli.rich_help import install
install()
import typer
from typer.testing import CliRunner
import typer.rich_utils as ru
assert "rich.markdown" not in sys.modules and "rich.traceback" not in sys.modules
demo = typer.Typer(rich_markup_mode="markdown")
@demo.command()
def show(name: str = "x") -> None:
    '''Show **bold** words and `code`.'''
print(CliRunner().invoke(demo, ["--help"]).output)
import rich.markdown, rich.traceback
assert rich.markdown.Markdown.__module__ == "rich.markdown"
assert type(ru.Markdown("*a*")) is rich.markdown.Markdown
try:
    1 / 0
except ZeroDivisionError as err:
    tb = ru.Traceback.from_exception(type(err), err, err.__traceback__)
assert type(tb) is rich.traceback.Traceback, type(tb)
print("OK")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=180, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Show bold words and code." in done.stdout  # rendered: no ** nor backquotes
    assert done.stdout.rstrip().endswith("OK")
