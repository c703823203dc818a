"""Attribution rules: hand-computed federations, zero factors, validation and invariants."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regionet.core.errors import (
    DataFileError,
    InvalidValueError,
    RegionetError,
    UnknownActorError,
    UnknownReferenceError,
)
from regionet.engines.fiscal.inputs.coding import from_frames
from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
from regionet.engines.fiscal.rules.attribution import (
    RULES,
    attribute,
    attribute_by_establishment,
    operation,
)
from regionet.engines.fiscal.rules.shares import mean_of_shares

# A federation of 4 regions, rows deliberately not in firm order.
#
# firm 0, registered in region 0, profit 1000:
#   region  headcount payroll assets sales
#     0         0        0     100     0     (the head office: no staff on the books)
#     1        30      200     100   200
#     2        10      200     200   600
#   shares: headcount 0, .75, .25 | payroll 0, .5, .5 | assets .25, .25, .5 | sales 0, .25, .75
# firm 1, registered in region 3 where it has no establishment, profit 400: establishments in
#   regions 1 and 2 with headcount 1, 3, payroll 10, 30, no assets and no sales:
#   every labour share is .25, .75, so rules with a labour factor give 100 / 300.
# firm 2, registered in region 1: establishments in 2 and 3 with every factor 0 -> 50 to region 1.
# firm 3, registered in region 2, no establishment at all -> 70 to region 2.
# firm 4, registered in region 0, one establishment in region 3, a loss -> attributes nothing.
ROWS = [  # firm, region, headcount, payroll, assets, sales
    (1, 2, 3, 30, 0, 0),
    (0, 1, 30, 200, 100, 200),
    (2, 3, 0, 0, 0, 0),
    (0, 0, 0, 0, 100, 0),
    (4, 3, 5, 5, 5, 5),
    (1, 1, 1, 10, 0, 0),
    (0, 2, 10, 200, 200, 600),
    (2, 2, 0, 0, 0, 0),
]
REGISTERED = [0, 3, 1, 2, 0]
PROFIT = [1000.0, 400.0, 50.0, 70.0, -500.0]
# Firms 1-3 under a rule with a labour factor: firm 1 -> 100 / 300 in regions 1 / 2,
# firm 2 -> 50 in region 1, firm 3 -> 70 in region 2.
OTHERS = np.array([0.0, 150.0, 370.0, 0.0])

EXPECTED = {
    "registration": [1000.0, 50.0, 70.0, 400.0],
    # headcount shares of firm 0: 0, 750, 250
    "operation": np.array([0.0, 750.0, 250.0, 0.0]) + OTHERS,
    # ½ headcount + ½ assets: (0 + .25)/2, (.75 + .25)/2, (.25 + .5)/2 = .125, .5, .375
    "art288": np.array([125.0, 500.0, 375.0, 0.0]) + OTHERS,
    "art288_1995": np.array([125.0, 500.0, 375.0, 0.0]) + OTHERS,
    # (assets + payroll + sales)/3: .25/3, (.25 + .5 + .25)/3, (.5 + .5 + .75)/3
    "uditpa": np.array([250 / 3, 1000 / 3, 1750 / 3, 0.0]) + OTHERS,
    # (assets + payroll + 2 sales)/4: .25/4, 1.25/4, 2.5/4
    "uditpa_double_sales": np.array([62.5, 312.5, 625.0, 0.0]) + OTHERS,
    # sales alone: 0, 250, 750; firm 1 has no sales -> its 400 stays in region 3
    "uditpa_single_sales": [0.0, 250.0 + 50.0, 750.0 + 70.0, 400.0],
    # ⅓ sales + ⅓ (½ payroll + ½ headcount) + ⅓ assets:
    #   (0 + 0 + .25)/3, (.25 + .625 + .25)/3, (.75 + .375 + .5)/3
    "ccctb": np.array([250 / 3, 1125 / 3, 1625 / 3, 0.0]) + OTHERS,
    # ½ sales + ½ payroll: 0, (.25 + .5)/2, (.75 + .5)/2
    "canada": np.array([0.0, 375.0, 625.0, 0.0]) + OTHERS,
}


def build(rows: list[tuple[float, ...]] = ROWS, n_firms: int = 5, n_regions: int = 4,
          registered: list[int] = REGISTERED, profit: list[float] = PROFIT,
          ) -> tuple[Establishments, Firms]:
    columns = np.array(rows, dtype=np.float64).reshape(-1, 6).T
    est = Establishments(firm=columns[0].astype(np.int32), region=columns[1].astype(np.int32),
                         headcount=columns[2], payroll=columns[3], assets=columns[4],
                         sales=columns[5], n_firms=n_firms, n_regions=n_regions)
    return est, Firms(registered_region=registered, profit=profit, n_regions=n_regions)


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_hand_computed_federation(rule: str) -> None:
    est, firms = build()
    result = attribute(est, firms, rule)
    np.testing.assert_allclose(result, EXPECTED[rule], rtol=1e-12)
    assert result.dtype == np.float64 and result.shape == (4,)
    assert result.sum() == pytest.approx(1520.0, rel=1e-12)


def test_every_rule_is_hand_checked() -> None:
    assert set(EXPECTED) == set(RULES)
    assert all(RULES[name].__doc__ for name in RULES)


def test_art288_payroll_as_labour() -> None:
    est, firms = build()
    # ½ payroll + ½ assets: .125, (.5 + .25)/2, (.5 + .5)/2
    np.testing.assert_allclose(attribute(est, firms, "art288", labour="payroll"),
                               np.array([125.0, 375.0, 500.0, 0.0]) + OTHERS, rtol=1e-12)


def test_shares_per_establishment_in_input_order() -> None:
    est, firms = build()
    shares = RULES["art288"](est)
    np.testing.assert_allclose(shares.per_establishment(),
                               [0.75, 0.5, 0.0, 0.125, 1.0, 0.25, 0.375, 0.0], rtol=1e-12)
    assert shares.head_office.tolist() == [0.0, 0.0, 1.0, 1.0, 0.0]
    by_row = attribute_by_establishment(est, firms, "art288")
    np.testing.assert_allclose(by_row.establishment,
                               [300.0, 500.0, 0.0, 125.0, 0.0, 100.0, 375.0, 0.0])
    assert by_row.head_office.tolist() == [0.0, 0.0, 50.0, 70.0, 0.0]


def test_registration_without_establishment_in_registered_region() -> None:
    est, firms = build(rows=[(0, 1, 5, 5, 5, 5), (0, 2, 5, 5, 5, 5)], n_firms=1,
                       registered=[0], profit=[10.0])
    assert attribute(est, firms, "registration").tolist() == [10.0, 0.0, 0.0, 0.0]
    assert attribute(est, firms, "operation").tolist() == [0.0, 5.0, 5.0, 0.0]


@pytest.mark.parametrize(("rule", "row0", "row1", "expected"), [
    # no property: art. 288 uses labour alone
    ("art288", (1, 0, 0, 9), (3, 0, 0, 9), [0.25, 0.75]),
    # no labour at all: property alone
    ("art288", (0, 0, 1, 0), (0, 0, 3, 0), [0.25, 0.75]),
    # no headcount: operation falls back to payroll
    ("operation", (0, 1, 9, 9), (0, 3, 9, 9), [0.25, 0.75]),
    # no sales: Canada uses payroll alone
    ("canada", (9, 1, 9, 0), (9, 3, 9, 0), [0.25, 0.75]),
    # no sales: UDITPA averages property and payroll
    ("uditpa", (0, 1, 1, 0), (0, 3, 1, 0), [(0.25 + 0.5) / 2, (0.75 + 0.5) / 2]),
    # no payroll: the CCCTB labour factor is headcount alone (not a renormalised 5/6 mean)
    ("ccctb", (1, 0, 1, 1), (3, 0, 1, 1), [(0.5 + 0.25 + 0.5) / 3, (0.5 + 0.75 + 0.5) / 3]),
])
def test_zero_factor_rules(rule: str, row0: tuple[float, ...], row1: tuple[float, ...],
                           expected: list[float]) -> None:
    est, _ = build(rows=[(0, 0, *row0), (0, 1, *row1)], n_firms=1, n_regions=2,
                   registered=[0], profit=[1.0])
    shares = RULES[rule](est)
    np.testing.assert_allclose(shares.per_establishment(), expected, rtol=1e-12)
    assert shares.head_office.tolist() == [0.0]


@pytest.mark.parametrize("rule", sorted(RULES))
def test_all_factors_zero_means_head_office(rule: str) -> None:
    est, firms = build(rows=[(0, 1, 0, 0, 0, 0)], n_firms=2, n_regions=3,
                       registered=[2, 0], profit=[7.0, 3.0])
    assert attribute(est, firms, rule).tolist() == [3.0, 0.0, 7.0]


def test_no_establishments_at_all() -> None:
    est, firms = build(rows=[], n_firms=2, n_regions=3, registered=[2, 2], profit=[1.0, 2.0])
    assert attribute(est, firms, "art288").tolist() == [0.0, 0.0, 3.0]
    assert attribute_by_establishment(est, firms, "ccctb").establishment.shape == (0,)


def test_rule_may_be_a_function_and_n_regions_may_be_larger() -> None:
    est, firms = build()
    result = attribute(est, firms, operation, n_regions=6)
    np.testing.assert_allclose(result, [*EXPECTED["operation"], 0.0, 0.0])


@pytest.mark.parametrize(("kwargs", "error", "field"), [
    ({"rule": "art_288"}, UnknownReferenceError, "rule"),
    ({"rule": "art288", "labour": "wages"}, InvalidValueError, "labour"),
    ({"rule": "uditpa", "labour": "payroll"}, InvalidValueError, "options"),
    ({"rule": "art288", "n_regions": 3}, InvalidValueError, "n_regions"),
])
def test_attribute_errors(kwargs: dict[str, Any], error: type[Exception], field: str) -> None:
    est, firms = build()
    with pytest.raises(error) as info:
        attribute(est, firms, **kwargs)
    assert getattr(info.value, "field", None) == field


def test_unknown_rule_suggests_the_closest() -> None:
    est, firms = build()
    with pytest.raises(UnknownReferenceError, match="Did you mean art288"):
        attribute(est, firms, "art_288")


def test_firm_count_mismatch() -> None:
    est, _ = build()
    with pytest.raises(InvalidValueError, match="number of firms"):
        attribute(est, Firms(registered_region=[0], profit=[1.0], n_regions=4), "art288")


# --- validation -------------------------------------------------------------------------------

def arrays(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"firm": [0, 0, 1], "region": [0, 1, 1], "headcount": [1, 2, 3],
                              "payroll": [1, 2, 3], "assets": [1, 2, 3], "sales": [1, 2, 3],
                              "n_firms": 2, "n_regions": 2}
    values.update(overrides)
    return values


@pytest.mark.parametrize(("overrides", "field", "row", "value"), [
    ({"headcount": [1, 2, -3]}, "headcount", 3, -3.0),
    ({"payroll": [1, np.nan, 3]}, "payroll", 2, None),
    ({"assets": [np.inf, 2, 3]}, "assets", 1, np.inf),
    ({"region": [0, 2, 1]}, "region", 2, 2),
    ({"firm": [0, -1, 1]}, "firm", 2, -1),
    ({"sales": [1, 2]}, "sales", None, 2),
    ({"firm": [0.0, 0.0, 1.0]}, "firm", None, None),
    ({"n_regions": -1}, "n_regions", None, -1),
])
def test_establishment_validation_names_field_row_value(
        overrides: dict[str, Any], field: str, row: int | None, value: Any) -> None:
    with pytest.raises(InvalidValueError) as info:
        Establishments(**arrays(**overrides))
    err = info.value
    assert (err.field, err.row) == (field, row)
    if value is not None:
        assert err.value == value
    assert err.expected


def test_negative_headcount_message() -> None:
    with pytest.raises(InvalidValueError, match=r"row 3, field 'headcount', value '-3.0'"):
        Establishments(**arrays(headcount=[1, 2, -3]))


def test_firms_validation() -> None:
    with pytest.raises(InvalidValueError) as info:
        Firms(registered_region=[0, 1], profit=[1.0, np.nan], n_regions=2)
    assert (info.value.field, info.value.row) == ("profit", 2)
    with pytest.raises(InvalidValueError, match="region code out of range"):
        Firms(registered_region=[0, 5], profit=[1.0, 1.0], n_regions=2)
    with pytest.raises(InvalidValueError, match="as many as 'registered_region'"):
        Firms(registered_region=[0, 1], profit=[1.0], n_regions=2)


def test_sorted_layout() -> None:
    est = Establishments(**arrays(firm=[1, 0, 1], region=[0, 1, 1]))
    assert est.firm.tolist() == [0, 1, 1]
    assert est.firm_offsets.tolist() == [0, 1, 3]
    assert est.order is not None and est.order.tolist() == [1, 0, 2]
    assert est.firm_totals("headcount").tolist() == [2.0, 4.0]
    already_sorted = Establishments(**arrays())
    assert already_sorted.order is None and len(already_sorted) == 3
    with pytest.raises(UnknownReferenceError):
        est.factor("employees")


@pytest.mark.parametrize("drop", [None, 3, 65_535, 65_536, 65_537, 69_999])
def test_firm_order_is_found_across_blocks(drop: int | None) -> None:
    """Sorted rows are kept as they are (no order, offsets) wherever the check's blocks
    end; one drop anywhere, at a block's edge too, makes them unsorted."""
    n = 70_000
    firm = np.arange(n) // 2
    if drop is not None:
        firm[drop] = firm[drop - 1] - 1  # one step down, at row ``drop``
    zeros = np.zeros(n)
    kept = Establishments(firm=firm, region=np.zeros(n, dtype=np.intp), headcount=zeros,
                          payroll=zeros, assets=zeros, sales=zeros, n_firms=n // 2,
                          n_regions=1, sort=False)
    assert (kept.order is None) is True  # sort=False never reorders
    assert (kept.firm_offsets is not None) is (drop is None)  # offsets: rows in firm order
    stored = Establishments(firm=firm, region=np.zeros(n, dtype=np.intp), headcount=zeros,
                            payroll=zeros, assets=zeros, sales=zeros, n_firms=n // 2,
                            n_regions=1)
    assert (stored.order is None) is (drop is None)
    assert (np.diff(stored.firm) >= 0).all()


