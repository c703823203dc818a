import pytest

from regionet.core.errors import InvalidValueError, UnknownReferenceError, ValidationError
from regionet.engines.dynamics.parameters import markdown_table, parse_parameters
from regionet.engines.dynamics.scenarios import scenario_from_mapping
from regionet.engines.dynamics.testing import NEUTRAL, neutral_parameters
from regionet.io.dynamics_files import list_scenarios, read_parameters, read_scenario


def leaf(**kw):
    return {"description": "d", "unit": "/1", "status": "assumed", "note": "n", **kw}


def test_series_interpolate_and_hold():
    p = parse_parameters({"s": leaf(by_year={1991: 1.0, 1995: 0.6, 1998: 0.9})})
    assert [p.at("s", y) for y in (1990, 1991, 1993, 1995, 1997, 2005)] == pytest.approx(
        [1.0, 1.0, 0.8, 0.6, 0.8, 0.9])
    with pytest.raises(UnknownReferenceError, match="series"):
        p.value("s")


@pytest.mark.parametrize(("entry", "field"), [
    ({"value": 1, "status": "sourced", "description": "d"}, "x.reference"),
    ({"value": 1, "status": "assumed", "description": "d"}, "x.note"),
    ({"value": 1, "status": "calibrated", "description": "d", "reference": "r"}, "x.bounds"),
    ({"value": 2, "status": "calibrated", "description": "d", "reference": "r",
      "bounds": [0, 1]}, "x.bounds"),
    ({"value": 1, "by_year": {1991: 1}, **leaf()}, "x"),
    ({"value": "high", **leaf()}, "x.value"),
    ({"by_year": {"soon": 1}, **leaf()}, "x.by_year"),
    ({"value": 1, "colour": "red", **leaf()}, "x"),
])
def test_each_bad_leaf_names_its_field(entry, field):
    with pytest.raises(InvalidValueError) as err:
        parse_parameters({"x": entry}, "params.yaml")
    assert err.value.field == field and err.value.file == "params.yaml"


def test_all_problems_at_once():
    with pytest.raises(ValidationError) as err:
        parse_parameters({"a": leaf(value="x"), "b": {"status": "guess", "value": 1}})
    assert len(err.value.errors) >= 3


def test_groups_and_node_names_are_walked_as_the_law_files_are():
    """The walk is the law schema's (walk_tree): group descriptions, names, non-mappings."""
    p = parse_parameters({"centre": {"description": "The centre", "k": leaf(value=1)}})
    assert p.paths() == ["centre.k"] and p._groups == {"centre": "The centre"}
    with pytest.raises(ValidationError) as err:
        parse_parameters({"Centre": {"k": leaf(value=1)}, "ties": 3,
                          "treaty": {"rate": leaf(value=1), "2nd": {}}}, "p.yaml")
    got = [(e.message, e.field, e.value) for e in err.value.errors]
    assert len(got) == 3 and set(got) == {("bad node name", None, "Centre"),
                                          ("bad node name", "treaty", "2nd"),
                                          ("not a mapping", "ties", None)}


def test_with_values_copies_and_relabels():
    p = neutral_parameters()
    q = p.with_values({"treaty.rate": 0.5}, status="calibrated", reference="fit")
    assert q.value("treaty.rate") == 0.5 and p.value("treaty.rate") == NEUTRAL["treaty.rate"]
    assert q.leaf("treaty.rate").status == "calibrated"
    with pytest.raises(UnknownReferenceError, match=r"Did you mean treaty\.rate"):
        p.with_values({"treaty.rat": 1.0})


def test_case_parameters_have_a_status_and_cover_the_model():
    params = read_parameters()
    assert set(NEUTRAL) == set(params.paths())
    statuses = {leaf.path: leaf.status for leaf in params.leaves()}
    assert statuses["ratchet.offset"] == "sourced"
    assert {p for p, s in statuses.items() if s == "calibrated"} == {
        "treaty.rate", "treaty.election_boost", "ties.international.rate"}
    table = markdown_table(params)
    assert table.count("\n") == len(statuses) + 1 and "| `ratchet.offset` |" in table


def test_bundled_scenarios():
    params = read_parameters()
    assert list_scenarios() == ["as-described", "closed-borders", "no-treaties",
                                "strong-centre", "tax-at-operation"]
    strong = read_scenario("strong-centre", params)
    applied = strong.apply(params)
    assert applied.at("centre.resolve", 1995) == 1.0 and params.at("centre.resolve", 1995) < 1
    assert applied.leaf("centre.resolve").status == "assumed"
    assert read_scenario("tax-at-operation", params).fiscal_scenario == "tax-at-operation"
    with pytest.raises(UnknownReferenceError, match="strong-centre"):
        read_scenario("strong-center", params)


def test_scenario_errors_collected():
    params = neutral_parameters()
    with pytest.raises(ValidationError) as err:
        scenario_from_mapping({"name": "", "colour": 1, "overrides": {"nope": 1}}, params,
                              source="s.yaml")
    fields = {e.field for e in err.value.errors}
    assert {"name", "description", "colour", "overrides"} <= fields


def test_docs_show_the_parameters_as_they_are():
    from pathlib import Path

    docs = (Path(__file__).parents[3] / "docs" / "dynamics.md").read_text(encoding="utf-8")
    assert markdown_table(read_parameters()) in docs
