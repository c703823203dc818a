"""Annual values of dated parameters: the pipeline's date convention, with provenance.

Parameters are dated, fiscal years are not. For year ``Y``:

- a **numeric rate or share** is its time-weighted average over the year,
  ``Σ value · (days in force / days in Y)`` (:func:`annual_average`). The 1999 federal profit
  tax rate, 13 % until 31 March and 11 % from 1 April, is ``(0.13 · 90 + 0.11 · 275) / 365 =
  0.114932``: the profit is assumed to accrue evenly through the year;
- a **name** (attribution rule, equalization method, the fund's base) and a **published
  annual amount** (the fund's total) is the value in force on **1 July** (:func:`in_force`):
  1995 is ``art288_1995`` (in force from 25 April 1995).

Each result is an :class:`AnnualValue` keeping the pieces of the year with their reference
and status, so an explanation can cite them. :class:`YearParameters` resolves values for one
year and records every one it was asked for.

Examples:
    >>> from regionet.engines.fiscal.law.parameters import ParameterTree
    >>> tree = ParameterTree.from_mapping({
    ...     "rate": {"description": "r", "unit": "/1", "values": {
    ...         "1992-01-01": {"value": 0.13, "reference": "Law 1", "status": "verified"},
    ...         "1999-04-01": {"value": 0.11, "reference": "Law 2", "status": "verified"}}},
    ...     "rule": {"description": "rule", "values": {
    ...         "1992-01-01": {"value": "registration", "reference": "L", "status": "assumed"},
    ...         "1995-04-25": {"value": "art288_1995", "reference": "L", "status": "verified"}}}})
    >>> v = annual_average(tree, "rate", 1999)
    >>> round(v.number, 6), [(p.value, round(p.weight * 365)) for p in v.pieces]
    (0.114932, [(0.13, 90), (0.11, 275)])
    >>> in_force(tree, "rule", 1995).value
    'art288_1995'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from regionet.core.errors import InvalidValueError, UnknownReferenceError
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.values import Value

__all__ = ["AVERAGE", "ON_1_JULY", "AnnualValue", "Piece", "YearParameters", "annual_average",
           "in_force"]

AVERAGE: Final = "time-weighted average"
ON_1_JULY: Final = "in force on 1 July"
_DEFAULT: Final = "engine default, documented in docs/fiscal.md"


@dataclass(frozen=True)
class Piece:
    """Part of a year with one value; ``weight`` is its share of the year (1 for 1 July)."""

    since: date
    until: date | None
    value: Value
    weight: float
    reference: str
    status: str
    note: str | None = None


@dataclass(frozen=True)
class AnnualValue:
    """A parameter's value for a year under the date convention, with its provenance."""

    path: str
    year: int
    value: Value
    convention: str
    pieces: tuple[Piece, ...]

    @property
    def number(self) -> float:
        """The value as a float (raises :class:`InvalidValueError` for a name)."""
        if isinstance(self.value, str):
            raise InvalidValueError("parameter holds a name", field=self.path, value=self.value,
                                    expected="a numeric parameter")
        return float(self.value)

    def __str__(self) -> str:
        parts = "; ".join(f"{p.value} from {p.since}, weight {p.weight:.6g}, {p.reference}, "
                          f"{p.status}" for p in self.pieces)
        shown = self.value if isinstance(self.value, str) else f"{self.value:.6g}"
        return f"{self.path} = {shown} in {self.year} ({self.convention}: {parts})"


def _missing(tree: ParameterTree, path: str, day: date, year: int) -> UnknownReferenceError:
    return UnknownReferenceError(f"parameter has no value on {day}, needed for {year}",
                                 field=path, file=tree.parameter(path).file,
                                 hint="The law as encoded does not cover this date; check the "
                                      "year, or give the value in a scenario.")


