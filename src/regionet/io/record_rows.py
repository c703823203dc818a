"""One record as a row of its case file (``ties.csv``…): text cells, re-readable by import.

The same rows are the payloads of proposed changes, the ``before`` and ``after`` of history
entries and what a record's ETag hashes.

Examples:
    >>> import regionet as rn
    >>> tie_row(rn.load_case("russia-1990s").ties["t-no-pechenganikel-pledge"])["kind"]
    'pledge'
"""

from __future__ import annotations

from collections.abc import Sequence

from regionet.model.actors import Actor
from regionet.model.observations import Observation
from regionet.model.sources import Document, SourceRef
from regionet.model.ties import Tie

__all__ = ["actor_row", "document_row", "num", "observation_row", "refs", "tie_row"]


def num(value: float | None) -> str:
    """Write a float exactly, without a trailing ``.0`` for whole numbers."""
    if value is None:
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def refs(sources: Sequence[SourceRef]) -> str:
    """Sources as ``document:locator;…``."""
    return ";".join(str(s) for s in sources)


def document_row(d: Document) -> dict[str, str]:
    """A document as a row of ``documents.csv``."""
    return {"id": d.id, "title": d.title, "author": d.author,
            "year": "" if d.year is None else str(d.year), "publisher": d.publisher,
            "url": d.url, "note": d.note}


def actor_row(a: Actor) -> dict[str, str]:
    """An actor as a row of ``actors.csv``."""
    return {"id": a.id, "kind": a.kind.value, "name_en": a.name_en,
            "name_local": a.name_local, "valid_from": a.validity.start_text or "",
            "valid_to": a.validity.end_text or "", "parent": a.parent or "",
            "sources": refs(a.sources), "status": a.status.value, "note": a.note}


def tie_row(t: Tie) -> dict[str, str]:
    """A tie as a row of ``ties.csv``."""
    return {"id": t.id, "kind": t.kind, "actors": ";".join(t.actors),
            "start": t.validity.start_text or "", "end": t.validity.end_text or "",
            "domains": ";".join(t.domains),
            "amount": num(t.amount.amount) if t.amount else "",
            "currency": t.amount.currency if t.amount else "",
            "amount_year": str(t.amount.year) if t.amount else "",
            "quantity": num(t.quantity), "unit": t.unit, "location": t.location or "",
            "description": t.description, "sources": refs(t.sources),
            "status": t.status.value, "note": t.note}


def observation_row(o: Observation) -> dict[str, str]:
    """An observation as a row of ``observations.csv``."""
    return {"id": o.id, "indicator": o.indicator, "subject": o.subject,
            "comparator": "" if o.comparator == "=" else o.comparator,
            "value": num(o.value), "value_text": o.value_text, "unit": o.unit,
            "start": o.period.start_text or "", "end": o.period.end_text or "",
            "sources": refs(o.sources), "status": o.status.value, "note": o.note}
