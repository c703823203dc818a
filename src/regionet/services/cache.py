"""The one cache of the services: results keyed by what they were computed from.

Every cached value is keyed by a *namespace* (what was computed), the case source and its
**version** (a digest the workspace changes in every write transaction; bundled cases never
change), and the call's arguments. Keys are kept as a SHA-256 digest of a canonical text of
the whole key, so a large request (a reform's overrides) costs 32 bytes of key, not its size.
A write to the workspace changes its version, so the next read computes afresh; nothing else
invalidates entries, and there is no other cache in the services, the interfaces or the
engines. Values must be immutable (or never mutated).

The cache is bounded in **bytes** (:data:`MAX_BYTES`, ``REGIONET_CACHE_MB`` in the
environment): each value's size is estimated when stored (:func:`estimate_size`), the least
recently used values go first, and a value larger than the whole budget is returned but not
kept (a whole case of a very large workspace: raise ``REGIONET_CACHE_MB`` to keep it for the
whole-graph endpoints). It is safe to use from the server's worker threads.

Whole-graph results (:func:`latest`) can also be served from the previous version while the
new one is computed in a background worker, when the caller allows it
(:func:`allow_stale`, set by the REST API for each request); every result notes the revision
it reflects (:func:`revision_scope`), which the API sends as ``X-Regionet-Revision``.

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

import dataclasses
import hashlib
import math
import os
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final, TypeVar, cast

__all__ = ["MAX_BYTES", "STALE_WAIT_SECONDS", "allow_stale", "clear", "estimate_size",
           "handle", "keep", "key_digest", "latest", "memo", "note_revision", "note_state",
           "peek", "revision_scope", "scoped_state", "state_scope", "stats"]

T = TypeVar("T")


def _budget() -> int:
    try:
        return max(1, int(os.environ.get("REGIONET_CACHE_MB", "512"))) * 1024 * 1024
    except ValueError:
        return 512 * 1024 * 1024


#: The cache's budget in bytes (estimated sizes): ``REGIONET_CACHE_MB``, default 512 MiB.
MAX_BYTES: Final = _budget()
#: How long a request waits for a whole-graph result of a new revision before it is served
#: the previous revision's (when stale results are allowed).
STALE_WAIT_SECONDS: Final = 0.5


#: Items of a container :func:`estimate_size` looks at: of the value, and of values inside it.
_SAMPLE: Final = 64
_SAMPLE_INSIDE: Final = 8


@dataclass
class _Entry:
    value: Any
    size: int


_entries: OrderedDict[bytes, _Entry] = OrderedDict()
_lock = threading.RLock()
_key_locks: dict[bytes, threading.Lock] = {}
_counts = {"hits": 0, "misses": 0, "bytes": 0, "stale": 0}
# (namespace, key without version) -> (digest of the full key, revision) of the newest value.
_newest: dict[bytes, tuple[bytes, int]] = {}
_inflight: dict[bytes, Future[Any]] = {}
_worker: ThreadPoolExecutor | None = None
_in_worker = threading.local()
_stale_ok: ContextVar[bool] = ContextVar("regionet_stale_ok", default=False)
_reflects: ContextVar[list[int] | None] = ContextVar("regionet_reflects", default=None)
_states: ContextVar[dict[Hashable, tuple[int, str]] | None] = ContextVar("regionet_states",
                                                                         default=None)


def _canonical(value: object) -> str:
    """A text that equal keys share and different keys never do."""
    if value is None or isinstance(value, bool | int | str | bytes):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, float):
        return f"float:{value.hex() if math.isfinite(value) else value!r}"
    if isinstance(value, tuple | list):
        return f"{type(value).__name__}(" + ",".join(_canonical(v) for v in value) + ")"
    if isinstance(value, frozenset | set):
        return "set{" + ",".join(sorted(_canonical(v) for v in value)) + "}"
    if isinstance(value, Mapping):
        return "map{" + ",".join(sorted(f"{_canonical(k)}={_canonical(v)}"
                                        for k, v in value.items())) + "}"
    if isinstance(value, range):
        return f"range({value.start},{value.stop},{value.step})"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return f"{type(value).__qualname__}" + _canonical(
            {f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if hasattr(value, "__fspath__"):
        return f"path:{os.fspath(value)!r}"
    raise TypeError(f"cannot key the cache on a {type(value).__name__}")


def key_digest(namespace: str, key: Hashable) -> bytes:
    """Return the SHA-256 digest the cache keeps for ``(namespace, key)``.

    Examples:
        >>> key_digest("a", (1, "x")) == key_digest("a", (1, "x"))
        True
        >>> key_digest("a", (1, "x")) == key_digest("a", ("1", "x"))
        False
    """
    text = f"{namespace}\x1f{_canonical(key)}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def estimate_size(value: object, *, _depth: int = 0) -> int:
    """Estimate the bytes ``value`` holds (containers sampled; numpy and pandas exact).

    Large containers are estimated from a sample of their items, so the estimate costs
    about the same for ten items or ten million.

    Examples:
        >>> estimate_size(b"x" * 1000) >= 1000
        True
        >>> 1_000_000 < estimate_size(["abcdefgh" * 4] * 100_000) < 20_000_000
        True
    """
    if _depth > 8:
        return 64
    if isinstance(value, Enum | type) or callable(value):
        return 0  # shared by every value that refers to it (enum members, classes)
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int) and not isinstance(value, type):
        return nbytes + 128
    memory_usage = getattr(value, "memory_usage", None)
    if callable(memory_usage) and hasattr(value, "columns"):
        try:
            return int(memory_usage(deep=True).sum()) + 512
        except (TypeError, ValueError):
            pass
    size = sys.getsizeof(value, 64)
    if isinstance(value, str | bytes | bytearray | int | float | bool) or value is None:
        return size
    # Up to 64 items of the value itself, fewer of the values inside it: a record of a case
    # holds small containers whose items are alike, and sampling 64 of each at every level
    # cost ≈ 18 ms for the bundled case, more than reading it (≈ 3 ms with 8).
    sample = _SAMPLE if _depth == 0 else _SAMPLE_INSIDE
    items: list[Any]
    if isinstance(value, Mapping):
        n = len(value)
        pairs = list(value.items()) if n <= sample else [
            kv for _, kv in zip(range(sample), value.items(), strict=False)]
        per = sum(estimate_size(k, _depth=_depth + 1) + estimate_size(v, _depth=_depth + 1)
                  for k, v in pairs) / max(1, len(pairs))
        return size + int(per * n)
    if isinstance(value, list | tuple | set | frozenset):
        n = len(value)
        items = list(value) if n <= sample else [
            v for _, v in zip(range(sample), value, strict=False)]
        per = sum(estimate_size(v, _depth=_depth + 1) for v in items) / max(1, len(items))
        return size + int(per * n)
    fields = getattr(value, "__dict__", None)
    if isinstance(fields, dict):  # an object's fields differ from each other: each is counted
        return size + sys.getsizeof(fields) + sum(
            estimate_size(k, _depth=_depth + 1) + estimate_size(v, _depth=_depth + 1)
            for k, v in fields.items())
    slots = [s for cls in type(value).__mro__ for s in getattr(cls, "__slots__", ())]
    return size + sum(estimate_size(getattr(value, s, None), _depth=_depth + 1) for s in slots
                      if isinstance(s, str))


def _store(full: bytes, value: Any) -> None:
    size = estimate_size(value)
    with _lock:
        old = _entries.pop(full, None)
        if old is not None:
            _counts["bytes"] -= old.size
        if size > MAX_BYTES:
            return
        _entries[full] = _Entry(value, size)
        _counts["bytes"] += size
        while _counts["bytes"] > MAX_BYTES and _entries:
            _, dropped = _entries.popitem(last=False)
            _counts["bytes"] -= dropped.size


def _lookup(full: bytes) -> tuple[bool, Any]:
    with _lock:
        entry = _entries.get(full)
        if entry is None:
            return False, None
        _entries.move_to_end(full)
        _counts["hits"] += 1
        return True, entry.value


def memo(namespace: str, key: Hashable, compute: Callable[[], T]) -> T:
    """Return the cached value of ``(namespace, key)``, computing it once if missing.

    Two threads asking for the same missing key compute it once: the second waits for the
    first.

    Args:
        namespace: what is computed, e.g. ``"case"`` or ``"network.metrics"``.
        key: a key that includes the source and its version (tuples, strings, numbers,
            mappings, dataclasses: see :func:`key_digest`).
        compute: the function computing the value.
    """
    return _memo(key_digest(namespace, key), compute)


def _memo(full: bytes, compute: Callable[[], T]) -> T:
    found, value = _lookup(full)
    if found:
        return cast(T, value)
    with _lock:
        key_lock = _key_locks.setdefault(full, threading.Lock())
    with key_lock:
        found, value = _lookup(full)
        if found:
            return cast(T, value)
        computed = compute()
        with _lock:
            _counts["misses"] += 1
            _key_locks.pop(full, None)
        _store(full, computed)
    return computed


def peek(namespace: str, key: Hashable) -> tuple[bool, Any]:
    """Return ``(True, value)`` when ``(namespace, key)`` is cached, else ``(False, None)``.

    For a value made where :func:`memo` cannot wait for it (an ASGI response, produced by
    awaiting the application): look it up with this, store it with :func:`keep`. The key
    must include the source's version, as for :func:`memo`.

    Examples:
        >>> keep("demo.peek", ("bundled", "x", 0), b"body")
        >>> peek("demo.peek", ("bundled", "x", 0)), peek("demo.peek", ("bundled", "x", 1))
        ((True, b'body'), (False, None))
        >>> clear()
    """
    full = key_digest(namespace, key)
    found, value = _lookup(full)
    if not found:
        with _lock:
            _counts["misses"] += 1
    return found, value


def keep(namespace: str, key: Hashable, value: object) -> None:
    """Store ``value`` under ``(namespace, key)`` within the byte budget (see :func:`peek`)."""
    _store(key_digest(namespace, key), value)


def _background() -> ThreadPoolExecutor:
    global _worker
    with _lock:
        if _worker is None:
            _worker = ThreadPoolExecutor(max_workers=1,
                                         thread_name_prefix="regionet-per-revision")
        return _worker


def latest(namespace: str, key: Hashable, version: str, revision: int,
           compute: Callable[[], T]) -> T:
    """Return ``compute()`` for ``version`` of a source, once per version.

    When the caller allows stale results (:func:`allow_stale`) and a value of an earlier
    version is cached, the new one is computed in a background worker: if it is not ready
    within :data:`STALE_WAIT_SECONDS`, the earlier value is returned (and its revision
    noted). Otherwise the value is computed now (or awaited if the worker is on it).

    Args:
        namespace: what is computed.
        key: the source and the call's arguments, without the version.
        version: the source's version the value must reflect.
        revision: the revision of that version (noted for the response).
        compute: computes the value at ``version``.
    """
    base = key_digest(namespace, key)
    full = key_digest(namespace, (key, version))
    found, value = _lookup(full)
    if found:
        note_revision(revision)
        return cast(T, value)

    def run() -> T:
        result = _memo(full, compute)
        with _lock:
            current = _newest.get(base)
            if current is None or current[1] <= revision:
                _newest[base] = (full, revision)
        return result

    def in_worker() -> T:
        _in_worker.active = True
        try:
            return run()
        finally:
            _in_worker.active = False

    if getattr(_in_worker, "active", False):  # nested in a worker's job: never wait on a queue
        result = run()
        note_revision(revision)
        return result
    previous = _newest.get(base)
    if _stale_ok.get() and previous is not None and previous[0] != full:
        with _lock:
            future = _inflight.get(full)
            if future is None:
                future = _inflight[full] = _background().submit(in_worker)
                future.add_done_callback(lambda _f: _inflight.pop(full, None))
        try:
            result = future.result(timeout=STALE_WAIT_SECONDS)
        except FutureTimeout:
            found, value = _lookup(previous[0])
            if found:
                with _lock:
                    _counts["stale"] += 1
                note_revision(previous[1])
                return cast(T, value)
            result = future.result()
        note_revision(revision)
        return cast(T, result)
    with _lock:
        future = _inflight.get(full)
    result = future.result() if future is not None else run()
    note_revision(revision)
    return cast(T, result)


@contextmanager
def allow_stale(allowed: bool = True) -> Iterator[None]:
    """Within this block, :func:`latest` may serve a previous version's value."""
    token = _stale_ok.set(allowed)
    try:
        yield
    finally:
        _stale_ok.reset(token)


