"""Exit codes for errors: the one place the CLI maps exceptions to codes.

Services name a bad value's ``field`` after their argument (``rule``, ``as_of``); the CLI
shows it as the option the user typed (``--rule``, ``--as-of``): :func:`as_option`.

Examples:
    >>> from regionet.core.errors import DataFileError, UnknownActorError
    >>> exit_code(DataFileError("file not found")), exit_code(UnknownActorError("x"))
    (3, 4)
    >>> err = as_option(UnknownActorError("unknown actor", field="actor", value="RU-KRR"),
    ...                 ["data", "ties", "--actor", "RU-KRR"])
    >>> err.field
    '--actor'
"""

from __future__ import annotations

from collections.abc import Sequence

from regionet.core.errors import (
    ConflictError,
    DataFileError,
    InvalidValueError,
    RegionetError,
    UnknownReferenceError,
    ValidationError,
)

__all__ = ["EXIT_CODES", "as_option", "exit_code"]

#: Exit code by error class, most specific first. 1 is any other regionet error.
EXIT_CODES: tuple[tuple[type[RegionetError], int], ...] = (
    (ConflictError, 5),
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


def as_option(error: RegionetError, argv: Sequence[str]) -> RegionetError:
    """Name ``error``'s field as the command-line option the user gave for it, if any."""
    if error.field:
        option = "--" + error.field.replace("_", "-")
        if any(arg == option or arg.startswith(option + "=") for arg in argv):
            error.field = option
    return error