# --- from_frames ------------------------------------------------------------------------------

REGIONS = ["RU-MOW", "RU-TYU", "RU-KHM"]


def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    est = pd.DataFrame({"firm_id": ["lukoil", "lukoil", "surgut"],
                        "region": ["RU-MOW", "RU-KHM", "RU-KHM"],
                        "headcount": [10, 30, 5], "payroll": [1.0, 3.0, 2.0],
                        "assets": [10.0, 90.0, 5.0], "sales": [0.0, 0.0, 1.0]})
    firms = pd.DataFrame({"firm_id": ["lukoil", "surgut", "shell-co"],
                          "registered_region": ["RU-MOW", "RU-KHM", "RU-TYU"],
                          "profit": [100.0, 10.0, 5.0]})
    return est, firms


def test_from_frames_codes_and_attributes() -> None:
    est_df, firms_df = frames()
    est, firms = from_frames(est_df, firms_df, REGIONS)
    assert (est.n_firms, est.n_regions, len(est)) == (3, 3, 3)
    # lukoil: ½(.25 + .1) = .175 Moscow, .825 Khanty-Mansi; surgut all in Khanty-Mansi;
    # shell-co has no establishment: its 5 stays in Tyumen where it is registered
    np.testing.assert_allclose(attribute(est, firms, "art288"), [17.5, 5.0, 82.5 + 10.0])


