"""What the fiscal engine computes on: a year's regions table, firms and establishments.

Region and firm ids are codes into arrays here; reading users' files into these structures
(with errors naming file, row and field) is :func:`from_frames` and :mod:`regionet.io`'s job.
"""

from regionet.engines.fiscal.inputs.establishments import (
    FACTORS,
    Establishments,
    Firms,
    FloatArray,
    IntArray,
    from_frames,
)
from regionet.engines.fiscal.inputs.year_inputs import TAX_KEYS, FiscalInputs, RegionTable

__all__ = [
    "FACTORS",
    "TAX_KEYS",
    "Establishments",
    "Firms",
    "FiscalInputs",
    "FloatArray",
    "IntArray",
    "RegionTable",
    "from_frames",
]
