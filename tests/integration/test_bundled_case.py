"""The bundled russia-1990s case: it loads, round-trips through every store, and is sourced."""

from pathlib import Path

import pytest

from regionet.io.casefiles import load_case
from regionet.io.exports import export_case
from regionet.model.case import Case
from regionet.storage.workspace import Workspace


@pytest.fixture(scope="module")
def case() -> Case:
    return load_case("russia-1990s")


def assert_same_case(a: Case, b: Case) -> None:
    assert a.actors == b.actors
    assert a.ties == b.ties
    assert a.observations == b.observations
    assert a.documents == b.documents
    assert a.attributes == b.attributes
    assert a.adjacency == b.adjacency
    assert list(a.rates) == list(b.rates)


def test_counts(case):
    s = case.summary()
    assert s["actors.subject"] == 89 and s["actors.centre"] == 1
    assert s["actors.association"] == 8
    for level in ("bilateral", "subnational", "international.cross-border",
                  "international.trans-regional", "vertical", "external"):
        assert s[f"ties.{level}"] > 0, level


def test_every_subject_has_capital_coordinates_and_borders_data(case):
    for subject in case.members():
        attrs = subject.attributes
        assert -90 < attrs["capital_lat"] < 90 and -180 <= attrs["capital_lon"] <= 180
        assert attrs["successor_2008"]
        assert "land_border_states" in attrs


def test_historical_codes_and_validity(case):
    for code in ("RU-AGB", "RU-KOP", "RU-KOR", "RU-TAY", "RU-UOB", "RU-EVE", "RU-CHI",
                 "RU-KAM", "RU-PER"):
        actor = case.actor(code)
        assert actor.validity.end is not None, code


def test_every_record_is_sourced_with_existing_documents(case):
    records = [*case.actors.values(), *case.ties.values(), *case.observations.values(),
               *case.attributes]
    for r in records:
        assert r.sources, r
        assert all(s.document in case.documents and s.locator for s in r.sources), r


def test_csv_export_round_trips(case, tmp_path: Path):
    export_case(case, "csv", tmp_path)
    assert_same_case(load_case(tmp_path), case)


def test_workspace_round_trips(case, workspace_url: str):
    ws = Workspace(workspace_url)
    ws.init(case)
    assert_same_case(ws.load_case(), case)
