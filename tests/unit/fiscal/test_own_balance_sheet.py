"""The own_balance_sheet flag: input column, default, bad values, and art288_1995 with it.

Law 64-FZ of 25.04.1995 / Government Resolution 660 of 01.07.1995 apportion only subdivisions
WITHOUT their own balance sheet and bank account; the others pay where they are registered, on
their own base (approximated by their firm-wide art. 288 share: docs/fiscal.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regionet.core.errors import InvalidValueError, UnknownReferenceError, ValidationError
from regionet.engines.economy.assumptions import EconomyAssumptions, parse_assumptions
from regionet.engines.economy.firms import own_balance_by_activity
from regionet.engines.fiscal.inputs.coding import from_frames
from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
from regionet.engines.fiscal.rules.attribution import (
    art288,
    art288_1995,
    attribute,
    attribute_by_establishment,
    attribute_parts,
    attribution_rule,
    own_balance_summary,
)
from regionet.engines.fiscal.run.legal_cases import parse_case
from regionet.io.economy_files import fiscal_input_frames, load_economy
from regionet.io.fiscal_files import read_firms
from regionet.io.registered_inputs import stage

# The federation of tests/cases/profit_tax_own_balance_sheet_1998.yaml, rows out of firm
# order, plus firm 1 (registered in 3, profit 300) whose apportioned subdivisions have no
# assets (labour alone among them) and firm 2 with every factor zero (head office).
#
# firm 0 (registered 0, profit 1260): region, headcount, assets, own
#   0: 20, 400, no | 1: 30, 100, yes | 2: 40, 300, no | 3: 10, 200, no
#   own: 1 → 0.2 × 1260 = 252; rest 1008 over 0, 2, 3 (h 70, k 900) → 368, 456, 184
# firm 1 (registered 3, profit 300): region, headcount, assets, own
#   3: 10, 0, no | 1: 10, 80, yes | 2: 30, 0, no
#   firm-wide: h 50, k 80 → region 1 ½(10/50 + 80/80) = 0.6 → 180; rest 120 over 3 and 2 by
#   headcount alone (no assets among them): 10/40 → 30, 30/40 → 90
# firm 2 (registered 2, profit 50): one establishment in 1, every factor 0, own → 50 at 2
FIRM = [1, 0, 0, 2, 0, 1, 0, 1]
REGION = [3, 0, 1, 1, 2, 1, 3, 2]
HEADCOUNT = [10, 20, 30, 0, 40, 10, 10, 30]
ASSETS = [0, 400, 100, 0, 300, 80, 200, 0]
OWN = [False, False, True, True, False, True, False, False]
EXPECTED_BY_ESTABLISHMENT = [30.0, 368.0, 252.0, 0.0, 456.0, 180.0, 184.0, 90.0]


def _est(own: object = OWN, **changes: object) -> Establishments:
    columns: dict[str, object] = {
        "firm": FIRM, "region": REGION, "headcount": HEADCOUNT, "payroll": [1] * 8,
        "assets": ASSETS, "sales": [0] * 8, "n_firms": 3, "n_regions": 4,
        "own_balance_sheet": own}
    columns.update(changes)
    return Establishments(**columns)  # type: ignore[arg-type]


FIRMS = Firms(registered_region=[0, 3, 2], profit=[1260.0, 300.0, 50.0], n_regions=4)


# --- the column and its default ------------------------------------------------------------

def test_default_is_no_own_balance_sheet() -> None:
    est = _est(own=None)
    assert est.own_balance_sheet.dtype == np.bool_
    assert est.own_balance_sheet.tolist() == [False] * 8
    assert not est.any_own_balance_sheet


def test_flags_are_sorted_with_the_rows() -> None:
    est = _est()
    assert est.order is not None
    assert est.firm.tolist() == [0, 0, 0, 0, 1, 1, 1, 2]
    assert est.own_balance_sheet.tolist() == [False, True, False, False,
                                              False, True, False, True]
    assert est.factor("assets|own").tolist() == [0, 100, 0, 0, 0, 80, 0, 0]
    assert est.factor("headcount|apportioned").tolist() == [20, 0, 40, 10, 10, 0, 30, 0]


@pytest.mark.parametrize(("own", "row", "value"), [
    ([0, 1, 2, 0, 0, 0, 0, 0], 3, 2),
    ([0.0, 0.5, 0, 0, 0, 0, 0, 0], 2, 0.5),
    (["true"] * 8, 1, "true"),
])
def test_bad_flags_in_arrays(own: list[object], row: int, value: object) -> None:
    with pytest.raises(InvalidValueError) as caught:
        _est(own=own)
    assert (caught.value.field, caught.value.row, caught.value.value) == (
        "own_balance_sheet", row, value)
    assert caught.value.expected == "true or false (1 or 0)"


def test_flags_of_the_wrong_length() -> None:
    with pytest.raises(InvalidValueError, match="own_balance_sheet has 2 values"):
        _est(own=[True, False])


def test_unknown_derived_factor() -> None:
    with pytest.raises(UnknownReferenceError):
        _est().factor("assets|mine")


# --- the rule ------------------------------------------------------------------------------

def test_mixed_hand_computed() -> None:
    got = attribute_by_establishment(_est(), FIRMS, "art288_1995")
    assert got.establishment.tolist() == pytest.approx(EXPECTED_BY_ESTABLISHMENT, abs=1e-9)
    assert got.head_office.tolist() == [0.0, 0.0, 50.0]
    parts = attribute_parts(_est(), FIRMS, "art288_1995")
    # region 1: 252 (firm 0, own) + 180 (firm 1, own) + 0; region 2 has firm 2's head office
    assert parts.total.tolist() == pytest.approx([368, 432, 596, 214], abs=1e-9)
    assert parts.own_balance_sheet is not None
    assert parts.own_balance_sheet.tolist() == pytest.approx([0, 432, 0, 0], abs=1e-9)
    assert parts.head_office.tolist() == [0.0, 0.0, 50.0, 0.0]
    assert parts.total.sum() == pytest.approx(1610.0, abs=1e-9)


def test_none_own_is_the_old_rule_exactly() -> None:
    rng = np.random.default_rng(7)
    n, firms = 5000, 700
    columns = {"firm": rng.integers(0, firms, n), "region": rng.integers(0, 80, n),
               "headcount": rng.integers(0, 50, n).astype(float),
               "payroll": rng.random(n), "assets": rng.random(n) * (rng.random(n) > 0.2),
               "sales": rng.random(n)}
    firm_table = Firms(registered_region=rng.integers(0, 80, firms),
                       profit=rng.normal(100, 80, firms), n_regions=80)
    for flags in (None, np.zeros(n, dtype=bool)):
        est = Establishments(**columns, n_firms=firms, n_regions=80, own_balance_sheet=flags)
        for labour in ("headcount", "payroll"):
            new = attribute(est, firm_table, "art288_1995", labour=labour)
            old = attribute(est, firm_table, "art288", labour=labour)
            assert np.array_equal(new, old)
            assert np.array_equal(art288_1995(est, labour=labour).per_establishment(),
                                  art288(est, labour=labour).per_establishment())


def test_all_own_gives_the_firm_wide_shares() -> None:
    rng = np.random.default_rng(3)
    n, firms = 2000, 300
    est = Establishments(firm=rng.integers(0, firms, n), region=rng.integers(0, 20, n),
                         headcount=rng.integers(0, 9, n).astype(float), payroll=rng.random(n),
                         assets=rng.random(n) * (rng.random(n) > 0.3), sales=rng.random(n),
                         n_firms=firms, n_regions=20, own_balance_sheet=np.ones(n, bool))
    firm_table = Firms(registered_region=rng.integers(0, 20, firms),
                       profit=rng.normal(100, 50, firms), n_regions=20)
    new, old = art288_1995(est), art288(est)
    np.testing.assert_allclose(new.per_establishment(), old.per_establishment(),
                               rtol=0, atol=1e-12)
    np.testing.assert_array_equal(new.head_office, old.head_office)
    parts = attribute_parts(est, firm_table, "art288_1995")
    np.testing.assert_allclose(parts.total, attribute(est, firm_table, "art288"), atol=1e-9)
    assert parts.own_balance_sheet is not None
    np.testing.assert_allclose(parts.own_balance_sheet, parts.establishments, atol=1e-9)


def test_mixed_with_payroll_and_weights() -> None:
    # firm 0 only, payroll as labour: payroll 1 each → firm-wide ½·¼ + ½·k
    est = Establishments(firm=[0, 0, 0], region=[0, 1, 2], headcount=[0, 0, 0],
                         payroll=[1, 1, 2], assets=[1, 3, 0], sales=[0, 0, 0], n_firms=1,
                         n_regions=3, own_balance_sheet=[False, True, False])
    # own (region 1): ½ (1/4) + ½ (3/4) = 0.5; rest 0.5 over 0 and 2: payroll 1, 2 of 3,
    # assets 1, 0 of 1 → ½ (1/3) + ½ = 2/3 and ½ (2/3) = 1/3 → 1/3, 1/6
    shares = art288_1995(est, labour="payroll").per_establishment()
    assert shares.tolist() == pytest.approx([1 / 3, 0.5, 1 / 6], abs=1e-12)
    # weights 0.8 labour (headcount, the weighted rule's measure) / 0.2 assets: no headcount,
    # so assets alone: own 3/4; rest 1/4 over 0 (assets 1) and 2 (assets 0) → all to 0
    weighted = attribution_rule("art288_1995", 0.8, 0.2)(est).per_establishment()
    assert weighted.tolist() == pytest.approx([0.25, 0.75, 0.0], abs=1e-12)
    assert "own balance" in (attribution_rule("art288_1995", 0.8, 0.2).__doc__ or "")


def test_summary_counts() -> None:
    assert own_balance_summary(_est()) == {
        "establishments": 8, "own_balance_sheet": 3, "firms": 3, "firms_with_own": 3,
        "firms_differing": 2}
    assert own_balance_summary(_est(own=None))["firms_differing"] == 0


# --- files ---------------------------------------------------------------------------------

def _write_firms(folder: Path) -> Path:
    path = folder / "firms.csv"
    path.write_text("firm_id,registered_region,profit\noil,A,1260\n", encoding="utf-8")
    return path


_EST_HEADER = "firm_id,region,headcount,payroll,assets,sales"


def test_csv_spellings_missing_column_and_empty_cell(tmp_path: Path) -> None:
    firms = _write_firms(tmp_path)
    est = tmp_path / "est.csv"
    est.write_text(f"{_EST_HEADER},own_balance_sheet\noil,A,20,1,400,0,FALSE\n"
                   "oil,B,30,1,100,0, yes\noil,C,40,1,300,0,\noil,D,10,1,200,0,0\n",
                   encoding="utf-8")
    coded, firm_table = read_firms(est, firms, None, ("A", "B", "C", "D"))
    assert coded.own_balance_sheet.tolist() == [False, True, False, False]
    assert attribute(coded, firm_table, "art288_1995").tolist() == pytest.approx(
        [368, 252, 456, 184], abs=1e-9)
    plain = tmp_path / "plain.csv"
    plain.write_text(f"{_EST_HEADER}\noil,A,20,1,400,0\noil,B,30,1,100,0\n", encoding="utf-8")
    coded, _ = read_firms(plain, firms, None, ("A", "B"))
    assert coded.own_balance_sheet.tolist() == [False, False]


@pytest.mark.parametrize("cell", ["maybe", "2", "-1", "wahr"])
def test_csv_bad_value(tmp_path: Path, cell: str) -> None:
    firms = _write_firms(tmp_path)
    est = tmp_path / "est.csv"
    est.write_text(f"{_EST_HEADER},own_balance_sheet\noil,A,20,1,400,0,true\n"
                   f"oil,B,30,1,100,0,{cell}\n", encoding="utf-8")
    with pytest.raises(InvalidValueError) as caught:
        read_firms(est, firms, None, ("A", "B"))
    err = caught.value
    assert (err.file, err.row, err.field, err.value) == (str(est), 2, "own_balance_sheet",
                                                         cell)
    assert err.expected == "true or false (also 1/0, yes/no; empty: false)"


def test_csv_bad_value_row_counts_in_the_file_with_years(tmp_path: Path) -> None:
    firms = _write_firms(tmp_path)
    est = tmp_path / "est.csv"
    est.write_text(f"{_EST_HEADER},own_balance_sheet,year\noil,A,1,1,1,0,bad,1998\n"
                   "oil,A,1,1,1,0,1,1999\noil,B,1,1,1,0,nope,1999\n", encoding="utf-8")
    with pytest.raises(InvalidValueError) as caught:
        read_firms(est, firms, 1999, ("A", "B"))
    assert (caught.value.row, caught.value.value) == (3, "nope")


def test_parquet_bool_and_bad_integer(tmp_path: Path) -> None:
    firms = _write_firms(tmp_path)
    base = {"firm_id": ["oil", "oil"], "region": ["A", "B"], "headcount": [1.0, 1.0],
            "payroll": [1.0, 1.0], "assets": [1.0, 1.0], "sales": [0.0, 0.0]}
    pq.write_table(pa.table({**base, "own_balance_sheet": pa.array([True, None])}),
                   tmp_path / "ok.parquet")
    coded, _ = read_firms(tmp_path / "ok.parquet", firms, None, ("A", "B"))
    assert coded.own_balance_sheet.tolist() == [True, False]
    pq.write_table(pa.table({**base, "own_balance_sheet": [0, 3]}), tmp_path / "bad.parquet")
    with pytest.raises(InvalidValueError) as caught:
        read_firms(tmp_path / "bad.parquet", firms, None, ("A", "B"))
    assert (caught.value.row, caught.value.field, caught.value.value) == (
        2, "own_balance_sheet", 3)


def test_frames_bad_value() -> None:
    est = pd.DataFrame({"firm_id": ["oil"], "region": ["A"], "headcount": [1], "payroll": [1],
                        "assets": [1], "sales": [0], "own_balance_sheet": ["sometimes"]})
    firms = pd.DataFrame({"firm_id": ["oil"], "registered_region": ["A"], "profit": [1.0]})
    with pytest.raises(InvalidValueError) as caught:
        from_frames(est, firms, ["A"])
    assert (caught.value.file, caught.value.row, caught.value.value) == (
        "establishments", 1, "sometimes")


def test_registered_inputs_keep_the_flag(tmp_path: Path) -> None:
    firms = _write_firms(tmp_path)
    est = tmp_path / "est.csv"
    est.write_text(f"{_EST_HEADER},own_balance_sheet\noil,A,20,1,400,0,no\n"
                   "oil,B,30,1,100,0,yes\n", encoding="utf-8")
    staged = stage(tmp_path / "inputs", "mine", establishments=est, firms=firms, regions=None,
                   default_regions=("A", "B"))
    stored = pq.read_table(staged.staging / "establishments.parquet")
    assert stored.column("own_balance_sheet").to_pylist() == [False, True]
    coded, _ = read_firms(staged.staging / "establishments.parquet",
                          staged.staging / "firms.parquet", None, ("A", "B"))
    assert coded.own_balance_sheet.tolist() == [False, True]
    plain = tmp_path / "plain.csv"
    plain.write_text(f"{_EST_HEADER}\noil,A,20,1,400,0\n", encoding="utf-8")
    staged = stage(tmp_path / "inputs", "plain", establishments=plain, firms=firms,
                   regions=None, default_regions=("A", "B"))
    assert "own_balance_sheet" not in pq.read_table(
        staged.staging / "establishments.parquet").column_names


def test_legal_case_bad_flag() -> None:
    case = {"name": "n", "year": 1998, "comment": "c",
            "input": {"regions": {"A": {"population": 1}}, "firms": {"f": {
                "registered_region": "A", "profit": 1}},
                "establishments": [{"firm_id": "f", "region": "A", "headcount": 1,
                                    "own_balance_sheet": "yes"}]},
            "output": {"population": {"A": 1}}}
    with pytest.raises(ValidationError) as caught:
        parse_case(case, "case.yaml", 1, None)
    assert "input.establishments[1].own_balance_sheet" in str(caught.value)


# --- the illustrative economy --------------------------------------------------------------

def test_economy_assumption_checks() -> None:
    def assumptions(value: object) -> EconomyAssumptions:
        return parse_assumptions({"firms": {"own_balance_sheet": {
            "value": value, "status": "assumed", "note": "n"}}})
    with pytest.raises(InvalidValueError, match="activity missing") as caught:
        own_balance_by_activity(assumptions({"services": 0}), ["manufacturing", "services"])
    assert caught.value.value == "manufacturing"
    with pytest.raises(InvalidValueError, match="not 1 or 0") as caught:
        own_balance_by_activity(assumptions({"services": 2}), ["services"])
    assert caught.value.field == "firms.own_balance_sheet.services"
    empty = parse_assumptions({})
    assert own_balance_by_activity(empty, ["services"]) == {"services": False}


def test_economy_flags_by_activity() -> None:
    economy = load_economy()
    inputs = economy.inputs(1999)
    _, est, _ = fiscal_input_frames(inputs)
    flags = inputs.establishments.own_balance_sheet
    summary = own_balance_summary(inputs.establishments)
    assert summary["own_balance_sheet"] == int(flags.sum()) > 0
    assert summary["firms_differing"] == 0  # one kind of subdivision per firm, see docs
    # a head office (an establishment in its firm's registered region, first of its firm)
    # is never flagged; single-establishment firms never are
    e = inputs.establishments
    counts = np.bincount(e.firm, minlength=e.n_firms)
    assert not flags[counts[e.firm] == 1].any()
    first = np.r_[True, e.firm[1:] != e.firm[:-1]]
    assert not flags[first & (e.region == inputs.firms.registered_region[e.firm])].any()
    assert "own_balance_sheet" in est.columns


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 12).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 3), min_size=n, max_size=n),
    st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 1e4)), min_size=n, max_size=n),
    st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 1e4)), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n))))
def test_shares_are_a_partition_of_each_firm(rows: tuple[list[Any], ...]) -> None:
    firm, headcount, assets, own = rows
    n = len(firm)
    est = Establishments(firm=firm, region=[0] * n, headcount=headcount, payroll=[0.0] * n,
                         assets=assets, sales=[0.0] * n, n_firms=4, n_regions=1,
                         own_balance_sheet=own)
    shares = art288_1995(est)
    per = shares.per_establishment()
    assert (per >= 0).all() and (shares.head_office >= 0).all()
    sums = np.bincount(np.asarray(firm), weights=per, minlength=4)  # input order, both
    np.testing.assert_allclose(sums + shares.head_office, 1.0, atol=1e-12)
    # an own-balance establishment gets exactly its art. 288 share, flags or not
    whole = art288(est).per_establishment()
    flags = np.asarray(own)
    np.testing.assert_allclose(per[flags], whole[flags], atol=1e-12)
