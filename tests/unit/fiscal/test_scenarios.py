"""Scenarios: validated overrides and rule choices, applied copy-on-write."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import regionet.cases
from regionet.core.errors import (
    DataFileError,
    InvalidValueError,
    RegionetError,
    UnknownReferenceError,
    ValidationError,
)
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import (
    Scenario,
    apply,
    list_scenarios,
    load_scenario,
    scenario_from_mapping,
)

CASE = Path(regionet.cases.__file__).parent / "russia_1990s"
SCENARIOS = CASE / "scenarios"
RULES = {
    "attribution": ("registration", "operation", "art288", "art288_1995", "uditpa",
                    "uditpa_double_sales", "uditpa_single_sales", "ccctb", "canada"),
    "equalization": ("two_stage", "gap_filling", "equal_per_capita", "none"),
}
EXPECTED = {"baseline", "tax-at-operation", "collection-collapse-1998", "rule-registration",
            "rule-operation", "rule-art288", "rule-art288-1995", "rule-uditpa", "rule-ccctb",
            "rule-canada"}


@pytest.fixture(scope="module")
def tree() -> ParameterTree:
    return load_parameters(CASE / "parameters")


def snapshot(tree: ParameterTree) -> dict[str, Any]:
    return {p: tree.parameter(p).values for p in tree.paths()}


def scenario(tree: ParameterTree, **data: Any) -> Scenario:
    return scenario_from_mapping({"name": "t", "description": "test", **data}, tree,
                                 rule_names=RULES, source="t.yaml")


def test_bundled_scenarios_load_and_apply(tree: ParameterTree) -> None:
    assert set(list_scenarios(SCENARIOS)) >= EXPECTED
    before = snapshot(tree)
    for name in list_scenarios(SCENARIOS):
        s = load_scenario(name, tree, directory=SCENARIOS, rule_names=RULES)
        assert s.name == name and s.description
        apply(tree, s)
    assert snapshot(tree) == before


def test_empty_scenario_equals_baseline(tree: ParameterTree) -> None:
    s = load_scenario(SCENARIOS / "baseline.yaml", tree, rule_names=RULES)
    assert s.is_empty
    assert apply(tree, s) == tree
    assert apply(tree, Scenario("empty", "nothing")) == tree


@pytest.mark.parametrize(("name", "rule"), [
    ("rule-registration", "registration"), ("rule-operation", "operation"),
    ("rule-art288", "art288"), ("rule-art288-1995", "art288_1995"), ("rule-uditpa", "uditpa"),
    ("rule-ccctb", "ccctb"), ("rule-canada", "canada"), ("tax-at-operation", "operation"),
])
def test_rule_scenarios_set_the_rule_for_every_year(tree: ParameterTree, name: str,
                                                    rule: str) -> None:
    reformed = apply(tree, load_scenario(name, tree, directory=SCENARIOS, rule_names=RULES))
    for year in range(1992, 2011):
        assert reformed.get("attribution.profit_tax.rule", date(year, 7, 1)) == rule
    assert name in reformed.trace("attribution.profit_tax.rule", "2000").reference
    assert reformed.get("equalization.method", "2000") == tree.get("equalization.method", "2000")


def test_collection_collapse_is_labelled_and_bounded(tree: ParameterTree) -> None:
    s = load_scenario("collection-collapse-1998", tree, directory=SCENARIOS, rule_names=RULES)
    assert "illustrative" in s.description.lower()
    reformed = apply(tree, s)
    assert reformed.get("collection.efficiency", "1997-12-31") == 1.0
    assert reformed.at("1998-06-01").number("collection.efficiency") < 1.0
    assert reformed.get("collection.efficiency", "2005") == 1.0
    assert reformed.trace("collection.efficiency", "1998").status == "assumed"
    assert tree.get("collection.efficiency", "1998-06-01") == 1.0


def test_override_takes_over_from_its_first_date(tree: ParameterTree) -> None:
    reformed = apply(tree, scenario(tree, overrides={"vat.split.regional": {"1999-01-01": 0.25}}))
    assert reformed.get("vat.split.regional", "1998") == 0.25  # baseline before
    assert reformed.get("vat.split.regional", "2005") == 0.25  # baseline 2001 value dropped
    trace = reformed.trace("vat.split.regional", "2005")
    assert (trace.status, trace.reference) == ("assumed", "scenario 't'")


def test_full_entry_form_keeps_its_reference(tree: ParameterTree) -> None:
    entry = {"value": 0.5, "reference": "Draft law X", "status": "partial", "note": "n"}
    reformed = apply(tree, scenario(tree, overrides={"vat.split.regional": {"2001": entry}}))
    trace = reformed.trace("vat.split.regional", "2003")
    assert (trace.value, trace.reference, trace.status, trace.note) == (0.5, "Draft law X",
                                                                        "partial", "n")


@given(value=st.floats(0, 1, allow_nan=False), year=st.integers(1992, 2010))
def test_random_overrides_round_trip(value: float, year: int) -> None:
    base = load_parameters(CASE / "parameters")
    before = snapshot(base)
    s = scenario(base, overrides={"collection.efficiency": {f"{year}-01-01": value}})
    reformed = apply(base, s)
    assert reformed.get("collection.efficiency", date(year, 1, 1)) == value
    assert reformed.get("collection.efficiency", date(2010, 12, 31)) == value
    if year > 1992:
        assert reformed.get("collection.efficiency", date(year - 1, 12, 31)) == 1.0
    assert snapshot(base) == before


@pytest.mark.parametrize(("data", "error", "fragments"), [
    ({"overrides": {"profit_tax.rate.fedral": {"2000": 0.1}}}, UnknownReferenceError,
     ["unknown parameter", "Did you mean profit_tax.rate.federal"]),
    ({"overrides": {"profit_tax.rate": {"2000": 0.1}}}, UnknownReferenceError,
     ["group of parameters"]),
    ({"overrides": {"profit_tax.rate.federal": {"2000-02-30": 0.1}}}, InvalidValueError,
     ["overrides.profit_tax.rate.federal[2000-02-30]", "bad date"]),
    ({"overrides": {"profit_tax.rate.federal": {"2000": "high"}}}, InvalidValueError,
     ["not a number", "'high'"]),
    ({"overrides": {"profit_tax.rate.federal": {"2000": True}}}, InvalidValueError,
     ["not a number"]),
    ({"overrides": {"profit_tax.rate.federal": {"2000": None}}}, InvalidValueError,
     ["not a number"]),
    ({"overrides": {"equalization.method": {"2000": 3}}}, InvalidValueError, ["not a name"]),
    ({"overrides": {"equalization.method": {"2000": "two-stage"}}}, UnknownReferenceError,
     ["unknown equalization rule", "Did you mean two_stage"]),
    ({"overrides": {"vat.split.regional": {"2000": {"value": 0.1, "status": "sure"}}}},
     InvalidValueError, ["bad status"]),
    ({"overrides": {"vat.split.regional": {}}}, InvalidValueError, ["no dated values"]),
    ({"rules": {"attribution": "udtipa"}}, UnknownReferenceError,
     ["unknown attribution rule", "Did you mean uditpa"]),
    ({"rules": {"atribution": "uditpa"}}, UnknownReferenceError,
     ["unknown rule kind", "Did you mean attribution"]),
    ({"overide": {}}, InvalidValueError, ["unknown key", "Did you mean overrides"]),
    ({"description": ""}, InvalidValueError, ["missing description"]),
    ({"rules": {"attribution": "uditpa"},
      "overrides": {"attribution.profit_tax.rule": {"2000": "operation"}}},
     InvalidValueError, ["set both by rules.attribution and by overrides"]),
])
def test_invalid_scenarios_fail_loudly(tree: ParameterTree, data: dict[str, Any],
                                       error: type[RegionetError], fragments: list[str]) -> None:
    with pytest.raises(error) as info:
        scenario(tree, **data)
    message = str(info.value)
    assert "t.yaml" in message
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(("raw", "shown", "hint"), [
    (7, "7", "Rates and shares are fractions: if you meant 7 %, write 0.07."),
    (-0.5, "-0.5", None), (1.5, "1.5", None),
    ("1e300", "1e300", None),  # text for YAML 1.1, a number for the scenario
    (1e308, "1e+308", None)])
def test_overrides_outside_the_bounds_name_path_date_and_range(
        tree: ParameterTree, raw: object, shown: str, hint: str | None) -> None:
    with pytest.raises(InvalidValueError) as info:
        scenario(tree, overrides={"collection.efficiency": {"1999-01-01": raw}})
    err = info.value
    assert (err.file, err.field, str(err.value)) == (
        "t.yaml", "overrides.collection.efficiency[1999-01-01].value", shown)
    assert err.message == "outside the allowed range [0, 1] of collection.efficiency"
    assert err.expected == "a finite number in [0, 1] (/1, declared in collection.yaml)"
    assert err.hint == hint


def test_numbers_written_as_text_are_numbers_within_the_bounds(tree: ParameterTree) -> None:
    s = scenario(tree, overrides={"collection.efficiency": {"1999-01-01": "0.7",
                                                            "2000-01-01": "1e0"}})
    assert [v.value for v in s.overrides["collection.efficiency"]] == [0.7, 1.0]
    for text in ("nan", "inf", "0,7"):
        with pytest.raises(InvalidValueError, match="not a number"):
            scenario(tree, overrides={"collection.efficiency": {"1999-01-01": text}})


def test_a_split_summing_to_one_with_a_negative_share_is_refused(tree: ParameterTree) -> None:
    with pytest.raises(ValidationError) as info:
        scenario(tree, overrides={"vat.split.federal": {"1999-01-01": -0.5},
                                  "vat.split.regional": {"1999-01-01": 1.5}})
    assert [(e.field, e.value) for e in info.value.errors] == [
        ("overrides.vat.split.federal[1999-01-01].value", -0.5),
        ("overrides.vat.split.regional[1999-01-01].value", 1.5)]


def test_rules_need_names_from_the_caller(tree: ParameterTree) -> None:
    with pytest.raises(UnknownReferenceError, match="the caller accepts no rules"):
        scenario_from_mapping({"name": "x", "description": "d",
                               "rules": {"attribution": "operation"}}, tree)


def test_several_problems_are_listed_together(tree: ParameterTree) -> None:
    with pytest.raises(ValidationError) as info:
        scenario(tree, overrides={"nope": {"2000": 1}, "vat.split.regional": {"x": 1}})
    assert len(info.value.errors) == 2


def test_unknown_scenario_name_suggests(tree: ParameterTree) -> None:
    with pytest.raises(UnknownReferenceError, match="Did you mean rule-uditpa"):
        load_scenario("rule-udita", tree, directory=SCENARIOS, rule_names=RULES)
    with pytest.raises(InvalidValueError, match="directory"):
        load_scenario("baseline", tree)


def test_missing_and_broken_files(tree: ParameterTree, tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="not found"):
        load_scenario(tmp_path / "nope.yaml", tree)
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ndescription: [\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"broken\.yaml.*not valid YAML"):
        load_scenario(broken, tree)
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n", encoding="utf-8")
    with pytest.raises(InvalidValueError, match="must be a mapping"):
        load_scenario(listed, tree)


def test_scenario_for_another_tree_fails_on_apply(tree: ParameterTree) -> None:
    s = scenario(tree, overrides={"vat.split.regional": {"2000": 0.2}})
    other = ParameterTree.from_mapping({"x": {"description": "x", "unit": "/1", "values": {
        "2000-01-01": {"value": 1, "reference": "L", "status": "assumed"}}}})
    with pytest.raises(UnknownReferenceError):
        apply(other, s)
