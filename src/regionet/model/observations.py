"""Observations: aggregate facts that are not single ties.

Examples:
    >>> from regionet.core.periods import Interval
    >>> o = Observation(ObservationId("o-agreements"), "foreign_agreements_signed",
    ...                 ActorId("RU"), value=300.0, comparator=">", unit="count",
    ...                 period=Interval.parse("1991", "1995"))
    >>> str(o)
    'foreign_agreements_signed of RU 1991–1995: > 300 count'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from regionet.core.errors import InvalidValueError
from regionet.core.ids import ActorId, ObservationId
from regionet.core.periods import Interval
from regionet.model.sources import SourceRef, Status

__all__ = ["COMPARATORS", "Observation", "parse_comparator"]

#: How ``value`` relates to the true figure: "more than 300" is ``>`` 300.
COMPARATORS = ("=", ">", "<", ">=", "<=", "~")


def parse_comparator(text: str, *, file: str | None = None, row: int | None = None) -> str:
    """Return the comparator (empty means ``=``); raises InvalidValueError otherwise."""
    value = (text or "").strip() or "="
    if value not in COMPARATORS:
        raise InvalidValueError("unknown comparator", file=file, row=row, field="comparator",
                                value=text, expected="one of " + " ".join(COMPARATORS))
    return value


@dataclass(frozen=True)
class Observation:
    """An aggregate fact: indicator, subject, value (numeric or text), unit, period, sources."""

    id: ObservationId
    indicator: str
    subject: ActorId
    value: float | None = None
    value_text: str = ""
    comparator: str = "="
    unit: str = ""
    period: Interval = field(default_factory=Interval)
    sources: tuple[SourceRef, ...] = ()
    status: Status = Status.VERIFIED
    note: str = ""

    def __str__(self) -> str:
        shown = f"{self.value:g}" if self.value is not None else self.value_text
        cmp = "" if self.comparator == "=" else f"{self.comparator} "
        text = f"{self.indicator} of {self.subject} {self.period}: {cmp}{shown} {self.unit}"
        return text.rstrip()
