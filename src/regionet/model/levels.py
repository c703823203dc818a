"""The level classifier: which of the memo's levels of cooperation a tie belongs to.

The memo (para 10) names three levels: *bilateral* cooperation between members of the
federation, *subnational* cooperation within associations of members, and *international*
cooperation, "cross-border (i.e., cooperative projects between regions in neighboring
countries) and trans-regional (i.e., collaboration with and within multilateral
organizations)" (para 13). regionet adds four levels so that every tie has one: *vertical*
(the centre with members), *interstate* (the federation itself with a foreign state, e.g.
Moscow's agreements with Sweden and Norway, para 14), *federal* (the centre and its agencies
alone) and *external* (no party of the federation at all).

Rules, in order (each classification carries a one-line reason; docs/levels.md):

1. Each party is resolved to a side: ``member`` (a subject, or a company registered in
   one), ``centre`` (the federation or one of its agencies), ``association`` (of members),
   ``foreign`` (a foreign state or one of its regions), ``structure`` (a cross-border
   structure such as a Euroregion: an organization with a ``cross_border_states``
   attribute), ``multilateral`` (any other organization, fund or programme).
2. With no member and no association among the parties, a ``location`` that is a member
   stands in for one ("classified as if RU-KR took part").
3. Without a member or association: no centre party → ``external``; the centre with a
   multilateral party → ``international``/``trans-regional`` (the party is the federation
   itself); the centre with a foreign party → ``interstate``; the centre alone →
   ``federal``.
4. A member or association with a multilateral party → ``international``/``trans-regional``.
5. A member or association with foreign parties or structures → ``international``:
   ``cross-border`` if **every** foreign party is bordered, by land or sea, by at least one
   member party itself (an association counts through its members at the tie's date); a
   foreign region counts as its state, a structure as the states it spans. Otherwise
   ``non-adjacent`` (Karelia–Vermont, Kaliningrad–Germany).
6. An association (with members or the centre) → ``subnational``.
7. The centre with members → ``vertical``.
8. Members only → ``bilateral``; ``neighbours`` is True when **every** pair shares a border;
   a border approximated from a 2008 successor's polygon is said to be shared
   "approximately".

Examples:
    >>> from regionet.model.actors import Actor, ActorKind
    >>> def a(i, k, name, parent=None):
    ...     return Actor(ActorId(i), k, name, parent=ActorId(parent) if parent else None)
    >>> fed = Federation(ActorId("RU"), {x.id: x for x in [
    ...     a("RU", ActorKind.CENTRE, "Russia"), a("RU-KR", ActorKind.SUBJECT, "Karelia", "RU"),
    ...     a("RU-MUR", ActorKind.SUBJECT, "Murmansk", "RU"), a("FI", ActorKind.STATE, "Finland"),
    ...     a("US", ActorKind.STATE, "United States"),
    ...     a("US-VT", ActorKind.FOREIGN_REGION, "Vermont", "US")]},
    ...     land_borders={"RU-KR": {"FI"}, "RU-MUR": {"FI"}},
    ...     adjacency={frozenset({"RU-KR", "RU-MUR"})})
    >>> c = fed.classify(["RU-KR", "FI"])
    >>> c.level.value, c.sublevel.value, c.reason
    ('international', 'cross-border', 'RU-KR and FI: RU-KR borders FI by land')
    >>> fed.classify(["RU-KR", "US-VT"]).reason
    'RU-KR and US-VT: RU-KR does not border US (US-VT is a region of US)'
    >>> fed.classify(["RU", "FI"], location="RU-KR").reason
    'RU and FI, located in RU-KR (classified as if RU-KR took part): RU-KR borders FI by land'
    >>> fed.classify(["RU-KR", "RU-MUR"]).reason
    'RU-KR and RU-MUR: members of RU that share a border'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from enum import StrEnum

from regionet.core.errors import UnknownActorError, did_you_mean
from regionet.core.ids import ActorId
from regionet.core.periods import Interval
from regionet.model.actors import Actor, ActorKind

__all__ = ["CROSS_BORDER_STATES", "Classification", "Federation", "Level", "Side", "Sublevel"]

#: The actor attribute that makes an organization a cross-border structure (a Euroregion):
#: the foreign states whose regions it joins with the federation's.
CROSS_BORDER_STATES = "cross_border_states"


class Level(StrEnum):
    """Levels of cooperation: the memo's three (para 10) and four that complete them."""

    BILATERAL = "bilateral"
    SUBNATIONAL = "subnational"
    INTERNATIONAL = "international"
    VERTICAL = "vertical"
    INTERSTATE = "interstate"
    FEDERAL = "federal"
    EXTERNAL = "external"


