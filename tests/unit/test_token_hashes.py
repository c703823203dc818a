"""Account tokens are hashed at argon2id's production cost.

The integration tests hash their tokens at the lowest cost (``cheap_token_hashes`` in
``tests/integration/conftest.py``); this pins the cost the service uses.
"""

from __future__ import annotations

from argon2 import Type

from regionet.services import accounts


def test_tokens_are_hashed_with_argon2id_at_the_rfc_9106_low_memory_cost() -> None:
    hasher = accounts._HASHER
    assert (hasher.type, hasher.time_cost, hasher.memory_cost, hasher.parallelism,
            hasher.hash_len, hasher.salt_len) == (Type.ID, 3, 65536, 4, 32, 16)
