"""Backups of a workspace: one portable file (``regionet data dump|restore``).

See :mod:`regionet.storage.dump` for the format. A dump made from SQLite restores to
PostgreSQL and back with the same rows, revision and version.

Examples:
    >>> db = tmp_path / "ws.db"   # tmp_path: any folder of yours
    >>> from regionet.services.workspace import init_workspace
    >>> _ = init_workspace(db)
    >>> made = dump(db, tmp_path / "ws.zip")
    >>> restore(tmp_path / "copy.db", tmp_path / "ws.zip").version == made.version
    True
"""

from __future__ import annotations

from pathlib import Path

from regionet.services.case_source import CaseSource, workspace_of
from regionet.storage.dump import DumpSummary, dump_workspace, restore_workspace

__all__ = ["DumpSummary", "dump", "restore"]


def dump(db: str | Path, out: Path) -> DumpSummary:
    """Write the workspace ``db`` (one snapshot) to the dump file ``out``.

    Raises:
        WorkspaceNotFoundError: the workspace has not been initialised.
    """
    return dump_workspace(workspace_of(CaseSource.workspace(db)), out)


def restore(db: str | Path, file: Path, *, force: bool = False) -> DumpSummary:
    """Replace the content of the workspace ``db`` by the dump ``file`` (all or nothing).

    Raises:
        DataFileError: the dump is damaged, edited or of another schema (named, with why).
        WorkspaceExistsError: the workspace holds a case and not ``force``.
    """
    return restore_workspace(workspace_of(CaseSource.workspace(db)), file, force=force)
