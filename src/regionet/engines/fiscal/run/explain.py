"""Explain one number: the steps, inputs, parameters and rules behind a region's value.

:func:`explain` reads the run's trace (:attr:`~.pipeline.YearResult.trace`): the steps are the
trace nodes the quantity depends on, in dependency order, restricted to the region (a national
number, such as the fund's size, is shown as it is). Each :class:`Step` gives the declared
formula in words (for the rule the run applied), the inputs (the values of the quantities it
read, for that region, and the details the rule returned), the parameters with value,
reference and status (as resolved under the date convention, see
:mod:`regionet.engines.fiscal.law.annual`) and the rule. Nothing is recomputed here: the last
step's value is the run's number because it is the same node.

Examples:
    >>> step = Step("net_flow", "transfers − revenue_federal_collected", -2.0,
    ...             {"transfers": 1.0, "revenue_federal_collected": 3.0})
    >>> print(step)
    net_flow = -2 : transfers − revenue_federal_collected
        transfers = 1; revenue_federal_collected = 3
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from regionet.core.errors import InvalidValueError
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs
from regionet.engines.fiscal.law.annual import AnnualValue
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.law.scenarios import Scenario
from regionet.engines.fiscal.run.pipeline import FiscalResult, YearResult, run_year
from regionet.engines.fiscal.run.trace import TraceNode, at

__all__ = ["Explanation", "Step", "explain"]


@dataclass(frozen=True)
class Step:
    """One step: ``quantity = value``, by ``formula`` from ``inputs`` and ``parameters``."""

    quantity: str
    formula: str
    value: float
    inputs: Mapping[str, float] = field(default_factory=dict)
    parameters: tuple[AnnualValue, ...] = ()
    rule: str | None = None
    note: str | None = None

    def __str__(self) -> str:
        lines = [f"{self.quantity} = {self.value:.10g} : {self.formula}"]
        if self.inputs:
            shown = "; ".join(f"{k} = {v:.10g}" for k, v in self.inputs.items())
            lines.append(f"    {shown}")
        lines.extend(f"    parameter {p}" for p in self.parameters)
        if self.rule:
            lines.append(f"    rule: {self.rule}")
        if self.note:
            lines.append(f"    note: {self.note}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Explanation:
    """The trace of ``quantity`` for ``region`` in ``year``; ``value`` is the last step's."""

    region: str
    year: int
    quantity: str
    value: float
    steps: tuple[Step, ...]

    def __str__(self) -> str:
        head = f"{self.quantity} of {self.region} in {self.year} = {self.value:.10g}"
        return "\n".join([head, *(f"{k}. {s}" for k, s in enumerate(self.steps, 1))])

    def to_dict(self) -> dict[str, Any]:
        """Return the trace as plain data (for JSON)."""
        return {"region": self.region, "year": self.year, "quantity": self.quantity,
                "value": self.value, "steps": [
                    {"quantity": s.quantity, "formula": s.formula, "value": s.value,
                     "inputs": dict(s.inputs), "rule": s.rule, "note": s.note,
                     "parameters": [{"path": p.path, "value": p.value, "convention": p.convention,
                                     "pieces": [{"since": str(q.since), "value": q.value,
                                                 "weight": q.weight, "reference": q.reference,
                                                 "status": q.status} for q in p.pieces]}
                                    for p in s.parameters]} for s in self.steps]}


def _step(node: TraceNode, region: int, nodes: Mapping[str, TraceNode]) -> Step:
    """The step of ``node`` for one region: its value, what it read and what it cited."""
    declared = node.declaration
    # a national number read from regional ones: show this region's, and say so
    suffix = " (this region)" if node.is_scalar else ""
    read = {f"{name}{'' if nodes[name].is_scalar else suffix}": nodes[name].at(region)
            for name in node.dependencies}
    details = {(declared.detail_label(key) if declared else key): at(value, region)
               for key, value in node.details.items()}
    formula = declared.formula_for(node.rule) if declared else node.name
    return Step(node.name, formula, node.at(region), {**read, **details}, node.parameters,
                node.rule, node.note)


def explain(source: YearResult | FiscalResult | FiscalInputs, region: str, quantity: str, *,
            year: int | None = None, tree: ParameterTree | None = None,
            scenario: Scenario | None = None, **options: Any) -> Explanation:
    """Explain ``quantity`` for ``region``: the steps that produce the pipeline's number.

    Args:
        source: a year's result, a multi-year result (give ``year``), or inputs (give
            ``tree``; the pipeline is run with ``scenario`` and ``options`` first).
        region: the region id.
        quantity: a quantity of the run: an output column (e.g. ``profit_tax_regional``,
            ``transfers``, ``net_flow``) or an intermediate (``fund_size``,
            ``vat_share_regional``).
        year: the year, for a multi-year result.
        tree: the parameters, when ``source`` is inputs.
        scenario: the scenario, when ``source`` is inputs.
        **options: passed to :func:`~regionet.engines.fiscal.run.pipeline.run_year`.

    Raises:
        UnknownActorError: unknown region. UnknownReferenceError: unknown quantity or year.
        InvalidValueError: inputs without ``tree``, or a multi-year result without ``year``.
    """
    if isinstance(source, FiscalInputs):
        if tree is None:
            raise InvalidValueError("explaining inputs needs the parameters", field="tree",
                                    expected="tree=ParameterTree")
        source = run_year(source, tree, scenario=scenario, **options)
    if isinstance(source, FiscalResult):
        if year is None:
            raise InvalidValueError("a multi-year result needs year=", field="year",
                                    expected=f"one of {sorted(source.years)}")
        source = source.year(year)
    trace = source.trace
    index = trace.index(region)
    steps = tuple(_step(node, index, trace.nodes) for node in trace.upstream(quantity))
    return Explanation(region, source.year, quantity, steps[-1].value, steps)
