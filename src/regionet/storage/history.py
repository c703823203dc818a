"""SQL for the history of records: append-only entries, one version per change of a record.

An entry holds who changed which record, when, how (``create``, ``update``, ``delete``,
``import``, ``revert``) and the record before and after, as the JSON of its case-file row
(:mod:`regionet.io.record_rows`). Entries are only ever inserted (triggers refuse anything
else, see :mod:`regionet.storage.team_schema`). A CLI import writes its entries set-wise
(``INSERT … SELECT``), without the rows' JSON: the state of an imported version is the
``before`` of the next entry, or the record as stored when there is none
(:func:`state_at`).

Examples:
    >>> etag({"id": "t-1", "kind": "loan"})
    '"bcdeb1282962520ed1b3b25d85270983"'
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from regionet.io.record_rows import actor_row, document_row, observation_row, tie_row
from regionet.storage import queries
from regionet.storage.imports import ImportPlan
from regionet.storage.schema import METADATA

__all__ = ["RESOURCES", "append", "append_set", "canonical", "entries", "etag", "now",
           "record_import", "record_row", "resource_of", "state_at"]

#: The resources that can be changed and have a history, by the name the API uses.
RESOURCES: tuple[str, ...] = ("actors", "ties", "observations", "documents")
_HISTORY = METADATA.tables["history"]


def now() -> str:
    """The time of a change: UTC, ISO 8601 to the microsecond."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def canonical(row: dict[str, str] | None) -> str | None:
    """The canonical JSON of a record's row (sorted keys, no spaces), or None."""
    if row is None:
        return None
    return json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def etag(row: dict[str, str]) -> str:
    """The strong entity tag of a record: a quoted hash of its canonical JSON."""
    text = canonical(row) or ""
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:32] + '"'


def record_row(conn: sa.Connection, resource: str, record_id: str) -> dict[str, str] | None:
    """The record ``record_id`` of ``resource`` as its case-file row, or None if absent."""
    if resource == "ties":
        ties = queries.ties(conn, [record_id])
        return tie_row(ties[0][0]) if ties else None
    if resource == "actors":
        actors = queries.actors(conn, [record_id])
        return actor_row(actors[0]) if actors else None
    if resource == "observations":
        found = queries.observations(conn, [record_id])
        return observation_row(found[0]) if found else None
    documents = queries.documents(conn, [record_id])
    return document_row(documents[0]) if documents else None


def _next_version(resource: str, record_id: Any) -> sa.ScalarSelect[Any]:
    h = _HISTORY.alias("h")
    return (sa.select(sa.func.coalesce(sa.func.max(h.c.version), 0) + 1)
            .where(h.c.resource == resource, h.c.record_id == record_id).scalar_subquery())


def append(conn: sa.Connection, resource: str, record_id: str, action: str, who: str,
           before: dict[str, str] | None, after: dict[str, str] | None, *,
           proposal_id: int | None = None, at: str | None = None) -> int:
    """Add one entry in the caller's transaction; return the record's new version."""
    conn.execute(sa.insert(_HISTORY).values(
        resource=resource, record_id=record_id,
        version=_next_version(resource, record_id), action=action, who=who,
        at=at or now(), before=canonical(before), after=canonical(after),
        proposal_id=proposal_id))
    return int(conn.execute(sa.select(sa.func.max(_HISTORY.c.version)).where(
        _HISTORY.c.resource == resource, _HISTORY.c.record_id == record_id)).scalar_one())


