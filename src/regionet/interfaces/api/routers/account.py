"""``/api/account``: who the request's bearer token is, and what its role may do.

The dashboard's sign-in asks it to check a token and to show only the actions the role
allows (propose: editor; review: reviewer; admin: accounts and direct imports). Without a
token it answers 401 (``WWW-Authenticate: Bearer``), even on a server with public reads.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from regionet.core.errors import AuthenticationError
from regionet.interfaces.api.deps import PrincipalDep
from regionet.interfaces.api.problems import problem_responses
from regionet.services.accounts import allows

__all__ = ["AccountPublic", "router"]

router = APIRouter(tags=["accounts"])


class AccountPublic(BaseModel):
    """The account a token names."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="the account's name")
    role: str = Field(description="reader, editor, reviewer or admin")
    may_propose: bool = Field(description="may propose new or changed records (editor)")
    may_review: bool = Field(description="may accept or reject others' proposals (reviewer)")
    may_administer: bool = Field(description="may manage accounts and import files (admin)")


@router.get("/account", response_model=AccountPublic, responses=problem_responses(401, 503))
def read_account(who: PrincipalDep) -> dict[str, Any]:
    """The account of the request's ``Authorization: Bearer`` token and what it may do."""
    if who is None:
        raise AuthenticationError("no token: sign in first", field="Authorization",
                                  expected="Authorization: Bearer <token>")
    return {"name": who.name, "role": who.role, "may_propose": allows(who, "editor"),
            "may_review": allows(who, "reviewer"), "may_administer": allows(who, "admin")}
