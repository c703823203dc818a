"""The illustrative economy: a seeded, calibrated synthetic economy of the 89 subjects.

No per-region tax data for the 1990s were found, so the bundled case's fiscal inputs are
generated here from stated assumptions (``cases/<case>/economy/assumptions.yaml``, each with
a status) and calibrated to published national aggregates. It produces
:class:`~regionet.engines.fiscal.inputs.FiscalInputs` and knows nothing of the law. See
``docs/economy.md``.
"""

from regionet.engines.economy.assumptions import EconomyAssumptions, parse_assumptions
from regionet.engines.economy.economy import DEFAULT_YEARS, Economy, generate, generate_years

__all__ = ["DEFAULT_YEARS", "Economy", "EconomyAssumptions", "generate", "generate_years",
           "parse_assumptions"]
