"""What ``make test-fast`` leaves out (``conftest.py``): fewer Hypothesis examples, slow modules.

``--hypothesis-share`` lowers each Hypothesis test's ``max_examples`` (``make test`` runs them
all); a module marked slow as a whole is not even imported when ``-m "not slow"`` deselects it;
the PostgreSQL tests are told apart; the garbage collector and Hypothesis' folder are set up.
"""

from __future__ import annotations

import gc
import importlib.util
import os
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]


def _root_conftest() -> ModuleType:
    """The repository's ``conftest.py``, loaded again as a plain module (no hook runs)."""
    spec = importlib.util.spec_from_file_location("regionet_root_conftest",
                                                  ROOT / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


conftest = _root_conftest()


def _counting(max_examples: int | None) -> tuple[Any, list[int]]:
    """A Hypothesis test (``max_examples`` given, or the profile's) counting its examples."""
    seen: list[int] = []

    @given(st.integers())
    def check(value: int) -> None:
        seen.append(value)

    test = check if max_examples is None else settings(max_examples=max_examples)(check)
    return test, seen


@pytest.mark.parametrize(("asked", "share", "ran"), [
    (40, 0.25, 10), (300, 0.25, 75), (60, 0.25, 15), (12, 0.25, 10), (5, 0.25, 5),
    (40, 1.0, 40), (301, 0.5, 151), (None, 0.25, 25)])
def test_a_share_of_the_examples_never_below_ten_nor_above_the_tests_own(
        asked: int | None, share: float, ran: int) -> None:
    test, seen = _counting(asked)
    items = [SimpleNamespace(obj=test), SimpleNamespace(obj=test),  # two parameters
             SimpleNamespace(obj=len), SimpleNamespace()]         # not Hypothesis tests
    conftest._fewer_examples(items, share)
    assert test._hypothesis_internal_use_settings.max_examples == ran
    assert test._hypothesis_internal_use_settings.deadline is None  # the rest is kept
    test()
    assert len(seen) == ran


def test_a_method_of_a_test_class_gets_fewer_examples_too() -> None:
    class TestSome:
        @settings(max_examples=80)
        @given(st.integers())
        def test_it(self, value: int) -> None:
            pass

    conftest._fewer_examples([SimpleNamespace(obj=TestSome().test_it)], 0.25)
    assert TestSome.test_it._hypothesis_internal_use_settings.max_examples == 20


@pytest.mark.parametrize("text", ["0", "-0.5", "1.5", "a quarter", "nan", ""])
def test_a_share_outside_zero_to_one_is_refused_naming_it(text: str) -> None:
    with pytest.raises(pytest.UsageError, match=f"--hypothesis-share: '{text}' is not a "
                                                "number greater than 0 and at most 1"):
        conftest._share(text)


@pytest.mark.parametrize(("text", "share"), [("0.25", 0.25), ("1", 1.0), (".5", 0.5)])
def test_a_share_in_zero_to_one(text: str, share: float) -> None:
    assert conftest._share(text) == share


@pytest.mark.parametrize(("source", "slow"), [
    ("import pytest\npytestmark = pytest.mark.slow  # why\n", True),
    ("import pytest\npytestmark = [pytest.mark.e2e, pytest.mark.slow]\n", True),
    ("import pytest\npytestmark = pytest.mark.slowish\n", False),
    ("import pytest\n\n@pytest.mark.slow\ndef test_one() -> None: ...\n", False),
    ("import pytest\n# pytestmark = pytest.mark.slow\n", False),
    ("import pytest\npytestmark = pytest.mark.postgres\n", False)])
@pytest.mark.parametrize(("expression", "deselects_slow"), [
    ("not slow and not postgres", True), ("not slow", True), ("", False), ("slow", False),
    ("not slow or e2e", False)])
def test_a_module_slow_as_a_whole_is_not_imported_when_slow_tests_are_deselected(
        tmp_path: Path, source: str, slow: bool, expression: str,
        deselects_slow: bool) -> None:
    module = tmp_path / "test_some.py"
    module.write_text(source, encoding="utf-8")
    config = SimpleNamespace(getoption=lambda name, default=None: expression)
    ignored = conftest.pytest_ignore_collect(module, config)
    assert ignored is (True if slow and deselects_slow else None)


def test_only_test_modules_are_read(tmp_path: Path) -> None:
    helper = tmp_path / "helpers.py"
    helper.write_text("import pytest\npytestmark = pytest.mark.slow\n", encoding="utf-8")
    config = SimpleNamespace(getoption=lambda name, default=None: "not slow")
    assert conftest.pytest_ignore_collect(helper, config) is None
    assert conftest.pytest_ignore_collect(tmp_path / "test_gone.py", config) is None


def test_the_slow_modules_of_the_suite_are_found() -> None:
    config = SimpleNamespace(getoption=lambda name, default=None: "not slow")
    found = {path.relative_to(ROOT).as_posix() for path in (ROOT / "tests").rglob("test_*.py")
             if conftest.pytest_ignore_collect(path, config)}
    assert {"tests/integration/api/test_schemathesis.py",
            "tests/integration/team/test_schemathesis_team.py",
            "tests/e2e/test_dashboard.py"} <= found
    assert "tests/integration/api/test_api.py" not in found


@pytest.mark.parametrize(("fixtures", "params", "postgres"), [
    (("tmp_path", "postgres_url"), None, True),
    (("pg_url",), None, True),  # the team tests' own fixture
    (("tmp_path", "workspace_url"), {"workspace_url": "postgresql"}, True),
    (("tmp_path", "workspace_url"), {"workspace_url": "sqlite"}, False),
    (("tmp_path", "pg_urls"), None, False),
    ((), None, False)])
def test_the_postgresql_tests_are_told_apart(fixtures: tuple[str, ...],
                                             params: dict[str, str] | None,
                                             postgres: bool) -> None:
    callspec = None if params is None else SimpleNamespace(params=params)
    item = SimpleNamespace(fixturenames=fixtures, callspec=callspec)
    assert conftest.uses_postgres(item) is postgres


def test_the_tests_run_with_fewer_garbage_collections() -> None:
    # conftest.py's pytest_collection_finish ran in this process before the tests
    assert gc.get_threshold() == conftest.GC_THRESHOLDS == (7000, 10, 10)
    assert gc.get_freeze_count() > 10_000  # the modules and tests collected, at least


def test_hypothesis_keeps_its_files_outside_the_repository_between_runs() -> None:
    from hypothesis.configuration import storage_directory

    home = conftest.hypothesis_home()
    assert home.name == f"regionet-hypothesis-{os.getuid()}" and home.is_dir()
    assert not home.resolve().is_relative_to(ROOT.resolve())
    assert storage_directory("constants").path == home / "constants"
    assert conftest.hypothesis_home() == home  # the same folder on every call
