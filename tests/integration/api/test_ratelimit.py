"""The per-client rate limit: token buckets on a fake clock, exact 429 answers."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient

from regionet.interfaces.api import create_app
from regionet.interfaces.api.ratelimit import TokenBuckets, client_key, parse_rate


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limited(rate: float, burst: float | None = None) -> tuple[TestClient, Clock]:
    clock = Clock()
    app = create_app(None, dashboard=False, rate_limit=rate, rate_burst=burst, clock=clock)
    return TestClient(app), clock


def statuses(api: TestClient, n: int, **headers: str) -> list[int]:
    return [api.get("/api/measures", headers=headers).status_code for _ in range(n)]


def test_a_client_gets_its_burst_then_429_with_retry_after() -> None:
    api, clock = limited(2)  # 2 a second, bursts of 4
    assert statuses(api, 5) == [200, 200, 200, 200, 429]
    r = api.get("/api/measures")
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["x-content-type-options"] == "nosniff"  # headers on middleware answers
    assert r.json() == {
        "type": "urn:regionet:problem:rate-limited", "title": "Too Many Requests",
        "status": 429, "instance": "/api/measures",
        "detail": "too many requests from this client (address testclient): the limit is 2 a "
                  "second, 4 at once; retry after 1 second(s)",
        "expected": "at most 2 requests a second"}
    clock.now += 0.49  # not yet a whole token
    assert statuses(api, 1) == [429]
    clock.now += 0.01  # one token
    assert statuses(api, 2) == [200, 429]
    clock.now += 10  # refilled to the burst, not beyond
    assert statuses(api, 5) == [200, 200, 200, 200, 429]


def test_retry_after_is_the_whole_seconds_until_the_next_token() -> None:
    api, clock = limited(0.1, burst=1)  # one request every 10 s
    assert statuses(api, 1) == [200]
    assert api.get("/api/measures").headers["retry-after"] == "10"
    clock.now += 7.5
    assert api.get("/api/measures").headers["retry-after"] == "3"
    clock.now += 2.5
    assert statuses(api, 1) == [200]


def test_clients_are_limited_separately_by_token_else_address() -> None:
    api, _ = limited(1, burst=1)
    alice, bob = {"authorization": "Bearer alice"}, {"authorization": "Bearer bob"}
    # The limit comes before authentication: these made-up tokens are refused (401) once
    # they pass it, and limited (429) when they do not.
    assert statuses(api, 2, **alice) == [401, 429]
    assert statuses(api, 2, **bob) == [401, 429]
    assert statuses(api, 2) == [200, 429]  # no token: the address has its own bucket
    lower = {"authorization": "bearer alice"}  # the scheme is case-insensitive
    assert statuses(api, 1, **lower) == [429]
    r = api.get("/api/measures", headers=alice)
    assert "(bearer token)" in r.json()["detail"] and "alice" not in r.text


def test_errors_and_every_route_count() -> None:
    api, _ = limited(1, burst=3)
    assert api.get("/api/actors/RU-NOPE").status_code == 404
    assert api.get("/api/nothing-here").status_code == 404
    assert api.get("/api/health").status_code == 200
    assert api.get("/api/health").status_code == 429


def test_no_limit_by_default_and_with_zero() -> None:
    for api in (TestClient(create_app(None, dashboard=False)),
                TestClient(create_app(None, dashboard=False, rate_limit=0))):
        assert set(statuses(api, 60)) == {200}


def test_the_buckets_keep_at_most_max_clients() -> None:
    clock = Clock()
    buckets = TokenBuckets(1, burst=1, clock=clock, max_clients=3)
    for key in "abcd":
        assert buckets.take(key) == 0.0
    assert len(buckets) == 3
    assert buckets.take("a") == 0.0  # "a" was dropped first: it starts full again
    assert buckets.take("d") == 1.0  # "d" was kept: empty, 1 s to the next token


def test_client_key_hashes_the_token() -> None:
    key, what = client_key({"headers": [(b"authorization", b"Bearer s3cret ")],
                            "client": ("10.1.2.3", 1)})
    assert key == "token:" + hashlib.sha256(b"s3cret").hexdigest() and what == "bearer token"
    assert client_key({"headers": [(b"authorization", b"Basic abc")],
                       "client": ("10.1.2.3", 1)}) == ("address:10.1.2.3", "address 10.1.2.3")
    assert client_key({"headers": []}) == ("address:unknown", "address unknown")


@pytest.mark.parametrize(("text", "rate"), [("50/s", 50.0), ("2.5/s", 2.5), ("7", 7.0),
                                            ("0", 0.0), (" 10 / s ", 10.0)])
def test_parse_rate(text: str, rate: float) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["fast", "-1/s", "10/min", "", "1e3"])
def test_parse_rate_refuses_other_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected N/s \(requests a second per client"):
        parse_rate(text)


def test_inventing_a_token_per_request_does_not_escape_the_limit() -> None:
    api, clock = limited(1, burst=1)   # per client 1/s; per address 4/s, 4 at once
    made_up = [{"authorization": f"Bearer made-up-{i}"} for i in range(6)]
    assert [api.get("/api/measures", headers=h).status_code for h in made_up] == [
        401, 401, 401, 401, 429, 429]
    r = api.get("/api/measures", headers={"authorization": "Bearer another"})
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    assert r.json()["detail"] == (
        "too many requests from this client (address testclient, whatever its tokens): the "
        "limit is 4 a second, 4 at once; retry after 1 second(s)")
    assert statuses(api, 1) == [200]   # without a token: the address's own bucket
    clock.now += 1.0
    assert api.get("/api/measures", headers=made_up[0]).status_code == 401
