"""Parameter tree: loading, validation, dated lookups, and the Russian law as data."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml
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
from regionet.engines.fiscal.law.files import load_parameters, parse_parameters
from regionet.engines.fiscal.law.parameters import ParameterTree, markdown_table
from regionet.engines.fiscal.law.values import STATUSES, ParameterValue

CASE = Path(regionet.cases.__file__).parent / "russia_1990s"
PARAMETERS = CASE / "parameters"
DOC = Path(__file__).resolve().parents[3] / "docs" / "parameters.md"
ATTRIBUTION_RULES = ("registration", "operation", "art288", "art288_1995", "uditpa",
                     "uditpa_double_sales", "uditpa_single_sales", "ccctb", "canada")
EQUALIZATION_METHODS = ("two_stage", "gap_filling", "equal_per_capita", "none")
YEARS = range(1992, 2011)


@pytest.fixture(scope="module")
def tree() -> ParameterTree:
    return load_parameters(PARAMETERS)


def leaf_yaml(values: str, extra: str = "") -> str:
    return f"rate:\n  description: A rate\n  unit: /1\n{extra}  values:\n{values}"


GOOD_VALUE = "    1992-01-01: {value: 0.1, reference: Law 1, status: verified}\n"


# --- lookups in the Russian case ---------------------------------------------------------

@pytest.mark.parametrize(("path", "day", "expected"), [
    ("profit_tax.rate.federal", "1999-03-31", 0.13),
    ("profit_tax.rate.federal", "1999-04-01", 0.11),
    ("profit_tax.rate.regional", "1999-03-31", 0.22),
    ("profit_tax.rate.regional", "1999-04-01", 0.19),
    ("profit_tax.rate.total", "2008-12-31", 0.24),
    ("profit_tax.rate.total", "2009-01-01", 0.20),
    ("profit_tax.rate.federal", "2009-06-30", 0.02),
    ("profit_tax.rate.regional", "2010-12-31", 0.18),
    ("profit_tax.rate.regional_min", "2004-06-01", 0.13),
    ("profit_tax.special_sectors.rate.regional", "1998-01-01", 0.30),
    ("profit_tax.special_sectors.rate.total", "2001-12-31", 0.38),
    ("vat.split.regional", "1997-01-01", 0.25),
    ("vat.split.regional", "2000-12-31", 0.15),
    ("vat.split.regional", "2001-01-01", 0.0),
    ("excise.spirits.split.regional", "1998-12-31", 0.5),
    ("personal_income_tax.split.federal", "2001-07-01", 0.01),
    ("mineral_extraction_tax.hydrocarbons_okrug.split.okrug", "2002-01-01", 0.2),
    ("mineral_extraction_tax.continental_shelf.split.federal", "2010-01-01", 1.0),
    ("equalization.fund.share", "1995-06-01", 0.27),
    ("equalization.fund.share", "1998-02-28", 0.15),
    ("equalization.fund.share", "1998-03-01", 0.14),
    ("equalization.fund.total", "2000-01-01", 68_011_291.2),
    ("equalization.fund.total", "2001-12-31", 100_353_722.0),
    ("equalization.group_split.needing_support", "1995-01-01", 0.5604),
    ("equalization.stage_split.stage_1", "2000-01-01", 0.8),
    ("equalization.method", "1998-12-31", "gap_filling"),
    ("equalization.method", "1999-01-01", "two_stage"),
    ("attribution.profit_tax.rule", "1994-12-31", "registration"),
    ("attribution.profit_tax.rule", "1996-01-01", "art288_1995"),
    ("attribution.profit_tax.rule", "2002-01-01", "art288"),
    ("collection.efficiency", "1998-01-01", 1.0),
])
def test_lookup(tree: ParameterTree, path: str, day: str, expected: float | str) -> None:
    assert tree.get(path, day) == expected
    assert tree.get(path, date.fromisoformat(day)) == expected


def test_view_attribute_and_item_access(tree: ParameterTree) -> None:
    p = tree.at("1999-06-01")
    assert p.profit_tax.rate.federal == p["profit_tax.rate.federal"] == 0.11
    assert p.node("profit_tax").number("rate.total") == 0.30
    assert p.text("equalization.method") == "two_stage"
    assert p.to_dict()["equalization.fund.total"] is None  # no published total for 1999
    with pytest.raises(InvalidValueError, match="name"):
        p.number("equalization.method")
    with pytest.raises(AttributeError, match=r"Did you mean profit_tax\.rate[,?]"):
        _ = p.profit_tax.rat


def test_unknown_path_suggests_nearest(tree: ParameterTree) -> None:
    with pytest.raises(UnknownReferenceError, match=r"Did you mean profit_tax\.rate\.federal[,?]"):
        tree.get("profit_tax.rate.fedral", "2000-01-01")


def test_group_path_names_its_parameters(tree: ParameterTree) -> None:
    with pytest.raises(UnknownReferenceError, match=r"group.*profit_tax\.rate\.federal"):
        tree.get("profit_tax.rate", "2000-01-01")


def test_no_value_before_first_date_or_after_null(tree: ParameterTree) -> None:
    with pytest.raises(UnknownReferenceError, match="on or after 2002-01-01"):
        tree.get("mineral_extraction_tax.hydrocarbons.split.federal", "2001-12-31")
    with pytest.raises(UnknownReferenceError, match="null since 2002-01-01"):
        tree.get("profit_tax.special_sectors.rate.total", "2005-01-01")
    assert tree.get("profit_tax.special_sectors.rate.total", "2005-01-01", None) is None


def test_trace_gives_provenance(tree: ParameterTree) -> None:
    t = tree.trace("profit_tax.rate.federal", "2000-06-01")
    assert (t.value, t.since, t.until, t.status) == (0.11, date(1999, 4, 1), date(2002, 1, 1),
                                                       "verified")
    assert "2116-1" in t.reference and t.file is not None and t.file.endswith("profit_tax.yaml")
    assert str(t).startswith("profit_tax.rate.federal = 0.11 on 2000-06-01")


# --- the data: sourced, labelled, consistent ---------------------------------------------

def test_every_value_has_reference_and_status(tree: ParameterTree) -> None:
    for path in tree.paths():
        for v in tree.parameter(path).values:
            assert v.reference.strip(), path
            assert v.status in STATUSES, path
            if v.status == "assumed":
                assert v.note, f"{path} {v.since}: an assumption must say why in a note"


def _dates(tree: ParameterTree, paths: list[str]) -> set[date]:
    return {v.since for p in paths for v in tree.parameter(p).values}


def test_rates_add_up_to_total(tree: ParameterTree) -> None:
    groups = {p.rsplit(".", 1)[0] for p in tree.paths() if p.endswith(".total")
              and f"{p.rsplit('.', 1)[0]}.federal" in tree}
    assert {"profit_tax.rate", "profit_tax.special_sectors.rate"} <= groups
    checked = 0
    for group in groups:
        parts = [f"{group}.{n}" for n in ("federal", "regional", "local") if f"{group}.{n}" in tree]
        for day in _dates(tree, [*parts, f"{group}.total"]):
            total = tree.get(f"{group}.total", day, None)
            values = [tree.get(p, day, None) for p in parts]
            if total is not None and None not in values:
                assert sum(v for v in values if isinstance(v, float)) == pytest.approx(total), day
                checked += 1
    assert checked >= 9


def test_shares_add_up_to_one(tree: ParameterTree) -> None:
    groups = {p.rsplit(".", 1)[0] for p in tree.paths()
              if re.search(r"\.(split|weight|group_split|stage_split)\.[a-z_0-9]+$", p)}
    assert len(groups) >= 12
    for group in groups:
        parts = tree.paths(group)
        for day in _dates(tree, parts):
            values = [tree.get(p, day, None) for p in parts]
            if all(v is None for v in values):
                continue
            assert None not in values, (group, day)
            total = sum(v for v in values if isinstance(v, float))
            assert total == pytest.approx(1.0), (group, day)


@pytest.mark.parametrize("path", [
    "profit_tax.rate.total", "profit_tax.rate.federal", "profit_tax.rate.regional",
    "profit_tax.rate.local", "vat.split.regional", "vat.split.federal",
    "personal_income_tax.split.regional", "collection.efficiency", "equalization.method",
    "attribution.profit_tax.rule", "attribution.personal_income_tax.rule",
])
def test_core_parameters_cover_1992_to_2010(tree: ParameterTree, path: str) -> None:
    for year in YEARS:
        assert tree.get(path, date(year, 1, 1), None) is not None, (path, year)
        assert tree.get(path, date(year, 12, 31), None) is not None, (path, year)


def test_rule_parameters_name_known_rules(tree: ParameterTree) -> None:
    known = {"attribution": ATTRIBUTION_RULES, "equalization": EQUALIZATION_METHODS}
    bound = {kind: p for p in tree.paths() if (kind := tree.parameter(p).rule_kind)}
    assert bound == {"attribution": "attribution.profit_tax.rule",
                     "equalization": "equalization.method"}
    for kind, path in bound.items():
        assert {v.value for v in tree.parameter(path).values} <= set(known[kind])
    assert {v.value for v in tree.parameter("attribution.personal_income_tax.rule").values} <= set(
        ATTRIBUTION_RULES)


def test_unsourced_facts_are_assumed(tree: ParameterTree) -> None:
    for path, day in [("profit_tax.rate.federal", "2002-06-01"), ("vat.split.regional", "1994"),
                      ("personal_income_tax.split.regional", "1998"),
                      ("mineral_extraction_tax.hydrocarbons.split.federal", "2005"),
                      ("collection.efficiency", "1998"), ("equalization.fund.share", "1994"),
                      ("attribution.profit_tax.rule", "1993")]:
        assert tree.trace(path, day).status == "assumed", path


def test_values_are_float64_numbers_or_names(tree: ParameterTree) -> None:
    for path in tree.paths():
        kinds = {type(v.value) for v in tree.parameter(path).values if v.value is not None}
        assert kinds in ({float}, {str}), path


# --- loading, caching and validation -------------------------------------------------------

def test_loader_resolves_the_directory_and_reads_afresh() -> None:
    # The engine keeps no cache (the services' revision-keyed cache does): two loads are equal
    # trees but distinct objects, whatever spelling of the path.
    first = load_parameters(PARAMETERS)
    second = load_parameters(str(PARAMETERS / ".." / "parameters"))
    assert first == second == parse_parameters(PARAMETERS) and first is not second
    assert first.source == str(PARAMETERS.resolve())


def test_bad_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(leaf_yaml(GOOD_VALUE), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("rate: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"broken\.yaml.*not valid YAML at line"):
        parse_parameters(tmp_path)


@pytest.mark.parametrize(("body", "fragments"), [
    (leaf_yaml("    1999-13-01: {value: 0.1, reference: L, status: verified}\n"),
     ["rate.values[1999-13-01]", "bad date key", "YYYY-MM-DD"]),
    (leaf_yaml("    1999-01-01: {value: 0.1, status: verified}\n"),
     ["rate.values[1999-01-01].reference", "missing reference"]),
    (leaf_yaml("    1999-01-01: {value: 0.1, reference: L, status: sure}\n"),
     ["rate.values[1999-01-01].status", "'sure'", "verified"]),
    (leaf_yaml("    1999-01-01: {value: [1], reference: L, status: verified}\n"),
     ["rate.values[1999-01-01].value", "a number, a name or null"]),
    (leaf_yaml("    1999-01-01: 0.1\n"), ["rate.values[1999-01-01]", "bad entry"]),
    (leaf_yaml(GOOD_VALUE + "    2000-01-01: {value: x, reference: L, status: verified}\n"),
     ["mixes numbers and names"]),
    (leaf_yaml(GOOD_VALUE + "    1992-01-01: {value: 0.2, reference: L, status: verified}\n"),
     ["duplicate key"]),
    (leaf_yaml(GOOD_VALUE, extra="  unti: x\n"), ["unknown key", "Did you mean unit?"]),
    ("Rate:\n  description: d\n  values: {}\n", ["bad node name"]),
    ("rate:\n  description: d\n  values: {}\n", ["rate.values", "no values"]),
])
def test_invalid_files_are_rejected_with_location(tmp_path: Path, body: str,
                                                  fragments: list[str]) -> None:
    (tmp_path / "tax.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(RegionetError) as info:
        parse_parameters(tmp_path)
    message = str(info.value)
    assert "tax.yaml" in message
    for fragment in fragments:
        assert fragment in message


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(leaf_yaml("    1999: {value: 1, status: bad}\n"), "utf-8")
    with pytest.raises(ValidationError) as info:
        parse_parameters(tmp_path)
    assert len(info.value.errors) == 2


def test_file_names_become_nodes(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "tax.yaml").write_text(leaf_yaml(GOOD_VALUE), encoding="utf-8")
    assert parse_parameters(tmp_path).paths() == ["sub.tax.rate"]


def test_missing_directory_and_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="not found"):
        parse_parameters(tmp_path / "nope")
    with pytest.raises(DataFileError, match="no parameter files"):
        parse_parameters(tmp_path)


# --- bounds ----------------------------------------------------------------------------------

def bounded(unit: str, value: object, bounds: str | None = None) -> dict[str, object]:
    leaf: dict[str, object] = {"description": "r", "unit": unit, "values": {
        "1999-01-01": {"value": value, "reference": "L", "status": "assumed"}}}
    if bounds is not None:
        leaf["bounds"] = yaml.safe_load(bounds)
    return {"r": leaf}


@pytest.mark.parametrize(("unit", "bounds", "expected"), [
    ("/1", None, "[0, 1]"), ("share", None, "[0, 1]"), ("currency-RUB-thousand", None, "[0, ∞)"),
    ("/1", "[0, 10]", "[0, 10]"), ("index", "[1, null]", "[1, ∞)"),
    ("index", "[null, 2.5]", "(−∞, 2.5]"), ("km", "[null, null]", "(−∞, ∞)")])
def test_bounds_come_from_the_unit_or_the_declaration(unit: str, bounds: str | None,
                                                      expected: str) -> None:
    tree = ParameterTree.from_mapping(bounded(unit, 1.0, bounds))
    assert str(tree.parameter("r").bounds) == expected


def test_names_have_no_bounds_and_may_not_declare_some() -> None:
    names = {"r": {"description": "r", "values": {
        "1999-01-01": {"value": "x", "reference": "L", "status": "assumed"}}}}
    assert ParameterTree.from_mapping(names).parameter("r").bounds is None
    names["r"]["bounds"] = [0, 1]
    with pytest.raises(InvalidValueError, match="bounds on a parameter that holds names"):
        ParameterTree.from_mapping(names)


@pytest.mark.parametrize(("data", "field", "message"), [
    (bounded("km", 3.0), "r.bounds", "a numeric parameter needs bounds"),
    (bounded("/1", 1.5), "r.values[1999-01-01].value", "outside the allowed range [0, 1] of r"),
    (bounded("share", -0.5), "r.values[1999-01-01].value", "outside the allowed range [0, 1] of r"),
    (bounded("currency-RUB", -1.0), "r.values[1999-01-01].value",
     "outside the allowed range [0, ∞) of r"),
    (bounded("/1", 0.5, "[0.6, 0.9]"), "r.values[1999-01-01].value",
     "outside the allowed range [0.6, 0.9] of r"),
    (bounded("/1", 0.5, "[1, 0]"), "r.bounds", "bounds in the wrong order"),
    (bounded("/1", 0.5, "[0]"), "r.bounds", "bad bounds"),
    (bounded("/1", 0.5, "[0, .inf]"), "r.bounds", "bad bounds"),
    (bounded("/1", 0.5, "[0, one]"), "r.bounds", "bad bounds"),
    (bounded("/1", 0.5, "0.5"), "r.bounds", "bad bounds"),
])
def test_bad_bounds_and_values_outside_them_are_refused(data: dict[str, object], field: str,
                                                        message: str) -> None:
    with pytest.raises(InvalidValueError) as info:
        ParameterTree.from_mapping(data, file="r.yaml")
    assert (info.value.file, info.value.field) == ("r.yaml", field)
    assert info.value.message == message


def test_every_bundled_numeric_parameter_has_bounds_its_values_keep(tree: ParameterTree) -> None:
    numeric = [tree.parameter(p) for p in tree.paths() if tree.parameter(p).is_numeric]
    assert numeric and all(leaf.bounds is not None for leaf in numeric)
    assert str(tree.parameter("collection.efficiency").bounds) == "[0, 1]"
    assert str(tree.parameter("equalization.fund.total").bounds) == "[0, ∞)"
    for leaf in numeric:
        assert all(v.value is None or leaf.out_of_bounds(v.value) is None for v in leaf.values)


@pytest.mark.parametrize("value", [1.0000001, -1e-12, 35.0, 1e300])
def test_override_refuses_values_outside_the_bounds(tree: ParameterTree, value: float) -> None:
    entry = ParameterValue(date(1999, 1, 1), value, "t", "assumed")
    with pytest.raises(InvalidValueError) as info:
        tree.override({"collection.efficiency": [entry]})
    assert info.value.field == "collection.efficiency[1999-01-01]"
    assert info.value.message == "outside the allowed range [0, 1] of collection.efficiency"
    assert info.value.expected == "a finite number in [0, 1] (/1, declared in collection.yaml)"
    assert tree.override({"collection.efficiency": [
        ParameterValue(date(1999, 1, 1), 1.0, "t", "assumed")]}).get(
        "collection.efficiency", "1999") == 1.0


# --- overrides (copy-on-write) -------------------------------------------------------------

@given(value=st.floats(0, 1, allow_nan=False), year=st.integers(1992, 2010),
       month=st.integers(1, 12))
def test_override_round_trips_and_leaves_baseline(value: float, year: int, month: int) -> None:
    base = load_parameters(PARAMETERS)
    before = base.parameter("profit_tax.rate.federal")
    day = date(year, month, 1)
    entry = ParameterValue(day, value, "test", "assumed")
    new = base.override({"profit_tax.rate.federal": [entry]})
    assert new.get("profit_tax.rate.federal", day) == value
    assert new.get("profit_tax.rate.federal", date(2010, 12, 31)) == value  # takes over
    assert base.parameter("profit_tax.rate.federal") is before
    assert new.parameter("vat.split.regional") is base.parameter("vat.split.regional")


def test_override_rejects_wrong_type(tree: ParameterTree) -> None:
    with pytest.raises(InvalidValueError, match="wrong type"):
        tree.override({"equalization.method": [ParameterValue(date(2000, 1, 1), 1.0, "t",
                                                              "assumed")]})


# --- documentation ---------------------------------------------------------------------------

def test_doc_table_is_generated_from_the_data(tree: ParameterTree) -> None:
    text = DOC.read_text(encoding="utf-8")
    begin = "<!-- BEGIN GENERATED PARAMETER TABLE -->"
    end = "<!-- END GENERATED PARAMETER TABLE -->"
    assert text.count(begin) == 1 and text.count(end) == 1
    table = text.split(begin)[1].split(end)[0].strip()
    assert table == markdown_table(tree), "regenerate the table (see docs/parameters.md)"
    for path in tree.paths():
        assert f"`{path}`" in table


def test_markdown_table_escapes_pipes() -> None:
    t = ParameterTree.from_mapping({"r": {"description": "a | b", "unit": "/1", "values": {
        "2000-01-01": {"value": None, "reference": "L", "status": "partial"}}}})
    assert "a \\| b" in markdown_table(t) and "| null |" in markdown_table(t)
