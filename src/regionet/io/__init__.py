"""File input and output: reading case folders and import files, writing exports.

The public names are imported on first use: a command that only reads users' files ahead
(:mod:`regionet.io.read_ahead`, started first by ``regionet fiscal run``) does not wait for
the case-folder readers and their YAML and model imports (≈ 0.05 s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regionet.core.lazy import lazy_getattr

if TYPE_CHECKING:
    from regionet.io.casefiles import BUNDLED_CASES, case_directory, load_case
    from regionet.io.records import TABLES, TableSchema
    from regionet.io.tables import read_rows

__all__ = ["BUNDLED_CASES", "TABLES", "TableSchema", "case_directory", "load_case", "read_rows"]

__getattr__ = lazy_getattr(__name__, {
    **dict.fromkeys(("BUNDLED_CASES", "case_directory", "load_case"), "regionet.io.casefiles"),
    **dict.fromkeys(("TABLES", "TableSchema"), "regionet.io.records"),
    "read_rows": "regionet.io.tables",
})
