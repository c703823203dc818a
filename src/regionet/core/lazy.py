"""Lazy package attributes: public names imported on first use, not when the package loads.

Packages whose public names live in heavy modules (pandas, the whole fiscal engine) export
them through :func:`lazy_getattr`, so ``import regionet`` and ``regionet --help`` stay fast.

Examples:
    >>> __getattr__ = lazy_getattr("demo", {"sqrt": "math"})
    >>> __getattr__("sqrt")(9.0)
    3.0
    >>> __getattr__("cbrt")
    Traceback (most recent call last):
    ...
    AttributeError: module 'demo' has no attribute 'cbrt'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_getattr"]


def lazy_getattr(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` importing each of ``names`` from its module on use.

    Args:
        package: the package's name, for the error message.
        names: public name -> the module that defines it.
    """

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(import_module(names[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
