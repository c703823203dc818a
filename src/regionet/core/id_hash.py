"""A hash table of integer ids in NumPy: each id's position among the keys, one table shared.

Looking up 5e6 registry numbers (as int64) among 1.7e6 firms' is the costliest step of a
fiscal run on files. Arrow's ``index_in`` builds its own hash table on every call (so two
threads build two) and probes at about 80 ns per id on the development VM, bound by cache
misses. :class:`IdHash` packs each key with its position into one int64 (``key << bits |
position``), so a probe is one random read; it is built by one sort (ordered linear probing,
no collision rounds) and is read-only afterwards, so any number of threads probe the same
table. Measured on the bench files (best of 5, load ≈ 2): build 87 ms and probe 197 ms of
CPU, against 429 ms for ``index_in`` (docs/performance.md, round "fiscal10c").

Ids must be non-negative and below a bound known in advance (``10 ** length`` for registry
numbers of one length) such that key and position fit in 62 bits; :meth:`IdHash.of` returns
None otherwise (the caller uses Arrow).

Examples:
    >>> table = IdHash.of(np.array([40, 10, 30], np.int64), bound=100)
    >>> out = np.empty(4, np.intp)
    >>> table.positions(np.array([30, 99, 10, 40], np.int64), out).tolist()
    [2, -1, 1, 0]
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["BLOCK", "IdHash"]

IntArray = npt.NDArray[np.intp]
Int64Array = npt.NDArray[np.int64]
#: Fibonacci hashing: the slot is the top bits of ``id * 2**64 / golden ratio``.
_GOLDEN: Final = np.uint64(0x9E3779B97F4A7C15)
#: The table has at least twice as many slots as keys (load ≤ 0.5: few second probes).
_LOAD: Final = 2
_EMPTY: Final = -1
#: Ids probed at once: a row group of 1e6 ids took 0.46 s against 0.20 s in blocks of 2^16
#: (the temporaries, 0.5 MB each, stay in the cache).
BLOCK: Final = 1 << 16
#: Runs of equal slots longer than this are checked for repeats by a sort (:func:`_repeated`).
_LONG_RUN: Final = 32


def _repeated(slots: Int64Array, keys: Int64Array) -> bool:
    """Whether two of ``keys`` (ordered by their ``slots``) are equal.

    Equal keys have equal slots: compare each key with the one ``d`` places before it while
    both lie in the same run of equal slots, for ``d = 1, 2, ...`` until no run is that long.

    Examples:
        >>> _repeated(np.array([1, 1, 1, 4]), np.array([9, 8, 9, 9]))  # 9 twice in slot 1
        True
        >>> _repeated(np.array([1, 1, 4, 4]), np.array([9, 8, 8, 7]))  # 8 in two slots
        False
        >>> _repeated(np.zeros(40, np.int64), np.arange(40))  # a run of 40: sorted instead
        False
    """
    later = np.flatnonzero(slots[1:] == slots[:-1]) + 1  # entries with a neighbour in the run
    back = 1
    while len(later):
        if back > _LONG_RUN:  # crowded slots (not met with real ids): one sort instead
            ordered = np.sort(keys)
            return bool((ordered[1:] == ordered[:-1]).any())
        if bool((keys[later] == keys[later - back]).any()):
            return True
        later = later[later > back]
        later = later[slots[later - back - 1] == slots[later]]
        back += 1
    return False


class IdHash:
    """Integer ids -> their position among the keys (the first, if a key repeats).

    Build with :meth:`of`; :meth:`positions` is read-only and can run in several threads
    at once (NumPy releases the GIL in its loops).
    """

    def __init__(self, table: Int64Array, shift: int, bits: int, *, repeats: bool = False
                 ) -> None:
        self._table = table
        #: Whether a key appears more than once (found while building, see :meth:`of`).
        self.repeats = repeats
        self._shift = np.uint64(shift)
        self._bits = bits
        self._mask = (1 << bits) - 1

    @classmethod
    def of(cls, keys: Int64Array, bound: int) -> IdHash | None:
        """The table of ``keys`` (each ``0 <= key < bound``), or None if they do not pack.

        Slots are sorted once and each key takes the first free slot at or after its own,
        in slot order: ``p[i] = max(s[i], p[i-1] + 1)``, a running maximum. Every slot from
        a key's own to where it lies is then taken, so a probe walking up from the slot
        meets the key before any empty slot (as in linear probing). Equal keys lie in the
        order of their positions: a probe finds the first.

        Repeated keys are found on the way (:attr:`repeats`): equal keys have equal slots, so
        they lie in one run of the slot order, a few entries apart at most. Comparing each
        key with those before it in its run costs a few milliseconds for 1.7e6 keys, where
        sorting the keys again to find repeats took 0.09 s on the development VM.

        Examples:
            >>> IdHash.of(np.array([5], np.int64), bound=2**62) is None   # 62 + 1 bits > 62
            True
            >>> IdHash.of(np.array([7, 3, 7], np.int64), bound=10).repeats
            True
        """
        count = len(keys)
        bits = max(count.bit_length(), 1)
        if (max(bound, 1) - 1).bit_length() + bits > 62 or count >= 1 << 32:
            return None
        slot_bits = max((int(count * _LOAD) - 1).bit_length(), 4)
        shift = 64 - slot_bits
        # In place where possible: fresh memory is slow to touch on the development VM.
        order = keys.view(np.uint64) * _GOLDEN
        order >>= np.uint64(shift)
        order <<= np.uint64(32)
        rank = np.arange(count, dtype=np.int64)
        order |= rank.view(np.uint64)
        order.sort()
        position = (order & np.uint64(0xFFFFFFFF)).view(np.int64)
        where = (order >> np.uint64(32)).view(np.int64)
        del order
        entry = keys[position]
        repeats = _repeated(where, entry)
        where -= rank
        np.maximum.accumulate(where, out=where)
        where += rank
        del rank
        # Room up to the last slot a probe can start at, and one empty slot past the last key.
        last = int(where[-1]) if count else 0
        table = np.full(max(1 << slot_bits, last + 1) + 1, _EMPTY, np.int64)
        entry <<= bits
        entry |= position
        table[where] = entry
        return cls(table, shift, bits, repeats=repeats)

    def positions(self, ids: Int64Array, out: IntArray) -> IntArray:
        """Write each id's position among the keys into ``out`` (-1: absent); return it.

        ``ids`` must lie in the bound the table was built for (not checked). They are
        probed :data:`BLOCK` at a time, so the temporaries stay in the cache.
        """
        for start in range(0, len(ids), BLOCK):
            self._block(ids[start:start + BLOCK], out[start:start + BLOCK])
        return out

    def _block(self, ids: Int64Array, out: IntArray) -> None:
        table, bits = self._table, self._bits
        slot = ((ids.view(np.uint64) * _GOLDEN) >> self._shift).view(np.int64)
        entry = table[slot]
        found = (entry >> bits) == ids
        np.copyto(out, np.where(found, entry & self._mask, -1))
        rest = np.flatnonzero(~found & (entry != _EMPTY))
        slot = slot[rest]
        while len(rest):  # the next slot, for the ids not found yet and not known absent
            slot += 1
            entry = table[slot]
            found = (entry >> bits) == ids[rest]
            out[rest[found]] = entry[found] & self._mask
            going = ~found & (entry != _EMPTY)
            rest, slot = rest[going], slot[going]
