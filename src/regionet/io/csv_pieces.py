r"""Parsing a large CSV file in pieces, two threads at a time, into the table pyarrow reads.

``pyarrow.csv.read_csv`` parses a file in parallel with its own threads. Cutting the file
into pieces of about :data:`PIECE_BYTES` at line ends and parsing them in two threads of our
own, each with Arrow's threads off, from a memory map of the file, costs less: on the
development VM a 5e6-row fiscal run on CSV took 1.64–1.79 s against 1.94–1.99 s, with 0.5–0.7 s
of system time against 1.0–1.1 s (docs/performance.md, ninth round). The result is the same
table: the pieces are parsed with the same options, with the header's names given, and put
end to end. :func:`read_pieces` returns None when a piece fails to parse (a cut may fall
inside a quoted cell holding a line feed): the file is then read whole, which reports any
error as before.

Examples:
    >>> import pyarrow.csv as pacsv
    >>> path = tmp_path / "e.csv"   # tmp_path: any folder of yours
    >>> rows = "".join(f"f{i},R{i % 3},{i}\r\n" for i in range(10))
    >>> _ = path.write_bytes(b'firm_id,region,headcount\r\n' + rows.encode())
    >>> table = read_pieces(path, pacsv.ConvertOptions(), pieces=3, threads=2)
    >>> table.equals(pacsv.read_csv(path)), table.num_rows
    (True, 10)
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.csv as pacsv

__all__ = ["PIECE_BYTES", "cut_points", "read_pieces"]

#: About how many bytes each piece holds (a file below twice this is read whole).
PIECE_BYTES: Final = 8 << 20
#: How far past a cut point a line end is looked for (a longer line: fewer pieces).
_LOOK: Final = 1 << 20


def cut_points(data: npt.NDArray[np.uint8], start: int, pieces: int) -> list[int]:
    r"""Offsets that cut ``data[start:]`` into about ``pieces`` runs of whole lines.

    Each cut falls just after a line feed; a cut with no line feed within reach of it is
    dropped (fewer pieces).

    Examples:
        >>> data = np.frombuffer(b"h\na\nbb\nccc\nd", dtype=np.uint8)
        >>> cut_points(data, 2, 3), cut_points(data, 2, 1)
        ([2, 7, 11, 12], [2, 12])
        >>> cut_points(data, 2, 20)   # no more pieces than lines
        [2, 4, 7, 11, 12]
    """
    end = len(data)
    cuts = [start]
    for i in range(1, pieces):
        at = start + (end - start) * i // pieces
        if at <= cuts[-1]:
            continue
        window = data[at:at + _LOOK]
        found = np.flatnonzero(window == 10)
        if len(found):
            cut = at + int(found[0]) + 1
            if cuts[-1] < cut < end:
                cuts.append(cut)
    cuts.append(end)
    return cuts


def read_pieces(path: Path, convert: pacsv.ConvertOptions, *, pieces: int | None = None,
                threads: int = 2) -> pa.Table | None:
    """``pyarrow.csv.read_csv(path, convert_options=convert)``, parsed in pieces.

    Args:
        path: a CSV file with a header row (UTF-8, a byte order mark allowed).
        convert: the conversion options (columns kept, their types), as for ``read_csv``.
        pieces: how many pieces (default: one per :data:`PIECE_BYTES`).
        threads: threads parsing pieces at once.

    Returns:
        The table, or None when a piece fails to parse (read the file whole instead: its
        error is the one to report) or when the file has no data row to cut.
    """
    with pa.memory_map(str(path)) as source:
        buffer = source.read_buffer()
    data = np.frombuffer(buffer, dtype=np.uint8)
    bom = 3 if bytes(data[:3]) == b"\xef\xbb\xbf" else 0
    header_end = np.flatnonzero(data[bom:bom + _LOOK] == 10)
    if not len(header_end):
        return None
    start = bom + int(header_end[0]) + 1
    names = pacsv.read_csv(pa.py_buffer(buffer.slice(0, start)),
                           read_options=pacsv.ReadOptions(use_threads=False)).column_names
    count = pieces or max(1, (len(data) - start) // PIECE_BYTES)
    cuts = cut_points(data, start, count)
    read = pacsv.ReadOptions(column_names=names, use_threads=False, block_size=1 << 26)
    tables: list[pa.Table] = [pa.table({})] * (len(cuts) - 1)  # each piece's, once parsed
    failed = threading.Event()
    taken = iter(range(len(tables)))
    lock = threading.Lock()

    def work() -> None:
        while not failed.is_set():
            with lock:
                i = next(taken, None)
            if i is None:
                return
            piece = buffer.slice(cuts[i], cuts[i + 1] - cuts[i])
            try:
                tables[i] = pacsv.read_csv(pa.BufferReader(piece), read_options=read,
                                           convert_options=convert)
            except (pa.ArrowException, ValueError):
                failed.set()

    helpers = [threading.Thread(target=work, name=f"csv-piece-{k}")
               for k in range(1, min(threads, len(tables)))]
    for helper in helpers:
        helper.start()
    work()
    for helper in helpers:
        helper.join()
    if failed.is_set():
        return None
    return pa.concat_tables(tables)  # end to end: the chunks are kept, not copied