@pytest.mark.parametrize(("table", "column", "value", "error", "file", "row"), [
    ("est", "region", "RU-KHMAO", UnknownActorError, "establishments", 2),
    ("firms", "registered_region", "RU-XX", UnknownActorError, "firms", 3),
    ("est", "firm_id", "rosneft", UnknownReferenceError, "establishments", 2),
    ("est", "headcount", -4, InvalidValueError, "establishments", 2),
    ("est", "assets", "n/a", InvalidValueError, "establishments", 2),
    ("firms", "profit", "lots", InvalidValueError, "firms", 2),
    ("firms", "firm_id", "lukoil", InvalidValueError, "firms", 2),
])
def test_from_frames_errors_name_file_row_field_value(
        table: str, column: str, value: Any, error: type[RegionetError], file: str, row: int,
) -> None:
    est_df, firms_df = frames()
    frame = est_df if table == "est" else firms_df
    frame[column] = frame[column].astype(object)
    frame.loc[row - 1, column] = value
    with pytest.raises(error) as info:
        from_frames(est_df, firms_df, REGIONS)
    err = info.value
    assert (err.file, err.row, err.field, err.value) == (file, row, column, value)


def test_from_frames_missing_column() -> None:
    est_df, firms_df = frames()
    with pytest.raises(DataFileError, match="missing column"):
        from_frames(est_df.drop(columns="sales"), firms_df, REGIONS)


