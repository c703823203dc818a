"""Schemathesis over the authenticated API of a team workspace (issue 12).

The app serves a fresh team workspace (a copy of the session's template: the bundled case
and one account per role). With an editor's token and with an admin's token in turn,
schemathesis generates up to 20 requests per operation, valid and invalid, every write
endpoint included, and checks that no answer is a server error, that each status code and
content type is documented and that each body conforms to the documented schema.

The stateful phase follows the schema's OpenAPI links (:mod:`regionet.interfaces.api.links`):
an editor reads a record's row and proposes to change it with ``If-Match: <ETag>`` (or to
delete it), or proposes a new record; a reviewer reads, accepts or rejects that proposal.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.errors import Flaky
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response
from schemathesis.generation import GenerationMode

from regionet.interfaces.api import create_app
from regionet.services.simulation_runs import SimulationRuns

pytestmark = pytest.mark.slow  # every operation, 20 requests each, twice

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
#: The workspace the app serves; made by the ``workspace`` fixture (nothing is opened
#: before a request).
DB = Path(tempfile.gettempdir()) / f"regionet-schemathesis-{secrets.token_hex(6)}" / "team.db"
app = create_app(DB, dashboard=False)
# Room for every simulation schemathesis posts (a full queue would answer 503).
app.state.simulations = SimulationRuns(keep=10_000)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def tokens(team_template: tuple[Path, dict[str, str]]) -> Iterator[dict[str, str]]:
    """Copy the template team workspace to :data:`DB`; yield its tokens; remove it."""
    template, names = team_template
    DB.parent.mkdir()
    with sqlite3.connect(template) as source, sqlite3.connect(DB) as copy:
        source.backup(copy)
    copy.close()
    source.close()
    yield names
    app.state.simulations.close()
    shutil.rmtree(DB.parent)


@pytest.mark.parametrize("account", ["ed", "ada"], ids=["editor", "admin"])
@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large])
def test_the_signed_in_api_conforms_to_its_schema(
        case: schemathesis.Case, account: str, tokens: dict[str, str]) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {tokens[account]}"},
                           checks=CHECKS)


#: The operations a reviewer calls in the stateful phase; an editor calls the others.
REVIEWER_OPERATIONS = ("/accept", "/reject")
#: What the stateful phase must have done at least once (method, path suffix, status): a
#: change proposed through the links (``PUT`` or ``DELETE`` with the ETag of a row), a
#: proposal read, and one decided by the reviewer.
MUST_SEE = (("PUT DELETE", "}", 202), ("GET", "/api/proposals/{proposal_id}", 200),
            ("POST", "/accept /reject", 200))


#: The stateful phase makes at least this many calls, and goes on until it has seen each of
#: MUST_SEE (a proposal read came once in ≈ 850 calls in one run), in at most ATTEMPTS runs.
CALLS, ATTEMPTS = 600, 16


def _missing(seen: Counter[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    return [want for want in MUST_SEE
            if not any(m in want[0].split() and p.endswith(tuple(want[1].split()))
                       and s == want[2] for m, p, s in seen)]


def test_editors_and_reviewers_follow_the_links(tokens: dict[str, str]) -> None:
    seen: Counter[tuple[str, str, int]] = Counter()
    failures: list[str] = []
    # Valid requests only: an invalid one would break the link it follows (a mangled ETag
    # or row); the invalid requests are sent by the test above.
    positive = schemathesis.openapi.from_asgi("/openapi.json", app)
    positive.config.generation.update(modes=[GenerationMode.POSITIVE])
    base = positive.as_state_machine()

    class Team(base):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            name = "rev" if case.path.endswith(REVIEWER_OPERATIONS) else "ed"
            return {"headers": {"Authorization": f"Bearer {tokens[name]}"}}

        def validate_response(self, response: Response, case: schemathesis.Case,
                              additional_checks: object = None, **kwargs: object) -> None:
            seen[case.method, case.path, response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as exc:  # kept, so that no replay is needed to report it
                failures.append(f"{case.method} {case.formatted_path} -> "
                                f"{response.status_code}: {exc}")

    # Each scenario changes the workspace, so Hypothesis' replays cannot meet the same state
    # again; when its data tree notices (Flaky), the scenarios run so far count and a new
    # run starts, as in schemathesis' own runner, until CALLS calls were made and each of
    # MUST_SEE was seen. (Not derandomized: each run explores other scenarios.)
    for _attempt in range(ATTEMPTS):
        if sum(seen.values()) >= CALLS and not _missing(seen):
            break
        with contextlib.suppress(Flaky):
            Team.run(settings=settings(max_examples=100, stateful_step_count=10,
                                       deadline=None, database=None, phases=[Phase.generate],
                                       suppress_health_check=list(HealthCheck)))
    print(f"stateful phase: {sum(seen.values())} calls;", dict(sorted(seen.items())))
    assert failures == []
    assert _missing(seen) == []
