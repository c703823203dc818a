"""Applying one change to one record (create, update, delete) inside a write transaction.

New and changed records go through the import's own parsing and validation
(:func:`regionet.storage.imports.plan_import`), so a change made through the API is refused
with the same messages as the same row in a file given to ``regionet data import``, and
its ties are classified by the same code. An update of a tie or an observation replaces it
(nothing refers to them); an update of an actor or a document changes its row in place
(ties, observations and sources refer to them), then classifies the stored ties again. A
record still referred to cannot be deleted.

Examples:
    >>> ACTIONS
    ('create', 'update', 'delete')
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from regionet.core.errors import (
    ConflictError,
    InvalidValueError,
    RegionetError,
    UnknownReferenceError,
    ValidationError,
)
from regionet.io.records import LIST_COLUMNS, TABLES
from regionet.model.actors import Actor
from regionet.storage import queries
from regionet.storage.catalog import ActorLookup, classify_stored, federation
from regionet.storage.history import RESOURCES, record_import, record_row
from regionet.storage.imports import missing_documents, plan_import, write_plan
from regionet.storage.mapping import RowSet
from regionet.storage.schema import METADATA

__all__ = ["ACTIONS", "apply_change", "check_payload", "import_batch"]

ACTIONS: tuple[str, ...] = ("create", "update", "delete")
_T = METADATA.tables
_KEY = {"ties": "id", "actors": "id", "observations": "id", "documents": "id"}
#: Who refers to an actor / a document: (table, column).
_REFERENCES: dict[str, tuple[tuple[str, str], ...]] = {
    "actors": (("tie_actors", "actor_id"), ("ties", "location"), ("observations", "subject"),
               ("attribute_records", "actor_id"), ("actors", "parent")),
    "documents": (("sources", "document_id"), ("rates", "document_id")),
    "ties": (), "observations": (),
}


def check_payload(resource: str, record_id: str, payload: dict[str, Any]) -> dict[str, str]:
    """Check a record's row has the record's id and only the table's columns; return it.

    Raises:
        InvalidValueError: an unknown resource or column, a cell that is not text, a
            missing id or an id other than ``record_id``.
    """
    if resource not in RESOURCES:
        raise InvalidValueError("unknown resource", field="resource", value=resource,
                                expected="one of " + ", ".join(RESOURCES))
    schema = TABLES[resource]
    columns = set(schema.required) | set(schema.optional)
    file = f"{resource}.json"
    for name, value in payload.items():
        if name not in columns:
            raise InvalidValueError("unknown column", file=file, row=1, field=name,
                                    expected="one of " + ", ".join(sorted(columns)))
        if isinstance(value, list) and name in LIST_COLUMNS \
                and all(isinstance(v, str) for v in value):
            continue
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise InvalidValueError("not text or a number", file=file, row=1, field=name,
                                    value=value, expected="text (lists as a;b or a JSON "
                                    "array of texts)")
    given = str(payload.get("id", ""))
    if given != record_id:
        raise InvalidValueError("the record's id does not match", file=file, row=1,
                                field="id", value=given, expected=record_id)
    return {k: ";".join(v) if isinstance(v, list) else str(v) for k, v in payload.items()}


def _import_row(conn: sa.Connection, resource: str, row: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory(prefix="regionet-change-") as folder:
        path = Path(folder) / f"{resource}.json"
        path.write_text(json.dumps([row], ensure_ascii=False), encoding="utf-8")
        plan = plan_import(conn, [path])
        try:
            write_plan(conn, plan)
        finally:
            for stage in plan.staged:
                stage.drop()
    if plan.borders_changed or plan.memberships_changed:
        classify_stored(conn, federation(conn, ActorLookup(conn)),
                        associations_only=not plan.borders_changed)


def import_batch(conn: sa.Connection, paths: list[Path], who: str, *,
                 proposal_id: int | None = None) -> dict[str, int]:
    """Import files in the caller's write transaction, as ``regionet data import`` does.

    Validated against the workspace as it is under the lock; history entries are written
    set-wise for ``who``. Returns rows imported per table.

    Raises:
        ValidationError: every problem of every file (file, row, field, value, expected).
    """
    plan = plan_import(conn, paths)
    try:
        counts = write_plan(conn, plan) if any(plan.counts.values()) else {}
        record_import(conn, plan, who, proposal_id=proposal_id)
    finally:
        for stage in plan.staged:
            stage.drop()
    if plan.borders_changed or plan.memberships_changed:
        classify_stored(conn, federation(conn, ActorLookup(conn)),
                        associations_only=not plan.borders_changed)
    return dict(plan.counts) if counts else {}


def _referrers(conn: sa.Connection, resource: str, record_id: str) -> list[str]:
    found = []
    for table, column in _REFERENCES[resource]:
        t = _T[table]
        n = conn.execute(sa.select(sa.func.count()).select_from(t)
                         .where(t.c[column] == record_id)).scalar_one()
        if n:
            found.append(f"{n} {table}.{column}")
    return found


def _delete_rows(conn: sa.Connection, resource: str, record_id: str) -> None:
    sources = _T["sources"]
    if resource in ("ties", "observations", "actors"):
        conn.execute(sa.delete(sources).where(sources.c.record_table == resource,
                                              sources.c.record_id == record_id))
    if resource == "ties":
        for link in ("tie_actors", "tie_domains"):
            conn.execute(sa.delete(_T[link]).where(_T[link].c.tie_id == record_id))
    if resource == "actors":
        values = _T["actor_attribute_values"]
        conn.execute(sa.delete(values).where(values.c.actor_id == record_id))
    table = _T[resource]
    conn.execute(sa.delete(table).where(table.c.id == record_id))


def _update_in_place(conn: sa.Connection, resource: str, row: dict[str, str]) -> None:
    """Change an actor's or a document's row (others refer to it: it is not replaced)."""
    schema = TABLES[resource]
    file = f"{resource}.json"
    missing = [c for c in schema.required if not row.get(c)]
    if missing:
        raise ValidationError.from_errors([InvalidValueError(
            "missing required column", file=file, row=1, field=c,
            expected="a value") for c in missing])
    record = schema.parse(row, file=file, row_number=1)
    rows = RowSet()
    if isinstance(record, Actor):
        problems: list[RegionetError] = []
        if record.parent is not None and not queries.exists(conn, "actors", record.parent):
            problems.append(UnknownReferenceError(
                "unknown parent", file=file, row=1, field="parent", value=record.parent,
                expected="an actor id defined in the workspace"))
        known = {d for d in (s.document for s in record.sources)
                 if queries.exists(conn, "documents", d)}
        problems.extend(missing_documents(record.sources, known, file=file, row=1))
        if problems:
            raise ValidationError.from_errors(problems)
        rows.add_actor(record)
    else:
        rows.add_document(record)
    table = _T[resource]
    values = {k: v for k, v in rows.rows[resource][0].items() if k != "id"}
    conn.execute(sa.update(table).where(table.c.id == row["id"]).values(**values))
    if resource == "actors":
        sources = _T["sources"]
        conn.execute(sa.delete(sources).where(sources.c.record_table == "actors",
                                              sources.c.record_id == row["id"]))
        if rows.rows["sources"]:
            conn.execute(sa.insert(sources), rows.rows["sources"])
        classify_stored(conn, federation(conn, ActorLookup(conn)))


def apply_change(conn: sa.Connection, resource: str, action: str, record_id: str,
                 row: dict[str, str] | None
                 ) -> tuple[dict[str, str] | None, dict[str, str] | None]:
    """Apply one change in the caller's write transaction; return (before, after) rows.

    Raises:
        ValidationError: the new row is refused (the import's messages).
        UnknownReferenceError: an update or delete of a record that does not exist.
        ConflictError: a create of an existing id, a delete of a record still referred to.
    """
    before = record_row(conn, resource, record_id)
    if action == "create":
        if before is not None:
            raise ConflictError("a record with this id exists", field="id", value=record_id,
                                expected="a new id", current=before)
    elif before is None:
        raise UnknownReferenceError(f"unknown {resource[:-1]}", field="id", value=record_id,
                                    expected=f"an id of the workspace's {resource}")
    if action == "delete":
        referrers = _referrers(conn, resource, record_id)
        if referrers:
            raise ConflictError(f"the {resource[:-1]} is still referred to by "
                                + ", ".join(referrers), field="id", value=record_id,
                                expected="a record nothing refers to", current=before)
        _delete_rows(conn, resource, record_id)
        if resource == "ties" and before is not None and before.get("kind") == "membership":
            classify_stored(conn, federation(conn, ActorLookup(conn)), associations_only=True)
        return before, None
    assert row is not None
    if action == "update" and resource in ("actors", "documents"):
        _update_in_place(conn, resource, row)
    else:
        if action == "update":
            _delete_rows(conn, resource, record_id)
        _import_row(conn, resource, row)
    return before, record_row(conn, resource, record_id)
