r"""Reading users' fiscal input files: a regions table, establishments and firms (no pandas).

The files are opened with pyarrow (:mod:`regionet.io.input_tables`) and coded by
:mod:`regionet.engines.fiscal.inputs.coding`; formats in ``docs/economy.md``. Every error
names the file, the row (1-based below the header, counted in the file), the column and the
value as written.

Examples:
    >>> folder = tmp_path   # tmp_path: any folder of yours
    >>> _ = (folder / "est.csv").write_text("firm_id,region,headcount,payroll,assets,sales\n"
    ...                                     "oil,B,9,1,8,0\noil,A,1,1,2,0\n")
    >>> _ = (folder / "firms.csv").write_text("firm_id,registered_region,profit\noil,A,10\n")
    >>> est, firms = read_firms(folder / "est.csv", folder / "firms.csv", None, ("A", "B"))
    >>> est.region.tolist(), firms.registered_region.tolist()
    ([1, 0], [0])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa

from regionet.core.errors import InvalidValueError
from regionet.core.tables import first_duplicate
from regionet.engines.fiscal.inputs.coding import (
    ESTABLISHMENT_COLUMNS,
    ESTABLISHMENT_OPTIONAL,
    FIRM_COLUMNS,
    code_inputs,
    in_file,
)
from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
from regionet.engines.fiscal.inputs.year_inputs import TAX_KEYS, RegionTable
from regionet.io.input_tables import open_table

__all__ = ["REGION_COLUMNS", "read_firms", "read_regions"]

#: Columns of a users' regions table.
REGION_COLUMNS: Final = ("region", "population", "expenditure_index", "parent", *TAX_KEYS)


def read_regions(path: str | Path, year: int | None) -> RegionTable:
    """Read a regions table of ``year`` (None: every row): ``region, population`` and more.

    Optional: ``expenditure_index``, ``parent`` and one column per tax key
    (:data:`~regionet.engines.fiscal.inputs.TAX_KEYS`; missing = 0).

    Raises:
        DataFileError: a missing file or column, or no rows for the year.
        InvalidValueError: a bad value or a repeated region id, naming the file, row and
            field.
    """
    table = open_table(path, year, ("region", "population"), REGION_COLUMNS)
    ids = tuple("" if v is None else str(v) for v in table.column("region").to_pylist())
    repeated = first_duplicate(pa.array(ids, pa.string()))
    if repeated is not None:
        raise InvalidValueError("duplicate region", file=table.name, row=table.row(repeated),
                                field="region", value=ids[repeated], expected="each id once")
    parent = None
    if "parent" in table:
        parent = tuple(None if p is None or not str(p) else str(p)
                       for p in table.column("parent").to_pylist())
    try:
        return RegionTable(
            ids, population=table.numbers("population"),
            expenditure_index=(table.numbers("expenditure_index")
                               if "expenditure_index" in table else None),
            tax_due={k: np.nan_to_num(table.numbers(k), nan=0.0)
                     for k in TAX_KEYS if k in table},
            parent=parent)
    except InvalidValueError as err:
        raise in_file(err, table) from err


def read_firms(establishments: str | Path, firms: str | Path, year: int | None,
               region_ids: Sequence[str] | Callable[[], Sequence[str]], *, sort: bool = True
               ) -> tuple[Establishments, Firms]:
    """Read the establishments and firms files of ``year`` against the regions' ids.

    Args:
        establishments: CSV or Parquet with ``firm_id, region, headcount, payroll, assets,
            sales`` and optionally ``own_balance_sheet`` (true/false, 1/0, yes/no; missing
            column or empty cell: false, docs/fiscal.md).
        firms: CSV or Parquet with ``firm_id, registered_region, profit``.
        year: keep the rows of this year in files with a ``year`` column (None: all rows).
        region_ids: the regions' ids (region code ``r`` is ``region_ids[r]``), or a function
            returning them, called once the firm ids are coded (so they can be computed
            meanwhile, e.g. in another thread).
        sort: store the establishments sorted by firm (False: file order, cheaper for one
            run on an unsorted file; see :class:`Establishments`).

    Raises:
        DataFileError: a missing file or column, or no rows for the year.
        InvalidValueError, UnknownActorError: a bad value or id, naming file, row and field.
    """
    firm_table = open_table(firms, year, FIRM_COLUMNS, FIRM_COLUMNS)
    est_table = open_table(establishments, year, ESTABLISHMENT_COLUMNS,
                           (*ESTABLISHMENT_COLUMNS, *ESTABLISHMENT_OPTIONAL))
    return code_inputs(est_table, firm_table, region_ids, sort=sort)
