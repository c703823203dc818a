from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from regionet.core.errors import ConversionError, InvalidValueError, ValidationError
from regionet.core.ids import check_actor_id
from regionet.core.money import Money, Rate, RatesTable, check_currency_year
from regionet.core.periods import Interval, parse_date
from regionet.core.rng import make_rng


@pytest.mark.parametrize(
    ("text", "bound", "expected"),
    [
        ("1996", "start", date(1996, 1, 1)),
        ("1996", "end", date(1996, 12, 31)),
        ("2000-02", "end", date(2000, 2, 29)),
        ("1999-02", "end", date(1999, 2, 28)),
        ("1998-09-17", "start", date(1998, 9, 17)),
    ],
)
def test_parse_date_partial_precision(text, bound, expected):
    assert parse_date(text, bound) == expected


@pytest.mark.parametrize("bad", ["96", "1996-13", "1996-02-30", "spring 1998", "1996/05"])
def test_parse_date_rejects_bad_text_naming_the_field(bad):
    with pytest.raises(InvalidValueError) as err:
        parse_date(bad, field="start", file="ties.csv", row=7)
    assert "ties.csv, row 7, field 'start'" in str(err.value)
    assert "YYYY" in str(err.value)


def test_interval_end_before_start_is_an_error():
    with pytest.raises(InvalidValueError, match="before start"):
        Interval.parse("1999", "1998")


def test_interval_same_year_partial_dates_are_fine():
    iv = Interval.parse("1998", "1998-03")
    assert iv.start == date(1998, 1, 1) and iv.end == date(1998, 3, 31)


def test_interval_within_and_open_ends():
    actor = Interval.parse("1993-12-12", "2005-12-01")
    assert Interval.parse("1995", "2001").within(actor)
    assert not Interval.parse("1990", "1995").within(actor)
    assert not Interval.parse("2004", "2006").within(actor)
    assert Interval.parse(None, None).within(actor)


@given(st.integers(1900, 2100), st.integers(1900, 2100))
def test_overlaps_is_symmetric(a, b):
    x, y = Interval.parse(str(min(a, b)), str(max(a, b))), Interval.parse(str(a), None)
    assert x.overlaps(y) == y.overlaps(x)


def test_money_rejects_negative_and_unknown_currency():
    with pytest.raises(InvalidValueError, match="non-negative"):
        Money(-1, "ECU", 1996)
    with pytest.raises(InvalidValueError, match="unknown currency"):
        Money(1, "XYZ", 1996)
    assert Money(np.float32(1.5), "ECU", 1996).amount == 1.5
    assert type(Money(68_212_208, "RUB", 2000).amount) is float


def test_rates_direct_inverse_and_pivot():
    rates = RatesTable([
        Rate("ECU", "NOK", 1998, 300 / 37, "sergounin-1999", "para 14", "verified"),
        Rate("USD", "NOK", 1998, 7.5, "assumed-doc", "table", "assumed"),
    ])
    assert rates.convert(Money(37e6, "ECU", 1998), "NOK").amount == pytest.approx(300e6)
    assert rates.convert(Money(300e6, "NOK", 1998), "ECU").amount == pytest.approx(37e6)
    assert rates.convert(Money(37e6, "ECU", 1998), "USD").amount == pytest.approx(40e6)
    with pytest.raises(ConversionError, match="1999"):
        rates.convert(Money(1, "NOK", 1999), "USD")
    with pytest.raises(ConversionError, match="ECU did not exist in 1999"):
        rates.convert(Money(1, "NOK", 1999), "ECU")


@pytest.mark.parametrize(("currency", "year", "ok"), [
    ("ECU", 1979, True), ("ECU", 1998, True), ("ECU", 1999, False), ("ECU", 1978, False),
    ("EUR", 1998, False), ("EUR", 1999, True), ("RUB", 1997, False), ("RUB", 1998, True),
    ("RUR", 1997, True), ("RUR", 1998, False), ("FIM", 2001, True), ("FIM", 2002, False),
    ("NOK", 1950, True), ("USD", 2030, True),
])
def test_money_only_in_a_currency_of_its_year(currency, year, ok):
    if ok:
        assert Money(1.0, currency, year).year == year
        assert check_currency_year(currency, year) == year
        return
    with pytest.raises(InvalidValueError, match=f"{currency} did not exist in {year}") as err:
        Money(1.0, currency, year)
    assert (err.value.field, err.value.value) == ("amount_year", year)
    with pytest.raises(InvalidValueError, match=f"{currency} did not exist in {year}"):
        Rate(currency, "USD" if currency != "USD" else "NOK", year, 1.0, "d", "l", "verified")


def test_currency_year_error_says_what_to_use():
    with pytest.raises(InvalidValueError) as err:
        check_currency_year("ECU", 1999, file="ties.csv", row=4)
    assert str(err.value) == (
        "ties.csv, row 4, field 'amount_year', value '1999': ECU did not exist in 1999 "
        "(expected a year 1979-1998 for ECU; for 1999 or later use EUR, 1 ECU = 1 EUR)")


@pytest.mark.parametrize("good", ["RU", "RU-KR", "RU-SPE", "cbss", "assoc-northwest", "cn-dongbei"])
def test_actor_ids_accepted(good):
    assert check_actor_id(good) == good


@pytest.mark.parametrize("bad", ["Karelia", "ru-KR", "RU_KR", "", "RU-KARELIA", "a b"])
def test_actor_ids_rejected(bad):
    with pytest.raises(InvalidValueError):
        check_actor_id(bad)


def test_rng_is_reproducible_and_independent():
    assert make_rng(7).random() == make_rng(7).random()
    g = make_rng(1)
    assert make_rng(g) is g


def test_validation_error_lists_all_problems():
    errors = [InvalidValueError("bad", file="a.csv", row=i, field="x", value=i) for i in range(25)]
    err = ValidationError.from_errors(errors)
    assert len(err.errors) == 25
    assert "25 problem(s)" in str(err) and "and 5 more" in str(err)
    assert err.to_dict()["errors"][3]["row"] == 3
