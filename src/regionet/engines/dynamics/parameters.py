"""The dynamics model's parameters: every number with a status (sourced, calibrated, assumed).

A parameter file (the bundled case keeps one in ``cases/russia_1990s/dynamics/``; the io layer
reads the YAML and passes the mapping in) is a tree of groups; a **leaf** is a mapping with a
``status`` and either a constant ``value`` or a ``by_year`` series::

    ratchet:
      offset:
        description: share of a change in own revenue taken back through shared revenue
        unit: /1
        value: 0.9
        status: sourced
        reference: "Zhuravskaya 2000, J. Public Econ. 76(3), abstract"
    centre:
      resolve:
        description: the centre's resolve
        unit: /1
        by_year: {1991: 0.5, 2000: 0.8}   # linear between given years, held beyond them
        status: assumed
        note: why these numbers

Statuses (issue 11): ``sourced`` (a ``reference`` says where the number comes from),
``calibrated`` (fitted to the pattern targets; needs ``bounds: [low, high]``, the prior range
the calibration searches, and a ``reference`` naming the fit) and ``assumed`` (a ``note`` says
why). Every problem of a file is collected and raised at once, naming the file and the path.

Examples:
    >>> p = parse_parameters({"k": {"description": "k", "unit": "/1", "value": 2,
    ...     "status": "assumed", "note": "why"}, "s": {"description": "s", "unit": "/1",
    ...     "by_year": {2000: 0, 2002: 1}, "status": "calibrated", "bounds": [0, 1],
    ...     "reference": "fit"}})
    >>> p.value("k"), p.at("s", 2001), p.at("s", 1990), p.at("s", 2010)
    (2.0, 0.5, 0.0, 1.0)
    >>> [leaf.path for leaf in p.leaves() if leaf.status == "calibrated"]
    ['s']
    >>> parse_parameters({"k": {"description": "k", "value": 1, "status": "guess"}})
    Traceback (most recent call last):
    ...
    regionet.core.errors.InvalidValueError: <mapping>, field 'k.status', value 'guess': ...
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Final

import numpy as np

from regionet.core.errors import ErrorCollector, UnknownReferenceError, did_you_mean
from regionet.engines.fiscal.law.schema import walk_tree

__all__ = ["STATUSES", "DynamicsParameters", "Leaf", "markdown_table", "parse_parameters"]

#: The statuses of a dynamics parameter (issue 11).
STATUSES: Final = ("sourced", "calibrated", "assumed")
_LEAF_KEYS: Final = ("description", "unit", "value", "by_year", "status", "reference", "note",
                     "bounds")


@dataclass(frozen=True)
class Leaf:
    """One parameter: a constant or a series over years, with its provenance.

    Attributes:
        path: dotted path (``ratchet.offset``).
        description: what the number is.
        unit: its unit (``/1`` for shares and rates).
        value: the constant, or None for a series.
        by_year: ``((year, value), ...)`` sorted by year for a series, else empty.
        status: ``sourced``, ``calibrated`` or ``assumed``.
        reference: the source (sourced) or the fit (calibrated).
        note: why (required when assumed).
        bounds: the prior range ``(low, high)`` of a calibrated parameter.
    """

    path: str
    description: str
    unit: str
    value: float | None
    by_year: tuple[tuple[int, float], ...]
    status: str
    reference: str | None = None
    note: str | None = None
    bounds: tuple[float, float] | None = None

    @property
    def is_series(self) -> bool:
        """True for a ``by_year`` series."""
        return self.value is None

    def at(self, year: int) -> float:
        """Return the value in ``year`` (a series is linear between given years, held beyond)."""
        if self.value is not None:
            return self.value
        return _interpolate(self.by_year, year)

    def over(self, years: range) -> np.ndarray:
        """Return the value of each year of ``years`` as a float64 array."""
        return np.array([self.at(y) for y in years], dtype=np.float64)


@lru_cache(maxsize=4096)
def _interpolate(by_year: tuple[tuple[int, float], ...], year: int) -> float:
    """A series' value in ``year`` (memoized: every model and run asks for the same years)."""
    years = [y for y, _ in by_year]
    values = [v for _, v in by_year]
    return float(np.interp(year, years, values))


