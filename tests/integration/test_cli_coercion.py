"""Options coerced without pydantic (``interfaces.cli.coercion``): Typer's values and errors.

Each command below runs twice in a fresh interpreter: with Typer's own coercion and with the
light coercer installed; the output (values with their types, or Typer's error and exit
code) must be the same, and the plain cases must not import pydantic.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # subprocesses

PROBE = """
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from typer.testing import CliRunner

if {install}:
    from regionet.interfaces.cli.coercion import install
    install()


class Kind(str, Enum):
    a = "a"
    b = "b"


demo = typer.Typer()


@demo.command()
def show(year: int, name: str = "x", path: Path | None = None, rule: str | None = None,
         to: Annotated[int | None, typer.Option(min=0)] = None, kind: Kind | None = None,
         tags: Annotated[list[str] | None, typer.Option("--tag")] = None,
         quiet: bool = False, share: float = 0.5) -> None:
    for value in (year, name, path, rule, to, kind, tags, quiet, share):
        print(type(value).__name__, repr(value))


result = CliRunner().invoke(demo, {args!r})
print("EXIT", result.exit_code)
print(result.output)
print("PYDANTIC", "pydantic" in sys.modules)
"""

CASES = [
    (["2004"], False),
    (["--name", " spaced ", "--path", "some/file.csv", "--rule", "art288", "--quiet", "--",
      "-7"], False),
    (["0", "--path", "/abs/dir/", "--name", ""], False),
    (["2004", "--to", "5", "--kind", "b", "--tag", "x", "--tag", "y", "--share", "1e-3"], True),
    (["20o4"], True),            # not an integer: Typer's message
    (["007"], True),              # leading zeros: Typer decides
    (["+5"], True),
    (["1" * 30], True),           # longer than the plain case
    (["2004", "--to", "-1"], True),  # below min
    (["2004", "--path", ""], True),  # empty path: Typer decides
    (["2004", "--kind", "c"], True),
    ([], False),                  # missing argument
]


def run(args: list[str], install: bool, cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE.format(install=install, args=args)],
                          capture_output=True, text=True, timeout=120, check=False, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(("args", "pydantic"), CASES)
def test_the_light_coercer_gives_typers_values_and_errors(args: list[str], pydantic: bool,
                                                          tmp_path: Path) -> None:
    typer_own, light = run(args, False, tmp_path), run(args, True, tmp_path)
    assert typer_own.rsplit("PYDANTIC", 1)[0] == light.rsplit("PYDANTIC", 1)[0]
    assert light.endswith(f"PYDANTIC {pydantic}\n")  # plain cases never import pydantic
