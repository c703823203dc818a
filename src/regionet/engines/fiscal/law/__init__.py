"""The law as data: dated parameters, their files, the annual date convention and scenarios.

The engine knows no law: a case's parameters are YAML files (``cases/<case>/parameters``),
each value with its date, legal reference and status. :func:`load_parameters` reads them into
an immutable :class:`ParameterTree`; :class:`YearParameters` resolves the values of one fiscal
year; a :class:`Scenario` is a validated set of overrides applied to a copy of the tree.
"""

from regionet.engines.fiscal.law.annual import AnnualValue, YearParameters
from regionet.engines.fiscal.law.files import load_parameters, read_yaml
from regionet.engines.fiscal.law.parameters import ParameterTree, markdown_table
from regionet.engines.fiscal.law.scenarios import (
    Scenario,
    apply,
    list_scenarios,
    load_scenario,
    scenario_from_mapping,
)
from regionet.engines.fiscal.law.values import STATUSES, Parameter, ParameterValue, Value

__all__ = [
    "STATUSES",
    "AnnualValue",
    "Parameter",
    "ParameterTree",
    "ParameterValue",
    "Scenario",
    "Value",
    "YearParameters",
    "apply",
    "list_scenarios",
    "load_parameters",
    "load_scenario",
    "markdown_table",
    "read_yaml",
    "scenario_from_mapping",
]