class DynamicsParameters:
    """The validated parameters, looked up by dotted path (immutable; copies for changes)."""

    __slots__ = ("_groups", "_leaves", "source")

    def __init__(self, leaves: Mapping[str, Leaf], groups: Mapping[str, str] | None = None,
                 source: str | None = None) -> None:
        self._leaves = dict(sorted(leaves.items()))
        self._groups = dict(groups or {})
        self.source = source

    def __repr__(self) -> str:
        return f"DynamicsParameters({len(self._leaves)} parameters from {self.source!r})"

    def __contains__(self, path: object) -> bool:
        return path in self._leaves

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DynamicsParameters):
            return NotImplemented
        return self._leaves == other._leaves

    def __hash__(self) -> int:
        return hash(tuple(self._leaves.items()))

    def paths(self) -> list[str]:
        """Return every parameter's dotted path, sorted."""
        return list(self._leaves)

    def leaves(self) -> Iterator[Leaf]:
        """Yield every parameter in path order."""
        yield from self._leaves.values()

    def leaf(self, path: str) -> Leaf:
        """Return the parameter at ``path``.

        Raises:
            UnknownReferenceError: for an unknown path, suggesting the nearest ones.
        """
        try:
            return self._leaves[path]
        except KeyError:
            raise UnknownReferenceError(
                "unknown dynamics parameter", value=path,
                hint=did_you_mean(path, self._leaves) or "See DynamicsParameters.paths().",
                file=self.source) from None

    def value(self, path: str) -> float:
        """Return a constant (raises for a series: use :meth:`at`)."""
        leaf = self.leaf(path)
        if leaf.value is None:
            raise UnknownReferenceError("is a series: give a year", value=path,
                                        hint="Use at(path, year).", file=self.source)
        return leaf.value

    def at(self, path: str, year: int) -> float:
        """Return the value of ``path`` in ``year`` (constants are the same every year)."""
        return self.leaf(path).at(year)

    def with_values(self, changes: Mapping[str, float | Mapping[int, float]], *,
                    reference: str | None = None, status: str | None = None
                    ) -> DynamicsParameters:
        """Return a copy with new values (a number, or ``{year: number}`` for a series).

        A number replaces a series by a constant and vice versa. ``status`` and ``reference``
        replace the changed leaves' own when given (a scenario's values are ``assumed``; a fit's
        are ``calibrated``).

        Raises:
            UnknownReferenceError: for an unknown path.
            InvalidValueError: (or ValidationError) for a non-finite number or a bad year.

        Examples:
            >>> p = parse_parameters({"k": {"description": "k", "unit": "/1", "value": 1,
            ...     "status": "assumed", "note": "n"}})
            >>> q = p.with_values({"k": {1991: 0.0, 1993: 1.0}})
            >>> q.at("k", 1992), p.value("k")
            (0.5, 1.0)
        """
        leaves = dict(self._leaves)
        errors = ErrorCollector("the parameter changes", consequence="nothing was changed",
                                wrap_single=False)
        for path, new in changes.items():
            with errors.catching():
                leaf = self.leaf(path)
            if path not in self._leaves:
                continue
            value, series = _value_or_series(new, path, errors, self.source)
            if value is None and not series:
                continue
            leaves[path] = replace(leaf, value=value, by_year=series,
                                   status=status or leaf.status,
                                   reference=reference or leaf.reference)
        errors.raise_if_any()
        return DynamicsParameters(leaves, self._groups, self.source)


def _number(raw: object, where: str, errors: ErrorCollector, file: str | None) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        errors.fail("not a finite number", file=file, field=where, value=raw,
                    expected="a finite number")
        return None
    return float(raw)


def _value_or_series(raw: object, where: str, errors: ErrorCollector, file: str | None
                     ) -> tuple[float | None, tuple[tuple[int, float], ...]]:
    """A constant (number) or a series (mapping of years to numbers)."""
    if not isinstance(raw, Mapping):
        return _number(raw, where, errors, file), ()
    if not raw:
        errors.fail("empty series", file=file, field=where, expected="{YEAR: number, ...}")
        return None, ()
    before, points = len(errors), []
    for key, item in raw.items():
        year = key if isinstance(key, int) and not isinstance(key, bool) else None
        if isinstance(key, str) and key.isdigit():
            year = int(key)
        if year is None or not 1800 <= year <= 2200:
            errors.fail("bad year", file=file, field=where, value=key, expected="a year YYYY")
            continue
        number = _number(item, f"{where}[{year}]", errors, file)
        if number is not None:
            points.append((year, number))
    if len(errors) > before:
        return None, ()
    return None, tuple(sorted(points))


