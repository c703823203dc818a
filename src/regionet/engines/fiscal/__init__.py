"""The fiscal engine: which budget receives which tax, and what the centre gives back.

In the manner of OpenFisca, for regions instead of households: the engine knows no law.

- :mod:`.law`: dated parameters (the law as data), the annual date convention, scenarios;
- :mod:`.rules`: attribution rules for a multi-region firm's tax base, equalization methods;
- :mod:`.inputs`: a year's regions table, firms and establishments;
- :mod:`.run`: the pipeline of a year or a series, donors and recipients, inequality.

The illustrative economy that feeds the bundled case is a separate engine,
:mod:`regionet.engines.economy`. Public names are imported on first use.

Examples:
    >>> from regionet.engines import fiscal
    >>> sorted(fiscal.RULES)[:3]
    ['art288', 'art288_1995', 'canada']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regionet.core.lazy import lazy_getattr

if TYPE_CHECKING:
    from regionet.engines.fiscal.inputs import Establishments, Firms, FiscalInputs, RegionTable
    from regionet.engines.fiscal.law import ParameterTree, Scenario, load_parameters
    from regionet.engines.fiscal.rules import METHODS, RULES
    from regionet.engines.fiscal.run import FiscalResult, YearResult, run_year, run_years

__all__ = [
    "METHODS",
    "RULES",
    "Establishments",
    "Firms",
    "FiscalInputs",
    "FiscalResult",
    "ParameterTree",
    "RegionTable",
    "Scenario",
    "YearResult",
    "load_parameters",
    "run_year",
    "run_years",
]

__getattr__ = lazy_getattr(__name__, {
    **dict.fromkeys(("Establishments", "FiscalInputs", "Firms", "RegionTable"),
                    "regionet.engines.fiscal.inputs"),
    **dict.fromkeys(("ParameterTree", "Scenario", "load_parameters"),
                    "regionet.engines.fiscal.law"),
    **dict.fromkeys(("METHODS", "RULES"), "regionet.engines.fiscal.rules"),
    **dict.fromkeys(("FiscalResult", "YearResult", "run_year", "run_years"),
                    "regionet.engines.fiscal.run"),
})
