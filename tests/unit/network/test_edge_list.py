"""Edge lists in arrays: degree, strength, PageRank and components, read from CSV and Parquet."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from regionet.core.errors import DataFileError, InvalidValueError
from regionet.engines.network import pagerank
from regionet.engines.network.edge_list import EdgeList, components, edge_list_metrics
from regionet.io.edge_lists import read_edge_list
from regionet.services.edge_lists import edge_list_metrics as file_metrics

# a triangle with a tail, a separate pair, a self-loop on the pair, and a repeated edge
EDGES = pd.DataFrame({"source": ["x", "y", "z", "z", "p", "q", "x"],
                      "target": ["y", "z", "x", "t", "q", "q", "y"],
                      "weight": [1.0, 2.0, 3.0, 0.5, 4.0, 1.0, 1.0]})


def write(frame: pd.DataFrame, folder: Path, fmt: str) -> Path:
    path = folder / f"edges.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_metrics_by_hand_and_against_networkx(fmt: str, tmp_path: Path) -> None:
    rows = {r["id"]: r for r in file_metrics(write(EDGES, tmp_path, fmt))}
    assert set(rows) == {"x", "y", "z", "t", "p", "q"}
    # edge ends: x: x-y twice, z-x → 3; q: p-q, q-q (self-loop: both ends) → 3
    assert {k: r["degree"] for k, r in rows.items()} == {
        "x": 3, "y": 3, "z": 3, "t": 1, "p": 1, "q": 3}
    assert {k: r["strength"] for k, r in rows.items()} == {
        "x": 5.0, "y": 4.0, "z": 5.5, "t": 0.5, "p": 4.0, "q": 6.0}
    # components numbered by first appearance: x's first, then p's
    assert {k: (r["component"], r["component_size"]) for k, r in rows.items()} == {
        "x": (0, 4), "y": (0, 4), "z": (0, 4), "t": (0, 4), "p": (1, 2), "q": (1, 2)}
    G = nx.MultiGraph()
    G.add_weighted_edges_from(EDGES.itertuples(index=False))
    expected = pagerank(G, backend="networkx")
    for node, row in rows.items():
        assert row["pagerank"] == pytest.approx(expected[node], abs=1e-9)
    ranks = [r["pagerank"] for r in file_metrics(write(EDGES, tmp_path, fmt))]
    assert ranks == sorted(ranks, reverse=True)


def test_numpy_and_igraph_components_agree() -> None:
    pytest.importorskip("igraph")
    rng = np.random.default_rng(7)
    n = 2_000
    src, dst = rng.integers(0, n, 1_500), rng.integers(0, n, 1_500)
    edges = EdgeList(tuple(map(str, range(n))), src, dst)
    a, b = components(edges, "numpy"), components(edges, "igraph")
    np.testing.assert_array_equal(a, b)
    G = nx.Graph()
    G.add_nodes_from(range(n))
    G.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    assert a.max() + 1 == nx.number_connected_components(G)


def test_a_path_graph_converges_to_one_component() -> None:
    n = 5_000  # pointer jumping: a long chain needs few rounds
    edges = EdgeList(tuple(map(str, range(n))), np.arange(n - 1)[::-1], np.arange(1, n)[::-1])
    assert set(components(edges, "numpy").tolist()) == {0}


def test_directed_pagerank_matches_networkx() -> None:
    edges = EdgeList(("a", "b", "c"), np.array([0, 1, 0]), np.array([1, 2, 2]), directed=True)
    got = edge_list_metrics(edges)["pagerank"]
    expected = pagerank(nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")]), backend="networkx")
    np.testing.assert_allclose(got, [expected[k] for k in "abc"], atol=1e-9)


def test_registry_number_ids_keep_their_zeros(tmp_path: Path) -> None:
    frame = pd.DataFrame({"source": ["0012", "0034"], "target": ["0034", "1200"]})
    edges = read_edge_list(write(frame, tmp_path, "csv"))
    assert edges.nodes == ("0012", "0034", "1200")
    assert (edges.src.tolist(), edges.dst.tolist(), edges.weight) == ([0, 1], [1, 2], None)


@pytest.mark.parametrize(("column", "value", "error", "message"), [
    ("weight", "-1", InvalidValueError, "bad weight"),
    ("weight", "heavy", InvalidValueError, "bad weight"),
])
def test_bad_rows_name_file_row_field_value(tmp_path: Path, column: str, value: str,
                                            error: type[Exception], message: str) -> None:
    frame = EDGES.astype(object)
    frame.loc[2, column] = value
    path = write(frame, tmp_path, "csv")
    with pytest.raises(error, match=message) as info:
        read_edge_list(path)
    err = info.value
    assert (err.file, err.row, err.field, err.value) == (str(path), 3, column, value)  # type: ignore[attr-defined]


def test_missing_column(tmp_path: Path) -> None:
    path = write(EDGES.drop(columns="target"), tmp_path, "csv")
    with pytest.raises(DataFileError, match="missing column") as info:
        read_edge_list(path)
    assert info.value.field == "target"
