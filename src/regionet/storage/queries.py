"""Reading records with SQL: pages, counts and single records, never the whole case.

Every function takes a connection in a read transaction (one snapshot) and returns model
objects (:class:`~regionet.model.ties.Tie` with its stored
:class:`~regionet.model.levels.Classification`, :class:`~regionet.model.actors.Actor` …);
the services turn them into the JSON-ready records every interface shows. Lists are sorted by
id (SQLite compares text bytewise, which for UTF-8 is Python's order), paged with
``LIMIT``/``OFFSET`` and counted with ``COUNT``; filters use the indexes of
:mod:`regionet.storage.schema` (a tie's actors, location, kind and level).

Examples:
    >>> import regionet as rn
    >>> from regionet.model.case import TieFilter
    >>> from regionet.storage.workspace import Workspace
    >>> ws = Workspace(tmp_path / "w.db")
    >>> _ = ws.init(rn.load_case("russia-1990s"))
    >>> with ws.reading() as (conn, _revision):
    ...     ties, count = tie_page(conn, TieFilter(actor="NO", kind="pledge"))
    ...     [(t.id, c.sublevel.value) for t, c in ties], count
    ([('t-no-pechenganikel-pledge', 'cross-border')], 1)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from regionet.core.periods import year_bounds
from regionet.model.actors import Actor, AttributeValue
from regionet.model.case import AttributeRecord, TieFilter
from regionet.model.levels import Classification
from regionet.model.observations import Observation
from regionet.model.sources import Document, SourceRef
from regionet.model.ties import Tie
from regionet.storage.catalog import chunked
from regionet.storage.mapping import (
    actor_from_row,
    attribute_from_row,
    classification_from_row,
    decode_value,
    document_from_row,
    observation_from_row,
    read_vocabulary,
    tie_from_row,
)
from regionet.storage.schema import METADATA

__all__ = ["RECORD_TABLES", "actor_page", "actors", "attribute_records", "case_title",
           "citations", "count", "counts", "document_page", "documents", "exists", "id_hints",
           "members", "observation_page", "observations", "record_type", "tie_counts",
           "tie_page", "ties", "vocabulary"]

_T = METADATA.tables


def _among(conn: sa.Connection, column: sa.ColumnElement[Any], values: Sequence[str]
           ) -> sa.ColumnElement[bool]:
    """``column IN (values)``; on PostgreSQL ``column = ANY(:values)``, one text array.

    The same statement for any number of values: PostgreSQL's driver prepares it once,
    where an ``IN`` list is a new statement for each length (and SQLAlchemy renders each).
    """
    if conn.dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, list(values), type_=ARRAY(sa.String)))
    return column.in_(values)
#: The tables ``show`` looks in, in order, with the record type each holds.
RECORD_TABLES: tuple[tuple[str, str], ...] = (
    ("actors", "actor"), ("ties", "tie"), ("observations", "observation"),
    ("documents", "document"))
#: Up to this many ids, hints for an unknown id compare it with every id.
HINT_ALL = 20_000
#: Otherwise, with this many ids on each side of it in key order, per table.
HINT_NEAR = 200

vocabulary = read_vocabulary


def case_title(conn: sa.Connection) -> tuple[str, str]:
    """Return the stored case's id and title."""
    info = _T["case_info"]
    row = conn.execute(sa.select(info.c.id, info.c.title)).one()
    return str(row[0]), str(row[1])


