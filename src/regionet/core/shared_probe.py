"""Looking ids up in one :class:`~regionet.core.id_hash.IdHash` from two threads taking turns.

:func:`regionet.core.tables.lookup` once split a file's ids into two fixed halves, one per
thread. When a third thread is busy (a fiscal run reads its other columns meanwhile), one
half can take twice as long as the other, and the thread done first waited: 0.1-0.15 s of a
5e6-row run on the development VM. Here both threads take the next piece of ids (at most
:data:`PIECE` of them, a slice of a chunk) whenever they are free, so they finish together.

Chunks are taken from the iterator under a lock (the iterator may read a file's next row
group); each piece is converted (``convert``: text registry numbers to integers, say) and
looked up outside it, into its own slice of the output.

Examples:
    >>> import numpy as np, pyarrow as pa
    >>> table = IdHash.of(np.array([40, 10, 30], np.int64), bound=100)
    >>> probe_shared(table, iter([pa.array([30, 99]), pa.array([10, 40, 7])]), 5).tolist()
    [2, -1, 1, 0, -1]
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from regionet.core.id_hash import IdHash

__all__ = ["PIECE", "probe_shared"]

#: Ids a thread takes at once: a quarter of a 1e6-row row group.
PIECE: Final = 1 << 18
#: The end of the chunks.
_END: Final = object()


class _Pieces:
    """Pieces of the chunks, each with where it starts in the output; one taker at a time."""

    def __init__(self, chunks: Iterator[pa.Array | None]) -> None:
        self._chunks = chunks
        self._chunk: pa.Array | None = None
        self._at = 0  # in the current chunk
        self.start = 0  # in the output
        self.failed = False
        self._lock = threading.Lock()

    def take(self) -> tuple[int, pa.Array] | None:
        """The next piece and its start; None when there is none left or a piece failed."""
        with self._lock:
            while not self.failed:
                if self._chunk is None or self._at >= len(self._chunk):
                    chunk = next(self._chunks, _END)
                    if chunk is _END:
                        return None
                    if not isinstance(chunk, pa.Array):  # None: ids of another kind
                        self.failed = True
                        return None
                    self._chunk, self._at = chunk, 0
                    continue
                piece = self._chunk.slice(self._at, PIECE)
                self._at += len(piece)
                start, self.start = self.start, self.start + len(piece)
                return start, piece
            return None

    def fail(self) -> None:
        with self._lock:
            self.failed = True


def probe_shared(table: IdHash, chunks: Iterator[pa.Array | None], n: int,
                 convert: Callable[[pa.Array], pa.Array | None] | None = None
                 ) -> npt.NDArray[np.intp] | None:
    """Each id's position in ``table`` (-1: absent), looked up by this thread and another.

    ``chunks`` yield the ``n`` ids (NumPy-viewable integer arrays once converted); a chunk
    that is None, or a piece ``convert`` turns into None, stops the lookup: None is returned
    (ids of another kind: the caller falls back). Errors in either thread are raised.
    """
    out = np.empty(n, np.intp)
    pieces = _Pieces(chunks)

    def work() -> None:
        try:
            while (taken := pieces.take()) is not None:
                start, piece = taken
                ids = piece if convert is None else convert(piece)
                if ids is None:
                    pieces.fail()
                    return
                values = ids.to_numpy(zero_copy_only=True)
                table.positions(values, out[start:start + len(values)])
        except BaseException:
            pieces.fail()
            raise

    with ThreadPoolExecutor(max_workers=1) as pool:
        other = pool.submit(work)
        try:
            work()
        finally:
            other.result()  # the other's error if this one had none
    return None if pieces.failed or pieces.start != n else out
