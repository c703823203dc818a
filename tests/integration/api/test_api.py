"""The REST API through TestClient: every endpoint with good and with bad input.

Bad input must give a 4xx ``application/problem+json`` naming the field and value, never a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from regionet.interfaces.api import create_app
from regionet.services.workspace import init_workspace

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(None, dashboard=False)) as client:  # one event loop
        yield client


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("api") / "ws.db"
    init_workspace(db, "russia-1990s")
    return db


def problem(response: Any, status: int) -> dict[str, Any]:
    """Assert ``response`` is a problem+json with ``status``; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    assert "Traceback" not in response.text
    return body


# --- health, measures, scenarios --------------------------------------------------------------


def test_health_without_a_workspace_serves_the_bundled_case_read_only(tmp_path: Path) -> None:
    missing = tmp_path / "absent.db"
    body = TestClient(create_app(missing, dashboard=False)).get("/api/health").json()
    assert body["status"] == "ok" and body["source"] == "bundled" and body["read_only"] is True
    assert body["case"] == "russia-1990s" and body["counts"]["actors"] == 156
    # the file name only: the server's directories are not shown (docs/api.md, Security)
    assert "the workspace absent.db does not exist" in body["detail"]
    assert str(tmp_path) not in body["detail"] and body["db"] is None
    assert not missing.exists()  # serving never creates the file


def test_health_with_a_workspace(workspace: Path) -> None:
    body = TestClient(create_app(workspace, dashboard=False)).get("/api/health").json()
    assert (body["source"], body["read_only"], body["db"]) == ("workspace", False, workspace.name)
    assert body["detail"] == f"serving the workspace {workspace.name}"
    assert body["counts"] == {"actors": 156, "ties": 161, "observations": 56, "documents": 74}


def test_a_broken_workspace_is_503_and_a_new_file_is_read_again(tmp_path: Path) -> None:
    db = tmp_path / "ws.db"
    db.write_bytes(b"this is not a database")

    api = TestClient(create_app(db, dashboard=False, public_read=True))
    body = problem(api.get("/api/actors"), 503)
    assert body["detail"]
    db.unlink()
    assert api.get("/api/health").json()["source"] == "bundled"
    init_workspace(db, "russia-1990s")
    assert api.get("/api/actors?limit=1").json()["count"] == 156
    assert api.get("/api/health").json()["source"] == "workspace"


def test_measures_and_scenarios(client: TestClient) -> None:
    measures = client.get("/api/measures").json()
    assert measures["count"] == len(measures["data"]) > 5
    assert {"population", "transfers_per_capita"} <= {m["name"] for m in measures["data"]}
    scenarios = client.get("/api/scenarios").json()
    by_name = {s["name"]: s for s in scenarios["data"]}
    assert by_name["collection-collapse-1998"]["overrides"] == ["collection.efficiency"]
    assert by_name["rule-operation"]["rules"] == {"attribution": "operation"}


# --- pagination -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/actors", "/api/ties", "/api/observations",
                                  "/api/sources"])
def test_pages_are_slices_of_the_whole_list(client: TestClient, path: str) -> None:
    whole = client.get(f"{path}?limit=1000").json()
    assert whole["count"] == len(whole["data"]) > 0
    ids = [r["id"] for r in whole["data"]]
    for limit, offset in [(1, 0), (7, 3), (100, 0), (5, whole["count"] - 2),
                          (10, whole["count"]), (1000, 10_000)]:
        page = client.get(f"{path}?limit={limit}&offset={offset}").json()
        assert page["count"] == whole["count"]
        assert [r["id"] for r in page["data"]] == ids[offset:offset + limit]
    assert len(client.get(path).json()["data"]) == min(100, whole["count"])  # default limit


@pytest.mark.parametrize("query", ["limit=0", "limit=1001", "offset=-1", "limit=abc",
                                   "limit=1.5"])
def test_bad_pagination_is_422(client: TestClient, query: str) -> None:
    body = problem(client.get(f"/api/ties?{query}"), 422)
    assert body["field"] in ("limit", "offset")
    assert body["field"] in body["detail"]


# --- actors -----------------------------------------------------------------------------------


def test_actors_by_kind(client: TestClient) -> None:
    body = client.get("/api/actors?kind=subject&limit=1000").json()
    assert body["count"] == 89 and {a["kind"] for a in body["data"]} == {"subject"}
    problem(client.get("/api/actors?kind=planet"), 422)


