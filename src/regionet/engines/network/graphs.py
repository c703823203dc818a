"""The tie graph: a case's actors and ties as a NetworkX multigraph, as of a date or a period.

A tie is one record with two or more actors; a graph needs pairs. :func:`tie_graph`
projects every tie onto edges by an explicit rule (see its docstring, ``docs/data.md`` and
``docs/network.md``), and keeps every attribute a plain ``str``, ``int``, ``float`` or
``bool`` so that GraphML and GEXF writers (and Gephi) accept the graph as it is.
:func:`graph_layers` splits the graph into one layer per level, sublevel or tie kind.

Examples:
    >>> import regionet as rn
    >>> case = rn.load_case("russia-1990s")
    >>> G = tie_graph(case, levels=["cross-border"])
    >>> all(d["sublevel"] == "cross-border" for _, _, d in G.edges(data=True))
    True
    >>> G1998 = tie_graph(case, period=1998)
    >>> G1998.graph["period"]
    '1998-01-01/1998-12-31'
    >>> "t-fi-kr-trade-1998" in {d["tie_id"] for *_, d in G1998.edges(data=True)}
    True
    >>> "t-fi-kr-trade-2002" in {d["tie_id"] for *_, d in G1998.edges(data=True)}
    False
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from itertools import combinations
from typing import Any

import networkx as nx

from regionet.core.errors import InvalidValueError
from regionet.core.periods import Interval, year_bounds
from regionet.model.actors import Actor, AttributeValue
from regionet.model.case import Case
from regionet.model.levels import Level, Sublevel
from regionet.model.ties import Tie

__all__ = ["LAYER_KEYS", "PROJECTION", "Period", "check_levels", "edge_layer", "graph_layers",
           "period_interval", "tie_graph"]

#: A period: a year, a ``(start, end)`` pair of dates or partial-date texts, or an interval.
Period = int | tuple[date | str | int | None, date | str | int | None] | Interval

#: What :func:`graph_layers` can split by (``sublevel`` falls back to the level).
LAYER_KEYS = ("level", "sublevel", "kind")

#: The projection rule, also stored in the graph's ``projection`` attribute.
PROJECTION = ("undirected kinds: clique (an edge for every pair of the tie's actors); "
              "directed kinds: star from actors[0] to each other actor; "
              "every edge of a tie with n actors weighs 1/(n-1)")

#: Node attributes every node has; an actor attribute of the same name gets an ``attr_`` prefix.
_NODE_FIELDS = ("kind", "name_en", "name_local", "parent", "status", "valid_from", "valid_to",
                "label")

_INT32 = 2**31 - 1


def check_levels(levels: Iterable[str] | None, *, field: str = "levels") -> set[str] | None:
    """Return ``levels`` as a set after checking each is a level or sublevel name.

    Args:
        levels: level names (``bilateral``…) and sublevel names (``cross-border``…), or None.
        field: the option or argument name to put in the error message.

    Returns:
        The set of names, or None for None.

    Raises:
        InvalidValueError: naming the unknown level and listing the allowed ones.

    Examples:
        >>> sorted(check_levels(["bilateral", "cross-border"]))
        ['bilateral', 'cross-border']
        >>> check_levels(["crossborder"], field="--level")
        Traceback (most recent call last):
        ...
        regionet.core.errors.InvalidValueError: field '--level', value 'crossborder': unknown ...
    """
    if levels is None:
        return None
    allowed = [lv.value for lv in Level] + [s.value for s in Sublevel]
    chosen = {levels} if isinstance(levels, str) else set(levels)
    for name in sorted(chosen):
        if name not in allowed:
            raise InvalidValueError("unknown level or sublevel", field=field, value=name,
                                    expected="one of " + ", ".join(allowed))
    return chosen


def _bound(value: date | str | int | None, bound: str) -> tuple[date | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, date):
        return value, value.isoformat()
    iv = Interval.parse(str(value), None) if bound == "start" else Interval.parse(None, str(value))
    return (iv.start, iv.start_text) if bound == "start" else (iv.end, iv.end_text)


def period_interval(period: Period) -> Interval:
    """Return a period (a year, a ``(start, end)`` pair or an interval) as an :class:`Interval`.

    Partial dates widen honestly: a start of ``"1995"`` is 1 January 1995, an end of
    ``"1998-06"`` is 30 June 1998; ``None`` leaves that end open.

    Raises:
        InvalidValueError: for a malformed date, an end before the start, or another type.

    Examples:
        >>> period_interval(1999).start, period_interval(1999).end
        (datetime.date(1999, 1, 1), datetime.date(1999, 12, 31))
        >>> str(period_interval(("1995", "1998-06")))
        '1995–1998-06'
    """
    if isinstance(period, Interval):
        return period
    if isinstance(period, int) and not isinstance(period, bool):
        first, last = year_bounds(period)
        return Interval(first, last, str(period), str(period))
    if isinstance(period, tuple) and len(period) == 2:
        start, start_text = _bound(period[0], "start")
        end, end_text = _bound(period[1], "end")
        if start is not None and end is not None and end < start:
            raise InvalidValueError("the period ends before it starts", field="period",
                                    value=f"{start_text}–{end_text}",
                                    expected="an end on or after the start")
        return Interval(start, end, start_text, end_text)
    raise InvalidValueError("not a period", field="period", value=period,
                            expected="a year, a (start, end) pair or an Interval")


def _period_text(iv: Interval) -> str:
    start = iv.start.isoformat() if iv.start else ".."
    end = iv.end.isoformat() if iv.end else ".."
    return f"{start}/{end}"


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
              levels: Iterable[str] | None = None, as_of: date | None = None,
              period: Period | None = None) -> nx.MultiGraph:
    """Return the case's actors and ties as an undirected multigraph.

    The graph is either a snapshot **as of** a date (ties valid on that day) or the union
    over a **period** (ties valid on at least one day of it: a year, or start–end), or the
    whole case when neither is given. Undated ends always match (an open end is "not known
    to end"), as in :meth:`~regionet.model.case.Case.select_ties`.

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
        as_of: keep only ties valid on this date (undated ends always match); nodes are
            the actors valid on that date plus every party to a kept tie.
        period: keep only ties valid on at least one day of this period (a year such as
            ``1998``, a ``(start, end)`` pair of dates or partial-date texts, or an
            :class:`~regionet.core.periods.Interval`); nodes are the actors valid at some
            time in it plus every party to a kept tie.

    Returns:
        A :class:`networkx.MultiGraph`; ``G.graph`` holds ``case``, ``projection``,
        ``as_of`` (ISO date or ``""``) and ``period`` (``start/end`` with ``..`` for an open
        end, or ``""``).

    Raises:
        UnknownReferenceError: for a kind that is not in the vocabulary.
        InvalidValueError: for an unknown level or sublevel, a malformed period, or both
            ``as_of`` and ``period`` given.

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
    if as_of is not None and period is not None:
        raise InvalidValueError("give either as_of or period, not both", field="period",
                                value=period, expected="a snapshot date or a period")
    chosen_kinds = None if kinds is None else {case.vocab.tie_kind(k).name for k in kinds}
    chosen_levels = check_levels(levels)
    span = None if period is None else period_interval(period)
    ties = []
    for tie in case.ties.values():
        c = case.classify(tie)
        if chosen_kinds is not None and tie.kind not in chosen_kinds:
            continue
        if chosen_levels is not None and not ({c.level.value, c.sublevel or ""} & chosen_levels):
            continue
        if as_of is not None and not tie.validity.contains(as_of):
            continue
        if span is not None and not tie.validity.overlaps(span):
            continue
        ties.append(tie)
    parties = {a for t in ties for a in t.actors}
    actors = [a for a in case.actors.values()
              if a.id in parties or ((as_of is None or a.validity.contains(as_of))
                                     and (span is None or a.validity.overlaps(span)))]
    columns = _scalar_columns(actors)
    G = nx.MultiGraph(case=case.id, projection=PROJECTION,
                      as_of=as_of.isoformat() if as_of else "",
                      period=_period_text(span) if span is not None else "")
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


def edge_layer(data: Mapping[str, Any], by: str = "level") -> str:
    """Return the layer of an edge of a tie graph: its level, sublevel or kind.

    ``by="sublevel"`` gives an international edge's sublevel and any other edge's level.

    Examples:
        >>> edge_layer({"level": "international", "sublevel": "cross-border"}, "sublevel")
        'cross-border'
        >>> edge_layer({"level": "bilateral", "sublevel": ""}, "sublevel")
        'bilateral'
    """
    if by == "sublevel":
        return str(data.get("sublevel") or data["level"])
    return str(data[by])


def graph_layers(G: nx.MultiGraph, *, by: str = "level") -> dict[str, nx.MultiGraph]:
    """Split a tie graph into layers: one graph per level, sublevel or tie kind.

    Every layer keeps all the nodes of ``G`` (with their attributes), so that measures on
    different layers compare the same actors; only the edges are split.

    Args:
        G: a graph from :func:`tie_graph`.
        by: ``level``, ``sublevel`` (international edges by sublevel, other edges by
            level) or ``kind``.

    Returns:
        Layers by name, in sorted order; ``H.graph["layer"]`` names each one.

    Raises:
        InvalidValueError: for another ``by``.

    Examples:
        >>> import regionet as rn
        >>> layers = graph_layers(tie_graph(rn.load_case("russia-1990s")), by="sublevel")
        >>> sorted(layers)[:3]
        ['bilateral', 'cross-border', 'external']
        >>> {d["level"] for *_, d in layers["bilateral"].edges(data=True)}
        {'bilateral'}
    """
    if by not in LAYER_KEYS:
        raise InvalidValueError("unknown layer key", field="by", value=by,
                                expected="one of " + ", ".join(LAYER_KEYS))
    names = sorted({edge_layer(d, by) for *_, d in G.edges(data=True)})
    out: dict[str, nx.MultiGraph] = {}
    for name in names:
        H = nx.MultiGraph(**G.graph)
        H.graph["layer"] = name
        H.add_nodes_from(G.nodes(data=True))
        H.add_edges_from((u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True)
                         if edge_layer(d, by) == name)
        out[name] = H
    return out