def count(conn: sa.Connection, table: str) -> int:
    """Return the number of rows of ``table``."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(_T[table])).scalar_one())


def counts(conn: sa.Connection) -> dict[str, int]:
    """Return the numbers of actors, ties, observations and documents."""
    return {t: count(conn, t) for t in ("actors", "ties", "observations", "documents")}


def exists(conn: sa.Connection, table: str, key: str) -> bool:
    """Return True if ``table`` has a row with id ``key``."""
    t = _T[table]
    return conn.execute(sa.select(t.c.id).where(t.c.id == key)).first() is not None


def record_type(conn: sa.Connection, record_id: str) -> str | None:
    """Return which kind of record has this id (``actor``, ``tie``…), or None."""
    for table, kind in RECORD_TABLES:
        if exists(conn, table, record_id):
            return kind
    return None


def id_hints(conn: sa.Connection, tables: Sequence[str], value: str, *,
             total: int | None = None) -> list[str]:
    """Return the ids of ``tables`` to compare an unknown ``value`` with (for hints).

    Every id when the tables are small; in a large workspace the ids nearest to ``value``
    in key order, which is where typos of a prefix-structured id land. ``total``: the
    tables' rows, if the caller counted them already.
    """
    if total is None:
        total = sum(count(conn, t) for t in tables)
    out: list[str] = []
    for name in tables:
        column = _T[name].c.id
        if total <= HINT_ALL:
            out.extend(conn.execute(sa.select(column)).scalars())
            continue
        out.extend(conn.execute(sa.select(column).where(column >= value).order_by(column)
                                .limit(HINT_NEAR)).scalars())
        out.extend(conn.execute(sa.select(column).where(column < value)
                                .order_by(column.desc()).limit(HINT_NEAR)).scalars())
    return out


def _sources(conn: sa.Connection, table: str, ids: Sequence[str]
             ) -> dict[str, tuple[SourceRef, ...]]:
    s = _T["sources"]
    grouped: dict[str, list[SourceRef]] = defaultdict(list)
    for part in chunked(ids):
        rows = conn.execute(sa.select(s.c.record_id, s.c.document_id, s.c.locator)
                            .where(s.c.record_table == table, _among(conn, s.c.record_id, part))
                            .order_by(s.c.record_id, s.c.position))
        for record_id, document, locator in rows:
            grouped[record_id].append(SourceRef(document, locator))
    return {k: tuple(v) for k, v in grouped.items()}


def _links(conn: sa.Connection, table: str, value: str, ids: Sequence[str]
           ) -> dict[str, list[str]]:
    t = _T[table]
    grouped: dict[str, list[str]] = defaultdict(list)
    for part in chunked(ids):
        rows = conn.execute(sa.select(t.c.tie_id, t.c[value]).where(_among(conn, t.c.tie_id, part))
                            .order_by(t.c.tie_id, t.c.position))
        for tie_id, item in rows:
            grouped[tie_id].append(item)
    return grouped


def _rows(conn: sa.Connection, table: str, ids: Sequence[str]
          ) -> tuple[dict[str, Mapping[Any, Any]], list[str]]:
    """The rows of ``table`` with these ids, and the ids found (in the given order)."""
    t = _T[table]
    rows: dict[str, Mapping[Any, Any]] = {}
    for part in chunked(ids):
        query = sa.select(t).where(_among(conn, t.c.id, part))
        rows.update((r["id"], r) for r in conn.execute(query).mappings())
    return rows, [i for i in ids if i in rows]


def ties(conn: sa.Connection, ids: Sequence[str]) -> list[tuple[Tie, Classification]]:
    """Return the ties ``ids`` (those that exist, in the given order) with their levels."""
    rows, found = _rows(conn, "ties", ids)
    parties = _links(conn, "tie_actors", "actor_id", found)
    domains = _links(conn, "tie_domains", "domain", found)
    sources = _sources(conn, "ties", found)
    return [(tie_from_row(rows[i], parties.get(i, ()), domains.get(i, ()),
                          sources.get(i, ())), classification_from_row(rows[i]))
            for i in found]


def _tie_conditions(f: TieFilter) -> list[sa.ColumnElement[bool]]:
    t = _T["ties"]
    where: list[sa.ColumnElement[bool]] = []
    if f.level is not None:
        where.append(t.c.level == f.level)
    if f.sublevel is not None:
        where.append(t.c.sublevel == f.sublevel)
    if f.actor is not None:
        links = _T["tie_actors"]
        located = sa.select(t.c.id).where(t.c.location == f.actor)
        where.append(t.c.id.in_(sa.select(links.c.tie_id).where(links.c.actor_id == f.actor)
                                .union(located)))
    if f.kind is not None:
        where.append(t.c.kind == f.kind)
    if f.year is not None:
        first, last = year_bounds(f.year)
        where.extend(_overlaps(t, first, last))
    if f.as_of is not None:
        where.extend(_overlaps(t, f.as_of, f.as_of))
    if f.status is not None:
        where.append(t.c.status == f.status)
    return where


def _overlaps(t: sa.Table, first: Any, last: Any) -> list[sa.ColumnElement[bool]]:
    """Dates touching [first, last]; open ends always do (as ``Interval.overlaps``)."""
    return [sa.or_(t.c.start_date.is_(None), t.c.start_date <= last),
            sa.or_(t.c.end_date.is_(None), t.c.end_date >= first)]


def tie_counts(conn: sa.Connection, criteria: TieFilter | None = None) -> dict[str, int]:
    """Return, per actor, the number of ties matching ``criteria`` it is a party to or hosts.

    A tie counts once per actor, whether the actor is a party, the location or both (as
    ``TieFilter(actor=…)`` selects ties); a tie never names a party twice (validation
    refuses it). ``criteria.actor`` is ignored.
    """
    t, links = _T["ties"], _T["tie_actors"]
    f = criteria or TieFilter()
    where = _tie_conditions(TieFilter(level=f.level, sublevel=f.sublevel, kind=f.kind,
                                      year=f.year, as_of=f.as_of, status=f.status))
    parties = sa.select(links.c.actor_id, sa.func.count()).group_by(links.c.actor_id)
    if where:  # without a filter the actor index alone answers
        parties = parties.join(t, t.c.id == links.c.tie_id).where(*where)
    counts = {str(actor): int(n) for actor, n in conn.execute(parties)}
    also_party = sa.exists().where(links.c.tie_id == t.c.id, links.c.actor_id == t.c.location)
    hosts = (sa.select(t.c.location, sa.func.count())
             .where(t.c.location.is_not(None), ~also_party, *where).group_by(t.c.location))
    for actor, n in conn.execute(hosts):
        counts[str(actor)] = counts.get(str(actor), 0) + int(n)
    return counts


def members(conn: sa.Connection) -> list[Actor]:
    """Return the federation's subjects (with attributes), sorted by id."""
    a, info = _T["actors"], _T["case_info"]
    ids = conn.execute(sa.select(a.c.id).where(
        a.c.kind == "subject", a.c.parent == sa.select(info.c.federation).scalar_subquery())
        .order_by(a.c.id)).scalars().all()
    return actors(conn, list(ids))