def test_one_actor_with_ties_and_attribute_sources(client: TestClient) -> None:
    body = client.get("/api/actors/RU-KR").json()
    assert body["name_en"] == "Karelia" and body["kind"] == "subject"
    assert body["attributes"]["population_1999"] == 743573
    assert body["attribute_sources"] and all(r["actor"] == "RU-KR"
                                             for r in body["attribute_sources"])
    assert "t-fi-kr-cooperation" in {t["id"] for t in body["ties"]}


def test_unknown_actor_is_404_naming_it_and_suggesting_near_ids(client: TestClient) -> None:
    body = problem(client.get("/api/actors/RU-KRL"), 404)
    assert body["value"] == "RU-KRL" and "RU-KRL" in body["detail"]
    assert "RU-KR" in body["hint"] and body["type"].endswith("unknown-actor")
    assert body["instance"] == "/api/actors/RU-KRL"


# --- ties -------------------------------------------------------------------------------------


def test_ties_by_level_and_sublevel(client: TestClient) -> None:
    international = client.get("/api/ties?level=international&limit=1000").json()
    assert international["count"] == 35
    assert {t["level"] for t in international["data"]} == {"international"}
    parts = [client.get(f"/api/ties?level=international&sublevel={s}").json()["count"]
             for s in ("cross-border", "trans-regional", "non-adjacent")]
    assert parts == [17, 16, 2]  # counted by hand in docs/levels.md terms (issue 9)
    non_adjacent = client.get("/api/ties?sublevel=non-adjacent").json()["data"]
    assert [t["id"] for t in non_adjacent] == ["t-kgd-de-cooperation",
                                               "t-kr-vermont-agreement-1989"]
    interstate = client.get("/api/ties?level=interstate").json()["data"]
    assert [t["id"] for t in interstate] == ["t-ru-jp-territorial-dialogue",
                                             "t-ru-no-nuclear-environment",
                                             "t-ru-se-nuclear-environment"]
    assert client.get("/api/ties?level=federal").json()["count"] == 2
    assert problem(client.get("/api/ties?sublevel=other"), 422)["field"] == "sublevel"


def test_ties_by_actor_kind_year_date_and_status(client: TestClient) -> None:
    pledge = client.get("/api/ties?actor=NO&kind=pledge").json()
    assert [t["id"] for t in pledge["data"]] == ["t-no-pechenganikel-pledge"]
    assert pledge["data"][0]["amount"] == {"value": 300000000.0, "currency": "NOK",
                                           "year": 1998}
    in_1998 = client.get("/api/ties?year=1998&limit=1000").json()["count"]
    assert 0 < in_1998 <= 161
    assert client.get("/api/ties?as_of=1998-06-01").json()["count"] > 0
    statuses = client.get("/api/ties?status=assumed&limit=1000").json()
    assert {t["status"] for t in statuses["data"]} <= {"assumed"}


@pytest.mark.parametrize(("query", "field"), [
    ("level=bogus", "level"), ("sublevel=sideways", "sublevel"), ("status=maybe", "status"),
    ("as_of=1998-13-40", "as_of"), ("year=abc", "year"), ("year=0", "year"),
    # The field is the parameter the caller sent (it said "actors" before issue 7).
    ("actor=RU-NOPE", "actor"), ("kind=friendship", None),
])
def test_bad_tie_filters_are_422(client: TestClient, query: str, field: str | None) -> None:
    body = problem(client.get(f"/api/ties?{query}"), 422)
    if field is not None:
        assert body["field"] == field
    assert query.split("=")[1] in body["detail"]


def test_one_tie_and_an_unknown_tie(client: TestClient) -> None:
    tie = client.get("/api/ties/t-no-pechenganikel-pledge").json()
    assert (tie["level"], tie["sublevel"]) == ("international", "cross-border")
    assert tie["sources"] and tie["reason"]
    body = problem(client.get("/api/ties/t-no-pechenganikel-pledg"), 404)
    assert body["value"] == "t-no-pechenganikel-pledg"
    assert "t-no-pechenganikel-pledge" in body["hint"]


# --- observations and sources -----------------------------------------------------------------


def test_observations_by_subject(client: TestClient) -> None:
    body = client.get("/api/observations?subject=RU-KR").json()
    assert body["count"] > 0 and {o["subject"] for o in body["data"]} == {"RU-KR"}
    assert problem(client.get("/api/observations?subject=XX"), 422)["value"] == "XX"