def annual_average(tree: ParameterTree, path: str, year: int, *,
                   default: float | None = None) -> AnnualValue:
    """Time-weighted average of a numeric parameter over ``year``.

    Days without a value take ``default`` (recorded as an ``assumed`` piece citing the engine
    default); with no default they raise. A value unchanged all year is returned exactly.

    Raises:
        UnknownReferenceError: unknown path, or days without value and no default.
        InvalidValueError: the parameter holds names.
    """
    leaf, first, end = tree.parameter(path), date(year, 1, 1), date(year + 1, 1, 1)
    cuts = sorted({first, *(v.since for v in leaf.values if first < v.since < end)})
    total_days, pieces = (end - first).days, []
    for start, stop in zip(cuts, [*cuts[1:], end], strict=True):
        weight = (stop - start).days / total_days
        entry = leaf.entry(start)
        if entry is None or entry.value is None:
            if default is None:
                raise _missing(tree, path, start, year)
            pieces.append(Piece(start, stop - timedelta(1), default, weight, _DEFAULT, "assumed",
                                "no value in the parameters on these days"))
        elif isinstance(entry.value, str):
            raise InvalidValueError("parameter holds a name", field=path, value=entry.value,
                                    expected="a numeric parameter")
        else:
            pieces.append(Piece(start, stop - timedelta(1), entry.value, weight, entry.reference,
                                entry.status, entry.note))
    value = (float(pieces[0].value) if len(pieces) == 1
             else math.fsum(float(p.value) * p.weight for p in pieces))
    return AnnualValue(path, year, value, AVERAGE, tuple(pieces))


def in_force(tree: ParameterTree, path: str, year: int, *,
             default: Value | None = None) -> AnnualValue:
    """The value in force on 1 July of ``year`` (for names and published annual amounts).

    Raises:
        UnknownReferenceError: unknown path, or no value on 1 July and no default.
    """
    day = date(year, 7, 1)
    entry = tree.parameter(path).entry(day)
    if entry is None or entry.value is None:
        if default is None:
            raise _missing(tree, path, day, year)
        return AnnualValue(path, year, default, ON_1_JULY,
                           (Piece(day, day, default, 1.0, _DEFAULT, "assumed"),))
    trace = tree.trace(path, day)
    until = None if trace.until is None else trace.until - timedelta(1)
    return AnnualValue(path, year, entry.value, ON_1_JULY,
                       (Piece(entry.since, until, entry.value, 1.0, entry.reference,
                              entry.status, entry.note),))


class YearParameters:
    """Resolve parameters for one year and record every value used (for explanations).

    Examples:
        >>> from regionet.engines.fiscal.law.parameters import ParameterTree
        >>> tree = ParameterTree.from_mapping({"x": {"description": "x", "unit": "/1",
        ...     "values": {"2002-01-01": {"value": 1, "reference": "L", "status": "assumed"}}}})
        >>> p = YearParameters(tree, 1999)
        >>> p.optional("x"), p.number("x", default=0.5), sorted(p.used)
        (None, 0.5, ['x'])
    """

    def __init__(self, tree: ParameterTree, year: int) -> None:
        self.tree, self.year = tree, year
        self.used: dict[str, AnnualValue] = {}

    def number(self, path: str, default: float | None = None) -> float:
        """The time-weighted average of ``path`` (see :func:`annual_average`)."""
        self.used[path] = annual_average(self.tree, path, self.year, default=default)
        return self.used[path].number

    def name(self, path: str, default: str | None = None) -> str:
        """The name in force on 1 July (see :func:`in_force`)."""
        self.used[path] = in_force(self.tree, path, self.year, default=default)
        return str(self.used[path].value)

    def optional(self, path: str, *, average: bool = True) -> float | None:
        """A number, or None when ``path`` (a known parameter) lacks a value in the year.

        ``average=False`` takes the value in force on 1 July (published annual amounts).
        """
        self.tree.parameter(path)  # an unknown path is an error, not a missing value
        try:
            value = (annual_average(self.tree, path, self.year) if average
                     else in_force(self.tree, path, self.year))
        except UnknownReferenceError:
            return None
        self.used[path] = value
        return value.number
