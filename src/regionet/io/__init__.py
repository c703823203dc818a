"""File input and output: reading case folders and import files, writing exports."""

from regionet.io.casefiles import BUNDLED_CASES, case_directory, load_case
from regionet.io.records import TABLES, TableSchema
from regionet.io.tables import read_rows

__all__ = ["BUNDLED_CASES", "TABLES", "TableSchema", "case_directory", "load_case", "read_rows"]
