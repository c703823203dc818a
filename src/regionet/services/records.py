"""Reading the records of a case: actors, ties, observations, source documents, one by id.

Every interface lists and shows records through these functions (the CLI's ``regionet data
…``, the REST API's ``/api/actors|ties|observations|sources``, the dashboard). They take a
:class:`~regionet.services.case_source.CaseSource`, return JSON-ready dicts (a
:class:`~regionet.services.paging.Listing` for lists) and never print. They answer with SQL
queries on the source's database (:mod:`regionet.storage.queries`): filters, counts and
pages come from the database, never from a fully loaded case, so a workspace of a million
ties answers as fast as the bundled case. Errors name the
argument the caller passed (``actor``, ``subject``, ``kind``…), so each interface can show it
under its own name.

Examples:
    >>> src = CaseSource.bundled()
    >>> [t["id"] for t in list_ties(src, TieFilter(actor="NO", kind="pledge")).data]
    ['t-no-pechenganikel-pledge']
    >>> show(src, "RU-KR")["record_type"]
    'actor'
    >>> list_observations(src, subject="RU-KRR")
    Traceback (most recent call last):
    ...
    regionet.core.errors.UnknownActorError: field 'subject', value 'RU-KRR': unknown actor ...
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from regionet.core.errors import UnknownActorError, UnknownReferenceError, did_you_mean
from regionet.io.serialize import (
    actor_record,
    attribute_record,
    classified_tie_record,
    document_record,
    observation_record,
)
from regionet.model.actors import ActorKind
from regionet.model.case import TieFilter
from regionet.services.case_source import CaseSource, reading
from regionet.services.paging import Listing, Page
from regionet.storage import queries

__all__ = ["actor_detail", "check_actor_exists", "document_detail",
           "list_actors", "list_documents", "list_observations", "list_ties", "show",
           "summary", "tie_detail"]

_ACTOR_EXPECTED = "an actor id defined in the case or workspace"


def _require_actor(conn: sa.Connection, actor_id: str, field: str) -> None:
    if not queries.exists(conn, "actors", actor_id):
        raise UnknownActorError("unknown actor", field=field, value=actor_id,
                                expected=_ACTOR_EXPECTED,
                                hint=did_you_mean(actor_id,
                                                  queries.id_hints(conn, ["actors"], actor_id)))


def check_actor_exists(source: CaseSource, actor_id: str, field: str) -> None:
    """Raise unless ``actor_id`` is an actor of ``source`` (a query, not a case load).

    Raises:
        UnknownActorError: naming ``field``, with the nearest ids as a hint.
    """
    with reading(source) as conn:
        _require_actor(conn, actor_id, field)


def summary(source: CaseSource) -> dict[str, Any]:
    """Return the case's id and its counts of actors, ties, observations and documents."""
    with reading(source) as conn:
        case_id, title = queries.case_title(conn)
        return {"case": case_id, "title": title, "counts": queries.counts(conn)}


def _limits(page: Page | None) -> dict[str, Any]:
    p = page or Page.all()
    return {"limit": p.limit, "offset": p.offset}


def list_actors(source: CaseSource, *, kind: str | None = None, page: Page | None = None
                ) -> Listing[dict[str, Any]]:
    """Return the actors sorted by id, optionally of one kind.

    Raises:
        InvalidValueError: an unknown kind (field ``kind``).
    """
    wanted = None if kind is None else ActorKind.parse(kind)
    with reading(source) as conn:
        found, total = queries.actor_page(conn, kind=None if wanted is None else wanted.value,
                                          **_limits(page))
    return Listing([actor_record(a) for a in found], total)


def _actor_detail(conn: sa.Connection, actor_id: str) -> dict[str, Any]:
    found = queries.actors(conn, [actor_id])
    if not found:
        _require_actor(conn, actor_id, "id")
    actor = found[0]
    ties, _ = queries.tie_page(conn, TieFilter(actor=actor.id))
    return {**actor_record(actor),
            "attribute_sources": [attribute_record(r)
                                  for r in queries.attribute_records(conn, actor.id)],
            "ties": [classified_tie_record(t, c) for t, c in ties]}


def actor_detail(source: CaseSource, actor_id: str) -> dict[str, Any]:
    """Return one actor with the sources of its attribute values and the ties it is in.

    Raises:
        UnknownActorError: an unknown id (field ``id``).
    """
    with reading(source) as conn:
        return _actor_detail(conn, actor_id)


