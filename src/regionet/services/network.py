"""Network use cases: metrics per actor, bloc dominance, actorness, communities, graph JSON.

The CLI (``regionet network …``) and the REST API call these; they take a
:class:`~regionet.model.case.Case` (see :func:`case_for`), return JSON-ready dicts and
lists, and never print. Definitions: ``docs/network.md``.

Examples:
    >>> import regionet as rn
    >>> case = rn.load_case("russia-1990s")
    >>> rows = network_metrics(case, year=1999)
    >>> kr = next(r for r in rows if r["id"] == "RU-KR")
    >>> kr["degree_by_level"]["international"] >= 1
    True
    >>> [r["association"] for r in bloc_dominance_table(case, year=1999)][:2]
    ['assoc-central-russia', 'assoc-chernozem']
"""

from __future__ import annotations

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
from regionet.model.case import Case
from regionet.model.levels import Sublevel

__all__ = [
    "BUNDLED_CASE",
    "GRAPH_FORMATS",
    "actorness_table",
    "bloc_dominance_table",
    "case_for",
    "communities_vs_associations",
    "export_graph",
    "graph_json",
    "network_graph",
    "network_metrics",
]

#: The case used when no workspace exists.
BUNDLED_CASE = "russia-1990s"
GRAPH_FORMATS = ("graphml", "gexf")
_SUBLEVELS = {s.value for s in Sublevel}


def case_for(db: str | Path) -> tuple[Case, str | None]:
    """Return the case of the workspace ``db`` or, if that file does not exist, the bundled one.

    Returns:
        The case, and a note for the user when the bundled case stands in (else None).

    Examples:
        >>> case, note = case_for("no-such-workspace.db")
        >>> case.id, note.startswith("workspace no-such-workspace.db not found")
        ('russia-1990s', True)
    """
    path = Path(db)
    if path.is_file():
        from regionet.services.workspace import open_case

        return open_case(path), None
    from regionet.io.casefiles import load_case

    return load_case(BUNDLED_CASE), (f"workspace {path} not found; using the bundled case "
                                     f"{BUNDLED_CASE} (create one with `regionet data init`)")


def network_graph(case: Case, *, year: int | None = None, level: str | None = None
                  ) -> nx.MultiGraph:
    """Return the tie graph of ``year`` (all dates if None) and ``level`` (all if None).

    Raises:
        InvalidValueError: for an unknown level or sublevel.
    """
    levels = None if level is None else check_levels([level], field="level")
    return tie_graph(case, levels=levels, period=year)


def network_metrics(case: Case, *, year: int | None = None, level: str | None = None,
                    seed: Seed = 0, backend: str = "auto") -> list[dict[str, Any]]:
    """Return one dict per actor of the graph with its centralities and community.

    Fields: ``id, name_en, kind, degree, strength, degree_by_level, strength_by_level,
    degree_by_sublevel`` (international sublevels only), ``betweenness`` (exact,
    normalised), ``pagerank``, ``eigenvector`` and ``community`` (Louvain with ``seed``;
    None for an actor without ties). Sorted by PageRank, highest first, then id.

    Raises:
        InvalidValueError: for an unknown level or sublevel.
    """
    G = network_graph(case, year=year, level=level)
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
    return rows


def bloc_dominance_table(case: Case, *, year: int | None = None) -> list[dict[str, Any]]:
    """Return the bloc dominance index of each association in ``year`` (all dates if None).

    One row per association with members; see
    :func:`~regionet.engines.network.blocs.case_bloc_dominance` for the fields, including
    ``basis`` (what the index rests on) and ``sentence``.
    """
    return case_bloc_dominance(case, period=year)


def actorness_table(case: Case, *, years: range | list[int] = range(1990, 2011),
                    region: str | None = None) -> list[dict[str, Any]]:
    """Return international actorness per region and year (regions with foreign ties).

    See :mod:`regionet.engines.network.actorness` for the fields and the composite.

    Raises:
        UnknownActorError: for an unknown region.
    """
    return international_actorness(case, years=years,
                                   regions=None if region is None else [region])


def communities_vs_associations(case: Case, *, year: int | None = None, seed: Seed = 0
                                ) -> dict[str, Any]:
    """Return Louvain communities of the domestic network compared with the associations.

    See :func:`~regionet.engines.network.communities.communities_vs_associations`.
    """
    return engine_communities_vs_associations(case, period=year, seed=seed)


def _main_level(levels: dict[str, float]) -> str:
    if not levels:
        return ""
    return max(sorted(levels), key=lambda k: levels[k])


def graph_json(case: Case, *, year: int | None = None, level: str | None = None
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
        >>> import regionet as rn
        >>> data = graph_json(rn.load_case("russia-1990s"), level="cross-border")
        >>> {e["sublevel"] for e in data["edges"]}
        {'cross-border'}
        >>> kr = next(n for n in data["nodes"] if n["id"] == "RU-KR")
        >>> kr["main_level"], round(kr["capital_lat"], 1)
        ('international', 61.8)
    """
    G = network_graph(case, year=year, level=level)
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


def export_graph(case: Case, fmt: str, out: str | Path, *, year: int | None = None,
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
    from regionet.io.exports import _gexf_graph

    G = network_graph(case, year=year, level=level)
    for _, data in G.nodes(data=True):
        data["label"] = data["name_en"]
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    name = "_".join(["ties", *([str(year)] if year is not None else []),
                     *([level] if level else [])])
    path = folder / f"{name}.{fmt}"
    if fmt == "graphml":
        nx.write_graphml(G, path)
    else:
        nx.write_gexf(_gexf_graph(G), path)
    return path
