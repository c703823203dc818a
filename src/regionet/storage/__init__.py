"""Storage: a user's workspace in SQLite (default) or PostgreSQL, with atomic imports.

See :class:`Workspace` for the API and ``docs/data.md`` for the tables.
"""

from regionet.storage.imports import IMPORT_ORDER, ImportPlan, PlannedFile, infer_table
from regionet.storage.workspace import Workspace, WorkspaceExistsError, WorkspaceNotFoundError

__all__ = [
    "IMPORT_ORDER",
    "ImportPlan",
    "PlannedFile",
    "Workspace",
    "WorkspaceExistsError",
    "WorkspaceNotFoundError",
    "infer_table",
]
