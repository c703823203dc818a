"""Sources: the documents facts come from, and references into them with a locator.

Examples:
    >>> ref = SourceRef.parse("sergounin-1999:para 14")
    >>> ref.document, ref.locator
    ('sergounin-1999', 'para 14')
    >>> str(ref)
    'sergounin-1999:para 14'
    >>> parse_sources("sergounin-1999:para 7;src-c65:art. 65")[1].locator
    'art. 65'
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from regionet.core.errors import InvalidValueError
from regionet.core.ids import DocumentId

__all__ = ["Document", "SourceRef", "Status", "parse_sources", "parse_status"]


class Status(StrEnum):
    """How well a fact is established.

    ``verified``: the cited source states it. ``partial``: partly confirmed.
    ``assumed``: a labelled assumption or interpretation (the record's note says why).
    """

    VERIFIED = "verified"
    PARTIAL = "partial"
    ASSUMED = "assumed"


def parse_status(text: str, *, file: str | None = None, row: int | None = None) -> Status:
    """Parse a status cell; raises InvalidValueError for anything else."""
    try:
        return Status(text.strip())
    except ValueError:
        raise InvalidValueError("unknown status", file=file, row=row, field="status",
                                value=text,
                                expected="one of " + ", ".join(s.value for s in Status)) from None


@dataclass(frozen=True)
class Document:
    """A document facts are taken from (a memo, a law, a data set, a web page)."""

    id: DocumentId
    title: str
    author: str = ""
    year: int | None = None
    publisher: str = ""
    url: str = ""
    note: str = ""


@dataclass(frozen=True)
class SourceRef:
    """A reference to a place in a document: its id and a locator such as ``para 14``."""

    document: DocumentId
    locator: str

    @classmethod
    def parse(cls, text: str, *, file: str | None = None, row: int | None = None,
              field: str = "sources") -> SourceRef:
        """Parse ``document_id:locator`` (split at the first colon).

        Raises:
            InvalidValueError: when the text has no colon, or an empty part.
        """
        doc, sep, loc = text.strip().partition(":")
        if not sep or not doc.strip() or not loc.strip():
            raise InvalidValueError("not a source reference", file=file, row=row, field=field,
                                    value=text, expected="'document_id:locator', "
                                    "e.g. 'sergounin-1999:para 14'")
        return cls(DocumentId(doc.strip()), loc.strip())

    def __str__(self) -> str:
        return f"{self.document}:{self.locator}"


def parse_sources(text: str, *, file: str | None = None, row: int | None = None,
                  field: str = "sources") -> tuple[SourceRef, ...]:
    """Parse a ``;``-separated list of source references; at least one is required.

    Raises:
        InvalidValueError: when the cell is empty or an entry is malformed.
    """
    parts = [p for p in (text or "").split(";") if p.strip()]
    if not parts:
        raise InvalidValueError("every record needs at least one source", file=file, row=row,
                                field=field, value=text or "",
                                expected="'document_id:locator[;…]'")
    return tuple(SourceRef.parse(p, file=file, row=row, field=field) for p in parts)
