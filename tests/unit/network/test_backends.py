"""NetworkX and igraph backends: conversion, choice, caching, and agreement of results."""

import sys

import networkx as nx
import numpy as np
import pytest

from regionet.core.errors import InvalidValueError
from regionet.engines.network import backends
from regionet.engines.network.backends import (
    choose_backend,
    edge_arrays,
    from_igraph,
    has_igraph,
    simple_graph,
    to_igraph,
)
from regionet.engines.network.centrality import betweenness, eigenvector, pagerank
from regionet.engines.network.communities import detect_communities

needs_igraph = pytest.mark.skipif(not has_igraph(), reason="python-igraph is not installed")


def weighted_graph(n: int = 300, m: int = 1200, seed: int = 4) -> nx.Graph:
    G = nx.gnm_random_graph(n, m, seed=seed)
    rng = np.random.default_rng(seed)
    for u, v in G.edges:
        G.edges[u, v]["weight"] = float(rng.uniform(0.1, 3.0))
    return G


def test_simple_graph_sums_parallel_weights():
    M = nx.MultiGraph([("a", "b", {"weight": 0.5}), ("b", "a", {"weight": 1.0}), ("b", "c")])
    H = simple_graph(M)
    assert not H.is_multigraph()
    assert dict(H.edges) == {("a", "b"): {"weight": 1.5}, ("b", "c"): {"weight": 1.0}}
    G = nx.Graph([(1, 2)])
    assert simple_graph(G) is G
    D = simple_graph(nx.MultiDiGraph([(1, 2), (1, 2), (2, 1)]))
    assert D.is_directed() and D.edges[1, 2]["weight"] == 2.0 and D.edges[2, 1]["weight"] == 1.0


def test_choose_backend_rules(monkeypatch):
    small = nx.path_graph(5)
    assert choose_backend(small) == "networkx"
    with pytest.raises(InvalidValueError, match="unknown backend"):
        choose_backend(small, "rustworkx")
    monkeypatch.setattr(backends, "AUTO_MIN_SIZE", 5)
    assert choose_backend(small) == ("igraph" if has_igraph() else "networkx")
    monkeypatch.setattr(backends, "has_igraph", lambda: False)
    assert choose_backend(small) == "networkx"
    with pytest.raises(InvalidValueError, match="pip install regionet"):
        choose_backend(small, "igraph")


def test_everything_works_without_igraph(monkeypatch):
    monkeypatch.setitem(sys.modules, "igraph", None)  # import igraph now fails
    assert not has_igraph()
    G = weighted_graph(6000, 9000)  # large enough for auto to want igraph
    assert choose_backend(G) == "networkx"
    assert sum(pagerank(G).values()) == pytest.approx(1.0)
    assert len(detect_communities(nx.barbell_graph(5, 0), seed=1)) == 2
    assert betweenness(nx.star_graph(3))[0] == 1.0


def test_edge_arrays_are_cached_until_the_graph_changes():
    G = nx.path_graph(4)
    first = edge_arrays(G)
    assert edge_arrays(G) is first
    G.add_edge(3, 0)
    assert edge_arrays(G) is not first and len(edge_arrays(G).src) == 4
    nx.config.cache_converted_graphs = False
    try:
        assert edge_arrays(G) is not edge_arrays(G)
    finally:
        nx.config.cache_converted_graphs = True


@needs_igraph
def test_igraph_round_trip_keeps_nodes_and_weights():
    M = nx.MultiGraph([("RU-KR", "FI", {"weight": 1.0}), ("RU-KR", "FI", {"weight": 0.5}),
                       ("RU-KR", "RU-MUR", {"weight": 1.0})])
    M.add_node("alone")
    g = to_igraph(M)
    assert g.vcount() == 4 and g.ecount() == 2
    assert to_igraph(M) is g  # cached
    back = from_igraph(g)
    assert set(back) == set(M)
    assert back.edges["RU-KR", "FI"]["weight"] == 1.5


@needs_igraph
def test_pagerank_backends_agree_within_1e_6():
    G = weighted_graph()
    G.add_nodes_from(["isolated-1", "isolated-2"])
    a, b = pagerank(G, backend="networkx"), pagerank(G, backend="igraph")
    assert max(abs(a[v] - b[v]) for v in G) < 1e-6
    D = nx.gnm_random_graph(200, 800, seed=2, directed=True)
    a, b = pagerank(D, backend="networkx"), pagerank(D, backend="igraph")
    assert max(abs(a[v] - b[v]) for v in D) < 1e-6


@needs_igraph
def test_betweenness_backends_agree_exact_and_sampled():
    G = weighted_graph()
    for kwargs in ({}, {"k": 25, "seed": 3}, {"normalized": False}):
        a, b = betweenness(G, backend="networkx", **kwargs), betweenness(G, backend="igraph",
                                                                         **kwargs)
        assert max(abs(a[v] - b[v]) for v in G) < 1e-9, kwargs


@needs_igraph
def test_eigenvector_backends_agree_on_a_connected_graph():
    G = weighted_graph()
    assert nx.is_connected(G)
    a, b = eigenvector(G, backend="networkx"), eigenvector(G, backend="igraph")
    assert max(abs(a[v] - b[v]) for v in G) < 1e-6


@needs_igraph
def test_communities_backends_find_the_planted_partition():
    G = nx.planted_partition_graph(4, 30, 0.5, 0.01, seed=42)
    planted = {frozenset(block) for block in G.graph["partition"]}
    for backend, method in [("networkx", "auto"), ("igraph", "auto"), ("igraph", "louvain"),
                            ("igraph", "leiden")]:
        found = detect_communities(G, seed=7, backend=backend, method=method)
        assert len(found) == 4, (backend, method)
        assert {frozenset(c) for c in found} == planted, (backend, method)
    H = nx.planted_partition_graph(8, 20, 0.3, 0.02, seed=1)
    for method in ("louvain", "leiden"):
        assert detect_communities(H, seed=7, backend="igraph", method=method) == \
            detect_communities(H, seed=7, backend="igraph", method=method)


def test_community_method_errors(monkeypatch):
    G = nx.barbell_graph(4, 0)
    with pytest.raises(InvalidValueError, match="unknown community method"):
        detect_communities(G, method="girvan-newman")
    with pytest.raises(InvalidValueError, match="needs the igraph backend"):
        detect_communities(G, method="leiden", backend="networkx")
    monkeypatch.setattr(backends, "has_igraph", lambda: False)
    with pytest.raises(InvalidValueError, match="pip install regionet"):
        detect_communities(G, method="leiden")