def tie_page(conn: sa.Connection, criteria: TieFilter | None = None, *,
             limit: int | None = None, offset: int = 0
             ) -> tuple[list[tuple[Tie, Classification]], int]:
    """Return one page of the ties matching ``criteria``, sorted by id, and their count.

    The caller checks that the actor and kind of ``criteria`` exist (an unknown one is an
    error, not an empty list).
    """
    t = _T["ties"]
    where = _tie_conditions(criteria or TieFilter())
    total = int(conn.execute(sa.select(sa.func.count()).select_from(t).where(*where))
                .scalar_one())
    query = sa.select(t.c.id).where(*where).order_by(t.c.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    ids = list(conn.execute(query).scalars()) if total else []
    return ties(conn, ids), total


def _page(conn: sa.Connection, table: str, where: Iterable[sa.ColumnElement[bool]],
          limit: int | None, offset: int) -> tuple[list[str], int]:
    t = _T[table]
    conditions = list(where)
    total = int(conn.execute(sa.select(sa.func.count()).select_from(t).where(*conditions))
                .scalar_one())
    query = sa.select(t.c.id).where(*conditions).order_by(t.c.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return (list(conn.execute(query).scalars()) if total else []), total


def actors(conn: sa.Connection, ids: Sequence[str]) -> list[Actor]:
    """Return the actors ``ids`` (those that exist, in order) with attributes and sources."""
    v = _T["actor_attribute_values"]
    rows, found = _rows(conn, "actors", ids)
    values: dict[str, dict[str, AttributeValue]] = defaultdict(dict)
    for part in chunked(found):
        for r in conn.execute(sa.select(v).where(_among(conn, v.c.actor_id, part))
                              .order_by(v.c.actor_id, v.c.position)).mappings():
            values[r["actor_id"]][r["attribute"]] = decode_value(r["value_type"],
                                                                 r["value_text"])
    sources = _sources(conn, "actors", found)
    return [actor_from_row(rows[i], values.get(i, {}), sources.get(i, ())) for i in found]


def actor_page(conn: sa.Connection, *, kind: str | None = None, limit: int | None = None,
               offset: int = 0) -> tuple[list[Actor], int]:
    """Return one page of the actors (of one kind), sorted by id, and their count."""
    a = _T["actors"]
    ids, total = _page(conn, "actors", [a.c.kind == kind] if kind is not None else [],
                       limit, offset)
    return actors(conn, ids), total


def attribute_records(conn: sa.Connection, actor_id: str) -> list[AttributeRecord]:
    """Return the sourced attribute records of one actor, in the order they were stored."""
    r = _T["attribute_records"]
    rows = conn.execute(sa.select(r).where(r.c.actor_id == actor_id).order_by(r.c.id)
                        ).mappings().all()
    sources = _sources(conn, "attribute_records", [str(x["id"]) for x in rows])
    return [attribute_from_row(x, sources.get(str(x["id"]), ())) for x in rows]


def observations(conn: sa.Connection, ids: Sequence[str]) -> list[Observation]:
    """Return the observations ``ids`` (those that exist, in order)."""
    rows, found = _rows(conn, "observations", ids)
    sources = _sources(conn, "observations", found)
    return [observation_from_row(rows[i], sources.get(i, ())) for i in found]


def observation_page(conn: sa.Connection, *, subject: str | None = None,
                     limit: int | None = None, offset: int = 0
                     ) -> tuple[list[Observation], int]:
    """Return one page of the observations (about one subject), sorted by id, and the count."""
    o = _T["observations"]
    ids, total = _page(conn, "observations",
                       [o.c.subject == subject] if subject is not None else [], limit, offset)
    return observations(conn, ids), total


def documents(conn: sa.Connection, ids: Sequence[str]) -> list[Document]:
    """Return the documents ``ids`` (those that exist, in order)."""
    rows, found = _rows(conn, "documents", ids)
    return [document_from_row(rows[i]) for i in found]


def document_page(conn: sa.Connection, *, limit: int | None = None, offset: int = 0
                  ) -> tuple[list[Document], int]:
    """Return one page of the documents, sorted by id, and their count."""
    ids, total = _page(conn, "documents", [], limit, offset)
    return documents(conn, ids), total


def citations(conn: sa.Connection, document_ids: Sequence[str]
              ) -> dict[str, dict[str, list[str]]]:
    """For each document, the ids of the records citing it, by record type.

    Groups ``actors``, ``attributes`` (as ``actor.attribute``, in the order stored),
    ``ties`` and ``observations`` (sorted by id); a record citing a document twice is
    listed once.
    """
    s = _T["sources"]
    out: dict[str, dict[str, list[str]]] = {
        d: {"actors": [], "attributes": [], "ties": [], "observations": []}
        for d in document_ids}
    groups = {"actors": "actors", "ties": "ties", "observations": "observations"}
    for part in chunked(document_ids):
        rows = conn.execute(sa.select(s.c.document_id, s.c.record_table, s.c.record_id)
                            .where(s.c.document_id.in_(part),
                                   s.c.record_table.in_(list(groups)))
                            .distinct().order_by(s.c.document_id, s.c.record_id))
        for doc, table, record_id in rows:
            out[doc][groups[table]].append(record_id)
        for doc, actor_id, attribute in _attribute_citations(conn, part):
            out[doc]["attributes"].append(f"{actor_id}.{attribute}")
    return out


def _attribute_citations(conn: sa.Connection, documents_: Sequence[str]
                         ) -> list[tuple[str, str, str]]:
    """(document, actor, attribute) for each attribute record citing one, in record order."""
    s, r = _T["sources"], _T["attribute_records"]
    rows = conn.execute(sa.select(s.c.document_id, s.c.record_id)
                        .where(s.c.record_table == "attribute_records",
                               s.c.document_id.in_(documents_))
                        .distinct()).all()
    ids = sorted({int(x[1]) for x in rows})
    records: dict[int, tuple[str, str]] = {}
    for part in chunked(map(str, ids)):
        for rid, actor_id, attribute in conn.execute(
                sa.select(r.c.id, r.c.actor_id, r.c.attribute)
                .where(r.c.id.in_([int(p) for p in part]))):
            records[int(rid)] = (actor_id, attribute)
    return [(doc, *records[int(rid)]) for doc, rid in
            sorted(rows, key=lambda x: int(x[1])) if int(rid) in records]