def test_sources_with_the_records_citing_them(client: TestClient) -> None:
    listing = client.get("/api/sources?limit=1000").json()
    assert listing["count"] == 74
    memo = client.get("/api/sources/sergounin-1999").json()
    assert memo["title"] == "The Bright Side of Russia's Regionalization"
    assert "t-fi-kr-cooperation" in memo["cited_by"]["ties"]
    assert memo["cited_by"]["observations"]
    assert memo == next(d for d in listing["data"] if d["id"] == "sergounin-1999")
    body = problem(client.get("/api/sources/sergounin-199"), 404)
    assert body["value"] == "sergounin-199" and "sergounin-1999" in body["hint"]


# --- geo --------------------------------------------------------------------------------------


def test_subjects_geojson_with_a_measure(client: TestClient) -> None:
    response = client.get("/api/geo/subjects?measure=population")
    assert response.headers["content-type"] == "application/geo+json"
    fc = response.json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 89
    values = {f["id"]: f["properties"]["value"] for f in fc["features"]}
    assert values["RU-KR"] == 743573
    fiscal = client.get("/api/geo/subjects?measure=transfers_per_capita&year=1999"
                        "&scenario=collection-collapse-1998").json()
    assert fiscal["illustrative"] is True and fiscal["scenario"] == "collection-collapse-1998"
    plain = client.get("/api/geo/subjects").json()
    assert {f["properties"]["value"] for f in plain["features"]} == {None}


@pytest.mark.parametrize(("query", "field"), [
    ("measure=populaton", "measure"), ("measure=transfers_per_capita", "year"),
    ("measure=transfers_per_capita&year=1950", "year"),
    ("measure=transfers_per_capita&year=1999&scenario=../../etc/passwd", "scenario"),
    ("measure=population&year=99999", "year"),
])
def test_bad_map_queries_are_422(client: TestClient, query: str, field: str) -> None:
    assert problem(client.get(f"/api/geo/subjects?{query}"), 422)["field"] == field


def test_neighbours_geojson(client: TestClient) -> None:
    response = client.get("/api/geo/neighbours")
    assert response.headers["content-type"] == "application/geo+json"
    fc = response.json()
    assert "FI" in {f["id"] for f in fc["features"]} and "Natural Earth" in fc["attribution"]


# --- network ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/network/metrics", "/api/network/metrics?year=1998",
                                  "/api/network/metrics?level=international",
                                  "/api/network/metrics?level=cross-border",
                                  "/api/network/blocs", "/api/network/blocs?year=1998",
                                  "/api/network/actorness",
                                  "/api/network/actorness?region=RU-KR"])
def test_network_tables(client: TestClient, path: str) -> None:
    body = client.get(f"{path}{'&' if '?' in path else '?'}limit=1000").json()
    assert body["count"] == len(body["data"]) > 0


def test_network_metrics_pages_and_filters(client: TestClient) -> None:
    whole = client.get("/api/network/metrics?limit=1000").json()
    page = client.get("/api/network/metrics?limit=5&offset=2").json()
    assert page["count"] == whole["count"] and page["data"] == whole["data"][2:7]
    kr = next(r for r in whole["data"] if r["id"] == "RU-KR")
    assert kr["degree_by_level"]["international"] >= 1
    karelia = client.get("/api/network/actorness?region=RU-KR").json()["data"]
    assert {r["region"] for r in karelia} == {"RU-KR"}


def test_blocs_of_a_year_when_an_association_had_one_member(client: TestClient) -> None:
    # In 1985 only one membership tie of assoc-northwest is in force: one member, so the
    # engine's "top member vs the others" ratio is undefined. That must not be a 500.
    body = client.get("/api/network/blocs?year=1985").json()
    assert body["count"] == len(body["data"])


def test_network_graph(client: TestClient) -> None:
    graph = client.get("/api/network/graph?level=cross-border").json()
    assert graph["nodes"] and {e["sublevel"] for e in graph["edges"]} == {"cross-border"}
    assert graph["graph"]["level"] == "cross-border"


@pytest.mark.parametrize(("query", "field"), [
    ("metrics?level=bogus", "level"), ("graph?level=bogus", "level"), ("blocs?year=x", "year"),
    ("metrics?year=0", "year"), ("metrics?limit=0", "limit"),
    ("actorness?region=RU-NOPE", "region")])
def test_bad_network_queries_are_422(client: TestClient, query: str, field: str | None
                                     ) -> None:
    body = problem(client.get(f"/api/network/{query}"), 422)
    if field is not None:
        assert body["field"] == field


# --- fiscal -----------------------------------------------------------------------------------


