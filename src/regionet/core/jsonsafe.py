"""JSON that every client can read: non-finite floats become null, encoding is compact.

Python's ``json`` writes ``NaN`` and ``Infinity``, which are not JSON; the REST API, the
exports and the caches encode through :func:`json_bytes` instead.

Examples:
    >>> json_safe({"a": [1.0, float("inf")], "b": "x"})
    {'a': [1.0, None], 'b': 'x'}
    >>> json_bytes({"v": float("nan"), "name": "Karelia"})
    b'{"v":null,"name":"Karelia"}'
    >>> finite(float("nan")) is None, finite(2)
    (True, 2.0)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, SupportsFloat

__all__ = ["finite", "json_bytes", "json_safe"]


def finite(value: SupportsFloat) -> float | None:
    """Return ``value`` as a float, or None for NaN and infinities."""
    number = float(value)
    return number if math.isfinite(number) else None


#: Types returned as they are, checked by exact type before the slower ``isinstance`` tests.
_PLAIN: frozenset[type] = frozenset({str, int, bool, type(None)})


def json_safe(data: Any) -> Any:
    """Return ``data`` with every non-finite float replaced by None, recursively."""
    kind = type(data)
    if kind in _PLAIN:
        return data
    if kind is dict:
        return {str(k): json_safe(v) for k, v in data.items()}
    if isinstance(data, float):
        return finite(data)
    if isinstance(data, Mapping):
        return {str(k): json_safe(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [json_safe(v) for v in data]
    return data


def json_bytes(data: Any) -> bytes:
    """Encode ``data`` as compact UTF-8 JSON, non-finite floats as null."""
    return json.dumps(json_safe(data), ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8")
