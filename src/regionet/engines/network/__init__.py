"""Network engine: the tie graph and the measures of the cooperation network (DESIGN §4).

* :mod:`~regionet.engines.network.graphs` — a case's ties projected onto a NetworkX
  multigraph, as of a date or over a period, by tie kind and level; layers.
* :mod:`~regionet.engines.network.centrality` — degree and strength by level,
  betweenness (exact or sampled), eigenvector centrality, PageRank.
* :mod:`~regionet.engines.network.blocs` — association membership and the bloc dominance
  index (the memo's "sphere of influence", para 12).
* :mod:`~regionet.engines.network.communities` — Louvain communities compared with the
  formal associations (NMI, ARI).
* :mod:`~regionet.engines.network.actorness` — a region's international actorness per year.
* :mod:`~regionet.engines.network.backends` — NetworkX ↔ igraph; every measure takes
  ``backend="auto" | "networkx" | "igraph"`` (igraph is optional).
* :mod:`~regionet.engines.network.edge_list` — degree, PageRank and components of a large
  edge list in arrays, without NetworkX.

Definitions, formulas and references: ``docs/network.md``.

Examples:
    >>> import regionet as rn
    >>> from regionet.engines.network import pagerank, tie_graph
    >>> G = tie_graph(rn.load_case("russia-1990s"), period=1999)
    >>> ranks = pagerank(G)
    >>> round(sum(ranks.values()), 9)
    1.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regionet.core.lazy import lazy_getattr

if TYPE_CHECKING:
    from regionet.engines.network.actorness import ACTORNESS_FORMULA, international_actorness
    from regionet.engines.network.backends import (
        AUTO_MIN_SIZE,
        BACKENDS,
        Backend,
        choose_backend,
        from_igraph,
        has_igraph,
        simple_graph,
        to_igraph,
    )
    from regionet.engines.network.blocs import (
        association_members,
        bloc_dominance,
        case_bloc_dominance,
        memberships,
    )
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
        adjusted_rand_index,
        communities_vs_associations,
        community_labels,
        detect_communities,
        normalized_mutual_info,
    )
    from regionet.engines.network.graphs import (
        PROJECTION,
        Period,
        edge_layer,
        graph_layers,
        period_interval,
        tie_graph,
    )

__all__ = [
    "ACTORNESS_FORMULA",
    "AUTO_MIN_SIZE",
    "BACKENDS",
    "PROJECTION",
    "Backend",
    "Period",
    "adjusted_rand_index",
    "association_members",
    "betweenness",
    "bloc_dominance",
    "case_bloc_dominance",
    "choose_backend",
    "communities_vs_associations",
    "community_labels",
    "degree",
    "degree_by_level",
    "detect_communities",
    "edge_layer",
    "eigenvector",
    "from_igraph",
    "graph_layers",
    "has_igraph",
    "international_actorness",
    "memberships",
    "normalized_mutual_info",
    "pagerank",
    "period_interval",
    "simple_graph",
    "strength",
    "strength_by_level",
    "tie_graph",
    "to_igraph",
]

# Imported on first use: NetworkX loads only when a measure on a graph is used (an edge
# list read from a file, :mod:`.edge_list`, needs NumPy only).
__getattr__ = lazy_getattr(__name__, {
    **dict.fromkeys(("ACTORNESS_FORMULA", "international_actorness"),
                    "regionet.engines.network.actorness"),
    **dict.fromkeys(("AUTO_MIN_SIZE", "BACKENDS", "Backend", "choose_backend", "from_igraph",
                     "has_igraph", "simple_graph", "to_igraph"),
                    "regionet.engines.network.backends"),
    **dict.fromkeys(("association_members", "bloc_dominance", "case_bloc_dominance", "memberships"),
                    "regionet.engines.network.blocs"),
    **dict.fromkeys(("betweenness", "degree", "degree_by_level", "eigenvector", "pagerank",
                     "strength", "strength_by_level"),
                    "regionet.engines.network.centrality"),
    **dict.fromkeys(("adjusted_rand_index", "communities_vs_associations", "community_labels",
                     "detect_communities", "normalized_mutual_info"),
                    "regionet.engines.network.communities"),
    **dict.fromkeys(("PROJECTION", "Period", "edge_layer", "graph_layers", "period_interval",
                     "tie_graph"),
                    "regionet.engines.network.graphs"),
})
