"""Python's cyclic garbage collector paused around bulk work that makes no cycles.

Planning a million-row import makes millions of short-lived tuples and lists (staged rows,
classifications). Freed by reference counting, they still count as allocations for the
cyclic collector, whose full passes walk every live object (half a million at that point:
the batch's actors, dates and sources): about 5 s of a 1e6-tie plan on a slow machine, for
no object collected. :func:`collector_paused` turns the collector off for the duration;
cyclic garbage made meanwhile (there is next to none) waits for the next collection.

The switch is the process's (:func:`gc.disable`): other threads also run without the cycle
collector while the block runs. A block entered with the collector already off leaves it off.

Examples:
    >>> import gc
    >>> with collector_paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Turn the cyclic garbage collector off inside the block (back on after, if it was)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
