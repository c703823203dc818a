"""``/api/simulations``: run the dynamics model in the background and follow the run.

``POST /api/simulations`` checks the body and the work it asks for at once (422 naming the
field; a body over :data:`MAX_BODY_BYTES` is 413), queues the run on the server's simulation
worker thread and answers **202 Accepted** with the run's id and a ``Location`` header.
``GET /api/simulations/scenarios`` lists the scenarios a run may use.
``GET /api/simulations/{id}`` answers its status (``queued``, ``running``, ``done``,
``failed``), its progress (seeds done of all) and, when done, the results. The server keeps the
last runs (16 by default); when all of them are still queued or running a new one is refused
with 503 (retry later). See :mod:`regionet.services.simulation_runs` and docs/api.md.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Request, Response
from starlette.exceptions import HTTPException

from regionet.core.jsonsafe import json_safe
from regionet.interfaces.api.deps import SourceDep
from regionet.interfaces.api.problems import problem_responses
from regionet.interfaces.api.simulation_schemas import (
    DynamicsScenariosPublic,
    SimulationCreate,
    SimulationPublic,
)
from regionet.services.dynamics import scenario_summaries
from regionet.services.simulation_runs import Simulation, SimulationRuns

__all__ = ["MAX_BODY_BYTES", "router", "simulations"]

router = APIRouter(prefix="/simulations", tags=["simulations"])

#: The largest body ``POST /api/simulations`` reads (50 seeds take a few hundred bytes).
MAX_BODY_BYTES: Final = 4096
_CREATE = threading.Lock()


def simulations(request: Request) -> SimulationRuns:
    """Return the application's runs (made on first use, kept on ``app.state.simulations``)."""
    state = request.app.state
    with _CREATE:
        runs = getattr(state, "simulations", None)
        if not isinstance(runs, SimulationRuns):
            runs = state.simulations = SimulationRuns()
    return runs


RunsDep = Annotated[SimulationRuns, Depends(simulations)]


def small_body(request: Request) -> None:
    """Refuse a body whose declared length is over :data:`MAX_BODY_BYTES` (413), unread."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise HTTPException(413, f"the request body has {length} bytes; a simulation request "
                                 f"takes at most {MAX_BODY_BYTES}")


def _public(run: Simulation) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": run.id, "url": f"/api/simulations/{run.id}", "status": run.status,
        "scenario": run.scenario, "seeds": list(run.seeds), "years": run.years,
        "submitted": datetime.fromtimestamp(run.submitted, UTC).isoformat(timespec="seconds"),
        "progress": {"done": run.done, "total": run.total}, "results": None, "error": None}
    if run.status == "done" and run.rows is not None and run.summary is not None \
            and run.checks is not None:
        body["results"] = json_safe({"rows": run.rows.to_dict(orient="records"),
                                     "summary": run.summary.to_dict(orient="records"),
                                     "checks": run.checks.to_dict(orient="records")})
    if run.error is not None:
        body["error"] = run.error.to_dict()
    return body


@router.post("", response_model=SimulationPublic, status_code=202,
             dependencies=[Depends(small_body)], responses=problem_responses(400, 413, 422, 503))
def create_simulation(source: SourceDep, runs: RunsDep, body: SimulationCreate,
                      response: Response) -> dict[str, Any]:
    """Queue a run of one dynamics scenario over a few seeds; answer its id (202).

    Bounded: 1 to 50 distinct seeds and at most 600 seeds × years (422 beyond, naming
    ``seeds``); a body over 4 KiB is 413. An unknown scenario or bad years are 422 naming
    them. When every kept run is still queued or running, 503: retry later. Follow the run
    at the ``Location`` (``GET /api/simulations/{id}``).
    """
    run = runs.submit(source, body.scenario, body.seeds, body.years)
    response.headers["Location"] = f"/api/simulations/{run.id}"
    return _public(run)


@router.get("/scenarios", response_model=DynamicsScenariosPublic)
def read_scenarios(source: SourceDep) -> dict[str, Any]:
    """The dynamics scenarios a simulation may run: name, description, fiscal scenario."""
    data = scenario_summaries(source)
    return {"data": data, "count": len(data)}


@router.get("/{run_id}", response_model=SimulationPublic, responses=problem_responses(404, 422))
def read_simulation(
    runs: RunsDep,
    run_id: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$",
                                description="the id POST /api/simulations answered")],
) -> dict[str, Any]:
    """A run's status and progress and, when done, its rows, summary and pattern checks.

    Rows are exactly what ``regionet simulate run --seed S --json`` gives for each seed.
    Finished runs are evicted, oldest first, when new ones come (404 then).
    """
    return _public(runs.get(run_id))