@contextmanager
def revision_scope() -> Iterator[list[int]]:
    """Collect the revisions the results computed within this block reflect.

    Examples:
        >>> with revision_scope() as seen:
        ...     note_revision(3)
        >>> seen
        [3]
    """
    seen: list[int] = []
    token = _reflects.set(seen)
    try:
        yield seen
    finally:
        _reflects.reset(token)


def note_revision(revision: int) -> None:
    """Record that a result reflects ``revision`` (see :func:`revision_scope`)."""
    seen = _reflects.get()
    if seen is not None:
        seen.append(revision)


@contextmanager
def state_scope() -> Iterator[None]:
    """Within this block, a source's state is read once (:func:`scoped_state`).

    For one read-only request (the REST API's GET and HEAD): the ``(revision, version)`` a
    request saw first (checking its token, or reading records) is the one its cached
    results are looked up with, instead of one more query each time. Never for a block that
    writes: the state it noted would be out of date after the write.

    Examples:
        >>> with state_scope():
        ...     note_state(("workspace", "x.db"), (3, "v3"))
        ...     scoped_state(("workspace", "x.db"))
        (3, 'v3')
        >>> scoped_state(("workspace", "x.db")) is None   # outside the block: not kept
        True
    """
    token = _states.set({})
    try:
        yield
    finally:
        _states.reset(token)


