"""Vocabularies kept in data: tie kinds, domains and observation indicators, each defined.

Examples:
    >>> vocab = Vocabulary(
    ...     tie_kinds={"loan": TieKind("loan", "funding", True, "a repayable loan")},
    ...     domains={"environment": Domain("environment", "ecology and pollution")},
    ... )
    >>> vocab.tie_kind("loan").directed
    True
    >>> vocab.tie_kind("lone")
    Traceback (most recent call last):
    ...
    regionet.core.errors.UnknownReferenceError: ... unknown tie kind ... Did you mean loan?
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from regionet.core.errors import UnknownReferenceError, did_you_mean

__all__ = ["Domain", "Indicator", "TieKind", "Vocabulary"]

T = TypeVar("T")


@dataclass(frozen=True)
class TieKind:
    """A kind of tie, e.g. ``membership`` or ``loan``.

    Attributes:
        name: the snake_case name used in data.
        group: a coarser family (``funding`` for grant, loan, investment, …).
        directed: when True, ``actors[0]`` gives or initiates and the rest receive.
        definition: what the kind means.
        plover: the nearest PLOVER event type, if any.
        cameo: the nearest CAMEO code, if any.
    """

    name: str
    group: str
    directed: bool
    definition: str
    plover: str = ""
    cameo: str = ""


@dataclass(frozen=True)
class Domain:
    """A policy domain a tie is about (``environment``, ``transport``…)."""

    name: str
    definition: str


@dataclass(frozen=True)
class Indicator:
    """An observation indicator with its unit and definition."""

    name: str
    unit: str
    definition: str


def _lookup(table: Mapping[str, T], name: str, what: str, field_name: str) -> T:
    try:
        return table[name]
    except KeyError:
        raise UnknownReferenceError(
            f"unknown {what}", field=field_name, value=name,
            expected="one of: " + ", ".join(sorted(table)), hint=did_you_mean(name, table),
        ) from None


@dataclass(frozen=True)
class Vocabulary:
    """The case's vocabularies, looked up by name with helpful errors."""

    tie_kinds: Mapping[str, TieKind]
    domains: Mapping[str, Domain]
    indicators: Mapping[str, Indicator] = field(default_factory=dict)

    def tie_kind(self, name: str) -> TieKind:
        """Return the tie kind ``name``; raises UnknownReferenceError with suggestions."""
        return _lookup(self.tie_kinds, name, "tie kind", "kind")

    def domain(self, name: str) -> Domain:
        """Return the domain ``name``; raises UnknownReferenceError with suggestions."""
        return _lookup(self.domains, name, "domain", "domains")

    def indicator(self, name: str) -> Indicator:
        """Return the indicator ``name``; raises UnknownReferenceError with suggestions."""
        return _lookup(self.indicators, name, "indicator", "indicator")
