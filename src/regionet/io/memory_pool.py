"""Arrow's memory pool for reading users' files: jemalloc, returning freed pages at once.

Examples:
    >>> use_jemalloc()   # once per process; later calls do nothing
    >>> use_jemalloc()
"""

from __future__ import annotations

import os
from contextlib import suppress

import pyarrow as pa

__all__ = ["use_jemalloc"]


def use_jemalloc() -> None:
    """Make jemalloc (freed pages returned at once) Arrow's pool instead of mimalloc (once).

    Reading a 5e6-row table with mimalloc cost 2 s of kernel time on the development VM
    (fresh huge pages zeroed again and again as segments were purged and re-touched),
    against 0.6 s with jemalloc, which keeps freed memory for the next column; see
    docs/performance.md. Set ``ARROW_DEFAULT_MEMORY_POOL`` to choose another pool.
    """
    global _POOL_SET
    if _POOL_SET:
        return
    _POOL_SET = True
    if "ARROW_DEFAULT_MEMORY_POOL" in os.environ:
        return
    if pa.default_memory_pool().backend_name == "mimalloc":
        with suppress(NotImplementedError):  # a pyarrow built without jemalloc keeps its pool
            pa.set_memory_pool(pa.jemalloc_memory_pool())
            # Return freed pages at once: at 5e6 rows the peak RSS fell from ~600 to ~510 MB
            # at no cost in time (docs/performance.md).
            pa.jemalloc_set_decay_ms(0)


_POOL_SET = False
