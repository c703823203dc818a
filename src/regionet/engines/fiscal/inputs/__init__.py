"""What the fiscal engine computes on: a year's regions table, firms and establishments.

Region and firm ids are codes into arrays here; coding users' tables into these structures
(with errors naming file, row and field) is :mod:`.coding`'s job, reading the files
:mod:`regionet.io`'s. Public names are imported on first use (:mod:`.coding` needs pyarrow).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regionet.core.lazy import lazy_getattr

if TYPE_CHECKING:
    from regionet.core.tables import InputTable
    from regionet.engines.fiscal.inputs.coding import code_inputs, from_frames
    from regionet.engines.fiscal.inputs.establishments import (
        FACTORS,
        Establishments,
        Firms,
        FloatArray,
        IntArray,
    )
    from regionet.engines.fiscal.inputs.year_inputs import TAX_KEYS, FiscalInputs, RegionTable

__all__ = [
    "FACTORS",
    "TAX_KEYS",
    "Establishments",
    "Firms",
    "FiscalInputs",
    "FloatArray",
    "InputTable",
    "IntArray",
    "RegionTable",
    "code_inputs",
    "from_frames",
]

__getattr__ = lazy_getattr(__name__, {
    "InputTable": "regionet.core.tables",
    **dict.fromkeys(("code_inputs", "from_frames"), "regionet.engines.fiscal.inputs.coding"),
    **dict.fromkeys(("FACTORS", "Establishments", "Firms", "FloatArray", "IntArray"),
                    "regionet.engines.fiscal.inputs.establishments"),
    **dict.fromkeys(("TAX_KEYS", "FiscalInputs", "RegionTable"),
                    "regionet.engines.fiscal.inputs.year_inputs"),
})
