"""Benchmark: network measures on a 100,000-node / 500,000-edge graph, regionet vs NetworkX.

Builds a seeded random graph with heavy-tailed degrees (Chung-Lu: edge ends drawn with
probability proportional to Pareto weights; self-loops and duplicates dropped), stored as a
NetworkX ``Graph`` (the interchange format), and times in the same run:

(a) regionet's functions with ``backend="auto"`` (igraph when installed, for a graph this
    size; PageRank in NumPy at every size), cold (the first call reads the NetworkX graph
    into arrays and, for igraph, converts it; both are cached on the graph) and warm;
(b) regionet's PageRank with ``backend="igraph"`` (PRPACK);
(c) plain NetworkX: ``nx.pagerank`` (SciPy) or, without SciPy, NetworkX's pure-Python
    PageRank, once at full size; Louvain, sampled betweenness and eigenvector centrality on a
    smaller graph of the same kind (``--small``), where regionet is timed too and the ratio
    is reported at that size.

Prints one table of best wall times (``--repeat``) and ratios, and checks that the backends'
PageRanks agree. Not a test: it asserts nothing about time.

    .venv/bin/python benchmarks/bench_network.py [--nodes 100000 --edges 500000]
        [--small 10000 50000] [--k 100] [--repeat 3] [--skip-nx-pagerank]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from typing import Any

import networkx as nx
import numpy as np

from regionet.engines.network import (
    betweenness,
    choose_backend,
    detect_communities,
    eigenvector,
    has_igraph,
    pagerank,
    to_igraph,
)


def random_graph(n: int, m: int, seed: int) -> nx.Graph:
    """A Chung-Lu graph: ends drawn ∝ Pareto(2.5) weights; exactly ``m`` distinct edges."""
    rng = np.random.default_rng(seed)
    weights = rng.pareto(2.5, n) + 1.0
    p = weights / weights.sum()
    pairs = np.empty((0, 2), dtype=np.int64)
    while len(pairs) < m:
        draw = rng.choice(n, size=(int((m - len(pairs)) * 1.3) + 16, 2), p=p)
        draw = draw[draw[:, 0] != draw[:, 1]]
        draw.sort(axis=1)
        pairs = np.unique(np.vstack([pairs, draw]), axis=0)
    pairs = pairs[rng.permutation(len(pairs))[:m]]
    w = rng.uniform(0.1, 1.0, m)
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_weighted_edges_from(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(), w.tolist(),
                                  strict=True))
    return G


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls (``gc.collect()`` before each) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def once(fn: Callable[[], Any]) -> tuple[float, Any]:
    return best(fn, 1)


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def networkx_pagerank(G: nx.Graph) -> tuple[str, Callable[[], Any]]:
    """NetworkX's PageRank: the SciPy one if SciPy is installed, else the pure-Python one."""
    if find_spec("scipy") is not None:
        return "nx.pagerank (SciPy)", lambda: nx.pagerank(G, tol=1e-10)
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    return ("NetworkX pure-Python PageRank (no SciPy)",
            lambda: _pagerank_python(G, tol=1e-10, max_iter=1000))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=500_000)
    parser.add_argument("--small", type=int, nargs=2, default=[10_000, 50_000],
                        metavar=("NODES", "EDGES"), help="size for the slow NetworkX baselines")
    parser.add_argument("--k", type=int, default=100, help="sources of sampled betweenness")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1999)
    parser.add_argument("--skip-nx-pagerank", action="store_true",
                        help="skip NetworkX PageRank at full size (about a minute)")
    args = parser.parse_args()

    print(f"date {datetime.date.today()}, {platform.platform()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, numpy {np.__version__}, networkx "
          f"{nx.__version__}, igraph {_version('igraph')}, scipy {_version('scipy')}")
    if not has_igraph():
        print("igraph is not installed: backend='auto' is NetworkX (pip install regionet[fast])")
    rows: list[tuple[str, str, float, float | None, str]] = []

    t_build, G = once(lambda: random_graph(args.nodes, args.edges, args.seed))
    size = f"{args.nodes:,}/{G.number_of_edges():,}"
    print(f"graph {size} nodes/edges built in {t_build:.1f} s; auto backend: "
          f"{choose_backend(G)}")

    # PageRank at full size. The first call reads the NetworkX graph into arrays (cached on
    # the graph); auto runs PageRank in NumPy at every size, igraph on request.
    t_cold, pr_auto = once(lambda: pagerank(G))
    t_warm, pr_auto = best(lambda: pagerank(G), args.repeat)
    label, baseline = networkx_pagerank(G)
    t_nx, diffs = None, []
    if not args.skip_nx_pagerank:
        t_nx, pr_nx = once(baseline)
        diffs.append(max(abs(pr_auto[v] - pr_nx[v]) for v in G))
    rows.append(("PageRank, regionet auto (NumPy), cold: reads G into arrays", size, t_cold,
                 t_nx, label))
    rows.append(("PageRank, regionet auto (NumPy), warm", size, t_warm, t_nx, label))
    if has_igraph():
        t_conv, _ = once(lambda: to_igraph(G))
        rows.append(("NetworkX → igraph, after the arrays (once per graph)", size, t_conv,
                     None, ""))
        t_ig, pr_ig = best(lambda: pagerank(G, backend="igraph"), args.repeat)
        diffs.append(max(abs(pr_auto[v] - pr_ig[v]) for v in G))
        rows.append(("PageRank, regionet backend=igraph (PRPACK), warm", size, t_ig, t_nx,
                     label))
    diff = max(diffs, default=0.0)

    # Communities, sampled betweenness, eigenvector at full size (regionet auto only)
    method = "Leiden" if choose_backend(G) == "igraph" else "Louvain"
    t_comm, comm = best(lambda: detect_communities(G, seed=1), args.repeat)
    q = nx.community.modularity(G, comm, weight="weight")
    rows.append((f"communities, regionet auto = {method} ({len(comm):,} found, Q {q:.3f})",
                 size, t_comm, None, ""))
    if has_igraph():
        t_lv, lv = best(lambda: detect_communities(G, seed=1, method="louvain"), args.repeat)
        q = nx.community.modularity(G, lv, weight="weight")
        rows.append((f"communities, regionet igraph Louvain ({len(lv):,} found, Q {q:.3f})",
                     size, t_lv, None, ""))
    t_bt, _ = best(lambda: betweenness(G, k=args.k, seed=1), args.repeat)
    rows.append((f"betweenness k={args.k}, regionet auto", size, t_bt, None, ""))
    t_ev, _ = best(lambda: eigenvector(G), args.repeat)
    rows.append(("eigenvector, regionet auto", size, t_ev, None, ""))

    # The slow NetworkX baselines on a smaller graph of the same kind
    n_small, m_small = args.small
    S = random_graph(n_small, m_small, args.seed)
    small = f"{n_small:,}/{S.number_of_edges():,}"
    pagerank(S)  # convert once, as on the large graph
    t_rc, _ = best(lambda: detect_communities(S, seed=1), args.repeat)
    t_nc, _ = once(lambda: nx.community.louvain_communities(S, weight="weight", seed=1))
    rows.append((f"communities, regionet auto = {method}", small, t_rc, t_nc,
                 "nx.community.louvain_communities"))
    t_rb, _ = best(lambda: betweenness(S, k=args.k, seed=1), args.repeat)
    t_nb, _ = once(lambda: nx.betweenness_centrality(S, k=args.k, seed=1))
    rows.append((f"betweenness k={args.k}", small, t_rb, t_nb, "nx.betweenness_centrality"))
    t_re, _ = best(lambda: eigenvector(S), args.repeat)
    t_ne, _ = once(lambda: nx.eigenvector_centrality(S, weight="weight", max_iter=1000,
                                                     tol=1e-9))
    rows.append(("eigenvector", small, t_re, t_ne, "nx.eigenvector_centrality"))

    print()
    print(f"| measure | nodes/edges | regionet (best of {args.repeat}) | NetworkX (once) "
          "| speed-up | NetworkX function |")
    print("|---|---|---:|---:|---:|---|")
    for name, where, ours, theirs, what in rows:
        nx_text = f"{theirs:.3f} s" if theirs is not None else "—"
        ratio = f"{theirs / ours:.0f}×" if theirs is not None and ours > 0 else "—"
        print(f"| {name} | {where} | {ours:.3f} s | {nx_text} | {ratio} | {what} |")
    print()
    print(f"PageRank: largest difference between implementations {diff:.2e}")
    print("Targets at full size: PageRank ≤ 0.5 s (warm): "
          f"{'met' if t_warm <= 0.5 else 'NOT met'} ({t_warm:.2f} s; cold {t_cold:.2f} s); "
          f"communities ≤ 5 s: "
          f"{'met' if t_comm <= 5 else 'NOT met'}")


if __name__ == "__main__":
    main()
