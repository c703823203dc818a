"""Running the law on inputs: the quantities, the runner and its trace, the pipeline.

Each quantity is declared once (:mod:`.quantities`); the runner (:mod:`.runner`) evaluates
them and records a trace (:mod:`.trace`) that :mod:`.explain` reads; :mod:`.pipeline` runs a
year or a series; :mod:`.outputs` and :mod:`.inequality` summarise results.

The names load on first use (:func:`~regionet.core.lazy.lazy_getattr`): importing the
pipeline does not import pandas, which only the summaries (:mod:`.outputs`) and the results
table need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regionet.core.lazy import lazy_getattr

if TYPE_CHECKING:
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
    from regionet.engines.fiscal.run.quantities import QUANTITIES
    from regionet.engines.fiscal.run.trace import Trace, TraceNode

__all__ = ["COLUMNS", "DONOR_DEFINITIONS", "QUANTITIES", "RULE_NAMES", "FiscalResult", "Trace",
           "TraceNode", "YearResult", "donor_counts", "donors_recipients", "flow_matrix",
           "run_year", "run_years", "winners_losers"]

_OUTPUTS = "regionet.engines.fiscal.run.outputs"
_PIPELINE = "regionet.engines.fiscal.run.pipeline"
__getattr__ = lazy_getattr(__name__, {
    **dict.fromkeys(("DONOR_DEFINITIONS", "donor_counts", "donors_recipients", "flow_matrix",
                     "winners_losers"), _OUTPUTS),
    **dict.fromkeys(("COLUMNS", "RULE_NAMES", "FiscalResult", "YearResult", "run_year",
                     "run_years"), _PIPELINE),
    "QUANTITIES": "regionet.engines.fiscal.run.quantities",
    **dict.fromkeys(("Trace", "TraceNode"), "regionet.engines.fiscal.run.trace"),
})
