"""The small tables of an import: vocabularies, documents, actors, attributes, rates.

These tables are read whole (a batch has at most thousands of such rows), checked for keys
already used in the workspace (with SQL) or earlier in the batch, merged over the workspace's
actors (a ``subjects`` or ``actor_attributes`` row changes an actor's current attributes) and
validated. Their rows are written as they are today, through
:class:`~regionet.storage.mapping.RowSet`. The large tables (ties, observations) stream
through :mod:`regionet.storage.import_stream`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa

from regionet.core.errors import (
    InvalidValueError,
    RegionetError,
    UnknownActorError,
    UnknownReferenceError,
    did_you_mean,
)
from regionet.core.ids import ActorId, DocumentId
from regionet.model.actors import Actor, ActorKind
from regionet.model.case import AttributeRecord
from regionet.model.sources import Document, SourceRef
from regionet.model.validation import Catalog, check_actor
from regionet.model.vocab import Vocabulary
from regionet.storage.catalog import ActorLookup, chunked
from regionet.storage.mapping import RowSet, document_from_row, read_vocabulary
from regionet.storage.schema import METADATA

__all__ = ["SMALL_TABLES", "Base", "Parsed", "SmallBatch", "missing_documents",
           "plan_small_tables"]

#: The tables read whole, in dependency order.
SMALL_TABLES: tuple[str, ...] = ("documents", "tie_kinds", "domains", "indicators", "actors",
                                 "subjects", "actor_attributes", "rates")

#: The key field of each keyed table and how to read it from a parsed record.
KEYS: Mapping[str, tuple[str, Callable[[Any], str]]] = {
    "documents": ("id", lambda r: str(r.id)),
    "tie_kinds": ("kind", lambda r: str(r.name)),
    "domains": ("domain", lambda r: str(r.name)),
    "indicators": ("indicator", lambda r: str(r.name)),
    "actors": ("id", lambda r: str(r.id)),
    "subjects": ("id", lambda r: str(r[0])),
    "ties": ("id", lambda r: str(r.id)),
    "observations": ("id", lambda r: str(r.id)),
    "rates": ("base", lambda r: f"{r.base}/{r.quote}/{r.year}"),
}


@dataclass(frozen=True)
class Parsed:
    """One parsed row: the file's name, the row number and the record."""

    file: str
    row: int
    record: Any


class Base:
    """The workspace a batch is checked against, read with SQL in the caller's transaction.

    Documents and vocabularies are read whole (small); actors on demand.
    """

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        docs = METADATA.tables["documents"]
        self.documents: dict[DocumentId, Document] = {
            DocumentId(r["id"]): document_from_row(r)
            for r in conn.execute(sa.select(docs)).mappings()}
        self.vocab = read_vocabulary(conn)
        self.actors = ActorLookup(conn)

    def existing(self, table: str, keys: Collection[str]) -> set[str]:
        """Return the ``keys`` of ``table`` (an import table name) already stored."""
        if table in ("documents", "tie_kinds", "domains", "indicators"):
            tables: dict[str, Collection[str]] = {
                "documents": self.documents, "tie_kinds": self.vocab.tie_kinds,
                "domains": self.vocab.domains, "indicators": self.vocab.indicators}
            stored = tables[table]
            return {k for k in keys if k in stored}
        if table == "rates":
            rates = METADATA.tables["rates"]
            rows = self.conn.execute(sa.select(rates.c.base, rates.c.quote, rates.c.year))
            return {f"{b}/{q}/{y}" for b, q, y in rows} & set(keys)
        if table == "subjects":
            records = METADATA.tables["attribute_records"]
            column, where = records.c.actor_id, records.c.attribute == "subject_row"
        else:
            target = METADATA.tables[table]
            column, where = target.c.id, sa.true()
        found: set[str] = set()
        for part in chunked(sorted(keys)):
            found.update(self.conn.execute(sa.select(column).where(where, column.in_(part)))
                         .scalars())
        return found


