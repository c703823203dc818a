"""Degree and strength by level on the hand-built case; centralities against closed forms."""

import networkx as nx
import numpy as np
import pytest

from regionet.core.errors import InvalidValueError
from regionet.engines.network.centrality import (
    betweenness,
    degree,
    degree_by_level,
    eigenvector,
    pagerank,
    strength,
    strength_by_level,
)
from regionet.engines.network.graphs import tie_graph


def test_degree_and_strength_by_level_1998(hand):
    G = tie_graph(hand, period=1998)
    assert degree(G)["RU-KR"] == 5  # assoc-nw, RU-MUR, RU-SPE, FI, RU
    assert strength(G)["RU-KR"] == 6.0  # FI twice (cooperation and trade)
    assert degree_by_level(G)["RU-KR"] == {"subnational": 1, "bilateral": 2,
                                           "international": 1, "vertical": 1}
    assert strength_by_level(G)["RU-KR"] == {"subnational": 1.0, "bilateral": 2.0,
                                             "international": 2.0, "vertical": 1.0}
    assert degree_by_level(G, by="sublevel")["RU-KR"]["cross-border"] == 1
    assert strength_by_level(G, by="sublevel")["RU-KR"]["cross-border"] == 2.0
    assert degree_by_level(G)["RU-KO"] == {"subnational": 1}
    assert degree_by_level(G)["nefco"] == {}


def test_multilateral_tie_weighs_one_per_actor_2000(hand):
    G = tie_graph(hand, period=2000)
    assert degree_by_level(G)["RU-SPE"]["bilateral"] == 3  # RU-LEN, RU-KR, RU-MUR
    assert strength_by_level(G)["RU-SPE"]["bilateral"] == pytest.approx(3.0)  # 1 + 1 + ½ + ½
    assert strength(G)["RU-SPE"] == pytest.approx(4.0)
    assert strength_by_level(G, by="kind", weight=None)["RU-SPE"] == {
        "membership": 1.0, "cooperation": 3.0, "agreement": 1.0}
    with pytest.raises(InvalidValueError, match="unknown grouping"):
        degree_by_level(G, by="domain")


def test_betweenness_closed_forms():
    assert betweenness(nx.star_graph(3), normalized=False) == {0: 3.0, 1: 0.0, 2: 0.0, 3: 0.0}
    assert betweenness(nx.star_graph(3))[0] == 1.0
    path = betweenness(nx.path_graph(5), normalized=False)
    assert path == {0: 0.0, 1: 3.0, 2: 4.0, 3: 3.0, 4: 0.0}
    multi = nx.MultiGraph([(0, 1), (0, 1), (1, 2)])  # parallel edges do not add paths
    assert betweenness(multi, normalized=False)[1] == 1.0


def test_sampled_betweenness_is_seeded_and_unbiased_scale():
    G = nx.path_graph(40)
    a = betweenness(G, k=10, seed=7)
    assert a == betweenness(G, k=10, seed=7)
    assert a != betweenness(G, k=10, seed=8)
    assert betweenness(G, k=40, seed=1) == betweenness(G)  # k >= n is exact
    exact = betweenness(G)
    estimates = np.mean([betweenness(G, k=8, seed=s)[20] for s in range(200)])
    assert estimates == pytest.approx(exact[20], rel=0.05)
    with pytest.raises(InvalidValueError, match="k must be at least 1"):
        betweenness(G, k=0)


def test_pagerank_path_closed_form():
    # x0 = c + a x1/2 and x1 = c + a (x0 + x2) with c = (1-a)/3 and x0 = x2
    a = 0.85
    c = (1 - a) / 3
    x0 = c * (1 + a / 2) / (1 - a * a)
    x1 = c + 2 * a * x0
    pr = pagerank(nx.path_graph(3), alpha=a, backend="networkx")
    assert pr == pytest.approx({0: x0, 1: x1, 2: x0}, abs=1e-9)


def test_pagerank_weighted_with_dangling_node_matches_linear_solve():
    G = nx.MultiGraph([("a", "b", {"weight": 2.0}), ("a", "b", {"weight": 1.0}),
                       ("b", "c", {"weight": 1.0})])
    G.add_node("d")  # dangling: spreads its rank evenly
    nodes, n, a = list(G), 4, 0.85
    W = np.zeros((n, n))
    for u, v, w in [("a", "b", 3.0), ("b", "c", 1.0)]:
        i, j = nodes.index(u), nodes.index(v)
        W[i, j] = W[j, i] = w
    out = W.sum(axis=1)
    M = np.where(out[:, None] > 0, W / np.where(out > 0, out, 1)[:, None], 1.0 / n).T
    x = np.linalg.solve(np.eye(n) - a * M, np.full(n, (1 - a) / n))
    pr = pagerank(G, backend="networkx")
    assert [pr[v] for v in nodes] == pytest.approx(list(x / x.sum()), abs=1e-9)
    assert sum(pr.values()) == pytest.approx(1.0)
    with pytest.raises(InvalidValueError, match="damping"):
        pagerank(G, alpha=1.0)


