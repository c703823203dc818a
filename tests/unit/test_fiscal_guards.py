"""Guards for ``engines/fiscal`` written from the mutants mutmut found alive (docs/testing.md).

``Shares.per_establishment`` works in chunks of ``_CHUNK`` establishments; every other test
has fewer, so only the first chunk was ever computed. Here the shares of more than one
chunk are checked against the formula by hand: an establishment's headcount over its firm's.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from regionet.core.errors import InvalidValueError
from regionet.core.tables import InputTable
from regionet.engines.fiscal.inputs.coding import flags_of
from regionet.engines.fiscal.inputs.establishments import Establishments
from regionet.engines.fiscal.rules import shares as shares_module
from regionet.engines.fiscal.rules.attribution import first_positive
from regionet.engines.fiscal.rules.equalization import EqualizationInputs, no_equalization


def test_shares_over_more_than_one_chunk() -> None:
    n = shares_module._CHUNK + 1_000
    rng = np.random.default_rng(7)
    firm = rng.integers(0, 3, n)
    headcount = rng.integers(1, 50, n).astype(float)
    zeros = np.zeros(n)
    est = Establishments(firm=firm, region=rng.integers(0, 5, n), headcount=headcount,
                         payroll=zeros, assets=zeros, sales=zeros, n_firms=3, n_regions=5)
    totals = np.bincount(firm, weights=headcount, minlength=3)
    got = first_positive(est, ["headcount"]).per_establishment()
    np.testing.assert_allclose(got, headcount / totals[firm], rtol=1e-12)
    scaled = first_positive(est, ["headcount"]).per_establishment(np.array([2.0, 3.0, 5.0]))
    np.testing.assert_allclose(scaled, headcount / totals[firm] * np.array([2.0, 3.0, 5.0])[firm],
                               rtol=1e-12)


def test_no_equalization_says_the_centre_keeps_a_fund_only_when_there_is_one() -> None:
    data = EqualizationInputs([1.0, 2.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0])
    kept = no_equalization(10.0, data)
    assert (kept.transfers.tolist(), kept.undistributed, kept.note) == (
        [0.0, 0.0], 10.0, "method 'none': the centre keeps the fund")
    empty = no_equalization(0.0, data)
    assert (empty.transfers.tolist(), empty.undistributed, empty.note) == ([0.0, 0.0], 0.0, None)


def test_flags_of_every_column_type() -> None:
    def flags(values: pa.Array) -> list[bool]:
        return flags_of(InputTable.from_arrow("est.csv", pa.table({"f": values})), "f").tolist()

    assert flags(pa.array([True, None, False])) == [True, False, False]
    assert flags(pa.array(["yes", "NO", None, "yes"]).dictionary_encode()) == [
        True, False, False, True]
    assert flags(pa.array([1, 0, None], pa.int64())) == [True, False, False]
    assert flags(pa.array([1.0, 0.0, None, -0.0])) == [True, False, False, False]
    with pytest.raises(InvalidValueError) as info:
        flags(pa.array([1.0, 2.5]))
    err = info.value
    assert (err.message, err.file, err.row, err.field) == ("f is not true or false", "est.csv",
                                                           2, "f")
