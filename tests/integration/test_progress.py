"""The progress display: on a terminal's standard error only, never in a pipe or with --quiet."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from regionet.interfaces.cli.app import app
from regionet.interfaces.cli.progress import counting, progress

EXE = [sys.executable, "-m", "regionet.interfaces.cli"]
# what Rich reads to decide whether a stream is a terminal
_RICH_ENV = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "TERM")


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _RICH_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm")


def test_a_terminal_shows_the_description_and_the_steps(
        monkeypatch: pytest.MonkeyPatch, terminal_env: None) -> None:
    err = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", err)
    with progress("Working on it") as say:
        say("Step two")
    shown = err.getvalue()
    assert "Working on it" in shown and "Step two" in shown
    assert "\x1b[2K" in shown  # the line is erased when done (transient)


def test_a_terminal_shows_a_bar_counting_the_runs(
        monkeypatch: pytest.MonkeyPatch, terminal_env: None) -> None:
    err = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", err)
    with counting("Running 40 simulations") as count:
        count(25, 40)
    shown = err.getvalue()
    assert "Running 40 simulations" in shown and "25/40" in shown
    assert "\x1b[2K" in shown
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    with counting("Running 40 simulations") as count:
        count(25, 40)
    quiet = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    with counting("Running 40 simulations", quiet=True) as count:
        count(25, 40)
    assert piped.getvalue() == "" and quiet.getvalue() == ""


@pytest.mark.parametrize("case", ["quiet", "pipe", "TTY_INTERACTIVE=0", "TERM=dumb"])
def test_nothing_is_shown_when_quiet_in_a_pipe_or_on_a_dumb_terminal(
        case: str, monkeypatch: pytest.MonkeyPatch, terminal_env: None) -> None:
    err = io.StringIO() if case == "pipe" else FakeTerminal()
    monkeypatch.setattr(sys, "stderr", err)
    if "=" in case:
        name, value = case.split("=")
        monkeypatch.setenv(name, value)
    with progress("Working on it", quiet=case == "quiet") as say:
        say("Step two")
    assert err.getvalue() == ""


def test_a_piped_command_prints_only_its_output(terminal_env: None) -> None:
    runner = CliRunner()
    args = ["fiscal", "run", "--year", "1999", "--format", "json", "--db", "no-such.db"]
    piped = runner.invoke(app, args)
    quiet = runner.invoke(app, [*args, "--quiet"])
    assert piped.exit_code == 0 and quiet.exit_code == 0, piped.output
    assert len(json.loads(piped.stdout)) == 89
    assert piped.stdout == quiet.stdout
    assert piped.stderr == quiet.stderr  # the workspace note and the illustrative note
    assert "Running the fiscal model" not in piped.stdout + piped.stderr


def _on_a_terminal(args: list[str], cwd: Path) -> tuple[str, str]:
    """Run regionet with standard error on a pseudo-terminal; return (stdout, terminal)."""
    env = {k: v for k, v in os.environ.items() if k not in _RICH_ENV}
    env.update(TERM="xterm", COLUMNS="120")
    master, slave = pty.openpty()
    with tempfile.TemporaryFile(dir=cwd) as out:
        process = subprocess.Popen([*EXE, *args], cwd=cwd, stdout=out, stderr=slave, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # the terminal is closed when the command ends
                break
            if not data:
                break
            chunks.append(data)
        os.close(master)
        assert process.wait(timeout=120) == 0
        out.seek(0)
        return out.read().decode(), b"".join(chunks).decode(errors="replace")


@pytest.mark.slow
def test_on_a_real_terminal_progress_goes_to_stderr_and_stdout_is_unchanged(
        tmp_path: Path) -> None:
    args = ["fiscal", "run", "--year", "1999", "--format", "json", "--db", "no-such.db"]
    stdout, terminal = _on_a_terminal(args, tmp_path)
    assert "Running the fiscal model for 1999" in terminal
    assert len(json.loads(stdout)) == 89
    quiet_stdout, quiet_terminal = _on_a_terminal([*args, "--quiet"], tmp_path)
    assert "Running the fiscal model" not in quiet_terminal
    assert "illustrative economy" in quiet_terminal  # what stderr says anyway
    assert quiet_stdout == stdout
    piped = subprocess.run([*EXE, *args], cwd=tmp_path, capture_output=True, text=True,
                           check=True, timeout=120)
    assert piped.stdout == stdout and "Running the fiscal model" not in piped.stderr


@pytest.mark.parametrize("command", [
    ["run"], ["report"], ["fiscal", "run"], ["fiscal", "compare"], ["fiscal", "explain"],
    ["fiscal", "test"], ["figures", "map"], ["figures", "ties"], ["figures", "lorenz"],
    ["simulate", "run"], ["simulate", "sweep"], ["simulate", "calibrate"],
    ["simulate", "check"]])
def test_the_long_commands_take_quiet(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "--quiet" in result.stdout
