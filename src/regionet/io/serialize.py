"""Plain-dict views of model records, for JSON output (CLI, exports, REST API).

One function per record type, so every interface shows the same field names.

Examples:
    >>> import regionet as rn
    >>> case = rn.load_case("russia-1990s")
    >>> d = tie_record(case, case.tie("t-no-pechenganikel-pledge"))
    >>> d["amount"], d["level"], d["sublevel"]
    ({'value': 300000000.0, 'currency': 'NOK', 'year': 1998}, 'international', 'cross-border')
"""

from __future__ import annotations

from typing import Any

from regionet.core.money import Money
from regionet.core.periods import Interval
from regionet.model.actors import Actor
from regionet.model.case import AttributeRecord, Case
from regionet.model.levels import Classification
from regionet.model.observations import Observation
from regionet.model.sources import Document, SourceRef
from regionet.model.ties import Tie

__all__ = [
    "actor_record",
    "attribute_record",
    "classified_tie_record",
    "document_record",
    "money_record",
    "observation_record",
    "sources_record",
    "tie_record",
]


def sources_record(sources: tuple[SourceRef, ...]) -> list[dict[str, str]]:
    """Return sources as ``[{"document": …, "locator": …}]``."""
    return [{"document": s.document, "locator": s.locator} for s in sources]


def money_record(money: Money | None) -> dict[str, Any] | None:
    """Return money as ``{"value", "currency", "year"}`` or None."""
    if money is None:
        return None
    return {"value": money.amount, "currency": money.currency, "year": money.year}


def _dates(interval: Interval, start: str = "start", end: str = "end") -> dict[str, str | None]:
    return {start: interval.start_text, end: interval.end_text}


def actor_record(actor: Actor) -> dict[str, Any]:
    """Return an actor as a JSON-ready dict."""
    return {
        "id": actor.id, "kind": actor.kind.value, "name_en": actor.name_en,
        "name_local": actor.name_local, **_dates(actor.validity, "valid_from", "valid_to"),
        "parent": actor.parent, "attributes": dict(actor.attributes),
        "sources": sources_record(actor.sources), "status": actor.status.value,
        "note": actor.note,
    }


def tie_record(case: Case, tie: Tie) -> dict[str, Any]:
    """Return a tie with its level classification as a JSON-ready dict."""
    return classified_tie_record(tie, case.classify(tie))


def classified_tie_record(tie: Tie, c: Classification) -> dict[str, Any]:
    """Return a tie with the level classification ``c`` (e.g. as stored) as a dict."""
    return {
        "id": tie.id, "kind": tie.kind, "actors": list(tie.actors),
        **_dates(tie.validity), "level": c.level.value,
        "sublevel": c.sublevel.value if c.sublevel else None, "reason": c.reason,
        "neighbours": c.neighbours, "domains": list(tie.domains),
        "amount": money_record(tie.amount), "quantity": tie.quantity, "unit": tie.unit,
        "location": tie.location, "description": tie.description,
        "sources": sources_record(tie.sources), "status": tie.status.value, "note": tie.note,
    }


def observation_record(obs: Observation) -> dict[str, Any]:
    """Return an observation as a JSON-ready dict."""
    return {
        "id": obs.id, "indicator": obs.indicator, "subject": obs.subject,
        "comparator": obs.comparator, "value": obs.value, "value_text": obs.value_text,
        "unit": obs.unit, **_dates(obs.period), "sources": sources_record(obs.sources),
        "status": obs.status.value, "note": obs.note,
    }


def document_record(doc: Document) -> dict[str, Any]:
    """Return a source document as a JSON-ready dict."""
    return {"id": doc.id, "title": doc.title, "author": doc.author, "year": doc.year,
            "publisher": doc.publisher, "url": doc.url, "note": doc.note}


def attribute_record(rec: AttributeRecord) -> dict[str, Any]:
    """Return a sourced attribute value as a JSON-ready dict."""
    return {"actor": rec.actor, "attribute": rec.attribute, "value": rec.value,
            "unit": rec.unit, "sources": sources_record(rec.sources),
            "status": rec.status.value, "note": rec.note}
