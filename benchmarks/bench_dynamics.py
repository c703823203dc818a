"""Benchmark of the dynamics engine: steps per second against Mesa, and sweeps on workers.

Run with ``make bench-dynamics`` (it builds ``.venv-bench`` with regionet, Mesa 3.3 and Dask;
Mesa is not a regionet dependency). Prints ratios measured in the same run:

1. steps per second of :class:`FederationModel` and of an equivalent Mesa model (the same
   mechanisms, one ``mesa.Agent`` per region, Python loops over each region's candidate
   ties, ``model.random`` for draws) at 89 regions (the bundled case) and at 10,000
   synthetic regions;
2. a sweep of 1,000 runs (89 regions, 1991-2010) on 1 and 2 local processes (the speed-up),
   and on a Dask ``LocalCluster`` of 2 workers (the overhead per task).

Results go to ``docs/performance.md`` by hand (ratios, with the machine).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import mesa
import numpy as np

from regionet.engines.dynamics.model import GAIN_KIND, FederationModel
from regionet.engines.dynamics.testing import neutral_parameters, synthetic_path
from regionet.engines.dynamics.world import KINDS, synthetic_world
from regionet.services.case_source import CaseSource
from regionet.services.dynamics import dynamics_setup
from regionet.services.sweeps import sweep


class Region(mesa.Agent):
    """One region: the same state as a row of FederationModel's arrays."""

    def __init__(self, model: MesaFederation, index: int) -> None:
        super().__init__(model)
        self.index = index
        self.effort = model.p("effort.initial")
        self.granted = model.p("soft_budget.prior_bailouts")
        self.refused = model.p("soft_budget.prior_refusals")
        self.treaty = False
        self.discontent = 0.0
        self.stress = 0.0
        self.leverage = 0.0
        self.ties: list[dict[str, object]] = []   # candidate ties this region initiates

    def budget(self) -> None:
        m, i, p = self.model, self.index, self.model.p
        f = m.flows
        need = m.needs[i]
        counts = [0.0] * len(KINDS)
        for tie in m.all_ties[i]:
            if tie["active"]:
                counts[KINDS.index(str(tie["kind"]))] += 1
        raw = sum(c * p(f"ties.gain.{GAIN_KIND[k]}") for c, k in zip(counts, KINDS, strict=True))
        cap = p("ties.gain.max")
        gain = need * cap * (1 - math.exp(-raw / cap))
        cost = need * p("ties.cost") * sum(counts)
        self.n_ties = sum(counts)
        budget = f.regional[i] + m.paid[i] + m.appease[i] + gain - cost
        stress = min(max(1 - budget / need, 0.0), 1.0)
        if stress > p("soft_budget.threshold"):
            if m.random.random() < 1 - m.resolve:
                budget += (stress - p("soft_budget.threshold")) * need
                self.granted += 1
            else:
                self.refused += 1
        self.stress = min(max(1 - budget / need, 0.0), 1.0)
        self.slack = budget - need
        rho = 1.0 - p("ratchet.offset") if (f.transfers[i] > 0 and m.method == "gap_filling") \
            else 1.0
        belief = self.granted / (self.granted + self.refused)
        target = p("effort.minimum") + (1 - p("effort.minimum")) * rho * (
            1 - p("soft_budget.moral_hazard") * belief)
        self.effort = min(max(self.effort + p("effort.adjustment") * (target - self.effort),
                              p("effort.minimum")), 1.0)
        outflow = max(f.federal[i] - m.paid[i] - m.appease[i], 0.0)
        self.discontent = outflow / (f.regional[i] + outflow) if outflow > 0 else 0.0

    def form_ties(self) -> None:
        m, p = self.model, self.model.p
        cap_i = math.exp(-self.n_ties / p("ties.capacity"))
        for tie in self.ties:
            other = m.regions[int(tie["other"])] if tie["kind"] == "bilateral" else None
            s = self.stress if other is None else (self.stress + other.stress) / 2
            cap = cap_i * (math.exp(-other.n_ties / p("ties.capacity")) if other else 1.0)
            if tie["kind"] == "bilateral":
                hazard = (p("ties.bilateral.rate") * (1 + p("ties.stress") * s)
                          * (1 + p("ties.bilateral.complementarity") * float(tie["comp"]))
                          * (1 + p("ties.bilateral.adjacency") * float(tie["adj"]))
                          * math.exp(-float(tie["dist"]) / p("ties.bilateral.distance_km")) * cap)
                decay = p("ties.decay.bilateral")
            elif tie["kind"] == "subnational":
                hazard = p("ties.subnational.rate") * (1 + p("ties.stress") * s) * cap
                decay = p("ties.decay.subnational")
            elif tie["kind"] == "foreign":
                border = (1 + p("ties.international.border")) * m.borders if tie["border"] else 1
                hazard = (p("ties.international.rate") * m.openness * (1 + p("ties.stress") * s)
                          * math.exp(-float(tie["dist"]) / p("ties.international.distance_km"))
                          * border * cap)
                decay = p("ties.decay.international")
            else:
                free = self.slack + p("ties.trans_regional.stress_tolerance") * m.needs[self.index]
                pay = free >= 0.5 * p("ties.trans_regional.project_share") * m.needs[self.index]
                hazard = p("ties.trans_regional.rate") * m.openness * cap if pay else 0.0
                decay = p("ties.decay.trans_regional")
            u = m.random.random()
            if tie["active"]:
                tie["active"] = not u < 1 - math.exp(-decay)
            elif u < 1 - math.exp(-hazard):
                tie["active"] = True


