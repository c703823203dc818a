"""Reading a fiscal run's input files ahead, while the command is still starting.

``regionet fiscal run --establishments E --firms F`` knows its two files as soon as its
options are parsed, but opens them only after importing the services and the engines and
parsing the law (a few tenths of a second of one core). :func:`read_inputs_ahead` starts the
reading of what is read first, the firm ids of both files, in two threads meanwhile
(:mod:`regionet.io.read_ahead`; Parquet only: CSV is parsed whole by pyarrow's own threads).
The results are the same; errors are reported by the run as before.

Examples:
    >>> read_inputs_ahead(None, None) is None   # no files: nothing to read
    True
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from regionet.io.read_ahead import read_ahead

__all__ = ["read_inputs_ahead"]

#: Suffixes of the files read ahead (as :data:`regionet.io.input_tables.PARQUET_SUFFIXES`).
_PARQUET = (".parquet", ".pq")
#: The reading started for a pair of files (absolute paths): a second call finds it.
_STARTED: dict[tuple[str, str], threading.Thread] = {}


def read_inputs_ahead(establishments: Path | None, firms: Path | None
                      ) -> threading.Thread | None:
    """Start reading the firm ids of two Parquet input files; the thread, or None.

    The firms' ids first (they are looked up first), then the establishments'. Called again
    for the same files (the console script starts the reading before the command does,
    :mod:`regionet.interfaces.cli.entry`), it returns the thread started first.
    """
    if establishments is None or firms is None:
        return None
    if not all(Path(p).suffix.lower() in _PARQUET for p in (establishments, firms)):
        return None
    key = (os.path.abspath(establishments), os.path.abspath(firms))
    if key not in _STARTED:
        _STARTED[key] = read_ahead([(firms, ("firm_id",)), (establishments, ("firm_id",))])
    return _STARTED[key]
