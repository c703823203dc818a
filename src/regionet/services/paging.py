"""Pages of a list: what a list use case returns (``data`` and the total ``count``).

Examples:
    >>> Page(limit=2, offset=1).take(["a", "b", "c", "d"])
    Listing(data=['b', 'c'], count=4)
    >>> Page.all().take(["a", "b"]).count
    2
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from regionet.core.errors import InvalidValueError

__all__ = ["MAX_ID", "MAX_LIMIT", "MAX_OFFSET", "Listing", "Page"]

T = TypeVar("T")
#: The largest page a caller may ask for (the REST API's ``limit`` bound).
MAX_LIMIT = 1000
#: The largest integer a workspace stores (SQLite's INTEGER, PostgreSQL's BIGINT): the bound
#: of an offset and of a numeric id a caller may send (beyond it the database refuses the
#: number instead of answering "nothing there").
MAX_ID = 2**63 - 1
MAX_OFFSET = MAX_ID


@dataclass(frozen=True)
class Listing(Generic[T]):
    """One page of a list: the items and the number of items before paging."""

    data: list[T]
    count: int


@dataclass(frozen=True)
class Page:
    """At most ``limit`` items after skipping ``offset`` (``limit=None``: every item).

    Raises:
        InvalidValueError: an offset outside 0–:data:`MAX_OFFSET` or a limit outside
            1–:data:`MAX_LIMIT`.
    """

    limit: int | None = 100
    offset: int = 0

    def __post_init__(self) -> None:
        if self.limit is not None and not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidValueError("page size out of range", field="limit", value=self.limit,
                                    expected=f"1–{MAX_LIMIT}")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise InvalidValueError("offset out of range", field="offset", value=self.offset,
                                    expected=f"0–{MAX_OFFSET}")

    @classmethod
    def all(cls) -> Page:
        """The whole list (the CLI and the report)."""
        return cls(None, 0)

    def take(self, rows: Sequence[T]) -> Listing[T]:
        """Return this page of ``rows`` with their total count."""
        stop = None if self.limit is None else self.offset + self.limit
        return Listing(list(rows[self.offset:stop]), len(rows))
