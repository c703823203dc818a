"""Equalization methods: formulas, exact stage-2 level, undistributed money, validation."""

from __future__ import annotations

import numpy as np
import pytest

from regionet.core.errors import InvalidValueError, UnknownReferenceError
from regionet.engines.fiscal.rules.equalization import (
    METHODS,
    EqualizationInputs,
    allocate,
    equal_per_capita,
    gap_filling,
    no_equalization,
    solve_level,
    two_stage,
)


def data(population: list[float], capacity: list[float], index: list[float] | None = None,
         revenue: list[float] | None = None) -> EqualizationInputs:
    return EqualizationInputs(population, index or [1.0] * len(population), capacity,
                              revenue if revenue is not None else capacity)


FEDERATION = data([1000, 2000, 1000, 500], [3000, 1000, 0, 400], [1.0, 1.0, 1.5, 0.8])


@pytest.mark.parametrize("method", sorted(METHODS))
@pytest.mark.parametrize("fund", [0.0, 1.0, 2500.0, 1e9])
def test_every_method_accounts_for_the_whole_fund(method: str, fund: float) -> None:
    result = allocate(method, fund, FEDERATION)
    assert result.method == method and result.fund == fund
    assert result.transfers.dtype == np.float64 and result.transfers.shape == (4,)
    assert (result.transfers >= 0).all()
    assert result.transfers.sum() + result.undistributed == pytest.approx(fund, rel=1e-12,
                                                                         abs=1e-9)


def test_none_keeps_the_fund_at_the_centre() -> None:
    result = no_equalization(10.0, FEDERATION)
    assert result.transfers.tolist() == [0.0] * 4 and result.undistributed == 10.0
    assert result.note and "none" in result.note


def test_equal_per_capita() -> None:
    assert equal_per_capita(9.0, data([1, 2], [0, 0])).transfers.tolist() == [3.0, 6.0]


def test_gap_filling_formula() -> None:
    # average 900 / 3000 = 0.3; need 300, 300, 450; gaps 0, 100, 350
    d = data([1000, 1000, 1000], [600, 200, 100], [1, 1, 1.5])
    result = gap_filling(450.0, d)
    np.testing.assert_allclose(result.transfers, [0, 100, 350])
    np.testing.assert_allclose(result.details["gap"], [0, 100, 350])


def test_gap_filling_uses_collected_revenue_not_capacity() -> None:
    d = EqualizationInputs([1, 1], [1, 1], capacity=[1, 1], revenue=[2, 0])
    assert gap_filling(4.0, d).transfers.tolist() == [0.0, 4.0]


def test_gap_filling_without_gap_reports_the_fund_undistributed() -> None:
    result = gap_filling(5.0, data([1, 1], [1, 1]))
    assert result.transfers.tolist() == [0.0, 0.0] and result.undistributed == 5.0
    assert result.note and "no region has a gap" in result.note


def test_two_stage_formula_by_hand() -> None:
    # x̄ = 1; БО = 3, 0.5, 0; T1 = 800, 1200; БО' = 0.9, 0.8; B* = 1; T2 = 200, 300
    d = data([1000, 2000, 1000], [3000, 1000, 0], [1, 1, 1.5])
    result = two_stage(2500.0, d)
    np.testing.assert_allclose(result.details["sufficiency"], [3, 0.5, 0])
    np.testing.assert_allclose(result.details["stage_1"], [0, 800, 1200])
    np.testing.assert_allclose(result.details["sufficiency_after_stage_1"], [3, 0.9, 0.8])
    assert result.details["level"] == pytest.approx(1.0)
    np.testing.assert_allclose(result.details["stage_2"], [0, 200, 300])
    np.testing.assert_allclose(result.transfers, [0, 1000, 1500])


def test_two_stage_stage_two_goes_to_the_poorest_first() -> None:
    d = data([1000] * 4, [4500, 2000, 1000, 500])
    result = two_stage(1250.0, d)
    np.testing.assert_allclose(result.details["stage_2"], [0, 0, 0, 250])
    assert result.details["level"] == pytest.approx(0.675)


def test_two_stage_without_poor_regions_keeps_stage_one_undistributed() -> None:
    result = two_stage(1000.0, data([1] * 4, [5] * 4))
    np.testing.assert_allclose(result.transfers, [50] * 4)
    assert result.undistributed == pytest.approx(800)
    assert result.note and "stage 1" in result.note


def test_two_stage_with_no_capacity_keeps_everything() -> None:
    result = two_stage(10.0, data([1, 1], [0, 0]))
    assert result.transfers.tolist() == [0.0, 0.0] and result.undistributed == 10.0


def test_two_stage_stage_shares_below_one_leave_the_rest() -> None:
    result = two_stage(100.0, FEDERATION, stage_1=0.5, stage_2=0.3)
    assert result.undistributed == pytest.approx(20.0)


@pytest.mark.parametrize(("s1", "s2"), [(-0.1, 0.2), (0.9, 0.2)])
def test_two_stage_rejects_bad_stage_shares(s1: float, s2: float) -> None:
    with pytest.raises(InvalidValueError, match="stage shares"):
        two_stage(1.0, FEDERATION, stage_1=s1, stage_2=s2)


def test_two_stage_needs_positive_expenditure_index() -> None:
    with pytest.raises(InvalidValueError, match="expenditure index") as err:
        two_stage(1.0, data([1, 1], [1, 1], [1, 0]))
    assert err.value.row == 2


@pytest.mark.parametrize("amount", [0.0, 0.1, 0.5, 0.9, 3.0, 100.0])
def test_solve_level_matches_bisection(amount: float) -> None:
    rng = np.random.default_rng(7)
    b, c = rng.uniform(0, 2, 12), rng.uniform(0.1, 3, 12)
    level = solve_level(b, c, amount)
    assert np.sum(np.maximum(level - b, 0) * c) == pytest.approx(amount, abs=1e-12)
    low, high = b.min(), b.max() + amount / c.sum() + 1
    for _ in range(200):
        mid = (low + high) / 2
        low, high = (mid, high) if np.sum(np.maximum(mid - b, 0) * c) < amount else (low, mid)
    assert level == pytest.approx(low, abs=1e-9)


def test_solve_level_with_ties() -> None:
    assert solve_level(np.array([0.5, 0.5, 1.0]), np.array([1.0, 1.0, 1.0]), 0.4) == \
        pytest.approx(0.7)


def test_inputs_are_validated_and_copied() -> None:
    population = np.array([1.0, 2.0])
    d = EqualizationInputs(population, [1, 1], [1, 1], [1, 1])
    population[0] = 99
    assert d.population[0] == 1.0
    with pytest.raises(InvalidValueError, match="population"):
        EqualizationInputs([0.0, 1.0], [1, 1], [1, 1], [1, 1])
    with pytest.raises(InvalidValueError, match="capacity"):
        EqualizationInputs([1.0, 1.0], [1, 1], [1, -1], [1, 1])
    with pytest.raises(InvalidValueError, match="wrong shape"):
        EqualizationInputs([1.0, 1.0], [1], [1, 1], [1, 1])
    with pytest.raises(InvalidValueError, match="fund"):
        equal_per_capita(float("nan"), d)


def test_unknown_method_suggests() -> None:
    with pytest.raises(UnknownReferenceError) as err:
        allocate("gap_fill", 1.0, FEDERATION)
    assert err.value.hint and "gap_filling" in err.value.hint
