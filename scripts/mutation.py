"""Mutation testing of the modules that guard the move (issue 7): ``make mutation``.

Runs mutmut 3 once per *target* (a module or a small package), each in a scratch copy of the
project under ``build/mutation/<target>/`` so that each target has its own mutmut configuration:
which files are mutated and which tests run against them. Running the whole suite against
every mutant would take days on this machine; each target lists the tests that exercise it
(mutmut then runs, per mutant, only those of them that call the mutated function).

Usage::

    python scripts/mutation.py                 # every target, in the order of TARGETS
    python scripts/mutation.py levels exports  # some targets
    python scripts/mutation.py --list          # the targets and their tests
    python scripts/mutation.py --children 2 levels
    python scripts/mutation.py --sample 60 --seed 7 fiscal-run   # a random sample
    python scripts/mutation.py --sample 40 --seed 1 \
        --within 'regionet.engines.fiscal.law.schema.*' fiscal-law   # among some functions

The script lowers its own priority (``nice`` 15) and runs one mutmut child by default. For each
target it prints and writes ``build/mutation/<target>/summary.json`` (mutants, killed,
survived, no tests, timeouts, score, wall time) and ``survivors.txt`` (the diff of each mutant
that was not killed). The score is killed / (mutants - skipped): timeouts count as killed
(the mutant made the tests hang), "no tests" and "suspicious" count against the score.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "mutation"
BIN = Path(sys.executable).parent
MUTMUT = str(BIN / "mutmut")

#: pytest options for every mutant run: no doctests (the mutated copy of a module carries
#: mutmut's trampolines), no slow tests, stop at the first failure.
PYTEST_ADDOPTS = "--strict-markers --import-mode=importlib -p no:cacheprovider -x -q"


@dataclass(frozen=True)
class Target:
    """A module (or package) to mutate and the tests that guard it."""

    name: str
    mutate: tuple[str, ...]
    tests: tuple[str, ...]
    #: extra pytest arguments (e.g. ``-k``) for this target
    select: tuple[str, ...] = ()
    #: mutant-name globs: only these functions' mutants are run and counted (default all),
    #: e.g. ``regionet.storage.queries.x__tie_conditions__mutmut_*``
    functions: tuple[str, ...] = ()
    #: slower test files mutmut does not run; ``--recheck`` runs them (with ``tests`` and
    #: without ``select``'s deselections) on the mutants the run left alive
    recheck_tests: tuple[str, ...] = ()


#: what the tests read besides src/ and tests/ (copied into the scratch copy and mutants/)
EXTRA_FILES = ("conftest.py", "docs", "README.md", "CHANGELOG.md", "Makefile")

FISCAL = "src/regionet/engines/fiscal"
FISCAL_TESTS = (
    "tests/unit/fiscal",
    "tests/cases",
    "tests/integration/test_explain_under_collection.py",
    "tests/integration/test_fiscal_trace.py",
    "tests/integration/test_bad_scenarios.py",
    "tests/unit/test_fiscal_guards.py",
    "tests/unit/test_fiscal_law_guards.py",
)

#: the slowest fiscal tests (2 to 10 s each, hypothesis runs and the okrug's explain on the
#: bundled model), left out of the fiscal targets' runs: a mutant they alone would kill costs
#: their time on every mutant of every function they call. ``--recheck`` runs them on the
#: survivors.
FISCAL_SLOW = (
    "tests/integration/test_explain_under_collection.py"
    "::test_explain_under_collection_with_okrug_hydrocarbons",
    "tests/integration/test_explain_under_collection.py"
    "::test_api_explain_under_the_collection_collapse",
    "tests/unit/fiscal/test_fiscal_properties.py"
    "::test_a_scenario_that_changes_nothing_changes_no_number",
    "tests/unit/fiscal/test_scenarios.py::test_random_overrides_round_trip",
    "tests/unit/fiscal/test_parameters.py::test_override_round_trips_and_leaves_baseline",
)
FISCAL_SELECT = tuple(arg for test in FISCAL_SLOW for arg in ("--deselect", test))

#: ``fiscal-run``: nearly every fiscal test calls the runner, so mutmut would run all of them
#: on each of its mutants. Only the tests of ``run/`` (the runner, pipeline, outputs, explain,
#: published totals, channels, legal cases, trace) and the run's properties that take well
#: under a second; the rules' and law's own tests and the slower properties only in
#: ``--recheck``.
FISCAL_RUN_TESTS = (
    *(f"tests/unit/fiscal/test_{name}.py" for name in (
        "runner", "pipeline", "outputs", "explain", "published", "channels",
        "legal_case_runner", "fiscal_properties", "run_errors")),
    "tests/cases",
    "tests/integration/test_fiscal_trace.py",
    "tests/integration/test_explain_under_collection.py",
    "tests/unit/test_fiscal_guards.py",
    "tests/unit/test_fiscal_run_guards.py",
)
FISCAL_RUN_SELECT = FISCAL_SELECT + tuple(
    arg
    for name in ("region_order_does_not_matter", "establishment_row_order_does_not_matter",
                 "more_tax_due_never_lowers_own_revenue")
    for arg in ("--deselect", f"tests/unit/fiscal/test_fiscal_properties.py::test_{name}")
)

TARGETS: tuple[Target, ...] = (
    Target(
        "levels",
        ("src/regionet/model/levels.py",),
        ("tests/unit/model/test_levels.py", "tests/unit/test_levels_guards.py"),
    ),
    Target(
        "exports",
        ("src/regionet/io/exports.py",),
        (
            "tests/integration/test_exports.py",
            "tests/integration/test_export_columns.py",
            "tests/unit/test_exports_guards.py",
        ),
    ),
    Target(
        "imports",
        ("src/regionet/storage/imports.py",),
        # fast: small batches on a copy of one template workspace (≈ 4 s of CPU); mutmut
        # selected up to 70 integration tests (≈ 90 s) per mutant of plan_import before
        (
            "tests/unit/test_imports_guards.py",
            "tests/integration/test_import_screens.py",
            "tests/unit/test_import_properties.py",
        ),
        recheck_tests=(
            "tests/integration/test_import_files.py",
            "tests/integration/test_workspace.py",
            "tests/integration/test_workspace_queries.py",
        ),
    ),
    Target(
        "api-filters",
        (
            "src/regionet/interfaces/api/routers/ties.py",
            "src/regionet/storage/queries.py",
            "src/regionet/services/records.py",
        ),
        (
            "tests/integration/test_ties_filters.py",
            "tests/integration/test_workspace_queries.py",
            "tests/integration/api/test_api.py",
            "tests/unit/test_filters_guards.py",
        ),
        functions=(
            "regionet.interfaces.api.routers.ties.*",
            *(f"regionet.storage.queries.x_{f}__mutmut_*"
              for f in ("_tie_conditions", "_overlaps", "tie_counts", "tie_page", "_page",
                        "ties")),
            *(f"regionet.services.records.x_{f}__mutmut_*"
              for f in ("list_ties", "_limits", "_require_actor", "check_actor_exists",
                        "tie_detail", "_unknown_tie")),
        ),
    ),
    Target("fiscal-law", (f"{FISCAL}/law/*",), FISCAL_TESTS, FISCAL_SELECT),
    Target("fiscal-rules", (f"{FISCAL}/rules/*",), FISCAL_TESTS, FISCAL_SELECT),
    Target("fiscal-run", (f"{FISCAL}/run/*",), FISCAL_RUN_TESTS, FISCAL_RUN_SELECT,
           recheck_tests=FISCAL_TESTS),
    Target("fiscal-inputs", (f"{FISCAL}/inputs/*",),
           (*FISCAL_TESTS, "tests/integration/test_input_files.py"), FISCAL_SELECT),
)


def _mutmut_section(target: Target) -> str:
    """The ``[tool.mutmut]`` section of the scratch copy's pyproject.toml for *target*."""
    tests = [t for t in target.tests if (ROOT / t).exists()]
    return "\n".join(
        [
            "[tool.mutmut]",
            'source_paths = ["src"]',
            f"only_mutate = {json.dumps(list(target.mutate))}",
            f"also_copy = {json.dumps(list(EXTRA_FILES))}",
            f"pytest_add_cli_args = {json.dumps(['-m', 'not slow', *target.select])}",
            f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
            "use_git_change_detection = false",
            "",
        ]
    )


