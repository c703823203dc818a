"""Property-based tests of the REST API from its own OpenAPI schema (schemathesis 4).

For every operation schemathesis generates up to 20 requests, valid and invalid (positive and
negative generation modes), sends them to the ASGI app in process and checks that no response
is a server error, that each status code and content type is documented, and that each body
conforms to the documented schema. No operation is excluded.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from regionet.interfaces.api import create_app
from regionet.services.simulation_runs import SimulationRuns

pytestmark = pytest.mark.slow  # every operation, 20 requests each

app = create_app(None, dashboard=False)
# Room for every simulation schemathesis posts (a full queue would answer 503); queued runs
# are dropped when the module ends.
app.state.simulations = SimulationRuns(keep=10_000)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module", autouse=True)
def _stop_simulations() -> Iterator[None]:
    yield
    app.state.simulations.close()


@schema.parametrize()
@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large])
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=CHECKS)