# --- invariants -------------------------------------------------------------------------------

@dataclass
class Federation:
    columns: dict[str, np.ndarray[Any, Any]]
    registered: np.ndarray[Any, Any]
    profit: np.ndarray[Any, Any]
    n_regions: int

    @property
    def n_firms(self) -> int:
        return len(self.profit)

    def build(self, **columns: np.ndarray[Any, Any]) -> tuple[Establishments, Firms]:
        est = Establishments(**{**self.columns, **columns}, n_firms=self.n_firms,
                             n_regions=self.n_regions)
        return est, Firms(registered_region=self.registered, profit=self.profit,
                          n_regions=self.n_regions)


amount = st.one_of(st.just(0.0), st.floats(1e-3, 1e6))


@st.composite
def federations(draw: st.DrawFn) -> Federation:
    n_regions = draw(st.integers(1, 5))
    n_firms = draw(st.integers(1, 6))
    n = draw(st.integers(0, 25))
    codes = st.lists(st.integers(0, n_firms - 1), min_size=n, max_size=n)
    regions = st.lists(st.integers(0, n_regions - 1), min_size=n, max_size=n)
    factor = st.lists(amount, min_size=n, max_size=n)
    columns = {"firm": np.array(draw(codes), dtype=np.int32),
               "region": np.array(draw(regions), dtype=np.int32),
               **{name: np.array(draw(factor), dtype=np.float64)
                  for name in ("headcount", "payroll", "assets", "sales")}}
    registered = np.array(draw(st.lists(st.integers(0, n_regions - 1), min_size=n_firms,
                                        max_size=n_firms)), dtype=np.int32)
    profit = np.array(draw(st.lists(st.floats(-1e6, 1e9), min_size=n_firms,
                                    max_size=n_firms)))
    return Federation(columns, registered, profit, n_regions)


