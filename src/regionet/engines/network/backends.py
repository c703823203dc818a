"""Backends: NetworkX as the interchange format, igraph (optional) for speed.

Every measure in :mod:`regionet.engines.network` takes a NetworkX graph and a
``backend`` argument: ``"networkx"`` computes in NetworkX and NumPy, ``"igraph"`` converts
the graph to :mod:`igraph` and computes there, and ``"auto"`` (the default) uses igraph when
it is installed and the graph has at least :data:`AUTO_MIN_SIZE` nodes plus edges. igraph is
an optional dependency (``pip install regionet[fast]``); without it everything works on
NetworkX.

Converting a large NetworkX graph costs more than most measures on it (about 1.5 s for
500,000 edges), so the conversion is kept in the graph's ``__networkx_cache__`` (the cache
NetworkX's own backends use; NetworkX clears it when nodes or edges are added or removed,
not when an attribute is changed in place) unless ``networkx.config.cache_converted_graphs``
is off.

Parallel edges (one per tie in a :func:`~regionet.engines.network.graphs.tie_graph`) are
collapsed into one edge whose weight is the sum of theirs; measures run on that simple
weighted graph.

Examples:
    >>> import networkx as nx
    >>> M = nx.MultiGraph([("a", "b", {"weight": 0.5}), ("a", "b", {"weight": 1.0})])
    >>> simple_graph(M).edges["a", "b"]["weight"]
    1.5
    >>> choose_backend(M, "networkx")
    'networkx'
    >>> choose_backend(M, "auto")    # small graph: NetworkX even when igraph is installed
    'networkx'
"""

from __future__ import annotations

import random
from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from itertools import chain
from typing import Any, Literal

import networkx as nx
import numpy as np
import numpy.typing as npt

from regionet.core.errors import InvalidValueError
from regionet.core.rng import Seed, make_rng

__all__ = [
    "AUTO_MIN_SIZE",
    "BACKENDS",
    "Backend",
    "EdgeArrays",
    "choose_backend",
    "edge_arrays",
    "from_igraph",
    "has_igraph",
    "igraph_seed",
    "int_seed",
    "simple_graph",
    "to_igraph",
]

Backend = Literal["auto", "networkx", "igraph"]
BACKENDS: tuple[str, ...] = ("auto", "networkx", "igraph")

#: ``auto`` switches to igraph from this many nodes plus edges (below it NetworkX is fast
#: enough and its results do not depend on an optional package).
AUTO_MIN_SIZE = 10_000

_CACHE_KEY = "regionet"


def has_igraph() -> bool:
    """Return True if :mod:`igraph` (python-igraph) can be imported."""
    return find_spec("igraph") is not None


def choose_backend(G: nx.Graph, backend: str = "auto") -> Literal["networkx", "igraph"]:
    """Return the backend that will compute on ``G``.

    Args:
        G: the graph.
        backend: ``auto``, ``networkx`` or ``igraph``.

    Returns:
        ``"networkx"`` or ``"igraph"``.

    Raises:
        InvalidValueError: for an unknown backend, or ``igraph`` when it is not installed.
    """
    if backend == "networkx":
        return "networkx"
    if backend == "igraph":
        if not has_igraph():
            raise InvalidValueError("the igraph backend needs python-igraph, which is not "
                                    "installed", field="backend", value=backend,
                                    expected="auto or networkx",
                                    hint="Install it with `pip install regionet[fast]`")
        return "igraph"
    if backend == "auto":
        large = G.number_of_nodes() + G.number_of_edges() >= AUTO_MIN_SIZE
        return "igraph" if large and has_igraph() else "networkx"
    raise InvalidValueError("unknown backend", field="backend", value=backend,
                            expected="one of " + ", ".join(BACKENDS))


def int_seed(seed: Seed) -> int:
    """Return a non-negative int drawn from ``seed`` (for libraries that want an int).

    Examples:
        >>> int_seed(0) == int_seed(0)
        True
    """
    return int(make_rng(seed).integers(0, 2**31 - 1))


