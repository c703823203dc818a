"""The values of dated parameters: a dated entry, a parameter (leaf) and a traced value.

These are the plain records a :class:`~regionet.engines.fiscal.law.parameters.ParameterTree`
is made of; :mod:`.schema` builds them from mappings and :mod:`.files` from YAML files.

Examples:
    >>> from datetime import date
    >>> p = Parameter("tax.rate", "Tax rate", (
    ...     ParameterValue(date(1992, 1, 1), 0.13, "Law 1", "verified"),
    ...     ParameterValue(date(1999, 4, 1), 0.11, "Law 2", "partial")), unit="/1")
    >>> p.entry(date(1999, 3, 31)).value, p.entry(date(1999, 4, 1)).value, p.is_numeric
    (0.13, 0.11, True)
    >>> p.entry(date(1991, 12, 31)) is None
    True
    >>> b = Bounds(0.0, 1.0)
    >>> str(b), b.contains(0.35), b.contains(35.0), str(Bounds(0.0, None))
    ('[0, 1]', True, False, '[0, ∞)')
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import Final, TypeAlias

__all__ = ["STATUSES", "Bounds", "DateLike", "Parameter", "ParameterTrace", "ParameterValue",
           "Value", "format_value"]

Value: TypeAlias = float | str
DateLike: TypeAlias = date | str
#: The statuses a value may carry: the source says exactly this, partly, or not at all.
STATUSES: Final = ("verified", "partial", "assumed")


@dataclass(frozen=True)
class Bounds:
    """The closed range a numeric parameter's values must lie in; None is no limit.

    Declared with the law (``bounds: [low, high]`` in a parameter file, or derived from the
    unit: see :data:`~regionet.engines.fiscal.law.schema.UNIT_BOUNDS`); a parameter file, a
    scenario override or :meth:`.ParameterTree.override` with a value outside is refused.
    """

    low: float | None
    high: float | None

    def contains(self, value: float) -> bool:
        """True if ``value`` lies in the range (ends included)."""
        return ((self.low is None or value >= self.low)
                and (self.high is None or value <= self.high))

    def __str__(self) -> str:
        low = "(−∞" if self.low is None else f"[{self.low:.15g}"
        high = "∞)" if self.high is None else f"{self.high:.15g}]"
        return f"{low}, {high}"


@dataclass(frozen=True)
class ParameterValue:
    """One dated entry of a parameter: in force from ``since`` until the next entry."""

    since: date
    value: Value | None
    reference: str
    status: str
    note: str | None = None


@dataclass(frozen=True)
class Parameter:
    """A leaf of the tree: a described, dated series of values sorted by date.

    ``rule_kind`` marks the parameter a scenario's ``rules: {kind: NAME}`` sets; ``bounds``
    is the range a numeric parameter's values must lie in (None for names).
    """

    path: str
    description: str
    values: tuple[ParameterValue, ...]
    unit: str | None = None
    rule_kind: str | None = None
    file: str | None = None
    bounds: Bounds | None = None

    @property
    def is_numeric(self) -> bool:
        """True if the values are numbers (False for names such as rule names)."""
        return any(isinstance(v.value, float) for v in self.values)

    def out_of_bounds(self, value: Value | None) -> str | None:
        """Why ``value`` may not be a value of this parameter, or None if it may.

        Examples:
            >>> p = Parameter("tax.rate", "Tax rate", (), unit="/1", bounds=Bounds(0.0, 1.0))
            >>> p.out_of_bounds(0.2) is None, p.out_of_bounds(35.0)
            (True, 'outside the allowed range [0, 1] of tax.rate')
        """
        if not isinstance(value, float) or self.bounds is None or self.bounds.contains(value):
            return None
        return f"outside the allowed range {self.bounds} of {self.path}"

    def allowed(self) -> str:
        """What a value must be, for error messages: the range, the unit and where declared."""
        where = f", declared in {PurePath(self.file).name}" if self.file else ""
        if self.bounds is None:
            return f"a finite number ({self.unit or 'no unit'}{where})"
        return f"a finite number in {self.bounds} ({self.unit or 'no unit'}{where})"

    def entry(self, day: date) -> ParameterValue | None:
        """Return the entry in force on ``day``, or None before the first date."""
        i = bisect_right(self.values, day, key=lambda v: v.since)
        return self.values[i - 1] if i else None


@dataclass(frozen=True)
class ParameterTrace:
    """A value with its provenance, for explaining a number."""

    path: str
    day: date
    value: Value | None
    since: date
    until: date | None
    reference: str
    status: str
    note: str | None
    description: str
    unit: str | None
    file: str | None

    def __str__(self) -> str:
        return (f"{self.path} = {format_value(self.value)} on {self.day} "
                f"(since {self.since}; {self.reference}; {self.status})")


def format_value(value: Value | None) -> str:
    """Format a parameter value for text and tables (``null`` for no value).

    Examples:
        >>> format_value(0.1), format_value("art288"), format_value(None)
        ('0.1', 'art288', 'null')
    """
    if value is None:
        return "null"
    return format(value, ".15g") if isinstance(value, float) else value
