"""A command line that names a group runs an app with that group only: same answers."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from regionet.interfaces.cli.app import app, command_app

GROUPS = sorted(g.name for g in app.registered_groups if g.name)


def test_every_group_is_pruned_to_itself() -> None:
    assert GROUPS == ["data", "db", "figures", "fiscal", "network", "simulate", "users"]
    for name in GROUPS:
        only = command_app([name, "--help"])
        assert only is not app
        assert [g.name for g in only.registered_groups] == [name]
        assert only.registered_commands == []
        assert only.registered_callback is app.registered_callback


@pytest.mark.parametrize("args", [
    *([name, "--help"] for name in GROUPS),
    *([name] for name in GROUPS),
    ["fiscal", "run", "--help"], ["data", "import", "--help"], ["simulate", "sweep", "--help"],
    ["fiscal", "nosuch"], ["fiscal", "run", "--year", "20o4"], ["fiscal", "run", "--nope"],
    ["network", "metrics", "--level", "galactic", "--json"],
])
def test_a_group_command_line_answers_as_the_whole_app_does(args: list[str]) -> None:
    runner = CliRunner()
    whole = runner.invoke(app, args)
    only = runner.invoke(command_app(args), args)
    assert (only.exit_code, only.output) == (whole.exit_code, whole.output)
    assert whole.output


@pytest.mark.parametrize("args", [[], ["--help"], ["report", "--help"], ["fiscl"],
                                  ["--version"], ["serve", "--help"]])
def test_anything_else_runs_the_whole_app(args: list[str]) -> None:
    assert command_app(args) is app
