"""Core: ids, periods, money, errors and the seeded RNG (:mod:`regionet.core.rng`).

Nothing here imports a regionet module above this layer.
"""

from regionet.core.errors import RegionetError
from regionet.core.ids import ActorId, DocumentId, ObservationId, TieId, check_actor_id
from regionet.core.money import (
    CURRENCIES,
    CURRENCY_YEARS,
    Money,
    Rate,
    RatesTable,
    check_currency,
    check_currency_year,
)
from regionet.core.periods import Interval, Year, parse_date, year_bounds

__all__ = [
    "CURRENCIES",
    "CURRENCY_YEARS",
    "ActorId",
    "DocumentId",
    "Interval",
    "Money",
    "ObservationId",
    "Rate",
    "RatesTable",
    "RegionetError",
    "TieId",
    "Year",
    "check_actor_id",
    "check_currency",
    "check_currency_year",
    "parse_date",
    "year_bounds",
]
