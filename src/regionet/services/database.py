"""The workspace database's schema: create or migrate it, and say where it stands.

``regionet db upgrade`` and ``regionet db current`` call these; they return plain data.

Examples:
    >>> db = tmp_path / "ws.db"   # tmp_path: any folder of yours
    >>> upgrade_database(db).describe()
    'created the schema at revision 0005 (no case yet: run `regionet data init`)'
    >>> database_status(db).describe()
    'revision 0005 (the newest), no case yet: run `regionet data init`'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from regionet.services.case_source import CaseSource, workspace_of
from regionet.storage.migrations import head

__all__ = ["DatabaseStatus", "Upgrade", "database_status", "upgrade_database"]


@dataclass(frozen=True)
class Upgrade:
    """What ``db upgrade`` did: revisions ``before`` → ``after`` (None: none recorded)."""

    before: str | None
    after: str
    legacy_schema: int | None
    created: bool
    has_case: bool

    def describe(self) -> str:
        """One line for people, e.g. ``upgraded from 0004 to 0005``."""
        tail = "" if self.has_case else " (no case yet: run `regionet data init`)"
        if self.created:
            return f"created the schema at revision {self.after}{tail}"
        if self.legacy_schema is not None:
            return (f"stamped a workspace made before migrations (schema "
                    f"{self.legacy_schema}) and upgraded it to revision {self.after}{tail}")
        if self.before == self.after:
            return f"already at revision {self.after} (the newest); nothing to do{tail}"
        return f"upgraded from revision {self.before} to {self.after}{tail}"


@dataclass(frozen=True)
class DatabaseStatus:
    """Where a database stands: its migration revision and the schema of its case."""

    revision: str | None
    schema: int | None
    head: str

    def describe(self) -> str:
        """One line for people."""
        if self.revision is None and self.schema is None:
            return "no regionet schema here yet: run `regionet db upgrade` or `regionet data init`"
        if self.revision is None:
            return (f"schema {self.schema}, made before migrations (no revision recorded): "
                    "run `regionet db upgrade` to stamp it")
        newest = ("the newest" if self.revision == self.head
                  else f"the newest is {self.head}: run `regionet db upgrade`")
        case = f"schema {self.schema}" if self.schema is not None else (
            "no case yet: run `regionet data init`")
        return f"revision {self.revision} ({newest}), {case}"


def upgrade_database(db: str | Path) -> Upgrade:
    """Create the schema in an empty database, or migrate a workspace to the newest revision.

    A workspace made before migrations existed is brought to schema 4 and stamped first.
    Everything runs in one write transaction; the workspace's records and revision are
    unchanged.
    """
    ws = workspace_of(CaseSource.workspace(db))
    done = ws.migrate()
    return Upgrade(done.before, done.after, done.legacy_schema, done.created,
                   ws.migration()[1] is not None)


def database_status(db: str | Path) -> DatabaseStatus:
    """Return the database's migration revision and the schema version of its case."""
    revision, schema = workspace_of(CaseSource.workspace(db)).migration()
    return DatabaseStatus(revision, schema, head())
