"""The rules of the money: apportionment shares, attribution rules and equalization methods.

Each rule is a function of arrays: an attribution rule turns a firm's establishments into
shares of its tax base (:data:`RULES`); an equalization method turns a fund and the regions'
needs and capacities into transfers (:data:`METHODS`).
"""

from regionet.engines.fiscal.rules.attribution import RULES, Rule, attribute
from regionet.engines.fiscal.rules.equalization import (
    METHODS,
    Allocation,
    EqualizationInputs,
    allocate,
)
from regionet.engines.fiscal.rules.shares import Shares, mean_of_shares

__all__ = ["METHODS", "RULES", "Allocation", "EqualizationInputs", "Rule", "Shares", "allocate",
           "attribute", "mean_of_shares"]