def test_a_fiscal_run(client: TestClient) -> None:
    response = client.post("/api/fiscal/runs", json={"year": 1999})
    assert response.status_code == 200
    run = response.json()
    assert run["count"] == len(run["data"]) == 89 and run["illustrative"] is True
    assert run["scenario"] is None and run["rules"]["equalization"] == "two_stage"
    total = sum(r["transfers"] for r in run["data"])
    assert total == pytest.approx(run["totals"]["fund_distributed"], rel=1e-9)


def test_a_fiscal_run_with_a_scenario_rule_and_overrides(client: TestClient) -> None:
    run = client.post("/api/fiscal/runs", json={
        "year": 1998, "scenario": "collection-collapse-1998", "rule": "operation",
        "equalization": "equal_per_capita",
        "overrides": {"vat.split.federal": {"1998-01-01": 0.5},
                      "vat.split.regional": {"1998-01-01": 0.5}}}).json()
    assert run["rules"]["attribution"] == "operation"
    assert run["rules"]["equalization"] == "equal_per_capita"
    assert run["scenario"].startswith("collection-collapse-1998+rule-operation")
    base = client.post("/api/fiscal/runs", json={"year": 1998}).json()
    assert run["totals"]["tax_collected"] < base["totals"]["tax_collected"]  # 0.7 collection


def test_a_negative_override_is_422_naming_the_path(client: TestClient) -> None:
    body = problem(client.post("/api/fiscal/runs", json={
        "year": 1999, "overrides": {"collection.efficiency": {"1999-01-01": -0.5}}}), 422)
    assert "collection.efficiency" in body["field"] and "collection.efficiency" in body["detail"]


def test_an_unknown_override_path_is_422_naming_it(client: TestClient) -> None:
    body = problem(client.post("/api/fiscal/runs", json={
        "year": 1999, "overrides": {"vat.split.regionl": {"1999-01-01": 0.2}}}), 422)
    assert body["value"] == "vat.split.regionl" and "vat.split.regional" in body["hint"]


@pytest.mark.parametrize(("body", "field"), [
    ({"year": 1999, "scenario": "collection-collapse"}, "scenario"),
    ({"year": 1999, "scenario": "../scenarios/baseline.yaml"}, "scenario"),
    # Named as the body's fields (they were "rules.attribution"/"rules.equalization").
    ({"year": 1999, "rule": "operaton"}, "rule"),
    ({"year": 1999, "equalization": "lottery"}, "equalization"),
    ({"year": 1999, "overrides": {"vat.split.regional": {"1999-02-30": 0.2}}},
     "overrides.vat.split.regional[1999-02-30]"),
    ({"year": 1999, "overrides": {"vat.split": {"1999-01-01": 0.2}}}, "overrides"),
    ({"year": 1999, "overrides": {"vat.split.regional": {"1999-01-01": 0.5}}},
     "vat.split.federal, vat.split.regional"),
    ({"year": 2011}, "year"), ({"scenario": "baseline"}, "year"), ({"year": 1999, "x": 1}, "x"),
    ({"year": 1999, "overrides": {"vat.split.regional": {"1999-01-01": "a lot"}}},
     "overrides.vat.split.regional.1999-01-01"),
])
def test_bad_fiscal_runs_are_422(client: TestClient, body: dict[str, Any], field: str) -> None:
    assert problem(client.post("/api/fiscal/runs", json=body), 422)["field"] == field


def test_a_malformed_body_is_400_as_documented(client: TestClient) -> None:
    response = client.post("/api/fiscal/runs", content=b"{not json",
                           headers={"content-type": "application/json"})
    body = problem(response, 400)
    assert body["field"] == "body" and "not valid JSON at character 1" in body["detail"]
    assert body["type"] == "urn:regionet:problem:malformed-body"


@pytest.mark.parametrize("query, unknown, near", [
    ("/api/ties?actors=RU-KR", "actors", "actor"),
    ("/api/ties?level=bilateral&yaer=1999", "yaer", "year"),
    ("/api/actors?knd=subject", "knd", "kind"),
    ("/api/network/metrics?levle=international", "levle", "level"),
    ("/api/health?verbose=1", "verbose", None),
])
def test_unknown_query_parameters_are_refused(client: TestClient, query: str, unknown: str,
                                              near: str | None) -> None:
    body = problem(client.get(query), 422)
    assert body["field"] == unknown and body["detail"].startswith(f"field '{unknown}'")
    if near is not None:
        assert f"Did you mean {near}" in body["detail"]