def list_ties(source: CaseSource, criteria: TieFilter | None = None, *,
              page: Page | None = None) -> Listing[dict[str, Any]]:
    """Return the ties matching ``criteria``, sorted by id, with level, sublevel and reason.

    Raises:
        InvalidValueError: an unknown level, sublevel or status.
        UnknownActorError: an unknown actor (field ``actor``).
        UnknownReferenceError: an unknown tie kind (field ``kind``).
    """
    f = criteria or TieFilter()
    with reading(source) as conn:
        if f.actor is not None:
            _require_actor(conn, f.actor, "actor")
        if f.kind is not None:
            queries.vocabulary(conn).tie_kind(f.kind)
        found, total = queries.tie_page(conn, f, **_limits(page))
    return Listing([classified_tie_record(t, c) for t, c in found], total)


def _unknown_tie(conn: sa.Connection, tie_id: str) -> UnknownReferenceError:
    return UnknownReferenceError("unknown tie", field="id", value=tie_id,
                                 expected="a tie id of the case",
                                 hint=did_you_mean(tie_id,
                                                   queries.id_hints(conn, ["ties"], tie_id)))


def tie_detail(source: CaseSource, tie_id: str) -> dict[str, Any]:
    """Return one tie with its level classification.

    Raises:
        UnknownReferenceError: an unknown id (field ``id``), with the nearest ids.
    """
    with reading(source) as conn:
        found = queries.ties(conn, [tie_id])
        if not found:
            raise _unknown_tie(conn, tie_id)
    return classified_tie_record(*found[0])


def list_observations(source: CaseSource, *, subject: str | None = None,
                      page: Page | None = None) -> Listing[dict[str, Any]]:
    """Return the observations sorted by id, optionally about one subject.

    Raises:
        UnknownActorError: an unknown subject (field ``subject``): an error, not an empty list.
    """
    with reading(source) as conn:
        if subject is not None:
            _require_actor(conn, subject, "subject")
        found, total = queries.observation_page(conn, subject=subject, **_limits(page))
    return Listing([observation_record(o) for o in found], total)


def list_documents(source: CaseSource, *, page: Page | None = None
                   ) -> Listing[dict[str, Any]]:
    """Return the source documents sorted by id, each with the records citing it."""
    with reading(source) as conn:
        found, total = queries.document_page(conn, **_limits(page))
        cited = queries.citations(conn, [d.id for d in found])
    return Listing([{**document_record(d), "cited_by": cited[d.id]} for d in found], total)


def document_detail(source: CaseSource, document_id: str) -> dict[str, Any]:
    """Return one source document with the ids of the records citing it.

    Raises:
        UnknownReferenceError: an unknown id (field ``id``), with the nearest ids.
    """
    with reading(source) as conn:
        found = queries.documents(conn, [document_id])
        if not found:
            raise UnknownReferenceError(
                "unknown source document", field="id", value=document_id,
                expected="a document id of the case",
                hint=did_you_mean(document_id,
                                  queries.id_hints(conn, ["documents"], document_id)))
        return {**document_record(found[0]),
                "cited_by": queries.citations(conn, [document_id])[document_id]}


def show(source: CaseSource, record_id: str) -> dict[str, Any]:
    """Return one actor, tie, observation or document by id, with what relates to it.

    Raises:
        UnknownReferenceError: no record has this id (with the nearest ids of any kind).
    """
    with reading(source) as conn:
        kind = queries.record_type(conn, record_id)
        if kind == "actor":
            return {"record_type": "actor", **_actor_detail(conn, record_id)}
        if kind == "tie":
            return {"record_type": "tie",
                    **classified_tie_record(*queries.ties(conn, [record_id])[0])}
        if kind == "observation":
            return {"record_type": "observation",
                    **observation_record(queries.observations(conn, [record_id])[0])}
        if kind == "document":
            doc = document_record(queries.documents(conn, [record_id])[0])
            cited = queries.citations(conn, [record_id])[record_id]["ties"]
            return {"record_type": "document", **doc, "cited_by_ties": cited}
        every = queries.id_hints(conn, [t for t, _ in queries.RECORD_TABLES], record_id)
    raise UnknownReferenceError("no actor, tie, observation or document has this id",
                                field="id", value=record_id,
                                expected="an id listed by `regionet data actors` or `data ties`",
                                hint=did_you_mean(record_id, every))
