"""Reading the records of a case: actors, ties, observations, source documents, one by id.

Every interface lists and shows records through these functions (the CLI's ``regionet data
…``, the REST API's ``/api/actors|ties|observations|sources``, the dashboard). They take a
:class:`~regionet.services.case_source.CaseSource`, return JSON-ready dicts (a
:class:`~regionet.services.paging.Listing` for lists) and never print. Errors name the
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

from collections import defaultdict
from typing import Any

from regionet.core.errors import UnknownActorError, UnknownReferenceError, did_you_mean
from regionet.core.ids import DocumentId, ObservationId
from regionet.io.serialize import (
    actor_record,
    attribute_record,
    document_record,
    observation_record,
    tie_record,
)
from regionet.model.actors import Actor, ActorKind
from regionet.model.case import Case, TieFilter
from regionet.model.observations import Observation
from regionet.model.ties import Tie
from regionet.services.case_source import CaseSource, case_of
from regionet.services.paging import Listing, Page

__all__ = ["actor_detail", "check_actor", "document_detail", "list_actors", "list_documents",
           "list_observations", "list_ties", "show", "summary", "tie_detail"]


def check_actor(case: Case, actor_id: str, field: str) -> Actor:
    """Return the actor ``actor_id``; the error names ``field``, the caller's argument.

    Raises:
        UnknownActorError: with the nearest ids as a hint.
    """
    try:
        return case.actor(actor_id)
    except UnknownActorError as err:
        raise UnknownActorError(err.message, field=field, value=actor_id,
                                expected=err.expected, hint=err.hint) from None


def summary(source: CaseSource) -> dict[str, Any]:
    """Return the case's id and its counts of actors, ties, observations and documents."""
    case = case_of(source)
    counts = case.summary()
    return {"case": case.id, "title": case.title,
            "counts": {k: counts[k] for k in ("actors", "ties", "observations", "documents")}}


def list_actors(source: CaseSource, *, kind: str | None = None, page: Page | None = None
                ) -> Listing[dict[str, Any]]:
    """Return the actors sorted by id, optionally of one kind.

    Raises:
        InvalidValueError: an unknown kind (field ``kind``).
    """
    wanted = None if kind is None else ActorKind.parse(kind)
    case = case_of(source)
    rows = [a for a in sorted(case.actors.values(), key=lambda a: a.id)
            if wanted is None or a.kind is wanted]
    listing = (page or Page.all()).take(rows)
    return Listing([actor_record(a) for a in listing.data], listing.count)


def actor_detail(source: CaseSource, actor_id: str) -> dict[str, Any]:
    """Return one actor with the sources of its attribute values and the ties it is in.

    Raises:
        UnknownActorError: an unknown id (field ``id``).
    """
    case = case_of(source)
    actor = check_actor(case, actor_id, "id")
    ties = sorted(case.select_ties(actor=actor.id), key=lambda t: t.id)
    return {**actor_record(actor),
            "attribute_sources": [attribute_record(r) for r in case.attributes_of(actor.id)],
            "ties": [tie_record(case, t) for t in ties]}


def list_ties(source: CaseSource, criteria: TieFilter | None = None, *,
              page: Page | None = None) -> Listing[dict[str, Any]]:
    """Return the ties matching ``criteria``, sorted by id, with level, sublevel and reason.

    Raises:
        InvalidValueError: an unknown level, sublevel or status.
        UnknownActorError: an unknown actor (field ``actor``).
        UnknownReferenceError: an unknown tie kind (field ``kind``).
    """
    case = case_of(source)
    f = criteria or TieFilter()
    if f.actor is not None:
        check_actor(case, f.actor, "actor")
    found = sorted(case.select_ties(f), key=lambda t: t.id)
    listing = (page or Page.all()).take(found)
    return Listing([tie_record(case, t) for t in listing.data], listing.count)