def test_head_is_answered_wherever_get_is(client: TestClient) -> None:
    for path in ("/api/health", "/api/ties?limit=3", "/api/geo/neighbours"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"" and head.headers["content-length"] == str(len(got.content))
        assert head.headers["content-type"] == got.headers["content-type"]
    assert client.head("/api/ties/t-nope").status_code == 404
    assert client.post("/api/health").status_code == 405


def test_compare_lists_winners_and_losers(client: TestClient) -> None:
    body = client.get("/api/fiscal/compare?year=1999&a=rule-registration"
                      "&b=tax-at-operation").json()
    assert body["count"] == 89 and body["winners"] + body["losers"] <= 89
    assert body["data"][0]["region"] == "RU-YAN" and body["data"][-1]["region"] == "RU-MOW"
    diffs = [r["difference"] for r in body["data"]]
    assert diffs == sorted(diffs, reverse=True)


@pytest.mark.parametrize(("query", "field"), [
    ("year=1999&a=nope&b=baseline", "a"), ("year=1999&a=baseline&b=nope", "b"),
    ("year=1999&a=baseline&b=baseline&measure=region", "measure"),
    ("year=1991&a=baseline&b=baseline", "year"), ("year=1999&a=baseline", "b"),
])
def test_bad_comparisons_are_422(client: TestClient, query: str, field: str) -> None:
    assert problem(client.get(f"/api/fiscal/compare?{query}"), 422)["field"] == field


def test_a_regions_fiscal_profile(client: TestClient) -> None:
    body = client.get("/api/fiscal/regions/RU-KR").json()
    assert [r["year"] for r in body["data"]] == list(range(1992, 2011))
    assert body["count"] == 19 and body["illustrative"] is True
    crisis = client.get("/api/fiscal/regions/RU-KR?scenario=collection-collapse-1998").json()
    assert crisis["scenario"] == "collection-collapse-1998"
    assert crisis["data"][6] != body["data"][6]  # 1998 differs
    assert crisis["data"][0] == body["data"][0]  # 1992 does not


def test_an_unknown_region_profile_is_404_with_near_ids(client: TestClient) -> None:
    body = problem(client.get("/api/fiscal/regions/RU-KRR"), 404)
    assert body["value"] == "RU-KRR" and "RU-KR" in body["hint"]
    problem(client.get("/api/fiscal/regions/RU-KR?scenario=nope"), 422)


def test_explain_matches_the_run(client: TestClient) -> None:
    body = client.get("/api/fiscal/explain?year=1999&region=RU-KHM&quantity=transfers").json()
    run = client.post("/api/fiscal/runs", json={"year": 1999}).json()
    khm = next(r for r in run["data"] if r["region"] == "RU-KHM")
    assert body["value"] == pytest.approx(khm["transfers"])
    assert body["steps"][-1]["quantity"] == "transfers"


@pytest.mark.parametrize("query", [
    "year=1999&region=RU-NOPE", "year=1999&region=RU-KR&quantity=happiness",
    "year=1999&region=RU-KR&scenario=nope", "year=1999&region=RU-KR&rule=nope", "region=RU-KR",
])
def test_bad_explanations_are_422(client: TestClient, query: str) -> None:
    problem(client.get(f"/api/fiscal/explain?{query}"), 422)


# --- errors in general ------------------------------------------------------------------------


def test_unknown_routes_and_methods_are_problems(client: TestClient) -> None:
    assert problem(client.get("/api/nothing-here"), 404)["type"] == "about:blank"
    problem(client.delete("/api/ties"), 405)


def test_an_unexpected_error_is_a_500_problem_without_a_traceback() -> None:
    app = create_app(None, dashboard=False)

    def boom() -> None:
        raise RuntimeError("secret internals: /etc/shadow")

    app.add_api_route("/api/boom", boom)
    body = problem(TestClient(app, raise_server_exceptions=False).get("/api/boom"), 500)
    assert "secret" not in str(body) and body["type"] == "urn:regionet:problem:internal"


def test_openapi_documents_problems_and_geojson(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "Problem" in schema["components"]["schemas"]
    actor = schema["paths"]["/api/actors/{actor_id}"]["get"]["responses"]
    assert "application/problem+json" in actor["404"]["content"]
    subjects = schema["paths"]["/api/geo/subjects"]["get"]["responses"]
    assert "application/geo+json" in subjects["200"]["content"]
    run = schema["paths"]["/api/fiscal/runs"]["post"]["responses"]
    assert "200" in run and "application/problem+json" in run["422"]["content"]


def test_the_dashboard_can_be_mounted_next_to_the_api() -> None:
    api = TestClient(create_app(None))
    assert api.get("/api/health").status_code == 200
