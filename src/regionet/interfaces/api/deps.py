"""Request dependencies of the REST API, as ``Annotated[..., Depends(...)]`` aliases.

- :data:`SourceDep`: where the case comes from (the workspace file set on ``app.state.db``, or
  the bundled case read-only when that file does not exist), resolved on every request.
- :data:`CaseDep`: the case itself, cached per process by workspace path and modification time
  (a changed file is re-read on the next request).
- :data:`PageDep`: ``limit`` (1–1000, default 100) and ``offset`` (≥ 0) of list endpoints.

Examples:
    >>> Page(limit=2, offset=1).take(["a", "b", "c", "d"])
    ['b', 'c']
    >>> CaseSource(None).kind, CaseSource("/nonexistent/regionet.db").kind
    ('bundled', 'bundled')
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from fastapi import Depends, Query, Request

from regionet.model.case import Case

__all__ = [
    "BUNDLED_CASE",
    "CaseDep",
    "CaseSource",
    "Page",
    "PageDep",
    "SourceDep",
    "case_source",
    "clear_case_cache",
    "current_case",
    "load_source",
    "page",
]

#: The case served when no workspace file exists.
BUNDLED_CASE = "russia-1990s"
#: How long a case read from a database URL (no file to watch) is reused, in seconds.
URL_REFRESH_SECONDS = 10.0
T = TypeVar("T")


@dataclass(frozen=True)
class CaseSource:
    """Where the API's case comes from.

    Args:
        db: a workspace SQLite file, a SQLAlchemy URL (``postgresql+psycopg://…``), or None.
    """

    db: str | None

    @property
    def is_url(self) -> bool:
        """True for a database URL rather than a file path."""
        return self.db is not None and "://" in self.db

    @property
    def kind(self) -> Literal["workspace", "bundled"]:
        """``workspace`` when the database exists, else ``bundled`` (served read-only)."""
        if self.db is not None and (self.is_url or Path(self.db).is_file()):
            return "workspace"
        return "bundled"

    def stamp(self) -> tuple[int, int]:
        """Return what changes when the workspace changes: (mtime in ns, size) of the file.

        A URL has no file to watch; its stamp changes every :data:`URL_REFRESH_SECONDS`.
        """
        if self.db is None:
            return (0, 0)
        if self.is_url:
            return (int(time.monotonic() // URL_REFRESH_SECONDS), 0)
        try:
            info = Path(self.db).stat()
        except OSError:
            return (0, 0)
        return (info.st_mtime_ns, info.st_size)

    def describe(self) -> str:
        """One sentence saying what is served, for ``GET /api/health``."""
        if self.kind == "workspace":
            return f"serving the workspace {self.db}"
        missing = f"the workspace file {self.db} does not exist; " if self.db else ""
        return (f"{missing}serving the bundled case {BUNDLED_CASE} read-only "
                "(create a workspace with `regionet data init --db PATH`)")


@lru_cache(maxsize=4)
def _workspace_case(db: str, stamp: tuple[int, int]) -> Case:
    from regionet.services.workspace import open_case

    return open_case(db)


@lru_cache(maxsize=1)
def _bundled_case() -> Case:
    from regionet import load_case

    return load_case(BUNDLED_CASE)


def load_source(source: CaseSource) -> Case:
    """Return the case of ``source``: the workspace's (cached by file stamp) or the bundled one.

    Raises:
        DataFileError: or another regionet error that is an ``OSError``, when the workspace
            file cannot be read or holds no case (the API answers 503 with the hint).
    """
    if source.kind == "bundled" or source.db is None:
        return _bundled_case()
    stamp = source.stamp()
    if _LAST.get(source.db, stamp) != stamp:
        _workspace_case.cache_clear()  # the file changed: drop the stale copy now
    _LAST[source.db] = stamp
    return _workspace_case(source.db, stamp)


#: The stamp each workspace had when last read.
_LAST: dict[str, tuple[int, int]] = {}


def clear_case_cache() -> None:
    """Forget every cached workspace case (tests, or after writing to the workspace)."""
    _workspace_case.cache_clear()
    _LAST.clear()


async def case_source(request: Request) -> CaseSource:
    """Return the case source configured on the application (``app.state.db``)."""
    db = getattr(request.app.state, "db", None)
    return CaseSource(None if db is None else str(db))


SourceDep = Annotated[CaseSource, Depends(case_source)]


async def current_case(source: SourceDep) -> Case:
    """Return the case this request works on.

    A coroutine on purpose: the case is almost always cached (a ``stat`` of the workspace
    file decides), and a plain function would cost every request a hop to the thread pool.
    Only the first request after the workspace changed reads it (≈ 0.1 s, on the event loop).
    """
    return load_source(source)


CaseDep = Annotated[Case, Depends(current_case)]


@dataclass(frozen=True)
class Page:
    """A page of a list: at most ``limit`` items after skipping ``offset``."""

    limit: int = 100
    offset: int = 0

    def take(self, rows: Sequence[T]) -> list[T]:
        """Return this page of ``rows``."""
        return list(rows[self.offset:self.offset + self.limit])


async def page(
    limit: Annotated[int, Query(ge=1, le=1000, description="page size (1–1000)")] = 100,
    offset: Annotated[int, Query(ge=0, description="items to skip")] = 0,
) -> Page:
    """Read the pagination parameters of a list endpoint."""
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(page)]
