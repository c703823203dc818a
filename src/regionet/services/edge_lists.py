r"""Network measures of an edge list file: ``regionet network metrics --edges FILE``.

A user with a large graph of their own (CSV or Parquet: ``source, target[, weight]``) gets
degree, strength, PageRank and connected components per node without a workspace and
without NetworkX: the file is read into arrays (:mod:`regionet.io.edge_lists`) and measured
there (:mod:`regionet.engines.network.edge_list`).

Examples:
    >>> path = tmp_path / "edges.csv"   # tmp_path: any folder of yours
    >>> _ = path.write_text("source,target\na,b\nb,c\nd,e\n", encoding="utf-8")
    >>> rows = edge_list_metrics(path)
    >>> [(r["id"], r["degree"], r["component"], r["component_size"]) for r in rows][:2]
    [('b', 2, 0, 3), ('d', 1, 1, 2)]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from regionet.engines.network.edge_list import edge_list_metrics as measure
from regionet.io.edge_lists import read_edge_list

__all__ = ["EDGE_METRIC_COLUMNS", "edge_list_metrics"]

#: The columns of each node's row.
EDGE_METRIC_COLUMNS = ("id", "degree", "strength", "pagerank", "component", "component_size")


def edge_list_metrics(path: str | Path, *, source: str = "source", target: str = "target",
                      weight: str | None = "weight", directed: bool = False,
                      alpha: float = 0.85) -> list[dict[str, Any]]:
    """Return one row per node (:data:`EDGE_METRIC_COLUMNS`), highest PageRank first.

    Components are numbered from 0 in order of their first node in the file.

    Raises:
        DataFileError: a missing file or column.
        InvalidValueError: a missing node id or a bad weight (naming file, row, column and
            value), or ``alpha`` outside [0, 1).
    """
    edges = read_edge_list(path, source=source, target=target, weight=weight,
                           directed=directed)
    got = measure(edges, alpha=alpha)
    order = np.argsort(-got["pagerank"], kind="stable")
    columns = [np.asarray(edges.nodes, dtype=object)[order].tolist(),
               *(got[c][order].tolist() for c in EDGE_METRIC_COLUMNS[1:])]
    return [dict(zip(EDGE_METRIC_COLUMNS, row, strict=True)) for row in zip(*columns, strict=True)]