@dataclass
class SmallBatch:
    """The valid records of the small tables, merged over the workspace.

    Attributes:
        documents: the workspace's documents and the batch's.
        vocab: the workspace's vocabularies and the batch's.
        actors: the actors the batch adds or changes (changed ones with all their
            current attribute values).
        new_actors: ids of the actors the batch adds.
        touched: ids of the actors whose attributes the batch changes.
        counts: records per table.
    """

    documents: dict[DocumentId, Document]
    vocab: Vocabulary
    actors: dict[ActorId, Actor] = field(default_factory=dict)
    new_actors: list[Actor] = field(default_factory=list)
    touched: set[ActorId] = field(default_factory=set)
    attributes: list[AttributeRecord] = field(default_factory=list)
    records: dict[str, list[Any]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def rows(self, first_record_id: int) -> RowSet:
        """Return the rows to write; attribute records get ids from ``first_record_id``."""
        out = RowSet()
        for d in self.records.get("documents", []):
            out.add_document(d)
        out.add_vocab(Vocabulary({k.name: k for k in self.records.get("tie_kinds", [])},
                                 {d.name: d for d in self.records.get("domains", [])},
                                 {i.name: i for i in self.records.get("indicators", [])}))
        for a in self.new_actors:
            out.add_actor(self.actors[a.id])
        for actor_id in sorted(self.touched | {a.id for a in self.new_actors}):
            out.add_values(self.actors[actor_id])
        for i, r in enumerate(self.attributes, start=first_record_id):
            out.add_attribute(i, r)
        for rate in self.records.get("rates", []):
            out.add_rate(rate)
        return out


def missing_documents(sources: Sequence[SourceRef], documents: Collection[str], *,
                      file: str | None = None, row: int | None = None) -> list[RegionetError]:
    """Return an error for each source whose document is not in ``documents``."""
    problems: list[RegionetError] = []
    for ref in sources:
        if ref.document not in documents:
            problems.append(UnknownReferenceError(
                "source document does not exist", file=file, row=row, field="sources",
                value=ref.document,
                expected="the id of a document in documents.csv or the workspace",
                hint=did_you_mean(ref.document, documents)))
    return problems


def unique(base: Base, table: str, items: list[Parsed], errors: list[RegionetError]
           ) -> list[Parsed]:
    """Drop (and report) records whose key is in the workspace or earlier in the batch."""
    if table not in KEYS:
        return sorted(items, key=lambda p: (p.record.actor, p.record.attribute))
    field_name, key_of = KEYS[table]
    existing = base.existing(table, {key_of(p.record) for p in items})
    seen: dict[str, Parsed] = {}
    for p in items:
        key = key_of(p.record)
        if key in existing:
            where = "already in the workspace"
        elif key in seen:
            where = f"duplicate in the batch (first in {seen[key].file}, row {seen[key].row})"
        else:
            seen[key] = p
            continue
        errors.append(InvalidValueError(
            where, file=p.file, row=p.row, field=field_name, value=key,
            expected=f"a {field_name} not yet used (import only adds records)"))
    return [seen[k] for k in sorted(seen)]


def plan_small_tables(base: Base, parsed: Mapping[str, list[Parsed]],
                      errors: list[RegionetError]) -> SmallBatch:
    """Check and merge the small tables' parsed rows; append every problem to ``errors``.

    On return, ``base.actors`` also knows the batch's new and changed actors, and
    ``base.documents`` / ``base.vocab`` are unchanged.
    """
    items = {t: unique(base, t, list(parsed.get(t, [])), errors) for t in SMALL_TABLES}
    new = {t: [p.record for p in items[t]] for t in SMALL_TABLES}
    documents = {**base.documents, **{d.id: d for d in new["documents"]}}
    vocab = Vocabulary({**base.vocab.tie_kinds, **{k.name: k for k in new["tie_kinds"]}},
                       {**base.vocab.domains, **{d.name: d for d in new["domains"]}},
                       {**base.vocab.indicators, **{i.name: i for i in new["indicators"]}})
    batch = SmallBatch(documents, vocab, records={t: new[t] for t in SMALL_TABLES},
                       counts={t: len(items[t]) for t in SMALL_TABLES if items[t]})
    lookup = base.actors
    batch.new_actors = list(new["actors"])
    lookup.add(batch.new_actors)
    changed: dict[ActorId, Actor] = {a.id: a for a in batch.new_actors}

    def current(actor_id: ActorId) -> Actor | None:
        if actor_id in changed:
            return changed[actor_id]
        return lookup.full(actor_id) if actor_id in lookup else None

    for p in items["subjects"]:
        actor_id, values, record = p.record
        actor = current(actor_id)
        if actor is None or actor.kind is not ActorKind.SUBJECT:
            errors.append(InvalidValueError(
                "a subjects row must describe an actor of kind subject", file=p.file,
                row=p.row, field="id", value=actor_id,
                expected="the id of a subject in actors.csv or the workspace"))
            continue
        errors.extend(missing_documents(record.sources, documents, file=p.file, row=p.row))
        changed[actor_id] = replace(actor, attributes=MappingProxyType(
            {**actor.attributes, **values}))
        batch.attributes.append(record)
        batch.touched.add(actor_id)
    for p in items["actor_attributes"]:
        record = p.record
        actor = current(record.actor)
        if actor is None:
            errors.append(UnknownActorError(
                "unknown actor", file=p.file, row=p.row, field="actor", value=record.actor,
                expected="an actor id defined in actors.csv or the workspace",
                hint=did_you_mean(record.actor, lookup)))
            continue
        errors.extend(missing_documents(record.sources, documents, file=p.file, row=p.row))
        changed[record.actor] = replace(actor, attributes=MappingProxyType(
            {**actor.attributes, record.attribute: record.value}))
        batch.attributes.append(record)
        batch.touched.add(record.actor)
    for p in items["rates"]:
        errors.extend(missing_documents((SourceRef(p.record.document, p.record.locator),),
                                        documents, file=p.file, row=p.row))
    batch.actors = changed
    lookup.add(changed.values())
    catalog = Catalog(lookup, documents, vocab)
    for p in items["actors"]:
        errors.extend(check_actor(changed[p.record.id], catalog, file=p.file, row=p.row))
    return batch
