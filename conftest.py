"""Shared pytest set-up for the tests and the doctests of ``src/``.

Doctests that write files use ``tmp_path``: pytest's own temporary folder for the test, the
same a test function gets, so no doctest leaves files behind.
"""

from __future__ import annotations

import gc
import math
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from _pytest.doctest import DoctestItem

#: Alembic's environment and revisions run only inside Alembic (not importable on their own).
collect_ignore_glob = ["src/regionet/storage/migrations/env.py",
                       "src/regionet/storage/migrations/versions/*"]

#: Doctests that take more than about two seconds (they render every figure of the report).
SLOW_DOCTESTS = frozenset({"regionet.interfaces.report.report"})
#: The fewest examples a Hypothesis test runs under ``--hypothesis-share``.
MIN_EXAMPLES = 10
#: A test module slow as a whole says so at its top: ``pytestmark = pytest.mark.slow`` (or a
#: list holding ``pytest.mark.slow``).
_SLOW_MODULE = re.compile(r"^pytestmark\s*=.*\bpytest\.mark\.slow\b", re.MULTILINE)


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--hypothesis-share``: the share of its examples each Hypothesis test runs."""
    parser.addoption(
        "--hypothesis-share", type=_share, default=1.0, metavar="SHARE",
        help="run each Hypothesis test with this share (0 < SHARE <= 1) of its max_examples, "
             f"at least {MIN_EXAMPLES} (make test-fast: 0.25; default 1: all of them)")


def _share(text: str) -> float:
    """The value of ``--hypothesis-share``: a number in (0, 1]."""
    try:
        share = float(text)
    except ValueError:
        share = float("nan")
    if not 0 < share <= 1:
        raise pytest.UsageError(
            f"--hypothesis-share: {text!r} is not a number greater than 0 and at most 1")
    return share


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Do not even import a test module slow as a whole when the run deselects slow tests.

    Such a module (``pytestmark = pytest.mark.slow``, :data:`_SLOW_MODULE`) can be costly to
    collect: schemathesis builds its Hypothesis tests for every API operation while
    collecting (about 4 s, in every xdist worker), only to have ``-m "not slow"`` deselect
    them all.
    """
    expression = config.getoption("markexpr", "").replace(" ", "")
    if not expression.startswith("notslow") or "or" in expression:
        return None
    name = collection_path.name
    if not (name.startswith("test_") and name.endswith(".py")):
        return None
    try:
        source = collection_path.read_text(encoding="utf-8")
    except OSError:
        return None
    return True if _SLOW_MODULE.search(source) else None


def pytest_itemcollected(item: pytest.Item) -> None:
    """Mark the slow doctests ``slow`` and the PostgreSQL runs ``postgres``.

    Marked as each item is collected, before ``-m`` selects: `make test-fast` leaves both to
    `make test` (a marker added in ``pytest_collection_modifyitems`` after ``-m`` has
    deselected would not take the item out of the run).
    """
    if isinstance(item, DoctestItem) and item.name in SLOW_DOCTESTS:
        item.add_marker(pytest.mark.slow)
    if uses_postgres(item):
        item.add_marker(pytest.mark.postgres)


#: The garbage collector's thresholds while the tests run (Python's default: 700, 10, 10).
GC_THRESHOLDS = (7000, 10, 10)


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Make the garbage collector's work smaller once the tests are collected.

    A test process holds about a million objects by its end (the modules, the collected
    tests, the cases, parameters and answers the caches keep), and each full collection of
    the cyclic garbage collector walks all of them: with Python's default thresholds about 20
    full collections cost 7-9 s of CPU in each pytest-xdist worker of ``make test-fast``.
    What exists once the tests are collected lives as long as the process, so it is moved out
    of the collector's sight (``gc.freeze``), and the youngest generation is collected after
    7,000 new objects instead of 700 (:data:`GC_THRESHOLDS`): 4 s of collection a worker.
    Objects are freed as before (reference counting frees most at once; cycles a little
    later); tests that need a cycle gone call ``gc.collect()`` themselves.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


