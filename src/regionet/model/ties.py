"""Ties: dated, typed, sourced relations between two or more actors.

A multilateral tie is one record with several actors (as in PLOVER), not a set of pairs.

Examples:
    >>> from regionet.core.periods import Interval
    >>> from regionet.model.sources import SourceRef
    >>> t = Tie(TieId("t-no-pechenganikel"), "pledge", (ActorId("NO"), ActorId("pechenganikel")),
    ...         amount=Money(300e6, "NOK", 1998),
    ...         sources=(SourceRef(DocumentId("sergounin-1999"), "para 14"),))
    >>> t.involves("NO"), t.involves("RU-MUR")
    (True, False)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from regionet.core.ids import ActorId, DocumentId, TieId
from regionet.core.money import Money
from regionet.core.periods import Interval
from regionet.model.sources import SourceRef, Status

__all__ = ["Tie"]


@dataclass(frozen=True)
class Tie:
    """A relation between actors.

    Attributes:
        id: unique tie id.
        kind: a tie kind from the vocabulary (``membership``, ``loan``…).
        actors: the parties; for directed kinds ``actors[0]`` gives or initiates.
        validity: when the tie held (partial dates allowed, open ends allowed).
        domains: policy domains from the vocabulary.
        amount: money involved, if any.
        quantity: a non-money quantity, if any, with ``unit``.
        unit: the unit of ``quantity``.
        location: the subject where the tie takes effect, if it is not a party.
        description: a short description in our own words.
        sources: at least one source reference.
        status: verified / partial / assumed.
        note: why something is assumed, or other remarks.
    """

    id: TieId
    kind: str
    actors: tuple[ActorId, ...]
    validity: Interval = field(default_factory=Interval)
    domains: tuple[str, ...] = ()
    amount: Money | None = None
    quantity: float | None = None
    unit: str = ""
    location: ActorId | None = None
    description: str = ""
    sources: tuple[SourceRef, ...] = ()
    status: Status = Status.VERIFIED
    note: str = ""

    def involves(self, actor: str) -> bool:
        """Return True if ``actor`` is a party or the tie's location."""
        return actor in self.actors or actor == self.location

    def cites(self, document: str) -> bool:
        """Return True if one of the tie's sources is ``document``."""
        return any(s.document == DocumentId(document) for s in self.sources)
