"""Money: an amount, a currency and a year — converted only through a sourced rates table.

Amounts are float64 (never float32: national totals lose whole rubles in float32).

Examples:
    >>> m = Money(300e6, "NOK", 1998)
    >>> rates = RatesTable([Rate("ECU", "NOK", 1998, 300 / 37, "memo", "para 14", "verified")])
    >>> round(rates.convert(m, "ECU").amount / 1e6, 1)
    37.0
    >>> rates.convert(m, "USD")
    Traceback (most recent call last):
    ...
    regionet.core.errors.ConversionError: ...: no rate from NOK to USD for 1998 ...
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from regionet.core.errors import ConversionError, InvalidValueError

__all__ = ["CURRENCIES", "CURRENCY_YEARS", "Money", "Rate", "RatesTable", "check_currency",
           "check_currency_year"]

#: Currency codes regionet knows: ISO 4217 plus the historical ones the 1990s cases need.
CURRENCIES: dict[str, str] = {
    "RUB": "Russian rouble (new, from 1998 redenomination)",
    "RUR": "Russian rouble (before the 1998 redenomination, 1000 RUR = 1 RUB)",
    "USD": "US dollar",
    "EUR": "euro",
    "ECU": "European Currency Unit (1979-1998; 1 ECU = 1 EUR from 1999)",
    "NOK": "Norwegian krone",
    "SEK": "Swedish krona",
    "DKK": "Danish krone",
    "FIM": "Finnish markka",
    "DEM": "Deutsche Mark",
    "PLN": "Polish zloty",
    "LTL": "Lithuanian litas",
    "JPY": "Japanese yen",
    "CNY": "Chinese yuan",
    "GBP": "pound sterling",
}


#: The years in which a currency of :data:`CURRENCIES` existed, where it began or ended
#: within the period regionet's cases cover (first year, last year; None = open). An amount
#: is in a year's prices, so its currency must have existed in that year.
CURRENCY_YEARS: dict[str, tuple[int | None, int | None]] = {
    "ECU": (1979, 1998),  # European Monetary System from 1979; replaced 1:1 by the euro
    "EUR": (1999, None),
    "RUR": (1992, 1997),  # the rouble of the Russian Federation before the redenomination
    "RUB": (1998, None),  # redenominated rouble, 1 January 1998
    "FIM": (None, 2001),  # euro cash from 2002
    "DEM": (None, 2001),
    "LTL": (1993, 2014),
    "PLN": (1995, None),  # the new zloty of the 1995 redenomination
}


def check_currency_year(code: str, year: int, *, file: str | None = None,
                        row: int | None = None, field: str = "amount_year") -> int:
    """Return ``year`` if the currency ``code`` existed in it, else raise.

    Raises:
        InvalidValueError: for a year outside :data:`CURRENCY_YEARS` of the currency.

    Examples:
        >>> check_currency_year("ECU", 1998)
        1998
        >>> check_currency_year("ECU", 1999)
        Traceback (most recent call last):
        ...
        regionet.core.errors.InvalidValueError: field 'amount_year', value '1999': ECU did \