@pytest.hookimpl(trylast=True)  # after -k and -m deselected theirs
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Set the PostgreSQL tests aside when PostgreSQL does not answer; fewer examples.

    The PostgreSQL tests (see :func:`uses_postgres`) are deselected when PostgreSQL does not
    answer, unless ``REGIONET_REQUIRE_POSTGRES=1``: then they run, and fail. With
    ``--hypothesis-share`` below 1, see :func:`_fewer_examples`.
    """
    _fewer_examples(items, config.getoption("hypothesis_share", 1.0))
    postgres = [item for item in items if uses_postgres(item)]
    if (not postgres or os.environ.get(_REQUIRE_POSTGRES) == "1"
            or _postgres_problem() is None):
        return
    _skipped_postgres.extend(item.nodeid for item in postgres)
    chosen = set(map(id, postgres))
    items[:] = [item for item in items if id(item) not in chosen]
    config.hook.pytest_deselected(items=postgres)


def _fewer_examples(items: list[pytest.Item], share: float) -> None:
    """Run each Hypothesis test with ``share`` of its ``max_examples`` (at least 10).

    ``make test-fast`` passes ``--hypothesis-share=0.25``; ``make test`` (and CI) run every
    example. The test's own settings are kept, only ``max_examples`` is lowered (never
    raised: a test asking for fewer than :data:`MIN_EXAMPLES` keeps its number).
    """
    if share >= 1:
        return
    from hypothesis import is_hypothesis_test, settings

    done: set[int] = set()
    for item in items:
        test = getattr(item, "obj", None)
        test = getattr(test, "__func__", test)  # a method of a test class
        if test is None or id(test) in done or not is_hypothesis_test(test):
            continue
        done.add(id(test))
        chosen = test._hypothesis_internal_use_settings
        fewer = min(chosen.max_examples,
                    max(MIN_EXAMPLES, math.ceil(chosen.max_examples * share)))
        test._hypothesis_internal_use_settings = settings(chosen, max_examples=fewer)


@pytest.fixture(autouse=True)
def _doctest_tmp_path(request: pytest.FixtureRequest, doctest_namespace: dict[str, Any]) -> None:
    """Give every doctest a ``tmp_path`` of its own (tests ask for theirs)."""
    if isinstance(request.node, DoctestItem):
        doctest_namespace["tmp_path"] = request.getfixturevalue("tmp_path")


def pytest_configure(config: pytest.Config) -> None:
    """Build each command line once per process; keep Hypothesis's files out of the repository.

    See :func:`_build_commands_once` and :func:`_configure_hypothesis`.
    """
    _build_commands_once()
    _configure_hypothesis(config)


def _build_commands_once() -> None:
    """Make Typer build the click command of an app once per process, not once per call.

    ``app()`` and ``CliRunner().invoke(app, ...)`` turn the whole Typer app into click
    commands on every call (about 0.1 s of CPU for ``regionet``'s, reading every command's
    signature and type hints), and the tests run the CLI in-process a few hundred times. A
    click command holds no state between invocations (click's own commands are module-level
    objects), so the one built for an app is kept and used again until commands or groups
    are registered on the app (:func:`_registrations` is part of the key).
    """
    try:
        import typer.main
        import typer.testing
    except ImportError:  # pragma: no cover - regionet depends on Typer
        return
    build = typer.main.get_command
    if getattr(build, "regionet_cached", False):
        return
    built: dict[tuple[object, ...], tuple[Any, Any]] = {}

    def get_command(typer_instance: Any) -> Any:
        key = _registrations(typer_instance)
        if key not in built:  # the app itself is kept too, so its id is not reused
            built[key] = (typer_instance, build(typer_instance))
        return built[key][1]

    get_command.regionet_cached = True  # type: ignore[attr-defined]
    typer.main.get_command = get_command  # what ``app()`` calls
    typer.testing._get_command = get_command  # what ``CliRunner.invoke`` calls


def _registrations(app: Any) -> tuple[object, ...]:
    """The identity of a Typer app, its callback, commands and groups (recursively)."""
    return (id(app), id(app.registered_callback), *map(id, app.registered_commands),
            *((id(g), _registrations(g.typer_instance)) for g in app.registered_groups))


def _configure_hypothesis(config: pytest.Config) -> None:
    """Keep what Hypothesis stores out of the repository, and its examples in memory.

    Hypothesis writes a ``.hypothesis/`` folder (an example database and a cache of the
    constants it reads from the source) into the current directory. Its examples are kept in
    memory instead, and its folder is :func:`hypothesis_home`, outside the repository.
    Examples have no deadline (Hypothesis' 200 ms default fails at random on a busy machine).
    """
    try:
        from hypothesis import settings
        from hypothesis.configuration import set_hypothesis_home_dir
        from hypothesis.database import InMemoryExampleDatabase
    except ImportError:  # the dev extras are not installed
        return
    # No per-example deadline: a test checks behaviour, not speed (speed is measured in
    # benchmarks/), and on a shared two-core machine a 200 ms deadline fails at random.
    settings.register_profile("regionet", database=InMemoryExampleDatabase(), deadline=None)
    settings.load_profile("regionet")
    set_hypothesis_home_dir(hypothesis_home())


def hypothesis_home() -> Path:
    """Hypothesis' folder: ``regionet-hypothesis-<uid>`` in the system's temporary folder.

    It is kept from one run to the next because what Hypothesis keeps there is a cache: the
    constants it reads from the source of every local module (about 1 s of CPU in each
    pytest-xdist worker when the folder is new), one file per module named by a digest of the
    module's source, so a changed module is read again. Hypothesis writes each file
    atomically: the workers of a run, and runs of two worktrees, share it safely. The
    examples are not there (they are kept in memory). Delete the folder at will.
    """
    uid = os.getuid() if hasattr(os, "getuid") else 0
    home = Path(tempfile.gettempdir()) / f"regionet-hypothesis-{uid}"
    home.mkdir(mode=0o700, exist_ok=True)
    return home


# --- Workspaces on both backends -----------------------------------------------------------
# Every test that talks to a workspace asks for ``workspace_url``: it runs once on a SQLite file
# and once on a PostgreSQL database of its own (a random name on 127.0.0.1:5432, dropped
# afterwards). Without PostgreSQL the second run is skipped, and the session's summary says in
# one line which tests were skipped and how to run them; ``REGIONET_REQUIRE_POSTGRES=1`` (set
# by ``.ci/run``) turns the skip into a failure.

#: The test server, ``HOST:PORT`` (env ``REGIONET_TEST_POSTGRES``, default 127.0.0.1:5432).
_SERVER = os.environ.get("REGIONET_TEST_POSTGRES", "127.0.0.1:5432")
POSTGRES_SERVER = f"postgresql+psycopg://postgres@{_SERVER}"
_ADMIN = "host={} port={} user=postgres dbname=postgres".format(*_SERVER.rsplit(":", 1))
_REQUIRE_POSTGRES = "REGIONET_REQUIRE_POSTGRES"
_skipped_postgres: list[str] = []
_postgres_state: dict[str, str | None] = {}


def _postgres_problem() -> str | None:
    """None when PostgreSQL answers at 127.0.0.1:5432, else why not (asked once a session)."""
    if "problem" not in _postgres_state:
        try:
            import psycopg
        except ImportError:
            _postgres_state["problem"] = "psycopg is not installed (pip install -e '.[postgres]')"
        else:
            try:
                psycopg.connect(_ADMIN, connect_timeout=3).close()
            except psycopg.Error as exc:
                reason = str(exc).strip().splitlines()[0][:160]
                _postgres_state["problem"] = f"PostgreSQL did not answer at {_SERVER} ({reason})"
            else:
                _postgres_state["problem"] = None
    return _postgres_state["problem"]


#: Fixtures that give a test a PostgreSQL database: ``postgres_url`` (above) and the team
#: tests' ``pg_url`` (``tests/integration/team/conftest.py``).
POSTGRES_FIXTURES = frozenset({"postgres_url", "pg_url"})


def uses_postgres(item: pytest.Item) -> bool:
    """True for a test on PostgreSQL: a ``postgresql`` parameter or a :data:`POSTGRES_FIXTURES`."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "postgresql" in callspec.params.values():
        return True
    return not POSTGRES_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


def require_postgres(request: pytest.FixtureRequest) -> None:
    """Skip the test (or fail it under ``REGIONET_REQUIRE_POSTGRES=1``) without PostgreSQL."""
    problem = _postgres_problem()
    if problem is None:
        return
    if os.environ.get(_REQUIRE_POSTGRES) == "1":
        pytest.fail(f"{problem}; {_REQUIRE_POSTGRES}=1 requires the PostgreSQL tests")
    _skipped_postgres.append(request.node.nodeid)
    pytest.skip(problem)


def _create_database() -> str:
    import psycopg

    name = f"regionet_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{POSTGRES_SERVER}/{name}"


def _drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(_ADMIN, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database (random name), dropped after the test."""
    require_postgres(request)
    url = _create_database()
    try:
        yield url
    finally:
        _drop_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                  ) -> str:
    """Where a test's workspace lives: a SQLite file path, or a PostgreSQL database URL.

    The SQLite file is not created; its folder is (``tmp_path_factory``, not the test's own
    ``tmp_path``, so tests may fill ``tmp_path`` as they like).
    """
    if request.param == "sqlite":
        return str(tmp_path_factory.mktemp("ws") / "regionet.db")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture(scope="session")
def new_workspace_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A function ``(request, backend) -> url`` for fixtures wider than one test.

    ``backend`` is ``"sqlite"`` or ``"postgresql"`` (a new database, dropped when the session
    ends; skipped like ``workspace_url`` without PostgreSQL).
    """
    made: list[str] = []

    def new(request: pytest.FixtureRequest, backend: str) -> str:
        if backend == "sqlite":
            return str(tmp_path_factory.mktemp("ws") / "regionet.db")
        require_postgres(request)
        made.append(_create_database())
        return made[-1]

    yield new
    for url in made:
        _drop_database(url)


@pytest.fixture
def clone_workspace(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A function copying a workspace (a SQLite file, or a PostgreSQL database by template).

    The copy is the test's own (its file in ``tmp_path``; its database dropped afterwards).
    The original must have no open connection (PostgreSQL copies only an idle template).
    """
    made: list[str] = []

    def clone(original: str) -> str:
        if "://" not in original:
            copy = tmp_path / "clone.db"
            shutil.copy(original, copy)
            return str(copy)
        import psycopg

        require_postgres(request)
        name = f"regionet_test_{uuid.uuid4().hex[:12]}"
        template = original.rsplit("/", 1)[1]
        with psycopg.connect(_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        made.append(f"{POSTGRES_SERVER}/{name}")
        return made[-1]

    yield clone
    for url in made:
        _drop_database(url)


@pytest.fixture(scope="session")
def bundled_workspace(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str | Path], str]:
    """A function ``(target) -> target``: what ``init_workspace(target)`` makes (the bundled case).

    For a SQLite file, a copy (``sqlite3`` backup, about 3 ms) of one workspace initialised
    once per test process (``init_workspace`` costs about 0.1 s of CPU, and ~30 tests of
    ``make test-fast`` start from it); for a database URL, ``init_workspace`` itself. The
    tests of ``init`` itself call ``init_workspace``.
    """
    from regionet.services.workspace import init_workspace

    made: list[Path] = []

    def bundled(target: str | Path) -> str:
        text = str(target)
        if "://" in text:
            init_workspace(text)
            return text
        if not made:
            made.append(tmp_path_factory.mktemp("bundled") / "regionet.db")
            init_workspace(made[0])
        _copy_sqlite(made[0], Path(text))
        return text

    return bundled


def _copy_sqlite(original: Path, copy: Path) -> None:
    """Copy a SQLite database, its write-ahead log included (``sqlite3`` backup)."""
    import sqlite3

    if copy.exists():
        raise FileExistsError(f"{copy}: the copy of {original.name} would overwrite it")
    source, target = sqlite3.connect(original), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


@pytest.fixture(scope="session")
def copy_sqlite() -> Callable[[Path, Path], None]:
    """A function ``(original, copy)`` copying a SQLite database, its WAL included."""
    return _copy_sqlite


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a pytest-xdist worker, hand the set-aside PostgreSQL tests to the controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["regionet_skipped_postgres"] = sorted(set(_skipped_postgres))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """In the pytest-xdist controller, gather what each worker set aside (each collects all)."""
    got = getattr(node, "workeroutput", {}).get("regionet_skipped_postgres", [])
    _skipped_postgres.extend(n for n in got if n not in _skipped_postgres)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say in one line which PostgreSQL tests were skipped and how to run them."""
    if _skipped_postgres and getattr(terminalreporter.config, "workeroutput", None) is None:
        files = sorted({nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
                        for nodeid in _skipped_postgres})
        terminalreporter.write_line(
            f"regionet: skipped {len(set(_skipped_postgres))} PostgreSQL tests (the [postgresql] "
            f"runs in {', '.join(files)}) because "
            f"{_postgres_problem()}; to run them, start PostgreSQL 15 at {_SERVER} (user "
            f"postgres, trust authentication) and run `make test` again.", yellow=True)


def _dump_tables(target: str | os.PathLike[str]) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of a workspace (SQLite path or URL), read with plain SQLAlchemy.

    Rows are sorted (by ``repr``) and values made plain (dates as ISO text, booleans as 0/1:
    what SQLite stores) so that the same rows on two backends compare equal.
    """
    import datetime

    import sqlalchemy as sa

    def plain(value: object) -> object:
        if isinstance(value, datetime.date):
            return value.isoformat()
        return int(value) if isinstance(value, bool) else value

    text = str(target)
    url = text if "://" in text else f"sqlite:///{text}"
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            names = sorted(sa.inspect(conn).get_table_names())
            return {n: sorted((tuple(map(plain, r))
                               for r in conn.execute(sa.text(f'SELECT * FROM "{n}"'))),
                              key=repr) for n in names}
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def dump_tables() -> Any:
    """A function returning every row of every table of a workspace (path or URL)."""
    return _dump_tables
