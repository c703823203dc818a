"""Scenarios: reforms as data, i.e. dated overrides of parameters plus a choice of rules.

A scenario file::

    name: collection-collapse-1998
    description: What the scenario changes, why, and where its numbers come from.
    overrides:
      collection.efficiency:
        1998-01-01: 0.7                         # bare value: status assumed
        1999-01-01: {value: 0.85, note: "..."}  # or an entry as in parameter files
    rules:
      attribution: operation                    # sets rule_kind: attribution

For each overridden parameter the scenario's schedule takes over from its earliest date:
baseline values dated before it stay, later ones are dropped (to end a change, give the value
to return to at a later date). A rule replaces the whole history of every parameter whose
``rule_kind`` matches; rules that no parameter declares are left in :attr:`Scenario.rules`
for the caller. Scenarios are validated against a tree before use (unknown paths and names
fail loudly with suggestions) and :func:`apply` never mutates the baseline.

The engine knows no rule names: callers pass them (``rule_names={"attribution": [...]}``).

Examples:
    >>> from regionet.engines.fiscal.law.parameters import ParameterTree
    >>> tree = ParameterTree.from_mapping({
    ...     "efficiency": {"description": "Collection", "unit": "/1", "values": {
    ...         "1992-01-01": {"value": 1.0, "reference": "none", "status": "assumed"}}},
    ...     "rule": {"description": "Rule", "rule_kind": "attribution", "values": {
    ...         "1992-01-01": {"value": "registration", "reference": "L", "status": "verified"}}}})
    >>> s = scenario_from_mapping({"name": "crash", "description": "1998 crash",
    ...     "overrides": {"efficiency": {"1998-01-01": 0.7, "1999-01-01": 1.0}},
    ...     "rules": {"attribution": "operation"}},
    ...     tree, rule_names={"attribution": ["registration", "operation"]})
    >>> reformed = apply(tree, s)
    >>> reformed.get("efficiency", "1998-06-01"), tree.get("efficiency", "1998-06-01")
    (0.7, 1.0)
    >>> reformed.get("rule", "1995-01-01")
    'operation'
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, TypeAlias

from regionet.core.errors import (
    DataFileError,
    ErrorCollector,
    InvalidValueError,
    RegionetError,
    UnknownReferenceError,
    did_you_mean,
)
from regionet.core.periods import parse_date
from regionet.engines.fiscal.law.files import read_yaml
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.values import STATUSES, Bounds, ParameterValue, Value

__all__ = [
    "RuleNames",
    "Scenario",
    "apply",
    "list_scenarios",
    "load_scenario",
    "scenario_from_mapping",
]

RuleNames: TypeAlias = Mapping[str, Collection[str]]
_TOP_KEYS: Final = ("name", "description", "overrides", "rules")
_ENTRY_KEYS: Final = ("value", "reference", "status", "note")


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: dated parameter overrides and rule choices.

    Attributes:
        name: short identifier (the file stem for bundled scenarios).
        description: what changes and where the numbers come from.
        overrides: parameter path → new dated entries, sorted by date.
        rules: rule kind (e.g. ``attribution``) → rule name.
        source: the file it was read from, if any.
    """

    name: str
    description: str
    overrides: Mapping[str, tuple[ParameterValue, ...]] = field(default_factory=dict)
    rules: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None

    @property
    def is_empty(self) -> bool:
        """True if the scenario changes nothing (the baseline)."""
        return not self.overrides and not self.rules


