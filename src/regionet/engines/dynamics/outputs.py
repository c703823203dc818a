"""What a run reports each step: one row of model-level numbers, and optionally a region table.

Columns of :func:`record` (``docs/dynamics.md``, "Outputs"):

- centre: ``collection_efficiency``, ``transfer_capacity``, ``resolve``;
- budgets (sums over regions): ``own_revenue``, ``federal_revenue``, ``fund``,
  ``formula_transfers``, ``transfers_paid``, ``appeasement``, ``bailouts``, ``tie_gains``,
  ``tie_costs``, ``need``; ``regional_share_of_tax_revenue`` = own / (own + federal);
  ``equalization_recipients`` (regions with a formula transfer);
- stress: ``stress_mean`` (population-weighted), ``stressed_regions`` (stress > 0.05),
  ``bailout_requests``, ``bailouts_granted``, ``effort_mean``, ``belief_mean``;
- inequality of per-capita money between regions, population-weighted, computed by the fiscal
  engine (:func:`~regionet.engines.fiscal.run.inequality.inequality`): ``gini_before``,
  ``theil_before`` (own revenue) and ``gini_after``, ``theil_after`` (the whole budget);
- treaties: ``treaties_signed`` (treaties, a joint one once), ``treaty_regions_signed``,
  ``treaties_total``, ``treaty_regions_total``;
- ties: ``ties_total``; ``ties_<level>`` and ``ties_international_<sublevel>`` by the case's
  classifier; ``horizontal_ties`` (bilateral + subnational); ``ties_formed_<kind>``;
  ``international_agreements`` (foreign ties formed this year: the memo's agreements with
  foreign partners, para 8); ``integration_index`` (cross-border and trans-regional ties'
  share of all ties); ``cross_border_ties_border_regions`` and
  ``international_ties_inland_regions``;
- donors: ``donors`` (regions whose federal taxes exceed what the centre pays them) and
  ``donor_discontent`` (their mean net outflow over own revenue plus outflow).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from regionet.core.errors import InvalidValueError
from regionet.engines.dynamics.model import FederationModel, YearFlows
from regionet.engines.dynamics.world import KINDS, LEVELS, SUBLEVELS
from regionet.engines.fiscal.run.inequality import inequality

__all__ = ["LEVEL_COLUMNS", "record", "region_table"]

#: The tie-count columns by level and sublevel, always present (0 when none).
LEVEL_COLUMNS: Final = (
    *(f"ties_{level}" for level in LEVELS),
    *(f"ties_international_{s.replace('-', '_')}" for s in SUBLEVELS if s))


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> float:
    return float(np.average(values, weights=weights))


def _flows(model: FederationModel) -> YearFlows:
    """The money of the year just simulated (both tables read it)."""
    if model.flows is None:
        raise InvalidValueError("the model has not simulated a year yet", field="flows",
                                expected="a model after step()")
    return model.flows


def record(model: FederationModel) -> dict[str, float | int]:
    """Return the model-level row of the year just simulated (module docstring).

    Raises:
        InvalidValueError: the model has not simulated a year yet.
    """
    f = _flows(model)
    year = model.year - 1
    at = model.parameters.at
    world = model.world
    pop = f.population
    own, fed = float(f.own.sum()), float(f.federal.sum())
    before = inequality(np.maximum(f.own, 0.0) / pop, pop)
    after = inequality(f.budget / pop, pop)
    outflow = np.maximum(f.federal - f.transfers - f.appeasement - f.bailouts, 0.0)
    donors = outflow > 0
    row: dict[str, float | int] = {
        "collection_efficiency": at("centre.collection_efficiency", year),
        "transfer_capacity": at("centre.transfer_capacity", year),
        "resolve": at("centre.resolve", year),
        "own_revenue": own, "federal_revenue": fed, "fund": f.fund,
        "formula_transfers": float(f.formula.sum()), "transfers_paid": float(f.transfers.sum()),
        "appeasement": float(f.appeasement.sum()), "bailouts": float(f.bailouts.sum()),
        "tie_gains": float(f.gains.sum()), "tie_costs": float(f.costs.sum()),
        "need": float(f.need.sum()),
        "regional_share_of_tax_revenue": own / (own + fed) if own + fed > 0 else float("nan"),
        "equalization_recipients": int((f.formula > 0).sum()),
        "stress_mean": _weighted_mean(model.stress, pop),
        "stressed_regions": int((model.stress > 0.05).sum()),
        "bailout_requests": int(model.requests.sum()),
        "bailouts_granted": int(model.grants.sum()),
        "effort_mean": float(model.effort.mean()),
        "belief_mean": float((model.granted / (model.granted + model.refused)).mean()),
        "gini_before": before["gini"], "theil_before": before["theil"],
        "gini_after": after["gini"], "theil_after": after["theil"],
        "treaties_signed": int(model.signed.sum()),
        "treaty_regions_signed": int((model.signed | model.cosigned).sum()),
        "treaties_total": model.treaties_total,
        "treaty_regions_total": int(model.treaty.sum()),
    }
    levels = model.ties_by_level()
    row.update(dict.fromkeys(LEVEL_COLUMNS, 0))
    for (level, sub), count in levels.items():
        row[f"ties_{level}"] = int(row[f"ties_{level}"]) + count
        if sub:
            row[f"ties_international_{sub.replace('-', '_')}"] = count
    total = sum(levels.values())
    row["ties_total"] = total
    row["horizontal_ties"] = int(row["ties_bilateral"]) + int(row["ties_subnational"])
    for kind in KINDS:
        row[f"ties_formed_{kind}"] = int(model.formed[kind].sum())
    row["international_agreements"] = int(model.formed["foreign"].sum())
    integrated = int(row["ties_international_cross_border"]) \
        + int(row["ties_international_trans_regional"])
    row["integration_index"] = integrated / total if total else 0.0
    foreign = world.candidates["foreign"]
    on = model.active["foreign"]
    cross = SUBLEVELS.index("cross-border")
    row["cross_border_ties_border_regions"] = int(
        (on & (foreign.sublevel == cross) & world.border_region[foreign.region]).sum())
    row["international_ties_inland_regions"] = int(
        (on & ~world.border_region[foreign.region]).sum())
    row["donors"] = int(donors.sum())
    row["donor_discontent"] = float(model.discontent[donors].mean()) if donors.any() else 0.0
    return row


def region_table(model: FederationModel) -> pd.DataFrame:
    """One row per region for the year just simulated (state, money and ties by kind).

    Raises:
        InvalidValueError: the model has not simulated a year yet.
    """
    f = _flows(model)
    counts = model.tie_counts()
    frame = pd.DataFrame({
        "year": model.year - 1, "region": list(model.world.ids), "own_revenue": f.own,
        "federal_revenue": f.federal, "transfers_paid": f.transfers,
        "appeasement": f.appeasement, "bailout": f.bailouts, "tie_gains": f.gains,
        "need": f.need, "stress": model.stress, "effort": model.effort,
        "leverage": model.leverage, "discontent": model.discontent, "treaty": model.treaty,
        **{f"ties_{kind}": counts[:, k].astype(np.int64) for k, kind in enumerate(KINDS)}})
    return frame
