"""Public access to regionet's exception hierarchy (defined in :mod:`regionet.core.errors`)."""

from regionet.core.errors import (
    ConversionError,
    DataFileError,
    InvalidValueError,
    RegionetError,
    UnknownActorError,
    UnknownCurrencyError,
    UnknownReferenceError,
    ValidationError,
)

__all__ = [
    "ConversionError",
    "DataFileError",
    "InvalidValueError",
    "RegionetError",
    "UnknownActorError",
    "UnknownCurrencyError",
    "UnknownReferenceError",
    "ValidationError",
]
