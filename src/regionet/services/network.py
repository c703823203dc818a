"""Network use cases: metrics per actor, bloc dominance, actorness, communities, graph JSON.

The CLI (``regionet network …``), the REST API, the dashboard and the report call these;
they take a :class:`~regionet.services.case_source.CaseSource`, return JSON-ready dicts and
lists, and never print. Whole-graph results are computed once per source and revision
(:func:`~regionet.services.case_source.per_revision`): do not mutate what they return.
Definitions: ``docs/network.md``.

Examples:
    >>> source = CaseSource.bundled()
    >>> rows = network_metrics(source, year=1999)
    >>> kr = next(r for r in rows if r["id"] == "RU-KR")
    >>> kr["degree_by_level"]["international"] >= 1
    True
    >>> [r["association"] for r in bloc_dominance_table(source, year=1999)][:2]
    ['assoc-central-russia', 'assoc-chernozem']
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import networkx as nx

from regionet.core.errors import InvalidValueError
from regionet.core.rng import Seed
from regionet.engines.network.actorness import international_actorness
from regionet.engines.network.blocs import case_bloc_dominance
from regionet.engines.network.centrality import (
    betweenness,
    degree,
    degree_by_level,
    eigenvector,
    pagerank,
    strength,
    strength_by_level,
)
from regionet.engines.network.communities import (
    communities_vs_associations as engine_communities_vs_associations,
)
from regionet.engines.network.communities import community_labels, detect_communities
from regionet.engines.network.graphs import check_levels, tie_graph
from regionet.io.exports import GRAPH_FORMATS, write_graph
from regionet.model.case import Case
from regionet.model.levels import Sublevel
from regionet.services.cache import memo
from regionet.services.case_source import CaseSource, case_of, per_revision
from regionet.services.records import check_actor_exists

__all__ = [
    "GRAPH_FORMATS",
    "actorness_table",
    "bloc_dominance_table",
    "communities_vs_associations",
    "export_graph",
    "graph_digest",
    "graph_json",
    "network_graph",
    "network_metrics",
]

_SUBLEVELS = {s.value for s in Sublevel}


def _graph(case: Case, year: int | None, level: str | None) -> nx.MultiGraph:
    levels = None if level is None else check_levels([level], field="level")
    return tie_graph(case, levels=levels, period=year)


def network_graph(source: CaseSource, *, year: int | None = None, level: str | None = None
                  ) -> nx.MultiGraph:
    """Return the tie graph of ``year`` (all dates if None) and ``level`` (all if None).

    A new graph each call: the caller may change it.

    Raises:
        InvalidValueError: for an unknown level or sublevel.
    """
    return _graph(case_of(source), year, level)


def network_metrics(source: CaseSource, *, year: int | None = None, level: str | None = None,
                    seed: Seed = 0, backend: str = "auto") -> list[dict[str, Any]]:
    """Return one dict per actor of the graph with its centralities and community.

    Fields: ``id, name_en, kind, degree, strength, degree_by_level, strength_by_level,
    degree_by_sublevel`` (international sublevels only), ``betweenness`` (exact,
    normalised), ``pagerank``, ``eigenvector`` and ``community`` (Louvain with ``seed``;
    None for an actor without ties). Sorted by PageRank, highest first, then id.

    Raises:
        InvalidValueError: for an unknown level or sublevel.
    """
    if level is not None:
        check_levels([level], field="level")
    return list(per_revision(source, "network.metrics", (year, level, seed, backend),
                             lambda case: _graph_metrics(_graph(case, year, level), seed,
                                                         backend)))


def graph_digest(G: nx.MultiGraph) -> str:
    """A SHA-256 digest of everything a result computed from ``G`` can depend on.

    The graph's attributes, its nodes and its edges (with keys), each with every attribute,
    in the graph's order (community detection depends on the order). :func:`tie_graph
    <regionet.engines.network.graphs.tie_graph>` keeps every attribute a plain ``str``,
    ``int``, ``float`` or ``bool``, whose ``repr`` is exact (``1`` and ``1.0`` differ), so
    two graphs with the same digest give the same measures.

    Examples:
        >>> G, H = nx.MultiGraph(), nx.MultiGraph()
        >>> _ = G.add_edge("a", "b", key="t1", weight=1.0)
        >>> _ = H.add_edge("a", "b", key="t1", weight=1)
        >>> graph_digest(G) == graph_digest(G.copy()), graph_digest(G) == graph_digest(H)
        (True, False)
    """
    content = (tuple(G.graph.items()),
               tuple((node, tuple(data.items())) for node, data in G.nodes(data=True)),
               tuple((u, v, key, tuple(data.items()))
                     for u, v, key, data in G.edges(keys=True, data=True)))
    return hashlib.sha256(repr(content).encode("utf-8", "surrogatepass")).hexdigest()


def _graph_metrics(G: nx.MultiGraph, seed: Seed, backend: str) -> tuple[dict[str, Any], ...]:
    """:func:`_metrics` of ``G``, once per graph content (the services' cache).

    Most accepted changes of a team's registry leave the graph as it was (a tie's
    description, its sources or locators): the new revision's measures are then the
    previous ones, found by the graph's digest instead of computed again (≈ 30–40 ms of CPU
    for the bundled case, for every accepted change).
    """
    return memo("network.metrics.graph", (graph_digest(G), seed, backend),
                lambda: _metrics(G, seed, backend))


def _metrics(G: nx.MultiGraph, seed: Seed, backend: str) -> tuple[dict[str, Any], ...]:
    deg, st = degree(G), strength(G)
    by_level, by_sublevel = degree_by_level(G), degree_by_level(G, by="sublevel")
    st_level = strength_by_level(G)
    bt, pr = betweenness(G, backend=backend), pagerank(G, backend=backend)
    ev = eigenvector(G, backend=backend)
    labels = community_labels(detect_communities(G, seed=seed, backend=backend))
    rows = []
    for node, data in G.nodes(data=True):
        rows.append({
            "id": node, "name_en": data.get("name_en", ""), "kind": data.get("kind", ""),
            "degree": deg[node], "strength": st[node], "degree_by_level": by_level[node],
            "strength_by_level": st_level[node],
            "degree_by_sublevel": {k: v for k, v in by_sublevel[node].items()
                                   if k in _SUBLEVELS},
            "betweenness": bt[node], "pagerank": pr[node], "eigenvector": ev[node],
            "community": labels[node] if deg[node] else None,
        })
    rows.sort(key=lambda r: (-r["pagerank"], r["id"]))
    return tuple(rows)


def bloc_dominance_table(source: CaseSource, *, year: int | None = None
                         ) -> list[dict[str, Any]]:
    """Return the bloc dominance index of each association in ``year`` (all dates if None).

    One row per association with members; see
    :func:`~regionet.engines.network.blocs.case_bloc_dominance` for the fields, including
    ``basis`` (what the index rests on) and ``sentence``.
    """
    return list(per_revision(source, "network.blocs", year,
                             lambda case: tuple(case_bloc_dominance(case, period=year))))


def actorness_table(source: CaseSource, *, years: range | list[int] = range(1990, 2011),
                    region: str | None = None) -> list[dict[str, Any]]:
    """Return international actorness per region and year (regions with foreign ties).

    See :mod:`regionet.engines.network.actorness` for the fields and the composite.

    Raises:
        UnknownActorError: for an unknown region (field ``region``).
    """
    if region is not None:
        check_actor_exists(source, region, "region")
    span = tuple(years)
    return list(per_revision(source, "network.actorness", (span, region),
                             lambda case: tuple(international_actorness(
                                 case, years=span,
                                 regions=None if region is None else [region]))))


def communities_vs_associations(source: CaseSource, *, year: int | None = None,
                                seed: Seed = 0) -> dict[str, Any]:
    """Return Louvain communities of the domestic network compared with the associations.

    See :func:`~regionet.engines.network.communities.communities_vs_associations`.
    """
    return per_revision(source, "network.communities", (year, seed),
                        lambda case: engine_communities_vs_associations(case, period=year,
                                                                        seed=seed))


def _main_level(levels: dict[str, float]) -> str:
    if not levels:
        return ""
    return max(sorted(levels), key=lambda k: levels[k])


def graph_json(source: CaseSource, *, year: int | None = None, level: str | None = None
               ) -> dict[str, Any]:
    """Return the graph for the dashboard: ``{"nodes": [...], "edges": [...], "graph": {...}}``.

    Nodes carry ``id, name_en, kind, parent, degree, strength, levels`` (the levels of its
    ties, for colouring), ``main_level`` (the level with the largest strength; ``""``
    without ties), ``strength_by_level``, and for subjects with a known capital
    ``capital_lat, capital_lon``. Edges carry ``source, target, tie_id, kind, level,
    sublevel, weight, directed`` (one per projected tie edge, parallel edges kept).

    Raises:
        InvalidValueError: for an unknown level or sublevel.

    Examples:
        >>> data = graph_json(CaseSource.bundled(), level="cross-border")
        >>> {e["sublevel"] for e in data["edges"]}
        {'cross-border'}
        >>> kr = next(n for n in data["nodes"] if n["id"] == "RU-KR")
        >>> kr["main_level"], round(kr["capital_lat"], 1)
        ('international', 61.8)
    """
    if level is not None:
        check_levels([level], field="level")
    return per_revision(source, "network.graph", (year, level),
                        lambda case: _graph_json(case, year, level))


def _graph_json(case: Case, year: int | None, level: str | None) -> dict[str, Any]:
    G = _graph(case, year, level)
    deg, st, st_level = degree(G), strength(G), strength_by_level(G)
    nodes = []
    for node, data in G.nodes(data=True):
        item: dict[str, Any] = {
            "id": node, "name_en": data.get("name_en", ""), "kind": data.get("kind", ""),
            "parent": data.get("parent", ""), "degree": deg[node], "strength": st[node],
            "levels": sorted(st_level[node]), "main_level": _main_level(st_level[node]),
            "strength_by_level": st_level[node],
        }
        if data.get("kind") == "subject" and "capital_lat" in data and "capital_lon" in data:
            item["capital_lat"] = float(data["capital_lat"])
            item["capital_lon"] = float(data["capital_lon"])
        nodes.append(item)
    edges = [{"source": u, "target": v, "tie_id": d["tie_id"], "kind": d["kind"],
              "level": d["level"], "sublevel": d["sublevel"], "weight": d["weight"],
              "directed": d["directed"]}
             for u, v, d in G.edges(data=True)]
    return {"graph": {"case": case.id, "year": year, "level": level,
                      "projection": G.graph["projection"]},
            "nodes": nodes, "edges": edges}


def export_graph(source: CaseSource, fmt: str, out: str | Path, *, year: int | None = None,
                 level: str | None = None) -> Path:
    """Write the tie graph of ``year`` and ``level`` as GraphML or GEXF into the folder ``out``.

    The file is ``ties[_<year>][_<level>].<fmt>``, with the same attributes as the full
    export (:func:`regionet.io.exports.export_case`); returns its path.

    Raises:
        InvalidValueError: for an unknown format or level.
    """
    if fmt not in GRAPH_FORMATS:
        raise InvalidValueError("unknown graph format", field="format", value=fmt,
                                expected="one of " + ", ".join(GRAPH_FORMATS))
    name = "_".join(["ties", *([str(year)] if year is not None else []),
                     *([level] if level else [])])
    return write_graph(network_graph(source, year=year, level=level), fmt,
                       Path(out) / f"{name}.{fmt}")