def scoped_state(key: Hashable) -> tuple[int, str] | None:
    """The state noted for the source ``key`` in this :func:`state_scope`, else None."""
    states = _states.get()
    return None if states is None else states.get(key)


def note_state(key: Hashable, state: tuple[int, str]) -> None:
    """Note the state a read of the source ``key`` saw, if no state was noted in this scope."""
    states = _states.get()
    if states is not None:
        states.setdefault(key, state)


_handles: dict[bytes, Any] = {}
_handle_lock = threading.Lock()


def handle(namespace: str, key: Hashable, make: Callable[[], T]) -> T:
    """Return the open resource ``(namespace, key)`` (a workspace handle), made once.

    Handles are not results: they are kept for the process's life, outside the byte budget
    (there is one per workspace or bundled case a process uses).
    """
    full = key_digest(namespace, key)
    with _handle_lock:
        if full not in _handles:
            _handles[full] = make()
        made: T = _handles[full]
        return made


def clear() -> None:
    """Forget every cached value (tests; a long-running process never needs it)."""
    with _lock:
        _entries.clear()
        _newest.clear()
        _counts.update(hits=0, misses=0, bytes=0, stale=0)


def stats() -> dict[str, int]:
    """Return the number of entries, their estimated bytes, the budget, hits and misses."""
    with _lock:
        return {"entries": len(_entries), "max_bytes": MAX_BYTES, **_counts}
