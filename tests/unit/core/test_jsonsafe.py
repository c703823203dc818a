"""json_safe: the exact-type fast path keeps what the isinstance path did (load12)."""

from __future__ import annotations

import enum
import math
from types import MappingProxyType

from regionet.core.jsonsafe import json_bytes, json_safe


class Level(enum.StrEnum):
    BILATERAL = "bilateral"


def test_mixed_nesting_with_non_finite_floats() -> None:
    data = {"a": [1, 2.5, math.nan, (math.inf, "x")], 3: {"b": None, "c": True},
            "m": MappingProxyType({"d": -math.inf, 4: 1.0}), "level": Level.BILATERAL}
    got = json_safe(data)
    assert got == {"a": [1, 2.5, None, [None, "x"]], "3": {"b": None, "c": True},
                   "m": {"d": None, "4": 1.0}, "level": "bilateral"}
    assert type(got["level"]) is Level and got["3"]["c"] is True
    assert json_bytes(data) == (b'{"a":[1,2.5,null,[null,"x"]],"3":{"b":null,"c":true},'
                                b'"m":{"d":null,"4":1.0},"level":"bilateral"}')


def test_plain_values_come_back_as_they_are() -> None:
    for value in ("text", 7, False, None):
        assert json_safe(value) is value
    assert json_safe(math.nan) is None and json_safe(2.0) == 2.0
