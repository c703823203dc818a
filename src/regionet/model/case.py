"""A case: every actor, tie, observation, document and vocabulary of one federation study.

A :class:`Case` is plain data plus the level classifier; loading it from files lives in
:mod:`regionet.io.casefiles` and storing it in :mod:`regionet.storage`.

Examples:
    >>> import regionet as rn
    >>> case = rn.load_case("russia-1990s")
    >>> case.classify("t-kr-mur-bilateral").level.value
    'bilateral'
    >>> len(case.select_ties(level="international", sublevel="cross-border", actor="RU-KR")) > 0
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from types import MappingProxyType

from regionet.core.errors import InvalidValueError, UnknownReferenceError, did_you_mean
from regionet.core.ids import ActorId, DocumentId, ObservationId, TieId
from regionet.core.money import RatesTable
from regionet.core.periods import Interval
from regionet.model.actors import Actor, ActorKind, AttributeValue
from regionet.model.levels import Classification, Federation, Level, Sublevel
from regionet.model.observations import Observation
from regionet.model.sources import Document, SourceRef, Status
from regionet.model.ties import Tie
from regionet.model.vocab import Vocabulary

__all__ = ["BORDER_ATTRIBUTES", "MEMBERSHIP", "AttributeRecord", "Case", "TieFilter",
           "association_membership", "border_states"]

#: The subject attributes the level classifier reads: foreign states bordering by land, by sea.
BORDER_ATTRIBUTES = ("land_border_states", "sea_border_states")
#: The tie kind that makes a subject a member of an association.
MEMBERSHIP = "membership"


@dataclass(frozen=True)
class AttributeRecord:
    """One sourced attribute value of an actor (e.g. a programme's budget)."""

    actor: ActorId
    attribute: str
    value: AttributeValue
    unit: str = ""
    sources: tuple[SourceRef, ...] = ()
    status: Status = Status.VERIFIED
    note: str = ""


@dataclass(frozen=True)
class TieFilter:
    """Criteria for :meth:`Case.select_ties`; ``None`` means "any".

    Raises:
        InvalidValueError: for a level or sublevel that does not exist.
    """

    level: str | None = None
    sublevel: str | None = None
    actor: str | None = None
    kind: str | None = None
    year: int | None = None
    as_of: date | None = None
    status: str | None = None

    def __post_init__(self) -> None:
        if self.level is not None and self.level not in Level.__members__.values():
            raise InvalidValueError("unknown level", field="level", value=self.level,
                                    expected="one of " + ", ".join(lv.value for lv in Level))
        if self.sublevel is not None and self.sublevel not in Sublevel.__members__.values():
            raise InvalidValueError("unknown sublevel", field="sublevel", value=self.sublevel,
                                    expected="one of " + ", ".join(s.value for s in Sublevel))
        if self.status is not None and self.status not in Status.__members__.values():
            raise InvalidValueError("unknown status", field="status", value=self.status,
                                    expected="one of " + ", ".join(s.value for s in Status))


@dataclass(frozen=True, eq=False)
class Case:
    """A federation case study: immutable once made.

    The mappings become read-only views of copies and the lists tuples on creation, so a
    case shared by every request of a server cannot be changed by one of them; a changed
    case is a new ``Case`` (the workspace's import builds one).

    Attributes:
        id: the case id (``russia-1990s``).
        title: a human title.
        federation: the centre's actor id (``RU``).
        documents: source documents by id.
        vocab: tie kinds, domains and indicators.
        actors: actors by id.
        ties: ties by id.
        observations: observations by id.
        attributes: sourced attribute records of actors.
        rates: the exchange-rates table.
        adjacency: unordered pairs of members that share a border.
        approximate_adjacency: the pairs of ``adjacency`` known only approximately (in the
            bundled case: borders of 1999 inherited from a 2008 successor's polygon).
        description: what the case covers.
        credits: attributions required by the data's licences.
    """

    id: str
    title: str
    federation: ActorId
    documents: Mapping[DocumentId, Document]
    vocab: Vocabulary
    actors: Mapping[ActorId, Actor]
    ties: Mapping[TieId, Tie]
    observations: Mapping[ObservationId, Observation]
    attributes: Sequence[AttributeRecord] = ()
    rates: RatesTable = field(default_factory=lambda: RatesTable([]))
    adjacency: AbstractSet[frozenset[str]] = frozenset()
    approximate_adjacency: AbstractSet[frozenset[str]] = frozenset()
    description: str = ""
    credits: Sequence[str] = ()

    def __post_init__(self) -> None:
        freeze = {"documents": MappingProxyType(dict(self.documents)),
                  "actors": MappingProxyType(dict(self.actors)),
                  "ties": MappingProxyType(dict(self.ties)),
                  "observations": MappingProxyType(dict(self.observations)),
                  "attributes": tuple(self.attributes), "adjacency": frozenset(self.adjacency),
                  "approximate_adjacency": frozenset(self.approximate_adjacency),
                  "credits": tuple(self.credits)}
        for name, value in freeze.items():
            object.__setattr__(self, name, value)

    @cached_property
    def federation_model(self) -> Federation:
        """The classifier's view of the federation.

        Borders with foreign states come from the subjects' ``land_border_states`` and
        ``sea_border_states`` attributes; an association's members (with dates) from the
        ``membership`` ties of a subject with an association.
        """
        land: dict[str, set[str]] = {}
        sea: dict[str, set[str]] = {}
        for a in self.actors.values():
            if a.kind is ActorKind.SUBJECT:
                land[a.id] = border_states(a.attributes.get("land_border_states"))
                sea[a.id] = border_states(a.attributes.get("sea_border_states"))
        members: dict[str, list[tuple[str, Interval]]] = {}
        for t in self.ties.values():
            pair = association_membership(t.kind, t.actors, self.actors)
            if pair is not None:
                members.setdefault(pair[0], []).append((pair[1], t.validity))
        return Federation(self.federation, self.actors, land, sea, self.adjacency,
                          self.approximate_adjacency, members)

    @cached_property
    def _classifications(self) -> dict[TieId, Classification]:
        return {t.id: self._classify(t) for t in self.ties.values()}

    def _classify(self, tie: Tie) -> Classification:
        return self.federation_model.classify(tie.actors, location=tie.location,
                                              period=tie.validity)

    def actor(self, actor_id: str) -> Actor:
        """Return an actor by id; raises UnknownActorError with suggestions."""
        return self.federation_model.actor(actor_id)

    def tie(self, tie_id: str) -> Tie:
        """Return a tie by id; raises UnknownReferenceError with suggestions."""
        try:
            return self.ties[TieId(tie_id)]
        except KeyError:
            raise UnknownReferenceError("unknown tie", field="id", value=tie_id,
                                        expected="a tie id of the case",
                                        hint=did_you_mean(tie_id, self.ties)) from None

    def classify(self, tie: str | Tie) -> Classification:
        """Return the level classification of a tie (by id or object)."""
        t = self.tie(tie) if isinstance(tie, str) else tie
        cached = self._classifications.get(t.id)
        return cached if cached is not None else self._classify(t)

    def members(self) -> list[Actor]:
        """Return the federation's subjects, sorted by id."""
        return sorted((a for a in self.actors.values()
                       if a.kind is ActorKind.SUBJECT and a.parent == self.federation),
                      key=lambda a: a.id)

    def select_ties(self, criteria: TieFilter | None = None, **kwargs: object) -> list[Tie]:
        """Return the ties matching ``criteria`` (or keyword criteria of :class:`TieFilter`).

        ``actor`` also matches a tie's location; ``year`` keeps ties whose dates touch the
        year; ``as_of`` keeps ties valid on that date (undated ties always match).
        """
        f = criteria or TieFilter(**kwargs)  # type: ignore[arg-type]
        if f.actor is not None:
            self.actor(f.actor)
        if f.kind is not None:
            self.vocab.tie_kind(f.kind)
        out: list[Tie] = []
        for t in self.ties.values():
            c = self.classify(t)
            if f.level is not None and c.level != f.level:
                continue
            if f.sublevel is not None and c.sublevel != f.sublevel:
                continue
            if f.actor is not None and not t.involves(f.actor):
                continue
            if f.kind is not None and t.kind != f.kind:
                continue
            if f.year is not None and not t.validity.overlaps_year(f.year):
                continue
            if f.as_of is not None and not t.validity.contains(f.as_of):
                continue
            if f.status is not None and t.status != f.status:
                continue
            out.append(t)
        return out

    def attributes_of(self, actor_id: str) -> list[AttributeRecord]:
        """Return the sourced attribute records of one actor."""
        return [r for r in self.attributes if r.actor == actor_id]

    def summary(self) -> dict[str, int]:
        """Count actors by kind and ties by level (for reports and the CLI)."""
        counts: dict[str, int] = {"actors": len(self.actors), "ties": len(self.ties),
                                  "observations": len(self.observations),
                                  "documents": len(self.documents)}
        for a in self.actors.values():
            counts[f"actors.{a.kind.value}"] = counts.get(f"actors.{a.kind.value}", 0) + 1
        for c in self._classifications.values():
            key = f"ties.{c.level.value}" + (f".{c.sublevel.value}" if c.sublevel else "")
            counts[key] = counts.get(key, 0) + 1
        return counts


def association_membership(kind: str, parties: Sequence[str], actors: Mapping[ActorId, Actor]
                           ) -> tuple[ActorId, ActorId] | None:
    """Return ``(association, subject)`` if a tie makes a subject a member of an association.

    That is a ``membership`` tie of exactly two parties, a subject and an association; the
    classifier reads these (an association counts through its members at a tie's date).

    Examples:
        >>> actors = {ActorId("RU-KR"): Actor(ActorId("RU-KR"), ActorKind.SUBJECT, "Karelia"),
        ...           ActorId("nw"): Actor(ActorId("nw"), ActorKind.ASSOCIATION, "North-West")}
        >>> association_membership("membership", ["RU-KR", "nw"], actors)
        ('nw', 'RU-KR')
        >>> association_membership("cooperation", ["RU-KR", "nw"], actors) is None
        True
    """
    if kind != MEMBERSHIP or len(parties) != 2:
        return None
    by_kind = {actors[ActorId(a)].kind: ActorId(a) for a in parties if a in actors}
    if {ActorKind.SUBJECT, ActorKind.ASSOCIATION} != set(by_kind):
        return None
    return by_kind[ActorKind.ASSOCIATION], by_kind[ActorKind.SUBJECT]


def border_states(value: AttributeValue) -> set[str]:
    """Return the states of a ``;``-separated border attribute (empty for none).

    Examples:
        >>> sorted(border_states("FI; NO")), border_states(None)
        (['FI', 'NO'], set())
    """
    if not value:
        return set()
    return {p.strip() for p in str(value).split(";") if p.strip()}

