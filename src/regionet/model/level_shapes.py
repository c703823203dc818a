r"""The level classifier for many ties at once: one classification per *shape* of party set.

A million-tie import has few kinds of party set but many distinct ones: most ties pair a
subject with one of thousands of partner organizations, companies or foreign regions, and
a tie's reason names its parties, so caching :meth:`Federation.classify
<regionet.model.levels.Federation.classify>` by the parties themselves hits rarely.
:class:`ShapeClassifier` caches by **shape** instead: a party the classifier reads only
through its kind and parent stands for a *token* —

- a company registered in a member: ``("company", member)``;
- a foreign region: ``("region", state)``;
- a multilateral organization, fund or programme (no ``cross_border_states``):
  ``("multilateral", kind)``;

every other party (subjects, states, associations, the centre, agencies, structures) for
its own id, as do the location and, when an association is a party, the tie's dates. A
shape is classified once with stand-in actors (the same kind, parent and attributes under a
sentinel id and name) and its reason kept as a template that each tie fills with its own
parties' ids and names: the same text, level and neighbours as classifying the tie itself.

Guards that keep it exact:

- a token stands in only when it is alone in the groups the classifier sorts (by id the
  foreign parties and structures, by name the multilateral ones): otherwise the order of
  real ids or names could differ from the stand-ins', so such a shape is classified tie by
  tie;
- a shape is templated only when seen a second time: its template, filled with the first
  tie's parties, must give the first tie's own classification word for word, else the shape
  is classified tie by tie (a one-off shape costs one classification, as without a cache;
  a repeated one two, whatever the number of its ties).

A templated shape's :meth:`ShapeClassifier.pattern` gives its level columns and its reason as
literal pieces around its parties' ids and names (:class:`ReasonPattern`), so that a bulk
caller (the columnar ties import) can join many ties' reasons at once.

Examples:
    >>> from regionet.core.ids import ActorId
    >>> from regionet.model.actors import Actor, ActorKind
    >>> from regionet.model.levels import Federation
    >>> def a(i, k, name, parent=None):
    ...     return Actor(ActorId(i), k, name, parent=ActorId(parent) if parent else None)
    >>> fed = Federation(ActorId("RU"), {x.id: x for x in [
    ...     a("RU", ActorKind.CENTRE, "Russia"), a("RU-KR", ActorKind.SUBJECT, "Karelia", "RU"),
    ...     a("FI", ActorKind.STATE, "Finland"),
    ...     a("FI-1", ActorKind.FOREIGN_REGION, "Lapland", "FI"),
    ...     a("FI-2", ActorKind.FOREIGN_REGION, "Kainuu", "FI")]},
    ...     land_borders={"RU-KR": {"FI"}})
    >>> shapes = ShapeClassifier(fed)
    >>> shapes.values(["RU-KR", "FI-1"])[:2]
    ('international', 'cross-border')
    >>> shapes.values(["RU-KR", "FI-1"])[2]  # seen twice: the shape now has a template
    'RU-KR and FI-1: RU-KR borders FI by land (FI-1 is a region of FI)'
    >>> shapes.values(["RU-KR", "FI-2"])[2]  # the same shape: filled from its template
    'RU-KR and FI-2: RU-KR borders FI by land (FI-2 is a region of FI)'
    >>> shapes.values(["RU-KR", "FI-2"])[2] == fed.classify(["RU-KR", "FI-2"]).reason
    True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from string import Formatter
from typing import Any

from regionet.core.ids import ActorId
from regionet.core.periods import Interval
from regionet.model.actors import Actor, ActorKind
from regionet.model.levels import Classification, Federation, Side

__all__ = ["ClassificationValues", "ReasonPattern", "ShapeClassifier"]

#: A tie's classification columns: level, sublevel, reason, neighbours.
ClassificationValues = tuple[str, str | None, str, bool | None]
#: The sides the classifier sorts by id or name, grouped as it sorts them.
_GROUPS: Mapping[Side, str] = {Side.FOREIGN: "foreign", Side.STRUCTURE: "foreign",
                               Side.MULTILATERAL: "multilateral"}
#: Sentinels around a stand-in's number in its id and its name (no actor id or name has them).
_ID, _NAME = "\x02", "\x03"


def _values(c: Classification) -> ClassificationValues:
    return (c.level.value, c.sublevel.value if c.sublevel else None, c.reason, c.neighbours)


class _Overlay(Mapping[ActorId, Actor]):
    """The federation's actors and the stand-ins (looked up first)."""

    def __init__(self, base: Mapping[ActorId, Actor]) -> None:
        self.base = base
        self.extra: dict[str, Actor] = {}

    def __getitem__(self, key: ActorId) -> Actor:
        found = self.extra.get(key)
        return self.base[key] if found is None else found

    def __contains__(self, key: object) -> bool:
        return key in self.extra or key in self.base

    def __iter__(self) -> Iterator[ActorId]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)