class Sublevel(StrEnum):
    """Sublevels of international cooperation (memo para 13, plus non-adjacent)."""

    CROSS_BORDER = "cross-border"
    TRANS_REGIONAL = "trans-regional"
    NON_ADJACENT = "non-adjacent"


class Side(StrEnum):
    """What a party of a tie is, for the classifier."""

    MEMBER = "member"
    CENTRE = "centre"
    ASSOCIATION = "association"
    FOREIGN = "foreign"
    STRUCTURE = "structure"
    MULTILATERAL = "multilateral"
    NONE = "none"



@dataclass(frozen=True)
class Classification:
    """The level of a tie, its sublevel (international only), and why.

    Attributes:
        level: the level.
        sublevel: for international ties, the sublevel; else None.
        reason: one line naming the parties and the rule applied.
        neighbours: for bilateral ties of two or more members, whether every pair shares a
            border (None when unknown or not applicable).
        members: the members of the federation the classification stands on: the member
            parties (a company counts as its registration region) or, when no member or
            association is a party, the tie's location.
    """

    level: Level
    sublevel: Sublevel | None
    reason: str
    neighbours: bool | None = None
    members: tuple[ActorId, ...] = ()


@dataclass(slots=True)
class _Parties:
    """The parties of one tie, by side."""

    members: list[ActorId]
    via: dict[ActorId, str]
    centre: list[str]
    associations: list[str]
    foreign: list[str]
    multilateral: list[str]
    who: str
    period: Interval


