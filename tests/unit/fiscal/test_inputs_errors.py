"""Every error of ``engines/fiscal/inputs/`` checked whole, with the boundary that triggers it.

One table row per ``raise`` (and per caller where the same check names another field): the
exact class, message, file, row, field, value and expected text (``raises_exactly`` in this
folder's conftest). Next to each refusal, the value at the limit is accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from regionet.core.errors import (
    DataFileError,
    InvalidValueError,
    RegionetError,
    UnknownActorError,
    UnknownReferenceError,
)
from regionet.core.tables import InputTable
from regionet.engines.fiscal.inputs import coding
from regionet.engines.fiscal.inputs.coding import code_inputs, flags_of
from regionet.engines.fiscal.inputs.establishments import Establishments, Firms, own_balance_flags
from regionet.engines.fiscal.inputs.year_inputs import TAX_KEYS, RegionTable

Raises = Callable[..., RegionetError]

_EST: dict[str, Any] = {"firm": [0, 0], "region": [0, 1], "headcount": [1, 3],
                        "payroll": [1, 1], "assets": [0, 0], "sales": [0, 0],
                        "n_firms": 1, "n_regions": 2}


def _est(**changes: Any) -> Establishments:
    return Establishments(**{**_EST, **changes})


def _firms(**changes: Any) -> Firms:
    return Firms(**{"registered_region": [0, 1], "profit": [1.0, -2.0], "n_regions": 2,
                    **changes})


def _regions(**changes: Any) -> RegionTable:
    return RegionTable(**{"ids": ("A", "B"), "population": np.array([1.0, 2.0]), **changes})


# (id, call, class, message, fields)
ARRAY_ERRORS: list[tuple[str, Callable[[], object], type[RegionetError], str, dict[str, Any]]] = [
    ("n_firms-negative", lambda: _est(n_firms=-1), InvalidValueError,
     "n_firms must be a count",
     {"field": "n_firms", "value": -1, "expected": "an integer >= 0"}),
    ("n_firms-bool", lambda: _est(n_firms=True), InvalidValueError, "n_firms must be a count",
     {"field": "n_firms", "value": True, "expected": "an integer >= 0"}),
    ("n_firms-float", lambda: _est(n_firms=1.0), InvalidValueError, "n_firms must be a count",
     {"field": "n_firms", "value": 1.0, "expected": "an integer >= 0"}),
    ("n_regions-negative", lambda: _est(n_regions=-1), InvalidValueError,
     "n_regions must be a count",
     {"field": "n_regions", "value": -1, "expected": "an integer >= 0"}),
    ("firm-float-codes", lambda: _est(firm=[0.0, 1.0]), InvalidValueError,
     "firm must hold integer codes",
     {"field": "firm", "value": np.dtype("float64"), "expected": "integer firm codes 0..0"}),
    ("firm-code-at-n", lambda: _est(firm=[0, 1]), InvalidValueError,
     "firm code out of range (array index 1)",
     {"row": 2, "field": "firm", "value": 1, "expected": "a firm code in 0..0"}),
    ("firm-code-negative-first", lambda: _est(firm=[-1, 5]), InvalidValueError,
     "firm code out of range (array index 0)",
     {"row": 1, "field": "firm", "value": -1, "expected": "a firm code in 0..0"}),
    ("firm-2d", lambda: _est(firm=[[0, 0]]), InvalidValueError,
     "firm must be one-dimensional",
     {"field": "firm", "value": (1, 2), "expected": "a 1-D array"}),
    ("region-float-codes", lambda: _est(region=[0.5, 1.0]), InvalidValueError,
     "region must hold integer codes",
     {"field": "region", "value": np.dtype("float64"), "expected": "integer region codes 0..1"}),
    ("region-code-at-n", lambda: _est(region=[2, 1]), InvalidValueError,
     "region code out of range (array index 0)",
     {"row": 1, "field": "region", "value": 2, "expected": "a region code in 0..1"}),
    ("region-too-long", lambda: _est(region=[0, 1, 1]), InvalidValueError,
     "region has 3 values",
     {"field": "region", "value": 3, "expected": "2 values, as many as 'firm'"}),
    ("headcount-text", lambda: _est(headcount=["1", "x"]), InvalidValueError,
     "headcount must hold numbers: could not convert string to float: 'x'",
     {"field": "headcount", "expected": "float64 amounts"}),
    ("headcount-negative", lambda: _est(headcount=[1, -1e-300]), InvalidValueError,
     "headcount is negative, NaN or infinite (array index 1)",
     {"row": 2, "field": "headcount", "value": -1e-300, "expected": "a finite number >= 0"}),
    ("payroll-nan", lambda: _est(payroll=[np.nan, 1]), InvalidValueError,
     "payroll is negative, NaN or infinite (array index 0)",
     {"row": 1, "field": "payroll", "value": np.nan,
      "expected": "a finite number >= 0"}),
    ("assets-infinite", lambda: _est(assets=[0, np.inf]), InvalidValueError,
     "assets is negative, NaN or infinite (array index 1)",
     {"row": 2, "field": "assets", "value": np.inf, "expected": "a finite number >= 0"}),
    ("sales-short", lambda: _est(sales=[0]), InvalidValueError, "sales has 1 values",
     {"field": "sales", "value": 1, "expected": "2 values, as many as 'firm'"}),
    ("own-text", lambda: _est(own_balance_sheet=["yes", "no"]), InvalidValueError,
     "own_balance_sheet is not a boolean (array index 0)",
     {"row": 1, "field": "own_balance_sheet", "value": "yes",
      "expected": "true or false (1 or 0)"}),
    ("own-half", lambda: _est(own_balance_sheet=[1.0, 0.5]), InvalidValueError,
     "own_balance_sheet is not a boolean (array index 1)",
     {"row": 2, "field": "own_balance_sheet", "value": 0.5,
      "expected": "true or false (1 or 0)"}),
    ("own-short", lambda: _est(own_balance_sheet=[True]), InvalidValueError,
     "own_balance_sheet has 1 values",
     {"field": "own_balance_sheet", "value": 1, "expected": "2 values, as many as 'firm'"}),
    ("own-flags-2d", lambda: own_balance_flags([[True, False]], 2), InvalidValueError,
     "own_balance_sheet must be one-dimensional",
     {"field": "own_balance_sheet", "value": (1, 2), "expected": "a 1-D array"}),
    ("factor-unknown-kind", lambda: _est().factor("headcount|both"), UnknownReferenceError,
     "no such apportionment factor",
     {"field": "factor", "value": "headcount|both",
      "expected": "one of headcount, payroll, assets, sales (optionally + '|own' or "
                  "'|apportioned')"}),
    ("factor-unknown-base", lambda: _est().firm_totals("wages|own"), UnknownReferenceError,
     "no such apportionment factor",
     {"field": "factor", "value": "wages|own",
      "expected": "one of headcount, payroll, assets, sales (optionally + '|own' or "
                  "'|apportioned')"}),
    ("firms-n_regions", lambda: _firms(n_regions=np.int64(-2)), InvalidValueError,
     "n_regions must be a count",
     {"field": "n_regions", "value": np.int64(-2), "expected": "an integer >= 0"}),
    ("firms-region-code", lambda: _firms(registered_region=[0, 2]), InvalidValueError,
     "region code out of range (array index 1)",
     {"row": 2, "field": "registered_region", "value": 2, "expected": "a region code in 0..1"}),
    ("firms-region-2d", lambda: _firms(registered_region=[[0, 1]], profit=[[1.0, 2.0]]),
     InvalidValueError, "registered_region must be one-dimensional",
     {"field": "registered_region", "value": (1, 2), "expected": "a 1-D array"}),
    ("firms-profit-infinite", lambda: _firms(profit=[-np.inf, 1.0]), InvalidValueError,
     "profit is NaN or infinite (array index 0)",
     {"row": 1, "field": "profit", "value": -np.inf, "expected": "a finite number"}),
    ("firms-profit-text", lambda: _firms(profit=["a", "1"]), InvalidValueError,
     "profit must hold numbers: could not convert string to float: 'a'",
     {"field": "profit", "expected": "float64 amounts"}),
    ("firms-profit-short", lambda: _firms(profit=[1.0]), InvalidValueError,
     "profit has 1 values",
     {"field": "profit", "value": 1, "expected": "2 values, as many as 'registered_region'"}),
    ("regions-population-length", lambda: _regions(population=np.array([1.0])),
     InvalidValueError, "wrong length",
     {"field": "population", "value": (1,), "expected": "one value per region (2)"}),
    ("regions-population-zero", lambda: _regions(population=np.array([1.0, 0.0])),
     InvalidValueError, "population must be > 0",
     {"row": 2, "field": "population", "value": 0.0, "expected": "> 0"}),
    ("regions-population-nan", lambda: _regions(population=np.array([1.0, np.inf])),
     InvalidValueError, "must be a finite number >= 0",
     {"row": 2, "field": "population", "value": np.inf, "expected": "a non-negative amount"}),
    ("regions-index-negative",
     lambda: _regions(expenditure_index=np.array([-0.5, 1.0])), InvalidValueError,
     "must be a finite number >= 0",
     {"row": 1, "field": "expenditure_index", "value": -0.5,
      "expected": "a non-negative amount"}),
    ("regions-index-length", lambda: _regions(expenditure_index=[1.0, 1.0, 1.0]),
     InvalidValueError, "wrong length",
     {"field": "expenditure_index", "value": (3,), "expected": "one value per region (2)"}),
    ("regions-tax-key", lambda: _regions(tax_due={"vat": [1.0, 1.0], "vats": [0.0, 0.0]}),
     UnknownReferenceError, "unknown tax key",
     {"field": "tax_due", "value": "vats", "expected": "one of " + ", ".join(TAX_KEYS),
      "hint": "Did you mean vat?"}),
    ("regions-tax-key-far", lambda: _regions(tax_due={"income": [1.0, 1.0]}),
     UnknownReferenceError, "unknown tax key",
     {"field": "tax_due", "value": "income", "expected": "one of " + ", ".join(TAX_KEYS)}),
    ("regions-tax-negative", lambda: _regions(tax_due={"vat": [0.0, -1.0]}), InvalidValueError,
     "must be a finite number >= 0",
     {"row": 2, "field": "vat", "value": -1.0, "expected": "a non-negative amount"}),
    ("regions-tax-length", lambda: _regions(tax_due={"excise_other": [0.0]}),
     InvalidValueError, "wrong length",
     {"field": "excise_other", "value": (1,), "expected": "one value per region (2)"}),
    ("regions-parent-length", lambda: _regions(parent=("A",)), InvalidValueError,
     "wrong length",
     {"field": "parent", "value": 1, "expected": "one value per region (2)"}),
]


@pytest.mark.parametrize(("call", "kind", "message", "fields"),
                         [case[1:] for case in ARRAY_ERRORS], ids=[c[0] for c in ARRAY_ERRORS])
def test_every_array_error_is_whole(raises_exactly: Raises, call: Callable[[], object],
                                    kind: type[RegionetError], message: str,
                                    fields: dict[str, Any]) -> None:
    raises_exactly(call, kind, message, **fields)


def test_a_whole_message_reads_as_the_user_sees_it(raises_exactly: Raises) -> None:
    raises_exactly(lambda: _est(firm=[0, 1]), InvalidValueError,
                   "firm code out of range (array index 1)", row=2, field="firm", value=1,
                   expected="a firm code in 0..0",
                   text="row 2, field 'firm', value '1': firm code out of range (array index "
                        "1) (expected a firm code in 0..0)")


def test_the_limits_are_accepted() -> None:
    # the last code, 0, -0.0 and a tiny positive amount, counts 0, flags 0/1, NumPy counts
    est = _est(firm=[0, 0], region=[1, 1], headcount=[0.0, -0.0], payroll=[5e-324, 0],
               own_balance_sheet=[1, 0], n_firms=np.int64(1))
    assert (est.region.tolist(), est.headcount.tolist(), est.own_balance_sheet.tolist()) == (
        [1, 1], [0.0, -0.0], [True, False])
    assert (type(est.n_firms), est.n_firms, est.n_regions) == (int, 1, 2)
    empty = Establishments(firm=np.array([], dtype=float), region=[], headcount=[], payroll=[],
                           assets=[], sales=[], n_firms=0, n_regions=0)
    assert (len(empty), empty.n_firms, empty.firm.dtype) == (0, 0, np.intp)
    assert own_balance_flags(np.array([0.0, 1.0]), 2).tolist() == [False, True]
    assert _est().factor("sales|apportioned").tolist() == [0.0, 0.0]
    firms = _firms(profit=[-1e308, 0.0])  # any finite loss
    assert (firms.base.tolist(), firms.n_firms) == ([0.0, 0.0], 2)
    table = _regions(population=np.array([5e-324, 1.0]), expenditure_index=[0.0, 1.0],
                     tax_due={"vat": [0.0, 0.0]}, parent=(None, "A"))
    assert (table.population.tolist(), table.expenditure_index.tolist()) == (
        [5e-324, 1.0], [0.0, 1.0])
    assert (table.due("vat").tolist(), table.parent) == ([0.0, 0.0], (None, "A"))


# --- coding.py: a user's tables, errors in the file's terms ---------------------------------

def _table(name: str, rows: list[int] | None = None, **columns: list[Any]) -> InputTable:
    return InputTable.from_arrow(name, pa.table(columns),
                                 rows=None if rows is None else np.array(rows))


def _est_table(**changes: list[Any]) -> InputTable:
    columns: dict[str, list[Any]] = {"firm_id": ["a", "a", "b"], "region": ["R1", "R2", "R2"],
                                     "headcount": [1, 2, 3], "payroll": [0, 0, 0],
                                     "assets": [1, 1, 1], "sales": [0, 0, 0]}
    return _table("est.csv", **{**columns, **changes})


def _firm_table(**changes: list[Any]) -> InputTable:
    columns: dict[str, list[Any]] = {"firm_id": ["a", "b"], "registered_region": ["R1", "R2"],
                                     "profit": [5.0, -1.0]}
    return _table("firms.csv", **{**columns, **changes})


REGIONS = ["R1", "R2"]

CODING_ERRORS: list[tuple[str, Callable[[], object], type[RegionetError], str,
                          dict[str, Any]]] = [
    ("missing-column", lambda: code_inputs(
        _table("est.csv", firm_id=["a"], region=["R1"], headcount=[1], payroll=[1],
               assets=[1]), _firm_table(), REGIONS),
     DataFileError, "missing column(s) sales",
     {"file": "est.csv", "field": "sales",
      "expected": "columns firm_id, region, headcount, payroll, assets, sales"}),
    ("firms-missing-column", lambda: code_inputs(
        _est_table(), _table("firms.csv", firm_id=["a"], registered_region=["R1"]), REGIONS),
     DataFileError, "missing column(s) profit",
     {"file": "firms.csv", "field": "profit",
      "expected": "columns firm_id, registered_region, profit"}),
    ("duplicate-region-id", lambda: code_inputs(_est_table(), _firm_table(), ["R1", "R2", "R1"]),
     InvalidValueError, "duplicate region",
     {"file": "regions", "row": 3, "field": "region", "value": "R1",
      "expected": "each id once"}),
    ("duplicate-firm-id", lambda: code_inputs(
        _est_table(), _firm_table(firm_id=["a", "a"]), REGIONS),
     InvalidValueError, "duplicate firm_id",
     {"file": "firms.csv", "row": 2, "field": "firm_id", "value": "a",
      "expected": "each id once"}),
    ("duplicate-firm-registry-number", lambda: code_inputs(
        _est_table(firm_id=["0012", "0012", "0012"]),
        _table("firms.csv", rows=[4, 7], firm_id=["0012", "0012"],
               registered_region=["R1", "R2"], profit=[1.0, 1.0]), REGIONS),
     InvalidValueError, "duplicate firm_id",
     {"file": "firms.csv", "row": 7, "field": "firm_id", "value": "0012",
      "expected": "each id once"}),
    ("unknown-registered-region", lambda: code_inputs(
        _est_table(), _firm_table(registered_region=["R1", "R"]), REGIONS),
     UnknownActorError, "unknown registered_region",
     {"file": "firms.csv", "row": 2, "field": "registered_region", "value": "R",
      "expected": "an id listed in the regions", "hint": "Did you mean R2, R1?"}),
    ("firm-profit-nan", lambda: code_inputs(
        _est_table(), _firm_table(profit=["5", "n/a"]), REGIONS),
     InvalidValueError, "profit is NaN or infinite",
     {"file": "firms.csv", "row": 2, "field": "profit", "value": "n/a",
      "expected": "a finite number"}),
    ("unknown-firm-id", lambda: code_inputs(
        _est_table(firm_id=["a", "c", "b"]), _firm_table(), REGIONS),
     UnknownReferenceError, "unknown firm_id",
     {"file": "est.csv", "row": 2, "field": "firm_id", "value": "c",
      "expected": "an id listed in the firms table"}),
    ("unknown-firm-id-close", lambda: code_inputs(
        _est_table(firm_id=["a", "a", "bb"]), _firm_table(firm_id=["a", "bbb"]), REGIONS),
     UnknownReferenceError, "unknown firm_id",
     {"file": "est.csv", "row": 3, "field": "firm_id", "value": "bb",
      "expected": "an id listed in the firms table", "hint": "Did you mean bbb?"}),
    ("unknown-region", lambda: code_inputs(
        _table("est.csv", rows=[2, 5, 9], firm_id=["a", "a", "b"],
               region=["R1", "R2", "R2 "], headcount=[1, 2, 3], payroll=[0, 0, 0],
               assets=[1, 1, 1], sales=[0, 0, 0]), _firm_table(), REGIONS),
     UnknownActorError, "unknown region",
     {"file": "est.csv", "row": 9, "field": "region", "value": "R2 ",
      "expected": "an id listed in the regions", "hint": "Did you mean R2?"}),
    ("bad-amount-in-file", lambda: code_inputs(
        _table("est.csv", rows=[3, 4, 8], firm_id=["a", "a", "b"], region=["R1", "R2", "R2"],
               headcount=["1", "2", "-3"], payroll=[0, 0, 0], assets=[1, 1, 1],
               sales=[0, 0, 0]), _firm_table(), REGIONS),
     InvalidValueError, "headcount is negative, NaN or infinite",
     {"file": "est.csv", "row": 8, "field": "headcount", "value": "-3",
      "expected": "a finite number >= 0"}),
    ("bad-flag-in-file", lambda: code_inputs(
        _est_table(own_balance_sheet=["yes", None, "perhaps"]), _firm_table(), REGIONS),
     InvalidValueError, "own_balance_sheet is not true or false",
     {"file": "est.csv", "row": 3, "field": "own_balance_sheet", "value": "perhaps",
      "expected": "true or false (also 1/0, yes/no; empty: false)"}),
    ("bad-numeric-flag", lambda: flags_of(_table("e.csv", rows=[4, 6], f=[1.0, 2.0]), "f"),
     InvalidValueError, "f is not true or false",
     {"file": "e.csv", "row": 6, "field": "f", "value": 2.0,
      "expected": "true or false (also 1/0, yes/no; empty: false)"}),
]


@pytest.mark.parametrize(("call", "kind", "message", "fields"),
                         [case[1:] for case in CODING_ERRORS],
                         ids=[c[0] for c in CODING_ERRORS])
def test_every_coding_error_is_whole(raises_exactly: Raises, call: Callable[[], object],
                                     kind: type[RegionetError], message: str,
                                     fields: dict[str, Any]) -> None:
    raises_exactly(call, kind, message, **fields)


def test_an_unknown_id_gets_a_hint_among_up_to_the_limit_of_choices(
        raises_exactly: Raises, monkeypatch: pytest.MonkeyPatch) -> None:
    # at the limit the nearest ids are searched; one more and none is (difflib is slow)
    firms = _firm_table(firm_id=["a", "bbb"])
    est = _est_table(firm_id=["a", "a", "bb"])
    monkeypatch.setattr(coding, "_MAX_HINT_CHOICES", 2)
    raises_exactly(lambda: code_inputs(est, firms, REGIONS), UnknownReferenceError,
                   "unknown firm_id", file="est.csv", row=3, field="firm_id", value="bb",
                   expected="an id listed in the firms table", hint="Did you mean bbb?")
    monkeypatch.setattr(coding, "_MAX_HINT_CHOICES", 1)
    raises_exactly(lambda: code_inputs(est, firms, REGIONS), UnknownReferenceError,
                   "unknown firm_id", file="est.csv", row=3, field="firm_id", value="bb",
                   expected="an id listed in the firms table")


def test_flags_at_their_limits_are_read() -> None:
    table = _table("e.csv", f=[" Yes", "N", "t", "F", "1", "0", "", None, "y", "no"])
    assert flags_of(table, "f").tolist() == [True, False, True, False, True, False, False,
                                            False, True, False]
    numbers = _table("e.csv", f=[1.0, 0.0, -0.0, None])
    assert flags_of(numbers, "f").tolist() == [True, False, False, False]


def test_tables_at_their_limits_are_coded() -> None:
    # a firm without establishments, every region used, a region list given as a function
    est, firms = code_inputs(_est_table(firm_id=["b", "b", "b"]),
                             _firm_table(firm_id=["a", "b"]), lambda: REGIONS)
    assert (est.firm.tolist(), est.region.tolist(), est.n_firms) == ([1, 1, 1], [0, 1, 1], 2)
    assert (firms.registered_region.tolist(), firms.profit.tolist()) == ([0, 1], [5.0, -1.0])
    assert not est.any_own_balance_sheet
    with_flags, _ = code_inputs(_est_table(own_balance_sheet=["true", "", "0"]), _firm_table(),
                                REGIONS)
    assert with_flags.own_balance_sheet.tolist() == [True, False, False]


def test_an_error_without_a_cell_keeps_its_array_terms() -> None:
    # an array error whose field the file does not have keeps its value and row
    table = _table("est.csv", rows=[5], x=[1])
    err = InvalidValueError("n_firms must be a count (array index 0)", row=1, field="n_firms",
                            value=-1, expected="an integer >= 0", hint="count the firms")
    got = coding.in_file(err, table)
    assert (type(got), got.message, got.file, got.row, got.field, got.value, got.expected,
            got.hint) == (InvalidValueError, "n_firms must be a count", "est.csv", 1,
                          "n_firms", -1, "an integer >= 0", "count the firms")


# --- from the fresh random sample of inputs/ (``--sample 40 --seed 41 fiscal-inputs``) -------

def test_registry_numbers_of_another_length_are_another_firm(raises_exactly: Raises) -> None:
    # firms' ids are digits of one length (coded as integers); an establishment's "12" is not
    # firm "012" although both are the integer 12 (every id of the column one length shorter)
    firms = _firm_table(firm_id=["012", "034"])
    raises_exactly(lambda: code_inputs(_est_table(firm_id=["34", "12", "34"]), firms, REGIONS),
                   UnknownReferenceError, "unknown firm_id", file="est.csv", row=1,
                   field="firm_id", value="34", expected="an id listed in the firms table",
                   hint="Did you mean 034?")
    est, _ = code_inputs(_est_table(firm_id=["034", "012", "034"]), firms, REGIONS)
    assert est.firm.tolist() == [0, 1, 1] and est.order.tolist() == [1, 0, 2]


# --- from the third fresh sample of inputs/ (``--sample 60 --seed 49 fiscal-inputs``) --------

def test_a_loss_before_a_nan_profit_is_no_error(raises_exactly: Raises) -> None:
    # negative profits are allowed: the first *non-finite* one is named, not the first loss
    raises_exactly(lambda: _firms(profit=[-5.0, np.nan]), InvalidValueError,
                   "profit is NaN or infinite (array index 1)", row=2, field="profit",
                   value=np.nan, expected="a finite number")


def test_firms_keep_their_profit_as_float64() -> None:
    firms = Firms(registered_region=[1, 0], profit=[3, -2], n_regions=2)
    assert (firms.profit.dtype, firms.profit.tolist(), firms.base.tolist()) == (
        np.float64, [3.0, -2.0], [3.0, 0.0])


def test_an_unknown_tax_key_suggests_one_key(raises_exactly: Raises) -> None:
    # "excise_spirit" is close to two keys; the hint names the nearest only
    raises_exactly(lambda: _regions(tax_due={"excise_spirit": [1.0, 1.0]}),
                   UnknownReferenceError, "unknown tax key", field="tax_due",
                   value="excise_spirit", expected="one of " + ", ".join(TAX_KEYS),
                   hint="Did you mean excise_spirits?")
