import numpy as np
import pytest

from regionet.engines.dynamics import bargaining, budgets, ratchet, soft_budget, ties


def test_leverage_by_hand():
    lev = bargaining.leverage(np.array([True, False]), np.array([False, True]),
                              np.array([0.5, 0.0]), np.array([4.0, 1.0]), w_republic=1.0,
                              w_resource=0.5, w_discontent=2.0, w_population=1.0)
    median = 2.5
    assert lev.tolist() == pytest.approx([1 + 1.0 + np.log(4 / median),
                                          0.5 + np.log(1 / median)])


def test_appeasement_is_selective_and_sums_to_its_share():
    lev = np.array([3.0, 0.0, 1.0, 2.0, 2.5])
    paid = bargaining.appeasement(200.0, 0.1, lev)
    assert paid[[1, 2, 3]].tolist() == [0.0, 0.0, 0.0]  # at or below the median (2.0)
    assert paid.sum() == pytest.approx(20.0) and paid[0] == pytest.approx(20.0 * 1 / 1.5)
    assert bargaining.appeasement(200.0, 0.0, lev).sum() == 0.0


def test_treaty_hazard_closed_window_or_full_resolve():
    lev = np.array([1.0, 2.0])
    for window, resolve in ((0.0, 0.0), (1.0, 1.0)):
        assert bargaining.treaty_hazard(lev, rate=1.0, window=window, election=1.0, boost=2.0,
                                        resolve=resolve).tolist() == [0.0, 0.0]
    h = bargaining.treaty_hazard(lev, rate=0.5, window=1.0, election=1.0, boost=2.0,
                                 resolve=0.5)
    assert h.tolist() == pytest.approx([1 - np.exp(-0.75), 1 - np.exp(-1.5)])


def test_joint_treaties_count_once():
    parent = np.array([-1, 0, 0, -1])
    signers, cosigners = bargaining.sign_treaties(
        np.array([1.0, 1.0, 1.0, 0.0]), np.array([False, False, True, False]), parent,
        np.zeros(4), np.array([0.0, 0.1, 0.1, 0.0]), 0.5)
    assert signers.tolist() == [True, False, False, False]      # okrugs never sign alone
    assert cosigners.tolist() == [False, True, False, False]    # the one already signed stays


def test_ratchet_retention_only_for_recipients_under_gap_filling():
    t = np.array([0.0, 1.0])
    assert ratchet.retention(t, offset=0.9, uses_revenue=True).tolist() == pytest.approx(
        [1.0, 0.1])
    assert ratchet.retention(t, offset=0.9, uses_revenue=False).tolist() == [1.0, 1.0]
    e = ratchet.effort_step(np.array([1.0, 1.0]), np.array([1.0, 0.1]), np.array([0.0, 0.5]),
                            minimum=0.5, moral_hazard=0.4, adjustment=0.5)
    target = 0.5 + 0.5 * 0.1 * (1 - 0.2)
    assert e.tolist() == pytest.approx([1.0, 1.0 + 0.5 * (target - 1.0)])


def test_bailouts_and_beliefs():
    granted, paid = soft_budget.bailouts(np.array([0.3, 0.3, 0.1]), np.array([10.0] * 3),
                                         np.array([0.1, 0.7, 0.0]), threshold=0.2, resolve=0.6)
    assert granted.tolist() == [True, False, False] and paid.tolist() == pytest.approx(
        [1.0, 0.0, 0.0])
    assert soft_budget.belief(np.array([1.0, 3.0]), np.array([3.0, 1.0])).tolist() == [0.25,
                                                                                        0.75]


def test_budgets():
    n = budgets.need(np.array([1.0, 3.0]), np.array([2.0, 1.0]), 80.0, 20.0, 1.0)
    assert n.tolist() == pytest.approx([40.0, 60.0]) and n.sum() == pytest.approx(100.0)
    g = budgets.gains(np.array([100.0]), np.array([[1.0, 1.0]]), np.array([0.01, 0.02]),
                      cap=0.1)
    assert g[0] == pytest.approx(100 * 0.1 * (1 - np.exp(-0.3)))
    assert budgets.stress(np.array([-5.0, 50.0]), np.array([100.0, 100.0])).tolist() == [1.0,
                                                                                          0.5]


def test_tie_update_forms_decays_and_ends_when_gone():
    active = np.array([False, False, True, True, True])
    exists = np.array([True, False, True, True, False])
    new, formed = ties.update(active, exists, np.array([np.log(2), 9.0, 0.0, 0.0, 0.0]),
                              decay=np.log(2), draws=np.array([0.4, 0.0, 0.4, 0.6, 0.9]))
    # p_form = 0.5 for the first; the second does not exist; decay p = 0.5
    assert formed.tolist() == [True, False, False, False, False]
    assert new.tolist() == [True, False, False, True, False]


def test_matching_funds_admit_only_who_can_pay():
    ok = ties.can_pay(np.array([-1.0, 0.49, 0.5]), np.array([100.0] * 3), np.full(3, 0.5), 0.01)
    assert ok.tolist() == [False, False, True]
    assert ties.can_pay(np.array([0.0]), np.array([100.0]), np.array([0.0]), 0.01).tolist() \
        == [True]