def tie_detail(source: CaseSource, tie_id: str) -> dict[str, Any]:
    """Return one tie with its level classification.

    Raises:
        UnknownReferenceError: an unknown id (field ``id``), with the nearest ids.
    """
    case = case_of(source)
    return tie_record(case, case.tie(tie_id))


def list_observations(source: CaseSource, *, subject: str | None = None,
                      page: Page | None = None) -> Listing[dict[str, Any]]:
    """Return the observations sorted by id, optionally about one subject.

    Raises:
        UnknownActorError: an unknown subject (field ``subject``): an error, not an empty list.
    """
    case = case_of(source)
    if subject is not None:
        check_actor(case, subject, "subject")
    rows = [o for o in sorted(case.observations.values(), key=lambda o: o.id)
            if subject is None or o.subject == subject]
    listing = (page or Page.all()).take(rows)
    return Listing([observation_record(o) for o in listing.data], listing.count)


def _citations(case: Case) -> dict[str, dict[str, list[str]]]:
    """For each document id, the ids of the records citing it, by record type."""
    cited: dict[str, dict[str, list[str]]] = defaultdict(
        lambda: {"actors": [], "attributes": [], "ties": [], "observations": []})
    records: list[tuple[str, Actor | Tie | Observation]] = [
        *(("actors", a) for a in case.actors.values()),
        *(("ties", t) for t in case.ties.values()),
        *(("observations", o) for o in case.observations.values())]
    for group, record in sorted(records, key=lambda r: r[1].id):
        for doc in dict.fromkeys(s.document for s in record.sources):
            cited[doc][group].append(record.id)
    for attr in case.attributes:
        for doc in dict.fromkeys(s.document for s in attr.sources):
            cited[doc]["attributes"].append(f"{attr.actor}.{attr.attribute}")
    return cited


def list_documents(source: CaseSource, *, page: Page | None = None
                   ) -> Listing[dict[str, Any]]:
    """Return the source documents sorted by id, each with the records citing it."""
    case = case_of(source)
    cited = _citations(case)
    listing = (page or Page.all()).take(sorted(case.documents.values(), key=lambda d: d.id))
    return Listing([{**document_record(d), "cited_by": cited[d.id]} for d in listing.data],
                   listing.count)


def document_detail(source: CaseSource, document_id: str) -> dict[str, Any]:
    """Return one source document with the ids of the records citing it.

    Raises:
        UnknownReferenceError: an unknown id (field ``id``), with the nearest ids.
    """
    case = case_of(source)
    doc = case.documents.get(DocumentId(document_id))
    if doc is None:
        raise UnknownReferenceError("unknown source document", field="id", value=document_id,
                                    expected="a document id of the case",
                                    hint=did_you_mean(document_id, case.documents))
    return {**document_record(doc), "cited_by": _citations(case)[doc.id]}


def show(source: CaseSource, record_id: str) -> dict[str, Any]:
    """Return one actor, tie, observation or document by id, with what relates to it.

    Raises:
        UnknownReferenceError: no record has this id (with the nearest ids of any kind).
    """
    case = case_of(source)
    if record_id in case.actors:
        out = actor_detail(source, record_id)
        return {"record_type": "actor", **out}
    if record_id in case.ties:
        return {"record_type": "tie", **tie_record(case, case.tie(record_id))}
    if record_id in case.observations:
        return {"record_type": "observation",
                **observation_record(case.observations[ObservationId(record_id)])}
    if record_id in case.documents:
        doc = document_record(case.documents[DocumentId(record_id)])
        cited = [t.id for t in case.ties.values() if t.cites(record_id)]
        return {"record_type": "document", **doc, "cited_by_ties": cited}
    every = [*case.actors, *case.ties, *case.observations, *case.documents]
    raise UnknownReferenceError("no actor, tie, observation or document has this id",
                                field="id", value=record_id,
                                expected="an id listed by `regionet data actors` or `data ties`",
                                hint=did_you_mean(record_id, every))