class MesaFederation(mesa.Model):
    """The same mechanisms with one agent per region and Python loops (the Mesa idiom)."""

    def __init__(self, world, path, params, seed: int) -> None:
        super().__init__(seed=seed)
        self.world, self.path, self.params, self.year = world, path, params, 1991
        self._values: dict[str, float] = {}
        self.regions = [Region(self, i) for i in range(world.n)]
        self.all_ties: list[list[dict[str, object]]] = [[] for _ in range(world.n)]
        for kind in KINDS:
            c = world.candidates[kind]
            for k in range(len(c)):
                tie = {"kind": kind, "other": int(c.other[k]), "active": False,
                       "adj": bool(c.adjacent[k]), "comp": float(c.complementarity[k]),
                       "dist": 0.0 if math.isnan(c.distance_km[k]) else float(c.distance_km[k]),
                       "border": bool(c.border[k])}
                self.regions[int(c.region[k])].ties.append(tie)
                self.all_ties[int(c.region[k])].append(tie)
                if kind == "bilateral":
                    self.all_ties[int(c.other[k])].append(tie)

    def p(self, path: str) -> float:
        if path not in self._values:
            self._values[path] = self.params.value(path)
        return self._values[path]

    def step(self) -> None:
        at, p, y = self.params.at, self.p, self.year
        fy = self.path.at(y)
        self.resolve = at("centre.resolve", y)
        self.openness, self.borders = at("foreign.openness", y), at("border.openness", y)
        kappa = np.array([at("centre.collection_efficiency", y) * r.effort for r in self.regions])
        extra = np.array([p("treaty.tax_retention") * r.treaty * fy.federal_unit[r.index]
                          * kappa[r.index] * fy.law_efficiency[r.index] for r in self.regions])
        self.flows = fy.collect(kappa, regional_extra=extra)   # the fiscal engine, as in regionet
        self.method = fy.method
        share = p("bargaining.appeasement_share") * max(1 - self.resolve, 0.0)
        capacity = at("centre.transfer_capacity", y)
        median_pop = float(np.median(fy.population))
        for r in self.regions:
            r.leverage = (p("bargaining.leverage.republic") * self.world.republic[r.index]
                          + p("bargaining.leverage.resource") * self.world.resource[r.index]
                          + p("bargaining.leverage.discontent") * r.discontent
                          + p("bargaining.leverage.population")
                          * math.log(fy.population[r.index] / median_pop))
        levs = sorted(r.leverage for r in self.regions)
        median = levs[len(levs) // 2]
        excess = [max(r.leverage - median, 0.0) for r in self.regions]
        total = sum(excess) or 1.0
        self.appease = [capacity * share * self.flows.fund * e / total for e in excess]
        self.paid = [capacity * (1 - share) * t for t in self.flows.transfers]
        weight = fy.population * fy.expenditure_index
        full = fy.collect(np.ones(self.world.n)).fund
        self.needs = p("fiscal.need_ratio") * weight * (fy.capacity.sum() + full) / weight.sum()
        self.agents.do("budget")
        window = at("treaty.window", y) * (1 + p("treaty.election_boost")
                                           * at("treaty.election", y))
        for r in self.regions:
            if not r.treaty and self.world.parent[r.index] < 0:
                h = 1 - math.exp(-p("treaty.rate") * window * max(1 - self.resolve, 0)
                                 * max(r.leverage, 0.0))
                r.treaty = self.random.random() < h
        self.agents.shuffle_do("form_ties")
        self.year += 1


def steps_per_second(make, steps: int) -> float:
    model = make()
    start = time.perf_counter()
    for _ in range(steps):
        model.step()
    return steps / (time.perf_counter() - start)


def bench_steps(n: int, steps: int) -> tuple[float, float]:
    if n == 89:
        setup = dynamics_setup(CaseSource.bundled())
        world, path = setup.world, setup.paths[None]
        params = setup.scenario("as-described").apply(setup.parameters)
    else:
        world = synthetic_world(n, seed=1)
        path = synthetic_path(world.ids, range(1992, 1992 + steps), seed=1)
        params = neutral_parameters()
    ours = steps_per_second(lambda: FederationModel(world, path, params, seed=1), steps)
    theirs = steps_per_second(lambda: MesaFederation(world, path, params, seed=1), steps)
    return ours, theirs


def bench_sweep(runs: int) -> dict[str, float]:
    years = (1991, 2010)
    dynamics_setup(CaseSource.bundled(), years=years)
    times = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as d:
            start = time.perf_counter()
            sweep(CaseSource.bundled(), ["as-described"], list(range(runs)), out=Path(d),
                  years=years, workers=workers, chunk_size=50)
            times[f"workers_{workers}"] = time.perf_counter() - start
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        tasks = 200
        start = time.perf_counter()
        client.gather([client.submit(int, k, pure=False) for k in range(tasks)])
        times["dask_noop_per_task"] = (time.perf_counter() - start) / tasks
        with tempfile.TemporaryDirectory() as d:
            start = time.perf_counter()
            sweep(CaseSource.bundled(), ["as-described"], list(range(runs)), out=Path(d),
                  years=years, dask=client, chunk_size=50)
            times["dask_2"] = time.perf_counter() - start
    times["dask_overhead_per_task"] = (times["dask_2"] - times["workers_2"]) / math.ceil(runs / 50)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--big", type=int, default=10_000)
    args = parser.parse_args()
    for n, steps in ((89, 12), (args.big, 5)):
        ours, theirs = bench_steps(n, steps)
        print(f"{n:>6} regions: regionet {ours:9.1f} steps/s, Mesa {theirs:8.2f} steps/s, "
              f"ratio {ours / theirs:6.1f}x")
    t = bench_sweep(args.runs)
    print(f"sweep of {args.runs} runs (89 regions x 20 years): 1 worker {t['workers_1']:.1f} s, "
          f"2 workers {t['workers_2']:.1f} s, speed-up {t['workers_1'] / t['workers_2']:.2f}x; "
          f"Dask LocalCluster(2) {t['dask_2']:.1f} s, overhead per task (50 runs) "
          f"{t['dask_overhead_per_task'] * 1000:.0f} ms, "
          f"no-op task {t['dask_noop_per_task'] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
