"""Running the law on inputs: the pipeline of one year or many, outputs and inequality."""

from regionet.engines.fiscal.run.outputs import (
    DONOR_DEFINITIONS,
    donor_counts,
    donors_recipients,
    flow_matrix,
    winners_losers,
)
from regionet.engines.fiscal.run.pipeline import (
    COLUMNS,
    RULE_NAMES,
    FiscalResult,
    YearResult,
    run_year,
    run_years,
)

__all__ = ["COLUMNS", "DONOR_DEFINITIONS", "RULE_NAMES", "FiscalResult", "YearResult",
           "donor_counts", "donors_recipients", "flow_matrix", "run_year", "run_years",
           "winners_losers"]
