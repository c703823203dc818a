"""``GET /api/health`` by role: only an admin's token sees where the workspace is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from regionet.interfaces.api import create_app
from regionet.services.accounts import add_user
from regionet.services.workspace import init_workspace
from regionet.storage.migrations import head
from regionet.storage.schema import SCHEMA_VERSION


@pytest.mark.parametrize("who", [None, "rita", "ed", "rev"])
def test_everyone_but_an_admin_sees_the_file_name_only(
        api: Any, team: tuple[Path, dict[str, str]], who: str | None) -> None:
    db, _tokens = team
    body = api("GET", "/api/health", as_=who).json()
    assert body["db"] == "team.db"
    assert body["admin"] is None
    assert str(db.parent) not in str(body)
    assert body["source"] == "workspace" and body["revision"] >= 1


def test_an_admin_sees_the_location_backend_schema_and_migration(
        api: Any, team: tuple[Path, dict[str, str]]) -> None:
    db, _tokens = team
    body = api("GET", "/api/health", as_="ada").json()
    assert body["db"] == str(db)
    assert body["admin"] == {"location": str(db), "backend": "sqlite",
                             "schema_version": SCHEMA_VERSION, "migration": head(),
                             "migration_head": head()}
    assert body["detail"] == f"serving the workspace {db}"
    anonymous = api("GET", "/api/health").json()
    assert anonymous["detail"] == "serving the workspace team.db"
    private = ("db", "admin", "detail")
    assert {k: v for k, v in body.items() if k not in private} == {
        k: v for k, v in anonymous.items() if k not in private}


@pytest.mark.parametrize("header", ["Bearer rn_0000000000_" + "0" * 64, "Bearer nonsense",
                                    "Basic YWRhOnB3"])
def test_a_wrong_token_is_refused_even_on_health(api: Any, header: str) -> None:
    response = api("GET", "/api/health", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["field"] == "Authorization"


def test_a_revoked_token_is_refused_on_health(api: Any) -> None:
    assert api("GET", "/api/health", as_="gone").status_code == 401


def test_an_admin_of_a_postgresql_workspace_sees_its_url_without_the_password(
        pg_url: str) -> None:
    # trust authentication: the password is accepted and ignored, so it can be in the URL
    url = pg_url.replace("postgres@", "postgres:s3cret-pw@")
    init_workspace(url, "russia-1990s")
    admin, reader = add_user(url, "ada", "admin")[1], add_user(url, "rita", "reader")[1]
    client = TestClient(create_app(url, dashboard=False))
    name = pg_url.rsplit("/", 1)[1]
    shown = f"postgresql+psycopg://***@127.0.0.1:5432/{name}"
    body = client.get("/api/health", headers={"Authorization": f"Bearer {admin}"}).json()
    assert body["db"] == shown
    assert body["admin"] == {"location": shown, "backend": "postgresql",
                             "schema_version": SCHEMA_VERSION, "migration": head(),
                             "migration_head": head()}
    assert "s3cret" not in str(body)
    other = client.get("/api/health", headers={"Authorization": f"Bearer {reader}"}).json()
    assert other["db"] == f"postgresql database {name}" and other["admin"] is None
    assert "s3cret" not in str(other) and "127.0.0.1" not in str(other)