@contextmanager
def igraph_seed(seed: Seed) -> Iterator[None]:
    """Seed igraph's random numbers for the duration of a ``with`` block.

    igraph draws from a process-wide generator (the :mod:`random` module by default); this
    installs a private :class:`random.Random` seeded from ``seed`` and restores the default
    afterwards, so that regionet never touches the global ``random`` state.
    """
    import igraph as ig  # type: ignore[import-untyped, unused-ignore]

    ig.set_random_number_generator(random.Random(int_seed(seed)))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


@dataclass(frozen=True)
class EdgeArrays:
    """A graph as arrays: node list and one row per (collapsed) edge.

    Attributes:
        nodes: the nodes in ``G``'s order; edge ends are indices into it.
        src: first end of each edge.
        dst: second end of each edge (the head, for a directed graph).
        weight: the summed weight of each edge (float64).
        directed: whether the graph is directed.
    """

    nodes: list[Hashable]
    src: npt.NDArray[np.int64]
    dst: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]
    directed: bool


def _cache(G: nx.Graph) -> dict[Any, Any] | None:
    cache = getattr(G, "__networkx_cache__", None)
    if cache is None or not nx.config.cache_converted_graphs:
        return None
    return cache.setdefault(_CACHE_KEY, {})  # type: ignore[no-any-return]


def _adjacency_arrays(G: nx.Graph, nodes: list[Hashable], index: dict[Hashable, int],
                      weight: str | None) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64],
                                                   npt.NDArray[np.float64]]:
    """Flatten the adjacency (successors if directed) into index and weight arrays.

    A flat pass with ``itertools.chain`` and ``np.fromiter`` is about 4× faster than
    iterating ``G.edges(data=...)``, which keeps a set of seen nodes.
    """
    adj = G.adj
    if G.is_multigraph():
        neighbours = [(index[v], d.get(weight, 1.0) if weight else 1.0)
                      for u in nodes for v, keyed in adj[u].items() for d in keyed.values()]
        counts = np.fromiter((sum(len(k) for k in adj[u].values()) for u in nodes),
                             dtype=np.int64, count=len(nodes))
        dst = np.fromiter((i for i, _ in neighbours), dtype=np.int64, count=len(neighbours))
        w = np.fromiter((x for _, x in neighbours), dtype=np.float64, count=len(neighbours))
    else:
        counts = np.fromiter((len(adj[u]) for u in nodes), dtype=np.int64, count=len(nodes))
        total = int(counts.sum())
        dst = np.fromiter(map(index.__getitem__, chain.from_iterable(adj[u] for u in nodes)),
                          dtype=np.int64, count=total)
        if weight:
            data = chain.from_iterable(adj[u].values() for u in nodes)
            w = np.fromiter((d.get(weight, 1.0) for d in data), dtype=np.float64, count=total)
        else:
            w = np.ones(total, dtype=np.float64)
    src = np.repeat(np.arange(len(nodes), dtype=np.int64), counts)
    return src, dst, w


def edge_arrays(G: nx.Graph, weight: str | None = "weight") -> EdgeArrays:
    """Return ``G`` as :class:`EdgeArrays`, parallel edges collapsed (weights summed).

    Args:
        G: a NetworkX graph or multigraph, directed or not.
        weight: the edge attribute holding weights (missing → 1), or None for all 1.

    Examples:
        >>> import networkx as nx
        >>> a = edge_arrays(nx.MultiGraph([(1, 2), (2, 1), (2, 3)]))
        >>> a.nodes, a.src.tolist(), a.dst.tolist(), a.weight.tolist()
        ([1, 2, 3], [0, 1], [1, 2], [2.0, 1.0])
    """
    cache = _cache(G)
    key = ("edges", weight)
    if cache is not None and key in cache:
        return cache[key]  # type: ignore[no-any-return]
    nodes = list(G)
    index = {node: i for i, node in enumerate(nodes)}
    directed = bool(G.is_directed())
    src, dst, w = _adjacency_arrays(G, nodes, index, weight)
    if not directed:  # the adjacency holds each undirected edge twice (a self-loop once)
        keep = dst >= src
        src, dst, w = src[keep], dst[keep], w[keep]
    if G.is_multigraph() and len(src):
        pair, inverse = np.unique(src * len(nodes) + dst, return_inverse=True)
        src, dst = pair // len(nodes), pair % len(nodes)
        w = np.bincount(inverse, weights=w, minlength=len(pair)).astype(np.float64)
    arrays = EdgeArrays(nodes, src, dst, w, directed)
    if cache is not None:
        cache[key] = arrays
    return arrays


