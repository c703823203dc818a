"""The runner: evaluate declared quantities lazily, once each, recording a trace as it goes.

A :class:`Quantity` is declared once (name, label, unit, formula in words, legal references,
the parameters and quantities it reads) together with a vectorized function over regions.
The function receives an :class:`Evaluation` and asks it for what it needs: other quantities
(``q.array("population")``), parameters of the year under the date convention
(``q.number("profit_tax.rate.federal")``, see :mod:`regionet.engines.fiscal.law.annual`),
the inputs and the run's options. The evaluation computes each quantity at most once
(memoised), refuses reads the declaration does not list and cycles, and records one
:class:`~regionet.engines.fiscal.run.trace.TraceNode` per quantity: the value, the parameters
actually resolved with their provenance, the quantities read, and the rule, note and details
the function returned in a :class:`Computed`. The engine knows no law here: the fiscal
quantities are declared in :mod:`regionet.engines.fiscal.run.quantities`.

Examples:
    >>> import numpy as np
    >>> from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
    >>> from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs, RegionTable
    >>> from regionet.engines.fiscal.law.parameters import ParameterTree
    >>> tree = ParameterTree.from_mapping({"rate": {"description": "r", "unit": "/1",
    ...     "values": {"1992-01-01": {"value": 0.5, "reference": "Law 1", "status": "verified"}}}})
    >>> population = Quantity("population", "Population", "persons", "input",
    ...                       lambda q: q.inputs.regions.population)
    >>> @quantity(label="Half", unit="persons", formula="rate × population",
    ...           parameters=("rate",), reads=("population",))
    ... def half(q: Evaluation) -> FloatArray:
    ...     return q.number("rate") * q.array("population")
    >>> inputs = FiscalInputs(1999, RegionTable(("A", "B"), np.array([2.0, 4.0])),
    ...     Establishments([], [], [], [], [], [], n_firms=0, n_regions=2),
    ...     Firms([], [], n_regions=2))
    >>> run = Evaluation({"population": population, "half": half}, inputs, tree)
    >>> run.array("half").tolist()
    [1.0, 2.0]
    >>> node = run.trace().node("half")
    >>> node.dependencies, [p.path for p in node.parameters], node.parameters[0].pieces[0].reference
    (('population',), ['rate'], 'Law 1')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, NamedTuple

import numpy as np
import numpy.typing as npt

from regionet.core.errors import InvalidValueError, UnknownReferenceError, did_you_mean
from regionet.engines.fiscal.inputs.establishments import FloatArray
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs
from regionet.engines.fiscal.law.annual import AnnualValue, annual_average, in_force
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.run.trace import Trace, TraceNode, Value

__all__ = ["INDEX", "MONEY", "MONEY_PER_PERSON", "PERSONS", "SHARE", "Computed", "Evaluation",
           "Formula", "Quantity", "quantity"]

#: Units of the declarations. Money is the inputs' own unit (the bundled case: million RUB).
MONEY: Final = "money"
MONEY_PER_PERSON: Final = "money per person"
PERSONS: Final = "persons"
SHARE: Final = "/1"
INDEX: Final = "index (1 = national mean)"
_NO_DETAILS: Mapping[str, Value] = MappingProxyType({})


class Computed(NamedTuple):
    """A formula's value with what the trace should say about it.

    Attributes:
        value: float64 per region, or a national scalar.
        rule: the rule or method applied (e.g. ``art288``, ``two_stage``).
        note: why the value is what it is when that is not obvious.
        details: the rule's intermediate results (arrays per region or scalars).
        outcome: the rule's whole result, for callers that need it.
    """

    value: Value
    rule: str | None = None
    note: str | None = None
    details: Mapping[str, Value] = _NO_DETAILS
    outcome: object = None


#: A quantity's vectorized function: the evaluation in, the value (or a :class:`Computed`) out.
Formula = Callable[["Evaluation"], "FloatArray | float | Computed"]


@dataclass(frozen=True, eq=False)
class Quantity:
    """The one declaration of a quantity.

    Attributes:
        name: snake_case name, the same in Python, CSV columns, the API and the report.
        label: a short title.
        unit: :data:`MONEY`, :data:`PERSONS`, :data:`SHARE`…
        formula: the formula in words (shown by explanations).
        function: the vectorized function (see :class:`Evaluation` for what it may ask).
        references: the law or document the formula follows; the parameters cite their own.
        parameters: paths of the parameters the function may read.
        reads: names of the quantities the function may read.
        scalar: True for a national number, False for one value per region.
        by_rule: formula in words for a given rule, where the rule changes the formula.
        details: label of each detail the rule returns (key -> label).
    """

    name: str
    label: str
    unit: str
    formula: str
    function: Formula
    references: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    scalar: bool = False
    by_rule: Mapping[str, str] = field(default_factory=dict)
    details: Mapping[str, str] = field(default_factory=dict)

    def formula_for(self, rule: str | None) -> str:
        """The formula in words under ``rule`` (the general one if the rule has none)."""
        return self.by_rule.get(rule, self.formula) if rule is not None else self.formula

    def detail_label(self, key: str) -> str:
        """How detail ``key`` is shown (its label, or the key itself)."""
        return self.details.get(key, key)


def quantity(*, label: str, unit: str, formula: str, references: Sequence[str] = (),
             parameters: Sequence[str] = (), reads: Sequence[str] = (), scalar: bool = False,
             by_rule: Mapping[str, str] | None = None,
             details: Mapping[str, str] | None = None) -> Callable[[Formula], Quantity]:
    """Declare the decorated function as the quantity of the same name (see :class:`Quantity`)."""
    def declare(function: Formula) -> Quantity:
        return Quantity(function.__name__, label, unit, formula, function, tuple(references),
                        tuple(parameters), tuple(reads), scalar, dict(by_rule or {}),
                        dict(details or {}))
    return declare


class _Frame:
    """What one quantity read while being evaluated."""

    __slots__ = ("dependencies", "parameters", "quantity")

    def __init__(self, quantity: Quantity) -> None:
        self.quantity = quantity
        self.parameters: dict[str, AnnualValue] = {}
        self.dependencies: dict[str, None] = {}


_AVERAGE, _ON_1_JULY = "average", "on 1 July"


class Evaluation:
    """One year's evaluation: what a formula sees, and the trace it leaves.

    Args:
        quantities: the declarations by name.
        inputs: the year's inputs (``q.inputs``; ``q.n`` regions).
        tree: the parameters (a scenario already applied).
        rules: rule choices a scenario made that no parameter holds (``q.rules``).
        collection_by_region: per-region collection efficiencies, unchecked (``q.options``).
        use_published_total: size the fund by its published total where given.
        parent: each region's parent region code, -1 for none (``q.parent``).
    """

    def __init__(self, quantities: Mapping[str, Quantity], inputs: FiscalInputs,
                 tree: ParameterTree, *, rules: Mapping[str, str] | None = None,
                 collection_by_region: npt.ArrayLike | None = None,
                 use_published_total: bool = False,
                 parent: npt.NDArray[np.intp] | None = None) -> None:
        self.quantities, self.inputs, self.tree = quantities, inputs, tree
        self.year, self.n = inputs.year, inputs.regions.n
        self.rules: Mapping[str, str] = dict(rules or {})
        self.collection_by_region = collection_by_region
        self.use_published_total = use_published_total
        self.parent = np.full(self.n, -1, dtype=np.intp) if parent is None else parent
        self._nodes: dict[str, TraceNode] = {}
        self._frames: list[_Frame] = []
        self._active: set[str] = set()
        self._resolved: dict[tuple[str, str, float | str | None], AnnualValue] = {}
        self._missing: dict[tuple[str, str, float | str | None], UnknownReferenceError] = {}

    # --- quantities ---------------------------------------------------------------------------

    def evaluate(self, name: str) -> TraceNode:
        """Evaluate quantity ``name`` (once) and return its trace node."""
        node = self._nodes.get(name)
        if node is not None:
            return node
        if name not in self.quantities:
            raise UnknownReferenceError("unknown quantity", field="quantity", value=name,
                                        hint=did_you_mean(name, self.quantities))
        if name in self._active:
            cycle = [f.quantity.name for f in self._frames]
            cycle = [*cycle[cycle.index(name):], name]
            raise InvalidValueError("quantities read each other in a cycle", field="reads",
                                    value=" → ".join(cycle), expected="an acyclic declaration")
        declared = self.quantities[name]
        frame = _Frame(declared)
        self._frames.append(frame)
        self._active.add(name)
        try:
            out = declared.function(self)
        finally:
            self._frames.pop()
            self._active.discard(name)
        value, rule, note, details, outcome = (out if isinstance(out, Computed)
                                               else (out, None, None, _NO_DETAILS, None))
        node = TraceNode(name, self._checked(declared, value), tuple(frame.parameters.values()),
                         tuple(frame.dependencies), rule, note, details, outcome, declared)
        self._nodes[name] = node
        return node

    def _checked(self, declared: Quantity, value: Value) -> Value:
        if declared.scalar:
            if isinstance(value, np.ndarray):
                raise InvalidValueError("a national quantity returned an array",
                                        field=declared.name, expected="one number")
            return float(value)
        if (not isinstance(value, np.ndarray) or value.dtype != np.float64
                or value.shape != (self.n,)):
            raise InvalidValueError("a regional quantity returned a wrong value",
                                    field=declared.name, value=getattr(value, "shape", value),
                                    expected=f"float64 array of {self.n} values, one per region")
        view = value.view()
        view.flags.writeable = False  # memoised: a formula writing into it would change others
        return view

    def _read(self, name: str) -> TraceNode:
        if self._frames:
            frame = self._frames[-1]
            if name not in frame.quantity.reads:
                raise UnknownReferenceError(
                    f"quantity {frame.quantity.name} reads {name}, which its declaration "
                    "does not list", field=f"{frame.quantity.name}.reads", value=name,
                    hint="Add it to the declaration's reads: the declaration is what the "
                         "documentation and explanations show.")
            frame.dependencies[name] = None
        return self.evaluate(name)

    def array(self, name: str) -> FloatArray:
        """The value of regional quantity ``name`` (float64 per region, read-only)."""
        value = self._read(name).value
        if not isinstance(value, np.ndarray):
            raise InvalidValueError("a national quantity read as regional", field=name,
                                    expected="q.scalar(name)")
        return value

    def scalar(self, name: str) -> float:
        """The value of national quantity ``name``."""
        value = self._read(name).value
        if isinstance(value, np.ndarray):
            raise InvalidValueError("a regional quantity read as national", field=name,
                                    expected="q.array(name)")
        return value

    def rule_of(self, name: str) -> str | None:
        """The rule quantity ``name`` applied (reading it)."""
        return self._read(name).rule

    def trace(self) -> Trace:
        """The trace of every quantity evaluated so far, in evaluation order."""
        return Trace(self.year, self.inputs.regions.ids, dict(self._nodes))

    # --- parameters ---------------------------------------------------------------------------

    def known(self, path: str) -> None:
        """Check that ``path`` is declared and in the tree (an unknown path is never missing).

        Raises:
            UnknownReferenceError: undeclared or unknown path.
        """
        if self._frames and path not in self._frames[-1].quantity.parameters:
            name = self._frames[-1].quantity.name
            raise UnknownReferenceError(
                f"quantity {name} reads parameter {path}, which its declaration does not list",
                field=f"{name}.parameters", value=path,
                hint="Add it to the declaration's parameters.")
        self.tree.parameter(path)

    def _resolve(self, convention: str, path: str, default: float | str | None) -> AnnualValue:
        """The annual value (cached for the year); raises when it has no value."""
        self.known(path)
        key = (convention, path, default)
        cached = self._resolved.get(key)
        if cached is not None:
            return cached
        if key in self._missing:
            raise self._missing[key]
        try:
            if convention == _AVERAGE:
                value = annual_average(self.tree, path, self.year,
                                       default=None if isinstance(default, str) else default)
            else:
                value = in_force(self.tree, path, self.year, default=default)
        except UnknownReferenceError as err:  # no value in the year: asked again by others
            self._missing[key] = err
            raise
        self._resolved[key] = value
        return value

    def _cite(self, value: AnnualValue) -> None:
        if self._frames:
            self._frames[-1].parameters.setdefault(value.path, value)

    def number(self, path: str, default: float | None = None) -> float:
        """The year's time-weighted average of numeric parameter ``path`` (recorded).

        Days without a value take ``default`` (an ``assumed`` piece); with none they raise
        :class:`UnknownReferenceError`.
        """
        value = self._resolve(_AVERAGE, path, default)
        self._cite(value)
        return value.number

    def numbers(self, paths: Sequence[str],
                defaults: Sequence[float] | None = None) -> tuple[float, ...]:
        """Several averages resolved together: all are recorded, or none if one raises."""
        values = [self._resolve(_AVERAGE, path, default) for path, default
                  in zip(paths, defaults or (None,) * len(paths), strict=True)]
        for value in values:
            self._cite(value)
        return tuple(value.number for value in values)

    def name(self, path: str, default: str | None = None) -> str:
        """The name in force on 1 July (a rule, a method; recorded)."""
        value = self._resolve(_ON_1_JULY, path, default)
        self._cite(value)
        return str(value.value)

    def optional(self, path: str, *, average: bool = True) -> float | None:
        """A number, or None when ``path`` (declared and known) has no value in the year.

        ``average=False`` takes the value in force on 1 July (published annual amounts).
        """
        value = self._optional(_AVERAGE if average else _ON_1_JULY, path)
        return None if value is None else value.number

    def optional_name(self, path: str) -> str | None:
        """The name in force on 1 July, or None when ``path`` has none then."""
        value = self._optional(_ON_1_JULY, path)
        return None if value is None else str(value.value)

    def _optional(self, convention: str, path: str) -> AnnualValue | None:
        self.known(path)  # an undeclared or unknown path raises; only a missing value is None
        try:
            value = self._resolve(convention, path, None)
        except UnknownReferenceError:
            return None
        self._cite(value)
        return value