not exist in 1999 (expected a year 1979-1998 for ECU; for 1999 or later use EUR, 1 ECU = 1 EUR)
    """
    first, last = CURRENCY_YEARS.get(code, (None, None))
    if (first is None or year >= first) and (last is None or year <= last):
        return year
    span = f"{first or '…'}-{last or '…'}"
    hint = {"ECU": "; for 1999 or later use EUR, 1 ECU = 1 EUR",
            "EUR": "; before 1999 use ECU", "RUB": "; before 1998 use RUR (1000 RUR = 1 RUB)",
            "RUR": "; from 1998 use RUB (1000 RUR = 1 RUB)"}.get(code, "")
    raise InvalidValueError(f"{code} did not exist in {year}", file=file, row=row, field=field,
                            value=year, expected=f"a year {span} for {code}{hint}")


def check_currency(code: str, *, file: str | None = None, row: int | None = None,
                   field: str = "currency") -> str:
    """Return ``code`` if it is a known currency, else raise.

    Raises:
        InvalidValueError: for an unknown code.
    """
    if code in CURRENCIES:
        return code
    raise InvalidValueError(
        "unknown currency", file=file, row=row, field=field, value=code,
        expected="an ISO 4217 code such as " + ", ".join(sorted(CURRENCIES)[:6]) + ", …",
    )


@dataclass(frozen=True)
class Money:
    """An amount of a currency in a given year's prices.

    Raises:
        InvalidValueError: for a negative or non-finite amount, an unknown currency, or a
            currency that did not exist in ``year`` (ECU after 1998).
    """

    amount: float
    currency: str
    year: int

    def __post_init__(self) -> None:
        value = float(self.amount)
        if not math.isfinite(value) or value < 0:
            raise InvalidValueError("money must be a finite non-negative amount",
                                    field="amount", value=self.amount,
                                    expected="a number >= 0")
        check_currency(self.currency)
        check_currency_year(self.currency, self.year)
        object.__setattr__(self, "amount", value)

    def __str__(self) -> str:
        return f"{self.currency} {self.amount:,.0f} ({self.year})"


@dataclass(frozen=True)
class Rate:
    """``rate`` units of ``quote`` buy one unit of ``base`` in ``year``, with its source."""

    base: str
    quote: str
    year: int
    rate: float
    document: str
    locator: str
    status: str

    def __post_init__(self) -> None:
        if not (math.isfinite(self.rate) and self.rate > 0):
            raise InvalidValueError("rate must be a positive number", field="rate",
                                    value=self.rate, expected="a number > 0")
        for code in (self.base, self.quote):
            check_currency_year(code, self.year, field="year")


class RatesTable:
    """Exchange rates by (base, quote, year); converts directly, inversely or via one pivot."""

    def __init__(self, rates: Iterable[Rate]) -> None:
        self._rates: dict[tuple[str, str, int], Rate] = {}
        for r in rates:
            self._rates[(r.base, r.quote, r.year)] = r

    def __len__(self) -> int:
        return len(self._rates)

    def __iter__(self) -> Iterator[Rate]:
        return iter(self._rates.values())

    def _factor(self, src: str, dst: str, year: int) -> float | None:
        if src == dst:
            return 1.0
        if (r := self._rates.get((src, dst, year))) is not None:
            return r.rate
        if (r := self._rates.get((dst, src, year))) is not None:
            return 1.0 / r.rate
        return None

    def rate(self, src: str, dst: str, year: int) -> float:
        """Return how many ``dst`` one ``src`` buys in ``year``.

        Raises:
            ConversionError: when no direct, inverse or one-pivot path exists.
        """
        direct = self._factor(src, dst, year)
        if direct is not None:
            return direct
        pivots = {c for (b, q, y) in self._rates if y == year for c in (b, q)}
        for pivot in sorted(pivots - {src, dst}):
            a = self._factor(src, pivot, year)
            b = self._factor(pivot, dst, year)
            if a is not None and b is not None:
                return a * b
        pairs = ", ".join(sorted(f"{b}/{q} {y}" for (b, q, y) in self._rates)) or "none"
        raise ConversionError(f"no rate from {src} to {dst} for {year} in the rates table",
                              field="currency", value=f"{src}->{dst}",
                              expected=f"one of the pairs: {pairs}")

    def convert(self, money: Money, currency: str) -> Money:
        """Return ``money`` expressed in ``currency`` (same year).

        Raises:
            ConversionError: when no rate path exists, or ``currency`` did not exist in the
                money's year (ECU after 1998).
        """
        check_currency(currency)
        try:
            check_currency_year(currency, money.year, field="currency")
        except InvalidValueError as exc:
            raise ConversionError(exc.message, field="currency",
                                  value=f"{money.currency}->{currency}",
                                  expected=exc.expected) from None
        return Money(money.amount * self.rate(money.currency, currency, money.year),
                     currency, money.year)