@dataclass(frozen=True, slots=True)
class _Template:
    """A shape's classification with its reason as a ``str.format`` template.

    ``slots`` are the positions of the stand-in parties, ``names`` whether the template
    uses each one's name (``{2j}`` is the id of the j-th stand-in party, ``{2j+1}`` its
    English name); ``values`` are the classification of the shape's first tie (a shape
    without stand-ins is one party set: those are its ties' values).
    """

    level: str
    sublevel: str | None
    reason: str
    neighbours: bool | None
    slots: tuple[int, ...]
    names: tuple[bool, ...]
    values: ClassificationValues


@dataclass(frozen=True, slots=True)
class ReasonPattern:
    """The classification of the ties of one templated shape, its reason as literal pieces.

    A tie's reason is ``literals[0]``, the id (or, where ``named``, the English name) of its
    party at ``positions[0]``, ``literals[1]``, and so on to ``literals[-1]``: the pieces let
    many ties' reasons be joined in bulk (:meth:`ShapeClassifier.pattern`).
    """

    level: str
    sublevel: str | None
    neighbours: bool | None
    literals: tuple[str, ...]
    positions: tuple[int, ...]
    named: tuple[bool, ...]

    def reason(self, parties: Sequence[str], name: Callable[[str], str]) -> str:
        """The reason of a tie between ``parties`` (``name`` gives a party's English name)."""
        out = [self.literals[0]]
        for position, named, literal in zip(self.positions, self.named, self.literals[1:],
                                            strict=True):
            party = parties[position]
            out += [name(party) if named else party, literal]
        return "".join(out)


@dataclass(frozen=True, slots=True)
class _FirstSeen:
    """A shape seen once: its first tie's parties and classification (to check a template)."""

    parties: tuple[str, ...]
    values: ClassificationValues


