r"""Reading an edge list file (CSV or Parquet) into an :class:`EdgeList`, fast.

The file has one row per edge: a ``source`` and a ``target`` node id (text) and optionally a
``weight`` (a number >= 0; missing means 1). Node ids are coded in one hash pass over both
columns (:func:`~regionet.core.tables.joint_codes`), in order of first appearance; weights are
checked in one vectorised pass. Errors name the file, the row, the column and the value.

Examples:
    >>> path = tmp_path / "edges.csv"   # tmp_path: any folder of yours
    >>> _ = path.write_text("source,target,weight\nRU-KR,FI,2\nFI,RU-MUR,1\n", encoding="utf-8")
    >>> edges = read_edge_list(path)
    >>> edges.nodes, edges.src.tolist(), edges.dst.tolist(), edges.weight.tolist()
    (('RU-KR', 'FI', 'RU-MUR'), [0, 1], [1, 2], [2.0, 1.0])
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from regionet.core.errors import InvalidValueError
from regionet.core.tables import joint_codes
from regionet.engines.network.edge_list import EdgeList
from regionet.io.input_tables import open_table

__all__ = ["read_edge_list"]


def read_edge_list(path: str | Path, *, source: str = "source", target: str = "target",
                   weight: str | None = "weight", directed: bool = False) -> EdgeList:
    """Read an edge list; ``weight`` is used if the file has that column (None: unweighted).

    Raises:
        DataFileError: a missing file or column.
        InvalidValueError: an empty node id, or a weight that is not a number >= 0, naming the
            file, row, column and value.
    """
    table = open_table(path, None, (source, target),
                       (source, target, *((weight,) if weight else ())),
                       ids=(source, target), dictionary=())
    nodes, (src, dst) = joint_codes((table, source), (table, target))
    for column, codes in ((source, src), (target, dst)):
        if len(codes) and codes.min() < 0:
            i = int(np.flatnonzero(codes < 0)[0])
            raise InvalidValueError("missing node id", file=table.name, row=table.row(i),
                                    field=column, value=table.value(column, i),
                                    expected="a node id")
    values = None
    if weight is not None and weight in table:
        values = table.numbers(weight)
        bad = ~(np.isfinite(values) & (values >= 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidValueError("bad weight", file=table.name, row=table.row(i),
                                    field=weight, value=table.value(weight, i),
                                    expected="a finite number >= 0")
    ids = tuple(str(v) for v in nodes.to_pylist())
    return EdgeList(ids, src, dst, values, directed)
