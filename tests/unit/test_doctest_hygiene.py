"""The doctests of ``src/`` write only into the ``tmp_path`` pytest gives them (``conftest.py``).

A doctest that makes its own temporary folder (``tempfile.mkdtemp``, ``gettempdir``,
``TemporaryDirectory`` or ``NamedTemporaryFile``) leaves it behind after every run; issue 7
asks that no test or doctest leave files outside its temporary path.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re

import regionet

#: Alembic's environment and revisions import only inside Alembic (as conftest.py says).
_ALEMBIC_ONLY = ("regionet.storage.migrations.env", "regionet.storage.migrations.versions")
_OWN_TEMP = re.compile(r"\b(mkdtemp|gettempdir|TemporaryDirectory|NamedTemporaryFile|mkstemp)\b")


def _doctest_sources() -> dict[str, str]:
    """Return ``{module.name: source}`` of every docstring example in the package."""
    finder = doctest.DocTestFinder(exclude_empty=True)
    found: dict[str, str] = {}
    for info in pkgutil.walk_packages(regionet.__path__, "regionet."):
        if info.name.endswith(".__main__") or info.name.startswith(_ALEMBIC_ONLY):
            continue                   # runs a command, or runs only inside Alembic
        try:
            module = importlib.import_module(info.name)
        except ImportError:          # an optional extra not installed here
            continue
        for test in finder.find(module):
            source = "".join(example.source for example in test.examples)
            if source:
                found[test.name] = source
    return found


def test_no_doctest_makes_its_own_temporary_folder() -> None:
    offenders = sorted(name for name, source in _doctest_sources().items()
                       if _OWN_TEMP.search(source))
    assert offenders == []


def test_the_check_sees_a_doctest_that_would() -> None:
    assert _OWN_TEMP.search("d = Path(tempfile.mkdtemp())")
    assert not _OWN_TEMP.search("d = tmp_path / 'w.db'")