def simple_graph(G: nx.Graph, weight: str | None = "weight") -> nx.Graph:
    """Return ``G`` without parallel edges: one edge per pair, weights summed.

    A graph that is not a multigraph is returned as it is. Node attributes are kept; edge
    attributes other than the weight are not (they differ between a pair's ties).

    Args:
        G: a graph or multigraph.
        weight: the weight attribute (missing → 1); the result stores it under the same
            name (``"weight"`` when None).
    """
    if not G.is_multigraph():
        return G
    arrays = edge_arrays(G, weight)
    H = nx.DiGraph() if arrays.directed else nx.Graph()
    H.graph.update(G.graph)
    H.add_nodes_from(G.nodes(data=True))
    name = weight or "weight"
    nodes = arrays.nodes
    H.add_edges_from((nodes[u], nodes[v], {name: float(w)}) for u, v, w in
                     zip(arrays.src.tolist(), arrays.dst.tolist(), arrays.weight.tolist(),
                         strict=True))
    return H


def to_igraph(G: nx.Graph, weight: str | None = "weight") -> Any:
    """Return ``G`` as an :class:`igraph.Graph` (parallel edges collapsed, cached).

    Vertex ``i`` is ``list(G)[i]``, also stored in the vertex attribute ``_nx_name``; the
    summed weight is the edge attribute ``weight``.

    Raises:
        InvalidValueError: when igraph is not installed.
    """
    choose_backend(G, "igraph")
    import igraph as ig  # type: ignore[import-untyped, unused-ignore]

    cache = _cache(G)
    key = ("igraph", weight)
    if cache is not None and key in cache:
        return cache[key]
    arrays = edge_arrays(G, weight)
    g = ig.Graph(n=len(arrays.nodes), edges=list(zip(arrays.src.tolist(), arrays.dst.tolist(),
                                                     strict=True)),
                 directed=arrays.directed)
    g.es["weight"] = arrays.weight.tolist()
    g.vs["_nx_name"] = arrays.nodes
    if cache is not None:
        cache[key] = g
    return g


def from_igraph(g: Any, weight: str = "weight") -> nx.Graph:
    """Return an :class:`igraph.Graph` as a NetworkX graph (``DiGraph`` if directed).

    Nodes are the ``_nx_name`` vertex attribute if present, else ``name``, else the vertex
    index; every vertex and edge attribute is copied (``weight`` under ``weight``).
    """
    names: list[Hashable]
    attributes = g.vs.attributes()
    if "_nx_name" in attributes:
        names = list(g.vs["_nx_name"])
    elif "name" in attributes:
        names = list(g.vs["name"])
    else:
        names = list(range(g.vcount()))
    H = nx.DiGraph() if g.is_directed() else nx.Graph()
    if any(g.is_multiple()):
        H = nx.MultiDiGraph() if g.is_directed() else nx.MultiGraph()
    for v in g.vs:
        H.add_node(names[v.index], **{k: val for k, val in v.attributes().items()
                                      if k != "_nx_name"})
    for e in g.es:
        data = dict(e.attributes())
        if "weight" in data and weight != "weight":
            data[weight] = data.pop("weight")
        H.add_edge(names[e.source], names[e.target], **data)
    return H
