"""The NumPy hash table of integer ids gives what a dict of first positions gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regionet.core import id_hash
from regionet.core.id_hash import IdHash


def first_positions(keys: list[int], ids: list[int]) -> list[int]:
    first: dict[int, int] = {}
    for i, key in enumerate(keys):
        first.setdefault(key, i)
    return [first.get(x, -1) for x in ids]


def positions(keys: list[int], ids: list[int], bound: int) -> list[int]:
    table = IdHash.of(np.array(keys, np.int64), bound)
    assert table is not None
    out = np.full(len(ids), 12345, np.intp)
    got = table.positions(np.array(ids, np.int64), out)
    assert got is out
    return got.tolist()


@settings(max_examples=200)
@given(keys=st.lists(st.integers(0, 999), max_size=60),
       ids=st.lists(st.integers(0, 999), max_size=60))
def test_each_id_gets_the_first_position_of_its_key_or_minus_one(keys: list[int],
                                                                 ids: list[int]) -> None:
    assert positions(keys, ids, 1000) == first_positions(keys, ids)


@settings(max_examples=200)
@given(keys=st.lists(st.integers(0, 99), max_size=40))
def test_repeats_says_whether_a_key_appears_twice(keys: list[int]) -> None:
    table = IdHash.of(np.array(keys, np.int64), 100)
    assert table is not None
    assert table.repeats == (len(set(keys)) < len(keys))


@pytest.mark.parametrize("far", [False, True])
def test_repeats_in_long_runs_of_one_slot(monkeypatch: pytest.MonkeyPatch, far: bool) -> None:
    # Every key in one slot (multiplier 0): the repeat is 3 or 50 entries apart, past the
    # run length checked entry by entry (32), where a sort decides.
    monkeypatch.setattr(id_hash, "_GOLDEN", np.uint64(0))
    keys = list(range(1000, 1060))
    assert not IdHash.of(np.array(keys, np.int64), 10**4).repeats  # type: ignore[union-attr]
    keys[53 if far else 6] = keys[3]
    assert IdHash.of(np.array(keys, np.int64), 10**4).repeats  # type: ignore[union-attr]


def test_registry_numbers_in_blocks_and_in_crowded_slots(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setattr(id_hash, "BLOCK", 1000)  # several blocks, a short last one
    rng = np.random.default_rng(3)
    keys = rng.choice(10**10, 20_000, replace=False).tolist()
    unique = IdHash.of(np.array(keys, np.int64), 10**10)
    assert unique is not None and not unique.repeats
    keys[500] = keys[7]  # a repeated key: its first position
    ids = [*rng.choice(keys, 30_000).tolist(), *rng.integers(0, 10**10, 4_321).tolist()]
    assert positions(keys, ids, 10**10) == first_positions(keys, ids)
    repeated = IdHash.of(np.array(keys, np.int64), 10**10)
    assert repeated is not None and repeated.repeats


def test_crowded_slots_are_walked_past_the_last_slot(monkeypatch: pytest.MonkeyPatch) -> None:
    # With the multiplier 2**14, 3000 keys (13 slot bits) have slot ``key >> 37``: all but
    # the last lie in the last slot, so their run of taken slots goes past the table's
    # slots into its tail; an absent id with that slot walks the whole run.
    monkeypatch.setattr(id_hash, "_GOLDEN", np.uint64(1 << 14))
    top = 8191 << 37
    keys = [top + j for j in range(2999)] + [5]
    ids = [*keys[::-1], top + 5000, 6, top - 1]
    assert positions(keys, ids, 1 << 50) == first_positions(keys, ids)


def test_no_keys_and_no_ids() -> None:
    assert positions([], [0, 5], 10) == [-1, -1]
    assert positions([4], [], 10) == []


def test_keys_and_positions_that_do_not_fit_in_62_bits_are_refused() -> None:
    three = np.array([1, 2, 3], np.int64)  # positions in 2 bits
    assert IdHash.of(three, 1 << 61) is None  # keys in 61 bits
    assert IdHash.of(three, 1 << 60) is not None
    assert IdHash.of(np.zeros(0, np.int64), 1 << 61) is not None
