"""Mapping between a :class:`~regionet.model.case.Case` and the workspace's rows.

The mapping is exact: a case written with :func:`case_rows` and read back with
:func:`read_case` compares equal field by field (dates keep the text the source gave and
their ISO bounds; attribute values keep their Python type; lists keep their order).

Examples:
    >>> encode_value(3)
    {'value_type': 'int', 'value_text': '3', 'value_number': 3.0}
    >>> decode_value("float", "0.1") == 0.1, decode_value("null", None)
    (True, None)
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa

from regionet.core.ids import ActorId, DocumentId, ObservationId, TieId
from regionet.core.money import Money, Rate, RatesTable
from regionet.core.periods import Interval
from regionet.model.actors import Actor, ActorKind, AttributeValue
from regionet.model.case import AttributeRecord, Case
from regionet.model.levels import Classification, Level, Sublevel
from regionet.model.observations import Observation
from regionet.model.sources import Document, SourceRef, Status
from regionet.model.ties import Tie
from regionet.model.vocab import Domain, Indicator, TieKind, Vocabulary
from regionet.storage.schema import METADATA, SCHEMA_VERSION, TABLE_ORDER

__all__ = [
    "RowSet",
    "actor_from_row",
    "attribute_from_row",
    "case_rows",
    "classification_from_row",
    "classification_row",
    "classification_values",
    "decode_value",
    "document_from_row",
    "encode_value",
    "insert_rows",
    "interval_from_row",
    "observation_from_row",
    "read_case",
    "read_vocabulary",
    "rows_digest",
    "tie_from_row",
    "write_rows",
]

Row = dict[str, Any]


def encode_value(value: AttributeValue) -> Row:
    """Return the ``value_type``, ``value_text`` and ``value_number`` columns of a value."""
    if value is None:
        return {"value_type": "null", "value_text": None, "value_number": None}
    if isinstance(value, bool):
        return {"value_type": "bool", "value_text": "true" if value else "false",
                "value_number": float(value)}
    if isinstance(value, int):
        return {"value_type": "int", "value_text": str(value), "value_number": float(value)}
    if isinstance(value, float):
        return {"value_type": "float", "value_text": repr(value), "value_number": value}
    return {"value_type": "str", "value_text": str(value), "value_number": None}


def decode_value(value_type: str, text: str | None) -> AttributeValue:
    """Return the Python value stored as ``value_type`` / ``value_text``."""
    if value_type == "null" or text is None:
        return None
    if value_type == "bool":
        return text == "true"
    if value_type == "int":
        return int(text)
    if value_type == "float":
        return float(text)
    return text


def _interval_row(interval: Interval, start: str, end: str) -> Row:
    return {f"{start}_date": interval.start, f"{start}_text": interval.start_text,
            f"{end}_date": interval.end, f"{end}_text": interval.end_text}


def interval_from_row(row: Mapping[Any, Any], start: str, end: str) -> Interval:
    """Return the interval stored in the ``{start}_*`` and ``{end}_*`` columns of a row."""
    return Interval(row[f"{start}_date"], row[f"{end}_date"], row[f"{start}_text"],
                    row[f"{end}_text"])


class RowSet:
    """Rows to insert, by table; ``add_*`` turn one model record into its rows."""

    def __init__(self) -> None:
        self.rows: dict[str, list[Row]] = defaultdict(list)

    def _sources(self, table: str, record_id: str, refs: Sequence[SourceRef]) -> None:
        self.rows["sources"].extend(
            {"record_table": table, "record_id": record_id, "position": i,
             "document_id": ref.document, "locator": ref.locator}
            for i, ref in enumerate(refs))

    def add_document(self, d: Document) -> None:
        """Add a document."""
        self.rows["documents"].append({"id": d.id, "title": d.title, "author": d.author,
                                       "year": d.year, "publisher": d.publisher, "url": d.url,
                                       "note": d.note})

    def add_vocab(self, vocab: Vocabulary) -> None:
        """Add every tie kind, domain and indicator of ``vocab``."""
        self.rows["tie_kinds"].extend(
            {"kind": k.name, "group": k.group, "directed": k.directed,
             "definition": k.definition, "plover": k.plover, "cameo": k.cameo}
            for k in vocab.tie_kinds.values())
        self.rows["domains"].extend({"domain": d.name, "definition": d.definition}
                                    for d in vocab.domains.values())
        self.rows["indicators"].extend(
            {"indicator": i.name, "unit": i.unit, "definition": i.definition}
            for i in vocab.indicators.values())

    def add_actor(self, a: Actor) -> None:
        """Add an actor with its sources (its attribute values: :meth:`add_values`)."""
        self.rows["actors"].append({
            "id": a.id, "kind": a.kind.value, "name_en": a.name_en,
            "name_local": a.name_local, **_interval_row(a.validity, "valid_from", "valid_to"),
            "parent": a.parent, "status": a.status.value, "note": a.note})
        self._sources("actors", a.id, a.sources)

    def add_values(self, a: Actor) -> None:
        """Add the current attribute values of an actor, in order."""
        self.rows["actor_attribute_values"].extend(
            {"actor_id": a.id, "attribute": name, "position": i, **encode_value(value)}
            for i, (name, value) in enumerate(a.attributes.items()))

    def add_attribute(self, record_id: int, r: AttributeRecord) -> None:
        """Add a sourced attribute record under the integer id ``record_id``."""
        self.rows["attribute_records"].append({
            "id": record_id, "actor_id": r.actor, "attribute": r.attribute,
            **encode_value(r.value), "unit": r.unit, "status": r.status.value, "note": r.note})
        self._sources("attribute_records", str(record_id), r.sources)

    def add_tie(self, t: Tie, c: Classification) -> None:
        """Add a tie with its level classification ``c``, its actors, domains and sources."""
        money = t.amount
        self.rows["ties"].append({
            "id": t.id, "kind": t.kind, **_interval_row(t.validity, "start", "end"),
            "amount": money.amount if money else None,
            "currency": money.currency if money else None,
            "amount_year": money.year if money else None,
            "quantity": t.quantity, "unit": t.unit, "location": t.location,
            "description": t.description, "status": t.status.value, "note": t.note,
            **classification_row(c)})
        self.rows["tie_actors"].extend({"tie_id": t.id, "position": i, "actor_id": a}
                                       for i, a in enumerate(t.actors))
        self.rows["tie_domains"].extend({"tie_id": t.id, "position": i, "domain": d}
                                        for i, d in enumerate(t.domains))
        self._sources("ties", t.id, t.sources)

    def add_observation(self, o: Observation) -> None:
        """Add an observation with its sources."""
        self.rows["observations"].append({
            "id": o.id, "indicator": o.indicator, "subject": o.subject, "value": o.value,
            "value_text": o.value_text, "comparator": o.comparator, "unit": o.unit,
            **_interval_row(o.period, "start", "end"), "status": o.status.value,
            "note": o.note})
        self._sources("observations", o.id, o.sources)

    def add_rate(self, r: Rate) -> None:
        """Add an exchange rate."""
        self.rows["rates"].append({"base": r.base, "quote": r.quote, "year": r.year,
                                   "rate": r.rate, "document_id": r.document,
                                   "locator": r.locator, "status": r.status})


def case_rows(case: Case) -> RowSet:
    """Return every row of a whole case (attribute records get ids 1, 2, …)."""
    out = RowSet()
    out.rows["case_info"].append({"id": case.id, "title": case.title,
                                  "federation": case.federation,
                                  "description": case.description,
                                  "schema_version": SCHEMA_VERSION})
    out.rows["case_credits"].extend({"position": i, "credit": c}
                                    for i, c in enumerate(case.credits))
    for d in case.documents.values():
        out.add_document(d)
    out.add_vocab(case.vocab)
    for a in case.actors.values():
        out.add_actor(a)
        out.add_values(a)
    for i, r in enumerate(case.attributes, start=1):
        out.add_attribute(i, r)
    for t in case.ties.values():
        out.add_tie(t, case.classify(t))
    for o in case.observations.values():
        out.add_observation(o)
    for rate in case.rates:
        out.add_rate(rate)
    approximate = case.approximate_adjacency
    out.rows["adjacency"].extend({"a": a, "b": b, "approximate": frozenset((a, b)) in approximate}
                                 for a, b in sorted((min(p), max(p)) for p in case.adjacency))
    return out


def classification_values(c: Classification) -> tuple[str, str | None, str, bool | None]:
    """Return the values of the classification columns of a tie, in column order."""
    return (c.level.value, c.sublevel.value if c.sublevel else None, c.reason, c.neighbours)


def classification_row(c: Classification) -> Row:
    """Return the classification columns of a tie (``level`` … ``neighbours``)."""
    return dict(zip(("level", "sublevel", "level_reason", "neighbours"),
                    classification_values(c), strict=True))


def classification_from_row(row: Mapping[Any, Any]) -> Classification:
    """Return the classification stored in a ``ties`` row."""
    neighbours = row["neighbours"]
    return Classification(Level(row["level"]),
                          Sublevel(row["sublevel"]) if row["sublevel"] else None,
                          row["level_reason"], None if neighbours is None else bool(neighbours))


def insert_rows(conn: sa.Connection, table: str, rows: Sequence[Row] | sa.Select[Any]
                ) -> int:
    """Insert ``rows`` into ``table``: dicts (one executemany) or the rows of a SELECT.

    Returns:
        The number of rows inserted.
    """
    target = METADATA.tables[table]
    if isinstance(rows, sa.Select):
        return int(conn.execute(target.insert().from_select(
            list(rows.selected_columns.keys()), rows)).rowcount or 0)
    if rows and not _insert_raw(conn, target, rows):
        conn.execute(target.insert(), list(rows))
    return len(rows)


def _insert_raw(conn: sa.Connection, target: sa.Table, rows: Sequence[Row]) -> bool:
    """Insert dicts holding every column of ``target`` with SQLite's own executemany.

    The values go through each column type's bind processor (dates to ISO text, booleans
    to integers), as SQLAlchemy's ``insert()`` would send them, without its per-row
    compilation of parameters (50,000 actors: ≈ 1.2 s → 0.3 s); a database error is raised
    as SQLAlchemy's (e.g. ``sqlalchemy.exc.IntegrityError``). Returns False (nothing done)
    on another database, or when a row lacks a column (SQLAlchemy then fills defaults).

    Examples:
        >>> engine = sa.create_engine("sqlite://")
        >>> from regionet.storage.schema import create_schema
        >>> with engine.begin() as conn:
        ...     create_schema(conn)
        ...     done = _insert_raw(conn, METADATA.tables["domains"],
        ...                        [{"domain": "trade", "definition": ""}])
        ...     done, conn.execute(sa.text("SELECT * FROM domains WHERE domain = 'trade'")).all()
        (True, [('trade', '')])
    """
    raw = conn.connection.dbapi_connection
    names = [c.name for c in target.columns]
    if raw is None or conn.dialect.name != "sqlite" or any(
            len(r) != len(names) or any(n not in r for n in names) for r in rows):
        return False
    processors = [(i, p) for i, c in enumerate(target.columns)
                  if (p := c.type.bind_processor(conn.dialect)) is not None]
    get = itemgetter(*names)
    values: Iterable[Sequence[Any]] = (get(r) for r in rows) if len(names) > 1 else (
        (get(r),) for r in rows)
    if processors:
        values = (_processed(list(v), processors) for v in values)
    sql = (f"INSERT INTO {_quoted(target.name)} ({', '.join(map(_quoted, names))}) "
           f"VALUES ({', '.join('?' for _ in names)})")
    try:
        raw.executemany(sql, values)
    except sqlite3.Error as exc:  # the error SQLAlchemy would raise (callers catch those)
        raise sa.exc.DBAPIError.instance(sql, None, exc, sqlite3.Error) from exc
    return True


def _processed(values: list[Any], processors: list[tuple[int, Any]]) -> list[Any]:
    for i, process in processors:
        values[i] = process(values[i])
    return values


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def write_rows(conn: sa.Connection, rows: RowSet) -> dict[str, int]:
    """Insert a row set table by table in foreign-key order; return the rows per table."""
    for name in TABLE_ORDER:
        insert_rows(conn, name, rows.rows.get(name, []))
    return {name: len(rows.rows[name]) for name in TABLE_ORDER if rows.rows.get(name)}


def _select(conn: sa.Connection, table: str) -> Sequence[sa.RowMapping]:
    t = METADATA.tables[table]
    return conn.execute(sa.select(t).order_by(*t.primary_key.columns)).mappings().all()


def _group_sources(conn: sa.Connection) -> dict[tuple[str, str], tuple[SourceRef, ...]]:
    grouped: dict[tuple[str, str], list[SourceRef]] = defaultdict(list)
    for r in _select(conn, "sources"):
        grouped[(r["record_table"], r["record_id"])].append(
            SourceRef(DocumentId(r["document_id"]), r["locator"]))
    return {k: tuple(v) for k, v in grouped.items()}


def _grouped(rows: Iterable[sa.RowMapping], key: str, value: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for r in rows:
        out[r[key]].append(r[value])
    return out


def actor_from_row(r: Mapping[Any, Any], values: Mapping[str, AttributeValue],
                   sources: tuple[SourceRef, ...]) -> Actor:
    """Return the actor of an ``actors`` row with its attribute values and sources."""
    return Actor(
        ActorId(r["id"]), ActorKind(r["kind"]), r["name_en"], r["name_local"],
        interval_from_row(r, "valid_from", "valid_to"),
        ActorId(r["parent"]) if r["parent"] is not None else None,
        MappingProxyType(dict(values)), sources, Status(r["status"]), r["note"])


def tie_from_row(r: Mapping[Any, Any], actors: Sequence[str], domains: Sequence[str],
                 sources: tuple[SourceRef, ...]) -> Tie:
    """Return the tie of a ``ties`` row with its actors, domains and sources in order."""
    return Tie(
        TieId(r["id"]), r["kind"], tuple(ActorId(a) for a in actors),
        interval_from_row(r, "start", "end"), tuple(domains),
        Money(r["amount"], r["currency"], r["amount_year"]) if r["amount"] is not None
        else None, r["quantity"], r["unit"],
        ActorId(r["location"]) if r["location"] is not None else None, r["description"],
        sources, Status(r["status"]), r["note"])


def observation_from_row(r: Mapping[Any, Any], sources: tuple[SourceRef, ...]) -> Observation:
    """Return the observation of an ``observations`` row."""
    return Observation(
        ObservationId(r["id"]), r["indicator"], ActorId(r["subject"]), r["value"],
        r["value_text"], r["comparator"], r["unit"], interval_from_row(r, "start", "end"),
        sources, Status(r["status"]), r["note"])


def document_from_row(r: Mapping[Any, Any]) -> Document:
    """Return the document of a ``documents`` row."""
    return Document(DocumentId(r["id"]), r["title"], r["author"], r["year"], r["publisher"],
                    r["url"], r["note"])


def attribute_from_row(r: Mapping[Any, Any], sources: tuple[SourceRef, ...]
                       ) -> AttributeRecord:
    """Return the sourced attribute record of an ``attribute_records`` row."""
    return AttributeRecord(ActorId(r["actor_id"]), r["attribute"],
                           decode_value(r["value_type"], r["value_text"]), r["unit"],
                           sources, Status(r["status"]), r["note"])


def read_case(conn: sa.Connection) -> Case | None:
    """Rebuild the whole case stored in the workspace, or None when none is stored."""
    info = conn.execute(sa.select(METADATA.tables["case_info"])).mappings().first()
    if info is None:
        return None
    src = _group_sources(conn)
    values: dict[str, dict[str, AttributeValue]] = defaultdict(dict)
    for r in sorted(_select(conn, "actor_attribute_values"),
                    key=lambda r: (r["actor_id"], r["position"])):
        values[r["actor_id"]][r["attribute"]] = decode_value(r["value_type"], r["value_text"])
    actors = {ActorId(r["id"]): actor_from_row(r, values.get(r["id"], {}),
                                               src.get(("actors", r["id"]), ()))
              for r in _select(conn, "actors")}
    tie_actors = _grouped(_select(conn, "tie_actors"), "tie_id", "actor_id")
    tie_domains = _grouped(_select(conn, "tie_domains"), "tie_id", "domain")
    ties = {TieId(r["id"]): tie_from_row(r, tie_actors.get(r["id"], ()),
                                         tie_domains.get(r["id"], ()),
                                         src.get(("ties", r["id"]), ()))
            for r in _select(conn, "ties")}
    observations = {ObservationId(r["id"]): observation_from_row(
        r, src.get(("observations", r["id"]), ())) for r in _select(conn, "observations")}
    return Case(
        id=info["id"], title=info["title"], federation=ActorId(info["federation"]),
        documents={DocumentId(r["id"]): document_from_row(r)
                   for r in _select(conn, "documents")},
        vocab=read_vocabulary(conn),
        actors=actors, ties=ties, observations=observations,
        attributes=[attribute_from_row(r, src.get(("attribute_records", str(r["id"])), ()))
                    for r in _select(conn, "attribute_records")],
        rates=RatesTable(Rate(r["base"], r["quote"], r["year"], r["rate"], r["document_id"],
                              r["locator"], r["status"]) for r in _select(conn, "rates")),
        adjacency={frozenset({r["a"], r["b"]}) for r in _select(conn, "adjacency")},
        approximate_adjacency={frozenset({r["a"], r["b"]}) for r in _select(conn, "adjacency")
                               if r["approximate"]},
        description=info["description"],
        credits=[r["credit"] for r in _select(conn, "case_credits")],
    )


def read_vocabulary(conn: sa.Connection) -> Vocabulary:
    """Return the tie kinds, domains and indicators stored in the workspace."""
    return Vocabulary(
        {r["kind"]: TieKind(r["kind"], r["group"], bool(r["directed"]), r["definition"],
                            r["plover"], r["cameo"]) for r in _select(conn, "tie_kinds")},
        {r["domain"]: Domain(r["domain"], r["definition"]) for r in _select(conn, "domains")},
        {r["indicator"]: Indicator(r["indicator"], r["unit"], r["definition"])
         for r in _select(conn, "indicators")})


def rows_digest(rows: RowSet, previous: str = "") -> str:
    """Return a SHA-256 digest of ``previous`` and every row of ``rows``, in table order.

    The workspace chains these digests over its writes (``case_info.version``), so equal
    versions mean equal content histories.

    Examples:
        >>> a, b = RowSet(), RowSet()
        >>> b.rows["adjacency"].append({"a": "RU-KR", "b": "RU-MUR"})
        >>> rows_digest(a) == rows_digest(RowSet()), rows_digest(a) == rows_digest(b)
        (True, False)
    """
    digest = hashlib.sha256(previous.encode("utf-8"))
    for name in TABLE_ORDER:
        for row in rows.rows.get(name, ()):
            digest.update(f"{name}\x1f{sorted(row.items())!r}\x1e".encode())
    return digest.hexdigest()
