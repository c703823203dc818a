"""What validation and the level classifier need from a workspace, read with SQL on demand.

An import checks its rows against the workspace without loading the whole case: actors are
read when a row names them (:class:`ActorLookup`, a mapping that fetches missing ids, and
their parents, in one query per chunk), documents and vocabularies are small and read once,
and the classifier's view of the federation (:func:`federation`) needs only the members'
border attributes, the adjacency table (with its approximate pairs) and the associations'
members (their ``membership`` ties with subjects), as :attr:`Case.federation_model
<regionet.model.case.Case.federation_model>` builds it from a whole case.

Examples:
    >>> import regionet as rn
    >>> from regionet.storage.workspace import Workspace
    >>> ws = Workspace(tmp_path / "w.db")
    >>> _ = ws.init(rn.load_case("russia-1990s"))
    >>> with ws.database.reading() as conn:
    ...     actors = ActorLookup(conn)
    ...     fed = federation(conn, actors)
    ...     actors.load(["RU-KR", "FI", "nobody"])
    ...     ("RU-KR" in actors, "nobody" in actors, fed.classify(["RU-KR", "FI"]).sublevel)
    (True, False, <Sublevel.CROSS_BORDER: 'cross-border'>)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeVar

import sqlalchemy as sa

from regionet.core.ids import ActorId
from regionet.core.periods import Interval
from regionet.model.actors import Actor, AttributeValue
from regionet.model.case import (
    BORDER_ATTRIBUTES,
    MEMBERSHIP,
    association_membership,
    border_states,
)
from regionet.model.levels import CROSS_BORDER_STATES, Federation
from regionet.storage.mapping import (
    actor_from_row,
    classification_row,
    decode_value,
    interval_from_row,
)
from regionet.storage.schema import METADATA

__all__ = ["ActorLookup", "Borders", "association_members", "borders", "chunked",
           "classify_stored", "federation", "federation_id"]

T = TypeVar("T")

#: Ids per ``IN (…)`` query (well under SQLite's limit on bound parameters).
CHUNK = 500

Borders = dict[str, tuple[frozenset[str], frozenset[str]]]

_ACTORS = METADATA.tables["actors"]
_VALUES = METADATA.tables["actor_attribute_values"]
_TIES = METADATA.tables["ties"]
_LINKS = METADATA.tables["tie_actors"]
#: The actor attributes the classifier reads besides the subjects' borders: read with every
#: actor an :class:`ActorLookup` loads.
_CLASSIFIER_ATTRIBUTES = (CROSS_BORDER_STATES,)


def chunked(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Yield ``items`` in lists of at most ``size``."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class ActorLookup(Mapping[ActorId, Actor]):
    """The workspace's actors by id, read on demand; ``overlay`` actors take precedence.

    Actors read from the database carry no sources and, of their attributes, only those the
    classifier reads (``cross_border_states``; validation needs none); :meth:`full` reads an
    actor with all its attribute values. Iterating lists every id (used for "did you mean"
    hints, on errors only).
    """

    def __init__(self, conn: sa.Connection, overlay: Mapping[ActorId, Actor] | None = None
                 ) -> None:
        self._conn = conn
        self._known: dict[str, Actor] = {str(k): v for k, v in (overlay or {}).items()}
        self._partial: set[str] = set()
        self._absent: set[str] = set()
        self._all: list[str] | None = None

    def add(self, actors: Iterable[Actor]) -> None:
        """Add (or replace) actors, e.g. those of the batch being imported."""
        for a in actors:
            self._known[a.id] = a
            self._partial.discard(a.id)
            self._absent.discard(a.id)
        self._all = None

    def load(self, ids: Iterable[str]) -> None:
        """Read the actors ``ids`` not known yet, and their ancestors, from the database."""
        wanted = {i for i in ids if i not in self._known and i not in self._absent}
        while wanted:
            found: list[Actor] = []
            for part in chunked(sorted(wanted)):
                rows = self._conn.execute(sa.select(_ACTORS).where(_ACTORS.c.id.in_(part)))
                actor_rows = rows.mappings().all()
                values: dict[str, dict[str, AttributeValue]] = {}
                for actor_id, attribute, value_type, text in self._conn.execute(
                        sa.select(_VALUES.c.actor_id, _VALUES.c.attribute, _VALUES.c.value_type,
                                  _VALUES.c.value_text)
                        .where(_VALUES.c.actor_id.in_(part),
                               _VALUES.c.attribute.in_(_CLASSIFIER_ATTRIBUTES))):
                    values.setdefault(actor_id, {})[attribute] = decode_value(value_type, text)
                found.extend(actor_from_row(r, values.get(r["id"], {}), ())
                             for r in actor_rows)
            for a in found:
                self._known[a.id] = a
                self._partial.add(a.id)
            self._absent |= wanted - {a.id for a in found}
            wanted = {a.parent for a in found if a.parent is not None
                      and a.parent not in self._known and a.parent not in self._absent}

    def full(self, actor_id: str) -> Actor | None:
        """Return an actor with its current attribute values (None when unknown)."""
        self.load([actor_id])
        actor = self._known.get(actor_id)
        if actor is None or actor_id not in self._partial:
            return actor
        rows = self._conn.execute(sa.select(_VALUES).where(_VALUES.c.actor_id == actor_id)
                                  .order_by(_VALUES.c.position)).mappings()
        values = {r["attribute"]: decode_value(r["value_type"], r["value_text"]) for r in rows}
        return actor_from_row(_row_of(actor), values, actor.sources)

    def __getitem__(self, key: ActorId) -> Actor:
        if key not in self._known:
            self.load([key])
        try:
            return self._known[key]
        except KeyError:
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        if key not in self._known and key not in self._absent:
            self.load([key])
        return key in self._known

    def __iter__(self) -> Iterator[ActorId]:
        if self._all is None:
            stored = self._conn.execute(sa.select(_ACTORS.c.id)).scalars()
            self._all = sorted({*stored, *self._known})
        return iter(ActorId(i) for i in self._all)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _row_of(actor: Actor) -> dict[str, Any]:
    return {"id": actor.id, "kind": actor.kind.value, "name_en": actor.name_en,
            "name_local": actor.name_local, "valid_from_date": actor.validity.start,
            "valid_from_text": actor.validity.start_text, "valid_to_date": actor.validity.end,
            "valid_to_text": actor.validity.end_text, "parent": actor.parent,
            "status": actor.status.value, "note": actor.note}


def federation_id(conn: sa.Connection) -> ActorId:
    """Return the id of the federation's centre (``case_info.federation``)."""
    info = METADATA.tables["case_info"]
    return ActorId(conn.execute(sa.select(info.c.federation)).scalar_one())


