"""The cases shipped with regionet, each a folder of sourced text files.

This module names them, and names the default case: the one place that does.

Examples:
    >>> DEFAULT_CASE, BUNDLED_CASES[DEFAULT_CASE]
    ('russia-1990s', 'russia_1990s')
"""

from typing import Final

__all__ = ["BUNDLED_CASES", "DEFAULT_CASE"]

#: Bundled case id -> its folder in this package.
BUNDLED_CASES: Final = {"russia-1990s": "russia_1990s"}
#: The case regionet uses when no other is named.
DEFAULT_CASE: Final = "russia-1990s"
