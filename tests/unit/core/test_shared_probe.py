"""Two threads looking ids up in one IdHash, taking pieces in turn: the same as one pass."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from regionet.core import shared_probe
from regionet.core.id_hash import IdHash
from regionet.core.shared_probe import probe_shared

KEYS = np.array([7_700_000_013 + 13 * i for i in range(500)], np.int64)


def table() -> IdHash:
    built = IdHash.of(KEYS, 10**10)
    assert built is not None
    return built


def chunks(ids: list[int], sizes: list[int]) -> list[pa.Array]:
    out, start = [], 0
    for size in sizes:
        out.append(pa.array(ids[start:start + size], pa.int64()))
        start += size
    return out


@pytest.mark.parametrize("piece", [1, 7, 64, 1 << 18])
def test_pieces_across_chunks_give_each_id_its_position(monkeypatch: pytest.MonkeyPatch,
                                                        piece: int) -> None:
    monkeypatch.setattr(shared_probe, "PIECE", piece)
    rng = np.random.default_rng(5)
    ids = [*rng.choice(KEYS, 900).tolist(), 5, 7_700_000_014]  # two absent ids at the end
    rng.shuffle(ids)
    position = {int(key): i for i, key in enumerate(KEYS)}
    expected = [position.get(x, -1) for x in ids]
    got = probe_shared(table(), iter(chunks(ids, [300, 1, 0, 450, 151])), len(ids))
    assert got is not None and got.tolist() == expected


def test_text_ids_are_converted_in_the_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_probe, "PIECE", 3)
    text = pa.array([str(KEYS[4]), str(KEYS[0]), "0000000005", str(KEYS[499])])
    got = probe_shared(table(), iter([text]), 4, lambda c: c.cast(pa.int64()))
    assert got is not None and got.tolist() == [4, 0, -1, 499]


@pytest.mark.parametrize("where", ["chunk", "convert"])
def test_ids_of_another_kind_give_none(monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    monkeypatch.setattr(shared_probe, "PIECE", 2)
    parts: list[pa.Array | None] = [*chunks(KEYS[:6].tolist(), [4, 2])]
    if where == "chunk":
        parts.append(None)
    convert = (lambda c: None if c.to_pylist()[0] == KEYS[4] else c) if where == "convert" \
        else None
    assert probe_shared(table(), iter(parts), 6 if where == "convert" else 8, convert) is None


def test_an_error_in_either_thread_is_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_probe, "PIECE", 1)

    def convert(chunk: pa.Array) -> pa.Array:
        if chunk.to_pylist() == [int(KEYS[3])]:
            raise ValueError("bad piece")
        return chunk

    with pytest.raises(ValueError, match="bad piece"):
        probe_shared(table(), iter(chunks(KEYS[:10].tolist(), [10])), 10, convert)


def test_fewer_ids_than_announced_give_none() -> None:
    assert probe_shared(table(), iter(chunks(KEYS[:5].tolist(), [5])), 6) is None
