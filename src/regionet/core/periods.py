"""Periods: years, dated intervals with partial dates, and "as of" tests.

Sources date things at different precisions ("1990", "May 1996", "25 June 1992").
A :class:`Interval` keeps the text as given and turns it into the widest honest
bounds: a start of ``"1996"`` means 1 January 1996, an end of ``"1996"`` means
31 December 1996. An open end (``None``) means "still valid" or "not known to end".

Examples:
    >>> iv = Interval.parse("1993", "1999-12")
    >>> iv.start, iv.end
    (datetime.date(1993, 1, 1), datetime.date(1999, 12, 31))
    >>> iv.contains(parse_date("1995-06-01"))
    True
    >>> iv.overlaps_year(Year(2000))
    False
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal, NewType

from regionet.core.errors import InvalidValueError

__all__ = ["Interval", "Year", "parse_date", "year_bounds"]

Year = NewType("Year", int)

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def year_bounds(year: int) -> tuple[date, date]:
    """Return the first and last day of ``year``.

    Examples:
        >>> year_bounds(1998)
        (datetime.date(1998, 1, 1), datetime.date(1998, 12, 31))
    """
    return date(year, 1, 1), date(year, 12, 31)


def parse_date(
    text: str | date,
    bound: Literal["start", "end"] = "start",
    *,
    field: str | None = None,
    file: str | None = None,
    row: int | None = None,
) -> date:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` into the start or end of that span.

    Raises:
        InvalidValueError: when the text is not one of those forms or not a real date.

    Examples:
        >>> parse_date("1998-02", bound="end")
        datetime.date(1998, 2, 28)
    """
    if isinstance(text, date):
        return text
    match = _DATE.match(str(text).strip())
    expected = "a date as YYYY, YYYY-MM or YYYY-MM-DD"
    if not match:
        raise InvalidValueError("not a date", file=file, row=row, field=field, value=text,
                                expected=expected)
    y, m, d = match.group(1), match.group(2), match.group(3)
    try:
        year = int(y)
        if m is None:
            return date(year, 1, 1) if bound == "start" else date(year, 12, 31)
        month = int(m)
        if d is None:
            last = calendar.monthrange(year, month)[1]
            return date(year, month, 1) if bound == "start" else date(year, month, last)
        return date(year, month, int(d))
    except ValueError as exc:
        raise InvalidValueError(f"not a real date ({exc})", file=file, row=row, field=field,
                                value=text, expected=expected) from exc


@dataclass(frozen=True)
class Interval:
    """A closed date interval; ``None`` at either end means open.

    Attributes:
        start: first day, or None if unknown / unbounded.
        end: last day, or None if open-ended.
        start_text: the start as the source gave it (for display and export).
        end_text: the end as the source gave it.
    """

    start: date | None = None
    end: date | None = None
    start_text: str | None = None
    end_text: str | None = None

    @classmethod
    def parse(
        cls,
        start: str | None,
        end: str | None,
        *,
        file: str | None = None,
        row: int | None = None,
        fields: tuple[str, str] = ("start", "end"),
    ) -> Interval:
        """Build an interval from partial-date texts; empty text means open.

        Raises:
            InvalidValueError: on a malformed date or an end before the start.
        """
        s_text = (start or "").strip() or None
        e_text = (end or "").strip() or None
        s = parse_date(s_text, "start", field=fields[0], file=file, row=row) if s_text else None
        e = parse_date(e_text, "end", field=fields[1], file=file, row=row) if e_text else None
        if s is not None and e is not None and e < s:
            raise InvalidValueError(
                f"end {e_text} is before start {s_text}",
                file=file, row=row, field=fields[1], value=e_text,
                expected=f"a date on or after {s_text}",
            )
        return cls(s, e, s_text, e_text)

    def contains(self, day: date) -> bool:
        """Return True if ``day`` lies within the interval (open ends always match)."""
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)

    def overlaps(self, other: Interval) -> bool:
        """Return True if the two intervals share at least one day.

        Examples:
            >>> Interval.parse("1990", "1995").overlaps(Interval.parse("1995-12", None))
            True
        """
        starts_before_other_ends = (
            self.start is None or other.end is None or self.start <= other.end
        )
        ends_after_other_starts = (
            self.end is None or other.start is None or other.start <= self.end
        )
        return starts_before_other_ends and ends_after_other_starts

    def overlaps_year(self, year: int) -> bool:
        """Return True if the interval touches any day of ``year``."""
        first, last = year_bounds(year)
        return self.overlaps(Interval(first, last))

    def within(self, other: Interval) -> bool:
        """Return True if this interval lies entirely inside ``other``.

        Open ends of ``self`` are treated as matching ``other``'s (an unknown end is not
        evidence of being outside).
        """
        starts_ok = other.start is None or self.start is None or other.start <= self.start
        ends_ok = other.end is None or self.end is None or self.end <= other.end
        return starts_ok and ends_ok

    def __str__(self) -> str:
        return f"{self.start_text or '…'}–{self.end_text or '…'}"
