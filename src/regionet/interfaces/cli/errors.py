"""Exit codes for errors: the one place the CLI maps exceptions to codes.

Examples:
    >>> from regionet.core.errors import DataFileError, UnknownActorError
    >>> exit_code(DataFileError("file not found")), exit_code(UnknownActorError("x"))
    (3, 4)
"""

from __future__ import annotations

from regionet.core.errors import (
    DataFileError,
    InvalidValueError,
    RegionetError,
    UnknownReferenceError,
    ValidationError,
)

__all__ = ["EXIT_CODES", "exit_code"]

#: Exit code by error class, most specific first. 1 is any other regionet error.
EXIT_CODES: tuple[tuple[type[RegionetError], int], ...] = (
    (ValidationError, 2),
    (DataFileError, 3),
    (UnknownReferenceError, 4),
    (InvalidValueError, 2),
)


def exit_code(error: RegionetError) -> int:
    """Return the process exit code for ``error``."""
    for cls, code in EXIT_CODES:
        if isinstance(error, cls):
            return code
    return 1