class ShapeClassifier:
    """Classify ties by the shape of their party sets (see the module).

    Args:
        fed: the federation; its classification of every tie is what this returns.
        limit: the most shapes kept at once (past it, those seen only once are dropped).
    """

    def __init__(self, fed: Federation, *, limit: int = 50_000) -> None:
        self.fed = fed
        self.limit = limit
        self._overlay = _Overlay(fed.actors)
        self._aliased = replace(fed, actors=self._overlay)
        self._tokens: dict[str, Any] = {}
        self._groups: dict[str, str | None] = {}
        self._names: dict[str, str] = {}
        self._associations: set[str] = set()
        self._shapes: dict[tuple[Any, ...], Any] = {}
        self._stand_ins: dict[tuple[Any, int], str] = {}
        self._untemplated = object()

    def values(self, parties: Sequence[str], location: str | None = None,
               period: Interval | None = None) -> ClassificationValues:
        """Return the classification columns of a tie between distinct ``parties``.

        The same as ``Federation.classify(parties, location=…, period=…)`` gives.

        Raises:
            UnknownActorError: when a party or the location is not a known actor.
        """
        key = self._key(parties, location, period)
        tokens = key[0]
        found = self._shapes.get(key)
        if found.__class__ is _Template:
            if not found.slots:
                return found.values
            names = self._names
            args: list[str] = []
            for slot, named in zip(found.slots, found.names, strict=True):
                party = parties[slot]
                args.append(party)
                args.append(names[party] if named else "")
            return found.level, found.sublevel, found.reason.format(*args), found.neighbours
        if isinstance(found, _FirstSeen):
            template = self._shapes[key] = self._template(tokens, found, parties, location,
                                                          period)
            if isinstance(template, _Template):
                return self.values(parties, location, period)
        real = _values(self.fed.classify(parties, location=location, period=period))
        if found is None:
            if len(self._shapes) >= self.limit:
                self._forget()
            self._shapes[key] = _FirstSeen(tuple(parties), real)
        return real

    def _key(self, parties: Sequence[str], location: str | None, period: Interval | None
             ) -> tuple[Any, ...]:
        """The shape of a tie: its parties' tokens, its location (and dates, see the module)."""
        try:
            tokens = tuple(map(self._tokens.__getitem__, parties))
        except KeyError:
            tokens = tuple(self._tokens.get(p) or self._token(p) for p in parties)
        if self._associations and not self._associations.isdisjoint(parties):
            return (tokens, location, period or Interval())
        return (tokens, location)

    def token(self, party: str) -> tuple[Any, bool]:
        """A party's token (its id, or what it stands for) and whether it is an association.

        Two ties whose parties have the same tokens, in order, at the same location (and,
        with an association, the same dates) have the same shape.

        Raises:
            UnknownActorError: when ``party`` is not a known actor.
        """
        token = self._tokens.get(party) or self._token(party)
        return token, party in self._associations

    def name(self, party: str) -> str:
        """The English name of a party seen by :meth:`token` or :meth:`values`."""
        return self._names[party]

    def pattern(self, parties: Sequence[str], location: str | None = None,
                period: Interval | None = None) -> ReasonPattern | None:
        """The classification of every tie of this tie's shape, once the shape is templated.

        None while the shape has no template (seen once, refused, or forgotten): its ties
        are classified by :meth:`values` one by one.

        Examples:
            >>> from regionet.core.ids import ActorId
            >>> from regionet.model.actors import Actor, ActorKind
            >>> fed = Federation(ActorId("RU"), {x.id: x for x in [
            ...     Actor(ActorId("RU"), ActorKind.CENTRE, "Russia"),
            ...     Actor(ActorId("RU-KR"), ActorKind.SUBJECT, "Karelia", parent=ActorId("RU")),
            ...     Actor(ActorId("FI"), ActorKind.STATE, "Finland"),
            ...     Actor(ActorId("FI-1"), ActorKind.FOREIGN_REGION, "Lapland",
            ...           parent=ActorId("FI"))]}, land_borders={"RU-KR": {"FI"}})
            >>> shapes = ShapeClassifier(fed)
            >>> shapes.pattern(["RU-KR", "FI-1"]) is None  # not seen yet
            True
            >>> _ = shapes.values(["RU-KR", "FI-1"]), shapes.values(["RU-KR", "FI-1"])
            >>> p = shapes.pattern(["RU-KR", "FI-1"])
            >>> p.literals
            ('RU-KR and ', ': RU-KR borders FI by land (', ' is a region of FI)')
            >>> p.positions, p.named
            ((1, 1), (False, False))
            >>> p.reason(["RU-KR", "FI-1"], shapes.name)
            'RU-KR and FI-1: RU-KR borders FI by land (FI-1 is a region of FI)'
        """
        found = self._shapes.get(self._key(parties, location, period))
        if found.__class__ is not _Template:
            return None
        level, sublevel, reason, neighbours = found.values
        if not found.slots:
            return ReasonPattern(level, sublevel, neighbours, (reason,), (), ())
        literals = [""]
        positions: list[int] = []
        named: list[bool] = []
        for text, field_name, spec, conversion in Formatter().parse(found.reason):
            literals[-1] += text
            if field_name is None:
                continue
            if spec or conversion or not field_name.isdigit():
                return None  # not made by _template: left to values()
            slot, is_name = divmod(int(field_name), 2)
            positions.append(found.slots[slot])
            named.append(bool(is_name))
            literals.append("")
        return ReasonPattern(found.level, found.sublevel, found.neighbours, tuple(literals),
                             tuple(positions), tuple(named))

    def _forget(self) -> None:
        """Make room: drop the shapes seen once (or, if templates fill half, every shape)."""
        kept = {k: v for k, v in self._shapes.items() if v.__class__ is _Template}
        self._shapes = kept if len(kept) < self.limit // 2 else {}

    def _token(self, party: str) -> Any:
        """A party's token: its own id unless it can stand in (see the module)."""
        fed = self.fed
        side, member = fed.side(party)
        actor = fed.actor(party)
        token: Any = party
        if side is Side.MEMBER and member is not None and actor.kind is ActorKind.COMPANY \
                and member != party:
            token = ("company", member)
        elif side is Side.FOREIGN and actor.kind is ActorKind.FOREIGN_REGION \
                and actor.parent is not None and fed.states_of(party) == {actor.parent} \
                and actor.parent != party:
            token = ("region", actor.parent)
        elif side is Side.MULTILATERAL:
            token = ("multilateral", actor.kind.value)
        if side is Side.ASSOCIATION:
            self._associations.add(party)
        self._groups[party] = _GROUPS.get(side)
        self._names[party] = actor.name_en
        self._tokens[party] = token
        return token

    def _template(self, shape: tuple[Any, ...], first: _FirstSeen, parties: Sequence[str],
                  location: str | None, period: Interval | None) -> Any:
        """Make a shape's template, checked against its first tie (or refuse)."""
        groups = [self._groups[p] for p in parties]
        sizes = {g: groups.count(g) for g in groups}
        slots = tuple(i for i, (token, group) in enumerate(zip(shape, groups, strict=True))
                      if isinstance(token, tuple) and (group is None or sizes[group] == 1))
        if len(slots) != sum(isinstance(token, tuple) for token in shape):
            return self._untemplated  # sorted with others: the key does not say the order
        if not slots:  # every party is its own token: the shape is the party set
            level, sublevel, reason, neighbours = first.values
            return _Template(level, sublevel, reason, neighbours, (), (), first.values)
        stand_ins = list(parties)
        seen: dict[Any, int] = {}
        for slot in slots:
            token = shape[slot]
            nth = seen[token] = seen.get(token, -1) + 1
            stand_ins[slot] = self._stand_in(token, nth, parties[slot])
        c = self._aliased.classify(stand_ins, location=location, period=period)
        reason = c.reason.replace("{", "{{").replace("}", "}}")
        names = []
        for j, slot in enumerate(slots):
            sentinel = stand_ins[slot]
            name = self._overlay.extra[sentinel].name_en
            names.append(name in reason)
            reason = reason.replace(sentinel, f"{{{2 * j}}}").replace(name, f"{{{2 * j + 1}}}")
        template = _Template(c.level.value, c.sublevel.value if c.sublevel else None, reason,
                             c.neighbours, slots, tuple(names), first.values)
        args: list[str] = []
        for slot in slots:
            args += [first.parties[slot], self._names[first.parties[slot]]]
        if (template.level, template.sublevel, template.reason.format(*args),
                template.neighbours) != first.values:
            return self._untemplated
        return template

    def _stand_in(self, token: Any, nth: int, party: str) -> str:
        """The id of the stand-in for the ``nth`` party of ``token`` in a shape."""
        key = (token, nth)
        found = self._stand_ins.get(key)
        if found is None:
            number = len(self._stand_ins)
            found = self._stand_ins[key] = f"{_ID}{number}{_ID}"
            actor = self.fed.actor(party)
            self._overlay.extra[found] = replace(actor, id=ActorId(found),
                                                 name_en=f"{_NAME}{number}{_NAME}")
        return found
