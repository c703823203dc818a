"""NMI and ARI against hand-computed values; Louvain; communities vs associations."""

import math
import random

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from regionet.core.errors import InvalidValueError
from regionet.engines.network.communities import (
    adjusted_rand_index,
    communities_vs_associations,
    community_labels,
    detect_communities,
    normalized_mutual_info,
)

A = [0, 0, 0, 1, 1, 1]
B = [0, 0, 1, 1, 2, 2]


def test_nmi_by_hand():
    # contingency [[2, 1, 0], [0, 1, 2]]: I = 2 · (1/3) ln 2, H(A) = ln 2, H(B) = ln 3
    expected = (2 / 3 * math.log(2)) / ((math.log(2) + math.log(3)) / 2)
    assert normalized_mutual_info(A, B) == pytest.approx(expected)
    assert normalized_mutual_info(B, A) == pytest.approx(expected)


def test_ari_by_hand():
    # Σ C(n_ij) = 2, Σ C(a_i) = 6, Σ C(b_j) = 3, C(6) = 15: (2 - 18/15) / (4.5 - 18/15)
    assert adjusted_rand_index(A, B) == pytest.approx((2 - 1.2) / (4.5 - 1.2))
    # [[1, 1], [1, 1]]: (0 - 2·2/6) / (2 - 4/6) = -0.5
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)


@pytest.mark.parametrize("labels", [[0, 0, 1, 1, 2], ["x", "y", "y", "z", "z", "z"], [7, 7, 7]])
def test_identical_partitions_score_one_whatever_the_names(labels):
    renamed = [f"c{x}" for x in labels]
    assert normalized_mutual_info(labels, renamed) == pytest.approx(1.0)
    assert adjusted_rand_index(labels, renamed) == pytest.approx(1.0)


def test_edge_cases():
    assert normalized_mutual_info([1, 1, 1], [0, 1, 2]) == 0.0  # one side has no information
    assert adjusted_rand_index([0, 1, 2], [5, 6, 7]) == 1.0  # all singletons both sides
    assert normalized_mutual_info([], []) == 1.0
    with pytest.raises(InvalidValueError, match="different lengths"):
        normalized_mutual_info([0, 1], [0])


def test_independent_partitions_score_about_zero():
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 5, 20_000).tolist(), rng.integers(0, 4, 20_000).tolist()
    assert normalized_mutual_info(a, b) < 0.002
    assert abs(adjusted_rand_index(a, b)) < 0.002


@given(st.lists(st.integers(0, 4), min_size=2, max_size=40), st.randoms(use_true_random=False))
def test_scores_ignore_item_order(labels, rnd):
    other = [x % 3 for x in labels]
    pairs = list(zip(labels, other, strict=True))
    rnd.shuffle(pairs)
    a, b = zip(*pairs, strict=True)
    assert normalized_mutual_info(a, b) == pytest.approx(normalized_mutual_info(labels, other))
    assert adjusted_rand_index(a, b) == pytest.approx(adjusted_rand_index(labels, other))
    assert 0.0 <= normalized_mutual_info(labels, other) <= 1.0


def test_louvain_networkx_planted_partition_and_seed():
    G = nx.planted_partition_graph(4, 30, 0.5, 0.01, seed=42)
    found = detect_communities(G, seed=7, backend="networkx")
    assert len(found) == 4
    labels = community_labels(found)
    planted = {v: i for i, block in enumerate(G.graph["partition"]) for v in block}
    nodes = sorted(G)
    assert normalized_mutual_info([labels[v] for v in nodes], [planted[v] for v in nodes]) == 1.0
    assert detect_communities(G, seed=7, backend="networkx") == found
    assert detect_communities(nx.Graph()) == []


def test_igraph_seeding_leaves_the_global_random_state_alone():
    pytest.importorskip("igraph")
    random.seed(12)
    state = random.getstate()
    detect_communities(nx.karate_club_graph(), seed=1, backend="igraph")
    assert random.getstate() == state


def test_bundled_communities_match_associations_mostly(bundled):
    out = communities_vs_associations(bundled, period=1999, seed=0)
    assert out["n_associations"] == 8 and out["n_compared"] > 80
    assert 0.8 < out["nmi"] <= 1.0 and 0.7 < out["ari"] <= 1.0
    assert "by construction" in out["basis"]
    assert out["assignment"]["RU-KGD"]["association"] == "assoc-northwest"
    assert out == communities_vs_associations(bundled, period=1999, seed=0)
