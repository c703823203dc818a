"""Public access to regionet's exception hierarchy and its "Did you mean …?" hint helper.

Both are defined in :mod:`regionet.core.errors`.
"""

from regionet.core.errors import (
    BusyError,
    ConversionError,
    DataFileError,
    InvalidValueError,
    RegionetError,
    UnknownActorError,
    UnknownCurrencyError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)

__all__ = [
    "BusyError",
    "ConversionError",
    "DataFileError",
    "InvalidValueError",
    "RegionetError",
    "UnknownActorError",
    "UnknownCurrencyError",
    "UnknownReferenceError",
    "ValidationError",
    "did_you_mean",
]
