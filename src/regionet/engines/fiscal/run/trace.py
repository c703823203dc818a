"""The trace of a run: one node per quantity evaluated, recording what it read and produced.

The runner (:mod:`regionet.engines.fiscal.run.runner`) records a :class:`TraceNode` each time
it evaluates a quantity: the value (an array over regions, or a national scalar), the
parameters it resolved (each an :class:`~regionet.engines.fiscal.law.annual.AnnualValue` with
its dated pieces, references and statuses), the quantities it read, the rule or method it
applied, a note, and the details the rule returned (e.g. an equalization method's budget
sufficiency). A :class:`Trace` keeps the nodes of one year in evaluation order, which is a
dependency order: a node comes after every quantity it read. Explanations
(:mod:`regionet.engines.fiscal.run.explain`) only read the trace; nothing is computed twice.
The idea is OpenFisca's tracer (``openfisca_core.tracers``): the calculation records itself.

Examples:
    >>> import numpy as np
    >>> trace = Trace(1999, ("A", "B"), {
    ...     "x": TraceNode("x", np.array([1.0, 2.0])),
    ...     "total": TraceNode("total", 3.0, dependencies=("x",))})
    >>> trace.value("x", "B"), trace.value("total", "A")
    (2.0, 3.0)
    >>> [node.name for node in trace.upstream("total")]
    ['x', 'total']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple, Protocol

import numpy as np

from regionet.core.errors import UnknownActorError, UnknownReferenceError, did_you_mean
from regionet.engines.fiscal.inputs.establishments import FloatArray
from regionet.engines.fiscal.law.annual import AnnualValue

__all__ = ["Described", "Trace", "TraceNode", "Value", "at"]

#: A quantity's value: one float64 per region, or one national number.
Value = FloatArray | float
_NO_DETAILS: Mapping[str, Value] = MappingProxyType({})


def at(value: Value, index: int) -> float:
    """Return region ``index``'s value of ``value`` (a scalar is the same for every region).

    Examples:
        >>> at(np.array([1.0, 2.5]), 1), at(7.0, 1)
        (2.5, 7.0)
    """
    return float(value[index]) if isinstance(value, np.ndarray) else float(value)


class Described(Protocol):
    """What a trace node keeps of its quantity's declaration (for explanations)."""

    @property
    def name(self) -> str: ...  # noqa: D102

    @property
    def label(self) -> str: ...  # noqa: D102

    @property
    def unit(self) -> str: ...  # noqa: D102

    @property
    def references(self) -> tuple[str, ...]: ...  # noqa: D102

    def formula_for(self, rule: str | None) -> str:
        """The formula in words, for the rule the node applied."""

    def detail_label(self, key: str) -> str:
        """How a detail returned by the rule is shown."""


class TraceNode(NamedTuple):
    """One evaluated quantity (an immutable record; a run makes many, so it is a tuple).

    Attributes:
        name: the quantity's name.
        value: float64 per region (read-only) or a national scalar.
        parameters: the parameters resolved while computing it, in the order first read.
        dependencies: the quantities it read, in the order first read.
        rule: the rule or method it applied (an attribution rule, an equalization method…).
        note: why a value is what it is when that is not obvious (e.g. a split not in force).
        details: intermediate results the rule returned, by name (arrays per region or
            scalars), e.g. ``sufficiency`` and ``level`` of the two-stage formula.
        outcome: the rule's whole result, when a caller needs more than the value (the
            equalization :class:`~regionet.engines.fiscal.rules.equalization.Allocation`).
        declaration: the quantity's declaration (label, unit, formula, references); None for
            nodes built by hand.
    """

    name: str
    value: Value
    parameters: tuple[AnnualValue, ...] = ()
    dependencies: tuple[str, ...] = ()
    rule: str | None = None
    note: str | None = None
    details: Mapping[str, Value] = _NO_DETAILS
    outcome: object = None
    declaration: Described | None = None

    @property
    def is_scalar(self) -> bool:
        """True for a national number, False for one value per region."""
        return not isinstance(self.value, np.ndarray)

    def at(self, index: int) -> float:
        """The value for region ``index`` (a scalar for every region)."""
        return at(self.value, index)


@dataclass(frozen=True, eq=False)
class Trace:
    """The nodes of one year's run, in evaluation (dependency) order.

    Attributes:
        year: the fiscal year.
        regions: the region ids; region index ``i`` is ``regions[i]``.
        nodes: quantity name -> node, in the order evaluated.
    """

    year: int
    regions: tuple[str, ...]
    nodes: Mapping[str, TraceNode]

    def node(self, name: str) -> TraceNode:
        """Return the node of quantity ``name``.

        Raises:
            UnknownReferenceError: the run evaluated no quantity of that name.
        """
        if name not in self.nodes:
            raise UnknownReferenceError(
                "no explanation for this quantity: the run evaluated none of that name",
                field="quantity", value=name, expected="one of " + ", ".join(self.nodes),
                hint=did_you_mean(name, self.nodes))
        return self.nodes[name]

    def index(self, region: str) -> int:
        """Return the index of ``region``.

        Raises:
            UnknownActorError: not a region of the run.
        """
        try:
            return self.regions.index(region)
        except ValueError:
            raise UnknownActorError("unknown region", field="region", value=region,
                                    expected="a region id of the inputs",
                                    hint=did_you_mean(region, self.regions)) from None

    def value(self, name: str, region: str) -> float:
        """Return quantity ``name`` for ``region``."""
        return self.node(name).at(self.index(region))

    def upstream(self, name: str) -> list[TraceNode]:
        """Return the node of ``name`` and every node it depends on, in dependency order."""
        needed, stack = set(), [self.node(name).name]
        while stack:
            current = stack.pop()
            if current not in needed:
                needed.add(current)
                stack.extend(self.nodes[current].dependencies)
        return [node for key, node in self.nodes.items() if key in needed]

    @property
    def parameters(self) -> dict[str, AnnualValue]:
        """Every parameter resolved in the run, by path, in the order first read."""
        used: dict[str, AnnualValue] = {}
        for node in self.nodes.values():
            for value in node.parameters:
                used.setdefault(value.path, value)
        return used
