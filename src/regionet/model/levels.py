"""The level classifier: which of the memo's levels of cooperation a tie belongs to.

The memo (para 10) distinguishes three levels: *bilateral* cooperation between members of
the federation, *subnational* cooperation within associations of members, and
*international* cooperation, either *cross-border* (with regions or states of
neighbouring countries) or *trans-regional* (with and within multilateral organizations).
regionet adds *vertical* (the centre with members) and *external* (no member involved).

Rules, in order (each classification carries a one-line reason):

1. Each party is resolved to a side: ``member`` (a subject of the federation, or a company
   registered in one), ``centre`` (the federation itself or one of its agencies),
   ``association`` (an association of members), ``foreign`` (a state or foreign region),
   ``multilateral`` (an organization, fund or programme).
2. No member and no association → ``external``.
3. A member or association with a foreign or multilateral party → ``international``;
   sublevel ``trans-regional`` if a multilateral party is present, else ``cross-border`` if
   every foreign party is a state bordering the federation (land or sea) or a region of
   one, else ``other``.
4. An association party → ``subnational``.
5. The centre with members → ``vertical``.
6. Otherwise (members only) → ``bilateral``; the reason says whether they share a border.

Examples:
    >>> from regionet.model.actors import Actor, ActorKind
    >>> def a(i, k, name, parent=None):
    ...     return Actor(ActorId(i), k, name, parent=ActorId(parent) if parent else None)
    >>> fed = Federation(ActorId("RU"), {x.id: x for x in [
    ...     a("RU", ActorKind.CENTRE, "Russia"), a("RU-KR", ActorKind.SUBJECT, "Karelia", "RU"),
    ...     a("RU-MUR", ActorKind.SUBJECT, "Murmansk", "RU"), a("FI", ActorKind.STATE, "Finland")]},
    ...     land_borders={"RU-KR": {"FI"}}, adjacency={frozenset({"RU-KR", "RU-MUR"})})
    >>> c = fed.classify(["RU-KR", "FI"])
    >>> c.level.value, c.sublevel.value
    ('international', 'cross-border')
    >>> c.reason
    'RU-KR and FI: Finland borders Russia by land (and RU-KR itself)'
    >>> fed.classify(["RU-KR", "RU-MUR"]).reason
    'RU-KR and RU-MUR: members of RU that share a border'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from regionet.core.errors import UnknownActorError, did_you_mean
from regionet.core.ids import ActorId
from regionet.model.actors import Actor, ActorKind

__all__ = ["Classification", "Federation", "Level", "Sublevel"]


class Level(StrEnum):
    """Levels of cooperation (memo para 10, plus vertical and external)."""

    BILATERAL = "bilateral"
    SUBNATIONAL = "subnational"
    INTERNATIONAL = "international"
    VERTICAL = "vertical"
    EXTERNAL = "external"


class Sublevel(StrEnum):
    """Sublevels of international cooperation (memo para 13)."""

    CROSS_BORDER = "cross-border"
    TRANS_REGIONAL = "trans-regional"
    OTHER = "other"


@dataclass(frozen=True)
class Classification:
    """The level of a tie, its sublevel (international only), and why.

    Attributes:
        level: the level.
        sublevel: for international ties, the sublevel; else None.
        reason: one line naming the parties and the rule applied.
        neighbours: for bilateral ties of two members, whether they share a border
            (None when unknown or not applicable).
    """

    level: Level
    sublevel: Sublevel | None
    reason: str
    neighbours: bool | None = None


_SIDE_MEMBER, _SIDE_CENTRE, _SIDE_ASSOC = "member", "centre", "association"
_SIDE_FOREIGN, _SIDE_MULTI, _SIDE_NONE = "foreign", "multilateral", "none"


@dataclass(frozen=True)
class Federation:
    """What the classifier needs to know about a federation.

    Attributes:
        id: the centre's actor id (e.g. ``RU``).
        actors: every actor of the case, by id.
        land_borders: foreign states each member borders by land.
        sea_borders: foreign states each member borders by sea.
        adjacency: unordered pairs of members that share a border.
    """

    id: ActorId
    actors: Mapping[ActorId, Actor]
    land_borders: Mapping[str, set[str]] = field(default_factory=dict)
    sea_borders: Mapping[str, set[str]] = field(default_factory=dict)
    adjacency: set[frozenset[str]] = field(default_factory=set)
    # The side of each party seen so far (a federation is built once and never changes).
    _sides: dict[str, tuple[str, ActorId | None]] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def actor(self, actor_id: str) -> Actor:
        """Return an actor by id; raises UnknownActorError with suggestions."""
        try:
            return self.actors[ActorId(actor_id)]
        except KeyError:
            raise UnknownActorError(
                "unknown actor", field="actors", value=actor_id,
                expected="an actor id defined in the case or workspace",
                hint=did_you_mean(actor_id, self.actors)) from None

    def _belongs_to_centre(self, actor: Actor) -> bool:
        seen: set[str] = set()
        current: Actor | None = actor
        while current is not None and current.id not in seen:
            if current.id == self.id:
                return True
            seen.add(current.id)
            current = self.actors.get(current.parent) if current.parent else None
        return False

    def side(self, actor_id: str) -> tuple[str, ActorId | None]:
        """Return the side of a party and, for members, the member it stands for."""
        known = self._sides.get(actor_id)
        if known is None:
            known = self._sides[actor_id] = self._side(actor_id)
        return known

    def _side(self, actor_id: str) -> tuple[str, ActorId | None]:
        actor = self.actor(actor_id)
        kind = actor.kind
        if kind is ActorKind.SUBJECT and actor.parent == self.id:
            return _SIDE_MEMBER, actor.id
        if kind is ActorKind.COMPANY and actor.parent is not None:
            parent = self.actors.get(actor.parent)
            if parent is not None and parent.kind is ActorKind.SUBJECT:
                return self.side(parent.id)
        if kind is ActorKind.CENTRE and actor.id == self.id:
            return _SIDE_CENTRE, None
        if kind in (ActorKind.AGENCY, ActorKind.COMPANY) and self._belongs_to_centre(actor):
            return _SIDE_CENTRE, None
        if kind is ActorKind.ASSOCIATION and self._belongs_to_centre(actor):
            return _SIDE_ASSOC, None
        if kind.is_foreign_territorial or kind is ActorKind.CENTRE:
            return _SIDE_FOREIGN, None
        if kind.is_multilateral:
            return _SIDE_MULTI, None
        return _SIDE_NONE, None

    @cached_property
    def neighbouring_states(self) -> dict[str, str]:
        """Foreign states bordering the federation, mapped to "land" or "sea" (do not mutate)."""
        out: dict[str, str] = {}
        for states in self.sea_borders.values():
            out.update(dict.fromkeys(states, "sea"))
        for states in self.land_borders.values():
            out.update(dict.fromkeys(states, "land"))
        return out

    def _state_of(self, actor: Actor) -> str:
        if actor.kind is ActorKind.FOREIGN_REGION and actor.parent:
            return actor.parent
        return actor.id

    def _name(self, actor_id: str) -> str:
        actor = self.actors.get(ActorId(actor_id))
        return actor.name_en if actor else actor_id

    def classify(self, parties: Iterable[str]) -> Classification:
        """Classify a tie between ``parties`` (actor ids).

        Raises:
            UnknownActorError: when a party is not a known actor.
        """
        ids = list(dict.fromkeys(parties))
        sides = {i: self.side(i) for i in ids}
        members = list(dict.fromkeys(m for s, m in sides.values() if m is not None))
        by_side = {s: [i for i in ids if sides[i][0] == s] for s in
                   (_SIDE_CENTRE, _SIDE_ASSOC, _SIDE_FOREIGN, _SIDE_MULTI)}
        who = (" and ".join(ids) if len(ids) <= 4
               else f"{', '.join(ids[:4])} and {len(ids) - 4} more")
        fed = self._name(self.id)
        if not members and not by_side[_SIDE_ASSOC]:
            return Classification(Level.EXTERNAL, None,
                                  f"{who}: no member of {self.id} is a party")
        outside = by_side[_SIDE_FOREIGN] + by_side[_SIDE_MULTI]
        if outside:
            return self._international(who, members, by_side[_SIDE_FOREIGN],
                                       by_side[_SIDE_MULTI], fed)
        if by_side[_SIDE_ASSOC]:
            assoc = ", ".join(by_side[_SIDE_ASSOC])
            return Classification(Level.SUBNATIONAL, None,
                                  f"{who}: through the association {assoc} of members of {self.id}")
        if by_side[_SIDE_CENTRE]:
            return Classification(Level.VERTICAL, None,
                                  f"{who}: the centre ({by_side[_SIDE_CENTRE][0]}) with members")
        return self._bilateral(who, members)

    def _bilateral(self, who: str, members: list[ActorId]) -> Classification:
        if len(members) == 1:
            return Classification(Level.BILATERAL, None,
                                  f"{who}: within one member ({members[0]}), intra-regional")
        pairs = [frozenset({a, b}) for i, a in enumerate(members) for b in members[i + 1:]]
        if not self.adjacency:
            return Classification(Level.BILATERAL, None,
                                  f"{who}: members of {self.id} (adjacency unknown)")
        shared = [p for p in pairs if p in self.adjacency]
        if len(members) == 2:
            neighbours = bool(shared)
            text = "that share a border" if neighbours else "with no common border"
            return Classification(Level.BILATERAL, None, f"{who}: members of {self.id} {text}",
                                  neighbours)
        return Classification(Level.BILATERAL, None,
                              f"{who}: {len(members)} members of {self.id}, "
                              f"{len(shared)} of {len(pairs)} pairs share a border",
                              len(shared) == len(pairs))

    def _international(self, who: str, members: list[ActorId], foreign: list[str],
                       multi: list[str], fed: str) -> Classification:
        if multi:
            names = ", ".join(self._name(m) for m in multi)
            return Classification(Level.INTERNATIONAL, Sublevel.TRANS_REGIONAL,
                                  f"{who}: multilateral party ({names})")
        neighbouring = self.neighbouring_states
        reasons: list[str] = []
        all_neighbouring = True
        for f in foreign:
            actor = self.actor(f)
            state = self._state_of(actor)
            how = neighbouring.get(state)
            state_name = self._name(state)
            if how is None:
                all_neighbouring = False
                reasons.append(f"{state_name} does not border {fed}")
                continue
            direct = [m for m in members
                      if state in self.land_borders.get(m, set()) | self.sea_borders.get(m, set())]
            region = f"{actor.name_en} is a region of {state_name}; " if actor.id != state else ""
            own = f" (and {', '.join(direct)} itself)" if direct else ""
            reasons.append(f"{region}{state_name} borders {fed} by {how}{own}")
        sub = Sublevel.CROSS_BORDER if all_neighbouring else Sublevel.OTHER
        return Classification(Level.INTERNATIONAL, sub, f"{who}: " + "; ".join(reasons))
