"""``GET /api/account``: who a token is and what the role may do (the dashboard's sign-in)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from regionet.interfaces.api import create_app


@pytest.mark.parametrize(("name", "role", "may"), [
    ("rita", "reader", (False, False, False)),
    ("ed", "editor", (True, False, False)),
    ("rev", "reviewer", (True, True, False)),
    ("ada", "admin", (True, True, True)),
])
def test_each_role_and_what_it_may_do(api: Callable[..., Any], name: str, role: str,
                                      may: tuple[bool, bool, bool]) -> None:
    answer = api("GET", "/api/account", as_=name)
    assert answer.status_code == 200
    assert answer.json() == {"name": name, "role": role, "may_propose": may[0],
                             "may_review": may[1], "may_administer": may[2]}


def test_no_token_a_revoked_one_and_a_malformed_header_are_401(
        api: Callable[..., Any]) -> None:
    for kwargs in ({}, {"as_": "gone"}, {"headers": {"Authorization": "Basic eDp5"}}):
        answer = api("GET", "/api/account", **kwargs)
        assert answer.status_code == 401, kwargs
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert answer.json()["field"] == "Authorization"


def test_public_reads_do_not_make_an_anonymous_account(
        team: tuple[Path, dict[str, str]]) -> None:
    client = TestClient(create_app(team[0], dashboard=False, public_read=True))
    assert client.get("/api/ties", params={"limit": 1}).status_code == 200
    answer = client.get("/api/account")
    assert answer.status_code == 401 and "sign in" in answer.json()["detail"]
