"""``ETag`` on the detail endpoints (``GET /api/actors|ties|sources/{id}``); 304 on ``…/row``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from regionet.interfaces.api import create_app

TIE = "t-no-pechenganikel-pledge"
#: detail path → the row path whose ETag ``PUT`` expects
DETAILS = {f"/api/ties/{TIE}": f"/api/ties/{TIE}/row",
           "/api/actors/RU-KR": "/api/actors/RU-KR/row",
           "/api/sources/sergounin-1999": "/api/sources/sergounin-1999/row"}


@pytest.mark.parametrize("detail", sorted(DETAILS))
def test_the_detail_carries_the_etag_that_if_match_expects(
        api: Callable[..., Any], detail: str) -> None:
    got = api("GET", detail, as_="rita")
    row = api("GET", DETAILS[detail], as_="rita")
    assert got.status_code == 200 and row.status_code == 200
    assert got.headers["etag"] == row.headers["etag"] == row.json()["etag"]
    assert got.headers["etag"].startswith('"') and len(got.headers["etag"]) == 34


def test_an_edit_made_with_the_details_etag_is_accepted_and_changes_it(
        api: Callable[..., Any]) -> None:
    tag = api("GET", f"/api/ties/{TIE}", as_="rita").headers["etag"]
    row = api("GET", f"/api/ties/{TIE}/row", as_="rita").json()["row"]
    changed = {**row, "description": "Norwegian pledge (edited)"}
    proposed = api("PUT", f"/api/ties/{TIE}", as_="ed", json=changed,
                   headers={"If-Match": tag})
    assert proposed.status_code == 202
    assert api("POST", f"/api/proposals/{proposed.json()['id']}/accept", as_="rev",
               json={"status": "verified"}).status_code == 200
    after = api("GET", f"/api/ties/{TIE}", as_="rita")
    assert after.json()["description"] == "Norwegian pledge (edited)"
    assert after.headers["etag"] != tag
    # the old tag is stale now: no 304, and an edit made with it is refused
    assert api("GET", f"/api/ties/{TIE}/row", as_="rita",
               headers={"If-None-Match": tag}).status_code == 200
    stale = api("PUT", f"/api/ties/{TIE}", as_="ed", json=changed, headers={"If-Match": tag})
    assert stale.status_code == 412 and stale.json()["expected"] == after.headers["etag"]


@pytest.mark.parametrize(("if_none_match", "status"), [
    ("{tag}", 304), ("W/{tag}", 304), ('"0123", {tag}', 304), ("*", 304),
    ('"0123"', 200), ("garbage", 200), ("", 200)])
def test_if_none_match_gives_304_only_for_the_current_row(
        api: Callable[..., Any], if_none_match: str, status: int) -> None:
    for detail, row_path in DETAILS.items():
        tag = api("GET", detail, as_="rita").headers["etag"]
        sent = {"If-None-Match": if_none_match.format(tag=tag)}
        got = api("GET", row_path, as_="rita", headers=sent)
        assert got.status_code == status, (row_path, if_none_match)
        assert got.headers["etag"] == tag
        if status == 304:
            assert got.content == b""
        # the detail holds more than the record (ties, level, …): it is always sent whole
        whole = api("GET", detail, as_="rita", headers=sent)
        assert whole.status_code == 200 and whole.headers["etag"] == tag, detail
        assert whole.json()["id"] == detail.rsplit("/", 1)[1]


def test_a_new_tie_shows_in_the_actors_detail_although_the_actors_tag_is_the_same(
        api: Callable[..., Any]) -> None:
    # The bug this prevents: the dashboard's browser revalidated /api/actors/RU-PSK with its
    # tag after an import, got 304 (the actor itself had not changed) and showed no new tie.
    before = api("GET", "/api/actors/RU-KR", as_="rita")
    tag = before.headers["etag"]
    assert "t-etag-new" not in [t["id"] for t in before.json()["ties"]]
    created = api("POST", "/api/ties", as_="ed", json={
        "id": "t-etag-new", "kind": "agreement", "actors": "RU-KR;FI",
        "sources": "sergounin-1999:para 16"})
    assert created.status_code == 202
    assert api("POST", f"/api/proposals/{created.json()['id']}/accept", as_="rev",
               json={"status": "verified"}).status_code == 200
    after = api("GET", "/api/actors/RU-KR", as_="rita", headers={"If-None-Match": tag})
    assert after.status_code == 200 and after.headers["etag"] == tag
    assert "t-etag-new" in [t["id"] for t in after.json()["ties"]]


def test_an_unknown_record_is_still_a_404_naming_it(api: Callable[..., Any]) -> None:
    got = api("GET", "/api/ties/t-nope", as_="rita", headers={"If-None-Match": "*"})
    assert got.status_code == 404 and "etag" not in got.headers
    assert got.json()["value"] == "t-nope"


def test_the_bundled_case_has_etags_too() -> None:
    client = TestClient(create_app(None, dashboard=False))
    got = client.get(f"/api/ties/{TIE}")
    assert got.status_code == 200 and got.headers["etag"].startswith('"')
    same = {"If-None-Match": got.headers["etag"]}
    assert client.get(f"/api/ties/{TIE}", headers=same).status_code == 200
    assert client.get(f"/api/ties/{TIE}/row", headers=same).status_code == 304
