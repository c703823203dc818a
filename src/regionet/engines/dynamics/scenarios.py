"""Dynamics scenarios as data: overrides of the dynamics parameters plus a fiscal scenario.

A scenario file (``cases/<case>/dynamics/scenarios/NAME.yaml``)::

    name: strong-centre
    description: What changes, why, and where the numbers come from.
    fiscal_scenario: tax-at-operation      # optional: a fiscal scenario of the case
    overrides:
      centre.resolve: 1.0                  # a constant
      centre.transfer_capacity: {1991: 1.0, 2002: 1.0}   # or a series by year

Overrides are validated against the baseline parameters (unknown paths fail with
suggestions) and applied to a copy; the overridden values get the status ``assumed`` with the
scenario as their reference. The fiscal scenario's name is checked by the caller, who owns the
fiscal law.

Examples:
    >>> from regionet.engines.dynamics.parameters import parse_parameters
    >>> base = parse_parameters({"centre": {"resolve": {"description": "r", "unit": "/1",
    ...     "value": 0.4, "status": "assumed", "note": "n"}}})
    >>> s = scenario_from_mapping({"name": "strong-centre", "description": "d",
    ...     "overrides": {"centre.resolve": 1.0}}, base)
    >>> s.apply(base).value("centre.resolve"), base.value("centre.resolve")
    (1.0, 0.4)
    >>> scenario_from_mapping({"name": "x", "description": "d",
    ...     "overrides": {"centre.resolv": 1.0}}, base)
    Traceback (most recent call last):
    ...
    regionet.core.errors.UnknownReferenceError: ... Did you mean centre.resolve?
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from regionet.core.errors import (
    ErrorCollector,
    InvalidValueError,
    UnknownReferenceError,
    did_you_mean,
)
from regionet.engines.dynamics.parameters import DynamicsParameters

__all__ = ["DynamicsScenario", "scenario_from_mapping"]

_KEYS: Final = ("name", "description", "fiscal_scenario", "overrides")


@dataclass(frozen=True)
class DynamicsScenario:
    """A validated dynamics scenario.

    Attributes:
        name: the scenario's name (the file stem for bundled ones).
        description: what it changes and where its numbers come from.
        fiscal_scenario: the fiscal scenario the fiscal engine runs under, or None (the law).
        overrides: parameter path -> a number, or ``{year: number}``.
        source: the file it came from, if any.
    """

    name: str
    description: str
    fiscal_scenario: str | None = None
    overrides: Mapping[str, float | Mapping[int, float]] = field(default_factory=dict)
    source: str | None = None

    def apply(self, parameters: DynamicsParameters) -> DynamicsParameters:
        """Return ``parameters`` with the overrides (``parameters`` itself is unchanged)."""
        if not self.overrides:
            return parameters
        return parameters.with_values(self.overrides, status="assumed",
                                      reference=f"dynamics scenario '{self.name}'")


def scenario_from_mapping(data: object, parameters: DynamicsParameters, *,
                          source: str | None = None) -> DynamicsScenario:
    """Validate a scenario mapping against ``parameters`` (see the module docstring).

    Raises:
        InvalidValueError: or UnknownReferenceError for one problem; ValidationError listing
            all of them for several, each naming the file and the field.
    """
    if not isinstance(data, Mapping):
        raise InvalidValueError("a scenario must be a mapping", file=source,
                                expected="keys " + ", ".join(_KEYS))
    errors = ErrorCollector(f"dynamics scenario '{data.get('name', source)}'",
                            consequence="the scenario was not loaded", wrap_single=False)
    for key in data:
        if key not in _KEYS:
            errors.fail("unknown key", file=source, field=str(key), expected="one of "
                        + ", ".join(_KEYS), hint=did_you_mean(str(key), _KEYS, n=1))
    texts: dict[str, str] = {}
    for key in ("name", "description"):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            errors.fail(f"missing {key}", file=source, field=key, value=value,
                        expected="a non-empty text")
        else:
            texts[key] = value.strip()
    fiscal = data.get("fiscal_scenario")
    if fiscal is not None and (not isinstance(fiscal, str) or not fiscal.strip()):
        errors.fail("bad fiscal_scenario", file=source, field="fiscal_scenario", value=fiscal,
                    expected="the name of a fiscal scenario of the case, or nothing")
    raw = data.get("overrides") or {}
    overrides: dict[str, float | Mapping[int, float]] = {}
    if not isinstance(raw, Mapping):
        errors.fail("not a mapping", file=source, field="overrides", value=raw,
                    expected="{parameter.path: number or {YEAR: number}}")
        raw = {}
    for path, value in raw.items():
        if not isinstance(path, str) or path not in parameters:
            errors.add(UnknownReferenceError(
                "unknown parameter", file=source, field="overrides", value=path,
                hint=did_you_mean(str(path), parameters.paths())))
            continue
        overrides[path] = value
    if overrides:
        with errors.catching():
            parameters.with_values(overrides)  # the values themselves, checked once here
    errors.raise_if_any()
    return DynamicsScenario(texts["name"], texts["description"],
                            fiscal.strip() if isinstance(fiscal, str) else None,
                            overrides, source)
