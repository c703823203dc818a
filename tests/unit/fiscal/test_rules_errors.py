"""Every error of ``engines/fiscal/rules/`` checked whole, with the boundary that triggers it.

Attribution (the rule, its options, the labour measure, the firm and region counts), the
mean of shares (a factor twice, bad weights) and equalization (the regions' arrays, the fund,
the two-stage split, the method): each with its exact class, message, field, value, expected
text and hint (``raises_exactly`` in this folder's conftest).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from regionet.core.errors import InvalidValueError, RegionetError, UnknownReferenceError
from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
from regionet.engines.fiscal.rules.attribution import (
    RULES,
    art288,
    art288_1995,
    attribute,
    attribute_by_establishment,
    attribute_parts,
    attribution_rule,
)
from regionet.engines.fiscal.rules.equalization import (
    METHODS,
    EqualizationInputs,
    allocate,
    equal_per_capita,
    gap_filling,
    no_equalization,
    two_stage,
)
from regionet.engines.fiscal.rules.shares import mean_of_shares

Raises = Callable[..., RegionetError]
IVE, URE = InvalidValueError, UnknownReferenceError

EST = Establishments(firm=[0, 0], region=[0, 1], headcount=[1, 3], payroll=[2, 2],
                     assets=[3, 1], sales=[0, 0], n_firms=1, n_regions=2)
FIRMS = Firms(registered_region=[0], profit=[100.0], n_regions=2)
ONE = [1.0, 1.0]


def _data(**changes: Any) -> EqualizationInputs:
    return EqualizationInputs(**{"population": ONE, "expenditure_index": ONE,
                                 "capacity": [1.0, 3.0], "revenue": [1.0, 3.0], **changes})


_ART288 = "(establishments: 'Establishments', *, labour: 'str' = 'headcount') -> 'Shares'"
_ALL = "one of " + ", ".join(RULES)
RULES_ERRORS: list[tuple[str, Callable[[], object], type[RegionetError], str,
                         dict[str, Any]]] = [
    ("labour", lambda: art288(EST, labour="wage"), IVE, "unknown labour measure",
     {"field": "labour", "value": "wage", "expected": "'headcount' or 'payroll'"}),
    ("labour-1995", lambda: art288_1995(EST, labour="Headcount"), IVE, "unknown labour measure",
     {"field": "labour", "value": "Headcount", "expected": "'headcount' or 'payroll'"}),
    ("firm-count", lambda: attribute(EST, Firms(registered_region=[0, 0], profit=[1.0, 1.0],
                                                n_regions=2), "art288"), IVE,
     "establishments and firms disagree on the number of firms",
     {"field": "n_firms", "value": 2, "expected": "1 firms, as coded in the establishments"}),
    ("unknown-rule", lambda: attribute(EST, FIRMS, "uditpa_sales"), URE,
     "unknown attribution rule",
     {"field": "rule", "value": "uditpa_sales", "expected": _ALL,
      "hint": "Did you mean uditpa_single_sales, uditpa_double_sales, uditpa?"}),
    ("unknown-rule-far", lambda: attribute_by_establishment(EST, FIRMS, "zzz"), URE,
     "unknown attribution rule", {"field": "rule", "value": "zzz", "expected": _ALL}),
    ("bad-option", lambda: attribute_parts(EST, FIRMS, "art288", labour="payroll", w=1), IVE,
     "option not accepted by the rule: got an unexpected keyword argument 'w'",
     {"field": "options", "value": ["labour", "w"], "expected": _ART288}),
    ("option-of-a-plain-rule", lambda: attribute(EST, FIRMS, "registration", labour="x"),
     IVE, "option not accepted by the rule: got an unexpected keyword argument 'labour'",
     {"field": "options", "value": ["labour"],
      "expected": "(establishments: 'Establishments') -> 'Shares'"}),
    ("too-few-regions", lambda: attribute(EST, FIRMS, "art288", n_regions=1), IVE,
     "n_regions is smaller than the region codes in use",
     {"field": "n_regions", "value": 1, "expected": ">= 2"}),
    ("too-few-regions-firms", lambda: attribute_parts(
        Establishments([], [], [], [], [], [], n_firms=1, n_regions=1),
        Firms(registered_region=[2], profit=[1.0], n_regions=3), "operation", n_regions=2), IVE,
     "n_regions is smaller than the region codes in use",
     {"field": "n_regions", "value": 2, "expected": ">= 3"}),
    ("rule-by-name", lambda: attribution_rule("art289"), URE, "unknown attribution rule",
     {"field": "attribution.profit_tax.rule", "value": "art289", "expected": _ALL,
      "hint": "Did you mean art288, art288_1995?"}),
    ("rule-by-name-far", lambda: attribution_rule("formula"), URE, "unknown attribution rule",
     {"field": "attribution.profit_tax.rule", "value": "formula", "expected": _ALL}),
    ("factor-twice", lambda: mean_of_shares(EST, [(1.0, [("sales", 1.0)]),
                                                  (1.0, [("assets", 1.0), ("sales", 1.0)])]),
     IVE, "a factor appears twice in the mean",
     {"field": "groups", "value": ["sales", "assets", "sales"], "expected": "each factor once"}),
    ("group-weight-infinite", lambda: mean_of_shares(EST, [(np.inf, [("sales", 1.0)])]), IVE,
     "factor weights must be finite and >= 0",
     {"field": "groups", "value": [np.inf, 1.0], "expected": "weights >= 0"}),
    ("factor-weight-negative", lambda: mean_of_shares(EST, [(1.0, [("sales", -1e-300)])]),
     IVE, "factor weights must be finite and >= 0",
     {"field": "groups", "value": [1.0, -1e-300], "expected": "weights >= 0"}),
    ("population-zero", lambda: _data(population=[1.0, 0.0]), IVE,
     "bad population (array index 1)",
     {"row": 2, "field": "population", "value": 0.0, "expected": "a finite number > 0"}),
    ("population-2d", lambda: _data(population=[ONE]), IVE, "wrong shape",
     {"field": "population", "value": (1, 2), "expected": "one value per region (R)"}),
    ("capacity-short", lambda: _data(capacity=[1.0]), IVE, "wrong shape",
     {"field": "capacity", "value": (1,), "expected": "one value per region (2)"}),
    ("revenue-negative", lambda: _data(revenue=[-1.0, 0.0]), IVE, "bad revenue (array index 0)",
     {"row": 1, "field": "revenue", "value": -1.0, "expected": "a finite number >= 0"}),
    ("index-infinite", lambda: _data(expenditure_index=[1.0, np.inf]), IVE,
     "bad expenditure_index (array index 1)",
     {"row": 2, "field": "expenditure_index", "value": float("inf"),
      "expected": "a finite number >= 0"}),
    ("fund-negative", lambda: equal_per_capita(-1, _data()), IVE, "bad fund size",
     {"field": "fund", "value": -1, "expected": "a finite amount >= 0"}),
    ("fund-nan", lambda: gap_filling(np.float64("nan"), _data()), IVE, "bad fund size",
     {"field": "fund", "value": np.float64("nan"), "expected": "a finite amount >= 0"}),
    ("fund-infinite", lambda: two_stage(float("inf"), _data()), IVE, "bad fund size",
     {"field": "fund", "value": float("inf"), "expected": "a finite amount >= 0"}),
    ("stage-negative", lambda: two_stage(1.0, _data(), stage_1=-0.1, stage_2=0.5), IVE,
     "bad stage shares",
     {"field": "equalization.stage_split", "value": (-0.1, 0.5),
      "expected": "shares >= 0 summing to <= 1"}),
    ("stage-2-negative", lambda: two_stage(1.0, _data(), stage_1=0.5, stage_2=-0.1), IVE,
     "bad stage shares",
     {"field": "equalization.stage_split", "value": (0.5, -0.1),
      "expected": "shares >= 0 summing to <= 1"}),
    ("stages-over-one", lambda: two_stage(1.0, _data(), stage_1=0.5, stage_2=0.5 + 1e-11), IVE,
     "bad stage shares",
     {"field": "equalization.stage_split", "value": (0.5, 0.5 + 1e-11),
      "expected": "shares >= 0 summing to <= 1"}),
    ("index-zero-two-stage", lambda: two_stage(1.0, _data(expenditure_index=[1.0, 0.0])), IVE,
     "two_stage needs an expenditure index > 0",
     {"row": 2, "field": "expenditure_index", "value": 0.0,
      "expected": "> 0 for every region (БО = ИНП / ИБР)"}),
    ("method", lambda: allocate("gap-filling", 1.0, _data()), URE,
     "unknown equalization method",
     {"field": "equalization.method", "value": "gap-filling",
      "expected": "one of " + ", ".join(METHODS), "hint": "Did you mean gap_filling?"}),
    ("method-far", lambda: allocate("formula", 1.0, _data()), URE,
     "unknown equalization method",
     {"field": "equalization.method", "value": "formula",
      "expected": "one of " + ", ".join(METHODS)}),
]


@pytest.mark.parametrize(("call", "kind", "message", "fields"),
                         [case[1:] for case in RULES_ERRORS], ids=[c[0] for c in RULES_ERRORS])
def test_every_rules_error_is_whole(raises_exactly: Raises, call: Callable[[], object],
                                    kind: type[RegionetError], message: str,
                                    fields: dict[str, Any]) -> None:
    raises_exactly(call, kind, message, **fields)


def test_the_limits_are_accepted() -> None:
    # as many regions as the codes need; weights of 0; a fund of 0 and -0.0; stage shares
    # adding up to 1 within 1e-12; an index of 0 outside two_stage; a tiny population
    assert attribute(EST, FIRMS, "art288", n_regions=2).tolist() == [50.0, 50.0]
    assert attribute(EST, FIRMS, "art288", n_regions=3).tolist() == [50.0, 50.0, 0.0]
    assert attribute(EST, FIRMS, "art288", labour="payroll").tolist() == [62.5, 37.5]
    half = mean_of_shares(EST, [(0.0, [("sales", 1.0)]), (1.0, [("headcount", 0.0),
                                                                ("assets", 1.0)])])
    assert half.per_establishment().tolist() == [0.75, 0.25]
    for fund in (0.0, -0.0, 0):
        assert no_equalization(fund, _data()).undistributed == 0.0
    split = two_stage(1.0, _data(), stage_1=0.5, stage_2=0.5 + 1e-13)
    assert split.fund == 1.0 and abs(split.transfers.sum() + split.undistributed - 1.0) < 1e-9
    zero_index = _data(expenditure_index=[0.0, 1.0], population=[5e-324, 1.0])
    assert equal_per_capita(2.0, zero_index).transfers.tolist() == [pytest.approx(1e-323,
                                                                                  abs=1e-323),
                                                                    2.0]
    assert allocate("none", 3.0, _data()).undistributed == 3.0


# --- from the fresh random sample of rules/ (``--sample 40 --seed 47 fiscal-rules``) ---------

def test_a_fund_of_one_is_shared_out() -> None:
    # a fund of exactly 1 (and of 0) in proportion to the population
    data = _data(population=[1.0, 3.0])
    assert equal_per_capita(1.0, data).transfers.tolist() == [0.25, 0.75]
    assert equal_per_capita(0.0, data).transfers.tolist() == [0.0, 0.0]


def test_gap_filling_reports_its_details_and_why_nothing_was_paid() -> None:
    # r̄ = 2: need 2 each, gaps 0 and 1
    paid = gap_filling(10.0, _data(capacity=[3.0, 1.0], revenue=[3.0, 1.0]))
    assert {k: (v if isinstance(v, float) else v.tolist()) for k, v in paid.details.items()} == {
        "need": [2.0, 2.0], "gap": [0.0, 1.0], "average_revenue_per_capita": 2.0}
    assert (paid.transfers.tolist(), paid.undistributed, paid.note) == ([0.0, 10.0], 0.0, None)
    even = gap_filling(10.0, _data(revenue=[2.0, 2.0]))
    assert (even.transfers.tolist(), even.undistributed, even.note) == (
        [0.0, 0.0], 10.0, "no region has a gap: the fund is undistributed")
    assert gap_filling(0.0, _data(revenue=[2.0, 2.0])).note is None


# --- from the third fresh sample of rules/ (``--sample 60 --seed 55 fiscal-rules``) ----------

def test_rounding_noise_is_not_reported_as_undistributed() -> None:
    # 10 shared 1:2:4 sums to 10 − 1.8e-15 in float64: no money is kept, the rest shows 0
    paid = equal_per_capita(10.0, _data(population=[1.0, 2.0, 4.0], expenditure_index=[1.0] * 3,
                                        capacity=[0.0] * 3, revenue=[0.0] * 3))
    assert 10.0 - float(paid.transfers.sum()) == pytest.approx(1.7763568394002505e-15)
    assert paid.undistributed == 0.0


def test_two_stage_reports_its_details_by_name() -> None:
    got = two_stage(1.0, _data(capacity=[1.0, 3.0], revenue=[1.0, 3.0]))
    assert sorted(got.details) == [
        "average_capacity_per_capita", "capacity_index", "level", "stage_1", "stage_1_share",
        "stage_2", "stage_2_share", "sufficiency", "sufficiency_after_stage_1"]
    assert got.details["average_capacity_per_capita"] == 2.0
