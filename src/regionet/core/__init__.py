"""Core: ids, periods, money, errors and the seeded RNG (:mod:`regionet.core.rng`).

Nothing here imports a regionet module above this layer.
"""

from regionet.core.errors import RegionetError
from regionet.core.ids import ActorId, DocumentId, ObservationId, TieId, check_actor_id
from regionet.core.money import CURRENCIES, Money, Rate, RatesTable, check_currency
from regionet.core.periods import Interval, Year, parse_date, year_bounds

__all__ = [
    "CURRENCIES",
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
    "parse_date",
    "year_bounds",
]
