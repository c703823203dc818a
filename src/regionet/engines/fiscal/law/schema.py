"""The parameter file format, checked: validating nested mappings into parameters.

A leaf has ``description``, ``unit`` (``/1`` for rates, ``share``, ``currency-RUB-thousand``…),
optional ``bounds``, optional ``rule_kind`` and ``values``, a mapping of dates to ``{value,
reference, status, note}``; any other mapping is a group of nodes with an optional
``description``. A numeric leaf's values must lie in its ``bounds: [low, high]`` (``null`` for
no limit), by default those of its unit (:data:`UNIT_BOUNDS`); a numeric leaf whose unit has
none must declare them. Every node, leaf and dated entry is checked and *all* problems are
raised at once, naming file, dotted path and date key (a single problem keeps its own type).

Examples:
    >>> build_leaves({"r": {"description": "r", "unit": "/1", "values": {
    ...     "2002-01-01": {"value": 1, "reference": "L", "status": "guess"}}}})
    Traceback (most recent call last):
    ...
    regionet.core.errors.InvalidValueError: <mapping>, field 'r.values[2002-01-01].status', ...
    >>> leaves, groups = build_leaves({"tax": {"description": "Taxes", "rate": {
    ...     "description": "r", "unit": "/1", "values": {
    ...         "2002-01-01": {"value": 1, "reference": "L", "status": "assumed"}}}}})
    >>> list(leaves), groups
    (['tax.rate'], {'tax': 'Taxes'})
    >>> str(leaves["tax.rate"].bounds)
    '[0, 1]'
    >>> build_leaves({"r": {"description": "r", "unit": "share", "values": {
    ...     "2002-01-01": {"value": 1.5, "reference": "L", "status": "assumed"}}}})
    Traceback (most recent call last):
    ...
    regionet.core.errors.InvalidValueError: <mapping>, ...: outside the allowed range [0, 1] of r...
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Container, Mapping
from datetime import date, datetime
from typing import Any, Final

from regionet.core.errors import ErrorCollector, InvalidValueError, did_you_mean
from regionet.core.periods import parse_date
from regionet.engines.fiscal.law.values import STATUSES, Bounds, Parameter, ParameterValue

__all__ = ["CURRENCY_BOUNDS", "NAME", "UNIT_BOUNDS", "LeafBuilder", "build_leaves",
           "default_bounds", "walk_tree"]

#: The form of a node name (and of a parameter file's name).
NAME: Final = re.compile(r"^[a-z][a-z0-9_]*$")
#: Bounds a numeric parameter has by default, by unit: rates and shares are fractions, so a
#: profit-tax rate of 35 (meant as 35 %) or a share of 1.5 is refused unless declared.
UNIT_BOUNDS: Final = {"/1": Bounds(0.0, 1.0), "share": Bounds(0.0, 1.0)}
#: Bounds of a ``currency-…`` unit by default: an amount of money is not negative.
CURRENCY_BOUNDS: Final = Bounds(0.0, None)
_LEAF_KEYS: Final = ("description", "unit", "bounds", "rule_kind", "values")


def default_bounds(unit: str | None) -> Bounds | None:
    """The bounds ``unit`` implies (None: the parameter must declare its own).

    Examples:
        >>> str(default_bounds("share")), str(default_bounds("currency-RUB")), default_bounds("km")
        ('[0, 1]', '[0, ∞)', None)
    """
    if unit is None:
        return None
    return CURRENCY_BOUNDS if unit.startswith("currency-") else UNIT_BOUNDS.get(unit)
_ENTRY_KEYS: Final = ("value", "reference", "status", "note")
_MISSING: Final = object()


#: What :func:`walk_tree` reports a problem to: ``(message, dotted path, value, expected)``.
Fail = Callable[[str, str, object, str | None], None]


def walk_tree(data: object, path: str, *, leaf_key: str, groups: dict[str, str],
              leaves: Container[str], leaf: Callable[[Mapping[Any, Any], str], None],
              fail: Fail, expected: str) -> None:
    """Walk a parameter file's tree of groups down to its leaves, checking the node names.

    The walk shared by the law's parameter files (a leaf holds ``values``) and the dynamics
    model's (a leaf holds a ``status``): a mapping holding ``leaf_key`` is handed to
    ``leaf`` with its dotted path; any other mapping is a group, whose ``description`` goes
    to ``groups`` and whose other keys are snake_case names of nodes under it. A node that
    is not a mapping, a bad name, or a path already in ``groups`` or ``leaves`` is reported
    to ``fail``; the walk goes on, so every problem is found at once.

    Args:
        data: the node (the whole file's mapping at the top).
        path: its dotted path (``""`` at the top).
        leaf_key: the key that makes a mapping a leaf.
        groups: group descriptions by path, filled in.
        leaves: the paths already taken by leaves (to refuse a path defined twice).
        leaf: checks and keeps one leaf.
        fail: keeps one problem.
        expected: what a node should be, for the "not a mapping" problem.

    Examples:
        >>> found, problems, groups = [], [], {}
        >>> walk_tree({"tax": {"description": "T", "rate": {"status": "x"}, "Bad": {}}}, "",
        ...           leaf_key="status", groups=groups, leaves=(),
        ...           leaf=lambda item, where: found.append(where),
        ...           fail=lambda *problem: problems.append(problem[:3]), expected="a node")
        >>> found, groups, problems
        (['tax.rate'], {'tax': 'T'}, [('bad node name', 'tax', 'Bad')])
    """
    if not isinstance(data, Mapping):
        fail("not a mapping", path, None, expected)
        return
    if leaf_key in data:
        leaf(data, path)
        return
    if path:
        groups[path] = str(data.get("description", ""))
    for key, child in data.items():
        if key == "description":
            continue
        if not isinstance(key, str) or not NAME.match(key):
            fail("bad node name", path, key, "a snake_case name ([a-z][a-z0-9_]*)")
            continue
        full = f"{path}.{key}" if path else key
        if full in leaves or full in groups:
            fail("parameter defined twice", full, None, None)
        walk_tree(child, full, leaf_key=leaf_key, groups=groups, leaves=leaves, leaf=leaf,
                  fail=fail, expected=expected)


class LeafBuilder:
    """Validates nested mappings into parameters, collecting every problem.

    Feed it one mapping per file with :meth:`node`, then call :meth:`finish`.
    """

    def __init__(self) -> None:
        self.leaves: dict[str, Parameter] = {}
        self.groups: dict[str, str] = {}
        self.errors = ErrorCollector("the parameters", consequence="nothing was loaded",
                                     wrap_single=False)

    def fail(self, message: str, file: str, where: str, value: object = None,
             expected: str | None = None, hint: str | None = None) -> None:
        """Keep one problem at ``where`` (a dotted path) of ``file``."""
        self.errors.fail(message, file=file, field=where or None, value=value,
                         expected=expected, hint=hint)

    def node(self, data: object, path: str, file: str) -> None:
        """Check a group or a leaf at ``path`` and everything under it."""
        walk_tree(data, path, leaf_key="values", groups=self.groups, leaves=self.leaves,
                  leaf=lambda item, where: self.leaf(item, where, file),
                  fail=lambda message, where, value, expected:
                  self.fail(message, file, where, value, expected),
                  expected="a group of parameters or a parameter with description, unit and "
                           "values")

    def leaf(self, data: Mapping[Any, Any], path: str, file: str) -> None:
        """Check one parameter and keep it if it has no problem."""
        before = len(self.errors)
        for key in data:
            if key not in _LEAF_KEYS:
                self.fail("unknown key", file, path, key, f"one of {', '.join(_LEAF_KEYS)}",
                          did_you_mean(str(key), _LEAF_KEYS, n=1))
        description, unit, kind = (data.get(k) for k in ("description", "unit", "rule_kind"))
        if not isinstance(description, str) or not description.strip():
            self.fail("missing description", file, f"{path}.description", description,
                      "a non-empty text")
        for key, val in (("unit", unit), ("rule_kind", kind)):
            if val is not None and not isinstance(val, str):
                self.fail(f"bad {key}", file, f"{path}.{key}", val, "a text")
        raw = data["values"]
        if not isinstance(raw, Mapping) or not raw:
            self.fail("no values", file, f"{path}.values", None,
                      "a mapping of dates to {value, reference, status}")
            return
        entries = [e for key, item in raw.items()
                   if (e := self.entry(key, item, f"{path}.values[{key}]", file))]
        kinds = {type(e.value).__name__ for e in entries if e.value is not None}
        if len(kinds) > 1:
            self.fail("mixes numbers and names", file, f"{path}.values", None,
                      "all values numbers or all values names")
        if "float" in kinds and not unit:
            self.fail("a numeric parameter needs a unit", file, f"{path}.unit", None,
                      "e.g. '/1', 'share' or 'currency-RUB'")
        days = sorted(e.since for e in entries)
        for a, b in itertools.pairwise(days):
            if a == b:
                self.fail("two values for one date", file, f"{path}.values", str(a))
        bounds = self.bounds(data.get("bounds", _MISSING), "float" in kinds, "str" in kinds,
                             unit if isinstance(unit, str) else None, path, file)
        if len(self.errors) == before:
            leaf = Parameter(path, str(description), tuple(sorted(entries, key=lambda e: e.since)),
                             unit if isinstance(unit, str) else None,
                             kind if isinstance(kind, str) else None, file, bounds)
            for e in leaf.values:
                problem = leaf.out_of_bounds(e.value)
                if problem:
                    self.fail(problem, file, f"{path}.values[{e.since}].value", e.value,
                              leaf.allowed())
            if len(self.errors) == before:
                self.leaves[path] = leaf

    def bounds(self, raw: object, numeric: bool, names: bool, unit: str | None, path: str,
               file: str) -> Bounds | None:
        """The leaf's bounds: declared, or its unit's; None for names (problems kept)."""
        where = f"{path}.bounds"
        if raw is _MISSING:
            found = None if names else default_bounds(unit)
            if numeric and found is None:
                self.fail("a numeric parameter needs bounds", file, where, None,
                          f"bounds: [low, high] (null for no limit); units with default "
                          f"bounds: {', '.join(UNIT_BOUNDS)}, currency-…")
            return found
        if names:
            self.fail("bounds on a parameter that holds names", file, where, raw,
                      "no bounds (names have none)")
            return None
        ends = list(raw) if isinstance(raw, (list, tuple)) else None
        if ends is None or len(ends) != 2 or not all(
                e is None or (isinstance(e, (int, float)) and not isinstance(e, bool)
                              and math.isfinite(e)) for e in ends):
            self.fail("bad bounds", file, where, raw,
                      "[low, high]: two finite numbers or null (no limit), e.g. [0, 1]")
            return None
        low, high = (None if e is None else float(e) for e in ends)
        if low is not None and high is not None and low > high:
            self.fail("bounds in the wrong order", file, where, raw, "low <= high")
            return None
        return Bounds(low, high)

    def entry(self, key: object, item: object, where: str, file: str) -> ParameterValue | None:
        """Check one dated entry; None when it has a problem (kept in ``errors``)."""
        try:
            if isinstance(key, datetime) or not isinstance(key, (date, str, int)):
                raise InvalidValueError("not a date", value=key)
            day = parse_date(key if isinstance(key, date) else str(key))
        except InvalidValueError:
            self.fail("bad date key", file, where, key, "an ISO date YYYY-MM-DD")
            return None
        if not isinstance(item, Mapping):
            self.fail("bad entry", file, where, item, "a mapping with value, reference, status")
            return None
        ok = len(self.errors)
        for k in item:
            if k not in _ENTRY_KEYS:
                self.fail("unknown key", file, where, k, f"one of {', '.join(_ENTRY_KEYS)}")
        if "value" not in item:
            self.fail("missing value", file, f"{where}.value", None, "a number, a name or null")
        value = item.get("value")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not math.isfinite(value):
                self.fail("not a finite number", file, f"{where}.value", value, "a finite number")
            value = float(value)
        elif value is not None and not isinstance(value, str):
            self.fail("bad value", file, f"{where}.value", value, "a number, a name or null")
        reference, status, note = item.get("reference"), item.get("status"), item.get("note")
        if not isinstance(reference, str) or not reference.strip():
            self.fail("missing reference", file, f"{where}.reference", reference,
                      "the legal or documentary source as text")
        if status not in STATUSES:
            self.fail("bad status", file, f"{where}.status", status,
                      f"one of {', '.join(STATUSES)}")
        if note is not None and not isinstance(note, str):
            self.fail("bad note", file, f"{where}.note", note, "a text")
        if len(self.errors) > ok:
            return None
        return ParameterValue(day, value, str(reference), str(status), note)

    def finish(self) -> tuple[dict[str, Parameter], dict[str, str]]:
        """Return the leaves and group descriptions, or raise every problem found."""
        self.errors.raise_if_any()
        return self.leaves, self.groups


def build_leaves(data: Mapping[str, object], file: str | None = None
                 ) -> tuple[dict[str, Parameter], dict[str, str]]:
    """Validate the nested mapping one YAML file would hold into leaves and groups.

    The work behind :meth:`.ParameterTree.from_mapping`; ``file`` names the source in error
    messages (``<mapping>`` if not given).

    Raises:
        InvalidValueError: or ValidationError (several problems) on malformed data.
    """
    builder = LeafBuilder()
    builder.node(data, "", file or "<mapping>")
    return builder.finish()
