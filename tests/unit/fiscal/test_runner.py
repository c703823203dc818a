"""The runner and the declarations: memoised lazy evaluation, the trace it records, the rules
it enforces on declarations, and the consistency of the fiscal quantities' registry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import regionet.cases
from regionet.core.errors import InvalidValueError, UnknownReferenceError
from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs, RegionTable
from regionet.engines.fiscal.law.files import load_parameters
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.run.pipeline import COLUMNS, QUANTITY_COLUMNS
from regionet.engines.fiscal.run.quantities import QUANTITIES
from regionet.engines.fiscal.run.runner import Computed, Evaluation, Quantity, quantity
from regionet.engines.fiscal.run.trace import Trace, TraceNode

CASE = Path(regionet.cases.__file__).parent / "russia_1990s"
TREE = ParameterTree.from_mapping({
    "rate": {"description": "r", "unit": "/1", "values": {
        "1999-01-01": {"value": 0.2, "reference": "Law A", "status": "verified"},
        "1999-07-02": {"value": 0.4, "reference": "Law B", "status": "partial"}}},
    "late": {"description": "from 2002", "unit": "/1", "values": {
        "2002-01-01": {"value": 1.0, "reference": "Law C", "status": "verified"}}},
    "method": {"description": "a name", "values": {
        "1990-01-01": {"value": "even", "reference": "Law D", "status": "assumed"}}}})


def inputs(year: int = 1999) -> FiscalInputs:
    regions = RegionTable(("A", "B", "C"), np.array([1.0, 2.0, 5.0]))
    return FiscalInputs(year, regions, Establishments([], [], [], [], [], [], n_firms=0,
                                                      n_regions=3), Firms([], [], n_regions=3))


def pop(q: Evaluation) -> np.ndarray:
    return q.inputs.regions.population


def declarations(*extra: Quantity) -> dict[str, Quantity]:
    population = Quantity("population", "Population", "persons", "input", pop)
    return {population.name: population, **{q.name: q for q in extra}}


def test_a_quantity_is_computed_once_and_records_what_it_read() -> None:
    calls: list[str] = []

    @quantity(label="Taxed", unit="money", formula="rate × population", parameters=("rate",),
              reads=("population",))
    def taxed(q: Evaluation) -> np.ndarray:
        calls.append("taxed")
        return q.number("rate") * q.array("population")

    @quantity(label="Total", unit="money", formula="Σ taxed", reads=("taxed",), scalar=True)
    def total(q: Evaluation) -> Computed:
        return Computed(float(q.array("taxed").sum()), rule="sum", note="national",
                        details={"regions": 3.0})

    @quantity(label="Share", unit="/1", formula="taxed / total", reads=("total", "taxed"))
    def share(q: Evaluation) -> np.ndarray:
        return q.array("taxed") / q.scalar("total")

    run = Evaluation(declarations(taxed, total, share), inputs(), TREE)
    # 1999: 0.2 for 182 days, 0.4 for 183 days
    rate = (0.2 * 182 + 0.4 * 183) / 365
    np.testing.assert_allclose(run.array("share"), [1 / 8, 2 / 8, 5 / 8])
    assert calls == ["taxed"]  # read by total and share, evaluated once
    trace = run.trace()
    assert list(trace.nodes) == ["population", "taxed", "total", "share"]
    assert trace.nodes["share"].dependencies == ("taxed", "total")  # in the order read
    assert trace.nodes["population"].dependencies == () and trace.nodes["share"].parameters == ()
    [value] = trace.nodes["taxed"].parameters
    assert value.path == "rate" and value.number == pytest.approx(rate)
    assert [(p.reference, p.status) for p in value.pieces] == [("Law A", "verified"),
                                                               ("Law B", "partial")]
    node = trace.nodes["total"]
    assert node.is_scalar and node.value == pytest.approx(8 * rate)
    assert (node.rule, node.note, dict(node.details)) == ("sum", "national", {"regions": 3.0})
    assert node.declaration is total and trace.value("total", "C") == node.value
    assert trace.value("taxed", "C") == pytest.approx(5 * rate)
    assert [n.name for n in trace.upstream("total")] == ["population", "taxed", "total"]
    assert trace.parameters == {"rate": value}


def test_values_are_read_only() -> None:
    @quantity(label="Bad", unit="persons", formula="population, doubled in place",
              reads=("population",))
    def bad(q: Evaluation) -> np.ndarray:
        values = q.array("population")
        values *= 2
        return values

    run = Evaluation(declarations(bad), inputs(), TREE)
    with pytest.raises(ValueError, match="read-only"):
        run.array("bad")
    assert run.array("population").tolist() == [1.0, 2.0, 5.0]


@pytest.mark.parametrize(("reads", "parameters", "field"), [
    ((), ("rate",), "sneaky.reads"),                  # reads a quantity it does not declare
    (("population",), (), "sneaky.parameters"),       # reads a parameter it does not declare
])
def test_undeclared_reads_are_refused(reads: tuple[str, ...], parameters: tuple[str, ...],
                                      field: str) -> None:
    @quantity(label="Sneaky", unit="money", formula="rate × population", reads=reads,
              parameters=parameters)
    def sneaky(q: Evaluation) -> np.ndarray:
        return q.number("rate") * q.array("population")

    with pytest.raises(UnknownReferenceError) as err:
        Evaluation(declarations(sneaky), inputs(), TREE).array("sneaky")
    assert err.value.field == field and "declaration" in str(err.value)


def test_cycles_and_unknown_quantities_fail() -> None:
    first = Quantity("first", "f", "money", "second", lambda q: q.array("second"),
                     reads=("second",))
    second = Quantity("second", "s", "money", "first", lambda q: q.array("first"),
                      reads=("first",))
    with pytest.raises(InvalidValueError, match="cycle") as err:
        Evaluation(declarations(first, second), inputs(), TREE).array("first")
    assert err.value.value == "first → second → first"
    with pytest.raises(UnknownReferenceError, match="unknown quantity") as unknown:
        Evaluation(declarations(), inputs(), TREE).array("populaton")
    assert unknown.value.hint == "Did you mean population?"


def test_values_must_match_the_declaration() -> None:
    short = Quantity("short", "s", "money", "2 values", lambda q: np.zeros(2))
    ints = Quantity("ints", "i", "money", "ints", lambda q: np.zeros(3, dtype=np.int64))
    national = Quantity("national", "n", "money", "an array", lambda q: np.zeros(3),
                        scalar=True)
    run = Evaluation(declarations(short, ints, national), inputs(), TREE)
    for name in ("short", "ints", "national"):
        with pytest.raises(InvalidValueError, match="returned"):
            run.array(name)
    total = Quantity("total", "t", "money", "3", lambda q: 3.0, scalar=True)
    run = Evaluation(declarations(total), inputs(), TREE)
    with pytest.raises(InvalidValueError, match="national quantity read as regional"):
        run.array("total")
    with pytest.raises(InvalidValueError, match="regional quantity read as national"):
        run.scalar("population")


def test_parameter_lookups_follow_the_date_convention() -> None:
    seen: dict[str, object] = {}

    def look(q: Evaluation) -> float:
        seen["missing"] = q.optional("late")
        seen["default"] = q.number("late", default=0.5)
        seen["name"] = q.name("method")
        seen["none"] = q.optional_name("method")
        with pytest.raises(UnknownReferenceError, match="no value"):
            q.number("late")
        with pytest.raises(UnknownReferenceError, match="unknown parameter") as unknown:
            q.optional("late_")  # an unknown path is an error, never a missing value
        assert unknown.value.value == "late_"
        return 0.0
    probe = Quantity("probe", "p", "money", "lookups", look, scalar=True,
                     parameters=("late", "method", "late_"))
    node = Evaluation(declarations(probe), inputs(), TREE).evaluate("probe")
    assert seen == {"missing": None, "default": 0.5, "name": "even", "none": "even"}
    cited = {p.path: p for p in node.parameters}
    assert set(cited) == {"late", "method"}  # a missing optional value is not cited
    assert cited["late"].pieces[0].status == "assumed"
    assert cited["method"].convention == "in force on 1 July"


def test_a_trace_names_unknown_quantities_and_regions() -> None:
    trace = Trace(1999, ("A",), {"x": TraceNode("x", np.array([1.0]))})
    with pytest.raises(UnknownReferenceError, match="no explanation") as err:
        trace.node("y")
    assert err.value.expected == "one of x"
    with pytest.raises(LookupError, match="unknown region"):
        trace.value("x", "B")


# --- the fiscal declarations ------------------------------------------------------------------


def test_every_output_column_is_declared_once() -> None:
    assert set(QUANTITY_COLUMNS) <= set(QUANTITIES)
    assert set(COLUMNS) - set(QUANTITY_COLUMNS) == {"region", "year", "illustrative"}
    assert all(name == q.name for name, q in QUANTITIES.items())
    assert {"fund_base_amount", "fund_size", "vat_share_regional", "vat_due"} <= set(QUANTITIES)


def test_declarations_read_what_exists_without_cycles() -> None:
    tree = load_parameters(CASE / "parameters")
    for q in QUANTITIES.values():
        assert q.label and q.unit and q.formula, q.name
        assert set(q.reads) <= set(QUANTITIES), q.name
        for path in q.parameters:
            tree.parameter(path)
        if not q.formula.startswith("input:"):
            assert q.references, f"{q.name} cites no reference"
    state: dict[str, str] = {}

    def visit(name: str) -> None:
        assert state.get(name) != "open", f"cycle through {name}"
        if name not in state:
            state[name] = "open"
            for read in QUANTITIES[name].reads:
                visit(read)
            state[name] = "done"
    for name in QUANTITIES:
        visit(name)


def test_rule_specific_formulas() -> None:
    transfers = QUANTITIES["transfers"]
    assert transfers.formula_for("equal_per_capita") == "F × N / Σ N"
    assert transfers.formula_for("something else") == transfers.formula
    assert transfers.detail_label("sufficiency") == "БО (sufficiency)"
    assert transfers.detail_label("unlabelled") == "unlabelled"
    attributed = QUANTITIES["profit_tax_base_attributed"]
    assert attributed.formula_for("registration").endswith(
        "Registration: the whole base at the head office (the firm's registered region).")
