"""The team dashboard in a real browser: sign in, propose a tie, review it (issue 12).

A SQLite workspace of the bundled case with an editor and a reviewer is served by the real
app under uvicorn, anonymous reads off (the default). Chromium (Debian's, driven by
Playwright) signs in with each account's token, proposes a tie with its source and locator,
fails to accept its own proposal, and the reviewer accepts it as ``partial``: the tie is
then in the workspace, classified, with that status, a history entry naming its author
and the proposal naming its reviewer.
Console errors are allowed only for the HTTP refusals the test provokes (401 before signing
in, 403 for the self-review, 422 for the bad proposal).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]  # a browser

TIMEOUT_MS = 20_000
TIE = "t-e2e-kr-fi-1999"
EXPECTED_REFUSALS = ("status of 401", "status of 403", "status of 422")


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    from regionet.services.accounts import add_user
    from regionet.services.workspace import init_workspace

    db = tmp_path_factory.mktemp("team-dashboard") / "team.db"
    init_workspace(db)
    return db, {name: add_user(db, name, role)[1]
                for name, role in (("ed", "editor"), ("rev", "reviewer"))}


@pytest.fixture(scope="module")
def base_url(team: tuple[Path, dict[str, str]],
             serve_app: Callable[..., Iterator[str]]) -> Iterator[str]:
    yield from serve_app(team[0])   # anonymous reads off: the default


def _sign_in(page: Any, base_url: str, token: str, who: str) -> None:
    page.goto(f"{base_url}/signin")
    page.fill("#token", token)
    page.click("#signin")
    page.wait_for_function(
        "(who) => document.getElementById('status').textContent.includes(who)",
        arg=f"Signed in as {who}", timeout=TIMEOUT_MS)
    page.wait_for_function(
        "(who) => document.getElementById('account').textContent.includes(who)",
        arg=f"Signed in as {who}", timeout=TIMEOUT_MS)


def _status(page: Any, words: str) -> str:
    page.wait_for_function("(w) => document.getElementById('status').textContent.includes(w)",
                           arg=words, timeout=TIMEOUT_MS)
    return str(page.text_content("#status"))


def test_sign_in_propose_and_review_a_tie(browser: Any, base_url: str,
                                          team: tuple[Path, dict[str, str]]) -> None:
    tokens = team[1]
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    # Anonymous: the data is refused and the page says how to get in.
    page.goto(f"{base_url}/network")
    assert "sign in" in _status(page, "sign in")
    assert page.text_content("#account") == "Sign in"

    # A wrong token is refused and forgotten.
    page.goto(f"{base_url}/signin")
    page.fill("#token", "rn_0000000000_" + "0" * 64)
    page.click("#signin")
    _status(page, "no active account")
    assert page.evaluate("RN.token()") == ""

    # The editor proposes: first a tie with a party that does not exist, then a good one.
    _sign_in(page, base_url, tokens["ed"], "ed (editor)")
    assert page.is_visible("#go-propose") and not page.is_visible("#go-review")
    page.goto(f"{base_url}/propose")
    page.wait_for_selector("#tie-document:not([disabled])")
    page.fill("#tie-id", TIE)
    page.fill("#tie-kind", "agreement")
    page.fill("#tie-actors", "RU-KRR;FI")
    page.fill("#tie-start", "1999")
    page.select_option("#tie-document", "sergounin-1999")
    page.fill("#tie-locator", "para 16")
    page.click("#propose")
    refused = _status(page, "RU-KRR")
    assert "RU-KR" in refused.replace("RU-KRR", "") and "actors" in refused
    page.fill("#tie-actors", "RU-KR;FI")
    page.click("#propose")
    assert _status(page, "sent for review") == f"Proposal #1 sent for review: tie {TIE}."

    # The editor may not accept their own proposal.
    page.goto(f"{base_url}/review")
    page.wait_for_selector('tr[data-proposal="1"]')
    page.click('tr[data-proposal="1"] button:text("Accept")')
    assert "Proposal #1:" in _status(page, "Proposal #1:")
    assert page.get_attribute("#status", "class") == "status error"

    # The reviewer accepts it as partial; the queue empties.
    _sign_in(page, base_url, tokens["rev"], "rev (reviewer)")
    assert page.is_visible("#go-review")
    page.goto(f"{base_url}/review")
    page.wait_for_selector('tr[data-proposal="1"]')
    assert TIE in str(page.text_content('tr[data-proposal="1"]'))
    page.select_option('tr[data-proposal="1"] select', "partial")
    page.click('tr[data-proposal="1"] button:text("Accept")')
    assert _status(page, "accepted") == "Proposal #1 accepted as partial."
    page.wait_for_function("() => document.getElementById('count').textContent === '0'")

    tie = page.evaluate(f"RN.getJSON('/api/ties/{TIE}')")
    assert (tie["status"], tie["actors"], tie["level"], tie["sublevel"]) == (
        "partial", ["RU-KR", "FI"], "international", "cross-border")
    history = page.evaluate(f"RN.getJSON('/api/ties/{TIE}/history')")
    assert [(h["version"], h["action"], h["proposal"], h["who"], h["after"]["status"])
            for h in history["versions"]] == [(1, "create", 1, "ed", "partial")]
    proposal = page.evaluate("RN.getJSON('/api/proposals/1')")
    assert (proposal["state"], proposal["author"], proposal["reviewer"],
            proposal["status_given"]) == ("accepted", "ed", "rev", "partial")

    unexpected = [e for e in errors if not any(r in e for r in EXPECTED_REFUSALS)]
    assert unexpected == []
    context.close()
