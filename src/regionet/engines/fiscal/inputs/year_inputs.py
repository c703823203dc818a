"""Inputs of the fiscal pipeline for one year: the regions table and the firms.

Taxes other than the profit tax enter as *tax due* per region before collection (the
liability the region's taxpayers owe), keyed by tax: the engine then applies collection
efficiency and the federal/regional split of that year. The profit tax is computed from
firms' profits, the attribution rule and the rates, because which region receives it is
the question the memo asks (para 5).

Tax keys (``RegionTable.tax_due``):

- ``vat``: value added tax due on the region's territory;
- ``personal_income_tax``: withheld where employees work (Tax Code art. 226 p.7);
- ``excise_spirits``, ``excise_other``: domestic excises;
- ``mineral_extraction_tax.hydrocarbons``, ``mineral_extraction_tax.other_minerals``:
  from 2002;
- ``regional_other``: taxes credited wholly to the regional budget (property, land,
  1998–2003 sales tax…);
- ``federal_other``: taxes credited wholly to the federal budget other than import duties.

Examples:
    >>> import numpy as np
    >>> t = RegionTable(("RU-A", "RU-B"), population=np.array([1e6, 2e6]),
    ...                 tax_due={"vat": np.array([10.0, 30.0])})
    >>> t.n, t.due("vat").tolist(), t.due("excise_other").tolist()
    (2, [10.0, 30.0], [0.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from regionet.core.errors import InvalidValueError, UnknownReferenceError, did_you_mean
from regionet.engines.fiscal.inputs.establishments import Establishments, Firms

__all__ = ["TAX_KEYS", "FiscalInputs", "RegionTable"]

FloatArray = npt.NDArray[np.float64]

#: Taxes a region table may carry as tax due (the profit tax comes from firms).
TAX_KEYS = (
    "vat",
    "personal_income_tax",
    "excise_spirits",
    "excise_other",
    "mineral_extraction_tax.hydrocarbons",
    "mineral_extraction_tax.other_minerals",
    "regional_other",
    "federal_other",
)


def _vector(name: str, values: npt.ArrayLike, n: int) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (n,):
        raise InvalidValueError("wrong length", field=name, value=arr.shape,
                                expected=f"one value per region ({n})")
    bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
    if bad.size:
        i = int(bad[0])
        raise InvalidValueError("must be a finite number >= 0", field=name, row=i + 1,
                                value=float(arr[i]), expected="a non-negative amount")
    return arr


@dataclass(frozen=True)
class RegionTable:
    """Per-region inputs of one year (arrays aligned with ``ids``).

    Attributes:
        ids: region ids (region code ``r`` is ``ids[r]``).
        population: population (persons), > 0.
        expenditure_index: relative per-capita cost of standard public services (1 = mean).
        tax_due: tax due per region by tax key (see :data:`TAX_KEYS`), float64 >= 0.
        parent: for autonomous okrugs inside a krai/oblast, the parent's id (used by the
            mineral extraction tax split); None elsewhere.
    """

    ids: tuple[str, ...]
    population: FloatArray
    expenditure_index: FloatArray | None = None
    tax_due: Mapping[str, FloatArray] = field(default_factory=dict)
    parent: tuple[str | None, ...] | None = None

    def __post_init__(self) -> None:
        n = len(self.ids)
        object.__setattr__(self, "population", _vector("population", self.population, n))
        if np.any(self.population <= 0):
            i = int(np.flatnonzero(self.population <= 0)[0])
            raise InvalidValueError("population must be > 0", field="population", row=i + 1,
                                    value=float(self.population[i]), expected="> 0")
        index = np.ones(n) if self.expenditure_index is None else self.expenditure_index
        object.__setattr__(self, "expenditure_index", _vector("expenditure_index", index, n))
        for key in self.tax_due:
            if key not in TAX_KEYS:
                raise UnknownReferenceError("unknown tax key", field="tax_due", value=key,
                                            expected="one of " + ", ".join(TAX_KEYS),
                                            hint=did_you_mean(key, TAX_KEYS, n=1))
        object.__setattr__(self, "tax_due",
                           {k: _vector(k, v, n) for k, v in self.tax_due.items()})
        if self.parent is not None and len(self.parent) != n:
            raise InvalidValueError("wrong length", field="parent", value=len(self.parent),
                                    expected=f"one value per region ({n})")

    @property
    def n(self) -> int:
        """Number of regions."""
        return len(self.ids)

    def due(self, key: str) -> FloatArray:
        """Return the tax due for ``key`` (zeros when the table does not carry it)."""
        return self.tax_due.get(key, np.zeros(self.n))


@dataclass(frozen=True)
class FiscalInputs:
    """Everything the pipeline needs for one year.

    Attributes:
        year: the fiscal year.
        regions: the regions table.
        establishments: establishments of the profit-tax payers (region codes index
            ``regions.ids``).
        firms: the profit-tax payers (profit = the profit-tax base).
        illustrative: True when any input comes from the illustrative economy, so every
            output says so.
        provenance: short notes on where each input comes from (source or assumption).
        name: which inputs these are: ``illustrative`` (the case's economy), the name of
            inputs registered in a workspace, or the files given; None if not said.
        checksum: hex SHA-256 identifying the inputs' files (None for files read directly).
    """

    year: int
    regions: RegionTable
    establishments: Establishments
    firms: Firms
    illustrative: bool = False
    provenance: Mapping[str, str] = field(default_factory=dict)
    name: str | None = None
    checksum: str | None = None