def borders(conn: sa.Connection, changed: Mapping[str, Mapping[str, AttributeValue]]
            | None = None) -> Borders:
    """Return each subject's (land, sea) border states; ``changed`` overrides attributes.

    ``changed`` maps subject ids to their attributes after a batch (new or touched subjects).
    """
    rows = conn.execute(
        sa.select(_VALUES.c.actor_id, _VALUES.c.attribute, _VALUES.c.value_type,
                  _VALUES.c.value_text)
        .join(_ACTORS, _ACTORS.c.id == _VALUES.c.actor_id)
        .where(_ACTORS.c.kind == "subject", _VALUES.c.attribute.in_(BORDER_ATTRIBUTES)))
    attrs: dict[str, dict[str, AttributeValue]] = {}
    for actor_id, attribute, value_type, text in rows:
        attrs.setdefault(actor_id, {})[attribute] = decode_value(value_type, text)
    for actor_id, values in (changed or {}).items():
        attrs[actor_id] = {a: values.get(a) for a in BORDER_ATTRIBUTES}
    out = {a: (frozenset(border_states(v.get(BORDER_ATTRIBUTES[0]))),
               frozenset(border_states(v.get(BORDER_ATTRIBUTES[1]))))
           for a, v in attrs.items()}
    return {a: sides for a, sides in sorted(out.items()) if sides[0] or sides[1]}


