"""Arrow without pandas: reading users' files must not import pandas (0.3 s of CPU) for nothing.

pyarrow imports pandas the first time it converts an array to or from NumPy (``to_numpy``,
``pa.array``), only to ask whether a value is a pandas object; it asks once, quietly, and
remembers the answer. A fiscal run on a user's files with a JSON answer uses no pandas
(docs/performance.md, issue 10), so :func:`arrow_without_pandas` lets pyarrow ask while pandas
cannot be imported: pyarrow then takes every value for a non-pandas one.

The answer must not outlive pandas' arrival: as soon as anything imports pandas later in the
process (a results table, a Parquet export), pyarrow is told again (its pandas support is
loaded right after pandas itself), so ``pa.table(frame)``, ``Table.from_pandas`` and
``to_pandas`` behave as if nothing had happened (``tests/integration/test_startup_imports.py``).
When pandas is already imported, nothing is done.

Examples:
    >>> import pyarrow as pa
    >>> arrow_without_pandas()          # pandas is loaded in the doctests: no effect
    >>> pa.array([1, 2]).to_numpy().tolist()
    [1, 2]
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from importlib.abc import Loader, MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

__all__ = ["arrow_without_pandas"]

_ASKED: list[bool] = []
_ASKING = threading.Lock()  # files may be opened in two threads at once


def arrow_without_pandas() -> None:
    """Let pyarrow convert arrays without importing pandas (once; see the module docstring)."""
    with _ASKING:
        if _ASKED or "pandas" in sys.modules:
            return
        _ASKED.append(True)
        import pyarrow as pa

        refuse = _Refuse()
        sys.meta_path.insert(0, refuse)
        try:
            # pyarrow's one quiet question: is pandas there? (Asked of a list: a NumPy array
            # would also import numpy.ma, 0.05 s, for pyarrow's masked-array check.)
            pa.array([0.0])
        finally:
            sys.meta_path.remove(refuse)
        sys.meta_path.insert(0, _TellArrowAfterPandas())


def _tell_arrow() -> None:
    """Load pyarrow's pandas support now that pandas is imported (it asks again on use)."""
    from pyarrow import lib

    lib._pandas_api.pd  # noqa: B018  # the property imports pandas' compatibility layer


class _Refuse(MetaPathFinder):
    """Makes ``import pandas`` fail in the thread that asks (while pyarrow asks).

    Another thread importing pandas in that moment (a server's other request) is not refused.
    """

    def __init__(self) -> None:
        self.thread = threading.get_ident()

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if name == "pandas" and threading.get_ident() == self.thread:
            raise ImportError("pandas is not needed to read the input files", name=name)
        return None


class _Then(Loader):
    """The real loader of pandas, followed by :func:`_tell_arrow`."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self.loader
        if module.__spec__ is not None:
            module.__spec__.loader = self.loader
        self.loader.exec_module(module)
        _tell_arrow()


class _TellArrowAfterPandas(MetaPathFinder):
    """Finds nothing itself: on the first import of pandas, wraps its loader, then leaves."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if name != "pandas":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _Then(spec.loader)
        return spec
