"""Guards for ``engines/fiscal`` written from the mutants mutmut found alive (docs/testing.md).

``Shares.per_establishment`` works in chunks of ``_CHUNK`` establishments; every other test
has fewer, so only the first chunk was ever computed. Here the shares of more than one
chunk are checked against the formula by hand: an establishment's headcount over its firm's.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from regionet.core.errors import InvalidValueError, RegionetError, UnknownReferenceError
from regionet.core.tables import InputTable
from regionet.engines.fiscal.inputs.coding import (
    _frame_table,
    _unique,
    flags_of,
    from_frames,
    in_file,
)
from regionet.engines.fiscal.inputs.establishments import Establishments, Firms, own_balance_flags
from regionet.engines.fiscal.inputs.year_inputs import RegionTable
from regionet.engines.fiscal.rules import shares as shares_module
from regionet.engines.fiscal.rules.attribution import (
    RULES,
    art288,
    attribute,
    attribution_rule,
    first_positive,
)
from regionet.engines.fiscal.rules.equalization import (
    EqualizationInputs,
    allocate,
    no_equalization,
    two_stage,
)
from regionet.engines.fiscal.rules.shares import MIN_TOTAL, Groups, mean_of_shares


def test_shares_over_more_than_one_chunk() -> None:
    n = shares_module._CHUNK + 1_000
    rng = np.random.default_rng(7)
    firm = rng.integers(0, 3, n)
    headcount = rng.integers(1, 50, n).astype(float)
    zeros = np.zeros(n)
    est = Establishments(firm=firm, region=rng.integers(0, 5, n), headcount=headcount,
                         payroll=zeros, assets=zeros, sales=zeros, n_firms=3, n_regions=5)
    totals = np.bincount(firm, weights=headcount, minlength=3)
    got = first_positive(est, ["headcount"]).per_establishment()
    np.testing.assert_allclose(got, headcount / totals[firm], rtol=1e-12)
    scaled = first_positive(est, ["headcount"]).per_establishment(np.array([2.0, 3.0, 5.0]))
    np.testing.assert_allclose(scaled, headcount / totals[firm] * np.array([2.0, 3.0, 5.0])[firm],
                               rtol=1e-12)
    # two factors: the second term of each chunk goes through the scratch buffer
    payroll = rng.integers(1, 9, n).astype(float)
    two = Establishments(firm=firm, region=rng.integers(0, 5, n), headcount=headcount,
                         payroll=payroll, assets=zeros, sales=zeros, n_firms=3, n_regions=5)
    payrolls = np.bincount(firm, weights=payroll, minlength=3)
    groups: Groups = [(1.0, [("headcount", 1.0)]), (1.0, [("payroll", 1.0)])]
    np.testing.assert_allclose(mean_of_shares(two, groups).per_establishment(),
                               0.5 * headcount / totals[firm] + 0.5 * payroll / payrolls[firm],
                               rtol=1e-12)


def test_no_equalization_says_the_centre_keeps_a_fund_only_when_there_is_one() -> None:
    data = EqualizationInputs([1.0, 2.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0])
    kept = no_equalization(10.0, data)
    assert (kept.transfers.tolist(), kept.undistributed, kept.note) == (
        [0.0, 0.0], 10.0, "method 'none': the centre keeps the fund")
    empty = no_equalization(0.0, data)
    assert (empty.transfers.tolist(), empty.undistributed, empty.note) == ([0.0, 0.0], 0.0, None)


def test_flags_of_every_column_type() -> None:
    def flags(values: pa.Array) -> list[bool]:
        return flags_of(InputTable.from_arrow("est.csv", pa.table({"f": values})), "f").tolist()

    assert flags(pa.array([True, None, False])) == [True, False, False]
    assert flags(pa.array(["yes", "NO", None, "yes"]).dictionary_encode()) == [
        True, False, False, True]
    assert flags(pa.array([1, 0, None], pa.int64())) == [True, False, False]
    assert flags(pa.array([1.0, 0.0, None, -0.0])) == [True, False, False, False]
    with pytest.raises(InvalidValueError) as info:
        flags(pa.array([1.0, 2.5]))
    err = info.value
    assert (err.message, err.file, err.row, err.field) == ("f is not true or false", "est.csv",
                                                           2, "f")


def _two_establishments(headcount: float) -> Establishments:
    """One firm, two regions: *headcount* in region 0 only, a payroll of 3 in region 1 only."""
    return Establishments(firm=[0, 0], region=[0, 1], headcount=[headcount, 0.0],
                          payroll=[0.0, 3.0], assets=[0.0, 0.0], sales=[0.0, 0.0],
                          n_firms=1, n_regions=2)


def test_a_factor_total_of_exactly_min_total_counts_as_none() -> None:
    # MIN_TOTAL is the largest total still taken as "no factor": the rule falls through to
    # the next factor (payroll, region 1); just above it, headcount (region 0) decides
    at_bound = first_positive(_two_establishments(MIN_TOTAL), ["headcount", "payroll"])
    assert at_bound.per_establishment().tolist() == [0.0, 1.0]
    above = first_positive(_two_establishments(2 * MIN_TOTAL), ["headcount", "payroll"])
    assert above.per_establishment().tolist() == [1.0, 0.0]
    # the same bound in the weighted mean: an absent factor's weight goes to the others
    groups: Groups = [(1.0, [("headcount", 1.0)]), (1.0, [("payroll", 1.0)])]
    assert mean_of_shares(_two_establishments(MIN_TOTAL), groups).per_establishment(
        ).tolist() == [0.0, 1.0]
    assert mean_of_shares(_two_establishments(2 * MIN_TOTAL), groups).per_establishment(
        ).tolist() == [0.5, 0.5]


def _table() -> InputTable:
    # rows 2 and 5 of the file were kept (the others dropped): the error must name those
    return InputTable.from_arrow(
        "establishments.csv", pa.table({"firm_id": ["a", "b"], "headcount": [" 7", "-2"]}),
        rows=np.array([2, 5]))


def test_in_file_restates_an_array_error_in_the_file_s_terms() -> None:
    err = InvalidValueError("headcount must be >= 0 (array index 1)", row=2, field="headcount",
                            value=-2.0, expected="a number >= 0", hint="fix the cell")
    got = in_file(err, _table())
    assert got.to_dict() == {
        "type": "InvalidValueError", "message": "headcount must be >= 0",
        "file": "establishments.csv", "row": 5, "field": "headcount", "value": "-2",
        "expected": "a number >= 0", "hint": "fix the cell",
        "detail": "establishments.csv, row 5, field 'headcount', value '-2': headcount must "
                  "be >= 0 (expected a number >= 0). fix the cell"}


@pytest.mark.parametrize(("row", "field"), [(None, "headcount"), (2, None), (2, "payroll")])
def test_in_file_keeps_the_error_s_own_row_and_value_without_a_cell(
        row: int | None, field: str | None) -> None:
    # no row, no field, or a field the file does not have: no cell to read; only the file
    # is added (the other conditions alone would read a wrong cell or fail)
    err = InvalidValueError("bad", row=row, field=field, value=1.5, expected="e", hint="h")
    got = in_file(err, _table())
    assert (got.message, got.file, got.row, got.field, got.value, got.expected, got.hint) == (
        "bad", "establishments.csv", row, field, 1.5, "e", "h")


def test_a_frame_s_numeric_columns_are_coerced_and_its_ids_kept() -> None:
    pd = pytest.importorskip("pandas")
    numeric = ("headcount", "payroll", "assets", "sales", "profit", "population")
    frame = pd.DataFrame({**{c: ["1", "2.5", "x"] for c in numeric},
                          "firm_id": [1, 2, 3], "region": ["RU-KR", 7, None]})
    table = _frame_table(frame, "frame")
    assert (table.name, table.n_rows, table.names) == ("frame", 3, (*numeric, "firm_id",
                                                                     "region"))
    for c in numeric:
        column = table.column(c)
        assert column.type == pa.float64(), c
        assert column.to_pylist()[:2] == [1.0, 2.5], c
        assert np.isnan(column.to_pylist()[2]), c
    assert table.column("firm_id").type == pa.int64()
    assert table.column("firm_id").to_pylist() == [1, 2, 3]
    # ids of mixed types are read as text, a missing one stays missing
    assert table.column("region").type == pa.string()
    assert table.column("region").to_pylist() == ["RU-KR", "7", None]
    # the cell as written, for error messages (a file row is 1-based)
    assert (table.value("headcount", 2), table.value("region", 1)) == ("x", 7)


# --- from the random samples of rules/ and inputs/ (docs/testing.md) -----------------------

def _err(err: RegionetError) -> tuple[object, ...]:
    return (type(err).__name__, err.message, err.field, err.value, err.expected, err.hint)


def test_an_unknown_attribution_rule_or_method_is_named_exactly() -> None:
    with pytest.raises(UnknownReferenceError) as info:
        attribution_rule("art289")
    assert _err(info.value) == ("UnknownReferenceError", "unknown attribution rule",
                                "attribution.profit_tax.rule", "art289",
                                "one of " + ", ".join(RULES), "Did you mean art288, art288_1995?")
    data = EqualizationInputs([1.0, 2.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0])
    with pytest.raises(UnknownReferenceError) as method:
        allocate("two_stages", 1.0, data)
    assert (method.value.field, method.value.value, method.value.hint) == (
        "equalization.method", "two_stages", "Did you mean two_stage?")


def test_art288_weights_other_than_half_and_half_are_used() -> None:
    # headcount 1:3 and assets 3:1: labour 0.5 and assets 1.5 (normalised to 1/4 and 3/4)
    est = Establishments(firm=[0, 0], region=[0, 1], headcount=[1, 3], payroll=[0, 0],
                         assets=[3, 1], sales=[0, 0], n_firms=1, n_regions=2)
    got = attribution_rule("art288", 0.5, 1.5)(est).per_establishment()
    np.testing.assert_allclose(got, [0.25 * 0.25 + 0.75 * 0.75, 0.25 * 0.75 + 0.75 * 0.25])
    assert attribution_rule("art288")(est).per_establishment().tolist() == [0.5, 0.5]


def test_equalization_input_errors_exactly() -> None:
    data = EqualizationInputs([1.0, 2.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0])
    with pytest.raises(InvalidValueError) as fund:
        no_equalization(-1.0, data)
    assert _err(fund.value) == ("InvalidValueError", "bad fund size", "fund", -1.0,
                                "a finite amount >= 0", None)
    with pytest.raises(InvalidValueError) as shape:
        EqualizationInputs([1.0, 2.0], [1.0], [1.0, 1.0], [1.0, 1.0])
    assert (shape.value.message, shape.value.value, shape.value.expected) == (
        "wrong shape", (1,), "one value per region (2)")


def test_two_stage_with_no_capacity_notes_an_undistributed_fund_only_if_there_is_one() -> None:
    data = EqualizationInputs([1.0, 2.0], [1.0, 1.0], [0.0, 0.0], [0.0, 0.0])
    assert two_stage(5.0, data).note == ("no region has tax capacity: the indices are undefined "
                                         "and the fund is undistributed")
    assert two_stage(0.0, data).note is None


def test_a_duplicate_id_names_its_file_row_and_cell() -> None:
    # rows 2, 4 and 9 of the file were kept; the third repeats the first (as written " a")
    table = InputTable.from_arrow("firms.csv", pa.table({"firm_id": ["a", "b", " a"]}),
                                  rows=np.array([2, 4, 9]))
    with pytest.raises(InvalidValueError) as info:
        _unique(pa.array(["a", "b", "a"]), table, "firm_id", "firms.csv")
    err = info.value
    assert (err.message, err.file, err.row, err.field, err.value, err.expected) == (
        "duplicate firm_id", "firms.csv", 9, "firm_id", " a", "each id once")


def test_attribution_errors_name_the_value() -> None:
    est = Establishments(firm=[0, 0], region=[0, 1], headcount=[1, 3], payroll=[1, 1],
                         assets=[0, 0], sales=[0, 0], n_firms=1, n_regions=2)
    with pytest.raises(InvalidValueError) as labour:
        art288(est, labour="wages")
    assert _err(labour.value) == ("InvalidValueError", "unknown labour measure", "labour",
                                  "wages", "'headcount' or 'payroll'", None)
    firms = Firms(registered_region=[0, 1], profit=[1.0, 2.0], n_regions=2)
    with pytest.raises(InvalidValueError) as count:
        attribute(est, firms, "art288")
    assert _err(count.value) == ("InvalidValueError", "establishments and firms disagree on "
                                 "the number of firms", "n_firms", 2,
                                 "1 firms, as coded in the establishments", None)


def _establishments(**changes: object) -> Establishments:
    columns: dict[str, object] = {"firm": [0, 0], "region": [0, 1], "headcount": [1, 3],
                                  "payroll": [1, 1], "assets": [0, 0], "sales": [0, 0],
                                  "n_firms": 1, "n_regions": 2}
    columns.update(changes)
    return Establishments(**columns)  # type: ignore[arg-type]


def test_establishments_errors_exactly() -> None:
    with pytest.raises(InvalidValueError) as amounts:
        _establishments(headcount=["x", "y"])
    assert amounts.value.message.startswith("headcount must hold numbers: ")
    assert (amounts.value.field, amounts.value.expected) == ("headcount", "float64 amounts")
    with pytest.raises(InvalidValueError) as codes:
        _establishments(firm=[0.0, 0.5])
    assert _err(codes.value) == ("InvalidValueError", "firm must hold integer codes", "firm",
                                 np.dtype("float64"), "integer firm codes 0..0", None)
    # (np.dtype(None) is float64, so the tuple above would also accept None)
    assert str(codes.value.value) == "float64"
    with pytest.raises(InvalidValueError) as flag:
        _establishments(own_balance_sheet=[0, 2])
    assert _err(flag.value) == ("InvalidValueError",
                                "own_balance_sheet is not a boolean (array index 1)",
                                "own_balance_sheet", 2, "true or false (1 or 0)", None)
    assert type(flag.value.value) is int  # the Python value, not a NumPy scalar
    with pytest.raises(InvalidValueError) as population:
        RegionTable(("A", "B"), population=np.array([1.0, 0.0]))
    assert _err(population.value) == ("InvalidValueError", "population must be > 0",
                                      "population", 0.0, "> 0", None)


def test_counts_given_as_numpy_integers_are_kept_as_int() -> None:
    est = _establishments(n_firms=np.int64(1), n_regions=np.int64(2))
    assert (type(est.n_firms), type(est.n_regions)) == (int, int)
    assert (est.n_firms, est.n_regions) == (1, 2)


# --- from the fresh random sample of rules/ (``--sample 40 --seed 25 fiscal-rules``) ---------

def test_the_rules_input_errors_name_their_value_exactly() -> None:
    est = Establishments(firm=[0, 0], region=[0, 1], headcount=[1, 3], payroll=[0, 0],
                         assets=[3, 1], sales=[0, 0], n_firms=1, n_regions=2)
    firms = Firms(registered_region=[0], profit=[1.0], n_regions=2)
    with pytest.raises(UnknownReferenceError) as rule:
        attribute(est, firms, "art289")
    assert _err(rule.value) == ("UnknownReferenceError", "unknown attribution rule", "rule",
                                "art289", "one of " + ", ".join(RULES),
                                "Did you mean art288, art288_1995?")
    with pytest.raises(InvalidValueError) as option:
        attribute(est, firms, "art288", labor="payroll")
    assert _err(option.value) == (
        "InvalidValueError", "option not accepted by the rule: got an unexpected keyword "
        "argument 'labor'", "options", ["labor"],
        "(establishments: 'Establishments', *, labour: 'str' = 'headcount') -> 'Shares'", None)
    with pytest.raises(InvalidValueError) as negative:
        EqualizationInputs([1.0, 2.0], [1.0, -1.0], [1.0, 1.0], [1.0, 1.0])
    assert _err(negative.value) == ("InvalidValueError", "bad expenditure_index (array index 1)",
                                    "expenditure_index", -1.0, "a finite number >= 0", None)
    data = EqualizationInputs([1.0, 2.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0])
    with pytest.raises(InvalidValueError) as stages:
        two_stage(1.0, data, stage_1=0.8, stage_2=0.5)
    assert _err(stages.value) == ("InvalidValueError", "bad stage shares",
                                  "equalization.stage_split", (0.8, 0.5),
                                  "shares >= 0 summing to <= 1", None)
    with pytest.raises(InvalidValueError) as twice:
        mean_of_shares(est, [(0.5, [("headcount", 1.0)]), (0.5, [("headcount", 1.0)])])
    assert _err(twice.value) == ("InvalidValueError", "a factor appears twice in the mean",
                                 "groups", ["headcount", "headcount"], "each factor once", None)
    with pytest.raises(InvalidValueError) as weights:
        mean_of_shares(est, [(0.5, [("headcount", -1.0)])])
    assert _err(weights.value) == ("InvalidValueError", "factor weights must be finite and >= 0",
                                   "groups", [0.5, -1.0], "weights >= 0", None)


# --- from the fresh random sample of inputs/ (``--sample 40 --seed 27 fiscal-inputs``) -------

def _input_err(build: object) -> tuple[object, ...]:
    assert callable(build)
    with pytest.raises(RegionetError) as info:
        build()
    err = info.value
    return (*_err(err), err.file, err.row)


def test_the_arrays_errors_name_field_value_and_expected_exactly() -> None:
    kw: dict[str, object] = dict(firm=[0, 0], region=[0, 1], headcount=[1, 3], payroll=[0, 0],
                                 assets=[3, 1], sales=[0, 0], n_firms=1, n_regions=2)
    assert _input_err(lambda: Establishments(**{**kw, "region": [[0, 1]]})) == (
        "InvalidValueError", "region must be one-dimensional", "region", (1, 2), "a 1-D array",
        None, None, None)
    assert _input_err(lambda: Establishments(**{**kw, "region": [0]})) == (
        "InvalidValueError", "region has 1 values", "region", 1, "2 values, as many as 'firm'",
        None, None, None)
    assert _input_err(lambda: own_balance_flags([True], 2)) == (
        "InvalidValueError", "own_balance_sheet has 1 values", "own_balance_sheet", 1,
        "2 values, as many as 'firm'", None, None, None)
    assert _input_err(lambda: Establishments(**{**kw, "region": [0, 2]})) == (
        "InvalidValueError", "region code out of range (array index 1)", "region", 2,
        "a region code in 0..1", None, None, 2)
    assert _input_err(lambda: Establishments(**{**kw, "payroll": [1, -3]})) == (
        "InvalidValueError", "payroll is negative, NaN or infinite (array index 1)", "payroll",
        -3.0, "a finite number >= 0", None, None, 2)
    est = Establishments(**kw)  # type: ignore[arg-type]
    assert _input_err(lambda: est.factor("labour")) == (
        "UnknownReferenceError", "no such apportionment factor", "factor", "labour",
        "one of headcount, payroll, assets, sales (optionally + '|own' or '|apportioned')", None,
        None, None)
    assert _input_err(lambda: Firms(registered_region=[0], profit=[1.0], n_regions=-1)) == (
        "InvalidValueError", "n_regions must be a count", "n_regions", -1, "an integer >= 0",
        None, None, None)
    assert _input_err(lambda: RegionTable(("A", "B"), population=np.array([1e6]))) == (
        "InvalidValueError", "wrong length", "population", (1,), "one value per region (2)",
        None, None, None)


def test_an_unknown_firm_id_names_the_firms_table_and_no_hint_when_none_is_close() -> None:
    pd = pytest.importorskip("pandas")
    est = pd.DataFrame({"firm_id": ["f", "zzz"], "region": ["A", "B"], "headcount": [1, 3],
                        "payroll": [1, 1], "assets": [1, 1], "sales": [1, 1]})
    firms = pd.DataFrame({"firm_id": ["f"], "registered_region": ["A"], "profit": [100.0]})
    assert _input_err(lambda: from_frames(est, firms, ("A", "B"))) == (
        "UnknownReferenceError", "unknown firm_id", "firm_id", "zzz",
        "an id listed in the firms table", None, "establishments", 2)
    # more firms than the hint searches among (a close id, f1x, gets no hint then)
    many = pd.DataFrame({"firm_id": [f"f{i}" for i in range(20_001)],
                         "registered_region": "A", "profit": 1.0})
    est["firm_id"] = ["f0", "f1x"]
    assert _input_err(lambda: from_frames(est, many, ("A", "B")))[1:6] == (
        "unknown firm_id", "firm_id", "f1x", "an id listed in the firms table", None)