def _scratch_pyproject(target: Target) -> str:
    """The project's pyproject.toml with this target's mutmut section and no doctests."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[)", "", text)
    text = re.sub(r'(?m)^addopts = ".*"$', f'addopts = "{PYTEST_ADDOPTS}"', text)
    text = re.sub(r"(?m)^testpaths = .*$", 'testpaths = ["tests"]', text)
    return text + "\n" + _mutmut_section(target)


def _prepare(target: Target, resume: bool = False) -> Path:
    """A fresh scratch copy of the project for *target*; returns its folder.

    With *resume*, an existing copy is kept: mutmut then checks only the mutants it has no
    result for (an interrupted run goes on where it stopped).
    """
    work = BUILD / target.name
    if resume and (work / "mutants").is_dir():
        return work
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    shutil.copytree(ROOT / "src", work / "src", ignore=ignore)
    shutil.copytree(ROOT / "tests", work / "tests", ignore=ignore)
    for extra in EXTRA_FILES:
        if (ROOT / extra).is_dir():
            shutil.copytree(ROOT / extra, work / extra, ignore=ignore)
        elif (ROOT / extra).exists():
            shutil.copy2(ROOT / extra, work / extra)
    (work / "pyproject.toml").write_text(_scratch_pyproject(target), encoding="utf-8")
    return work


def _refresh(work: Path, target: Target) -> None:
    """Bring a kept scratch copy up to date with the checkout: its tests, sources and files.

    A sample drawn in a copy kept from an earlier run must be checked against the *current*
    tests (the guards written since), or it measures the suite as it was. The copy's tests,
    ``src/`` and the extra files are copied again (mutmut re-copies ``tests/`` and
    ``pyproject.toml`` into ``mutants/`` and re-generates the mutants of changed sources),
    the pyproject is rewritten (the test selection lists only test files that exist) and
    mutmut's statistics of which tests call which function are dropped, so it collects them
    again with the new tests. The mutants' results are kept: tests were only added, so a
    mutant killed before stays killed.
    """
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for folder in ("src", "tests"):
        shutil.copytree(ROOT / folder, work / folder, ignore=ignore, dirs_exist_ok=True)
    for extra in EXTRA_FILES:
        if (ROOT / extra).is_dir():
            shutil.copytree(ROOT / extra, work / extra, ignore=ignore, dirs_exist_ok=True)
        elif (ROOT / extra).exists():
            shutil.copy2(ROOT / extra, work / extra)
    (work / "pyproject.toml").write_text(_scratch_pyproject(target), encoding="utf-8")
    (work / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # mutmut puts mutants/src first on sys.path; a PYTHONPATH to a checkout would shadow it.
    env.pop("PYTHONPATH", None)
    env["PY_COLORS"] = "0"
    return env


def _exit_codes(work: Path, functions: tuple[str, ...] = ()) -> dict[str, int | None]:
    """Every mutant's exit code, read from mutmut's ``.meta`` files (only *functions*'s)."""
    codes: dict[str, int | None] = {}
    for meta in sorted((work / "mutants").rglob("*.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes.update(data.get("exit_code_by_key", {}))
    if functions:
        codes = {k: c for k, c in codes.items() if any(fnmatch(k, f) for f in functions)}
    return codes


KILLED = {1, 3, 36, 24, -24, 152, 255, 37}
SURVIVED = {0}
NO_TESTS = {5, 33}
SKIPPED = {34}


def summarise(work: Path, seconds: float, functions: tuple[str, ...] = ()) -> dict[str, object]:
    """Count the mutants of a finished (or interrupted) run."""
    codes = _exit_codes(work, functions)
    killed = sorted(k for k, c in codes.items() if c in KILLED)
    survived = sorted(k for k, c in codes.items() if c in SURVIVED)
    no_tests = sorted(k for k, c in codes.items() if c in NO_TESTS)
    unchecked = sorted(k for k, c in codes.items() if c is None)
    skipped = sorted(k for k, c in codes.items() if c in SKIPPED)
    other = sorted(
        k
        for k, c in codes.items()
        if c is not None and c not in KILLED | SURVIVED | NO_TESTS | SKIPPED
    )
    counted = len(codes) - len(skipped) - len(unchecked)
    score = 100.0 * len(killed) / counted if counted else 0.0
    return {
        "mutants": len(codes),
        "killed": len(killed),
        "survived": len(survived),
        "no_tests": len(no_tests),
        "other": len(other),
        "unchecked": len(unchecked),
        "score": round(score, 1),
        "seconds": round(seconds),
        "not_killed": survived + no_tests + other,
    }


#: one process prints the diff of every mutant named on stdin (``mutmut show`` per mutant
#: would start mutmut once per mutant)
_SHOW = """
import sys
from mutmut.mutation.diff_apply import find_mutant, get_diff_for_mutant
for name in sys.stdin.read().split():
    print(f"# {name}")
    print(get_diff_for_mutant(name, path=find_mutant(name).path))
    print()
"""


def _survivor_diffs(work: Path, names: list[str]) -> str:
    if not names:
        return ""
    shown = subprocess.run([sys.executable, "-c", _SHOW], cwd=work, env=_env(),
                           input="\n".join(names), capture_output=True, text=True)
    return shown.stdout if shown.returncode == 0 else shown.stdout + shown.stderr


def run(target: Target, children: int, resume: bool = False) -> dict[str, object]:
    """Run mutmut on *target*; write and return its summary."""
    work = _prepare(target, resume)
    start = time.monotonic()
    log = (work / "mutmut.log").open("a" if resume else "w", encoding="utf-8")
    proc = subprocess.run(
        [MUTMUT, "run", "--max-children", str(children), *target.functions],
        cwd=work,
        env=_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    seconds = time.monotonic() - start
    summary = summarise(work, seconds, target.functions)
    summary["target"] = target.name
    summary["exit_code"] = proc.returncode
    names = summary["not_killed"]
    assert isinstance(names, list)
    (work / "survivors.txt").write_text(_survivor_diffs(work, names), encoding="utf-8")
    (work / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def _pytest(work: Path, tests: list[str], env: dict[str, str]
            ) -> subprocess.CompletedProcess[str]:
    """Run *tests* (not the slow ones) in the scratch copy *work*."""
    return subprocess.run([sys.executable, "-m", "pytest", "-m", "not slow", *tests],
                          cwd=work, env=env, capture_output=True, text=True)


def recheck(target: Target, guards_only: bool = False) -> dict[str, object]:
    """Run the target's *current* tests against each mutant a finished run left alive.

    For the score after new guards, without a second full run: tests were only added, so a
    mutant killed before stays killed. Each survivor is applied to the scratch copy's
    ``src/`` (``mutmut apply``), the target's tests (from the checkout, copied afresh) run
    on it with ``pytest -x``, and the file is restored. The copy's sources and tests are
    first brought up to date (:func:`_refresh`) and the tests run once with no mutant: if they
    fail then, nothing is rechecked (every survivor would look killed). Writes
    ``recheck.json`` and returns the summary with the rechecked survivors counted.
    """
    work = BUILD / target.name
    done = work / "summary.json"
    before = (json.loads(done.read_text(encoding="utf-8")) if done.exists()
              else summarise(work, 0.0, target.functions))  # an interrupted run
    # the checkout's tests *and* sources: tests newer than the copy's src/ (a fix made since
    # the run) would fail on it and count every survivor as killed. ``mutmut apply`` puts
    # the mutated function into the current file.
    shutil.rmtree(work / "tests")
    _refresh(work, target)
    # the guards first: with -x a mutant they kill stops the run early
    tests = sorted((t for t in dict.fromkeys((*target.tests, *target.recheck_tests))
                    if (ROOT / t).exists() and (not guards_only or "_guards" in t)),
                   key=lambda t: "_guards" not in t)
    env = {**_env(), "PYTHONPATH": str(work / "src")}
    clean = _pytest(work, tests, env)
    if clean.returncode != 0:
        raise SystemExit(f"{target.name}: the tests fail with no mutant applied (pytest exit "
                         f"code {clean.returncode}), so no survivor was rechecked:\n"
                         + "\n".join(clean.stdout.splitlines()[-20:]))
    verdicts: dict[str, str] = {}
    start = time.monotonic()
    for name in before["not_killed"]:
        saved = {p: p.read_bytes() for pattern in target.mutate for p in work.glob(pattern)
                 if p.suffix == ".py"}
        try:
            subprocess.run([MUTMUT, "apply", name], cwd=work, env=_env(), check=True,
                           capture_output=True)
            proc = _pytest(work, tests, env)
            # 2: the tests could not even be collected with the mutant (it breaks an
            # import, e.g. in code run when the module is imported, which mutmut's
            # trampolines never switch to the mutant): killed as well
            verdicts[name] = {1: "killed", 2: "killed (collection error)"}.get(
                proc.returncode,
                "survived" if proc.returncode == 0 else f"error {proc.returncode}")
        finally:
            for path, data in saved.items():
                path.write_bytes(data)
    alive = sorted(n for n, v in verdicts.items() if not v.startswith("killed"))
    after = {**before, "killed": before["killed"] + len(verdicts) - len(alive),
             "recheck_tests": tests,
             "not_killed": alive, "recheck_seconds": round(time.monotonic() - start)}
    counted = before["mutants"] - before.get("unchecked", 0)
    after["score"] = round(100.0 * after["killed"] / counted, 1) if counted else 0.0
    after["survived"] = len(alive)
    if before.get("sample"):  # a sample's interval, of the score after the recheck
        low, high = wilson(int(after["killed"]), int(counted))
        after["interval_95"] = [round(100.0 * low, 1), round(100.0 * high, 1)]
    (work / "recheck.json").write_text(json.dumps({"verdicts": verdicts, "after": after},
                                                  indent=2) + "\n", encoding="utf-8")
    (work / "survivors-after.txt").write_text(_survivor_diffs(work, alive), encoding="utf-8")
    return after


#: a mutant's key is ``module.x_function__mutmut_N`` or ``module.xǁClassǁmethod__mutmut_N``
_GENERATE = """
from mutmut.__main__ import copy_also_copy_files, copy_src_dir, create_mutants, setup_source_paths
from mutmut.mutation.trampoline import set_mutant_under_test
set_mutant_under_test("mutant_generation")
copy_src_dir()
copy_also_copy_files()
setup_source_paths()
create_mutants(1)
"""


def generate(work: Path) -> None:
    """Write the mutants of *work*'s target (``mutants/`` and its ``.meta`` files), run nothing.

    The ``.meta`` files then list every mutant, each with no result yet; mutants already
    checked in *work* keep their result (mutmut re-generates only changed functions).
    """
    subprocess.run([sys.executable, "-c", _GENERATE], cwd=work, env=_env(), check=True,
                   capture_output=True)


def unchecked(work: Path, functions: tuple[str, ...] = (),
              within: tuple[str, ...] = ()) -> list[str]:
    """The mutants of *work* with no result yet, sorted (among *functions*, then *within*)."""
    codes = _exit_codes(work, functions)
    return sorted(k for k, c in codes.items()
                  if c is None and (not within or any(fnmatch(k, w) for w in within)))


def draw(population: list[str], size: int, seed: int) -> list[str]:
    """*size* mutants drawn uniformly without replacement from *population*, sorted.

    The draw depends only on the sorted population and the seed: the same run draws the
    same mutants again. All of them when *size* is not smaller than the population.
    """
    if size < 1:
        raise ValueError(f"--sample: expected a positive number of mutants, got {size}")
    ordered = sorted(population)
    if size >= len(ordered):
        return ordered
    return sorted(random.Random(seed).sample(ordered, size))


def wilson(killed: int, checked: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of the proportion killed / checked (95 % by default).

    Unlike the normal approximation it stays inside [0, 1] and is sensible for a score of
    100 % (all killed) on a small sample. ``(0.0, 1.0)`` when nothing was checked.
    """
    if not 0 <= killed <= checked:
        raise ValueError(f"expected 0 <= killed <= checked, got {killed} of {checked}")
    if checked == 0:
        return 0.0, 1.0
    p = killed / checked
    z2 = z * z
    centre = (p + z2 / (2 * checked)) / (1 + z2 / checked)
    half = z / (1 + z2 / checked) * math.sqrt(p * (1 - p) / checked + z2 / (4 * checked**2))
    # the bounds are exactly 0 and 1 when none or all were killed (not 1 - 1e-16)
    low = 0.0 if killed == 0 else max(0.0, centre - half)
    high = 1.0 if killed == checked else min(1.0, centre + half)
    return low, high


def sample_summary(codes: dict[str, int | None], *, seed: int, population: int,
                   within: tuple[str, ...], seconds: float) -> dict[str, object]:
    """Count a sample's mutants (*codes*: each drawn mutant's exit code) with its interval.

    The score and interval are over the drawn mutants that were checked (a ``None`` code:
    the run was interrupted before it); skipped ones count in neither.
    """
    killed = sorted(k for k, c in codes.items() if c in KILLED)
    survived = sorted(k for k, c in codes.items() if c in SURVIVED)
    no_tests = sorted(k for k, c in codes.items() if c in NO_TESTS)
    skipped = sorted(k for k, c in codes.items() if c in SKIPPED)
    unchecked_ = sorted(k for k, c in codes.items() if c is None)
    other = sorted(k for k, c in codes.items()
                   if c is not None and c not in KILLED | SURVIVED | NO_TESTS | SKIPPED)
    counted = len(codes) - len(skipped) - len(unchecked_)
    low, high = wilson(len(killed), counted)
    return {
        "sample": True,
        "sample_size": len(codes),
        "seed": seed,
        "population": population,
        "within": list(within),
        "mutants": len(codes),
        "killed": len(killed),
        "survived": len(survived),
        "no_tests": len(no_tests),
        "other": len(other),
        "unchecked": len(unchecked_),
        "score": round(100.0 * len(killed) / counted, 1) if counted else 0.0,
        "interval_95": [round(100.0 * low, 1), round(100.0 * high, 1)],
        "seconds": round(seconds),
        "drawn": sorted(codes),
        "not_killed": survived + no_tests + other,
    }


def run_sample(target: Target, size: int, seed: int, children: int,
               within: tuple[str, ...] = ()) -> dict[str, object]:
    """Run mutmut on *size* mutants drawn at random from *target*'s unchecked ones.

    The scratch copy is kept between samples (and after a stopped run), so a second sample
    draws from the mutants no earlier run checked. Writes ``summary.json`` (marked as a
    sample, with its size, seed, population and 95 % Wilson interval), ``survivors.txt``
    and a copy of both named after the seed.
    """
    work = _prepare(target, resume=True)
    _refresh(work, target)
    generate(work)
    population = unchecked(work, target.functions, within)
    if not population:
        raise SystemExit(f"{target.name}: no unchecked mutant"
                         + (f" within {', '.join(within)}" if within else ""))
    chosen = draw(population, size, seed)
    start = time.monotonic()
    with (work / f"mutmut-sample-{seed}.log").open("w", encoding="utf-8") as log:
        proc = subprocess.run([MUTMUT, "run", "--max-children", str(children), *chosen],
                              cwd=work, env=_env(), stdout=log, stderr=subprocess.STDOUT)
    codes = _exit_codes(work)
    summary = sample_summary({k: codes.get(k) for k in chosen}, seed=seed,
                             population=len(population), within=within,
                             seconds=time.monotonic() - start)
    summary["target"] = target.name
    summary["exit_code"] = proc.returncode
    names = summary["not_killed"]
    assert isinstance(names, list)
    diffs = _survivor_diffs(work, names)
    text = json.dumps(summary, indent=2) + "\n"
    for suffix in ("", f"-sample-{seed}"):
        (work / f"survivors{suffix}.txt").write_text(diffs, encoding="utf-8")
        (work / f"summary{suffix}.json").write_text(text, encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*", help="target names (default: all)")
    parser.add_argument("--children", type=int, default=1, help="mutmut children (default 1)")
    parser.add_argument("--list", action="store_true", help="list the targets and stop")
    parser.add_argument("--resume", action="store_true",
                        help="go on with an interrupted run (keep build/mutation/<target>)")
    parser.add_argument("--recheck", action="store_true",
                        help="run the current tests on the survivors of a finished run")
    parser.add_argument("--guards-only", action="store_true",
                        help="with --recheck, run only the target's *_guards.py tests (a "
                        "lower bound of the score, much faster)")
    parser.add_argument("--summary", action="store_true",
                        help="only summarise what build/mutation/<target> holds (no run)")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="run N mutants drawn at random from the target's unchecked ones "
                        "and report the score with its 95 %% Wilson interval")
    parser.add_argument("--seed", type=int, default=0, help="the sample's seed (default 0)")
    parser.add_argument("--within", action="append", default=[], metavar="GLOB",
                        help="with --sample, draw only mutants whose name matches GLOB "
                        "(repeatable), e.g. 'regionet.engines.fiscal.law.schema.*'")
    args = parser.parse_args(argv)
    if args.within and args.sample is None:
        parser.error("--within needs --sample")
    by_name = {t.name: t for t in TARGETS}
    if args.list:
        for t in TARGETS:
            print(f"{t.name}: mutate {', '.join(t.mutate)}; tests {', '.join(t.tests)}"
                  + (f"; recheck also {', '.join(t.recheck_tests)}" if t.recheck_tests else ""))
        return 0
    unknown = [n for n in args.targets if n not in by_name]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; "
                     f"expected one of {', '.join(by_name)}")
    os.nice(15)
    chosen = [by_name[n] for n in args.targets] if args.targets else list(TARGETS)
    print(f"{'target':<14} {'mutants':>7} {'checked':>7} {'killed':>6} {'surv.':>5} "
          f"{'no t.':>5} {'score':>6} {'time':>6}")
    for target in chosen:
        if args.summary:
            s = summarise(BUILD / target.name, 0.0, target.functions)
            names = s["not_killed"]
            assert isinstance(names, list)
            (BUILD / target.name / "survivors.txt").write_text(
                _survivor_diffs(BUILD / target.name, names), encoding="utf-8")
        elif args.recheck:
            s = recheck(target, args.guards_only)
        elif args.sample is not None:
            s = run_sample(target, args.sample, args.seed, args.children, tuple(args.within))
        else:
            s = run(target, args.children, args.resume)
        checked = int(str(s["mutants"])) - int(str(s.get("unchecked", 0)))
        print(f"{target.name:<14} {s['mutants']:>7} {checked:>7} {s['killed']:>6} "
              f"{s['survived']:>5} {s['no_tests']:>5} {s['score']:>5}% {s['seconds']:>5}s",
              flush=True)
        if "interval_95" in s:
            low, high = s["interval_95"]  # type: ignore[misc]
            print(f"{'':<14} sample of {s['sample_size']} from {s['population']} unchecked "
                  f"(seed {s['seed']}): 95 % interval {low}-{high} %", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
