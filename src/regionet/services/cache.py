"""The one cache of the services: results keyed by what they were computed from.

Every cached value is keyed by a *namespace* (what was computed), the case source and its
**revision** (a counter the workspace bumps in every write transaction; bundled cases never
change), and the call's arguments. A write to the workspace changes its revision, so the next
read computes afresh; nothing else invalidates entries, and there is no other cache in the
services, the interfaces or the engines. Values must be immutable (or never mutated).

The cache is bounded (least recently used entries go first) and safe to use from the
server's worker threads.

Examples:
    >>> calls = []
    >>> def compute():
    ...     calls.append(1)
    ...     return 42
    >>> memo("demo", ("bundled", "x", 0), compute), memo("demo", ("bundled", "x", 0), compute)
    (42, 42)
    >>> len(calls)
    1
    >>> memo("demo", ("bundled", "x", 1), compute) and len(calls)   # a new revision
    2
    >>> clear()
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Final, TypeVar, cast

__all__ = ["MAX_ENTRIES", "clear", "memo", "stats"]

T = TypeVar("T")
#: How many results the cache keeps before dropping the least recently used.
MAX_ENTRIES: Final = 256

_entries: OrderedDict[tuple[str, Hashable], Any] = OrderedDict()
_lock = threading.RLock()
_key_locks: dict[tuple[str, Hashable], threading.Lock] = {}
_counts = {"hits": 0, "misses": 0}


def memo(namespace: str, key: Hashable, compute: Callable[[], T]) -> T:
    """Return the cached value of ``(namespace, key)``, computing it once if missing.

    Two threads asking for the same missing key compute it once: the second waits for the
    first.

    Args:
        namespace: what is computed, e.g. ``"case"`` or ``"network.metrics"``.
        key: a hashable key that includes the source and its revision.
        compute: the function computing the value.
    """
    full = (namespace, key)
    with _lock:
        if full in _entries:
            _entries.move_to_end(full)
            _counts["hits"] += 1
            return cast(T, _entries[full])
        key_lock = _key_locks.setdefault(full, threading.Lock())
    with key_lock:
        with _lock:
            if full in _entries:
                _counts["hits"] += 1
                return cast(T, _entries[full])
        value = compute()
        with _lock:
            _counts["misses"] += 1
            _entries[full] = value
            _entries.move_to_end(full)
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
            _key_locks.pop(full, None)
    return value


def clear() -> None:
    """Forget every cached value (tests; a long-running process never needs it)."""
    with _lock:
        _entries.clear()
        _counts.update(hits=0, misses=0)


def stats() -> dict[str, int]:
    """Return the number of entries, hits and misses (for ``/api/health`` and tests)."""
    with _lock:
        return {"entries": len(_entries), **_counts}
