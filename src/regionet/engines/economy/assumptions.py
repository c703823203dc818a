"""Constants of the illustrative economy: parsed, validated and typed from a plain mapping.

The generator (:mod:`regionet.engines.economy.economy`) reads every constant from one mapping
(the bundled case keeps it in ``cases/russia_1990s/economy/assumptions.yaml``; the io layer
parses the YAML and passes the mapping in). Two entry forms:

- a **constant**: ``{value, status, note[, reference][, calibrated]}`` where ``value`` is a
  number, a mapping of names to numbers, or a mapping of names to names;
- a **series** over years: ``{description, unit, interpolation, values: {YEAR: constant}}``,
  interpolated ``linear`` or ``log_linear`` between years and held constant beyond the first
  and last year.

Any other mapping is a group of entries (with an optional ``description``). ``status`` is
``verified``, ``partial`` or ``assumed``; a ``reference`` is required unless the status is
``assumed``; every entry carries a one-line ``note`` saying why. Problems are collected and
reported together.

Examples:
    >>> a = parse_assumptions({"k": {"value": 2, "status": "assumed", "note": "why"},
    ...     "s": {"description": "d", "unit": "u", "interpolation": "linear", "values": {
    ...         2000: {"value": 0, "status": "assumed", "note": "n"},
    ...         2002: {"value": 1, "status": "assumed", "note": "n", "calibrated": True}}}})
    >>> a.number("k"), a.series("s").at(2001), a.series("s").at(1990), a.series("s").at(2010)
    (2.0, 0.5, 0.0, 1.0)
    >>> [e.path for e in a.calibrated()]
    ['s[2002]']
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from regionet.core.errors import (
    ErrorCollector,
    InvalidValueError,
    UnknownReferenceError,
    did_you_mean,
)
from regionet.engines.fiscal.law.values import STATUSES

__all__ = ["INTERPOLATIONS", "Constant", "EconomyAssumptions", "Series", "markdown_table",
           "parse_assumptions"]

#: How a series fills the years between two given years.
INTERPOLATIONS: Final = ("linear", "log_linear")
_CONSTANT_KEYS: Final = ("value", "status", "note", "reference", "calibrated")
_SERIES_KEYS: Final = ("description", "unit", "interpolation", "values")

Value = float | Mapping[str, float] | Mapping[str, str]


@dataclass(frozen=True)
class Constant:
    """One constant with its provenance.

    Attributes:
        path: dotted path in the mapping (``name[YEAR]`` for a year of a series).
        value: a float, or a mapping of names to floats or to names.
        status: ``verified``, ``partial`` or ``assumed``.
        note: one-line reason.
        reference: the source, when the status is not ``assumed``.
        calibrated: True when the calibration may tune it.
    """

    path: str
    value: Value
    status: str
    note: str
    reference: str | None = None
    calibrated: bool = False


@dataclass(frozen=True)
class Series:
    """A number per year, given at some years and interpolated between them.

    Attributes:
        path: dotted path in the mapping.
        description: what the number is.
        unit: its unit.
        interpolation: ``linear`` or ``log_linear``.
        points: ``(year, constant)`` pairs sorted by year.
    """

    path: str
    description: str
    unit: str
    interpolation: str
    points: tuple[tuple[int, Constant], ...]

    def at(self, year: int) -> float:
        """Return the value in ``year`` (interpolated; held constant beyond the ends)."""
        years = [y for y, _ in self.points]
        values = [float(c.value) for _, c in self.points]  # type: ignore[arg-type]
        if year <= years[0]:
            return values[0]
        if year >= years[-1]:
            return values[-1]
        k = next(i for i, y in enumerate(years) if y >= year)
        y0, y1, v0, v1 = years[k - 1], years[k], values[k - 1], values[k]
        t = (year - y0) / (y1 - y0)
        if self.interpolation == "log_linear" and v0 > 0 and v1 > 0:
            return math.exp((1 - t) * math.log(v0) + t * math.log(v1))
        return (1 - t) * v0 + t * v1

    def basis(self, year: int) -> str:
        """Say how the value of ``year`` is obtained (given, interpolated or held)."""
        years = [y for y, _ in self.points]
        if year in years:
            return "given"
        if year < years[0] or year > years[-1]:
            return f"held from {years[0] if year < years[0] else years[-1]}"
        k = next(i for i, y in enumerate(years) if y >= year)
        return f"{self.interpolation.replace('_', '-')} between {years[k - 1]} and {years[k]}"


class EconomyAssumptions:
    """The validated constants of the illustrative economy, looked up by dotted path."""

    __slots__ = ("_constants", "_series")

    def __init__(self, constants: Mapping[str, Constant], series: Mapping[str, Series]) -> None:
        self._constants = dict(constants)
        self._series = dict(series)

    def __repr__(self) -> str:
        return f"EconomyAssumptions({len(self._constants)} constants, {len(self._series)} series)"

    def _unknown(self, path: str, kind: str) -> UnknownReferenceError:
        known = self._constants if kind == "constant" else self._series
        return UnknownReferenceError(f"no such {kind} in the economy assumptions", field=path,
                                     hint=did_you_mean(path, known))

    def has(self, path: str) -> bool:
        """True if a constant or a series lives at ``path``."""
        return path in self._constants or path in self._series

    def constant(self, path: str) -> Constant:
        """Return the constant at ``path``."""
        try:
            return self._constants[path]
        except KeyError:
            raise self._unknown(path, "constant") from None

    def series(self, path: str) -> Series:
        """Return the series at ``path``."""
        try:
            return self._series[path]
        except KeyError:
            raise self._unknown(path, "series") from None

    def number(self, path: str) -> float:
        """Return a numeric constant."""
        value = self.constant(path).value
        if not isinstance(value, float):
            raise InvalidValueError("not a number", field=path, value=value, expected="a number")
        return value

    def numbers(self, path: str) -> dict[str, float]:
        """Return a constant that maps names to numbers."""
        value = self.constant(path).value
        if not isinstance(value, Mapping) or not all(isinstance(v, float) for v in value.values()):
            raise InvalidValueError("not a mapping of numbers", field=path, value=value,
                                    expected="a mapping of names to numbers")
        return {str(k): float(v) for k, v in value.items()}

    def names(self, path: str) -> dict[str, str]:
        """Return a constant that maps names to names."""
        value = self.constant(path).value
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            raise InvalidValueError("not a mapping of names", field=path, value=value,
                                    expected="a mapping of names to names")
        return {str(k): str(v) for k, v in value.items()}

    def group(self, prefix: str) -> list[str]:
        """Return the names of the constants directly under ``prefix``."""
        start = prefix + "."
        return sorted({p[len(start):].split(".")[0] for p in self._constants
                       if p.startswith(start)})

    def entries(self) -> Iterator[Constant]:
        """Yield every constant, the years of every series included, in path order."""
        items: list[Constant] = list(self._constants.values())
        items += [c for s in self._series.values() for _, c in s.points]
        yield from sorted(items, key=lambda c: c.path)

    def calibrated(self) -> list[Constant]:
        """Return the constants the calibration may tune."""
        return [c for c in self.entries() if c.calibrated]

    def with_values(self, changes: Mapping[str, float]) -> EconomyAssumptions:
        """Return a copy with new numeric values at ``path`` or ``path[YEAR]`` (calibration).

        Examples:
            >>> a = parse_assumptions({"k": {"value": 1, "status": "assumed", "note": "n"}})
            >>> a.with_values({"k": 3}).number("k"), a.number("k")
            (3.0, 1.0)
        """
        constants, series = dict(self._constants), dict(self._series)
        for path, value in changes.items():
            if "[" in path:
                name, year_text = path[:-1].split("[")
                old = self.series(name)
                year = int(year_text)
                if year not in dict(old.points):
                    raise UnknownReferenceError("no such year in the series", field=path,
                                                expected=", ".join(str(y) for y, _ in old.points))
                points = tuple((y, _replace(c, value) if y == year else c) for y, c in old.points)
                series[name] = Series(old.path, old.description, old.unit, old.interpolation,
                                      points)
            else:
                constants[path] = _replace(self.constant(path), value)
        return EconomyAssumptions(constants, series)


def _replace(constant: Constant, value: float) -> Constant:
    return Constant(constant.path, float(value), constant.status, constant.note,
                    constant.reference, constant.calibrated)


class _Parser:
    def __init__(self) -> None:
        self.constants: dict[str, Constant] = {}
        self.series: dict[str, Series] = {}
        self.errors = ErrorCollector("the economy assumptions",
                                     consequence="nothing was loaded", wrap_single=False)

    def fail(self, message: str, path: str, value: object = None,
             expected: str | None = None) -> None:
        self.errors.add(InvalidValueError(message, file="economy assumptions", field=path,
                                             value=value, expected=expected))

    def node(self, data: object, path: str) -> None:
        if not isinstance(data, Mapping):
            self.fail("not a mapping", path, data, "a constant, a series or a group")
            return
        if "value" in data:
            constant = self.constant(data, path)
            if constant is not None:
                self.constants[path] = constant
        elif "values" in data:
            self.parse_series(data, path)
        else:
            for key, child in data.items():
                if key == "description" and isinstance(child, str):
                    continue
                self.node(child, f"{path}.{key}" if path else str(key))

    def constant(self, data: Mapping[object, object], path: str) -> Constant | None:
        unknown = [str(k) for k in data if k not in _CONSTANT_KEYS]
        if unknown:
            self.fail("unknown key(s) " + ", ".join(unknown), path, None,
                      "keys " + ", ".join(_CONSTANT_KEYS))
        status, note, reference = data.get("status"), data.get("note"), data.get("reference")
        calibrated = data.get("calibrated", False)
        problems = len(self.errors)
        if status not in STATUSES:
            self.fail("bad status", f"{path}.status", status, "one of " + ", ".join(STATUSES))
        if not isinstance(note, str) or not note.strip():
            self.fail("missing note", f"{path}.note", note, "a one-line reason")
        if reference is None and status != "assumed":
            self.fail("missing reference", f"{path}.reference", None,
                      "a source for a value whose status is not 'assumed'")
        if not isinstance(calibrated, bool):
            self.fail("bad flag", f"{path}.calibrated", calibrated, "true or false")
        value = self.value(data["value"], f"{path}.value")
        if value is None or len(self.errors) > problems:
            return None
        return Constant(path, value, str(status), str(note),
                        None if reference is None else str(reference), bool(calibrated))

    def value(self, raw: object, path: str) -> Value | None:
        if isinstance(raw, bool):
            self.fail("not a number", path, raw, "a number or a mapping")
            return None
        if isinstance(raw, int | float):
            if not math.isfinite(raw):
                self.fail("not finite", path, raw, "a finite number")
                return None
            return float(raw)
        if isinstance(raw, Mapping) and raw:
            values = list(raw.values())
            if all(isinstance(v, str) for v in values):
                return {str(k): str(v) for k, v in raw.items()}
            if all(isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                   for v in values):
                return {str(k): float(v) for k, v in raw.items()}
        self.fail("bad value", path, raw, "a number, or a mapping of names to numbers or names")
        return None

    def parse_series(self, data: Mapping[object, object], path: str) -> None:
        unknown = [str(k) for k in data if k not in _SERIES_KEYS]
        missing = [k for k in _SERIES_KEYS if k not in data]
        if unknown or missing:
            self.fail("bad series keys", path, ", ".join(unknown + missing) or None,
                      "keys " + ", ".join(_SERIES_KEYS))
            return
        interpolation = data["interpolation"]
        if interpolation not in INTERPOLATIONS:
            self.fail("bad interpolation", f"{path}.interpolation", interpolation,
                      "one of " + ", ".join(INTERPOLATIONS))
        values = data["values"]
        if not isinstance(values, Mapping) or not values:
            self.fail("no values", f"{path}.values", values, "a mapping of years to entries")
            return
        points: list[tuple[int, Constant]] = []
        for year, entry in values.items():
            where = f"{path}[{year}]"
            if isinstance(year, bool) or not isinstance(year, int):
                self.fail("bad year", where, year, "a year such as 1998")
                continue
            constant = self.constant(entry, where) if isinstance(entry, Mapping) else None
            if not isinstance(entry, Mapping):
                self.fail("not a mapping", where, entry, "{value, status, note}")
            elif constant is not None and not isinstance(constant.value, float):
                self.fail("not a number", where, constant.value, "a number")
            elif constant is not None:
                points.append((year, constant))
        if len(points) == len(values) and interpolation in INTERPOLATIONS:
            self.series[path] = Series(path, str(data["description"]), str(data["unit"]),
                                       str(interpolation), tuple(sorted(points,
                                                                        key=lambda p: p[0])))


def _cell(value: Value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 1e5 else f"{value:.6g}"
    return ", ".join(f"{k} {v:.6g}" if isinstance(v, float) else f"{k} → {v}"
                     for k, v in value.items())


def markdown_table(assumptions: EconomyAssumptions) -> str:
    """Return every constant as a markdown table (path, value, status, tuned, reason, source).

    Examples:
        >>> a = parse_assumptions({"k": {"value": 2, "status": "assumed", "note": "why"}})
        >>> print(markdown_table(a).splitlines()[-1])
        | `k` | 2 | assumed |  | why |  |
    """
    lines = ["| constant | value | status | tuned | reason | source |",
             "|---|---|---|---|---|---|"]
    for c in assumptions.entries():
        note = c.note.replace("|", "/")
        source = (c.reference or "").replace("|", "/")
        lines.append(f"| `{c.path}` | {_cell(c.value)} | {c.status} | "
                     f"{'yes' if c.calibrated else ''} | {note} | {source} |")
    return "\n".join(lines)


def parse_assumptions(data: Mapping[str, object]) -> EconomyAssumptions:
    """Validate the economy's constants (a parsed YAML mapping) and return them typed.

    Raises:
        InvalidValueError: one problem (naming the dotted path, the value and what was
            expected), or ValidationError listing every problem found.
    """
    parser = _Parser()
    parser.node(data, "")
    parser.errors.raise_if_any()
    return EconomyAssumptions(parser.constants, parser.series)
