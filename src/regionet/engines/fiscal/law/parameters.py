"""Dated parameters: the law as data, read from OpenFisca-like YAML files.

A parameter directory holds YAML files; each file is a node of the tree named after the file
(``profit_tax.yaml`` → ``profit_tax``; sub-directories nest). A node is a mapping of child
nodes and an optional ``description``; a *leaf* (a parameter) has ``description``, ``unit``
(``/1`` for rates, ``share``, ``currency-RUB-thousand``…), optional ``rule_kind`` and
``values``, a mapping of dates to entries ``{value, reference, status, note}``. A value
applies from its date until the next date; ``value: null`` means "no value from this date"
(not in force, or not in the sources), so lookups fail loudly instead of carrying a stale
number forward. ``status`` is ``verified``, ``partial`` or ``assumed``.

This module knows no law: the Russian case lives in ``regionet/cases/russia_1990s/parameters``.
The entries and leaves are in :mod:`.values`; validating a mapping into leaves is
:mod:`.schema`'s job and reading a directory of YAML files (:func:`~.files.load_parameters`)
is :mod:`.files`'.

Examples:
    >>> tree = ParameterTree.from_mapping({"tax": {"rate": {
    ...     "description": "Tax rate", "unit": "/1", "values": {
    ...         "1992-01-01": {"value": 0.13, "reference": "Law 1", "status": "verified"},
    ...         "1999-04-01": {"value": 0.11, "reference": "Law 2", "status": "partial"}}}}})
    >>> tree.get("tax.rate", "1999-03-31"), tree.get("tax.rate", "1999-04-01")
    (0.13, 0.11)
    >>> p = tree.at("1999-06-01")
    >>> p.tax.rate, p["tax.rate"]
    (0.11, 0.11)
    >>> print(tree.trace("tax.rate", "2005-01-01"))
    tax.rate = 0.11 on 2005-01-01 (since 1999-04-01; Law 2; partial)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any, Final, TypeVar, overload

from regionet.core.errors import (
    InvalidValueError,
    RegionetError,
    UnknownReferenceError,
    did_you_mean,
)
from regionet.core.periods import parse_date
from regionet.engines.fiscal.law.schema import build_leaves
from regionet.engines.fiscal.law.values import (
    DateLike,
    Parameter,
    ParameterTrace,
    ParameterValue,
    Value,
    format_value,
)

__all__ = ["ParameterTree", "ParameterView", "markdown_table"]

_D = TypeVar("_D")
_MISSING: Final = object()


def _as_day(when: DateLike) -> date:
    if isinstance(when, datetime):
        return when.date()
    return parse_date(when, field="date")


class ParameterTree:
    """An immutable tree of dated parameters; look values up by dotted path and date.

    Build one with :func:`~.files.load_parameters` or
    :meth:`from_mapping`; derive a changed copy with :meth:`override` (used by scenarios).
    """

    __slots__ = ("_groups", "_leaves", "source")

    def __init__(self, leaves: Mapping[str, Parameter], groups: Mapping[str, str] | None = None,
                 source: str | None = None) -> None:
        self._leaves = dict(sorted(leaves.items()))
        self._groups = {".".join(p.split(".")[:i]): "" for p in self._leaves
                        for i in range(1, p.count(".") + 1)}
        self._groups.update(groups or {})
        self.source = source

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], *, file: str | None = None) -> ParameterTree:
        """Build a tree from the nested mapping a YAML file would hold (validated).

        Raises:
            InvalidValueError: or ValidationError (several problems) on malformed data.
        """
        return cls(*build_leaves(data, file), source=file)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParameterTree):
            return NotImplemented
        return self._leaves == other._leaves and self._groups == other._groups

    def __contains__(self, path: object) -> bool:
        return path in self._leaves

    def __repr__(self) -> str:
        return f"ParameterTree({len(self._leaves)} parameters from {self.source!r})"

    def paths(self, prefix: str = "") -> list[str]:
        """Return the sorted dotted paths of all parameters (under ``prefix`` if given)."""
        return [p for p in self._leaves if not prefix or p.startswith(prefix + ".")]

    def is_group(self, path: str) -> bool:
        """True if ``path`` names a group of parameters rather than a parameter."""
        return path in self._groups

    def parameter(self, path: str) -> Parameter:
        """Return the parameter (description, unit, dated values) at ``path``.

        Raises:
            UnknownReferenceError: for an unknown path, suggesting the nearest names.
        """
        try:
            return self._leaves[path]
        except KeyError:
            raise self._unknown(path) from None

    @overload
    def get(self, path: str, when: DateLike) -> Value: ...
    @overload
    def get(self, path: str, when: DateLike, default: _D) -> Value | _D: ...
    def get(self, path: str, when: DateLike, default: object = _MISSING) -> object:
        """Return the value of ``path`` in force on ``when`` (a date or ``YYYY[-MM[-DD]]``).

        Raises:
            UnknownReferenceError: for an unknown path, or when the parameter has no value on
                that date (unless ``default`` is given).

        Examples:
            >>> t = ParameterTree.from_mapping({"r": {"description": "r", "unit": "/1",
            ...     "values": {"2002-01-01": {"value": 1, "reference": "L", "status": "assumed"}}}})
            >>> t.get("r", "2005"), t.get("r", "1999", default=None)
            (1.0, None)
        """
        leaf, day = self.parameter(path), _as_day(when)
        entry = leaf.entry(day)
        if entry is not None and entry.value is not None:
            return entry.value
        if default is not _MISSING:
            return default
        raise self._no_value(leaf, day, entry)

    def at(self, when: DateLike) -> ParameterView:
        """Return a view of every parameter as of ``when`` (see :class:`ParameterView`)."""
        return ParameterView(self, _as_day(when))

    def trace(self, path: str, when: DateLike) -> ParameterTrace:
        """Return the value on ``when`` with its reference, status and since/until dates.

        Raises:
            UnknownReferenceError: for an unknown path or a date before the first value.
        """
        leaf, day = self.parameter(path), _as_day(when)
        entry = leaf.entry(day)
        if entry is None:
            raise self._no_value(leaf, day, None)
        later = [v.since for v in leaf.values if v.since > entry.since]
        return ParameterTrace(path, day, entry.value, entry.since, later[0] if later else None,
                              entry.reference, entry.status, entry.note, leaf.description,
                              leaf.unit, leaf.file)

    def override(self, changes: Mapping[str, Sequence[ParameterValue]]) -> ParameterTree:
        """Return a new tree where each path's schedule is taken over from its first new date.

        Entries of the baseline dated on or after the earliest override are dropped; earlier
        ones stay. Unchanged parameters are shared (they are immutable); ``self`` is untouched.

        Raises:
            UnknownReferenceError: for an unknown path.
            InvalidValueError: for a name given to a numeric parameter or vice versa, or a
                number outside the parameter's bounds.
        """
        leaves = dict(self._leaves)
        for path, entries in changes.items():
            leaf = self.parameter(path)
            new = sorted(entries, key=lambda v: v.since)
            for e in new:
                if e.value is not None and isinstance(e.value, float) != leaf.is_numeric:
                    raise InvalidValueError(
                        "value has the wrong type", field=f"{path}[{e.since}]", value=e.value,
                        expected="a number" if leaf.is_numeric else "a name (text)")
                problem = leaf.out_of_bounds(e.value)
                if problem:
                    raise InvalidValueError(problem, field=f"{path}[{e.since}]", value=e.value,
                                            expected=leaf.allowed())
            if new:
                kept = [v for v in leaf.values if v.since < new[0].since]
                leaves[path] = replace(leaf, values=tuple(kept + new))
        return ParameterTree(leaves, self._groups, self.source)

    def _unknown(self, path: str) -> UnknownReferenceError:
        if path in self._groups:
            inside = ", ".join(self.paths(path)[:4])
            return UnknownReferenceError("is a group of parameters, not a parameter",
                                         value=path, expected=f"one of its parameters: {inside}")
        hint = (did_you_mean(path, [*self._leaves, *self._groups])
                or "See ParameterTree.paths() for the known parameters.")
        return UnknownReferenceError("unknown parameter", value=path, hint=hint)

    @staticmethod
    def _no_value(leaf: Parameter, day: date, entry: ParameterValue | None) -> RegionetError:
        if entry is None:
            return UnknownReferenceError(
                f"parameter has no value on {day}", field=leaf.path, file=leaf.file,
                expected=f"a date on or after {leaf.values[0].since}")
        return UnknownReferenceError(
            f"parameter has no value on {day}: null since {entry.since}"
            + (f" ({entry.note})" if entry.note else ""), field=leaf.path, file=leaf.file,
            hint="Pass default= to get() for a fallback.")


class ParameterView:
    """All parameters as of one date: ``view["a.b"]`` or ``view.a.b`` give values.

    Attribute access returns a sub-view for a group and the value for a parameter (use
    item access, :meth:`number` or :meth:`text` in typed code, or for names that clash
    with the methods here).
    """

    __slots__ = ("_prefix", "_tree", "day")

    def __init__(self, tree: ParameterTree, day: date, prefix: str = "") -> None:
        self._tree, self.day, self._prefix = tree, day, prefix

    def _full(self, path: str) -> str:
        return f"{self._prefix}.{path}" if self._prefix else path

    def __getitem__(self, path: str) -> Value:
        return self._tree.get(self._full(path), self.day)

    def number(self, path: str) -> float:
        """Return a numeric parameter (path relative to this view), typed for mypy."""
        value = self[path]
        if isinstance(value, float):
            return value
        raise InvalidValueError("parameter holds a name", field=self._full(path), value=value,
                                expected="a numeric parameter")

    def text(self, path: str) -> str:
        """Return a name parameter such as a rule name (path relative to this view)."""
        value = self[path]
        if isinstance(value, str):
            return value
        raise InvalidValueError("parameter holds a number", field=self._full(path),
                                value=value, expected="a name parameter")

    def node(self, path: str) -> ParameterView:
        """Return the sub-view of the group at ``path`` (relative to this view)."""
        full = self._full(path)
        if not self._tree.is_group(full):
            raise self._tree._unknown(full)
        return ParameterView(self._tree, self.day, full)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        full = self._full(name)
        if full in self._tree:
            return self._tree.get(full, self.day)
        if self._tree.is_group(full):
            return ParameterView(self._tree, self.day, full)
        raise AttributeError(str(self._tree._unknown(full)))

    def to_dict(self) -> dict[str, Value | None]:
        """Return ``{path: value}`` for the parameters under this view (None: no value)."""
        return {p: self._tree.get(p, self.day, None) for p in self._tree.paths(self._prefix)}

    def __repr__(self) -> str:
        return f"ParameterView({self._prefix or '<root>'!r} on {self.day})"


def markdown_table(tree: ParameterTree) -> str:
    """Render every dated value as a Markdown table (the table in ``docs/parameters.md``).

    Examples:
        >>> t = ParameterTree.from_mapping({"r": {"description": "A rate", "unit": "/1",
        ...     "values": {"2002-01-01": {"value": 0.5, "reference": "L", "status": "assumed"}}}})
        >>> print(markdown_table(t).splitlines()[2])
        | `r` | A rate | /1 | [0, 1] | 2002-01-01 | 0.5 | assumed | L |  |
    """
    rows = ["| parameter | description | unit | bounds | from | value | status | reference | "
            "note |", "|---|---|---|---|---|---|---|---|---|"]
    for path in tree.paths():
        leaf = tree.parameter(path)
        for i, v in enumerate(leaf.values):
            cells = ([f"`{path}`", leaf.description, leaf.unit or "",
                      "" if leaf.bounds is None else str(leaf.bounds)] if i == 0
                     else ["", "", "", ""])
            cells += [str(v.since), format_value(v.value), v.status, v.reference, v.note or ""]
            rows.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ").strip()
                                          for c in cells) + " |")
    return "\n".join(rows)
