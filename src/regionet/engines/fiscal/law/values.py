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
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from typing import Final, TypeAlias

__all__ = ["STATUSES", "DateLike", "Parameter", "ParameterTrace", "ParameterValue", "Value",
           "format_value"]

Value: TypeAlias = float | str
DateLike: TypeAlias = date | str
#: The statuses a value may carry: the source says exactly this, partly, or not at all.
STATUSES: Final = ("verified", "partial", "assumed")


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

    ``rule_kind`` marks the parameter a scenario's ``rules: {kind: NAME}`` sets.
    """

    path: str
    description: str
    values: tuple[ParameterValue, ...]
    unit: str | None = None
    rule_kind: str | None = None
    file: str | None = None

    @property
    def is_numeric(self) -> bool:
        """True if the values are numbers (False for names such as rule names)."""
        return any(isinstance(v.value, float) for v in self.values)

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
