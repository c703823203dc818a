"""The one ``MetaData`` every workspace table is defined on (case tables and team tables).

Examples:
    >>> import regionet.storage.schema  # defines the tables
    >>> "history" in METADATA.tables and "ties" in METADATA.tables
    True
"""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["METADATA"]

METADATA = sa.MetaData()
