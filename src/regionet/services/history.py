"""The history of records: who changed what, when, before and after; revert to a version.

Examples:
    >>> from regionet.services.case_source import CaseSource
    >>> record_history(CaseSource.bundled(), "t-no-pechenganikel-pledge")["versions"]
    []
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from regionet.core.errors import InvalidValueError, UnknownReferenceError
from regionet.services.case_source import CaseSource, reading, workspace_of
from regionet.storage import history, proposals
from regionet.storage.changes import apply_change

__all__ = ["record_history", "revert"]


def _resource(conn: Any, record_id: str, resource: str | None) -> str:
    found = history.resource_of(conn, record_id) if resource is None else resource
    if found is None or found not in history.RESOURCES:
        raise UnknownReferenceError("unknown record", field="id", value=record_id,
                                    expected="an actor, tie, observation or document id "
                                    "(or one that had a history)")
    return found


def record_history(source: CaseSource, record_id: str, resource: str | None = None
                   ) -> dict[str, Any]:
    """The record's history, oldest first, with its current ETag (None if deleted).

    Raises:
        UnknownReferenceError: an id that is neither a record nor in the history.
    """
    with reading(source) as conn:
        if source.kind != "workspace":  # a bundled case has no history
            kind = _resource(conn, record_id, resource)
            row = history.record_row(conn, kind, record_id)
            return {"resource": kind, "id": record_id, "versions": [],
                    "etag": None if row is None else history.etag(row)}
        kind = _resource(conn, record_id, resource)
        entries = history.entries(conn, kind, record_id)
        row = history.record_row(conn, kind, record_id)
        if row is None and not entries:
            raise UnknownReferenceError(f"unknown {kind[:-1]}", field="id", value=record_id,
                                        expected=f"an id of the workspace's {kind}")
    return {"resource": kind, "id": record_id, "versions": entries,
            "etag": None if row is None else history.etag(row)}


def revert(db: str | Path, record_id: str, to: int, *, who: str | None = None
           ) -> dict[str, Any]:
    """Bring a record back to how it was after version ``to`` (0: before its first change).

    The revert is itself a change: validated like any other, written with its own history
    entry (action ``revert``) in the same transaction, and it bumps the revision.

    Returns:
        The new history entry.

    Raises:
        UnknownReferenceError: an unknown record or version.
        InvalidValueError: the record is already as it was at that version.
    """
    who = who or f"cli:{getpass.getuser()}"
    ws = workspace_of(CaseSource.workspace(db))
    with ws.writing(f"revert {record_id} to {to}") as conn:
        kind = _resource(conn, record_id, None)
        proposals.lock_record(conn, kind, record_id)
        entries = history.entries(conn, kind, record_id)
        known, target = history.state_at(conn, kind, record_id, to, entries)
        if not known:
            raise UnknownReferenceError(
                "unknown version", field="to", value=to,
                expected="one of " + ", ".join(["0", *(str(e["version"]) for e in entries)]))
        now_row = history.record_row(conn, kind, record_id)
        if now_row == target:
            raise InvalidValueError(f"{record_id} is already as it was at version {to}",
                                    field="to", value=to, expected="a version that differs")
        action = "delete" if target is None else "create" if now_row is None else "update"
        before, after = apply_change(conn, kind, action, record_id, target)
        version = history.append(conn, kind, record_id, "revert", who, before, after)
        return history.entries(conn, kind, record_id)[version - 1]