def test_eigenvector_star_and_isolates():
    x = eigenvector(nx.star_graph(4), backend="networkx")
    assert x[0] == pytest.approx(2 ** -0.5, abs=1e-6)
    assert x[1] == pytest.approx(2 ** -0.5 / 2, abs=1e-6)
    G = nx.star_graph(4)
    G.add_node("alone")
    assert eigenvector(G)["alone"] == 0.0
    assert eigenvector(nx.empty_graph(3)) == {0: 0.0, 1: 0.0, 2: 0.0}


def test_measures_on_the_bundled_case(bundled):
    G = tie_graph(bundled, period=1999)
    pr = pagerank(G)
    assert sum(pr.values()) == pytest.approx(1.0)
    assert degree_by_level(G, by="sublevel")["RU-KR"]["cross-border"] >= 1
    assert max(betweenness(G), key=betweenness(G).get).startswith(("assoc-", "RU"))


def two_level_graph() -> nx.MultiGraph:
    """KR and MUR are linked at two levels (bilateral, and vertical through a tie with RU);
    MUR and NO at two international sublevels; KR and FI twice at one level; FI has a loop."""
    G = nx.MultiGraph()
    G.add_node("nefco")
    edges = [
        ("RU-KR", "RU-MUR", "bilateral", "", "cooperation", 1.0),
        ("RU", "RU-KR", "vertical", "", "agreement", 1.0),  # one tie of RU, KR and MUR,
        ("RU", "RU-MUR", "vertical", "", "agreement", 1.0),  # projected on its three pairs
        ("RU-KR", "RU-MUR", "vertical", "", "agreement", 0.5),
        ("RU-MUR", "NO", "international", "cross-border", "pledge", 1.0),
        ("RU-MUR", "NO", "international", "trans-regional", "participation", 0.25),
        ("RU-KR", "FI", "international", "cross-border", "cooperation", 1.0),
        ("RU-KR", "FI", "international", "cross-border", "cooperation", 2.0),
        ("FI", "FI", "international", "cross-border", "trade", 1.0),
    ]
    for u, v, level, sublevel, kind, weight in edges:
        G.add_edge(u, v, level=level, sublevel=sublevel, kind=kind, weight=weight)
    return G


def test_degree_by_level_counts_a_neighbour_in_each_of_its_layers():
    G = two_level_graph()
    assert degree_by_level(G) == {
        "nefco": {},
        "RU-KR": {"bilateral": 1, "vertical": 2, "international": 1},
        "RU-MUR": {"bilateral": 1, "vertical": 2, "international": 1},
        "RU": {"vertical": 2},
        "NO": {"international": 1},
        "FI": {"international": 1},  # the loop is not a neighbour
    }
    assert degree_by_level(G, by="sublevel") == {
        "nefco": {},
        "RU-KR": {"bilateral": 1, "vertical": 2, "cross-border": 1},
        "RU-MUR": {"bilateral": 1, "vertical": 2, "cross-border": 1, "trans-regional": 1},
        "RU": {"vertical": 2},
        "NO": {"cross-border": 1, "trans-regional": 1},
        "FI": {"cross-border": 1},
    }
    assert degree_by_level(G, by="kind") == {
        "nefco": {},
        "RU-KR": {"cooperation": 2, "agreement": 2},
        "RU-MUR": {"cooperation": 1, "agreement": 2, "pledge": 1, "participation": 1},
        "RU": {"agreement": 2},
        "NO": {"pledge": 1, "participation": 1},
        "FI": {"cooperation": 1},
    }
    # a neighbour in two layers counts once in the plain degree
    assert degree(G) == {"nefco": 0, "RU-KR": 3, "RU-MUR": 3, "RU": 2, "NO": 1, "FI": 1}


def test_strength_by_level_on_the_two_level_graph():
    G = two_level_graph()
    assert strength_by_level(G) == {
        "nefco": {},
        "RU-KR": {"bilateral": 1.0, "vertical": 1.5, "international": 3.0},
        "RU-MUR": {"bilateral": 1.0, "vertical": 1.5, "international": 1.25},
        "RU": {"vertical": 2.0},
        "NO": {"international": 1.25},
        "FI": {"international": 5.0},  # 1 + 2, and the loop twice
    }
    assert strength_by_level(G, by="sublevel")["RU-MUR"] == {
        "bilateral": 1.0, "vertical": 1.5, "cross-border": 1.0, "trans-regional": 0.25}
