"""Writing a user's workspace: create it, check files, import them, export the case.

The CLI (``regionet data init|validate|import|export``) calls these; they return plain data
and never print. Reading records is :mod:`regionet.services.records`'. Every write happens
in one transaction that also bumps the workspace's revision, so every interface (a running
``regionet serve`` included) sees the change on its next read.

Examples:
    >>> db = tmp_path / "ws.db"   # tmp_path: any folder of yours
    >>> counts = init_workspace(db)
    >>> counts["actors"] > 100, CaseSource.workspace(db).revision()
    (True, 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from regionet.io.casefiles import load_case
from regionet.io.exports import export_case
from regionet.services.case_source import (
    DEFAULT_CASE,
    CaseSource,
    case_folder,
    case_of,
    workspace_of,
)

__all__ = ["export_workspace", "import_files", "init_workspace", "validate_files"]


def init_workspace(db: str | Path, case: str | Path = DEFAULT_CASE, *, force: bool = False
                   ) -> dict[str, int]:
    """Create the workspace ``db`` holding the validated case ``case``; return row counts.

    Raises:
        WorkspaceExistsError: the workspace already holds a case and not ``force``.
        ValidationError: the case's files have problems (nothing is written).
    """
    source = CaseSource.workspace(db)
    counts = workspace_of(source).init(load_case(case), overwrite=force)
    if force:   # the registered inputs went with the old case: so do their files
        from regionet.services.inputs import forget_unregistered

        forget_unregistered(source)
    return counts


def validate_files(db: str | Path, files: Sequence[Path], *, table: str | None = None
                   ) -> dict[str, int]:
    """Check import files against the workspace without writing; return counts per table.

    Raises:
        ValidationError: every problem, each naming file, row, field, value and expectation.
        WorkspaceNotFoundError: the workspace has not been initialised.
    """
    plan = workspace_of(CaseSource.workspace(db)).validate_files(files, table=table)
    return dict(plan.counts)


def import_files(db: str | Path, files: Sequence[Path], *, table: str | None = None
                 ) -> dict[str, int]:
    """Validate and import files in one transaction (all or nothing); return counts per table.

    Raises:
        ValidationError: every problem found; nothing was written.
        WorkspaceNotFoundError: the workspace has not been initialised.
    """
    return workspace_of(CaseSource.workspace(db)).import_files(files, table=table)


def export_workspace(source: CaseSource, fmt: str, out_dir: Path) -> list[Path]:
    """Export the case of ``source`` to ``out_dir`` in ``fmt`` (csv, json, geojson, graphml, gexf).

    Raises:
        InvalidValueError: an unknown format.
    """
    return export_case(case_of(source), fmt, out_dir, geo_dir=case_folder(source) / "geo")
