"""The dynamics engine: a seeded, time-stepped model of the centre, the regions and partners.

Pure computation (no files): the io layer reads parameters and scenarios, the services build
the world from a case and run sweeps.

- :mod:`.core`: a small Mesa-like core (model clock and RNG streams, data collector, run);
- :mod:`.parameters`, :mod:`.scenarios`: parameters with a status each, scenarios as data;
- :mod:`.world`: regions, partners and candidate ties with their levels (the case's
  classifier); :mod:`.fiscal_path`: the fiscal engine's years as linear maps of collection;
- mechanisms: :mod:`.bargaining` (Treisman), :mod:`.ratchet` (Zhuravskaya),
  :mod:`.soft_budget` (Rodden), :mod:`.budgets`, :mod:`.ties` (formation, decay, matching);
- :mod:`.model`: the federation model; :mod:`.outputs`: what a step reports;
- :mod:`.patterns`: pattern-oriented checks (Grimm et al. 2005); :mod:`.batch`: run specs,
  chunks and summaries for sweeps (workers live in the services).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regionet.core.lazy import lazy_getattr

if TYPE_CHECKING:
    from regionet.engines.dynamics.core import DataCollector, Model, run
    from regionet.engines.dynamics.fiscal_path import FiscalPath, fiscal_path
    from regionet.engines.dynamics.model import FederationModel
    from regionet.engines.dynamics.parameters import DynamicsParameters, parse_parameters
    from regionet.engines.dynamics.scenarios import DynamicsScenario, scenario_from_mapping
    from regionet.engines.dynamics.world import World, synthetic_world, world_from_case

__all__ = [
    "DataCollector",
    "DynamicsParameters",
    "DynamicsScenario",
    "FederationModel",
    "FiscalPath",
    "Model",
    "World",
    "fiscal_path",
    "parse_parameters",
    "run",
    "scenario_from_mapping",
    "synthetic_world",
    "world_from_case",
]

__getattr__ = lazy_getattr(__name__, {
    **dict.fromkeys(("DataCollector", "Model", "run"), "regionet.engines.dynamics.core"),
    **dict.fromkeys(("FiscalPath", "fiscal_path"), "regionet.engines.dynamics.fiscal_path"),
    "FederationModel": "regionet.engines.dynamics.model",
    **dict.fromkeys(("DynamicsParameters", "parse_parameters"),
                    "regionet.engines.dynamics.parameters"),
    **dict.fromkeys(("DynamicsScenario", "scenario_from_mapping"),
                    "regionet.engines.dynamics.scenarios"),
    **dict.fromkeys(("World", "synthetic_world", "world_from_case"),
                    "regionet.engines.dynamics.world"),
})
