"""The tie graph: a case's actors and ties as a NetworkX multigraph.

A tie is one record with two or more actors; a graph needs pairs. :func:`tie_graph`
projects every tie onto edges by an explicit rule (see its docstring and ``docs/data.md``),
and keeps every attribute a plain ``str``, ``int``, ``float`` or ``bool`` so that GraphML
and GEXF writers (and Gephi) accept the graph as it is.

Examples:
    >>> import regionet as rn
    >>> G = tie_graph(rn.load_case("russia-1990s"), levels=["cross-border"])
    >>> all(d["sublevel"] == "cross-border" for _, _, d in G.edges(data=True))
    True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from itertools import combinations
from typing import Any

import networkx as nx

from regionet.core.errors import InvalidValueError
from regionet.model.actors import Actor, AttributeValue
from regionet.model.case import Case
from regionet.model.levels import Level, Sublevel
from regionet.model.ties import Tie

__all__ = ["PROJECTION", "tie_graph"]

#: The projection rule, also stored in the graph's ``projection`` attribute.
PROJECTION = ("undirected kinds: clique (an edge for every pair of the tie's actors); "
              "directed kinds: star from actors[0] to each other actor; "
              "every edge of a tie with n actors weighs 1/(n-1)")

#: Node attributes every node has; an actor attribute of the same name gets an ``attr_`` prefix.
_NODE_FIELDS = ("kind", "name_en", "name_local", "parent", "status", "valid_from", "valid_to",
                "label")

_INT32 = 2**31 - 1


def _levels(levels: Iterable[str] | None) -> set[str] | None:
    if levels is None:
        return None
    allowed = [lv.value for lv in Level] + [s.value for s in Sublevel]
    chosen = set(levels)
    for name in sorted(chosen):
        if name not in allowed:
            raise InvalidValueError("unknown level or sublevel", field="levels", value=name,
                                    expected="one of " + ", ".join(allowed))
    return chosen


def _scalar_columns(actors: Iterable[Actor]) -> dict[str, type]:
    """Pick one type per attribute name so that every node's value has the same type.

    GraphML and GEXF declare one type per attribute; integers beyond 32 bits become floats
    (GraphML's ``int`` is 32-bit in Gephi).
    """
    seen: dict[str, list[AttributeValue]] = defaultdict(list)
    for actor in actors:
        for name, value in actor.attributes.items():
            if value is not None and value != "":
                seen[name].append(value)
    chosen: dict[str, type] = {}
    for name, values in seen.items():
        types = {type(v) for v in values}
        if types == {bool}:
            chosen[name] = bool
        elif types <= {int, float}:
            wide = any(abs(v) > _INT32 for v in values if isinstance(v, int))
            chosen[name] = float if float in types or wide else int
        else:
            chosen[name] = str
    return chosen


def _cast(value: AttributeValue, to: type) -> str | int | float | bool | None:
    if value is None or value == "":
        return None
    if to is int and isinstance(value, int):
        return int(value)
    if to is float and isinstance(value, int | float):
        return float(value)
    if to is bool and isinstance(value, bool):
        return value
    return str(value)


def _node(actor: Actor, columns: dict[str, type]) -> dict[str, Any]:
    node: dict[str, Any] = {
        "kind": actor.kind.value, "name_en": actor.name_en, "name_local": actor.name_local,
        "parent": actor.parent or "", "status": actor.status.value,
        "valid_from": actor.validity.start_text or "", "valid_to": actor.validity.end_text or "",
    }
    for name, value in actor.attributes.items():
        cast = _cast(value, columns.get(name, str))
        if cast is not None:
            node[f"attr_{name}" if name in _NODE_FIELDS else name] = cast
    return node


def _pairs(tie: Tie, directed: bool) -> list[tuple[str, str]]:
    if directed:
        return [(tie.actors[0], other) for other in tie.actors[1:]]
    return list(combinations(tie.actors, 2))


def _edge(case: Case, tie: Tie, directed: bool, u: str, v: str) -> dict[str, Any]:
    c = case.classify(tie)
    edge: dict[str, Any] = {
        "tie_id": tie.id, "kind": tie.kind, "directed": directed,
        "from_actor": u, "to_actor": v,
        "level": c.level.value, "sublevel": c.sublevel.value if c.sublevel else "",
        "start": tie.validity.start_text or "", "end": tie.validity.end_text or "",
        "start_date": tie.validity.start.isoformat() if tie.validity.start else "",
        "end_date": tie.validity.end.isoformat() if tie.validity.end else "",
        "domains": ";".join(tie.domains), "currency": tie.amount.currency if tie.amount else "",
        "status": tie.status.value, "weight": 1.0 / (len(tie.actors) - 1),
    }
    if tie.amount is not None:
        edge["amount"] = tie.amount.amount
        edge["amount_year"] = tie.amount.year
    return edge


def tie_graph(case: Case, *, kinds: Iterable[str] | None = None,
              levels: Iterable[str] | None = None, as_of: date | None = None) -> nx.MultiGraph:
    """Return the case's actors and ties as an undirected multigraph.

    Projection of a tie with actors ``a0, a1, …, a(n-1)`` (``n >= 2``):

    * a kind that is not ``directed`` in the vocabulary → **clique**: one edge for every
      pair of actors;
    * a ``directed`` kind → **star**: one edge from ``a0`` (who gives or initiates) to each
      other actor; ``from_actor`` / ``to_actor`` and ``directed=True`` record the direction.

    Every edge of the tie weighs ``1/(n-1)``, so in a clique each actor's total weight
    (strength) from the tie is 1, and in a star the initiator's is 1. A bilateral tie is one
    edge of weight 1. Parallel edges are kept (one per tie); an edge's key is the tie id for
    a bilateral tie, else ``<tie id>#<k>`` (k = 1, 2, …). A tie's ``location`` is not
    projected.

    Nodes are the actors (those valid on ``as_of`` when given, plus every party to a kept
    tie) with ``kind, name_en, name_local, parent, status, valid_from, valid_to`` and their
    scalar attributes (one type per attribute name across nodes; empty values left out).
    Edges carry ``tie_id, kind, directed, from_actor, to_actor, level, sublevel, start, end,
    start_date, end_date, domains, currency, status, weight``, plus ``amount`` (float64) and
    ``amount_year`` for ties with money. Missing text is ``""``; nothing is None.

    Args:
        case: the case.
        kinds: keep only ties of these kinds.
        levels: keep only ties whose level or sublevel is one of these (e.g.
            ``["bilateral", "cross-border"]``).
        as_of: keep only ties valid on this date (undated ends always match).

    Returns:
        A :class:`networkx.MultiGraph`; ``G.graph`` holds ``case``, ``projection`` and
        ``as_of``.

    Raises:
        UnknownReferenceError: for a kind that is not in the vocabulary.
        InvalidValueError: for an unknown level or sublevel.

    Examples:
        >>> import regionet as rn
        >>> case = rn.load_case("russia-1990s")
        >>> G = tie_graph(case)
        >>> G.number_of_nodes() == len(case.actors)
        True
        >>> multi = max(case.ties.values(), key=lambda t: len(t.actors))
        >>> n = len(multi.actors)
        >>> edges = [d for _, _, d in G.edges(data=True) if d["tie_id"] == multi.id]
        >>> len(edges) == (n - 1 if case.vocab.tie_kind(multi.kind).directed else n * (n - 1) // 2)
        True
    """
    chosen_kinds = None if kinds is None else {case.vocab.tie_kind(k).name for k in kinds}
    chosen_levels = _levels(levels)
    ties = []
    for tie in case.ties.values():
        c = case.classify(tie)
        if chosen_kinds is not None and tie.kind not in chosen_kinds:
            continue
        if chosen_levels is not None and not ({c.level.value, c.sublevel or ""} & chosen_levels):
            continue
        if as_of is not None and not tie.validity.contains(as_of):
            continue
        ties.append(tie)
    parties = {a for t in ties for a in t.actors}
    actors = [a for a in case.actors.values()
              if as_of is None or a.validity.contains(as_of) or a.id in parties]
    columns = _scalar_columns(actors)
    G = nx.MultiGraph(case=case.id, projection=PROJECTION,
                      as_of=as_of.isoformat() if as_of else "")
    for actor in actors:
        G.add_node(actor.id, **_node(actor, columns))
    for tie in ties:
        kind = case.vocab.tie_kinds.get(tie.kind)
        directed = bool(kind and kind.directed)
        pairs = _pairs(tie, directed)
        for k, (u, v) in enumerate(pairs, start=1):
            key = tie.id if len(pairs) == 1 else f"{tie.id}#{k}"
            G.add_edge(u, v, key=key, **_edge(case, tie, directed, u, v))
    return G
