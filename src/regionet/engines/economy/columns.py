"""Tables the economy takes: a pandas frame or a plain mapping of columns, read as lists.

The generator needs only a few small tables (subjects, population, resource companies). It
reads them column by column, so a caller may pass pandas frames (the documented form) or
plain ``{column: values}`` mappings: :func:`~regionet.io.economy_files.load_economy` passes
the latter, so a fiscal run on a user's files never imports pandas.

Examples:
    >>> table = columns_of({"id": ["RU-B", "RU-A"], "economic_region": ("X", "Y")})
    >>> table["id"], names_of({"id": [1]})
    (['RU-B', 'RU-A'], ('id',))
    >>> number_or_nan(" 2.5"), number_or_nan("n/a"), number_or_nan(None)
    (2.5, nan, nan)
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final, SupportsFloat

__all__ = ["Columns", "columns_of", "names_of", "number_or_nan"]

#: A table as columns: ``{name: values}`` (a pandas frame reads the same way).
Columns = Mapping[str, Sequence[Any]]
#: A number as text, as ``pandas.to_numeric`` reads it (no underscores, no ``nan``).
_NUMBER: Final = re.compile(r"[-+]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?|[iI]nf(inity)?)")


def names_of(table: Any) -> tuple[str, ...]:
    """The column names of a pandas frame or a mapping of columns."""
    return tuple(str(c) for c in (table.columns if hasattr(table, "columns") else table))


def columns_of(table: Any) -> dict[str, list[Any]]:
    """Every column of a pandas frame or a mapping of columns, as a list of its values."""
    names = table.columns if hasattr(table, "columns") else list(table)
    return {str(c): list(table[c]) for c in names}


def number_or_nan(value: object) -> float:
    """``value`` as a float, NaN if it is not a number (text is read after trimming spaces)."""
    if isinstance(value, str):
        text = value.strip()
        return float(text) if _NUMBER.fullmatch(text) else math.nan
    if value is None:
        return math.nan
    if isinstance(value, (int, float)):  # before the Protocol: its isinstance costs ~20 µs
        return float(value)
    return float(value) if isinstance(value, SupportsFloat) else math.nan
