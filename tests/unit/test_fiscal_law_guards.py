"""Guards for ``engines/fiscal/law`` written from the mutants mutmut found alive (docs/testing.md).

The messages of a parameter without a value (before its first date, or null since a date,
with or without a note) were only matched in part; ``YearParameters`` (the per-year resolver
of the public ``regionet.engines.fiscal.law`` API) had no test besides its doctest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

import regionet.cases
from regionet.core.errors import (
    DataFileError,
    InvalidValueError,
    RegionetError,
    UnknownReferenceError,
    ValidationError,
)
from regionet.engines.fiscal.law import (
    ParameterTree,
    YearParameters,
    load_parameters,
    markdown_table,
)
from regionet.engines.fiscal.law.annual import annual_average, in_force
from regionet.engines.fiscal.law.files import parse_parameters, read_yaml
from regionet.engines.fiscal.law.scenarios import load_scenario, scenario_from_mapping
from regionet.engines.fiscal.law.values import format_value

PARAMETERS = Path(regionet.cases.__file__).parent / "russia_1990s" / "parameters"


def _tree() -> ParameterTree:
    """One parameter from 1999-04-01, null from 2001 (no note) and again from 2003 (a note)."""
    return ParameterTree.from_mapping({"x": {"description": "x", "unit": "/1", "values": {
        "1999-04-01": {"value": 0.2, "reference": "L1", "status": "verified"},
        "2000-01-01": {"value": 0.4, "reference": "L2", "status": "assumed", "note": "n2"},
        "2001-01-01": {"value": None, "reference": "L3", "status": "verified"},
        "2002-01-01": {"value": 0.5, "reference": "L4", "status": "verified"},
        "2003-01-01": {"value": None, "reference": "L5", "status": "verified",
                       "note": "repealed"}}}})


def test_no_value_before_the_first_date_names_the_first_date() -> None:
    with pytest.raises(UnknownReferenceError) as info:
        load_parameters(PARAMETERS).get("mineral_extraction_tax.hydrocarbons.split.federal",
                                        "2001-12-31")
    err = info.value
    assert (err.message, err.field, err.expected, err.hint) == (
        "parameter has no value on 2001-12-31",
        "mineral_extraction_tax.hydrocarbons.split.federal", "a date on or after 2002-01-01",
        None)
    assert err.file == str(PARAMETERS.resolve() / "mineral_extraction_tax.yaml")
    with pytest.raises(UnknownReferenceError) as traced:
        _tree().trace("x", "1999-03-31")
    assert (traced.value.message, traced.value.field, traced.value.expected) == (
        "parameter has no value on 1999-03-31", "x", "a date on or after 1999-04-01")


def test_a_null_value_says_since_when_and_its_note_if_any() -> None:
    tree = _tree()
    with pytest.raises(UnknownReferenceError) as plain:
        tree.get("x", "2001-06-30")
    assert (plain.value.message, plain.value.field, plain.value.expected, plain.value.hint) == (
        "parameter has no value on 2001-06-30: null since 2001-01-01", "x", None,
        "Pass default= to get() for a fallback.")
    assert plain.value.file == "<mapping>"
    with pytest.raises(UnknownReferenceError) as noted:
        tree.get("x", "2004-01-01")
    assert noted.value.message == ("parameter has no value on 2004-01-01: null since "
                                   "2003-01-01 (repealed)")
    assert tree.get("x", "2004-01-01", 0.9) == 0.9


def test_views_show_their_group_and_date() -> None:
    view = _tree().at("2000-02-01")
    assert repr(view) == "ParameterView('<root>' on 2000-02-01)"
    tree = load_parameters(PARAMETERS)
    assert repr(tree.at(date(1999, 6, 1)).node("profit_tax")) == (
        "ParameterView('profit_tax' on 1999-06-01)")


def test_year_parameters_average_over_the_year_and_record_what_was_used() -> None:
    p = YearParameters(_tree(), 1999)
    # 0 from the default for 90 days, then 0.2 for 275 days
    assert p.number("x", default=0.0) == pytest.approx(0.2 * 275 / 365, rel=1e-15)
    assert [(pc.since, pc.until, pc.value, pc.reference, pc.status)
            for pc in p.used["x"].pieces] == [
        (date(1999, 1, 1), date(1999, 3, 31), 0.0, "engine default, documented in docs/fiscal.md",
         "assumed"),
        (date(1999, 4, 1), date(1999, 12, 31), 0.2, "L1", "verified")]
    with pytest.raises(UnknownReferenceError, match="no value on 1999-01-01, needed for 1999"):
        YearParameters(_tree(), 1999).number("x")


def test_year_parameters_name_is_the_value_in_force_on_1_july() -> None:
    tree = load_parameters(PARAMETERS)
    p = YearParameters(tree, 1999)
    assert p.name("equalization.method") == "two_stage"
    assert YearParameters(tree, 1998).name("equalization.method") == "gap_filling"
    assert p.used["equalization.method"].value == "two_stage"
    assert p.name("profit_tax.special_sectors.rate.total", default="none") == "0.38"
    assert YearParameters(tree, 2005).name("profit_tax.special_sectors.rate.total",
                                           default="none") == "none"
    assert sorted(p.used) == ["equalization.method", "profit_tax.special_sectors.rate.total"]


def test_year_parameters_optional_is_none_in_a_year_with_a_gap() -> None:
    tree = _tree()
    full = YearParameters(tree, 2000)
    assert full.optional("x") == 0.4
    assert full.optional("x", average=False) == 0.4
    assert full.used["x"].pieces[0].note == "n2"
    assert full.used["x"].convention == "in force on 1 July"  # the last call's
    gap = YearParameters(tree, 1999)  # no value before 1 April
    assert gap.optional("x") is None
    assert gap.optional("x", average=False) == 0.2  # in force on 1 July
    assert list(gap.used) == ["x"]
    null = YearParameters(tree, 2001)  # null all year
    assert null.optional("x") is None and null.optional("x", average=False) is None
    assert null.used == {}
    with pytest.raises(UnknownReferenceError, match="unknown parameter"):
        null.optional("y")
    changed = YearParameters(tree, 2002)  # 0.5 all year, exactly
    assert changed.optional("x") == 0.5


def test_a_view_refuses_a_wrong_type_and_an_unknown_group_exactly() -> None:
    view = load_parameters(PARAMETERS).at("1999-06-01").node("profit_tax")
    with pytest.raises(InvalidValueError) as info:
        view.text("rate.federal")
    err = info.value
    assert (err.message, err.field, err.value, err.expected) == (
        "parameter holds a number", "profit_tax.rate.federal", 0.11, "a name parameter")
    root = load_parameters(PARAMETERS).at("1999-06-01")
    with pytest.raises(InvalidValueError) as name:
        root.node("equalization").number("method")
    assert (name.value.message, name.value.field, name.value.value, name.value.expected) == (
        "parameter holds a name", "equalization.method", "two_stage", "a numeric parameter")
    with pytest.raises(UnknownReferenceError) as unknown:
        view.node("rat")
    assert (unknown.value.message, unknown.value.value) == ("unknown parameter",
                                                            "profit_tax.rat")
    values = view.to_dict()
    assert values["profit_tax.rate.federal"] == 0.11
    assert sorted(values) == load_parameters(PARAMETERS).paths("profit_tax")
    assert all(p.startswith("profit_tax.") for p in values)


def test_a_view_s_private_names_are_not_parameters() -> None:
    view = load_parameters(PARAMETERS).at("1999-06-01")
    with pytest.raises(AttributeError) as info:
        _ = view._rate
    assert info.value.args == ("_rate",)


def test_the_markdown_table_keeps_each_value_on_one_row() -> None:
    tree = ParameterTree.from_mapping({"r": {"description": "A rate\nin two lines", "unit": "/1",
        "values": {"2002-01-01": {"value": 1e-20, "reference": "L | M", "status": "assumed",
                                  "note": "first\nsecond"}}}})
    assert markdown_table(tree).splitlines()[2] == (
        "| `r` | A rate in two lines | /1 | [0, 1] | 2002-01-01 | 1e-20 | assumed | L \\| M "
        "| first second |")
    assert format_value(1e16) == "1e+16"


# --- from the random sample of schema.py, files.py, scenarios.py and annual.py --------------
# (``scripts/mutation.py --sample 60 --seed 3 --within …`` in docs/testing.md): every problem
# of a parameter file or a scenario with its exact message, field, value, expected and hint

def _problems(build: Callable[[], object]) -> list[tuple[object, ...]]:
    with pytest.raises(RegionetError) as info:
        build()
    errors = info.value.errors if isinstance(info.value, ValidationError) else [info.value]
    return [(e.message, e.field, e.value, e.expected, e.hint) for e in errors]


def _leaf(**changes: object) -> dict[str, object]:
    leaf: dict[str, object] = {"description": "x", "unit": "/1", "values": {
        "1999-01-01": {"value": 0.2, "reference": "L1", "status": "verified"}}}
    leaf.update(changes)
    return leaf


def _tree_of(leaf: dict[str, object]) -> Callable[[], object]:
    return lambda: ParameterTree.from_mapping({"g": {"x": leaf}})


def test_a_leaf_s_problems_exactly() -> None:
    # "bounts" is close to bounds and unit: the hint names the nearest one only
    assert _problems(_tree_of(_leaf(bounts=[0, 1]))) == [
        ("unknown key", "g.x", "bounts", "one of description, unit, bounds, rule_kind, values",
         "Did you mean bounds?")]
    assert _problems(_tree_of(_leaf(description=" "))) == [
        ("missing description", "g.x.description", " ", "a non-empty text", None)]
    assert _problems(_tree_of(_leaf(unit=5, bounds=[0, 1]))) == [
        ("bad unit", "g.x.unit", 5, "a text", None)]
    mixed = {"1999-01-01": {"value": 0.2, "reference": "L1", "status": "verified"},
             "2000-01-01": {"value": "a", "reference": "L2", "status": "verified"}}
    assert _problems(_tree_of(_leaf(values=mixed, bounds=[0, 1]))) == [
        ("mixes numbers and names", "g.x.values", None, "all values numbers or all values names",
         None),
        ("bounds on a parameter that holds names", "g.x.bounds", [0, 1],
         "no bounds (names have none)", None)]
    assert _problems(_tree_of(_leaf(unit=None, bounds=[0, 1]))) == [
        ("a numeric parameter needs a unit", "g.x.unit", None,
         "e.g. '/1', 'share' or 'currency-RUB'", None)]
    assert _problems(_tree_of(_leaf(values={"1999-01-01": 5}))) == [
        ("bad entry", "g.x.values[1999-01-01]", 5, "a mapping with value, reference, status",
         None)]


def test_a_leaf_s_bounds_problems_exactly() -> None:
    names = {"1999-01-01": {"value": "a", "reference": "L1", "status": "verified"}}
    assert _problems(_tree_of(_leaf(unit=None, values=names, bounds=[0, 1]))) == [
        ("bounds on a parameter that holds names", "g.x.bounds", [0, 1],
         "no bounds (names have none)", None)]
    assert _problems(_tree_of(_leaf(bounds=[1]))) == [
        ("bad bounds", "g.x.bounds", [1],
         "[low, high]: two finite numbers or null (no limit), e.g. [0, 1]", None)]
    assert _problems(_tree_of(_leaf(bounds=[2, 1]))) == [
        ("bounds in the wrong order", "g.x.bounds", [2, 1], "low <= high", None)]


def test_a_parameter_directory_s_problems_exactly(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _problems(lambda: parse_parameters(empty)) == [
        ("no parameter files", None, None, "*.yaml files", None)]
    # a/b.yaml defines a.b first (paths sort by their parts), then a.yaml's tree reaches it
    root = tmp_path / "law"
    (root / "a").mkdir(parents=True)
    leaf = ("description: x\nunit: /1\nvalues:\n"
            "  1999-01-01: {value: 0.2, reference: L, status: verified}\n")
    (root / "a" / "b.yaml").write_text(leaf, encoding="utf-8")
    (root / "a.yaml").write_text("b:\n" + "".join(f"  {line}\n" for line in leaf.splitlines())
                                 + "Bad:\n  description: y\n", encoding="utf-8")
    assert _problems(lambda: parse_parameters(root)) == [
        ("parameter defined twice", "a.b", None, None, None),
        ("bad node name", "a", "Bad", "a snake_case name ([a-z][a-z0-9_]*)", None)]


def test_a_parameter_file_under_a_parameter_s_name_is_refused(tmp_path: Path) -> None:
    # a/b/c.yaml is the parameter a.b.c; a/b/c/d.yaml would put a.b.c.d under it (and
    # a/b/c/e.yaml a.b.c.e): each child is refused, naming its own file and the parent's
    leaf = ("description: x\nunit: /1\nvalues:\n"
            "  1999-01-01: {value: 0.2, reference: L, status: verified}\n")
    root = tmp_path / "law"
    (root / "a" / "b" / "c").mkdir(parents=True)
    for name in ("a/b/c.yaml", "a/b/c/d.yaml", "a/b/c/e.yaml", "a/b/f.yaml"):
        (root / name).write_text(leaf, encoding="utf-8")
    expected = (f"a name that is not under the parameter a.b.c "
                f"(defined in {root / 'a' / 'b' / 'c.yaml'})")
    with pytest.raises(ValidationError) as info:
        parse_parameters(root)
    assert [(e.message, e.file, e.field, e.expected) for e in info.value.errors] == [
        ("a parameter cannot hold other parameters", str(root / "a/b/c/d.yaml"), "a.b.c.d",
         expected),
        ("a parameter cannot hold other parameters", str(root / "a/b/c/e.yaml"), "a.b.c.e",
         expected)]
    # without the parameter a.b.c, a/b/c/ is a group: the same files load
    (root / "a" / "b" / "c.yaml").unlink()
    assert parse_parameters(root).paths() == ["a.b.c.d", "a.b.c.e", "a.b.f"]


def test_a_yaml_file_that_is_not_utf8_is_refused_without_a_line(tmp_path: Path) -> None:
    # a decoding error (a ValueError) has no problem_mark: the message has no line
    path = tmp_path / "x.yaml"
    path.write_bytes(b"x: \xff\n")
    with pytest.raises(DataFileError) as info:
        read_yaml(path)
    assert info.value.message.startswith("not valid YAML: 'utf-8' codec can't decode")
    assert (info.value.file, info.value.expected) == (str(path), "a YAML mapping")


def test_a_scenario_s_problems_exactly() -> None:
    tree = load_parameters(PARAMETERS)
    rules = {"attribution": ("registration", "art288")}

    def scenario(**data: object) -> Callable[[], object]:
        return lambda: scenario_from_mapping({"name": "s", "description": "d", **data}, tree,
                                             rule_names=rules)

    assert _problems(scenario(rules=["attribution"])) == [
        ("not a mapping", "rules", None, "{kind: name}, e.g. {attribution: operation}", None)]
    assert _problems(lambda: scenario_from_mapping(
        {"name": "s", "description": "d", "rules": {"attribution": "art288"}}, tree)) == [
        ("unknown rule kind", "rules", "attribution",
         "one of none (the caller accepts no rules)", None)]
    assert _problems(scenario(overrides={"equalization.method": {}})) == [
        ("no dated values", "overrides.equalization.method", {}, "a mapping {date: value}",
         None)]
    assert _problems(scenario(overrides={"attribution.profit_tax.rule": {
        "1999-01-01": {"valeu": "art288"}}})) == [
        ("unknown key", "overrides.attribution.profit_tax.rule[1999-01-01]", "valeu",
         "one of value, reference, status, note", "Did you mean value?"),
        ("not a name", "overrides.attribution.profit_tax.rule[1999-01-01].value", None,
         "a name (text)", None)]
    assert _problems(scenario(overrides={"attribution.profit_tax.rule": {
        "1999-01-01": "art289"}})) == [
        ("unknown attribution rule", "overrides.attribution.profit_tax.rule[1999-01-01].value",
         "art289", "one of art288, registration", "Did you mean art288?")]
    with pytest.raises(InvalidValueError) as info:
        load_scenario("reform", tree)
    assert (info.value.message, info.value.value, info.value.expected) == (
        "a scenario name needs the directory to look in", "reform",
        "a path to a .yaml file, or directory=")


def test_an_annual_average_keeps_each_piece_s_note() -> None:
    tree = ParameterTree.from_mapping({"x": {"description": "x", "unit": "/1", "values": {
        "1999-01-01": {"value": 0.2, "reference": "L1", "status": "verified", "note": "first"},
        "1999-07-01": {"value": 0.4, "reference": "L2", "status": "assumed", "note": "second"}}}})
    got = annual_average(tree, "x", 1999)
    assert [(p.value, p.reference, p.status, p.note) for p in got.pieces] == [
        (0.2, "L1", "verified", "first"), (0.4, "L2", "assumed", "second")]


# --- from the fresh random sample of law/ (``--sample 40 --seed 23 fiscal-law``) -------------

def test_a_file_repeating_a_parameter_or_group_is_refused_once(tmp_path: Path) -> None:
    # a/b.yaml and a/b.yml both define a.b; the second is refused as a whole whether a.b is a
    # parameter (already a leaf) or a group (already a group: its parameter d is refused too)
    leaf = ("description: x\nunit: /1\nvalues:\n"
            "  1999-01-01: {value: 0.2, reference: L, status: verified}\n")
    group = "description: g\nd:\n" + "".join(f"  {line}\n" for line in leaf.splitlines())
    for name, text, expected in (
            ("leaf", leaf, [("parameter defined twice", "a.b", None, None, None)]),
            ("group", group, [("parameter defined twice", "a.b", None, None, None),
                              ("parameter defined twice", "a.b.d", None, None, None)])):
        root = tmp_path / name / "law"
        (root / "a").mkdir(parents=True)
        (root / "a" / "b.yaml").write_text(text, encoding="utf-8")
        (root / "a" / "b.yml").write_text(text, encoding="utf-8")
        assert _problems(lambda root=root: parse_parameters(root)) == expected
        with pytest.raises(RegionetError) as info:
            parse_parameters(root)
        errors = info.value.errors if isinstance(info.value, ValidationError) else [info.value]
        assert {e.file for e in errors} == {str(root / "a" / "b.yml")}


def test_the_parameters_problems_are_listed_under_their_name() -> None:
    with pytest.raises(ValidationError) as info:
        ParameterTree.from_mapping({"g": {"x": _leaf(description=" "), "y": _leaf(description="")}})
    assert info.value.message.startswith("2 problem(s) in the parameters; nothing was loaded")


def test_a_value_that_is_not_finite_names_its_entry() -> None:
    got = _problems(_tree_of(_leaf(values={"1999-01-01": {
        "value": float("inf"), "reference": "L1", "status": "verified"}})))
    assert got[0] == ("not a finite number", "g.x.values[1999-01-01].value", float("inf"),
                      "a finite number", None)


def test_an_annual_value_missing_names_the_year_it_was_needed_for() -> None:
    with pytest.raises(UnknownReferenceError) as info:
        annual_average(_tree(), "x", 2001)
    assert info.value.message == "parameter has no value on 2001-01-01, needed for 2001"
    assert (info.value.field, info.value.file) == ("x", "<mapping>")
    with pytest.raises(UnknownReferenceError) as july:
        in_force(_tree(), "x", 2001)
    assert july.value.message == "parameter has no value on 2001-07-01, needed for 2001"


def test_a_scenario_s_top_key_and_rules_problems_exactly() -> None:
    tree = load_parameters(PARAMETERS)
    rules = {"attribution": ("registration", "art288"), "equalization": ("none", "gap")}
    assert _problems(lambda: scenario_from_mapping(
        {"name": "s", "description": "d", "rulez": {}}, tree, rule_names=rules)) == [
        ("unknown key", "rulez", "rulez", "one of name, description, overrides, rules",
         "Did you mean rules?")]
    assert _problems(lambda: scenario_from_mapping(
        {"name": "s", "description": "d", "rules": {"atribution": "art288"}}, tree,
        rule_names=rules)) == [
        ("unknown rule kind", "rules", "atribution", "one of attribution, equalization",
         "Did you mean attribution?")]
    assert _problems(lambda: scenario_from_mapping(
        {"name": "s", "description": "d", "rules": {"attribution": 5}}, tree,
        rule_names=rules)) == [("not a name", "rules.attribution", 5, "a rule name (text)", None)]
