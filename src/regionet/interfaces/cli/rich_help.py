"""Typer's Rich help imported without the Markdown and traceback renderers it does not use.

``typer.rich_utils`` (imported by Typer when it draws a help page or a usage error) starts
with ``from rich.markdown import Markdown`` and ``from rich.traceback import Traceback``.
Importing those pulls in markdown-it, Pygments and ``rich.syntax``: about 0.07 s of CPU, a
fifth of ``regionet fiscal run --help`` (issue 10). regionet draws help in Rich markup mode
(Typer's default), which never builds a ``Markdown``, and turns pretty exceptions off, which
never builds a ``Traceback``.

:func:`install` adds an import hook for ``typer.rich_utils`` only: while that module runs, the
two names it imports are light stand-ins; once it has run, they are taken back out of
``sys.modules``, so any other ``import rich.markdown`` gets the real module. A stand-in
builds the real object on first use (importing the real module then): Markdown help or a Rich
traceback still work, only later. Help text, colours, panels and errors are Typer's own;
``tests/integration/test_cli_rich_help.py`` checks both and what a help page imports.

Examples:
    >>> install()
    >>> import typer.rich_utils
    >>> type(typer.rich_utils.Markdown("*a*")).__module__
    'rich.markdown'
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any, Final, cast

if TYPE_CHECKING:  # importlib.abc costs 7 ms (importlib.resources, tempfile): not at run time
    from collections.abc import Sequence
    from importlib.abc import Loader
    from importlib.machinery import ModuleSpec

__all__ = ["install"]

#: The module whose import is made lighter.
_TARGET: Final = "typer.rich_utils"


class _Markdown:
    """Stands for ``rich.markdown.Markdown``: calling it builds the real one."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from rich.markdown import Markdown

        return Markdown(*args, **kwargs)


class _Traceback:
    """Stands for ``rich.traceback.Traceback``: building it (or from an exception) is real."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from rich.traceback import Traceback

        return Traceback(*args, **kwargs)

    @classmethod
    def from_exception(cls, *args: Any, **kwargs: Any) -> Any:
        """``rich.traceback.Traceback.from_exception``."""
        from rich.traceback import Traceback

        return Traceback.from_exception(*args, **kwargs)


#: Module name -> (attribute, stand-in) put in place while ``typer.rich_utils`` runs.
_STAND_INS: Final[dict[str, tuple[str, type]]] = {
    "rich.markdown": ("Markdown", _Markdown),
    "rich.traceback": ("Traceback", _Traceback),
}


class _Loader:
    """Runs ``typer.rich_utils`` with the stand-ins in ``sys.modules``, then removes them."""

    def __init__(self, loader: Loader) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        placed = {}
        for name, (attribute, stand_in) in _STAND_INS.items():
            if name not in sys.modules:
                light = types.ModuleType(name, "A stand-in (regionet.interfaces.cli.rich_help).")
                setattr(light, attribute, stand_in)
                sys.modules[name] = placed[name] = light
        try:
            self._loader.exec_module(module)
        finally:
            for name, light in placed.items():
                if sys.modules.get(name) is light:
                    del sys.modules[name]


class _Finder:
    """Finds ``typer.rich_utils`` as the other finders do, with :class:`_Loader` around it."""

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: types.ModuleType | None = None) -> ModuleSpec | None:
        if fullname != _TARGET:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = cast("Loader", _Loader(spec.loader))
                return spec
        return None


def install() -> None:
    """Add the import hook (once; nothing if ``typer.rich_utils`` is already imported)."""
    if _TARGET in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())
