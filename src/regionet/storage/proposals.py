"""SQL for proposed changes: insert, read, decide (the ``proposals`` table).

Examples:
    >>> STATES
    ('proposed', 'accepted', 'rejected')
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from regionet.storage.schema import METADATA

__all__ = ["STATES", "decide", "get", "insert", "listing", "lock_record", "pending_for"]

STATES: tuple[str, ...] = ("proposed", "accepted", "rejected")
_P = METADATA.tables["proposals"]


def _public(row: sa.RowMapping) -> dict[str, Any]:
    out = dict(row)
    out["payload"] = None if row["payload"] is None else json.loads(row["payload"])
    return out


def insert(conn: sa.Connection, **values: Any) -> dict[str, Any]:
    """Store a new proposal; return it."""
    payload = values.get("payload")
    if payload is not None:
        values["payload"] = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    new_id = conn.execute(sa.insert(_P).values(**values).returning(_P.c.id)).scalar_one()
    found = get(conn, int(new_id))
    assert found is not None
    return found


def get(conn: sa.Connection, proposal_id: int) -> dict[str, Any] | None:
    """The proposal ``proposal_id``, or None."""
    row = conn.execute(sa.select(_P).where(_P.c.id == proposal_id)).mappings().first()
    return None if row is None else _public(row)


def pending_for(conn: sa.Connection, resource: str, record_id: str) -> dict[str, Any] | None:
    """The oldest proposal still under review that changes this record, or None."""
    row = conn.execute(sa.select(_P).where(
        _P.c.resource == resource, _P.c.record_id == record_id, _P.c.state == "proposed")
        .order_by(_P.c.id).limit(1)).mappings().first()
    return None if row is None else _public(row)


def pending(conn: sa.Connection, resource: str, record_id: str | None = None
            ) -> list[dict[str, Any]]:
    """The proposals under review of ``resource`` (of one record, if given), by id."""
    where = [_P.c.resource == resource, _P.c.state == "proposed"]
    if record_id is not None:
        where.append(_P.c.record_id == record_id)
    rows = conn.execute(sa.select(_P).where(*where).order_by(_P.c.id)).mappings().all()
    return [_public(r) for r in rows]


def listing(conn: sa.Connection, *, state: str | None = None, limit: int | None = 100,
            offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Proposals (of one state, if given) by id, one page, and how many there are."""
    where = [] if state is None else [_P.c.state == state]
    total = int(conn.execute(sa.select(sa.func.count()).select_from(_P).where(*where))
                .scalar_one())
    rows = conn.execute(sa.select(_P).where(*where).order_by(_P.c.id).limit(limit)
                        .offset(offset)).mappings().all()
    return [_public(r) for r in rows], total


def decide(conn: sa.Connection, proposal_id: int, **values: Any) -> None:
    """Record a review's outcome (state, reviewer, time, status given or reason)."""
    conn.execute(sa.update(_P).where(_P.c.id == proposal_id).values(**values))


def lock_record(conn: sa.Connection, resource: str, record_id: str) -> None:
    """Serialise changes of one record until the transaction ends.

    A PostgreSQL advisory lock; a SQLite write transaction already holds the write lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                     {"key": f"{resource}/{record_id}"})