class _Builder:
    """Validates a nested mapping into leaves, collecting every problem."""

    def __init__(self, file: str | None) -> None:
        self.file = file or "<mapping>"
        self.leaves: dict[str, Leaf] = {}
        self.groups: dict[str, str] = {}
        self.errors = ErrorCollector("the dynamics parameters", consequence="nothing was loaded",
                                     wrap_single=False)

    def fail(self, message: str, where: str, value: object = None,
             expected: str | None = None, hint: str | None = None) -> None:
        self.errors.fail(message, file=self.file, field=where or None, value=value,
                         expected=expected, hint=hint)

    def node(self, data: object, path: str) -> None:
        walk_tree(data, path, leaf_key="status", groups=self.groups, leaves=self.leaves,
                  leaf=self.leaf, fail=self.fail,
                  expected="a group, or a parameter with a status")

    def leaf(self, data: Mapping[Any, Any], path: str) -> None:
        before = len(self.errors)
        for key in data:
            if key not in _LEAF_KEYS:
                self.fail("unknown key", path, key, "one of " + ", ".join(_LEAF_KEYS),
                          did_you_mean(str(key), _LEAF_KEYS, n=1))
        texts = {k: data.get(k) for k in ("description", "unit", "reference", "note")}
        for key, text in texts.items():
            if text is not None and (not isinstance(text, str) or not text.strip()):
                self.fail(f"bad {key}", f"{path}.{key}", text, "a non-empty text")
        if not isinstance(texts["description"], str):
            self.fail("missing description", f"{path}.description", None, "a non-empty text")
        status = data.get("status")
        if status not in STATUSES:
            self.fail("bad status", f"{path}.status", status, "one of " + ", ".join(STATUSES))
        if ("value" in data) == ("by_year" in data):
            self.fail("give value or by_year (one of them)", path, None,
                      "value: NUMBER, or by_year: {YEAR: NUMBER}")
            return
        raw = data["value"] if "value" in data else data["by_year"]
        if "by_year" in data and not isinstance(raw, Mapping):
            self.fail("by_year is not a mapping", f"{path}.by_year", raw, "{YEAR: NUMBER}")
            return
        value, series = _value_or_series(raw, f"{path}.{'value' if 'value' in data else 'by_year'}",
                                         self.errors, self.file)
        if status == "sourced" and not texts["reference"]:
            self.fail("a sourced parameter needs a reference", f"{path}.reference", None,
                      "the document and locator")
        if status == "assumed" and not texts["note"]:
            self.fail("an assumed parameter needs a note", f"{path}.note", None,
                      "one line saying why this number")
        bounds = self.bounds(data.get("bounds"), path, status, value, series)
        if len(self.errors) == before:
            self.leaves[path] = Leaf(path, str(texts["description"]), str(texts["unit"] or ""),
                                     value, series, str(status), texts["reference"],
                                     texts["note"], bounds)

    def bounds(self, raw: object, path: str, status: object, value: float | None,
               series: tuple[tuple[int, float], ...]) -> tuple[float, float] | None:
        if raw is None:
            if status == "calibrated":
                self.fail("a calibrated parameter needs bounds", f"{path}.bounds", None,
                          "[low, high]: the range the calibration searches")
            return None
        if not isinstance(raw, (list, tuple)) or len(raw) != 2:
            self.fail("bad bounds", f"{path}.bounds", raw, "[low, high]")
            return None
        low, high = (_number(b, f"{path}.bounds", self.errors, self.file) for b in raw)
        if low is None or high is None:
            return None
        values = [value] if value is not None else [v for _, v in series]
        if low > high or any(not low <= v <= high for v in values):
            self.fail("value outside its bounds", f"{path}.bounds", raw,
                      f"low <= high and every value within [{low}, {high}]")
            return None
        return low, high


def parse_parameters(data: Mapping[str, object], file: str | None = None) -> DynamicsParameters:
    """Validate the mapping a parameter file holds (see the module docstring).

    Raises:
        InvalidValueError: for one problem, ValidationError listing all of them for several;
            each names the file and the dotted path.
    """
    builder = _Builder(file)
    builder.node(data, "")
    builder.errors.raise_if_any()
    return DynamicsParameters(builder.leaves, builder.groups, file)


def markdown_table(parameters: DynamicsParameters) -> str:
    """Render every parameter as a Markdown table (the table in ``docs/dynamics.md``).

    Examples:
        >>> p = parse_parameters({"k": {"description": "A rate", "unit": "/1", "value": 0.5,
        ...     "status": "assumed", "note": "n"}})
        >>> print(markdown_table(p).splitlines()[2])
        | `k` | A rate | /1 | 0.5 | assumed |  | n |
    """
    rows = ["| parameter | description | unit | value | status | reference / bounds | note |",
            "|---|---|---|---|---|---|---|"]
    for leaf in parameters.leaves():
        value = (format(leaf.value, ".6g") if leaf.value is not None
                 else ", ".join(f"{y}: {format(v, '.6g')}" for y, v in leaf.by_year))
        where = leaf.reference or ""
        if leaf.bounds:
            where += f" (bounds {format(leaf.bounds[0], 'g')}–{format(leaf.bounds[1], 'g')})"
        cells = [f"`{leaf.path}`", leaf.description, leaf.unit, value, leaf.status, where.strip(),
                 leaf.note or ""]
        rows.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ").strip()
                                      for c in cells) + " |")
    return "\n".join(rows)
