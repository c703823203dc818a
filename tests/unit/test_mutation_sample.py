"""The random-sample mode of ``scripts/mutation.py`` (``--sample N --seed S``): the draw, the
Wilson interval and the sample's summary. No mutmut run: the ``.meta`` files are written here.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def mutation() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutation_script", ROOT / "scripts/mutation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# Wilson 95 % intervals computed by hand (z = 1.96): 8 of 10 is the textbook example
@pytest.mark.parametrize(("killed", "checked", "low", "high"), [
    (8, 10, 0.49016, 0.94331),
    (0, 10, 0.0, 0.27753),
    (10, 10, 0.72247, 1.0),
    (57, 60, 0.86301, 0.98287),
    (1, 1, 0.20654, 1.0),
])
def test_wilson_interval_known_values(mutation: ModuleType, killed: int, checked: int,
                                      low: float, high: float) -> None:
    got = mutation.wilson(killed, checked)
    assert got == pytest.approx((low, high), abs=2e-5)
    assert got[0] <= killed / checked <= got[1]


def test_wilson_interval_narrows_with_the_sample_and_refuses_nonsense(
        mutation: ModuleType) -> None:
    small, large = mutation.wilson(9, 10), mutation.wilson(90, 100)
    assert small[0] < large[0] < 0.9 < large[1] < small[1]
    assert mutation.wilson(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError, match="expected 0 <= killed <= checked, got 11 of 10"):
        mutation.wilson(11, 10)
    with pytest.raises(ValueError, match="got -1 of 10"):
        mutation.wilson(-1, 10)


def test_draw_is_seeded_sorted_and_without_replacement(mutation: ModuleType) -> None:
    population = [f"m.x_f__mutmut_{i}" for i in range(50)]
    first = mutation.draw(population, 10, seed=7)
    assert first == mutation.draw(list(reversed(population)), 10, seed=7)  # order-free
    assert first == sorted(first) and len(set(first)) == 10 and set(first) <= set(population)
    assert first != mutation.draw(population, 10, seed=8)
    assert mutation.draw(population, 50, seed=1) == sorted(population)
    assert mutation.draw(population, 80, seed=1) == sorted(population)
    with pytest.raises(ValueError, match="--sample: expected a positive number of mutants, "
                                         "got 0"):
        mutation.draw(population, 0, seed=1)


def test_draw_is_uniform(mutation: ModuleType) -> None:
    # 2,000 draws of 3 of 6: each mutant is drawn half the time (1,000 expected; the
    # binomial's standard deviation is 22, so 900-1,100 fails by chance about once in 10^5)
    population = list("abcdef")
    counts = Counter(m for seed in range(2000) for m in mutation.draw(population, 3, seed))
    assert sorted(counts) == population
    assert all(900 < n < 1100 for n in counts.values()), counts


def _meta(work: Path, name: str, codes: dict[str, int | None]) -> None:
    path = work / "mutants" / "src" / f"{name}.py.meta"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"exit_code_by_key": codes}), encoding="utf-8")


def test_unchecked_reads_the_meta_files_within_the_globs(mutation: ModuleType,
                                                         tmp_path: Path) -> None:
    _meta(tmp_path, "a", {"p.a.x_f__mutmut_1": 1, "p.a.x_f__mutmut_2": None,
                          "p.a.x_g__mutmut_1": None})
    _meta(tmp_path, "b", {"p.b.x_h__mutmut_1": None, "p.b.x_h__mutmut_2": 0})
    assert mutation.unchecked(tmp_path) == ["p.a.x_f__mutmut_2", "p.a.x_g__mutmut_1",
                                            "p.b.x_h__mutmut_1"]
    assert mutation.unchecked(tmp_path, within=("p.a.*",)) == ["p.a.x_f__mutmut_2",
                                                               "p.a.x_g__mutmut_1"]
    assert mutation.unchecked(tmp_path, ("p.a.x_g*", "p.b.*"), ("*_1",)) == [
        "p.a.x_g__mutmut_1", "p.b.x_h__mutmut_1"]


def test_sample_summary_counts_and_records_the_sample(mutation: ModuleType) -> None:
    codes = {"k1": 1, "k2": 3, "k3": -24, "k4": 1, "s1": 0, "n1": 33, "o1": 2, "skip": 34,
             "late": None, "k5": 1}
    got = mutation.sample_summary(codes, seed=7, population=300, within=("p.*",), seconds=12.4)
    low, high = mutation.wilson(5, 8)
    assert got == {
        "sample": True, "sample_size": 10, "seed": 7, "population": 300, "within": ["p.*"],
        "mutants": 10, "killed": 5, "survived": 1, "no_tests": 1, "other": 1, "unchecked": 1,
        "score": 62.5, "interval_95": [round(100 * low, 1), round(100 * high, 1)],
        "seconds": 12, "drawn": sorted(codes), "not_killed": ["s1", "n1", "o1"],
    }
    assert got["interval_95"] == [30.6, 86.3]


def test_within_needs_a_sample(mutation: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        mutation.main(["--within", "x.*", "levels"])
    assert "--within needs --sample" in capsys.readouterr().err


def test_refresh_brings_a_kept_copy_up_to_date_and_keeps_the_results(
        mutation: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, work = tmp_path / "root", tmp_path / "work"
    for folder in (root / "src/p", root / "tests", work / "tests", work / "mutants/src/p"):
        folder.mkdir(parents=True)
    (root / "src/p/a.py").write_text("X = 2\n", encoding="utf-8")
    (root / "tests/test_old.py").write_text("# new assertions\n", encoding="utf-8")
    (root / "tests/test_guards.py").write_text("# written after the run\n", encoding="utf-8")
    (root / "README.md").write_text("now\n", encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = "-q"\n\n[tool.mutmut]\nold = 1\n\n[tool.x]\n',
        encoding="utf-8")
    (work / "tests/test_old.py").write_text("# as at the run\n", encoding="utf-8")
    (work / "mutants/mutmut-stats.json").write_text("{}", encoding="utf-8")
    _meta(work, "a", {"p.a.x_f__mutmut_1": 1, "p.a.x_f__mutmut_2": None})
    target = mutation.Target("t", ("src/p/a.py",), ("tests/test_old.py", "tests/test_guards.py",
                                                      "tests/test_missing.py"))
    monkeypatch.setattr(mutation, "ROOT", root)
    mutation._refresh(work, target)
    assert (work / "tests/test_old.py").read_text(encoding="utf-8") == "# new assertions\n"
    assert (work / "tests/test_guards.py").exists()
    assert (work / "src/p/a.py").read_text(encoding="utf-8") == "X = 2\n"
    assert (work / "README.md").read_text(encoding="utf-8") == "now\n"
    assert not (work / "mutants/mutmut-stats.json").exists()
    text = (work / "pyproject.toml").read_text(encoding="utf-8")
    assert 'pytest_add_cli_args_test_selection = ["tests/test_old.py", "tests/test_guards.py"]' \
        in text
    assert "old = 1" not in text and text.count("[tool.mutmut]") == 1
    assert mutation.unchecked(work) == ["p.a.x_f__mutmut_2"]


def test_recheck_brings_the_sources_up_to_date_and_stops_if_the_tests_fail_unmutated(
        mutation: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a fix made in the checkout after the run: the copy's old source would fail the new
    # tests, and every survivor would then look killed
    root, build = tmp_path / "root", tmp_path / "build"
    work = build / "t"
    for folder in (root / "src/p", root / "tests", work / "src/p", work / "tests"):
        folder.mkdir(parents=True)
    (root / "src/p/a.py").write_text("X = 2  # fixed\n", encoding="utf-8")
    (work / "src/p/a.py").write_text("X = 1\n", encoding="utf-8")
    (root / "tests/test_a.py").write_text("# asserts X == 2\n", encoding="utf-8")
    (root / "pyproject.toml").write_text("[tool.x]\n", encoding="utf-8")
    (work / "summary.json").write_text(json.dumps(
        {"mutants": 1, "killed": 0, "not_killed": ["p.a.x_f__mutmut_1"]}), encoding="utf-8")
    monkeypatch.setattr(mutation, "ROOT", root)
    monkeypatch.setattr(mutation, "BUILD", build)
    runs: list[tuple[str, list[str]]] = []

    def pytest_run(where: Path, tests: list[str], env: dict[str, str]) -> object:
        runs.append(((where / "src/p/a.py").read_text(encoding="utf-8"), tests))
        return mutation.subprocess.CompletedProcess([], 1, stdout="E   assert 1 == 2\n")
    monkeypatch.setattr(mutation, "_pytest", pytest_run)
    monkeypatch.setattr(mutation.subprocess, "run", lambda *a, **k: pytest.fail("mutmut ran"))
    target = mutation.Target("t", ("src/p/a.py",), ("tests/test_a.py",))
    with pytest.raises(SystemExit) as stop:
        mutation.recheck(target)
    assert str(stop.value) == ("t: the tests fail with no mutant applied (pytest exit code 1), "
                               "so no survivor was rechecked:\nE   assert 1 == 2")
    assert runs == [("X = 2  # fixed\n", ["tests/test_a.py"])]
    assert (work / "tests/test_a.py").read_text(encoding="utf-8") == "# asserts X == 2\n"