@dataclass(frozen=True)
class Federation:
    """What the classifier needs to know about a federation.

    Attributes:
        id: the centre's actor id (e.g. ``RU``).
        actors: every actor of the case, by id.
        land_borders: foreign states each member borders by land.
        sea_borders: foreign states each member borders by sea.
        adjacency: unordered pairs of members that share a border.
        approximate_adjacency: the pairs of ``adjacency`` known only approximately (a
            border inherited from a later successor's polygon).
        association_members: for each association, its members and when they belonged.
    """

    id: ActorId
    actors: Mapping[ActorId, Actor]
    land_borders: Mapping[str, set[str]] = field(default_factory=dict)
    sea_borders: Mapping[str, set[str]] = field(default_factory=dict)
    adjacency: AbstractSet[frozenset[str]] = field(default_factory=frozenset)
    approximate_adjacency: AbstractSet[frozenset[str]] = field(default_factory=frozenset)
    association_members: Mapping[str, Sequence[tuple[str, Interval]]] = field(
        default_factory=dict)
    # The side of each party seen so far (a federation is built once and never changes).
    _sides: dict[str, tuple[Side, ActorId | None]] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    # The same for the states a party stands for, and whether the case has border data.
    _states: dict[str, frozenset[str]] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    _has_borders: list[bool] = field(default_factory=list, init=False, repr=False,
                                     compare=False)

    def actor(self, actor_id: str) -> Actor:
        """Return an actor by id; raises UnknownActorError with suggestions."""
        try:
            return self.actors[ActorId(actor_id)]
        except KeyError:
            raise UnknownActorError(
                "unknown actor", field="actors", value=actor_id,
                expected="an actor id defined in the case or workspace",
                hint=did_you_mean(actor_id, self.actors)) from None

    def _lineage(self, actor: Actor) -> Iterator[Actor]:
        """The actor, its parent, the parent's parent…; a parent cycle ends the walk."""
        seen: set[str] = set()
        current: Actor | None = actor
        while current is not None and current.id not in seen:
            yield current
            seen.add(current.id)
            current = self.actors.get(current.parent) if current.parent else None

    def _belongs_to_centre(self, actor: Actor) -> bool:
        return any(a.id == self.id for a in self._lineage(actor))

    def _owner(self, actor: Actor) -> tuple[Side, ActorId | None] | None:
        """Whose an actor is, walking up its parents: the first member or the centre reached.

        A regional ministry (an agency whose parent is ``RU-KR``) or a company registered in
        a region is the member's; the Foreign Ministry (parent ``RU``) and its units are the
        centre's; a chain that ends abroad, or loops, is nobody's (None).
        """
        for a in self._lineage(actor):
            if a.id == self.id:
                return Side.CENTRE, None
            if a.kind is ActorKind.SUBJECT and a.parent == self.id:
                return Side.MEMBER, a.id
        return None

    def side(self, actor_id: str) -> tuple[Side, ActorId | None]:
        """Return the side of a party and, for members, the member it stands for."""
        known = self._sides.get(actor_id)
        if known is None:
            known = self._sides[actor_id] = self._side(actor_id)
        return known

    def _side(self, actor_id: str) -> tuple[Side, ActorId | None]:
        actor = self.actor(actor_id)
        kind = actor.kind
        if kind is ActorKind.SUBJECT and actor.parent == self.id:
            return Side.MEMBER, actor.id
        if kind is ActorKind.CENTRE and actor.id == self.id:
            return Side.CENTRE, None
        if kind in (ActorKind.AGENCY, ActorKind.COMPANY):
            owner = self._owner(actor)
            if owner is not None:
                return owner
        if kind is ActorKind.ASSOCIATION and self._belongs_to_centre(actor):
            return Side.ASSOCIATION, None
        if kind.is_foreign_territorial or kind is ActorKind.CENTRE:
            return Side.FOREIGN, None
        if kind.is_multilateral:
            return (Side.STRUCTURE if self.states_of(actor_id) else Side.MULTILATERAL), None
        return Side.NONE, None

    def states_of(self, actor_id: str) -> frozenset[str]:
        """Return the foreign states a foreign party stands for (for the border test).

        A state stands for itself, a foreign region for its state, a cross-border structure
        for the states in its ``cross_border_states`` attribute; anything else for none.
        """
        known = self._states.get(actor_id)
        if known is None:
            known = self._states[actor_id] = self._states_of(actor_id)
        return known

    def _states_of(self, actor_id: str) -> frozenset[str]:
        actor = self.actor(actor_id)
        if actor.kind is ActorKind.FOREIGN_REGION and actor.parent:
            return frozenset({actor.parent})
        if actor.kind.is_foreign_territorial or actor.kind is ActorKind.CENTRE:
            return frozenset({actor.id})
        value = actor.attributes.get(CROSS_BORDER_STATES)
        return frozenset(s.strip() for s in str(value or "").split(";") if s.strip())

    def border_with(self, member: str, state: str) -> str | None:
        """Return how ``member`` itself borders ``state``: "land", "sea", "land and sea" or None.

        Examples:
            >>> fed = Federation(ActorId("RU"), {}, land_borders={"RU-MUR": {"NO"}},
            ...                  sea_borders={"RU-MUR": {"NO"}})
            >>> fed.border_with("RU-MUR", "NO"), fed.border_with("RU-MUR", "FI")
            ('land and sea', None)
        """
        how = [w for w, table in (("land", self.land_borders), ("sea", self.sea_borders))
               if state in table.get(member, ())]
        return " and ".join(how) or None

    def members_of(self, association: str, period: Interval | None = None) -> list[str]:
        """Return the members of ``association`` whose membership overlaps ``period``."""
        when = period or Interval()
        return sorted({m for m, during in self.association_members.get(association, ())
                       if during.overlaps(when)})

    def classify(self, parties: Iterable[str], *, location: str | None = None,
                 period: Interval | None = None) -> Classification:
        """Classify a tie between ``parties`` (actor ids).

        Args:
            parties: the actor ids of the tie's parties.
            location: the subject where the tie takes effect, if it is not a party; it
                stands in for a member when no member or association is a party.
            period: the tie's dates (which members an association had); default open.

        Raises:
            UnknownActorError: when a party or the location is not a known actor.
        """
        p = self._parties(list(dict.fromkeys(parties)), location, period or Interval())
        regional = bool(p.members or p.associations)
        outside = p.foreign
        if not regional:
            return self._without_members(p)
        if p.multilateral:
            return self._result(p, Level.INTERNATIONAL, Sublevel.TRANS_REGIONAL,
                                f"multilateral party ({self._names(p.multilateral)})")
        if outside:
            return self._international(p)
        if p.associations:
            return self._result(p, Level.SUBNATIONAL, None,
                                f"through the association {', '.join(sorted(p.associations))} "
                                f"of members of {self.id}")
        if p.centre:
            return self._result(p, Level.VERTICAL, None,
                                f"the centre ({', '.join(sorted(p.centre))}) with members")
        return self._bilateral(p)

    def _parties(self, ids: list[str], location: str | None, period: Interval) -> _Parties:
        sides = self._sides
        side_of = self.side
        centre: list[str] = []
        associations: list[str] = []
        foreign: list[str] = []
        structures: list[str] = []
        multilateral: list[str] = []
        members: list[ActorId] = []
        via: dict[ActorId, str] = {}
        for i in ids:  # one pass (a million-tie import classifies every tie)
            side_i, m = sides.get(i) or side_of(i)
            if m is not None:
                if m not in members:
                    members.append(m)
                if m not in ids:
                    via[m] = f" (region of {i})"
            elif side_i is Side.CENTRE:
                centre.append(i)
            elif side_i is Side.ASSOCIATION:
                associations.append(i)
            elif side_i is Side.FOREIGN:
                foreign.append(i)
            elif side_i is Side.STRUCTURE:
                structures.append(i)
            elif side_i is Side.MULTILATERAL:
                multilateral.append(i)
        who = (" and ".join(ids) if len(ids) <= 4
               else f"{', '.join(ids[:4])} and {len(ids) - 4} more")
        if not members and not associations and location:
            side, member = self.side(location)
            if side is Side.MEMBER and member is not None:
                members = [member]
                who += f", located in {member} (classified as if {member} took part)"
        return _Parties(members, via, centre, associations, foreign + structures, multilateral,
                        who, period)

    def _result(self, p: _Parties, level: Level, sublevel: Sublevel | None, why: str,
                neighbours: bool | None = None) -> Classification:
        return Classification(level, sublevel, f"{p.who}: {why}", neighbours,
                              tuple(p.members))

    def _names(self, ids: Iterable[str]) -> str:
        return ", ".join(sorted(self.actors[ActorId(i)].name_en for i in ids))

    def _without_members(self, p: _Parties) -> Classification:
        if not p.centre:
            return self._result(p, Level.EXTERNAL, None,
                                f"no party is {self.id}, one of its members, associations "
                                "or agencies")
        centre = f"the party is the federation itself ({', '.join(sorted(p.centre))})"
        if p.multilateral:
            return self._result(p, Level.INTERNATIONAL, Sublevel.TRANS_REGIONAL,
                                f"{centre}, with a multilateral party "
                                f"({self._names(p.multilateral)})")
        if p.foreign:
            return self._result(p, Level.INTERSTATE, None,
                                f"{centre}, with a foreign party ({self._names(p.foreign)}); "
                                f"no member of {self.id} takes part")
        return self._result(p, Level.FEDERAL, None,
                            f"within the federal centre ({', '.join(sorted(p.centre))}); no member "
                            f"or foreign party")

    def _international(self, p: _Parties) -> Classification:
        units = {m: p.via.get(m, "") for m in p.members}
        for assoc in sorted(p.associations):
            for m in self.members_of(assoc, p.period):
                units.setdefault(ActorId(m), f" (member of {assoc})")
        if not self._has_borders:
            self._has_borders.append(any(self.land_borders.values())
                                     or any(self.sea_borders.values()))
        has_data = self._has_borders[0]
        said: list[str] = []
        every = True
        for f in sorted(p.foreign):
            states = sorted(self.states_of(f))
            what = self._what(f, states)
            by_how: dict[str, list[str]] = {}
            for state in states:
                for unit in sorted(units):
                    how = self.border_with(unit, state)
                    if how is not None:
                        by_how.setdefault(f"{state} by {how}", []).append(unit + units[unit])
            if by_how:
                said += [f"{', '.join(us)} border{'s' if len(us) == 1 else ''} {k}{what}"
                         for k, us in sorted(by_how.items())]
                continue
            every = False
            target = f"{' or '.join(states) or f}{what}"
            if not units:
                said.append(f"no member borders {target} (the association has no member "
                            "at the tie's date)")
                continue
            who = ", ".join(sorted(u + units[u] for u in units))
            said.append(f"{who} {'does' if len(units) == 1 else 'do'} not border {target}"
                        + ("" if has_data else " (the case has no border data)"))
        sub = Sublevel.CROSS_BORDER if every else Sublevel.NON_ADJACENT
        return self._result(p, Level.INTERNATIONAL, sub, "; ".join(said))

    def _what(self, party: str, states: list[str]) -> str:
        kind = self.actor(party).kind
        if kind is ActorKind.FOREIGN_REGION:
            return f" ({party} is a region of {states[0]})" if states else ""
        if party in states:
            return ""
        return f" ({party} is a cross-border structure)"

    def _bilateral(self, p: _Parties) -> Classification:
        members = p.members
        if len(members) == 1:
            return self._result(p, Level.BILATERAL, None,
                                f"within one member ({members[0]}), intra-regional")
        pairs = [frozenset({a, b}) for i, a in enumerate(members) for b in members[i + 1:]]
        if not self.adjacency:
            return self._result(p, Level.BILATERAL, None,
                                f"members of {self.id} (adjacency unknown)")
        shared = [q for q in pairs if q in self.adjacency]
        approx = [q for q in shared if q in self.approximate_adjacency]
        if len(members) == 2:
            text = ("that approximately share a border (the 1999 border is approximated "
                    "from a later successor's)" if approx
                    else "that share a border" if shared else "with no common border")
            return self._result(p, Level.BILATERAL, None, f"members of {self.id} {text}",
                                bool(shared))
        note = f" ({len(approx)} approximately)" if approx else ""
        return self._result(p, Level.BILATERAL, None,
                            f"{len(members)} members of {self.id}, {len(shared)} of "
                            f"{len(pairs)} pairs share a border{note}",
                            len(shared) == len(pairs))