def association_members(conn: sa.Connection, actors: ActorLookup
                        ) -> dict[str, list[tuple[str, Interval]]]:
    """Return each association's members with the dates of their ``membership`` ties."""
    rows = conn.execute(
        sa.select(_TIES.c.id, _TIES.c.start_date, _TIES.c.start_text, _TIES.c.end_date,
                  _TIES.c.end_text, _LINKS.c.actor_id)
        .join(_LINKS, _LINKS.c.tie_id == _TIES.c.id).where(_TIES.c.kind == MEMBERSHIP)
        .order_by(_TIES.c.id, _LINKS.c.position)).mappings()
    ties: dict[str, tuple[Interval, list[str]]] = {}
    for r in rows:
        ties.setdefault(r["id"], (interval_from_row(r, "start", "end"), []))[1].append(
            r["actor_id"])
    actors.load({a for _, parties in ties.values() for a in parties})
    members: dict[str, list[tuple[str, Interval]]] = {}
    for period, parties in ties.values():
        pair = association_membership(MEMBERSHIP, parties, actors)
        if pair is not None:
            members.setdefault(pair[0], []).append((pair[1], period))
    return members


def federation(conn: sa.Connection, actors: ActorLookup, border_map: Borders | None = None
               ) -> Federation:
    """Return the classifier's view of the workspace's federation, read with SQL.

    It equals :attr:`Case.federation_model <regionet.model.case.Case.federation_model>` of
    the case stored (``border_map`` overrides the stored borders, e.g. after a batch).
    """
    found = borders(conn) if border_map is None else border_map
    adjacency = METADATA.tables["adjacency"]
    pairs: set[frozenset[str]] = set()
    approximate: set[frozenset[str]] = set()
    for a, b, approx in conn.execute(sa.select(adjacency.c.a, adjacency.c.b,
                                               adjacency.c.approximate)):
        pairs.add(frozenset((a, b)))
        if approx:
            approximate.add(frozenset((a, b)))
    return Federation(federation_id(conn), actors,
                      {a: set(land) for a, (land, _) in found.items()},
                      {a: set(sea) for a, (_, sea) in found.items()}, pairs, approximate,
                      association_members(conn, actors))


def classify_stored(conn: sa.Connection, fed: Federation, *, chunk: int = 5000,
                    associations_only: bool = False) -> int:
    """Classify stored ties again with ``fed`` and store the result; return the count.

    Used when an import changes what the classifier reads (borders, a structure's states:
    every tie; an association's members: ``associations_only``, the ties with an association
    among their parties), and when a workspace of an older schema gets its stored levels.
    Each tie is classified with its location and dates, as :meth:`Case.classify
    <regionet.model.case.Case.classify>` does.
    """
    update = (sa.update(_TIES).where(_TIES.c.id == sa.bindparam("tie_id"))
              .values(level=sa.bindparam("level"), sublevel=sa.bindparam("sublevel"),
                      level_reason=sa.bindparam("level_reason"),
                      neighbours=sa.bindparam("neighbours")))
    selection = sa.select(_TIES.c.id, _TIES.c.location, _TIES.c.start_date, _TIES.c.start_text,
                          _TIES.c.end_date, _TIES.c.end_text)
    if associations_only:
        selection = selection.where(_TIES.c.id.in_(
            sa.select(_LINKS.c.tie_id).join(_ACTORS, _ACTORS.c.id == _LINKS.c.actor_id)
            .where(_ACTORS.c.kind == "association")))
    fed_actors = fed.actors
    done = 0
    last = ""
    while True:
        ties = conn.execute(selection.where(_TIES.c.id > last).order_by(_TIES.c.id)
                            .limit(chunk)).mappings().all()
        if not ties:
            return done
        parties: dict[str, list[str]] = {r["id"]: [] for r in ties}
        for part in chunked(list(parties)):
            for tie_id, actor_id in conn.execute(
                    sa.select(_LINKS.c.tie_id, _LINKS.c.actor_id)
                    .where(_LINKS.c.tie_id.in_(part))
                    .order_by(_LINKS.c.tie_id, _LINKS.c.position)):
                parties[tie_id].append(actor_id)
        if isinstance(fed_actors, ActorLookup):
            fed_actors.load({a for ids in parties.values() for a in ids}
                            | {r["location"] for r in ties if r["location"] is not None})
        conn.execute(update, [
            {"tie_id": r["id"], **classification_row(fed.classify(
                parties[r["id"]], location=r["location"],
                period=interval_from_row(r, "start", "end")))} for r in ties])
        done += len(ties)
        last = ties[-1]["id"]