def append_set(conn: sa.Connection, resource: str,
               ids: sa.Select[Any] | Sequence[sa.Select[Any]], action: str, who: str, *,
               at: str | None = None, proposal_id: int | None = None) -> int:
    """Add one entry per id that ``ids`` selects, in one ``INSERT … SELECT`` per select.

    Entries are numbered (``seq``) in the order of the ids, or of a second column of ``ids``
    that sorts them alike (e.g. the ``rowid`` of rows staged in key order: no sort); the
    ids of several selects (distinct ids, each select's after the one before) select by
    select. A resource without any history yet takes version 1 for every id, without a
    lookup per id.

    Returns:
        The number of entries written.
    """
    known = conn.execute(sa.select(sa.literal(1)).where(_HISTORY.c.resource == resource)
                         .limit(1)).first()
    written = 0
    for select in [ids] if isinstance(ids, sa.Select) else ids:
        chosen = select.subquery("chosen")
        key, *order = chosen.c
        version = _next_version(resource, key) if known else sa.literal(1, sa.Integer)
        rows = sa.select(sa.literal(resource), key, version,
                         sa.literal(action), sa.literal(who), sa.literal(at or now()),
                         sa.literal(proposal_id, sa.Integer)).order_by(*order or [key])
        result = conn.execute(sa.insert(_HISTORY).from_select(
            ["resource", "record_id", "version", "action", "who", "at", "proposal_id"], rows))
        written += int(result.rowcount or 0)
    return written


def _entry(row: sa.RowMapping) -> dict[str, Any]:
    return {"version": row["version"], "action": row["action"], "who": row["who"],
            "at": row["at"], "before": None if row["before"] is None else json.loads(
                row["before"]),
            "after": None if row["after"] is None else json.loads(row["after"]),
            "proposal": row["proposal_id"]}


def entries(conn: sa.Connection, resource: str, record_id: str) -> list[dict[str, Any]]:
    """The record's history, oldest first."""
    rows = conn.execute(sa.select(_HISTORY).where(
        _HISTORY.c.resource == resource, _HISTORY.c.record_id == record_id)
        .order_by(_HISTORY.c.version)).mappings().all()
    return [_entry(r) for r in rows]


def state_at(conn: sa.Connection, resource: str, record_id: str, version: int,
             history: Sequence[dict[str, Any]] | None = None
             ) -> tuple[bool, dict[str, str] | None]:
    """The record as it was right after ``version``: (known, row or None if deleted).

    Version 0 is the record before its first entry (as the workspace was made).

    An imported version has no JSON of its own: its state is the next entry's ``before``,
    or the record as stored now when it is the latest.
    """
    history = list(history if history is not None else entries(conn, resource, record_id))
    if version == 0 and history:  # before the first change
        return True, history[0]["before"]
    by_version = {e["version"]: i for i, e in enumerate(history)}
    if version not in by_version:
        return False, None
    index = by_version[version]
    entry = history[index]
    if entry["action"] == "delete":
        return True, None
    if entry["after"] is not None:
        return True, entry["after"]
    if index + 1 < len(history):
        return True, history[index + 1]["before"]
    return True, record_row(conn, resource, record_id)


def record_import(conn: sa.Connection, plan: ImportPlan, who: str | None = None, *,
                  proposal_id: int | None = None) -> int:
    """Write the history entries of an import's new records, set-wise; return how many.

    ``who`` defaults to ``cli:<the operating-system user>``.

    Streamed tables (ties, observations, possibly millions of rows) are copied from their
    staging tables in one ``INSERT … SELECT`` each; the few new actors and documents with
    one statement per table.
    """
    at = now()
    who = who or f"cli:{getpass.getuser()}"
    written = 0
    for stage in plan.staged:
        if stage.table in RESOURCES:
            written += append_set(conn, stage.table, stage.key_selects(), "import", who,
                                  at=at, proposal_id=proposal_id)
    small = plan.small
    if small is not None:
        for resource, ids in (("actors", [a.id for a in small.new_actors]),
                              ("documents", [d.id for d in small.records.get("documents", [])])):
            if ids:
                table = METADATA.tables[resource]
                written += append_set(conn, resource, sa.select(table.c.id).where(
                    table.c.id.in_(sa.bindparam("ids", expanding=True))).params(ids=ids),
                    "import", who, at=at, proposal_id=proposal_id)
    return written


def resource_of(conn: sa.Connection, record_id: str) -> str | None:
    """The resource a record id belongs to (also a deleted record's, from its history)."""
    kind = queries.record_type(conn, record_id)
    mapping = {"actor": "actors", "tie": "ties", "observation": "observations",
               "document": "documents"}
    if kind in mapping:
        return mapping[kind]
    found = conn.execute(sa.select(_HISTORY.c.resource).where(
        _HISTORY.c.record_id == record_id).limit(1)).scalar()
    return None if found is None else str(found)
