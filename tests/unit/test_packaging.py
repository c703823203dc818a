"""Packaging: ``pip install "regionet[all]"`` installs every optional part."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).parents[2] / "pyproject.toml"
SELF = re.compile(r"^regionet\[([^\]]*)\]$")


def extras() -> dict[str, list[str]]:
    with PYPROJECT.open("rb") as fh:
        return dict(tomllib.load(fh)["project"]["optional-dependencies"])


def named(requirements: list[str]) -> set[str]:
    """The extras of regionet a list of requirements pulls in by name."""
    out: set[str] = set()
    for requirement in requirements:
        if (m := SELF.match(requirement.replace(" ", ""))) is not None:
            out |= set(m.group(1).split(","))
    return out


def test_all_lists_every_other_extra_but_dev() -> None:
    found = extras()
    assert {"serve", "fast", "geo"} <= set(found)  # the parts issue 7 names
    assert named(found["all"]) == set(found) - {"all", "dev"}
    # nothing but the other extras, so that it cannot drift from them
    assert all(SELF.match(r.replace(" ", "")) for r in found["all"])


def test_named_reads_self_references() -> None:
    assert named(["regionet[serve, fast]", "pytest>=8", "regionet[geo]"]) == {
        "serve", "fast", "geo"}
    assert named(["numpy"]) == set()
