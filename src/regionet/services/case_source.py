"""Which case a use case works on: the one :class:`CaseSource` value every service takes.

A source is either a **bundled** case (a case shipped with regionet, by name, or a case
folder; read-only) or a **workspace** (a SQLite file or a database URL holding a user's case).
Every service takes a source, never a path or a loaded case. Records are read with SQL in
one snapshot (:func:`reading`; a bundled case is served from an in-memory SQLite database
built once per process, so both kinds of source answer through the same queries). Whole-graph
work reads the case through :func:`case_of` / :func:`per_revision`, which keep one result per
source and **version** in the services' cache (:mod:`regionet.services.cache`): a write to
the workspace changes its version, so the next read sees it, with no restart and no
file-time check.

The default case is named in one place, :data:`regionet.cases.DEFAULT_CASE`.

Examples:
    >>> bundled = CaseSource.bundled()
    >>> bundled.kind, bundled.location, bundled.read_only, bundled.state()
    ('bundled', 'russia-1990s', True, (0, 'bundled'))
    >>> case_of(bundled).id
    'russia-1990s'
    >>> source = CaseSource.open("no-such-workspace.db")
    >>> source.kind, source.note.startswith("the workspace no-such-workspace.db does not exist")
    ('bundled', True)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from regionet.cases import DEFAULT_CASE
from regionet.io.case_folders import case_directory
from regionet.services.cache import (
    handle,
    latest,
    memo,
    note_revision,
    note_state,
    scoped_state,
)

if TYPE_CHECKING:  # SQLAlchemy is imported only when a database is used
    import sqlalchemy as sa

    from regionet.model.case import Case
    from regionet.storage.workspace import Workspace

__all__ = ["DEFAULT_CASE", "CaseSource", "case_folder", "case_of", "case_of_at", "database_of",
           "per_revision", "per_version", "reading", "workspace_of"]

T = TypeVar("T")

SourceKind = Literal["bundled", "workspace"]


def _is_url(text: str) -> bool:
    return "://" in text


@dataclass(frozen=True)
class CaseSource:
    """Where a case comes from.

    Attributes:
        kind: ``bundled`` (shipped with regionet, read-only) or ``workspace``.
        location: the bundled case's name or folder, or the workspace's file or URL.
        note: why a bundled case stands in for a workspace that does not exist (else None);
            not part of the source's identity.
    """

    kind: SourceKind
    location: str
    note: str | None = field(default=None, compare=False)

    @classmethod
    def bundled(cls, case: str | Path = DEFAULT_CASE, *, note: str | None = None
                ) -> CaseSource:
        """A bundled case by name (``russia-1990s``) or a case folder."""
        return cls("bundled", str(case), note)

    @classmethod
    def workspace(cls, db: str | Path) -> CaseSource:
        """The workspace ``db`` (a SQLite file or a SQLAlchemy URL), which must exist."""
        return cls("workspace", str(db))

    @classmethod
    def open(cls, db: str | Path | None, *, case: str | Path = DEFAULT_CASE) -> CaseSource:
        """The workspace ``db`` if it exists (a file, or any database URL), else ``case``.

        The bundled stand-in carries a ``note`` saying so, for the interfaces to show.
        """
        if db is not None and (_is_url(str(db)) or Path(db).is_file()):
            return cls.workspace(db)
        if db is None:
            return cls.bundled(case)
        return cls.bundled(case, note=f"the workspace {db} does not exist; using the bundled "
                                      f"case {case} (create one with `regionet data init`)")

    @property
    def read_only(self) -> bool:
        """True for a bundled case: nothing can be written to it."""
        return self.kind == "bundled"

    @property
    def key(self) -> tuple[str, str]:
        """What identifies the source in cache keys."""
        return (self.kind, self.location)

    def state(self) -> tuple[int, str]:
        """``(revision, version)``: the workspace's write counter and content version.

        A bundled case never changes: ``(0, "bundled")``. The version is what caches key
        on (see :meth:`regionet.storage.workspace.Workspace.state`). Within a
        :func:`~regionet.services.cache.state_scope` (one API read request) the state the
        request saw first is kept, without another query.

        Raises:
            WorkspaceNotFoundError: a workspace that has not been initialised.
        """
        if self.kind == "bundled":
            return 0, "bundled"
        known = scoped_state(self.key)
        if known is None:
            known = workspace_of(self).state()
            note_state(self.key, known)
        return known

    def revision(self) -> int:
        """The source's revision: the workspace's write counter, 0 for a bundled case."""
        return self.state()[0]

    def describe(self) -> str:
        """One sentence saying what is served (``GET /api/health``, ``regionet serve``)."""
        if self.kind == "workspace":
            return f"serving the workspace {self.location}"
        missing = f"{self.note}; " if self.note else ""
        return (f"{missing}serving the bundled case {self.location} read-only "
                "(create a workspace with `regionet data init --db PATH`)")


def workspace_of(source: CaseSource) -> Workspace:
    """Return the (shared) workspace handle of a workspace source."""
    from regionet.storage.workspace import Workspace

    return handle("workspace", source.location, lambda: Workspace(source.location))


def database_of(source: CaseSource) -> Workspace:
    """Return the database records of ``source`` are read from.

    A workspace's own; for a bundled case, an in-memory SQLite copy of it, built on first
    use and kept for the process's life.
    """
    if source.kind == "workspace":
        return workspace_of(source)

    from regionet.storage.database import memory_url
    from regionet.storage.workspace import Workspace

    def build() -> Workspace:
        db = Workspace(memory_url(), keep_open=True)
        db.init(case_of(source))
        return db

    return handle("bundled.database", source.location, build)


@contextmanager
def reading(source: CaseSource) -> Iterator[sa.Connection]:
    """A read transaction on the records of ``source``: one snapshot, noted for the response.

    The revision the snapshot shows is noted (:func:`regionet.services.cache.note_revision`);
    a bundled case is revision 0.

    Raises:
        WorkspaceNotFoundError: a workspace that has not been initialised.
        ValidationError: a bundled case folder with invalid files.
    """
    if source.kind != "workspace":
        with database_of(source).reading() as (conn, _revision):
            note_revision(0)
            yield conn
        return
    with workspace_of(source).snapshot() as (conn, revision, version):
        note_revision(revision)
        note_state(source.key, (revision, version))
        yield conn


def case_of(source: CaseSource) -> Case:
    """Return the case of ``source`` at its current version (one copy per version).

    Raises:
        WorkspaceNotFoundError: a workspace that has not been initialised.
        ValidationError: a bundled case folder with invalid files.
    """
    return case_of_at(source, source.state()[1])


def case_of_at(source: CaseSource, version: str) -> Case:
    """Return the case of ``source`` cached under ``version`` (read now if missing).

    A workspace is read in one transaction; if a writer committed after ``version`` was
    read, the newer case is kept under the older version, and the next call, seeing the
    new version, reads it again: a read is never older than the version it was asked for.
    """
    if source.kind == "bundled":
        # Imported here: a fiscal run on files needs the case's folder, not its records.
        from regionet.io.casefiles import load_case

        return memo("case", (source.key, version),
                    lambda: load_case(case_directory(source.location)))
    return memo("case", (source.key, version), lambda: workspace_of(source).load_case())


def case_folder(source: CaseSource) -> Path:
    """Return the folder of the case's own files (parameters, scenarios, economy, geo).

    A workspace holds the records; the law and the geometry of its case stay in the case
    folder named by the workspace's case id.
    """
    if source.kind == "bundled":
        return case_directory(source.location)
    case_id = memo("case.id", (source.key, source.state()[1]), workspace_of(source).case_id)
    return case_directory(case_id)


def per_revision(source: CaseSource, namespace: str, args: Hashable,
                 compute: Callable[[Case], T]) -> T:
    """Return ``compute(case)`` at the source's current version, computed once per version.

    Whole-graph work: in the REST API (which allows stale results), a request that comes
    after a write gets the previous version's result if the new one takes longer than
    :data:`~regionet.services.cache.STALE_WAIT_SECONDS`; a background worker computes it
    meanwhile. The revision the result reflects is noted for the response.

    Args:
        source: the case source.
        namespace: what is computed, e.g. ``"network.metrics"``.
        args: the call's other arguments (hashable), part of the cache key.
        compute: the computation, given the case at that revision.

    Examples:
        >>> per_revision(CaseSource.bundled(), "demo.ties", None, lambda c: len(c.ties)) > 100
        True
    """
    revision, version = source.state()
    return latest(namespace, (source.key, args), version,
                  revision if source.kind == "workspace" else 0,
                  lambda: compute(case_of_at(source, version)))


def per_version(source: CaseSource, namespace: str, args: Hashable,
                compute: Callable[[], T]) -> T:
    """Return ``compute()`` (whole-table work done with queries) once per source version.

    Like :func:`per_revision` (stale results in the REST API while a worker computes the new
    ones), for work that reads the database with :func:`reading` instead of the whole case.
    """
    revision, version = source.state()
    return latest(namespace, (source.key, args), version,
                  revision if source.kind == "workspace" else 0, compute)
