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

__all__ = ["MAX_LIMIT", "Listing", "Page"]

T = TypeVar("T")
#: The largest page a caller may ask for (the REST API's ``limit`` bound).
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Listing(Generic[T]):
    """One page of a list: the items and the number of items before paging."""

    data: list[T]
    count: int


@dataclass(frozen=True)
class Page:
    """At most ``limit`` items after skipping ``offset`` (``limit=None``: every item).

    Raises:
        InvalidValueError: a negative offset or a limit outside 1–:data:`MAX_LIMIT`.
    """

    limit: int | None = 100
    offset: int = 0

    def __post_init__(self) -> None:
        if self.limit is not None and not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidValueError("page size out of range", field="limit", value=self.limit,
                                    expected=f"1–{MAX_LIMIT}")
        if self.offset < 0:
            raise InvalidValueError("negative offset", field="offset", value=self.offset,
                                    expected=">= 0")

    @classmethod
    def all(cls) -> Page:
        """The whole list (the CLI and the report)."""
        return cls(None, 0)

    def take(self, rows: Sequence[T]) -> Listing[T]:
        """Return this page of ``rows`` with their total count."""
        stop = None if self.limit is None else self.offset + self.limit
        return Listing(list(rows[self.offset:stop]), len(rows))
