"""Shared pytest set-up for the tests and the doctests of ``src/``.

Doctests that write files use ``tmp_path``: pytest's own temporary folder for the test, the
same a test function gets, so no doctest leaves files behind.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from _pytest.doctest import DoctestItem

#: Doctests that take more than about two seconds (they render every figure of the report).
SLOW_DOCTESTS = frozenset({"regionet.interfaces.report.report"})
#: Test modules that are slow as a whole (``pytestmark = pytest.mark.slow``) and costly to
#: collect: schemathesis builds its Hypothesis tests for every API operation while collecting
#: (about 4 s, in every xdist worker), only to have ``-m "not slow"`` deselect them all.
SLOW_MODULES = frozenset({"tests/integration/api/test_schemathesis.py"})


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Do not even collect the :data:`SLOW_MODULES` when the run deselects slow tests."""
    if config.getoption("markexpr", "").replace(" ", "") != "notslow":
        return None
    root = Path(__file__).resolve().parent
    path = collection_path.resolve()
    if not path.is_relative_to(root):
        return None
    return True if path.relative_to(root).as_posix() in SLOW_MODULES else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the slow doctests ``slow``, as the slow tests are (``make test-fast`` skips them)."""
    for item in items:
        if isinstance(item, DoctestItem) and item.name in SLOW_DOCTESTS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _doctest_tmp_path(request: pytest.FixtureRequest, doctest_namespace: dict[str, Any]) -> None:
    """Give every doctest a ``tmp_path`` of its own (tests ask for theirs)."""
    if isinstance(request.node, DoctestItem):
        doctest_namespace["tmp_path"] = request.getfixturevalue("tmp_path")


def pytest_configure(config: pytest.Config) -> None:
    """Keep what Hypothesis stores out of the repository, and its examples in memory.

    Hypothesis writes a ``.hypothesis/`` folder (an example database and a cache of the
    constants it reads from the source) into the current directory. Its examples are kept in
    memory instead, and its folder is a temporary one, removed when the session ends.
    """
    try:
        from hypothesis import settings
        from hypothesis.configuration import set_hypothesis_home_dir
        from hypothesis.database import InMemoryExampleDatabase
    except ImportError:  # the dev extras are not installed
        return
    settings.register_profile("regionet", database=InMemoryExampleDatabase())
    settings.load_profile("regionet")
    home = tempfile.mkdtemp(prefix="regionet-hypothesis-")
    config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))
    set_hypothesis_home_dir(home)