def close(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any], scale: float) -> None:
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * max(scale, 1.0))


@settings(max_examples=60, deadline=None)
@given(federations(), st.sampled_from(sorted(RULES)))
def test_each_firms_shares_sum_to_one(fed: Federation, rule: str) -> None:
    est, _ = fed.build()
    shares = RULES[rule](est)
    per_firm = np.bincount(fed.columns["firm"], weights=shares.per_establishment(),
                           minlength=fed.n_firms) + shares.head_office
    close(per_firm, np.ones(fed.n_firms), 1.0)
    assert (shares.per_establishment() >= 0).all()


@settings(max_examples=60, deadline=None)
@given(federations(), st.sampled_from(sorted(RULES)))
def test_money_is_conserved(fed: Federation, rule: str) -> None:
    est, firms = fed.build()
    total = np.maximum(fed.profit, 0).sum()
    result = attribute(est, firms, rule)
    assert result.sum() == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert (result >= 0).all()
    by_row = attribute_by_establishment(est, firms, rule)
    assert by_row.establishment.sum() + by_row.head_office.sum() == pytest.approx(
        total, rel=1e-9, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(federations(), st.sampled_from(sorted(RULES)), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(fed: Federation, rule: str, random: Any) -> None:
    est, firms = fed.build()
    permutation = np.array(random.sample(range(len(est)), len(est)), dtype=np.intp)
    shuffled, _ = fed.build(**{k: v[permutation] for k, v in fed.columns.items()})
    scale = float(np.maximum(fed.profit, 0).sum())
    close(attribute(shuffled, firms, rule), attribute(est, firms, rule), scale)
    close(attribute_by_establishment(shuffled, firms, rule).establishment,
          attribute_by_establishment(est, firms, rule).establishment[permutation], scale)


@settings(max_examples=60, deadline=None)
@given(federations(), st.sampled_from(sorted(RULES)), st.data())
def test_scaling_a_firms_factors_changes_nothing(fed: Federation, rule: str,
                                                 data: st.DataObject) -> None:
    firm = data.draw(st.integers(0, fed.n_firms - 1))
    factor = data.draw(st.floats(1e-3, 1e3))
    mine = fed.columns["firm"] == firm
    scaled = {name: np.where(mine, fed.columns[name] * factor, fed.columns[name])
              for name in ("headcount", "payroll", "assets", "sales")}
    est, firms = fed.build()
    scale = float(np.maximum(fed.profit, 0).sum())
    close(attribute(fed.build(**scaled)[0], firms, rule), attribute(est, firms, rule), scale)


@settings(max_examples=100, deadline=None)
@given(federations(), st.data(), st.sampled_from(["headcount", "payroll"]))
def test_art288_more_assets_never_lower_the_regions_base(fed: Federation, data: st.DataObject,
                                                         labour: str) -> None:
    # Region r's part of firm f is ½ L_r/ΣL + ½ K_r/ΣK; raising K_i (i in r) by d gives
    # (K_r + d)/(ΣK + d) >= K_r/ΣK since K_r <= ΣK. From ΣK = 0 (labour alone) it becomes
    # ½ L_r/ΣL + ½ >= L_r/ΣL; from no factors at all (head office) the region gets everything.
    n = len(fed.columns["firm"])
    if n == 0:
        return
    row = data.draw(st.integers(0, n - 1))
    raise_by = data.draw(st.floats(1e-3, 1e6))
    assets = fed.columns["assets"].copy()
    assets[row] += raise_by
    est, firms = fed.build()
    region = fed.columns["region"][row]
    before = attribute(est, firms, "art288", labour=labour)[region]
    after = attribute(fed.build(assets=assets)[0], firms, "art288", labour=labour)[region]
    assert after >= before - 1e-9 * max(1.0, float(np.maximum(fed.profit, 0).sum()))


def test_mean_of_shares_with_zero_weights_keeps_money() -> None:
    # firm 0 has headcount (weight 0) but no assets: nothing weighs, so the head office keeps it
    est, firms = build(rows=[(0, 0, 1, 0, 0, 0), (0, 1, 3, 0, 0, 0), (1, 1, 2, 0, 5, 0)],
                       n_firms=2, n_regions=3, registered=[2, 0], profit=[10.0, 4.0])
    shares = mean_of_shares(est, [(0.0, [("headcount", 1.0)]), (1.0, [("assets", 1.0)])])
    assert shares.per_establishment().tolist() == [0.0, 0.0, 1.0]
    assert shares.head_office.tolist() == [1.0, 0.0]
    assert attribute(est, firms, lambda e: mean_of_shares(
        e, [(0.0, [("headcount", 1.0)]), (1.0, [("assets", 1.0)])])).tolist() == [0.0, 4.0, 10.0]
    with pytest.raises(InvalidValueError, match="weights"):
        mean_of_shares(est, [(-1.0, [("headcount", 1.0)])])
    with pytest.raises(InvalidValueError, match="twice"):
        mean_of_shares(est, [(1.0, [("assets", 1.0)]), (1.0, [("assets", 1.0)])])


@pytest.mark.parametrize("rule", sorted(RULES))
def test_a_subnormal_factor_total_counts_as_zero(rule):
    # 1 / 2.2e-308 overflows float64: such a factor must drop out, not give NaN or inf.
    est = Establishments(firm=[0, 0], region=[0, 1], headcount=[0, 0], payroll=[0, 0],
                         assets=[0, 2.2250738585072014e-308], sales=[0, 0], n_firms=1,
                         n_regions=2)
    result = attribute(est, Firms([0], [4.0], 2), rule)
    assert np.isfinite(result).all() and result.sum() == pytest.approx(4.0)


@pytest.mark.parametrize("rule", ["art288", "uditpa", "operation"])
def test_regional_sums_in_two_threads_are_the_one_thread_sums_to_the_bit(
        rule: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chunks' sums are added in chunk order whichever thread computed them."""
    from regionet.engines.fiscal.rules import shares

    rng = np.random.default_rng(11)
    n, firms = 5 * shares._CHUNK + 17, 5000
    est = Establishments(firm=rng.integers(0, firms, n), region=rng.integers(0, 30, n),
                         headcount=rng.random(n), payroll=rng.random(n), assets=rng.random(n),
                         sales=rng.random(n), n_firms=firms, n_regions=30, sort=False)
    base = rng.random(firms) * 1e6
    monkeypatch.setattr(shares, "spare_core", lambda: False)
    one = RULES[rule](est).regional_sums(base, 30)
    monkeypatch.setattr(shares, "spare_core", lambda: True)
    two = RULES[rule](est).regional_sums(base, 30)
    assert one.tobytes() == two.tobytes()
    assert one.sum() > 0
