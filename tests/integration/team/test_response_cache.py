"""The response cache of record reads: never stale after a write, per role, token checked.

Every test runs on SQLite and on PostgreSQL. A hit is told apart from a miss by counting the
calls of the service the endpoint uses (a hit never reaches it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from regionet.interfaces.api import create_app
from regionet.interfaces.api.middleware import REVISION_HEADER
from regionet.services import records
from regionet.services.accounts import revoke_user, set_role

TIE = "t-kr-mur-bilateral"
Call = Callable[..., Any]


@pytest.fixture(params=["sqlite", "postgresql"])
def served(request: pytest.FixtureRequest, team: tuple[Path, dict[str, str]],
           new_team: Callable[[str | Path], dict[str, str]]
           ) -> tuple[str | Path, dict[str, str]]:
    """A team workspace on each backend: (db, tokens)."""
    if request.param == "sqlite":
        return team
    url: str = request.getfixturevalue("postgres_url")
    return url, new_team(url)


@pytest.fixture
def client_for(signed: Callable[[TestClient, dict[str, str]], Call]) -> Callable[..., Call]:
    """``client_for(db, tokens, **create_app options)``: signed calls to a new app on ``db``."""

    def make(db: str | Path, tokens: dict[str, str], **options: Any) -> Call:
        return signed(TestClient(create_app(db, dashboard=False, **options)), tokens)

    return make


def _count(monkeypatch: pytest.MonkeyPatch, name: str) -> list[object]:
    """Count the calls of ``records.<name>`` (what a cache hit never calls)."""
    calls: list[object] = []
    original = getattr(records, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1:])
        return original(*args, **kwargs)

    monkeypatch.setattr(records, name, counted)
    return calls


def _edit(api: Call, description: str) -> None:
    """ed proposes a new description of TIE and rev accepts it (a new revision)."""
    row = api("GET", f"/api/ties/{TIE}/row", as_="ed")
    put = api("PUT", f"/api/ties/{TIE}", as_="ed", json={**row.json()["row"],
                                                         "description": description},
              headers={"If-Match": row.headers["etag"]})
    assert put.status_code == 202, put.text
    accepted = api("POST", f"/api/proposals/{put.json()['id']}/accept", as_="rev",
                   json={"status": "partial"})
    assert accepted.status_code == 200, accepted.text


def test_a_second_read_is_the_same_answer_without_the_work(
        client_for: Callable[..., Call],
        served: tuple[str | Path, dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    api = client_for(*served)
    calls = _count(monkeypatch, "tie_detail")
    first = api("GET", f"/api/ties/{TIE}", as_="rita")
    second = api("GET", f"/api/ties/{TIE}", as_="rita")
    assert first.status_code == second.status_code == 200
    assert len(calls) == 1
    assert second.content == first.content and second.json()["id"] == TIE
    for name in ("etag", REVISION_HEADER.lower(), "content-type", "content-length",
                 "x-content-type-options"):
        assert second.headers[name] == first.headers[name], name
    assert second.headers[REVISION_HEADER] == "1"
    # HEAD, a conditional GET and ?include= are never answered from the cache
    assert api("HEAD", f"/api/ties/{TIE}", as_="rita").status_code == 200
    assert api("GET", f"/api/ties/{TIE}", as_="rita",
               headers={"If-None-Match": '"nope"'}).status_code == 200
    assert len(calls) == 3


def test_a_write_is_seen_by_the_next_read(
        client_for: Callable[..., Call],
        served: tuple[str | Path, dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    api = client_for(*served)
    before = api("GET", f"/api/ties/{TIE}", as_="rita")
    listed = api("GET", "/api/ties?actor=RU-KR&limit=100", as_="rita")
    _edit(api, "changed through the API")
    calls = _count(monkeypatch, "tie_detail")
    after = api("GET", f"/api/ties/{TIE}", as_="rita")
    assert len(calls) == 1                         # a new revision: computed again
    assert before.json()["description"] != "changed through the API"
    assert after.json()["description"] == "changed through the API"
    assert after.headers[REVISION_HEADER] == "2" and before.headers[REVISION_HEADER] == "1"
    assert after.headers["etag"] != before.headers["etag"]
    relisted = api("GET", "/api/ties?actor=RU-KR&limit=100", as_="rita").json()
    assert [t["description"] for t in relisted["data"] if t["id"] == TIE] == [
        "changed through the API"]
    assert [t["description"] for t in listed.json()["data"] if t["id"] == TIE] == [
        before.json()["description"]]


def test_a_proposal_is_listed_at_once_though_it_makes_no_revision(
        client_for: Callable[..., Call],
        served: tuple[str | Path, dict[str, str]]) -> None:
    api = client_for(*served)
    path = f"/api/ties/{TIE}?include=proposals"
    assert api("GET", path, as_="rita").json()["proposals"] == []
    row = api("GET", f"/api/ties/{TIE}/row", as_="ed")
    put = api("PUT", f"/api/ties/{TIE}", as_="ed",
              json={**row.json()["row"], "description": "proposed only"},
              headers={"If-Match": row.headers["etag"]})
    assert put.status_code == 202
    proposals = api("GET", path, as_="rita").json()["proposals"]
    assert [(p["proposal_id"], p["author"], p["row"]["description"]) for p in proposals] == [
        (put.json()["id"], "ed", "proposed only")]
    plain = api("GET", f"/api/ties/{TIE}", as_="rita").json()
    assert "proposals" not in plain and plain["description"] != "proposed only"


def test_a_revoked_token_is_refused_at_once(
        client_for: Callable[..., Call],
        served: tuple[str | Path, dict[str, str]]) -> None:
    db, tokens = served
    api = client_for(db, tokens)
    assert api("GET", f"/api/ties/{TIE}", as_="rita").status_code == 200
    assert api("GET", f"/api/ties/{TIE}", as_="rita").status_code == 200   # a hit
    revoke_user(db, "rita")
    refused = api("GET", f"/api/ties/{TIE}", as_="rita")
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == ("field 'Authorization': unknown or revoked token. "
                                        "Ask an admin for a new token")
    bad = api("GET", f"/api/ties/{TIE}", headers={"Authorization": "Bearer rn_nope"})
    assert bad.status_code == 401
    assert api("GET", f"/api/ties/{TIE}").status_code == 401   # anonymous: no public read


def test_each_role_reads_its_own_answer(
        client_for: Callable[..., Call],
        served: tuple[str | Path, dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    db, tokens = served
    api = client_for(db, tokens)
    calls = _count(monkeypatch, "actor_detail")
    by_role = {name: api("GET", "/api/actors/RU-MUR", as_=name)
               for name in ("rita", "ed", "rev", "ada", "eve")}   # eve: editor, like ed
    assert {r.status_code for r in by_role.values()} == {200}
    assert len(calls) == 4                        # reader, editor, reviewer, admin
    assert len({r.content for r in by_role.values()}) == 1
    set_role(db, "rita", "editor")                # now reads what editors read
    assert api("GET", "/api/actors/RU-MUR", as_="rita").status_code == 200
    assert len(calls) == 4


def test_anonymous_reads_are_cached_only_when_public(
        client_for: Callable[..., Call],
        served: tuple[str | Path, dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    db, tokens = served
    public = client_for(db, tokens, public_read=True)
    calls = _count(monkeypatch, "tie_detail")
    answers = [public("GET", f"/api/ties/{TIE}") for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200] and len(calls) == 1
    assert answers[0].json()["id"] == TIE and answers[1].content == answers[0].content
    private = client_for(db, tokens)
    assert private("GET", f"/api/ties/{TIE}").status_code == 401


def test_the_query_order_does_not_matter_but_its_values_do(
        client_for: Callable[..., Call],
        served: tuple[str | Path, dict[str, str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    api = client_for(*served)
    calls = _count(monkeypatch, "list_ties")
    one = api("GET", "/api/ties?actor=RU-KR&limit=3", as_="rita")
    two = api("GET", "/api/ties?limit=3&actor=RU-KR", as_="rita")
    other = api("GET", "/api/ties?actor=RU-KR&limit=2", as_="rita")
    assert len(calls) == 2 and one.content == two.content
    assert [t["id"] for t in other.json()["data"]] == [t["id"] for t in one.json()["data"]][:2]
    assert len(one.json()["data"]) == 3
    wrong = api("GET", "/api/ties?actors=RU-KR", as_="rita")   # errors are never kept
    again = api("GET", "/api/ties?actors=RU-KR", as_="rita")
    assert wrong.status_code == again.status_code == 422
    assert again.json()["field"] == "actors" and len(calls) == 2


def test_the_first_authorization_header_counts_as_for_the_application(
        client_for: Callable[..., Call],
        served: tuple[str | Path, dict[str, str]]) -> None:
    db, tokens = served
    api = client_for(db, tokens)
    assert api("GET", f"/api/ties/{TIE}", as_="rita").status_code == 200   # cached for readers
    client = TestClient(create_app(db, dashboard=False))
    both = client.get(f"/api/ties/{TIE}", headers=[
        ("Authorization", f"Bearer {tokens['gone']}"),     # revoked, first
        ("Authorization", f"Bearer {tokens['rita']}")])
    assert both.status_code == 401


def test_an_app_moved_to_another_workspace_reads_that_workspace(
        client_for: Callable[..., Call],
        team: tuple[Path, dict[str, str]],
        tmp_path: Path,
        copy_sqlite: Callable[[Path, Path], None]) -> None:
    """The cache reads ``app.state.db`` per request, as the dependencies do (not at build).

    Two copies of one workspace have the same revision and version; after an edit of the
    first, the second still holds the old description, and so must its answers.
    """
    first, tokens = team
    second = tmp_path / "second.db"
    copy_sqlite(first, second)
    app = create_app(first, dashboard=False)
    client = TestClient(app)
    headers = {"Authorization": f"Bearer {tokens['rita']}"}
    original = client.get(f"/api/ties/{TIE}", headers=headers).json()["description"]
    app.state.db = str(second)
    assert client.get(f"/api/ties/{TIE}", headers=headers).json()["description"] == original
    app.state.db = str(first)
    _edit(client_for(first, tokens), "edited in the first copy only")
    assert client.get(f"/api/ties/{TIE}", headers=headers).json()["description"] == (
        "edited in the first copy only")
    app.state.db = str(second)
    assert client.get(f"/api/ties/{TIE}", headers=headers).json()["description"] == original
