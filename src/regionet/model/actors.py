"""Actors: the centre, subjects, associations, foreign actors, funds, agencies, companies.

Examples:
    >>> karelia = Actor(ActorId("RU-KR"), ActorKind.SUBJECT, "Republic of Karelia",
    ...                 name_local="Республика Карелия", parent=ActorId("RU"))
    >>> karelia.is_multilateral
    False
    >>> ActorKind.parse("programme").is_multilateral
    True
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from regionet.core.errors import InvalidValueError
from regionet.core.ids import ActorId
from regionet.core.periods import Interval
from regionet.model.sources import SourceRef, Status

__all__ = ["Actor", "ActorKind", "AttributeValue"]

AttributeValue = str | float | int | bool | None


class ActorKind(StrEnum):
    """The kinds of actor in DESIGN §2."""

    CENTRE = "centre"
    SUBJECT = "subject"
    ASSOCIATION = "association"
    STATE = "state"
    FOREIGN_REGION = "foreign_region"
    ORGANIZATION = "organization"
    FUND = "fund"
    PROGRAMME = "programme"
    AGENCY = "agency"
    COMPANY = "company"

    @classmethod
    def parse(cls, text: str, *, file: str | None = None, row: int | None = None) -> ActorKind:
        """Parse an actor kind; raises InvalidValueError naming the allowed kinds."""
        try:
            return cls(text.strip())
        except ValueError:
            raise InvalidValueError("unknown actor kind", file=file, row=row, field="kind",
                                    value=text,
                                    expected="one of " + ", ".join(k.value for k in cls)) from None

    @property
    def is_multilateral(self) -> bool:
        """True for multilateral organizations and their funds and programmes."""
        return self in (ActorKind.ORGANIZATION, ActorKind.FUND, ActorKind.PROGRAMME)

    @property
    def is_foreign_territorial(self) -> bool:
        """True for foreign states and their regions."""
        return self in (ActorKind.STATE, ActorKind.FOREIGN_REGION)


_EMPTY: Mapping[str, AttributeValue] = MappingProxyType({})


@dataclass(frozen=True)
class Actor:
    """A party to ties and the subject of observations.

    Attributes:
        id: stable id (ISO code or slug).
        kind: the actor kind.
        name_en: English name.
        name_local: name in the local language (Russian for Russian actors).
        validity: the dates the actor existed (open ends allowed).
        parent: the actor this one belongs to (a subject's federation, a foreign region's
            state, a fund's organization, a company's registration region).
        attributes: further typed facts (e.g. a programme's budget), each sourced in the case.
        sources: where the actor's existence and dates come from.
        status: verified / partial / assumed.
        note: free text, e.g. why something is assumed.
    """

    id: ActorId
    kind: ActorKind
    name_en: str
    name_local: str = ""
    validity: Interval = field(default_factory=Interval)
    parent: ActorId | None = None
    attributes: Mapping[str, AttributeValue] = field(default_factory=lambda: _EMPTY)
    sources: tuple[SourceRef, ...] = ()
    status: Status = Status.VERIFIED
    note: str = ""

    @property
    def is_multilateral(self) -> bool:
        """True for organizations, funds and programmes."""
        return self.kind.is_multilateral

    def label(self) -> str:
        """Return ``"Name (ID)"`` for messages and reports."""
        return f"{self.name_en} ({self.id})"
