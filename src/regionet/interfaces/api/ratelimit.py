"""A per-client rate limit: a token bucket per client, in process; **429** beyond it.

A client is its bearer token when the request carries ``Authorization: Bearer …`` (keyed by
the token's SHA-256, the token itself is not kept), else its network address. Each client may
make ``rate`` requests a second on average and up to ``burst`` (default ``2 × rate``) at once;
a request beyond gets **429** ``application/problem+json`` with ``Retry-After``: the whole
seconds until the client's next request will be accepted.

A client cannot escape its limit by inventing a new token per request: requests with a token
also spend from a bucket of their network address, :data:`ADDRESS_FACTOR` times larger (so
several accounts behind one address still get their own limits, up to that cap).

The buckets live in this process only (several server processes limit separately) and at
most ``max_clients`` are kept: the least recently seen client's bucket is dropped first (it
starts full when that client comes back).

Examples:
    >>> now = [0.0]
    >>> limiter = TokenBuckets(rate=2, burst=2, clock=lambda: now[0])
    >>> [limiter.take("a") for _ in range(3)]
    [0.0, 0.0, 0.5]
    >>> now[0] = 0.5
    >>> limiter.take("a"), limiter.take("b")
    (0.0, 0.0)
    >>> parse_rate("50/s"), parse_rate("0")
    (50.0, 0.0)
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

from starlette.types import ASGIApp, Receive, Scope, Send

from regionet.interfaces.api.problems import send_problem

__all__ = ["ADDRESS_FACTOR", "DEFAULT_RATE", "RateLimit", "TokenBuckets", "client_key",
           "parse_rate"]

#: The default limit of ``regionet serve``: requests a second per client (bursts of twice).
DEFAULT_RATE: Final = 50.0
#: How many times the per-client limit one address may use, whatever tokens it sends.
ADDRESS_FACTOR: Final = 4
#: The most clients whose buckets are kept.
MAX_CLIENTS: Final = 10_000

_RATE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*s)?\s*")


def parse_rate(text: str) -> float:
    """Return the requests a second of ``N/s`` (or ``N``); 0 turns the limit off.

    Raises:
        ValueError: naming the value and the expected form.
    """
    match = _RATE.fullmatch(text)
    if match is None:
        raise ValueError(f"rate limit {text!r}: expected N/s (requests a second per client, "
                         "like 50/s), or 0 for no limit")
    return float(match.group(1))


class TokenBuckets:
    """One token bucket per client key; :meth:`take` spends a token or says how long to wait."""

    def __init__(self, rate: float, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 max_clients: int = MAX_CLIENTS) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1.0, burst if burst is not None else 2 * rate)
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """Spend one of ``key``'s tokens: return 0.0, or the seconds until one is available."""
        now = self.clock()
        tokens, then = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)
        return wait

    def __len__(self) -> int:
        return len(self._buckets)


def client_key(scope: Scope) -> tuple[str, str]:
    """Return (key, description) of the client making the request of ``scope``.

    Examples:
        >>> client_key({"headers": [], "client": ("10.0.0.7", 5000)})
        ('address:10.0.0.7', 'address 10.0.0.7')
        >>> key, what = client_key({"headers": [(b"authorization", b"Bearer abc")]})
        >>> key[:18], what
        ('token:ba7816bf8f01', 'bearer token')
    """
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            if scheme.lower() == b"bearer" and token.strip():
                return "token:" + hashlib.sha256(token.strip()).hexdigest(), "bearer token"
    client = scope.get("client")
    address = str(client[0]) if client else "unknown"
    return f"address:{address}", f"address {address}"


class RateLimit:
    """ASGI middleware: at most ``rate`` requests a second per client (429 beyond)."""

    def __init__(self, app: ASGIApp, rate: float, burst: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.buckets = TokenBuckets(rate, burst, clock)
        self.addresses = TokenBuckets(rate * ADDRESS_FACTOR, self.buckets.burst * ADDRESS_FACTOR,
                                      clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI event."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key, who = client_key(scope)
        wait = self.buckets.take(key)
        if wait <= 0 and key.startswith("token:"):   # and the address's cap on all its tokens
            client = scope.get("client")
            address = str(client[0]) if client else "unknown"
            wait = self.addresses.take(address)
            if wait > 0:
                who = f"address {address}, whatever its tokens"
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry = max(1, math.ceil(wait))
        limits = self.addresses if who.endswith("whatever its tokens") else self.buckets
        rate, burst = limits.rate, limits.burst
        await send_problem(send, {
            "type": "urn:regionet:problem:rate-limited", "title": "Too Many Requests",
            "status": 429, "instance": scope.get("path", ""),
            "detail": f"too many requests from this client ({who}): the limit is {rate:g} "
                      f"a second, {burst:g} at once; retry after {retry} second(s)",
            "expected": f"at most {rate:g} requests a second"},
            [("retry-after", str(retry))])
