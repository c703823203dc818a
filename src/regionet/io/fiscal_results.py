"""Writing a fiscal year's results: per-region table, totals, flow matrix, donors.

Examples:
    >>> from regionet.services.case_source import CaseSource
    >>> from regionet.services.fiscal import run_fiscal_year
    >>> out = tmp_path   # any folder of yours
    >>> paths = write_fiscal_result(run_fiscal_year(CaseSource.bundled(), 1999), out)
    >>> [p.name for p in paths][:3]
    ['regions.csv', 'totals.csv', 'flow_matrix.csv']
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

import pandas as pd

from regionet.core.errors import InvalidValueError
from regionet.engines.fiscal.run.outputs import donors_recipients, flow_matrix
from regionet.engines.fiscal.run.pipeline import YearResult

__all__ = ["RESULT_FORMATS", "write_fiscal_result", "write_tables"]

#: File formats of :func:`write_fiscal_result`.
RESULT_FORMATS: Final = ("csv", "parquet", "json")


def write_fiscal_result(result: YearResult, out: Path, fmt: str = "csv") -> list[Path]:
    """Write a year's per-region results, national totals, flow matrix and donors to ``out``.

    The totals table names the inputs the results came from (``inputs``, ``inputs_checksum``).

    Raises:
        InvalidValueError: an unknown format (field ``format``).
    """
    if fmt not in RESULT_FORMATS:
        raise InvalidValueError("unknown format", field="format", value=fmt,
                                expected=", ".join(RESULT_FORMATS))
    out.mkdir(parents=True, exist_ok=True)
    tables = {
        "regions": result.regions,
        "totals": pd.DataFrame([{"year": result.year, **result.totals, **result.rules,
                                 "illustrative": result.inputs.illustrative,
                                 "inputs": result.inputs.name,
                                 "inputs_checksum": result.inputs.checksum}]),
        "flow_matrix": flow_matrix(result).rename_axis("from_region").reset_index(),
        "donors_net_contributor": donors_recipients(result, "net_contributor"),
        "donors_no_equalization_transfer": donors_recipients(result,
                                                             "no_equalization_transfer"),
    }
    paths = []
    for name, frame in tables.items():
        path = out / f"{name}.{fmt}"
        if fmt == "parquet":
            frame.to_parquet(path, index=False)
        elif fmt == "json":
            frame.to_json(path, orient="records", indent=2, force_ascii=False)
        else:
            frame.to_csv(path, index=False)
        paths.append(path)
    return paths


def write_tables(folder: Path, tables: Mapping[str, pd.DataFrame]) -> dict[str, Path]:
    """Write each frame of ``tables`` to ``folder/<name>.csv`` (no index); return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, frame in tables.items():
        paths[name] = folder / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    return paths
