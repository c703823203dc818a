"""Every error of ``engines/fiscal/law/`` checked whole, with the boundary that triggers it.

The problems of a parameter file (``schema.py``), of a parameter directory (``files.py``), of
the tree's lookups and overrides (``parameters.py``, ``annual.py``) and of a scenario
(``scenarios.py``): each with its exact class, message, file, row, field, value, expected
text and hint (``raises_exactly`` and ``problems_exactly`` in this folder's conftest).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from regionet.core.errors import (
    DataFileError,
    InvalidValueError,
    RegionetError,
    UnknownReferenceError,
    ValidationError,
)
from regionet.engines.fiscal.law.annual import annual_average, in_force
from regionet.engines.fiscal.law.files import load_parameters, read_yaml
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import load_scenario, scenario_from_mapping
from regionet.engines.fiscal.law.values import ParameterValue

Raises = Callable[..., RegionetError]
Problems = Callable[..., ValidationError]
IVE, URE = InvalidValueError, UnknownReferenceError
M = "<mapping>"


def _entry(value: object = 0.5, **more: object) -> dict[str, object]:
    return {"value": value, "reference": "Law 1", "status": "verified", **more}


def _leaf(**changes: object) -> dict[str, object]:
    return {"description": "A rate", "unit": "/1",
            "values": {"1999-01-01": _entry()}, **changes}


# --- a parameter file's problems (schema.py) --------------------------------------------------

_LOOSE = "bounds: [low, high] (null for no limit); units with default bounds: /1, share, currency-…"
_BAD_BOUNDS = "[low, high]: two finite numbers or null (no limit), e.g. [0, 1]"
_NODE = "a group of parameters or a parameter with description, unit and values"
FILE_PROBLEMS: list[tuple[str, dict[str, object], tuple[object, ...]]] = [
    ("node-not-a-mapping", {"tax": 5}, (IVE, "not a mapping", M, None, "tax", None, _NODE, None)),
    ("bad-node-name", {"Tax": _leaf()},
     (IVE, "bad node name", M, None, None, "Tax", "a snake_case name ([a-z][a-z0-9_]*)", None)),
    ("bad-node-name-inside", {"tax": {"2nd": _leaf()}},
     (IVE, "bad node name", M, None, "tax", "2nd", "a snake_case name ([a-z][a-z0-9_]*)", None)),
    ("unknown-leaf-key", {"r": _leaf(bounts=[0, 1])},
     (IVE, "unknown key", M, None, "r", "bounts",
      "one of description, unit, bounds, rule_kind, values", "Did you mean bounds?")),
    ("missing-description", {"r": _leaf(description=" ")},
     (IVE, "missing description", M, None, "r.description", " ", "a non-empty text", None)),
    ("bad-unit", {"r": _leaf(unit=1, values={"1999-01-01": _entry("art288")})},
     (IVE, "bad unit", M, None, "r.unit", 1, "a text", None)),
    ("bad-rule-kind", {"r": _leaf(rule_kind=["a"])},
     (IVE, "bad rule_kind", M, None, "r.rule_kind", ["a"], "a text", None)),
    ("no-values", {"r": _leaf(values={})},
     (IVE, "no values", M, None, "r.values", None,
      "a mapping of dates to {value, reference, status}", None)),
    ("numeric-without-unit", {"r": _leaf(unit=None, bounds=[0, 1])},
     (IVE, "a numeric parameter needs a unit", M, None, "r.unit", None,
      "e.g. '/1', 'share' or 'currency-RUB'", None)),
    ("numeric-without-bounds", {"r": _leaf(unit="km")},
     (IVE, "a numeric parameter needs bounds", M, None, "r.bounds", None, _LOOSE, None)),
    ("bounds-on-names", {"r": _leaf(unit=None, bounds=[0, 1],
                                    values={"1999-01-01": _entry("art288")})},
     (IVE, "bounds on a parameter that holds names", M, None, "r.bounds", [0, 1],
      "no bounds (names have none)", None)),
    ("bounds-one-end", {"r": _leaf(bounds=[0])},
     (IVE, "bad bounds", M, None, "r.bounds", [0], _BAD_BOUNDS, None)),
    ("bounds-text", {"r": _leaf(bounds="0-1")},
     (IVE, "bad bounds", M, None, "r.bounds", "0-1", _BAD_BOUNDS, None)),
    ("bounds-bool", {"r": _leaf(bounds=[False, 1])},
     (IVE, "bad bounds", M, None, "r.bounds", [False, 1], _BAD_BOUNDS, None)),
    ("bounds-infinite", {"r": _leaf(bounds=[0, float("inf")])},
     (IVE, "bad bounds", M, None, "r.bounds", [0, float("inf")], _BAD_BOUNDS, None)),
    ("bounds-order", {"r": _leaf(bounds=[1, 0.5])},
     (IVE, "bounds in the wrong order", M, None, "r.bounds", [1, 0.5], "low <= high", None)),
    ("out-of-bounds", {"r": _leaf(values={"1999-01-01": _entry(1.5)})},
     (IVE, "outside the allowed range [0, 1] of r", M, None, "r.values[1999-01-01].value", 1.5,
      "a finite number in [0, 1] (/1, declared in <mapping>)", None)),
    ("out-of-declared-bounds", {"r": _leaf(unit="km", bounds=[None, -1],
                                           values={"1999-01-01": _entry(0)})},
     (IVE, "outside the allowed range (−∞, -1] of r", M, None, "r.values[1999-01-01].value",
      0.0, "a finite number in (−∞, -1] (km, declared in <mapping>)", None)),
    ("bad-date-key", {"r": _leaf(values={"1999-13-01": _entry()})},
     (IVE, "bad date key", M, None, "r.values[1999-13-01]", "1999-13-01",
      "an ISO date YYYY-MM-DD", None)),
    ("datetime-key", {"r": _leaf(values={datetime(1999, 1, 1): _entry()})},
     (IVE, "bad date key", M, None, "r.values[1999-01-01 00:00:00]", datetime(1999, 1, 1),
      "an ISO date YYYY-MM-DD", None)),
    ("list-key", {"r": _leaf(values={(1999, 1): _entry()})},
     (IVE, "bad date key", M, None, "r.values[(1999, 1)]", (1999, 1),
      "an ISO date YYYY-MM-DD", None)),
    ("bad-entry", {"r": _leaf(values={"1999-01-01": 0.5})},
     (IVE, "bad entry", M, None, "r.values[1999-01-01]", 0.5,
      "a mapping with value, reference, status", None)),
    ("entry-unknown-key", {"r": _leaf(values={"1999-01-01": _entry(notes="x")})},
     (IVE, "unknown key", M, None, "r.values[1999-01-01]", "notes",
      "one of value, reference, status, note", None)),
    ("missing-value", {"r": _leaf(values={"1999-01-01": {"reference": "L",
                                                         "status": "assumed"}})},
     (IVE, "missing value", M, None, "r.values[1999-01-01].value", None,
      "a number, a name or null", None)),
    ("value-infinite", {"r": _leaf(values={"1999-01-01": _entry(float("-inf"))})},
     (IVE, "not a finite number", M, None, "r.values[1999-01-01].value", float("-inf"),
      "a finite number", None)),
    ("value-bool", {"r": _leaf(values={"1999-01-01": _entry(True)})},
     (IVE, "bad value", M, None, "r.values[1999-01-01].value", True,
      "a number, a name or null", None)),
    ("missing-reference", {"r": _leaf(values={"1999-01-01": _entry(reference="")})},
     (IVE, "missing reference", M, None, "r.values[1999-01-01].reference", "",
      "the legal or documentary source as text", None)),
    ("bad-status", {"r": _leaf(values={"1999-01-01": _entry(status="guess")})},
     (IVE, "bad status", M, None, "r.values[1999-01-01].status", "guess",
      "one of verified, partial, assumed", None)),
    ("bad-note", {"r": _leaf(values={"1999-01-01": _entry(note=3)})},
     (IVE, "bad note", M, None, "r.values[1999-01-01].note", 3, "a text", None)),
    ("two-values-one-date", {"r": _leaf(values={"1999-01-01": _entry(),
                                                date(1999, 1, 1): _entry()})},
     (IVE, "two values for one date", M, None, "r.values", "1999-01-01", None, None)),
]


@pytest.mark.parametrize(("data", "problem"), [c[1:] for c in FILE_PROBLEMS],
                         ids=[c[0] for c in FILE_PROBLEMS])
def test_every_problem_of_a_parameter_file_is_whole(raises_exactly: Raises,
                                                    data: dict[str, object],
                                                    problem: tuple[object, ...]) -> None:
    kind, message, file, row, field, value, expected, hint = problem
    raises_exactly(lambda: ParameterTree.from_mapping(data), kind, message, file=file,
                   row=row, field=field, value=value, expected=expected, hint=hint)


def test_a_file_s_problems_are_all_raised_at_once(problems_exactly: Problems) -> None:
    data = {"r": _leaf(values={"1999-01-01": _entry(0.5), "2000-01-01": _entry("art288")}),
            "s": _leaf(description=None, values={"1999-01-01": _entry(status="maybe")})}
    problems_exactly(
        lambda: ParameterTree.from_mapping(data, file="law.yaml"),
        (IVE, "mixes numbers and names", "law.yaml", None, "r.values", None,
         "all values numbers or all values names", None),
        (IVE, "a numeric parameter needs bounds", "law.yaml", None, "r.bounds", None, _LOOSE,
         None),
        (IVE, "missing description", "law.yaml", None, "s.description", None,
         "a non-empty text", None),
        (IVE, "bad status", "law.yaml", None, "s.values[1999-01-01].status", "maybe",
         "one of verified, partial, assumed", None),
        heading="4 problem(s) in the parameters; nothing was loaded:")


def test_a_parameter_file_s_limits_are_accepted() -> None:
    tree = ParameterTree.from_mapping({"g": {"description": "G", "r": _leaf(
        values={"1999-01-01": _entry(1), "2000-01-01": _entry(0, note="n"),
                date(2001, 1, 1): _entry(None), 2002: _entry(1.0)})},
        "a": _leaf(unit="currency-RUB", values={"1999-01-01": _entry(1e300)}),
        "b": _leaf(unit="km", bounds=[None, None], values={"1999": _entry(-1e300)}),
        "c": _leaf(unit="km", bounds=[-1, -1], values={"1999": _entry(-1)})})
    assert tree.get("g.r", "1999-06-01") == 1.0 and tree.get("g.r", "2000-06-01") == 0.0
    assert tree.get("g.r", "2001-06-01", None) is None and tree.get("g.r", "2002") == 1.0
    assert (tree.get("a", "1999"), tree.get("b", "1999"), tree.get("c", "1999")) == (
        1e300, -1e300, -1.0)
    assert (str(tree.parameter("a").bounds), str(tree.parameter("b").bounds),
            str(tree.parameter("c").bounds)) == ("[0, ∞)", "(−∞, ∞)", "[-1, -1]")


# --- the tree's lookups and overrides (parameters.py, annual.py) -------------------------------

TREE = ParameterTree.from_mapping({
    "tax": {"description": "Taxes",
            "rate": _leaf(values={"1999-01-01": _entry(0.3),
                                  "2001-01-01": _entry(None, note="repealed"),
                                  "2002-01-01": _entry(None)}),
            "rule": _leaf(unit=None, values={"1999-01-01": _entry("art288")}),
            "a": _leaf(), "b": _leaf(), "c": _leaf(), "d": _leaf()}}, file="law/tax.yaml")

TREE_ERRORS: list[tuple[str, Callable[[], object], type[RegionetError], str,
                        dict[str, Any]]] = [
    ("unknown-parameter", lambda: TREE.get("tax.rates", "1999"), URE, "unknown parameter",
     {"value": "tax.rates", "hint": "Did you mean tax.rate, tax.a, tax.rule?"}),
    ("unknown-parameter-far", lambda: TREE.parameter("zzz"), URE, "unknown parameter",
     {"value": "zzz", "hint": "See ParameterTree.paths() for the known parameters."}),
    ("a-group", lambda: TREE.trace("tax", "1999"), URE,
     "is a group of parameters, not a parameter",
     {"value": "tax", "expected": "one of its parameters: tax.a, tax.b, tax.c, tax.d"}),
    ("before-the-first-date", lambda: TREE.get("tax.rate", "1998-12-31"), URE,
     "parameter has no value on 1998-12-31",
     {"file": "law/tax.yaml", "field": "tax.rate", "expected": "a date on or after 1999-01-01"}),
    ("trace-before-the-first-date", lambda: TREE.trace("tax.rate", "1990"), URE,
     "parameter has no value on 1990-01-01",
     {"file": "law/tax.yaml", "field": "tax.rate", "expected": "a date on or after 1999-01-01"}),
    ("null-with-a-note", lambda: TREE.get("tax.rate", "2001-12-31"), URE,
     "parameter has no value on 2001-12-31: null since 2001-01-01 (repealed)",
     {"file": "law/tax.yaml", "field": "tax.rate",
      "hint": "Pass default= to get() for a fallback."}),
    ("null-without-a-note", lambda: TREE.at("2002-01-01").tax.rate, URE,
     "parameter has no value on 2002-01-01: null since 2002-01-01",
     {"file": "law/tax.yaml", "field": "tax.rate",
      "hint": "Pass default= to get() for a fallback."}),
    ("view-number-of-a-name", lambda: TREE.at("1999").node("tax").number("rule"), IVE,
     "parameter holds a name",
     {"field": "tax.rule", "value": "art288", "expected": "a numeric parameter"}),
    ("view-text-of-a-number", lambda: TREE.at("1999").text("tax.rate"), IVE,
     "parameter holds a number",
     {"field": "tax.rate", "value": 0.3, "expected": "a name parameter"}),
    ("view-node-of-a-parameter", lambda: TREE.at("1999").node("tax.rat"), URE,
     "unknown parameter",
     {"value": "tax.rat", "hint": "Did you mean tax.rate, tax.a, tax.rule?"}),
    ("override-name-for-number", lambda: TREE.override({"tax.rate": [ParameterValue(
        date(2000, 1, 1), "high", "s", "assumed")]}), IVE, "value has the wrong type",
     {"field": "tax.rate[2000-01-01]", "value": "high", "expected": "a number"}),
    ("override-number-for-name", lambda: TREE.override({"tax.rule": [ParameterValue(
        date(2000, 1, 1), 1.0, "s", "assumed")]}), IVE, "value has the wrong type",
     {"field": "tax.rule[2000-01-01]", "value": 1.0, "expected": "a name (text)"}),
    ("override-out-of-bounds", lambda: TREE.override({"tax.rate": [ParameterValue(
        date(2000, 1, 1), -0.01, "s", "assumed")]}), IVE,
     "outside the allowed range [0, 1] of tax.rate",
     {"field": "tax.rate[2000-01-01]", "value": -0.01,
      "expected": "a finite number in [0, 1] (/1, declared in tax.yaml)"}),
    ("override-unknown", lambda: TREE.override({"tax.x": []}), URE, "unknown parameter",
     {"value": "tax.x", "hint": "Did you mean tax.d, tax.c, tax.b?"}),
    ("average-of-a-name", lambda: annual_average(TREE, "tax.rule", 1999), IVE,
     "parameter holds a name",
     {"field": "tax.rule", "value": "art288", "expected": "a numeric parameter"}),
    ("average-without-a-value", lambda: annual_average(TREE, "tax.rate", 2001), URE,
     "parameter has no value on 2001-01-01, needed for 2001",
     {"file": "law/tax.yaml", "field": "tax.rate",
      "hint": "The law as encoded does not cover this date; check the year, or give the value "
              "in a scenario."}),
    ("in-force-without-a-value", lambda: in_force(TREE, "tax.rate", 1998), URE,
     "parameter has no value on 1998-07-01, needed for 1998",
     {"file": "law/tax.yaml", "field": "tax.rate",
      "hint": "The law as encoded does not cover this date; check the year, or give the value "
              "in a scenario."}),
    ("number-of-a-name-in-force", lambda: in_force(TREE, "tax.rule", 1999).number, IVE,
     "parameter holds a name",
     {"field": "tax.rule", "value": "art288", "expected": "a numeric parameter"}),
]


@pytest.mark.parametrize(("call", "kind", "message", "fields"),
                         [case[1:] for case in TREE_ERRORS], ids=[c[0] for c in TREE_ERRORS])
def test_every_tree_error_is_whole(raises_exactly: Raises, call: Callable[[], object],
                                   kind: type[RegionetError], message: str,
                                   fields: dict[str, Any]) -> None:
    raises_exactly(call, kind, message, **fields)


def test_a_view_s_missing_attribute_says_why() -> None:
    with pytest.raises(AttributeError) as info:
        _ = TREE.at("1999").tax.rat
    assert str(info.value) == ("value 'tax.rat': unknown parameter. Did you mean tax.rate, tax.a, "
                               "tax.rule?")


def test_the_tree_s_limits_are_accepted() -> None:
    # the first date, the day before a null, a default, bounds' ends, the last name
    assert (TREE.get("tax.rate", "1999-01-01"), TREE.get("tax.rate", "2000-12-31")) == (0.3, 0.3)
    assert TREE.get("tax.rate", "2001-01-01", default=0.0) == 0.0
    ends = TREE.override({"tax.rate": [ParameterValue(date(2000, 1, 1), 0.0, "s", "assumed"),
                                       ParameterValue(date(2000, 7, 1), 1.0, "s", "assumed")]})
    assert (ends.get("tax.rate", "2000-01-01"), ends.get("tax.rate", "2000-07-01")) == (0.0, 1.0)
    assert ends.get("tax.rate", "1999-12-31") == 0.3
    assert annual_average(TREE, "tax.rate", 2001, default=0.1).number == 0.1
    assert in_force(TREE, "tax.rule", 1999).value == "art288"


# --- a parameter directory (files.py) -----------------------------------------------------------

def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


_RATE = ("rate:\n  description: r\n  unit: /1\n  values:\n    1999-01-01: {value: 0.1, "
         "reference: L, status: verified}\n")


def test_a_parameter_directory_s_errors_are_whole(raises_exactly: Raises,
                                                  problems_exactly: Problems,
                                                  tmp_path: Path) -> None:
    raises_exactly(lambda: load_parameters(tmp_path / "none"), DataFileError,
                   "parameter directory not found", file=str(tmp_path / "none"),
                   expected="a directory of YAML parameter files")
    _write(tmp_path, "notes.txt", "x")
    raises_exactly(lambda: load_parameters(tmp_path), DataFileError, "no parameter files",
                   file=str(tmp_path), expected="*.yaml files")
    bad = _write(tmp_path, "Tax.yml", _RATE)
    raises_exactly(lambda: load_parameters(tmp_path), InvalidValueError, "bad file name",
                   file=str(bad), value="Tax.yml",
                   expected="snake_case names, e.g. profit_tax.yaml")
    bad.unlink()
    twice = _write(tmp_path, "tax.yaml", "description: T\n" + _RATE)
    _write(tmp_path, "tax/rate.yaml", "description: again\n")
    # tax/rate.yaml is read first (paths sort by their parts): tax.yaml's rate is the second
    raises_exactly(lambda: load_parameters(tmp_path), InvalidValueError,
                   "parameter defined twice", file=str(twice), field="tax.rate")
    (tmp_path / "tax" / "rate.yaml").unlink()
    again = _write(tmp_path, "tax.yml", "description: T\n" + _RATE)
    problems_exactly(
        lambda: load_parameters(tmp_path),
        (IVE, "parameter defined twice", str(again), None, "tax", None, None, None),
        (IVE, "parameter defined twice", str(again), None, "tax.rate", None, None, None),
        heading="2 problem(s) in the parameters; nothing was loaded:")
    again.unlink()
    twice.unlink()  # the same files, one node each: loaded
    (tmp_path / "tax" / "rate.yaml").write_text(_RATE.replace("rate:", "cap:"), encoding="utf-8")
    tree = load_parameters(tmp_path)
    assert (tree.paths(), tree.get("tax.rate.cap", "1999")) == (["tax.rate.cap"], 0.1)


def test_a_yaml_file_s_errors_are_whole(raises_exactly: Raises, tmp_path: Path) -> None:
    raises_exactly(lambda: read_yaml(tmp_path / "none.yaml"), DataFileError,
                   "cannot read file (No such file or directory)",
                   file=str(tmp_path / "none.yaml"))
    broken = _write(tmp_path, "broken.yaml", "a: [1,\nb: 2\n")
    err = raises_exactly(lambda: read_yaml(broken), DataFileError,
                         "not valid YAML at line 3, column 1: did not find expected ',' or ']'",
                         file=str(broken), expected="a YAML mapping")
    assert err.__cause__ is not None
    twice = _write(tmp_path, "twice.yaml", "a: 1\nb: 2\na: 3\n")
    raises_exactly(lambda: read_yaml(twice), DataFileError,
                   "not valid YAML at line 3, column 1: duplicate key 'a'", file=str(twice),
                   expected="a YAML mapping")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("a: caf\xe9\n".encode("latin-1"))
    raises_exactly(lambda: read_yaml(latin), DataFileError,
                   "not valid YAML: 'utf-8' codec can't decode byte 0xe9 in position 6: "
                   "invalid continuation byte", file=str(latin), expected="a YAML mapping")
    unhashable = _write(tmp_path, "keys.yaml", "a: x\n[1, 2]: y\n")
    raises_exactly(lambda: read_yaml(unhashable), DataFileError,
                   "not valid YAML at line 2, column 1: found unhashable key",
                   file=str(unhashable), expected="a YAML mapping")
    dates = _write(tmp_path, "dates.yaml", "1999-01-01: x\n2000-01-01 12:00:00: y\n")
    assert read_yaml(dates) == {"1999-01-01": "x", "2000-01-01 12:00:00": "y"}


# --- a scenario's problems (scenarios.py) -------------------------------------------------------

LAW = ParameterTree.from_mapping({
    "rate": _leaf(),
    "amount": _leaf(unit="currency-RUB", values={"1999-01-01": _entry(10)}),
    "km": _leaf(unit="km", bounds=[0, 5]),
    "rule": _leaf(unit=None, rule_kind="attribution", values={"1999-01-01": _entry("art288")}),
    "method": _leaf(unit=None, values={"1999-01-01": _entry("even")}),
    "group": {"description": "G", "x": _leaf()}}, file="law/base.yaml")
RULES = {"attribution": ("art288", "operation"), "equalization": ("two_stage",)}


def _scenario(**changes: object) -> dict[str, object]:
    return {"name": "s", "description": "d", **changes}


def _s(data: object, source: str | None = "s.yaml") -> Callable[[], object]:
    return lambda: scenario_from_mapping(data, LAW, rule_names=RULES, source=source)


_DATE = "an ISO date YYYY-MM-DD"
_RATE_ALLOWED = "a finite number in [0, 1] (/1, declared in base.yaml)"
SCENARIO_PROBLEMS: list[tuple[str, object, tuple[object, ...]]] = [
    ("unknown-top-key", _scenario(override={}),
     (IVE, "unknown key", "s.yaml", None, "override", "override",
      "one of name, description, overrides, rules", "Did you mean overrides?")),
    ("missing-name", _scenario(name=" "),
     (IVE, "missing name", "s.yaml", None, "name", " ", "a non-empty text", None)),
    ("missing-description", {"name": "s"},
     (IVE, "missing description", "s.yaml", None, "description", None, "a non-empty text",
      None)),
    ("overrides-not-a-mapping", _scenario(overrides=[1]),
     (IVE, "not a mapping", "s.yaml", None, "overrides", None,
      "{parameter.path: {date: value}}", None)),
    ("unknown-parameter", _scenario(overrides={"rat": {"1999": 0.1}}),
     (URE, "unknown parameter", "s.yaml", None, "overrides", "rat",
      "a parameter path (see tree.paths())", "Did you mean rate?")),
    ("a-group", _scenario(overrides={"group": {"1999": 0.1}}),
     (URE, "is a group of parameters, not a parameter", "s.yaml", None, "overrides", "group",
      "a parameter path (see tree.paths())", "Did you mean group.x?")),
    ("path-not-text", _scenario(overrides={5: {"1999": 0.1}}),
     (URE, "unknown parameter", "s.yaml", None, "overrides", 5,
      "a parameter path (see tree.paths())", None)),
    ("no-dated-values", _scenario(overrides={"rate": {}}),
     (IVE, "no dated values", "s.yaml", None, "overrides.rate", {}, "a mapping {date: value}",
      None)),
    ("schedule-not-a-mapping", _scenario(overrides={"rate": 0.5}),
     (IVE, "no dated values", "s.yaml", None, "overrides.rate", 0.5, "a mapping {date: value}",
      None)),
    ("bad-date", _scenario(overrides={"rate": {"1999-02-30": 0.1}}),
     (IVE, "bad date", "s.yaml", None, "overrides.rate[1999-02-30]", "1999-02-30", _DATE, None)),
    ("datetime-date", _scenario(overrides={"rate": {datetime(1999, 1, 1, 12): 0.1}}),
     (IVE, "bad date", "s.yaml", None, "overrides.rate[1999-01-01 12:00:00]",
      datetime(1999, 1, 1, 12), _DATE, None)),
    ("float-date", _scenario(overrides={"rate": {1999.5: 0.1}}),
     (IVE, "bad date", "s.yaml", None, "overrides.rate[1999.5]", 1999.5, _DATE, None)),
    ("entry-unknown-key", _scenario(overrides={"rate": {"1999": {"value": 0.1, "notes": "x"}}}),
     (IVE, "unknown key", "s.yaml", None, "overrides.rate[1999]", "notes",
      "one of value, reference, status, note", "Did you mean note?")),
    ("not-a-name", _scenario(overrides={"method": {"1999": ""}}),
     (IVE, "not a name", "s.yaml", None, "overrides.method[1999].value", "", "a name (text)",
      None)),
    ("unknown-rule-name", _scenario(overrides={"rule": {"1999": "art289"}}),
     (URE, "unknown attribution rule", "s.yaml", None, "overrides.rule[1999].value", "art289",
      "one of art288, operation", "Did you mean art288?")),
    ("not-a-number", _scenario(overrides={"rate": {"1999": "high"}}),
     (IVE, "not a number", "s.yaml", None, "overrides.rate[1999].value", "high", _RATE_ALLOWED,
      None)),
    ("not-a-finite-number", _scenario(overrides={"rate": {"1999": "nan"}}),
     (IVE, "not a number", "s.yaml", None, "overrides.rate[1999].value", "nan", _RATE_ALLOWED,
      None)),
    ("bool-number", _scenario(overrides={"rate": {"1999": True}}),
     (IVE, "not a number", "s.yaml", None, "overrides.rate[1999].value", True, _RATE_ALLOWED,
      None)),
    ("percent-at-2", _scenario(overrides={"rate": {"1999": 2}}),
     (IVE, "outside the allowed range [0, 1] of rate", "s.yaml", None,
      "overrides.rate[1999].value", 2, _RATE_ALLOWED,
      "Rates and shares are fractions: if you meant 2 %, write 0.02.")),
    ("percent-at-100", _scenario(overrides={"rate": {"1999": "100"}}),
     (IVE, "outside the allowed range [0, 1] of rate", "s.yaml", None,
      "overrides.rate[1999].value", "100", _RATE_ALLOWED,
      "Rates and shares are fractions: if you meant 100 %, write 1.")),
    ("below-2-no-hint", _scenario(overrides={"rate": {"1999": 1.99}}),
     (IVE, "outside the allowed range [0, 1] of rate", "s.yaml", None,
      "overrides.rate[1999].value", 1.99, _RATE_ALLOWED, None)),
    ("above-100-no-hint", _scenario(overrides={"rate": {"1999": 100.5}}),
     (IVE, "outside the allowed range [0, 1] of rate", "s.yaml", None,
      "overrides.rate[1999].value", 100.5, _RATE_ALLOWED, None)),
    ("not-a-rate-no-hint", _scenario(overrides={"km": {"1999": 50}}),
     (IVE, "outside the allowed range [0, 5] of km", "s.yaml", None,
      "overrides.km[1999].value", 50, "a finite number in [0, 5] (km, declared in base.yaml)",
      None)),
    ("negative-money", _scenario(overrides={"amount": {"1999": -1}}),
     (IVE, "outside the allowed range [0, ∞) of amount", "s.yaml", None,
      "overrides.amount[1999].value", -1,
      "a finite number in [0, ∞) (currency-RUB, declared in base.yaml)", None)),
    ("bad-reference", _scenario(overrides={"rate": {"1999": {"value": 0.1, "reference": 3}}}),
     (IVE, "bad reference", "s.yaml", None, "overrides.rate[1999].reference", 3,
      "a non-empty text", None)),
    ("bad-status", _scenario(overrides={"rate": {"1999": {"value": 0.1, "status": "sure"}}}),
     (IVE, "bad status", "s.yaml", None, "overrides.rate[1999].status", "sure",
      "one of verified, partial, assumed", None)),
    ("bad-note", _scenario(overrides={"rate": {"1999": {"value": 0.1, "note": ["n"]}}}),
     (IVE, "bad note", "s.yaml", None, "overrides.rate[1999].note", ["n"], "a text", None)),
    ("rules-not-a-mapping", _scenario(rules=["art288"]),
     (IVE, "not a mapping", "s.yaml", None, "rules", None,
      "{kind: name}, e.g. {attribution: operation}", None)),
    ("unknown-rule-kind", _scenario(rules={"atribution": "art288"}),
     (URE, "unknown rule kind", "s.yaml", None, "rules", "atribution",
      "one of attribution, equalization", "Did you mean attribution?")),
    ("rule-not-a-name", _scenario(rules={"attribution": 288}),
     (IVE, "not a name", "s.yaml", None, "rules.attribution", 288, "a rule name (text)", None)),
    ("rule-unknown", _scenario(rules={"equalization": "two-stage"}),
     (URE, "unknown equalization rule", "s.yaml", None, "rules.equalization", "two-stage",
      "one of two_stage", "Did you mean two_stage?")),
    ("rule-and-override", _scenario(rules={"attribution": "operation"},
                                    overrides={"rule": {"1999": "art288"}}),
     (IVE, "set both by rules.attribution and by overrides", "s.yaml", None, "overrides.rule",
      None, None, "Keep one of the two.")),
]


@pytest.mark.parametrize(("data", "problem"), [c[1:] for c in SCENARIO_PROBLEMS],
                         ids=[c[0] for c in SCENARIO_PROBLEMS])
def test_every_problem_of_a_scenario_is_whole(raises_exactly: Raises, data: object,
                                              problem: tuple[object, ...]) -> None:
    kind, message, file, row, field, value, expected, hint = problem
    raises_exactly(_s(data), kind, message, file=file, row=row, field=field, value=value,
                   expected=expected, hint=hint)


def test_a_scenario_s_problems_are_all_raised_at_once(problems_exactly: Problems) -> None:
    data = {"description": "d", "overrides": {"rate": {"1999": 7, "x": 0.1}}}
    problems_exactly(
        _s(data, None),
        (IVE, "missing name", None, None, "name", None, "a non-empty text", None),
        (IVE, "outside the allowed range [0, 1] of rate", None, None,
         "overrides.rate[1999].value", 7, _RATE_ALLOWED,
         "Rates and shares are fractions: if you meant 7 %, write 0.07."),
        (IVE, "bad date", None, None, "overrides.rate[x]", "x", _DATE, None),
        heading="3 problem(s) in scenario 'None'; the scenario was not loaded:")
    named = {"name": "crash", "description": "d", "rules": {"attribution": "art", "x": "y"}}
    err = problems_exactly(
        lambda: scenario_from_mapping(named, LAW, rule_names={"attribution": ("art288",)}),
        (URE, "unknown attribution rule", None, None, "rules.attribution", "art",
         "one of art288", "Did you mean art288?"),
        (URE, "unknown rule kind", None, None, "rules", "x", "one of attribution", None),
        heading="2 problem(s) in scenario 'crash'; the scenario was not loaded:")
    assert err.file is None


def test_a_scenario_for_a_caller_with_no_rules(raises_exactly: Raises) -> None:
    raises_exactly(lambda: scenario_from_mapping(_scenario(rules={"attribution": "art288"}),
                                                 LAW),
                   URE, "unknown rule kind", field="rules", value="attribution",
                   expected="one of none (the caller accepts no rules)")
    raises_exactly(lambda: scenario_from_mapping(["x"], LAW, source="s.yaml"), IVE,
                   "a scenario must be a mapping", file="s.yaml",
                   expected="a mapping with keys name, description, overrides, rules")


def test_a_scenario_s_limits_are_accepted() -> None:
    ok = scenario_from_mapping(_scenario(
        overrides={"rate": {"1999": 1, date(2000, 1, 1): "0", 2001: {"value": 1e-300}},
                   "amount": {"1999": "1e300"}, "method": {"1999": "odd"}},
        rules={"attribution": "operation"}), LAW, rule_names=RULES)
    assert [(e.since, e.value, e.reference, e.status) for e in ok.overrides["rate"]] == [
        (date(1999, 1, 1), 1.0, "scenario 's'", "assumed"),
        (date(2000, 1, 1), 0.0, "scenario 's'", "assumed"),
        (date(2001, 1, 1), 1e-300, "scenario 's'", "assumed")]
    assert (ok.overrides["amount"][0].value, ok.overrides["method"][0].value, ok.rules) == (
        1e300, "odd", {"attribution": "operation"})


def test_loading_a_scenario_names_what_is_missing(raises_exactly: Raises,
                                                  tmp_path: Path) -> None:
    raises_exactly(lambda: load_scenario("crash", LAW), IVE,
                   "a scenario name needs the directory to look in", value="crash",
                   expected="a path to a .yaml file, or directory=")
    raises_exactly(lambda: load_scenario("crash", LAW, directory=tmp_path), URE,
                   "unknown scenario", file=str(tmp_path), value="crash",
                   expected="one of (none found)")
    _write(tmp_path, "crash-1998.yaml", "name: c\ndescription: d\n")
    _write(tmp_path, "boom.yaml", "name: b\ndescription: d\n")
    raises_exactly(lambda: load_scenario("crash-1999", LAW, directory=tmp_path), URE,
                   "unknown scenario", file=str(tmp_path), value="crash-1999",
                   expected="one of boom, crash-1998", hint="Did you mean crash-1998?")
    raises_exactly(lambda: load_scenario(tmp_path / "gone.yaml", LAW), DataFileError,
                   "scenario file not found", file=str(tmp_path / "gone.yaml"),
                   expected="an existing .yaml file")
    raises_exactly(lambda: load_scenario(tmp_path / "sub" / "gone", LAW), DataFileError,
                   "scenario file not found", file=str(tmp_path / "sub" / "gone"),
                   expected="an existing .yaml file")
    loaded = load_scenario("crash-1998", LAW, directory=tmp_path)
    assert (loaded.name, loaded.source) == ("c", str(tmp_path / "crash-1998.yaml"))


# --- from the fresh random sample of law/ (``--sample 40 --seed 45 fiscal-law``) -------------

def test_every_rule_is_checked_after_an_unknown_kind(problems_exactly: Problems) -> None:
    data = _scenario(rules={"kind": "x", "attribution": "art", "equalization": 2})
    problems_exactly(
        _s(data),
        (URE, "unknown rule kind", "s.yaml", None, "rules", "kind",
         "one of attribution, equalization", None),
        (URE, "unknown attribution rule", "s.yaml", None, "rules.attribution", "art",
         "one of art288, operation", "Did you mean art288?"),
        (IVE, "not a name", "s.yaml", None, "rules.equalization", 2, "a rule name (text)", None),
        heading="3 problem(s) in scenario 's'; the scenario was not loaded:")


# --- from the third fresh sample of law/ (``--sample 60 --seed 53 fiscal-law``) --------------

def test_a_value_in_force_names_its_path_and_year() -> None:
    given = in_force(TREE, "tax.rate", 1998, default=0.2)  # before the first date: the default
    found = in_force(TREE, "tax.rate", 1999)
    assert (given.path, given.year, given.value) == ("tax.rate", 1998, 0.2)
    assert (found.path, found.year, found.value) == ("tax.rate", 1999, 0.3)
