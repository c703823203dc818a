"""The federation model: the centre, the regions and foreign partners, one year per step.

Process overview of a step for year ``t`` (ODD, ``docs/dynamics.md``; each mechanism's
equations are in its module):

1. **Centre**: the scenario's collection efficiency ``c_t``, transfer capacity ``k_t`` (the share
   of formula transfers actually paid), resolve ``r_t``; foreign openness ``o_t`` and border
   openness ``β_t``.
2. **Fiscal engine** (:mod:`.fiscal_path`): collection ``κ_i = c_t e_i`` (the region's effort
   ``e_i``); own revenue ``R``, federal revenue ``F`` and the fund's allocation ``T*`` under the
   year's law; treaty regions keep ``τ`` of the federal taxes collected on their territory.
3. **Bargaining** (:mod:`.bargaining`): leverage; a share ``θ_t = θ0 (1 − r_t)`` of the fund is
   bargained (appeasement ``B``), the rest follows the formula: paid transfers
   ``T = k_t (1 − θ_t) T*`` and ``B = k_t θ_t F w``.
4. **Budgets** (:mod:`.budgets`): needs ``N``, tie gains and costs, stress ``S``.
5. **Soft budget** (:mod:`.soft_budget`): bailouts, stress after them, beliefs.
6. **Ratchet** (:mod:`.ratchet`): next year's effort.
7. **Donor discontent**: ``D_i = max(0, −NF_i) / (R_i + max(0, −NF_i))`` with the net flow
   ``NF_i = T_i + B_i + bailout_i − F_i`` (the memo's donors, para 5).
8. **Treaties** (:mod:`.bargaining`).
9. **Ties** (:mod:`.ties`): formation and decay of every candidate tie.

Examples:
    >>> from regionet.engines.dynamics.testing import tiny_setup
    >>> world, path, params = tiny_setup()
    >>> model = FederationModel(world, path, params, seed=3, start_year=1992)
    >>> model.step()
    >>> model.year, model.steps, len(model.stress)
    (1993, 1, 6)
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from regionet.engines.dynamics import bargaining, budgets, ratchet, soft_budget, ties
from regionet.engines.dynamics.core import Model
from regionet.engines.dynamics.fiscal_path import FiscalPath
from regionet.engines.dynamics.parameters import DynamicsParameters
from regionet.engines.dynamics.world import KINDS, LEVELS, SUBLEVELS, TieCandidates, World

__all__ = ["GAIN_KIND", "FederationModel", "YearFlows"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
#: The gain parameter of each candidate kind (``ties.gain.<name>``).
GAIN_KIND: Final = {"bilateral": "bilateral", "subnational": "subnational",
                    "foreign": "international", "programme": "trans_regional"}
#: Per world, the bilateral candidates' co-membership ``M_ij`` (0.0 / 1.0) by the year's set of
#: memberships (they change by year only; shared by every model and run on the same world,
#: e.g. a sweep's; as many entries as distinct sets of memberships).
_COMEMBERS: weakref.WeakKeyDictionary[World, dict[bytes, FloatArray]] = \
    weakref.WeakKeyDictionary()


@dataclass(frozen=True, eq=False)
class YearFlows:
    """The money of the year just simulated (arrays over regions, float64).

    ``formula`` is the fund's allocation before the centre's failure to pay; ``transfers``
    what was paid. ``budget`` = own revenue + transfers + appeasement + bailouts + tie gains −
    tie costs.
    """

    own: FloatArray
    federal: FloatArray
    formula: FloatArray
    transfers: FloatArray
    appeasement: FloatArray
    bailouts: FloatArray
    gains: FloatArray
    costs: FloatArray
    need: FloatArray
    budget: FloatArray
    population: FloatArray
    fund: float
    method: str


class FederationModel(Model):
    """The model (see the module docstring).

    Args:
        world: the static structure (regions, candidates, levels).
        path: the fiscal years under the chosen fiscal scenario (same region order).
        parameters: the dynamics parameters with the scenario applied.
        seed: the only source of randomness.
        start_year: the first year simulated (1991 in the bundled case; a year without fiscal
            inputs uses the nearest fiscal year, see :meth:`FiscalPath.at`).

    Raises:
        InvalidValueError: world and fiscal path disagree on the regions (or a bad seed).
    """

    def __init__(self, world: World, path: FiscalPath, parameters: DynamicsParameters, *,
                 seed: int, start_year: int = 1991) -> None:
        from regionet.core.errors import InvalidValueError

        super().__init__(seed, start_year=start_year)
        if tuple(path.ids) != tuple(world.ids):
            raise InvalidValueError("the world and the fiscal path have different regions",
                                    field="ids", expected="the same ids in the same order")
        self.world, self.path, self.parameters = world, path, parameters
        p = parameters.value
        n = world.n
        self.effort = np.full(n, p("effort.initial"))
        self.granted = np.full(n, p("soft_budget.prior_bailouts"))
        self.refused = np.full(n, p("soft_budget.prior_refusals"))
        self.treaty = np.zeros(n, dtype=bool)
        self.treaty_year = np.zeros(n, dtype=np.intp)
        self.discontent = np.zeros(n)
        self.stress = np.zeros(n)
        self.leverage = np.zeros(n)
        self.active = {k: np.zeros(len(c), dtype=bool) for k, c in world.candidates.items()}
        self.formed = {k: np.zeros(len(c), dtype=bool) for k, c in world.candidates.items()}
        self.signed = np.zeros(n, dtype=bool)
        self.cosigned = np.zeros(n, dtype=bool)
        self.requests = np.zeros(n, dtype=bool)
        self.grants = np.zeros(n, dtype=bool)
        self.flows: YearFlows | None = None
        self.treaties_total = 0
        self._values: dict[str, float] = {}
        self._associations: dict[bytes, FloatArray] = {}
        p = self._value
        # the parts of the hazards that never change while the model runs, computed once
        b, f = world.candidates["bilateral"], world.candidates["foreign"]
        self._static = {
            "bilateral": (p("ties.bilateral.rate")
                          * (1 + p("ties.bilateral.complementarity") * b.complementarity)
                          * (1 + p("ties.bilateral.adjacency") * b.adjacent)
                          * np.exp(-np.nan_to_num(b.distance_km, nan=0.0)
                                   / p("ties.bilateral.distance_km"))),
            "foreign": (p("ties.international.rate")
                        * np.exp(-np.nan_to_num(f.distance_km, nan=0.0)
                                 / p("ties.international.distance_km")))}
        self._static_abs = {kind: np.abs(v) for kind, v in self._static.items()}
        self._per_tie = np.array([p(f"ties.gain.{GAIN_KIND[k]}") for k in KINDS])
        # leverage's constant part, w_rep republic + w_res resource (the same sum every step)
        self._leverage_base = (p("bargaining.leverage.republic") * world.republic
                               + p("bargaining.leverage.resource") * world.resource)
        self._level_codes = {kind: c.level * len(SUBLEVELS) + c.sublevel
                             for kind, c in world.candidates.items()}
        # tie counts by one bincount: (index of region × kind) of every candidate's end
        cand = world.candidates
        self._count_index = np.concatenate(
            [cand["bilateral"].region * len(KINDS), cand["bilateral"].other * len(KINDS)]
            + [cand[kind].region * len(KINDS) + k for k, kind in enumerate(KINDS) if k > 0])

    def _value(self, path: str) -> float:
        """A constant parameter (:meth:`DynamicsParameters.value`, looked up once per run)."""
        try:
            return self._values[path]
        except KeyError:
            value = self._values[path] = self.parameters.value(path)
            return value

    # -- helpers -------------------------------------------------------------------------

    def tie_counts(self) -> FloatArray:
        """Active ties per region and candidate kind (regions × :data:`KINDS`)."""
        active = self.active
        on = np.concatenate([active["bilateral"], active["bilateral"]]
                            + [active[kind] for kind in KINDS[1:]])
        counts = np.bincount(self._count_index[on], minlength=self.world.n * len(KINDS))
        return counts.reshape(self.world.n, len(KINDS)).astype(np.float64)

    def ties_by_level(self) -> dict[tuple[str, str], int]:
        """Active ties by (level, sublevel) names, e.g. ``("international", "cross-border")``."""
        out: dict[tuple[str, str], int] = {}
        size = len(LEVELS) * len(SUBLEVELS)
        for kind in KINDS:
            counts = np.bincount(self._level_codes[kind][self.active[kind]], minlength=size)
            for code in np.flatnonzero(counts).tolist():
                key = (LEVELS[code // len(SUBLEVELS)], SUBLEVELS[code % len(SUBLEVELS)])
                out[key] = out.get(key, 0) + int(counts[code])
        return out

    # -- the step ------------------------------------------------------------------------
    def advance(self) -> None:
        """Simulate ``self.year`` (module docstring, steps 1–9)."""
        t, p, at = self.year, self._value, self.parameters.at
        world, n = self.world, self.world.n
        fy = self.path.at(t)
        collection, capacity = at("centre.collection_efficiency", t), \
            at("centre.transfer_capacity", t)
        resolve = at("centre.resolve", t)
        # 2. fiscal engine: the year's law at this year's collection
        kappa = collection * self.effort
        extra = p("treaty.tax_retention") * self.treaty * fy.federal_unit * kappa \
            * fy.law_efficiency
        money = fy.collect(kappa, regional_extra=extra)
        share = p("bargaining.appeasement_share") * max(1.0 - resolve, 0.0)
        # 3. bargaining: leverage on last year's discontent (bargaining.leverage, with its
        # constant and population terms computed once), appeasement
        self.leverage = (self._leverage_base
                         + p("bargaining.leverage.discontent") * self.discontent) \
            + p("bargaining.leverage.population") * fy.log_relative_population
        # the bargained part of the fund is taken from the formula's (Treisman: the fund's
        # distribution is bargained, not its size); the centre pays k_t of both
        appease = capacity * bargaining.appeasement(money.fund, share, self.leverage)
        paid = capacity * (1.0 - share) * money.transfers
        # 4. budgets: needs, tie gains and costs, stress
        needs = budgets.need(fy.population, fy.expenditure_index, fy.capacity_total,
                             fy.full_fund, p("fiscal.need_ratio"))
        counts = self.tie_counts()
        total = counts.sum(axis=1)
        gain = budgets.gains(needs, counts, self._per_tie, cap=p("ties.gain.max"))
        prog = world.candidates["programme"]
        match = np.bincount(prog.region[self.active["programme"]],
                            weights=world.matching_share[prog.other[self.active["programme"]]],
                            minlength=n)
        cost = needs * (p("ties.cost") * total + match
                        * p("ties.trans_regional.project_share"))
        budget = money.regional + paid + appease + gain - cost
        before = budgets.stress(budget, needs)
        # 5. soft budget constraints
        self.requests = before > p("soft_budget.threshold")
        self.grants, bail = soft_budget.bailouts(
            before, needs, self.stream("soft_budget").random(n),
            threshold=p("soft_budget.threshold"), resolve=resolve)
        self.granted += self.grants
        self.refused += self.requests & ~self.grants
        budget = budget + bail
        self.stress = budgets.stress(budget, needs)
        # 6. ratchet: next year's effort
        rho = ratchet.retention(money.transfers, offset=p("ratchet.offset"),
                                uses_revenue=fy.method in ratchet.USES_REVENUE)
        self.effort = ratchet.effort_step(
            self.effort, rho, soft_budget.belief(self.granted, self.refused),
            minimum=p("effort.minimum"), moral_hazard=p("soft_budget.moral_hazard"),
            adjustment=p("effort.adjustment"))
        # 7. donor discontent
        outflow = np.maximum(money.federal - paid - appease - bail, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.discontent = np.where(outflow > 0, outflow / (money.regional + outflow), 0.0)
        # 8. treaties
        self._treaties(t, resolve)
        # 9. ties (the counts are last year's: treaties do not change ties)
        self._ties(t, budget - needs, needs, total)
        self.flows = YearFlows(money.regional, money.federal, money.transfers, paid, appease,
                               bail, gain, cost, needs, np.maximum(budget, 0.0), fy.population,
                               money.fund, fy.method)

    def _treaties(self, t: int, resolve: float) -> None:
        p, at, n = self._value, self.parameters.at, self.world.n
        hazard = bargaining.treaty_hazard(
            self.leverage, rate=p("treaty.rate"), window=at("treaty.window", t),
            election=at("treaty.election", t), boost=p("treaty.election_boost"),
            resolve=resolve)
        draws = self.stream("treaty")
        self.signed, self.cosigned = bargaining.sign_treaties(
            hazard, self.treaty, self.world.parent, draws.random(n), draws.random(n),
            p("treaty.joint_share"))
        new = self.signed | self.cosigned
        self.treaty |= new
        self.treaty_year[new] = t
        self.treaties_total += int(self.signed.sum())

    def _ties(self, t: int, slack: FloatArray, needs: FloatArray, counts: FloatArray) -> None:
        """Step 9. Bilateral and foreign candidates are updated sparsely (:func:`ties.may_form`).

        Their hazards are evaluated only for the inactive candidates whose draw is below an
        upper bound of the hazard (``|static part|`` times the largest value each changing
        factor takes this year); the expressions, and so the results, are those of the dense
        update, element by element.
        """
        p, at, world = self._value, self.parameters.at, self.world
        cap = ties.capacity_factor(counts, p("ties.capacity"))
        s, a_s = self.stress, p("ties.stress")
        openness, borders = at("foreign.openness", t), at("border.openness", t)
        # the largest |factor| over this year's regions: stress (affine in S) and capacity
        # (NaN when a stress is NaN: then the bounds are infinite)
        stress_max = max(abs(1 + a_s * float(s.min())), abs(1 + a_s * float(s.max()))) \
            if len(s) else 0.0
        cap_max = float(cap.max()) if len(cap) else 0.0
        margin = 1.0 + ties.BOUND_MARGIN
        # bilateral: λ_b-part (1 + a_S (S_i + S_j)/2)(1 + a_M M_ij) cap_i cap_j
        kind = "bilateral"
        c = world.candidates[kind]
        on = world.candidates["subnational"].exists(t)
        association_weight = p("ties.bilateral.association")
        association = self._association(on, association_weight)
        bound = _finite(stress_max * max(1.0, abs(1 + association_weight)) * cap_max * cap_max
                        * margin)
        draws = self.stream(f"ties.{kind}").random(len(c))
        index = ties.may_form(self.active[kind], draws, self._static_abs[kind] * bound)
        r, o = c.region[index], c.other[index]
        hazard = (self._static[kind][index] * (1 + a_s * (s[r] + s[o]) / 2)
                  * association[index] * cap[r] * cap[o])
        self.active[kind], self.formed[kind] = ties.update_at(
            self.active[kind], None, index, hazard, decay=p("ties.decay.bilateral"), draws=draws)
        # subnational (dense: one candidate per membership)
        kind = "subnational"
        c = world.candidates[kind]
        bloc = self._bloc_stress(c, on)
        hazard = (p("ties.subnational.rate") * (1 + a_s * s[c.region])
                  * (1 + p("ties.subnational.bloc_stress") * bloc) * cap[c.region])
        draws = self.stream(f"ties.{kind}").random(len(c))
        self.active[kind], self.formed[kind] = ties.update(
            self.active[kind], on, hazard, decay=p("ties.decay.subnational"), draws=draws)
        # foreign: λ_x-part o_t (1 + a_S S_i)((1 + a_B) β_t at a border, else 1) cap_i
        kind = "foreign"
        c = world.candidates[kind]
        border = (1 + p("ties.international.border")) * borders
        bound = _finite(abs(openness) * stress_max * max(1.0, abs(border)) * cap_max * margin)
        draws = self.stream(f"ties.{kind}").random(len(c))
        index = ties.may_form(self.active[kind], draws, self._static_abs[kind] * bound)
        r = c.region[index]
        hazard = (self._static[kind][index] * openness * (1 + a_s * s[r])
                  * np.where(c.border[index], border, 1.0) * cap[r])
        self.active[kind], self.formed[kind] = ties.update_at(
            self.active[kind], None, index, hazard, decay=p("ties.decay.international"),
            draws=draws)
        # programme (dense): λ_q o_t cap_i for regions that can pay the match
        kind = "programme"
        c = world.candidates[kind]
        free = slack + p("ties.trans_regional.stress_tolerance") * needs
        pay = ties.can_pay(free[c.region], needs[c.region], world.matching_share[c.other],
                           p("ties.trans_regional.project_share"))
        hazard = p("ties.trans_regional.rate") * openness * cap[c.region]
        draws = self.stream(f"ties.{kind}").random(len(c))
        self.active[kind], self.formed[kind] = ties.update(
            self.active[kind], c.exists(t) & pay, np.broadcast_to(hazard, draws.shape),
            decay=p("ties.decay.trans_regional"), draws=draws)

    def _association(self, on: BoolArray, weight: float) -> FloatArray:
        """``1 + a_M M_ij`` per bilateral candidate (``M_ij``: a shared association).

        ``on`` selects the memberships that exist this year. ``M`` is cached per world and
        set of memberships, the factor per model.
        """
        key = on.tobytes()
        if key not in self._associations:
            shared = _COMEMBERS.setdefault(self.world, {})
            if key not in shared:
                shared[key] = _comembers(self.world, on)
            self._associations[key] = 1 + weight * shared[key]
        return self._associations[key]

    def _bloc_stress(self, sub: TieCandidates, on: BoolArray) -> FloatArray:
        """Mean stress of each membership's association members (0 where none)."""
        k = max(len(self.world.associations), 1)
        total = np.bincount(sub.other[on], weights=self.stress[sub.region[on]], minlength=k)
        size = np.bincount(sub.other[on], minlength=k)
        mean = np.divide(total, size, out=np.zeros(k), where=size > 0)
        return np.asarray(mean[sub.other], dtype=np.float64)

    def snapshot(self) -> Mapping[str, object]:
        """The state as plain arrays (for reporters and region tables)."""
        return {"effort": self.effort, "stress": self.stress, "treaty": self.treaty,
                "leverage": self.leverage, "discontent": self.discontent}


def _finite(bound: float) -> float:
    """``bound``, or infinity when it is not a finite number (then every candidate is drawn)."""
    return bound if math.isfinite(bound) else math.inf


def _comembers(world: World, on: BoolArray) -> FloatArray:
    """1.0 where the two regions of a bilateral candidate share an association, else 0.0.

    ``on`` selects the subnational candidates (memberships) that exist. Each region's
    associations are a bit mask (64 associations per word).
    """
    sub, pairs = world.candidates["subnational"], world.candidates["bilateral"]
    words = (max(len(world.associations), 1) + 63) // 64
    masks = np.zeros((world.n, words), dtype=np.uint64)
    other = sub.other[on]
    np.bitwise_or.at(masks, (sub.region[on], other // 64),
                     np.left_shift(np.uint64(1), (other % 64).astype(np.uint64)))
    if words == 1:
        flat = masks[:, 0]
        shared = (flat[pairs.region] & flat[pairs.other]) != 0
    else:
        shared = ((masks[pairs.region] & masks[pairs.other]) != 0).any(axis=1)
    return np.asarray(shared, dtype=np.float64)
