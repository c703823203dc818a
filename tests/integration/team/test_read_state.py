"""A read request asks for the workspace's state once; a write is seen by the next read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from regionet.interfaces.api.middleware import REVISION_HEADER
from regionet.storage.workspace import Workspace

TIE = "t-kr-mur-bilateral"


def _count_state_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    state = Workspace.state

    def counted(self: Workspace) -> tuple[int, str]:
        calls.append(1)
        return state(self)

    monkeypatch.setattr(Workspace, "state", counted)
    return calls


def test_a_get_uses_the_state_its_token_check_saw(api: Callable[..., Any],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    api("GET", "/api/network/metrics?limit=3", as_="rita")   # the metrics are cached now
    calls = _count_state_reads(monkeypatch)
    got = api("GET", "/api/network/metrics?limit=3", as_="rita")
    assert got.status_code == 200 and len(got.json()["data"]) == 3
    assert calls == []          # the bearer check's snapshot gave the revision
    assert got.headers[REVISION_HEADER] == "1"
    anonymous = api("GET", "/api/network/metrics?limit=3")
    assert anonymous.status_code == 401 and calls == []


def test_a_write_is_seen_by_the_next_read(api: Callable[..., Any]) -> None:
    first = api("GET", f"/api/ties/{TIE}", as_="rita")
    metrics = api("GET", "/api/network/metrics?limit=1", as_="rita")
    assert first.headers[REVISION_HEADER] == metrics.headers[REVISION_HEADER] == "1"
    row = api("GET", f"/api/ties/{TIE}/row", as_="ed")
    body = {**row.json()["row"], "description": "changed by ed"}
    put = api("PUT", f"/api/ties/{TIE}", as_="ed", json=body,
              headers={"If-Match": row.headers["etag"]})
    assert put.status_code == 202
    accepted = api("POST", f"/api/proposals/{put.json()['id']}/accept", as_="rev",
                   json={"status": "partial"})
    assert accepted.status_code == 200
    after = api("GET", f"/api/ties/{TIE}", as_="rita")
    assert after.json()["description"] == "changed by ed"
    assert first.json()["description"] != "changed by ed"
    assert int(after.headers[REVISION_HEADER]) == 2
    # a whole-graph result of the new revision (computed now, or the old one while it is)
    later = api("GET", "/api/network/metrics?limit=1", as_="rita")
    assert later.status_code == 200 and later.headers[REVISION_HEADER] in ("1", "2")
