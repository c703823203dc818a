"""Reading Parquet columns ahead, in two threads, while the process is still starting.

A command that will read users' files knows their paths before it has imported what reads
them: ``regionet fiscal run`` spends a few tenths of a second importing the services, parsing
the law and preparing the economy before it opens the files. :func:`read_ahead` starts one
thread that reads the given columns of Parquet files row group by row group meanwhile, with
a helper taking every other one (Arrow releases the GIL while it reads); :func:`take` hands
a row group over to the reader that needs it (:mod:`regionet.io.input_tables`), waiting for
it if it is still being read, and forgets it. Nothing else changes: a file that cannot be
read ahead (missing, not Parquet, changed since) is read as before by the one who needs it,
whose errors are the only ones reported; a file is read ahead only if nobody has read from
it first.

Examples:
    >>> import pyarrow as pa, pyarrow.parquet as pq
    >>> path = tmp_path / "firms.parquet"   # tmp_path: any folder of yours
    >>> pq.write_table(pa.table({"firm_id": ["007", "008"]}), path)
    >>> read_ahead([(path, ("firm_id",))]).join()
    >>> take(path, "firm_id", 0).to_pylist(), take(path, "firm_id", 0)
    (['007', '008'], None)
"""

from __future__ import annotations

import atexit
import os
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # pyarrow is imported by the reading thread
    import pyarrow as pa

__all__ = ["read_ahead", "take"]

#: A file someone read before it was planned: never read ahead (no work done twice).
_CLAIMED: Final = "claimed"
_LOCK = threading.Lock()
#: Set at exit: reading ahead stops (:func:`_stop`).
_STOPPING = threading.Event()
#: File -> its plan: (its state when planned, (column, row group) -> the chunk being read).
_PLANS: dict[str, tuple[tuple[int, int], dict[tuple[str, int], Future[pa.ChunkedArray]]]
             | str] = {}


def _state(path: str | Path) -> tuple[int, int] | None:
    """A file's modification time and size (None: no such file)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def read_ahead(files: Sequence[tuple[str | Path, Sequence[str]]]) -> threading.Thread:
    """Start a thread (and its helper) reading ``files``' columns (``(path, columns)``, in order).

    Columns are read as :mod:`regionet.io.input_tables` reads a column it does not
    dictionary-encode (text ids such as ``firm_id``, numbers), one row group at a time.
    Returns the thread (started; callers need not wait for it).
    """
    # Imported here, before the thread starts, not in it: imports hold the GIL, and in the
    # thread this one shared it with the caller's own imports, so the reading started
    # ≈ 0.1 s later (the caller needs pyarrow anyway).
    import pyarrow.parquet  # noqa: F401

    from regionet.io.memory_pool import use_jemalloc

    # The readers' pool, chosen before they allocate: ids read into mimalloc, the default,
    # stayed in the process's memory once freed (the peak of a 5e6 run rose by 60-80 MB).
    use_jemalloc()

    # A daemon, stopped at exit after the row group it is reading: a run that fails early
    # (a bad option) exits without reading files it will not use (5e6 bench files: 0.48 s,
    # main 0.44 s; 2.17 s when the exit waited for the whole read); joined, so no read is
    # cut short by the exit.
    thread = threading.Thread(target=_read, args=(list(files),), name="read-ahead",
                              daemon=True)
    thread.start()
    atexit.register(_stop, thread)
    return thread


def _stop(thread: threading.Thread) -> None:
    """Stop reading ahead after the current row group and wait for it (at exit)."""
    _STOPPING.set()
    thread.join()


def _read(files: list[tuple[str | Path, Sequence[str]]]) -> None:
    """Plan every file (its row groups), then read them in order; errors are left to others.

    Two threads read (this one and a helper), each taking the next chunk in order: a row
    group of one column is decoded by one core, so one reader left the other core idle
    while the run waited for the ids (5e6 ids: five row groups of ≈ 0.08 s each). Whatever
    stops the reading, every chunk planned and not read is marked failed: whoever waits for
    it reads it.
    """
    planned: list[tuple[str | Path, Any, list[tuple[tuple[str, int], Future[Any]]]]] = []
    try:
        import pyarrow.parquet as pq

        for path, columns in files:
            plan = _plan(pq, path, columns)
            if plan is not None:
                planned.append(plan)
        pending = deque((path, metadata, column, group, future)
                        for path, metadata, items in planned
                        for (column, group), future in items)
        helper = threading.Thread(target=_read_chunks, args=(pq, pending),
                                  name="read-ahead-2", daemon=True)
        helper.start()
        _read_chunks(pq, pending)
        helper.join()
    except Exception:  # the readers read for themselves and report
        pass
    finally:
        for _, _, items in planned:
            for _, future in items:
                if not future.done():
                    future.set_exception(RuntimeError("not read ahead"))


def _read_chunks(pq: Any, pending: deque[tuple[str | Path, Any, str, int, Future[Any]]]
                 ) -> None:
    """Read the next pending chunk until none is left, the exit is near or a read fails.

    Each reader opens its own handle of each file (one handle is not shared by threads).
    """
    files: dict[str | Path, Any] = {}
    while not _STOPPING.is_set():
        try:
            path, metadata, column, group, future = pending.popleft()
        except IndexError:
            return
        try:
            if path not in files:
                files[path] = pq.ParquetFile(path, metadata=metadata, memory_map=True)
            # Without Arrow's threads: two readers already share the cores (input_tables).
            future.set_result(files[path].read_row_group(group, columns=[column],
                                                         use_threads=False).column(0))
        except Exception:  # the reader reads it for itself and reports
            future.set_exception(RuntimeError("not read ahead"))
            return


def _plan(pq: Any, path: str | Path, columns: Sequence[str]
          ) -> tuple[str | Path, Any, list[tuple[tuple[str, int], Future[Any]]]] | None:
    """Register the chunks of ``path`` to read (None: unreadable, or read by someone already).

    Returns the file, its metadata and the chunks, listed: readers take (pop) them from the
    plan meanwhile.
    """
    key, state = os.path.abspath(path), _state(path)
    try:
        metadata = pq.read_metadata(path)
    except Exception:  # whoever opens the file reports what is wrong
        return None
    if state is None or state != _state(path):
        return None
    names = set(metadata.schema.to_arrow_schema().names)
    chunks: dict[tuple[str, int], Future[Any]] = {
        (c, g): Future() for c in columns if c in names for g in range(metadata.num_row_groups)}
    with _LOCK:
        if key in _PLANS:  # read already (or planned) by someone else
            return None
        _PLANS[key] = (state, chunks)
    return path, metadata, list(chunks.items())


def take(path: str | Path, column: str, group: int) -> pa.ChunkedArray | None:
    """Row group ``group`` of ``column`` as read ahead (waiting for it), or None.

    None when the file was not read ahead (it then never will be: the caller reads it),
    the read failed, the file changed since it was planned, or the chunk was taken already.
    """
    key = os.path.abspath(path)
    with _LOCK:
        plan = _PLANS.setdefault(key, _CLAIMED)
        if isinstance(plan, str):
            return None
        state, chunks = plan
        future = chunks.pop((column, group), None)
    if future is None or future.exception() is not None or state != _state(path):
        return None
    return future.result()
