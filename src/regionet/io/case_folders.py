"""Where a case's files are: a bundled case id or a folder of one's own.

Kept apart from :mod:`regionet.io.casefiles` (which reads a case's tables into the model):
what only needs a case's folder (its law, economy, geography) does not import the model.

Examples:
    >>> case_directory("russia-1990s").name
    'russia_1990s'
    >>> case_directory("nowhere")
    Traceback (most recent call last):
    ...
    regionet.core.errors.DataFileError: nowhere: not a bundled case id or a case folder ...
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from regionet.cases import BUNDLED_CASES
from regionet.core.errors import DataFileError

__all__ = ["case_directory"]


def case_directory(case: str | Path) -> Path:
    """Return the folder of a bundled case id or a path to a case folder.

    Raises:
        DataFileError: when it is neither.
    """
    if isinstance(case, str) and case in BUNDLED_CASES:
        return Path(str(resources.files("regionet.cases").joinpath(BUNDLED_CASES[case])))
    path = Path(case)
    if (path / "case.yaml").is_file():
        return path
    raise DataFileError("not a bundled case id or a case folder", file=str(case),
                        expected="one of " + ", ".join(BUNDLED_CASES)
                        + ", or a folder with a case.yaml")
