"""A record as a row of its case file: every cell exactly, with and without optional values.

Guards ``tie_row``'s optional cells (mutation survivors of docs/testing.md: a currency or an
amount year written for a tie without an amount, a quantity left out) by comparing whole rows,
and the round trip row -> record -> row that import and export rely on.
"""

from __future__ import annotations

import pytest

from regionet.io.record_rows import num, observation_row, tie_row
from regionet.io.records import parse_observation, parse_tie

_TIE = {"id": "t-1", "kind": "agreement", "actors": "RU-KGD;PL", "start": "1996-03",
        "end": "", "domains": "trade;transport", "amount": "", "currency": "",
        "amount_year": "", "quantity": "", "unit": "", "location": "",
        "description": "A tie", "sources": "memo:para 3", "status": "verified", "note": ""}


def test_a_tie_without_amount_or_quantity_writes_those_cells_empty() -> None:
    tie = parse_tie(dict(_TIE))
    assert tie.amount is None and tie.quantity is None
    assert tie_row(tie) == _TIE


def test_a_tie_with_amount_and_quantity_writes_each_cell_as_given() -> None:
    row = {**_TIE, "amount": "2500000.5", "currency": "USD", "amount_year": "1997",
           "quantity": "12", "unit": "projects", "location": "RU-KGD"}
    assert tie_row(parse_tie(dict(row))) == row


@pytest.mark.parametrize(("value", "text"), [(None, ""), (3.0, "3"), (2.5, "2.5"),
                                             (1e15, "1000000000000000.0"), (-7.0, "-7")])
def test_num_writes_whole_numbers_without_a_decimal_point(value: float | None,
                                                          text: str) -> None:
    assert num(value) == text


@pytest.mark.parametrize("comparator", ["", "<", ">="])
def test_an_observation_round_trips_its_comparator(comparator: str) -> None:
    row = {"id": "o-1", "indicator": "gdp", "subject": "RU-KGD", "comparator": comparator,
           "value": "4.5", "value_text": "", "unit": "%", "start": "1997", "end": "1997",
           "sources": "memo:para 2", "status": "assumed", "note": "n"}
    assert observation_row(parse_observation(dict(row))) == row
