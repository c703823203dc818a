"""Measures of a large edge list held in arrays: degree, strength, PageRank, components.

For a graph read from a file (``regionet network metrics --edges FILE``) building a NetworkX
graph costs more than the measures (about 2 s for 500,000 edges), so this module works on
integer node codes directly: :class:`EdgeList` holds ``src``/``dst`` codes, optional
weights and the node ids. PageRank is the NumPy power iteration that
:func:`~regionet.engines.network.centrality.pagerank` uses; connected components are found
by hooking and pointer jumping in NumPy (0.13 s for 500,000 edges, against 1.4 s to build
the igraph graph and ask it; ``backend="igraph"`` is kept as a cross-check). Parallel edges
count once each in the degree and add their weights.

Examples:
    >>> edges = EdgeList(("a", "b", "c", "d"), src=np.array([0, 1, 3]), dst=np.array([1, 2, 3]))
    >>> m = edge_list_metrics(edges)
    >>> m["degree"].tolist(), m["component"].tolist(), m["component_size"].tolist()
    ([1, 2, 1, 2], [0, 0, 0, 1], [3, 3, 3, 1])
    >>> round(float(m["pagerank"].sum()), 12)
    1.0
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from regionet.core.errors import InvalidValueError, RegionetError

__all__ = ["EdgeList", "components", "edge_list_metrics", "pagerank_arrays"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class EdgeList:
    """A graph as arrays: edge ``i`` joins node ``src[i]`` to node ``dst[i]``.

    Attributes:
        nodes: node ids; node code ``k`` is ``nodes[k]``.
        src: source codes (intp).
        dst: target codes (intp).
        weight: edge weights (float64, finite, >= 0), or None for weight 1.
        directed: whether an edge goes from ``src`` to ``dst`` only.
    """

    nodes: tuple[str, ...]
    src: IntArray
    dst: IntArray
    weight: FloatArray | None = None
    directed: bool = False
    n: int = field(init=False)

    def __post_init__(self) -> None:
        n = len(self.nodes)
        src = np.asarray(self.src, dtype=np.intp)
        dst = np.asarray(self.dst, dtype=np.intp)
        if src.shape != dst.shape or src.ndim != 1:
            raise InvalidValueError("src and dst differ in length", field="dst",
                                    value=dst.shape, expected=f"{src.shape} codes")
        for name, codes in (("src", src), ("dst", dst)):
            if codes.size and (codes.min() < 0 or codes.max() >= n):
                raise InvalidValueError("node code out of range", field=name,
                                        expected=f"codes 0..{n - 1}")
        weight = None if self.weight is None else np.asarray(self.weight, dtype=np.float64)
        if weight is not None and (weight.shape != src.shape
                                   or not np.all(np.isfinite(weight) & (weight >= 0))):
            raise InvalidValueError("bad edge weights", field="weight",
                                    expected="one finite weight >= 0 per edge")
        object.__setattr__(self, "src", src)
        object.__setattr__(self, "dst", dst)
        object.__setattr__(self, "weight", weight)
        object.__setattr__(self, "n", n)


def pagerank_arrays(n: int, src: IntArray, dst: IntArray, weight: FloatArray, *,
                    directed: bool, alpha: float = 0.85, tol: float = 1e-10,
                    max_iter: int = 1000) -> FloatArray:
    """PageRank by power iteration on edge arrays (an undirected edge is walked both ways).

    ``x_v = (1-α)/n + α (Σ_u x_u w_uv / s_u + Σ_{u dangling} x_u / n)`` until the L1 change
    is below ``n·tol``.

    Raises:
        RegionetError: when the iteration does not converge.

    Examples:
        >>> x = pagerank_arrays(3, np.array([0, 0]), np.array([1, 2]), np.ones(2),
        ...                     directed=False)
        >>> round(float(x.sum()), 12), bool(x[0] > x[1] == x[2])
        (1.0, True)
    """
    if not directed:
        loop = src == dst
        src, dst = np.concatenate([src, dst[~loop]]), np.concatenate([dst, src[~loop]])
        weight = np.concatenate([weight, weight[~loop]])
    out = np.bincount(src, weights=weight, minlength=n)
    dangling = out <= 0
    share = np.divide(weight, out[src], out=np.zeros_like(weight), where=out[src] > 0)
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        last = x
        spread = np.bincount(dst, weights=last[src] * share, minlength=n)
        x = alpha * (spread + last[dangling].sum() / n) + (1.0 - alpha) / n
        if float(np.abs(x - last).sum()) < n * tol:
            return np.asarray(x, dtype=np.float64)
    raise RegionetError(f"PageRank did not converge in {max_iter} iterations",
                        field="max_iter", value=max_iter, hint="Raise max_iter or tol")


def _components_numpy(n: int, src: IntArray, dst: IntArray) -> IntArray:
    """Smallest node code of each node's component: hooking and pointer jumping."""
    parent = np.arange(n, dtype=np.intp)
    while True:
        a, b = parent[src], parent[dst]
        differ = a != b
        if not differ.any():
            return parent
        low, high = np.minimum(a[differ], b[differ]), np.maximum(a[differ], b[differ])
        np.minimum.at(parent, high, low)
        while True:  # shortcut every chain to its root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand


def components(edges: EdgeList, backend: str = "auto") -> IntArray:
    """Return each node's (weakly) connected component, numbered 0.. by first node.

    Args:
        edges: the edge list.
        backend: ``auto`` or ``numpy`` (NumPy), or ``igraph`` (python-igraph).
    """
    if backend == "igraph":
        import igraph

        g = igraph.Graph(n=edges.n, edges=np.column_stack([edges.src, edges.dst]),
                         directed=False)
        labels = np.asarray(g.connected_components().membership, dtype=np.intp)
    else:
        labels = _components_numpy(edges.n, edges.src, edges.dst)
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.intp)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return np.asarray(rank[inverse], dtype=np.intp)


def edge_list_metrics(edges: EdgeList, *, alpha: float = 0.85, backend: str = "auto"
                      ) -> dict[str, Any]:
    """Return ``degree``, ``strength``, ``pagerank``, ``component`` and ``component_size``.

    Arrays are per node code. Degree counts edge ends (a self-loop twice, undirected; out +
    in, directed); strength sums the weights the same way (equal to degree unweighted).

    Raises:
        InvalidValueError: ``alpha`` outside [0, 1) or an unknown backend.
    """
    if not 0 <= alpha < 1:
        raise InvalidValueError("alpha must be in [0, 1)", field="alpha", value=alpha,
                                expected="0 <= alpha < 1, e.g. 0.85")
    if backend not in ("auto", "igraph", "numpy"):
        raise InvalidValueError("unknown backend", field="backend", value=backend,
                                expected="auto, igraph or numpy")
    n = edges.n
    weight = np.ones(len(edges.src)) if edges.weight is None else edges.weight
    degree = (np.bincount(edges.src, minlength=n) + np.bincount(edges.dst, minlength=n))
    strength = (np.bincount(edges.src, weights=weight, minlength=n)
                + np.bincount(edges.dst, weights=weight, minlength=n))
    rank = pagerank_arrays(n, edges.src, edges.dst, weight, directed=edges.directed,
                           alpha=alpha)
    component = components(edges, backend)
    size = np.bincount(component, minlength=int(component.max(initial=-1)) + 1)
    return {"degree": degree.astype(np.int64), "strength": strength, "pagerank": rank,
            "component": component, "component_size": size[component]}