def _number(raw: object) -> float | None:
    """``raw`` as a float: a number, or a text YAML 1.1 leaves unparsed (``1e300``); else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw)
    if isinstance(raw, str):
        try:
            return float(raw)
        except ValueError:
            return None
    return None


def _percent_hint(value: float, bounds: Bounds | None) -> str | None:
    """A hint for a percentage written where a fraction is expected (35 for 35 %)."""
    if bounds is not None and bounds.high == 1.0 and 2.0 <= value <= 100.0:
        return f"Rates and shares are fractions: if you meant {value:g} %, write {value / 100:g}."
    return None


class _Checker:
    """Validate one scenario mapping against a tree, collecting every problem."""

    def __init__(self, tree: ParameterTree, rule_names: RuleNames, source: str | None) -> None:
        self.tree, self.rule_names, self.source = tree, rule_names, source
        self.errors = ErrorCollector(None, consequence="the scenario was not loaded",
                                     wrap_single=False)
        self.label = "scenario"

    def fail(self, message: str, where: str, value: object = None, expected: str | None = None,
             hint: str | None = None, kind: type[RegionetError] = InvalidValueError) -> None:
        self.errors.add(kind(message, file=self.source, field=where, value=value,
                                expected=expected, hint=hint))

    def text(self, data: Mapping[Any, Any], key: str) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(f"missing {key}", key, value, "a non-empty text")
            return ""
        return value.strip()

    def rule_name(self, kind: str, name: object, where: str) -> None:
        names = self.rule_names.get(kind)
        if names is not None and name not in names:
            self.fail(f"unknown {kind} rule", where, name, f"one of {', '.join(sorted(names))}",
                      did_you_mean(str(name), names), UnknownReferenceError)

    def overrides(self, raw: object) -> dict[str, tuple[ParameterValue, ...]]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.fail("not a mapping", "overrides", None, "{parameter.path: {date: value}}")
            return {}
        out: dict[str, tuple[ParameterValue, ...]] = {}
        for path, schedule in raw.items():
            where = f"overrides.{path}"
            if not isinstance(path, str) or path not in self.tree:
                hint = did_you_mean(path, self.tree.paths()) if isinstance(path, str) else None
                what = ("is a group of parameters, not a parameter"
                        if isinstance(path, str) and self.tree.is_group(path)
                        else "unknown parameter")
                self.fail(what, "overrides", path, "a parameter path (see tree.paths())", hint,
                          UnknownReferenceError)
                continue
            if not isinstance(schedule, Mapping) or not schedule:
                self.fail("no dated values", where, schedule, "a mapping {date: value}")
                continue
            entries = [e for key, item in schedule.items()
                       if (e := self.entry(path, key, item, f"{where}[{key}]"))]
            if len(entries) == len(schedule):
                out[path] = tuple(sorted(entries, key=lambda e: e.since))
        return out

    def entry(self, path: str, key: object, item: object, where: str) -> ParameterValue | None:
        before = len(self.errors)
        day: date | None = None
        if isinstance(key, datetime) or not isinstance(key, (date, str, int)):
            self.fail("bad date", where, key, "an ISO date YYYY-MM-DD")
        else:
            try:
                day = parse_date(key if isinstance(key, date) else str(key))
            except InvalidValueError:
                self.fail("bad date", where, key, "an ISO date YYYY-MM-DD")
        full: Mapping[Any, Any] = item if isinstance(item, Mapping) else {"value": item}
        for k in full:
            if k not in _ENTRY_KEYS:
                self.fail("unknown key", where, k, f"one of {', '.join(_ENTRY_KEYS)}",
                          did_you_mean(str(k), _ENTRY_KEYS))
        raw, leaf = full.get("value"), self.tree.parameter(path)
        value: Value | None = None
        if not leaf.is_numeric and isinstance(raw, str) and raw:
            value = raw
            if leaf.rule_kind is not None:
                self.rule_name(leaf.rule_kind, raw, f"{where}.value")
        elif not leaf.is_numeric:
            self.fail("not a name", f"{where}.value", raw, "a name (text)")
        elif (number := _number(raw)) is not None and math.isfinite(number):
            value = number
            problem = leaf.out_of_bounds(number)
            if problem:
                self.fail(problem, f"{where}.value", raw, leaf.allowed(),
                          _percent_hint(number, leaf.bounds))
        else:
            self.fail("not a number", f"{where}.value", raw, leaf.allowed())
        reference = full.get("reference", f"scenario '{self.label}'")
        status, note = full.get("status", "assumed"), full.get("note")
        if not isinstance(reference, str) or not reference.strip():
            self.fail("bad reference", f"{where}.reference", reference, "a non-empty text")
        if status not in STATUSES:
            self.fail("bad status", f"{where}.status", status, f"one of {', '.join(STATUSES)}")
        if note is not None and not isinstance(note, str):
            self.fail("bad note", f"{where}.note", note, "a text")
        if len(self.errors) > before or day is None:
            return None
        return ParameterValue(day, value, str(reference), str(status),
                              note if isinstance(note, str) else None)

    def rules(self, raw: object, overridden: Collection[str]) -> dict[str, str]:
        if raw is None:
            return {}
        if not isinstance(raw, Mapping):
            self.fail("not a mapping", "rules", None, "{kind: name}, e.g. {attribution: operation}")
            return {}
        out: dict[str, str] = {}
        for kind, name in raw.items():
            if kind not in self.rule_names:
                known = ", ".join(sorted(self.rule_names)) or "none (the caller accepts no rules)"
                self.fail("unknown rule kind", "rules", kind, f"one of {known}",
                          did_you_mean(str(kind), self.rule_names), UnknownReferenceError)
                continue
            if not isinstance(name, str):
                self.fail("not a name", f"rules.{kind}", name, "a rule name (text)")
                continue
            self.rule_name(kind, name, f"rules.{kind}")
            for path in overridden:
                if self.tree.parameter(path).rule_kind == kind:
                    self.fail(f"set both by rules.{kind} and by overrides", f"overrides.{path}",
                              hint="Keep one of the two.")
            out[kind] = name
        return out


def scenario_from_mapping(data: object, tree: ParameterTree, *,
                          rule_names: RuleNames | None = None,
                          source: str | None = None) -> Scenario:
    """Validate a scenario held in a mapping (as read from YAML) against ``tree``.

    Args:
        data: the mapping with ``name``, ``description``, optional ``overrides`` and ``rules``.
        tree: the baseline the scenario will be applied to.
        rule_names: the rule names the caller implements, by kind; rule kinds not listed
            here are rejected, and so are names not listed for their kind.
        source: the file the mapping came from, named in errors.

    Raises:
        InvalidValueError: or UnknownReferenceError for one problem; ValidationError
            listing all of them when there are several.
    """
    if not isinstance(data, Mapping):
        raise InvalidValueError("a scenario must be a mapping", file=source,
                                expected=f"a mapping with keys {', '.join(_TOP_KEYS)}")
    check = _Checker(tree, rule_names or {}, source)
    for key in data:
        if key not in _TOP_KEYS:
            check.fail("unknown key", str(key), key, f"one of {', '.join(_TOP_KEYS)}",
                       did_you_mean(str(key), _TOP_KEYS))
    name, description = check.text(data, "name"), check.text(data, "description")
    check.label = name or "?"
    overrides = check.overrides(data.get("overrides"))
    rules = check.rules(data.get("rules"), overrides)
    check.errors.what = f"scenario '{name or source}'"
    check.errors.raise_if_any()
    return Scenario(name, description, overrides, rules, source)


def list_scenarios(directory: str | Path) -> list[str]:
    """Return the names (file stems) of the ``*.yaml`` scenarios in ``directory``, sorted."""
    return sorted(p.stem for p in Path(directory).glob("*.yaml"))


def load_scenario(path_or_name: str | Path, tree: ParameterTree, *,
                  directory: str | Path | None = None,
                  rule_names: RuleNames | None = None) -> Scenario:
    """Read a scenario file (a path, or a name looked up in ``directory``) and validate it.

    Raises:
        DataFileError: for a missing or unreadable file, or invalid YAML (naming the file).
        UnknownReferenceError: for an unknown scenario name, suggesting the nearest ones.
        InvalidValueError: or ValidationError: see :func:`scenario_from_mapping`.
    """
    given = Path(path_or_name)
    if given.suffix in (".yaml", ".yml") or len(given.parts) > 1:
        file = given
    elif directory is None:
        raise InvalidValueError("a scenario name needs the directory to look in",
                                value=str(path_or_name),
                                expected="a path to a .yaml file, or directory=")
    else:
        file = Path(directory) / f"{given}.yaml"
        if not file.is_file():
            names = list_scenarios(directory)
            raise UnknownReferenceError(
                "unknown scenario", file=str(directory), value=str(path_or_name),
                expected=f"one of {', '.join(names) or '(none found)'}",
                hint=did_you_mean(str(path_or_name), names))
    if not file.is_file():
        raise DataFileError("scenario file not found", file=str(file),
                            expected="an existing .yaml file")
    return scenario_from_mapping(read_yaml(file), tree, rule_names=rule_names,
                                 source=str(file))


def apply(tree: ParameterTree, scenario: Scenario) -> ParameterTree:
    """Return a new tree with ``scenario`` applied; ``tree`` itself is never changed.

    An empty scenario returns a tree equal to ``tree``.

    Raises:
        UnknownReferenceError: if the scenario overrides a path ``tree`` does not have.
    """
    changes = dict(scenario.overrides)
    for kind, rule in scenario.rules.items():
        for path in tree.paths():
            leaf = tree.parameter(path)
            if leaf.rule_kind == kind:
                changes[path] = (ParameterValue(leaf.values[0].since, rule,
                                                f"scenario '{scenario.name}': rules.{kind}",
                                                "assumed"),)
    return tree.override(changes)
