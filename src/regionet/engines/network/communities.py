"""Communities: Louvain detection and comparison with the formal associations (NMI, ARI).

:func:`detect_communities` finds groups of densely tied actors; :func:`normalized_mutual_info`
and :func:`adjusted_rand_index` measure how far two partitions agree (implemented here with
NumPy from their formulas); :func:`communities_vs_associations` puts the two together on a
case: are the memo's subregional associations (para 12) the groups the cooperation network
itself forms?

Examples:
    >>> normalized_mutual_info([0, 0, 1, 1], ["a", "a", "b", "b"])
    1.0
    >>> round(adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]), 12)
    -0.5
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from regionet.core.errors import InvalidValueError
from regionet.core.rng import Seed
from regionet.engines.network.backends import (
    choose_backend,
    igraph_seed,
    int_seed,
    simple_graph,
    to_igraph,
)
from regionet.engines.network.blocs import memberships
from regionet.engines.network.graphs import Period, tie_graph
from regionet.model.case import Case

__all__ = [
    "METHODS",
    "adjusted_rand_index",
    "communities_vs_associations",
    "community_labels",
    "detect_communities",
    "normalized_mutual_info",
]

Node = Hashable

#: Community detection methods (``auto``: Louvain on NetworkX, Leiden on igraph).
METHODS = ("auto", "louvain", "leiden")

#: Levels whose ties define the domestic horizontal network compared with associations.
DOMESTIC_LEVELS = ("bilateral", "subnational")


def _sort_key(group: set[Node]) -> tuple[int, str]:
    return -len(group), min(str(v) for v in group)


def detect_communities(G: nx.Graph, *, weight: str | None = "weight", resolution: float = 1.0,
                       seed: Seed = 0, method: str = "auto", backend: str = "auto"
                       ) -> list[set[Node]]:
    """Return communities that maximise modularity (Louvain, or Leiden with igraph).

    Both methods increase modularity ``Q = (1/2m) Σ_ij (A_ij - γ k_i k_j / 2m) δ(c_i, c_j)``
    by moving nodes between communities, then merge each community into one node and repeat.
    **Louvain** [1]_ runs as :func:`networkx.community.louvain_communities` (NetworkX backend)
    or ``community_multilevel`` (igraph); **Leiden** [2]_ (igraph only,
    ``community_leiden`` with the modularity objective and 2 iterations) adds a refinement
    step that keeps communities connected, and on the benchmark graph is 2–3× faster than
    igraph's Louvain with a higher modularity. ``method="auto"`` is Louvain on the
    NetworkX backend and Leiden on the igraph backend. Node order is random: the result
    depends on ``seed`` and is reproducible with it; implementations can differ in detail.
    Nodes without edges are singletons.

    Args:
        G: a graph or multigraph (parallel edges collapsed, weights summed).
        weight: the weight attribute, or None for unweighted.
        resolution: γ; above 1 favours smaller communities.
        seed: int, Generator or None (None is not reproducible).
        method: ``auto``, ``louvain`` or ``leiden``.
        backend: ``auto``, ``networkx`` or ``igraph`` (``leiden`` needs igraph).

    Returns:
        Communities as sets of nodes, largest first (ties by smallest node id).

    Raises:
        InvalidValueError: for an unknown method, or ``leiden`` on the NetworkX backend.

    References:
        .. [1] V. D. Blondel, J.-L. Guillaume, R. Lambiotte and E. Lefebvre, "Fast unfolding
           of communities in large networks", J. Stat. Mech. P10008, 2008.
        .. [2] V. A. Traag, L. Waltman and N. J. van Eck, "From Louvain to Leiden:
           guaranteeing well-connected communities", Scientific Reports 9, 5233, 2019.

    Examples:
        >>> import networkx as nx
        >>> G = nx.barbell_graph(5, 0)
        >>> [sorted(c) for c in detect_communities(G, seed=1)]
        [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    """
    if method not in METHODS:
        raise InvalidValueError("unknown community method", field="method", value=method,
                                expected="one of " + ", ".join(METHODS))
    H = simple_graph(G, weight)
    name = (weight or "weight") if G.is_multigraph() else weight
    if H.number_of_nodes() == 0:
        return []
    chosen = choose_backend(H, "igraph" if method == "leiden" and backend == "auto"
                            else backend)
    if chosen == "networkx" and method == "leiden":
        raise InvalidValueError("the Leiden method needs the igraph backend", field="method",
                                value=method, expected="louvain or auto with NetworkX")
    if chosen == "igraph":
        g = to_igraph(H, name)
        weights = "weight" if name else None
        with igraph_seed(seed):
            if method == "louvain":
                clustering = g.community_multilevel(weights=weights, resolution=resolution)
            else:
                clustering = g.community_leiden(objective_function="modularity",
                                                weights=weights, resolution=resolution,
                                                n_iterations=2)
        nodes = list(H)
        found = [{nodes[i] for i in members} for members in clustering]
    else:
        found = [set(c) for c in nx.community.louvain_communities(
            H, weight=name, resolution=resolution, seed=int_seed(seed))]
    return sorted(found, key=_sort_key)


def community_labels(communities: Iterable[Iterable[Node]]) -> dict[Node, int]:
    """Return ``{node: index of its community}`` for a list of disjoint communities.

    Examples:
        >>> community_labels([{"a", "b"}, {"c"}])["c"]
        1
    """
    return {v: i for i, group in enumerate(communities) for v in group}


def _contingency(a: Sequence[Hashable], b: Sequence[Hashable]) -> npt.NDArray[np.float64]:
    if len(a) != len(b):
        raise InvalidValueError("the two labelings have different lengths", field="labels",
                                value=f"{len(a)} and {len(b)}", expected="one label per item "
                                "in each")
    ia = {x: i for i, x in enumerate(dict.fromkeys(a))}
    ib = {x: i for i, x in enumerate(dict.fromkeys(b))}
    table = np.zeros((len(ia), len(ib)), dtype=np.float64)
    np.add.at(table, (np.fromiter((ia[x] for x in a), dtype=np.int64, count=len(a)),
                      np.fromiter((ib[x] for x in b), dtype=np.int64, count=len(b))), 1.0)
    return table


def _entropy(counts: npt.NDArray[np.float64]) -> float:
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


def normalized_mutual_info(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Return the normalised mutual information of two labelings of the same items.

    ``NMI = I(A;B) / ((H(A) + H(B)) / 2)`` with ``I(A;B) = Σ_ij p_ij log(p_ij / (p_i p_j))``
    and ``H(A) = -Σ_i p_i log p_i`` over the contingency table (arithmetic-mean
    normalisation, as in [1]_ and scikit-learn's default). 1 for identical partitions (up to
    renaming), near 0 for independent ones. If both labelings put everything in one group
    the result is 1; if only one does, 0.

    Raises:
        InvalidValueError: when the lengths differ.

    References:
        .. [1] N. X. Vinh, J. Epps and J. Bailey, "Information theoretic measures for
           clusterings comparison", JMLR 11, 2837–2854, 2010.

    Examples:
        >>> normalized_mutual_info(["x", "x", "y", "y"], [1, 1, 0, 0])
        1.0
        >>> round(normalized_mutual_info([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 4)
        0.5158
    """
    if len(a) == 0:
        return 1.0
    table = _contingency(a, b)
    n = table.sum()
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    h_a, h_b = _entropy(rows), _entropy(cols)
    if h_a == 0.0 and h_b == 0.0:
        return 1.0
    nz = table > 0
    pij = table[nz] / n
    outer = np.outer(rows, cols)[nz] / (n * n)
    mi = float((pij * np.log(pij / outer)).sum())
    return float(min(1.0, max(0.0, mi / ((h_a + h_b) / 2))))


def adjusted_rand_index(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Return the adjusted Rand index of two labelings of the same items.

    With ``n_ij`` the contingency table, ``a_i`` and ``b_j`` its row and column sums and
    ``C(x) = x(x-1)/2`` [1]_::

        ARI = (Σ C(n_ij) - Σ C(a_i) Σ C(b_j) / C(n))
              / (½ (Σ C(a_i) + Σ C(b_j)) - Σ C(a_i) Σ C(b_j) / C(n))

    1 for identical partitions, about 0 for independent ones (negative when they agree
    less than chance). When the denominator is 0 (both all-singletons or both one group)
    the partitions are identical and the result is 1.

    Raises:
        InvalidValueError: when the lengths differ.

    References:
        .. [1] L. Hubert and P. Arabie, "Comparing partitions", Journal of Classification
           2, 193–218, 1985.

    Examples:
        >>> adjusted_rand_index([0, 0, 1, 1], [5, 5, 7, 7])
        1.0
        >>> round(adjusted_rand_index([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]), 4)
        0.2424
    """
    if len(a) < 2:
        return 1.0
    table = _contingency(a, b)

    def pairs(x: npt.NDArray[np.float64]) -> float:
        return float((x * (x - 1) / 2).sum())

    index = pairs(table)
    sum_a, sum_b = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = sum_a * sum_b / pairs(np.array([table.sum()]))
    maximum = (sum_a + sum_b) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


def _compare(found: Mapping[Any, int], reference: Mapping[Any, str]) -> dict[str, Any]:
    items = sorted((v for v in reference if v in found), key=str)
    a = [found[v] for v in items]
    b = [reference[v] for v in items]
    return {"n_compared": len(items), "nmi": normalized_mutual_info(a, b),
            "ari": adjusted_rand_index(a, b)}


def communities_vs_associations(case: Case, *, as_of: date | None = None,
                                period: Period | None = None, seed: Seed = 0,
                                resolution: float = 1.0, backend: str = "auto"
                                ) -> dict[str, Any]:
    """Compare Louvain communities of the domestic network with the formal associations.

    The graph is the :func:`~regionet.engines.network.graphs.tie_graph` of the bilateral
    and subnational ties (as of ``as_of`` or over ``period``), association nodes included.
    The comparison runs over the members of the federation that belong to an association
    in that time; a member of several associations is assigned its **earliest**
    (see :func:`~regionet.engines.network.blocs.memberships`).

    Subnational ties in a case may be mostly memberships, and a membership tie links a
    member to its association, so agreement is then partly built in: ``basis`` says so.

    Returns:
        A dict with ``nmi``, ``ari``, ``n_compared``, ``n_communities`` (among the compared
        members), ``n_associations``, ``modularity``, ``communities`` (each with its
        members, its most common association and that association's share), ``assignment``
        (``{member: {"community", "association", "associations"}}``), ``overlap_rule``
        and ``basis``.

    Examples:
        >>> import regionet as rn
        >>> out = communities_vs_associations(rn.load_case("russia-1990s"), period=1999)
        >>> 0.0 <= out["nmi"] <= 1.0 and out["n_associations"] >= 5
        True
    """
    G = tie_graph(case, levels=DOMESTIC_LEVELS, as_of=as_of, period=period)
    H = simple_graph(G)
    H.remove_nodes_from([v for v in list(H) if H.degree(v) == 0])
    communities = detect_communities(H, seed=seed, resolution=resolution, backend=backend)
    labels = community_labels(communities)
    belongs = memberships(case, as_of=as_of, period=period)
    reference = {m: assocs[0] for m, assocs in belongs.items() if m in labels}
    result = _compare(labels, reference)
    groups: list[dict[str, Any]] = []
    for i, group in enumerate(communities):
        members = sorted(v for v in group if v in reference)
        if not members:
            continue
        counts: dict[str, int] = {}
        for m in members:
            counts[reference[m]] = counts.get(reference[m], 0) + 1
        main = max(sorted(counts), key=lambda k: counts[k])
        groups.append({"community": i, "members": members, "association": main,
                       "association_share": counts[main] / len(members)})
    kinds = {d["kind"] for *_, d in G.edges(data=True) if d["level"] == "subnational"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        q = nx.community.modularity(H, communities, weight="weight") if H.number_of_edges() \
            else 0.0
    return {
        **result,
        "n_communities": len(groups),
        "n_associations": len(set(reference.values())),
        "modularity": float(q),
        "communities": groups,
        "assignment": {m: {"community": labels[m], "association": reference[m],
                           "associations": belongs[m]} for m in sorted(reference)},
        "overlap_rule": "a member of several associations is compared with its earliest "
                        "(by membership start; an unknown start counts as earliest; ties by id)",
        "basis": ("bilateral and subnational ties; subnational ties are "
                  + ("membership ties only, so the agreement is partly by construction"
                     if kinds <= {"membership"} else
                     "of kinds " + ", ".join(sorted(kinds)))),
        "seed": seed if isinstance(seed, int) else None,
    }
