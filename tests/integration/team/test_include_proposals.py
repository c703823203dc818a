"""``?include=proposals``: readers see accepted records unless they ask for the proposed ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

TIE = "t-no-pechenganikel-pledge"
NEW_TIE = {"id": "t-inc-new", "kind": "agreement", "actors": "RU-KR;FI",
           "sources": "sergounin-1999:para 16"}


def _propose(api: Callable[..., Any]) -> tuple[dict[str, Any], dict[str, Any], str]:
    """An editor proposes a new tie and deleting TIE; return both proposals and TIE's ETag."""
    created = api("POST", "/api/ties", as_="ed", json=NEW_TIE)
    assert created.status_code == 202
    tag = api("GET", f"/api/ties/{TIE}", as_="rita").headers["etag"]
    deleted = api("DELETE", f"/api/ties/{TIE}", as_="eve", headers={"If-Match": tag})
    assert deleted.status_code == 202
    return created.json(), deleted.json(), tag


def test_without_include_readers_see_accepted_records_only(api: Callable[..., Any]) -> None:
    _propose(api)
    ties = api("GET", "/api/ties", as_="rita", params={"limit": 1000}).json()
    assert "proposals" not in ties
    assert "t-inc-new" not in [t["id"] for t in ties["data"]]
    assert TIE in [t["id"] for t in ties["data"]]
    assert "proposals" not in api("GET", f"/api/ties/{TIE}", as_="rita").json()


def test_include_proposals_lists_the_proposed_records_with_their_proposal(
        api: Callable[..., Any]) -> None:
    created, deleted, _tag = _propose(api)
    ties = api("GET", "/api/ties", as_="rita", params={"include": "proposals", "limit": 5})
    assert ties.status_code == 200
    body = ties.json()
    assert len(body["data"]) == 5 and "t-inc-new" not in [t["id"] for t in body["data"]]
    assert body["proposals"] == [
        {"proposal_id": created["id"], "state": "proposed", "action": "create",
         "record_id": "t-inc-new", "author": "ed", "created_at": created["created_at"],
         "row": created["payload"]},
        {"proposal_id": deleted["id"], "state": "proposed", "action": "delete",
         "record_id": TIE, "author": "eve", "created_at": deleted["created_at"], "row": None}]
    assert created["payload"]["actors"] == "RU-KR;FI"
    # the detail of TIE shows its own pending change only; other resources have none
    detail = api("GET", f"/api/ties/{TIE}", as_="rita", params={"include": "proposals"}).json()
    assert detail["id"] == TIE
    assert [p["proposal_id"] for p in detail["proposals"]] == [deleted["id"]]
    for path in ("/api/actors", "/api/observations", "/api/sources", "/api/actors/RU-KR",
                 "/api/sources/sergounin-1999"):
        got = api("GET", path, as_="rita", params={"include": "proposals"})
        assert got.status_code == 200 and got.json()["proposals"] == [], path


def test_a_decided_proposal_leaves_the_list(api: Callable[..., Any]) -> None:
    created, deleted, _tag = _propose(api)
    assert api("POST", f"/api/proposals/{created['id']}/accept", as_="rev",
               json={"status": "verified"}).status_code == 200
    assert api("POST", f"/api/proposals/{deleted['id']}/reject", as_="rev",
               json={"reason": "the pledge is documented"}).status_code == 200
    body = api("GET", "/api/ties", as_="rita",
               params={"include": "proposals", "limit": 1000}).json()
    assert body["proposals"] == []
    assert {"t-inc-new", TIE} <= {t["id"] for t in body["data"]}


def test_include_proposals_never_gives_304(api: Callable[..., Any]) -> None:
    _created, deleted, tag = _propose(api)
    same = {"If-None-Match": tag}
    assert api("GET", f"/api/ties/{TIE}/row", as_="rita", headers=same).status_code == 304
    got = api("GET", f"/api/ties/{TIE}", as_="rita", headers=same,
              params={"include": "proposals"})
    assert got.status_code == 200 and got.headers["etag"] == tag
    assert got.json()["proposals"][0]["proposal_id"] == deleted["id"]


@pytest.mark.parametrize("value", ["proposal", "", "PROPOSALS", "x" * 5000])
def test_an_unknown_include_is_a_400_naming_the_parameter(
        api: Callable[..., Any], value: str) -> None:
    for path in ("/api/ties", f"/api/ties/{TIE}", "/api/observations"):
        got = api("GET", path, as_="rita", params={"include": value})
        assert got.status_code == 400, (path, value)
        problem = got.json()
        assert got.headers["content-type"] == "application/problem+json"
        assert problem["field"] == "include" and problem["expected"] == "one of proposals"
        assert len(got.text) < 2000
    assert api("GET", "/api/ties", as_="rita",
               params={"include": "proposal"}).json()["hint"] == "Did you mean proposals?"


def test_anonymous_callers_still_need_a_token(api: Callable[..., Any]) -> None:
    assert api("GET", "/api/ties", params={"include": "proposals"}).status_code == 401
