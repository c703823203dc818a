"""``/api/simulations`` through TestClient: submit, poll, results, bounds, eviction."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from regionet.core.errors import BusyError, InvalidValueError
from regionet.interfaces.api import create_app
from regionet.services.case_source import CaseSource
from regionet.services.dynamics import check_patterns, run_simulation, runs_table
from regionet.services.simulation_runs import SimulationRuns

PROBLEM = "application/problem+json"
SOURCE = CaseSource.bundled()


@pytest.fixture
def client(api_app: FastAPI) -> Iterator[TestClient]:
    # its simulation runs are new for each test (conftest.py); one event loop for its requests
    with TestClient(api_app) as client:
        yield client


def poll(client: TestClient, url: str, timeout: float = 60.0) -> dict[str, Any]:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        body: dict[str, Any] = client.get(url).json()
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.02)
    raise AssertionError(f"{url} did not finish in {timeout} s")


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status and "Traceback" not in response.text
    return body


def test_submit_poll_and_the_results_are_the_service_runs(client: TestClient) -> None:
    created = client.post("/api/simulations", json={
        "scenario": "closed-borders", "seeds": [11, 3], "years": [1992, 1999]})
    assert created.status_code == 202
    body = created.json()
    assert created.headers["location"] == body["url"] == f"/api/simulations/{body['id']}"
    assert body["status"] in ("queued", "running", "done") and body["progress"]["total"] == 2
    assert body["seeds"] == [11, 3] and body["years"] == [1992, 1999]
    done = poll(client, body["url"])
    assert done["status"] == "done" and done["progress"] == {"done": 2, "total": 2}
    assert done["error"] is None
    rows = pd.DataFrame(done["results"]["rows"])
    for run_id, seed in enumerate([11, 3]):
        mine = rows[rows.run_id == run_id]
        want = run_simulation(SOURCE, "closed-borders", seed, years=(1992, 1999)).rows
        assert (mine["seed"] == seed).all() and (mine["scenario"] == "closed-borders").all()
        assert mine["year"].tolist() == list(range(1992, 2000))
        for column in want.columns:
            assert mine[column].tolist() == pytest.approx(want[column].tolist(), nan_ok=True)
    summary = pd.DataFrame(done["results"]["summary"])
    ties = summary[(summary.metric == "ties_total") & (summary.year == 1995)].iloc[0]
    assert ties["runs"] == 2
    assert ties["mean"] == pytest.approx(rows[rows.year == 1995]["ties_total"].mean())
    want_checks = check_patterns(SOURCE, runs_table(
        [run_simulation(SOURCE, "closed-borders", s, years=(1992, 1999)) for s in (11, 3)]))
    got = [(c["target"], c["label"], c["passed"], c["runs"]) for c in done["results"]["checks"]]
    assert got == [(r.target, r.label, r.passed, r.runs) for r in want_checks.itertuples()]
    assert "treaty_regions_1998" in {c["target"] for c in done["results"]["checks"]}
    assert "regional_share_2002" not in {c["target"] for c in done["results"]["checks"]}


@pytest.mark.slow  # waits for a run of many seeds, ~2.7 s
def test_the_post_answers_before_the_run_is_done(client: TestClient) -> None:
    """The run goes on in the worker thread; the request returns at once.

    A process's first POST reads the case and its parameters (≈ 0.8 s idle, 1.5 s in a busy
    CI run, more than the 50 runs then take): one small run first, so that the timed POST
    measures the answer, not that first read.
    """
    warm = client.post("/api/simulations", json={"seeds": [0]})
    assert warm.status_code == 202 and poll(client, warm.json()["url"])["status"] == "done"
    start = time.monotonic()
    created = client.post("/api/simulations", json={"seeds": list(range(50))})
    answered = time.monotonic() - start
    body = created.json()
    assert created.status_code == 202 and body["progress"] == {"done": 0, "total": 50}
    assert body["results"] is None
    names = {t.name for t in threading.enumerate()}
    assert "regionet-simulation-0" in names
    done = poll(client, body["url"])
    assert done["status"] == "done" and len(done["results"]["rows"]) == 50 * 12
    assert answered < 0.5 * (time.monotonic() - start)


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"seeds": []}, "seeds", "at least 1"),
    ({"seeds": list(range(51))}, "seeds", "at most 50"),
    ({"seeds": [1, 1]}, "seeds", "distinct"),
    ({"seeds": [-1]}, "seeds.0", "greater than or equal to 0"),
    ({"seeds": [2**32]}, "seeds.0", "less than or equal to 4294967295"),
    ({"seeds": "0-4"}, "seeds", "valid list"),
    ({"scenario": "strong-center"}, "scenario", "strong-centre"),
    ({"scenario": ""}, "scenario", "at least 1"),
    ({"years": [2000, 1995]}, "years", "START <= END"),
    ({"years": [1980, 1995]}, "years.0", "greater than or equal to 1991"),
    ({"years": [1991, 2011]}, "years.1", "less than or equal to 2010"),
    ({"years": [1991]}, "years.1", "Field required"),
    ({"colour": "red"}, "colour", "Extra inputs"),
])
def test_bad_bodies_are_422_naming_the_field(client: TestClient, body: dict[str, Any],
                                             field: str, words: str) -> None:
    found = problem(client.post("/api/simulations", json=body), 422)
    assert found["field"] == field and words in found["detail"] + str(found.get("expected"))


def test_too_much_work_is_422_and_a_large_body_413(client: TestClient) -> None:
    found = problem(client.post("/api/simulations", json={
        "seeds": list(range(40)), "years": [1991, 2010]}), 422)
    assert found["field"] == "seeds" and found["value"] == "40 seeds x 20 years = 800"
    assert found["expected"] == "seeds x years <= 600"
    ok = client.post("/api/simulations", json={"seeds": list(range(30)),
                                                 "years": [1991, 2010]})
    assert ok.status_code == 202  # 30 x 20 = 600, the bound itself
    padded = '{"seeds": [0], "scenario": "as-described"' + " " * 5000 + "}"
    found = problem(client.post("/api/simulations", content=padded,
                                headers={"content-type": "application/json"}), 413)
    assert "at most 4096" in found["detail"]
    problem(client.post("/api/simulations", content="{not json",
                        headers={"content-type": "application/json"}), 400)


def test_the_scenarios_a_run_may_use(client: TestClient) -> None:
    body = client.get("/api/simulations/scenarios").json()
    assert [s["name"] for s in body["data"]] == [
        "as-described", "closed-borders", "no-treaties", "strong-centre", "tax-at-operation"]
    assert body["count"] == 5
    fiscal = {s["name"]: s["fiscal_scenario"] for s in body["data"]}
    assert fiscal["tax-at-operation"] == "tax-at-operation" and fiscal["as-described"] is None
    assert all(s["description"] for s in body["data"])


def test_unknown_ids_are_404_and_bad_ids_422(client: TestClient) -> None:
    found = problem(client.get("/api/simulations/0123456789abcdef"), 404)
    assert found["value"] == "0123456789abcdef"
    assert problem(client.get("/api/simulations/not-an-id"), 422)["field"] == "run_id"


@pytest.mark.slow  # two runs of 50 seeds, ~4 s
def test_runs_kept_are_bounded_oldest_finished_evicted_and_a_full_queue_is_503() -> None:
    app = create_app(None, dashboard=False)
    app.state.simulations = SimulationRuns(keep=2)
    client = TestClient(app)
    first = client.post("/api/simulations", json={"seeds": [0], "years": [1991, 1992]}).json()
    second = client.post("/api/simulations", json={"seeds": [1], "years": [1991, 1992]}).json()
    poll(client, first["url"])
    poll(client, second["url"])
    third = client.post("/api/simulations", json={"seeds": list(range(50))}).json()
    problem(client.get(first["url"]), 404)  # the oldest finished run went
    assert client.get(second["url"]).json()["status"] == "done"
    fourth = client.post("/api/simulations", json={"seeds": list(range(50))}).json()
    problem(client.get(second["url"]), 404)
    busy = problem(client.post("/api/simulations", json={"seeds": [5]}), 503)
    assert busy["field"] == "simulations" and "Retry" in busy["detail"]
    assert poll(client, third["url"])["status"] == "done"
    assert poll(client, fourth["url"])["status"] == "done"
    assert client.post("/api/simulations", json={"seeds": [5]}).status_code == 202


@pytest.mark.parametrize(("error", "detail"), [
    (InvalidValueError("bad value", field="ties.stress", value=-1), "bad value"),
    (RuntimeError("a bug"), "failed unexpectedly (RuntimeError)")])
def test_a_run_that_fails_says_why(monkeypatch: pytest.MonkeyPatch, client: TestClient,
                                   error: Exception, detail: str) -> None:
    import regionet.services.simulation_runs as module

    real = module.run_simulation

    def second_seed_fails(source: CaseSource, scenario: str, seed: int, **kw: Any) -> Any:
        if seed == 2:
            raise error
        return real(source, scenario, seed, **kw)

    monkeypatch.setattr(module, "run_simulation", second_seed_fails)
    body = client.post("/api/simulations", json={"seeds": [1, 2, 3],
                                                 "years": [1991, 1992]}).json()
    failed = poll(client, body["url"])
    assert failed["status"] == "failed" and failed["results"] is None
    assert failed["progress"] == {"done": 1, "total": 3}
    assert detail in failed["error"]["detail"]


def test_closing_finishes_the_run_going_on_and_drops_the_queued_ones() -> None:
    runs = SimulationRuns(keep=4)
    going = runs.submit(SOURCE, "as-described", list(range(20)), (1991, 2000))
    queued = runs.submit(SOURCE, "strong-centre", [0], (1991, 1992))
    while runs.get(going.id).status == "queued":
        time.sleep(0.005)
    runs.close()
    assert runs.get(going.id).status == "done" and runs.get(going.id).done == 20
    dropped = runs.get(queued.id)
    assert dropped.status == "failed" and dropped.done == 0
    assert "stopped before the simulation ran" in str(dropped.error)
    with pytest.raises(BusyError, match="closed"):
        runs.submit(SOURCE, "as-described", [0], (1991, 1992))
