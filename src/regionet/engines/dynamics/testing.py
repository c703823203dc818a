"""Small worlds for examples, tests and benchmarks: no case, no files.

- :func:`synthetic_path`: a fiscal path for ``n`` synthetic regions under a two-tax toy law
  (VAT shared 75 / 25, the fund a share of federal VAT allocated by gap filling or the two-stage
  formula), run through the real fiscal engine;
- :func:`neutral_parameters`: every parameter the model reads, with plain values (status
  ``assumed``, "illustrative test value");
- :func:`tiny_setup`: the three together for a six-region world.

Examples:
    >>> world, path, params = tiny_setup()
    >>> world.n, sorted(path.years), params.value("ratchet.offset")
    (6, [1992, 1993, 1994], 0.9)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import numpy as np

from regionet.core.rng import Seed, make_rng
from regionet.engines.dynamics.fiscal_path import FiscalPath, fiscal_path
from regionet.engines.dynamics.parameters import DynamicsParameters, parse_parameters
from regionet.engines.dynamics.world import World, synthetic_world
from regionet.engines.fiscal.inputs.establishments import Establishments, Firms
from regionet.engines.fiscal.inputs.year_inputs import FiscalInputs, RegionTable
from regionet.engines.fiscal.law.parameters import ParameterTree
from regionet.engines.fiscal.run.pipeline import SPLITS

__all__ = ["NEUTRAL", "neutral_parameters", "synthetic_path", "tiny_setup"]

#: Plain values of every parameter the model reads (constants and ``{year: value}`` series).
NEUTRAL: Final[Mapping[str, float | Mapping[int, float]]] = {
    "fiscal.need_ratio": 1.0,
    "centre.collection_efficiency": {1991: 1.0, 1998: 0.7, 2000: 1.0},
    "centre.transfer_capacity": {1991: 1.0, 1998: 0.7, 2000: 1.0},
    "centre.resolve": {1991: 0.5, 2000: 0.8},
    "foreign.openness": 1.0, "border.openness": 1.0,
    "effort.initial": 1.0, "effort.minimum": 0.7, "effort.adjustment": 0.5,
    "ratchet.offset": 0.9,
    "soft_budget.threshold": 0.15, "soft_budget.prior_bailouts": 1.0,
    "soft_budget.prior_refusals": 1.0, "soft_budget.moral_hazard": 0.3,
    "bargaining.appeasement_share": 0.2, "bargaining.leverage.republic": 1.0,
    "bargaining.leverage.resource": 0.5, "bargaining.leverage.discontent": 1.0,
    "bargaining.leverage.population": 0.25,
    "treaty.window": {1993: 0.0, 1994: 1.0, 1998: 1.0, 1999: 0.0},
    "treaty.election": {1995: 0.0, 1996: 1.0, 1997: 0.0},
    "treaty.rate": 0.25, "treaty.election_boost": 2.0, "treaty.joint_share": 1.0,
    "treaty.tax_retention": 0.05,
    "ties.capacity": 25.0, "ties.cost": 0.0005, "ties.stress": 4.0,
    "ties.gain.bilateral": 0.004, "ties.gain.subnational": 0.006,
    "ties.gain.international": 0.006, "ties.gain.trans_regional": 0.015, "ties.gain.max": 0.15,
    "ties.bilateral.rate": 0.004, "ties.bilateral.complementarity": 1.0,
    "ties.bilateral.adjacency": 3.0, "ties.bilateral.association": 2.0,
    "ties.bilateral.distance_km": 1500.0,
    "ties.subnational.rate": 0.08, "ties.subnational.bloc_stress": 3.0,
    "ties.international.rate": 0.05, "ties.international.border": 3.0,
    "ties.international.distance_km": 4000.0,
    "ties.trans_regional.rate": 0.4, "ties.trans_regional.project_share": 0.01,
    "ties.trans_regional.stress_tolerance": 0.2,
    "ties.decay.bilateral": 0.15, "ties.decay.subnational": 0.3,
    "ties.decay.international": 0.15, "ties.decay.trans_regional": 0.2,
}


def neutral_parameters(changes: Mapping[str, float | Mapping[int, float]] | None = None
                       ) -> DynamicsParameters:
    """Return :data:`NEUTRAL` as parameters, with ``changes`` applied."""
    tree: dict[str, object] = {}
    for path, value in {**NEUTRAL, **(changes or {})}.items():
        node = tree
        *groups, name = path.split(".")
        for group in groups:
            node = node.setdefault(group, {})  # type: ignore[assignment]
        leaf: dict[str, object] = {"description": path, "unit": "/1", "status": "assumed",
                                   "note": "illustrative test value"}
        leaf["by_year" if isinstance(value, Mapping) else "value"] = value
        node[name] = leaf
    return parse_parameters(tree, "<neutral>")


def _toy_law(method: str) -> ParameterTree:
    def const(value: float | str) -> dict[str, object]:
        return {"description": "toy", "unit": "/1", "values": {"1992-01-01": {
            "value": value, "reference": "toy law", "status": "assumed"}}}

    splits: dict[str, object] = {}
    for federal, regional in SPLITS.values():  # every split the pipeline looks up
        for path, value in ((federal, 1.0), (regional, 0.0)):
            node = splits
            *groups, name = path.split(".")
            for group in groups:
                node = node.setdefault(group, {})  # type: ignore[assignment]
            node[name] = const(value)
    splits["vat"] = {"split": {"federal": const(0.75), "regional": const(0.25)}}
    return ParameterTree.from_mapping({
        **splits,
        "collection": {"efficiency": const(1.0)},
        "profit_tax": {"rate": {k: const(0.0) for k in ("federal", "regional", "local")}},
        "attribution": {"profit_tax": {"rule": const("registration")}},
        "equalization": {"method": const(method), "stage_split": {
            "stage_1": const(0.8), "stage_2": const(0.2)}, "fund": {
            "base": const("federal_vat"), "share": const(0.2)}}})


def synthetic_path(ids: Iterable[str], years: Iterable[int], *, seed: Seed = 0,
                   method: str = "two_stage") -> FiscalPath:
    """A fiscal path for synthetic regions under a toy law (module docstring).

    Populations are log-normal, VAT due per capita log-normal (one draw for all years), the
    expenditure index around 1.
    """
    names = tuple(ids)
    n, rng = len(names), make_rng(seed)
    population = np.exp(rng.normal(14.0, 0.8, n))
    per_capita = np.exp(rng.normal(0.0, 0.6, n))
    index = np.clip(rng.normal(1.0, 0.15, n), 0.5, 2.0)
    one, zero = np.ones(1), np.zeros(1, dtype=np.intp)
    est = Establishments(firm=zero, region=zero, headcount=one, payroll=one, assets=one,
                         sales=one, n_firms=1, n_regions=n)
    firms = Firms(registered_region=zero, profit=np.zeros(1), n_regions=n)
    inputs = [FiscalInputs(year, RegionTable(names, population, index,
                                             tax_due={"vat": population * per_capita * 1e-3}),
                           est, firms, illustrative=True) for year in years]
    return fiscal_path(inputs, _toy_law(method))


def tiny_setup(n: int = 6, *, seed: int = 0) -> tuple[World, FiscalPath, DynamicsParameters]:
    """A synthetic world of ``n`` regions, its fiscal path 1992–1994 and neutral parameters."""
    world = synthetic_world(n, seed=seed)
    return world, synthetic_path(world.ids, range(1992, 1995), seed=seed), neutral_parameters()
