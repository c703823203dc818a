"""The fiscal quantities: every per-region and national number of a run, each declared once.

A quantity is a :class:`~regionet.engines.fiscal.run.runner.Quantity`: a name, a label, a
unit, the formula in words, legal references, the parameters and quantities it reads, and a
vectorized function over regions. :data:`QUANTITIES` holds them all; the pipeline asks the
runner for the output columns and the fund, and the runner evaluates whatever they read,
once, recording a trace that explanations read. To change a formula, change its declaration:
the run, the trace and every explanation follow.

This module declares the inputs (population, expenditure index, collection efficiency, tax
due); the taxes are in :mod:`.quantities_taxes`, the transfers in :mod:`.quantities_transfers`.

Examples:
    >>> q = QUANTITIES["net_flow"]
    >>> q.formula.split(" (")[0], q.reads, q.unit
    ('transfers − revenue_federal_collected', ('transfers', 'revenue_federal_collected'), 'money')
    >>> QUANTITIES["profit_tax_regional"].parameters
    ('profit_tax.rate.regional',)
"""

from __future__ import annotations

from typing import Final

import numpy as np

from regionet.core.errors import InvalidValueError
from regionet.engines.fiscal.inputs.establishments import FloatArray
from regionet.engines.fiscal.inputs.year_inputs import TAX_KEYS
from regionet.engines.fiscal.run.quantities_taxes import TAX_QUANTITIES, due_name
from regionet.engines.fiscal.run.quantities_transfers import TRANSFER_QUANTITIES
from regionet.engines.fiscal.run.runner import (
    INDEX,
    MONEY,
    PERSONS,
    SHARE,
    Computed,
    Evaluation,
    Quantity,
    quantity,
)

__all__ = ["QUANTITIES"]


@quantity(label="Population", unit=PERSONS, formula="input: RegionTable.population")
def population(q: Evaluation) -> FloatArray:
    """Persons, > 0 (validated by the regions table)."""
    return q.inputs.regions.population


@quantity(label="Expenditure index (ИБР)", unit=INDEX,
          formula="input: RegionTable.expenditure_index (ИБР, relative per-capita cost of "
                  "standard public services; 1 when not given)",
          references=("fiscal-russia.md, FFPR 1999–2001: budget expenditure index ИБР",))
def expenditure_index(q: Evaluation) -> FloatArray:
    """The relative cost of standard public services in the region."""
    return np.asarray(q.inputs.regions.expenditure_index, dtype=np.float64)


@quantity(label="Collection efficiency", unit=SHARE,
          formula="collection.efficiency (national)",
          by_rule={"collection_by_region": "input: the collection_by_region override"},
          references=("docs/fiscal.md, collection: every amount is multiplied by the "
                      "efficiency of the region where it is paid",),
          parameters=("collection.efficiency",))
def collection_efficiency(q: Evaluation) -> FloatArray | Computed:
    """The national parameter, or the run's per-region override."""
    if q.collection_by_region is None:
        return np.full(q.n, q.number("collection.efficiency"))
    efficiency = np.array(q.collection_by_region, dtype=np.float64)
    if efficiency.shape != (q.n,) or not np.all(np.isfinite(efficiency) & (efficiency >= 0)):
        raise InvalidValueError("bad collection_by_region", field="collection_by_region",
                                value=efficiency.shape,
                                expected=f"{q.n} finite efficiencies >= 0")
    return Computed(efficiency, rule="collection_by_region")


def _due(key: str) -> Quantity:
    def function(q: Evaluation) -> FloatArray:
        return q.inputs.regions.due(key)
    return Quantity(due_name(key), f"Tax due: {key}", MONEY,
                    f"input: RegionTable.tax_due['{key}'] (0 when not given)", function,
                    ("inputs contract: tax due before collection (docs/fiscal.md)",))


def _registry(*groups: tuple[Quantity, ...]) -> dict[str, Quantity]:
    registry: dict[str, Quantity] = {}
    for declared in (q for group in groups for q in group):
        if declared.name in registry:
            raise InvalidValueError("quantity declared twice", field="name", value=declared.name,
                                    expected="one declaration per quantity")
        registry[declared.name] = declared
    return registry


#: Every quantity by name: inputs, taxes, transfers.
QUANTITIES: Final[dict[str, Quantity]] = _registry(
    (population, expenditure_index, collection_efficiency, *(_due(k) for k in TAX_KEYS)),
    TAX_QUANTITIES, TRANSFER_QUANTITIES)
