"""PageRank, degree, strength and components of an edge list with python-igraph (whole process).

A plain script a user would write: read the file with pyarrow, code node ids, build the igraph
graph, measure, print one JSON row per node (highest PageRank first), as
``regionet network metrics --edges FILE --json`` does.

    python igraph_metrics.py EDGES        # .parquet or .csv with source, target, weight
"""

import json
import sys

import igraph as ig
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def read(path: str) -> pa.Table:
    if path.endswith(".parquet"):
        import pyarrow.parquet as pq

        return pq.read_table(path)
    import pyarrow.csv as pacsv

    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={"source": pa.string(), "target": pa.string()}))


def main() -> None:
    table = read(sys.argv[1])
    n_edges = table.num_rows
    ends = pa.chunked_array([*table["source"].chunks, *table["target"].chunks])
    encoded = pc.dictionary_encode(ends).combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    names = encoded.dictionary.to_pylist()
    g = ig.Graph(n=len(names), edges=np.column_stack([codes[:n_edges], codes[n_edges:]]))
    g.es["weight"] = table["weight"].to_numpy()
    rank = np.asarray(g.pagerank(weights="weight"))
    degree = g.degree()
    strength = g.strength(weights="weight")
    membership = np.asarray(g.connected_components().membership)
    _, first, inverse = np.unique(membership, return_index=True, return_inverse=True)
    renumber = np.empty(len(first), dtype=np.int64)
    renumber[np.argsort(first, kind="stable")] = np.arange(len(first))
    component = renumber[inverse]
    size = np.bincount(component)[component]
    order = np.argsort(-rank, kind="stable")
    rows = [{"id": names[i], "degree": degree[i], "strength": strength[i],
             "pagerank": float(rank[i]), "component": int(component[i]),
             "component_size": int(size[i])} for i in order.tolist()]
    sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
