"""One exception hierarchy for regionet, rooted at :class:`RegionetError`.

Every error subclasses the fitting built-in so callers can catch either. Messages name
the file, row, field and value at fault and say what was expected; interfaces map these
classes to exit codes and HTTP statuses in one place each.

Examples:
    >>> err = InvalidValueError("amount must be >= 0", file="ties.csv", row=3,
    ...                         field="amount", value="-5", expected="a non-negative number")
    >>> print(err)
    ties.csv, row 3, field 'amount', value '-5': amount must be >= 0 (expected a non-negative ...)
    >>> isinstance(err, ValueError)
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from difflib import get_close_matches
from typing import Any

__all__ = [
    "BusyError",
    "ConversionError",
    "DataFileError",
    "ErrorCollector",
    "InvalidValueError",
    "RegionetError",
    "UnknownActorError",
    "UnknownCurrencyError",
    "UnknownReferenceError",
    "ValidationError",
    "closest",
    "did_you_mean",
]


def closest(name: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """Return up to ``n`` names from ``choices`` that look like ``name``.

    Examples:
        >>> closest("RU-KRL", ["RU-KR", "RU-KL", "RU-MOW"])
        ['RU-KR', 'RU-KL']
    """
    return get_close_matches(name, list(choices), n=n, cutoff=0.6)


def did_you_mean(name: str, choices: Iterable[str], n: int = 3) -> str | None:
    """Return a "Did you mean …?" hint naming up to ``n`` close ``choices``, or None.

    The one format for every suggestion: the nearest names, best first, joined by ", ".

    Examples:
        >>> did_you_mean("RU-KRL", ["RU-KR", "RU-KRS", "RU-MOW"])
        'Did you mean RU-KR, RU-KRS?'
        >>> did_you_mean("RU-KRL", ["RU-KR", "RU-KRS"], n=1)
        'Did you mean RU-KR?'
        >>> did_you_mean("zzz", ["RU-KR"]) is None
        True
    """
    near = closest(name, choices, n=n)
    return f"Did you mean {', '.join(near)}?" if near else None


def _location(file: str | None, row: int | None, field: str | None, value: object) -> str:
    parts: list[str] = []
    if file:
        parts.append(str(file))
    if row is not None:
        parts.append(f"row {row}")
    if field:
        parts.append(f"field '{field}'")
    if value is not None:
        parts.append(f"value '{value}'")
    return ", ".join(parts)


class RegionetError(Exception):
    """Root of every error regionet raises on purpose.

    Args:
        message: what is wrong, in one sentence.
        file: the file (or table) the bad value came from, if any.
        row: 1-based data row number (the header is row 0), if any.
        field: the column or attribute name, if any.
        value: the offending value, if any.
        expected: what would have been accepted.
        hint: what the user can do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        field: str | None = None,
        value: object = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.field = field
        self.value = value
        self.expected = expected
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = _location(self.file, self.row, self.field, self.value)
        text = f"{where}: {self.message}" if where else self.message
        if self.expected:
            text += f" (expected {self.expected})"
        if self.hint:
            text += f". {self.hint}"
        return text

    def to_dict(self) -> dict[str, object]:
        """Return the error as a plain dict (for JSON output and problem+json)."""
        return {
            "type": type(self).__name__,
            "message": self.message,
            "file": self.file,
            "row": self.row,
            "field": self.field,
            "value": None if self.value is None else str(self.value),
            "expected": self.expected,
            "hint": self.hint,
            "detail": str(self),
        }


class InvalidValueError(RegionetError, ValueError):
    """A value has the wrong type, range or form."""


class UnknownReferenceError(RegionetError, LookupError):
    """A value names something (kind, domain, source, parameter) that does not exist."""


class UnknownActorError(UnknownReferenceError):
    """An actor id is not in the case or workspace."""


class UnknownCurrencyError(UnknownReferenceError):
    """A currency code is not in the rates table."""


class ConversionError(RegionetError, LookupError):
    """Money cannot be converted: no rate for that pair and year."""


class DataFileError(RegionetError, OSError):
    """A data file is missing, unreadable, or has the wrong columns."""


class BusyError(RegionetError):
    """The work cannot be taken now (a full queue); the same request may succeed later."""


class AuthenticationError(RegionetError):
    """No credentials, or credentials that name no active account (HTTP 401)."""


class PermissionDeniedError(RegionetError):
    """The account's role does not allow the action (HTTP 403)."""


class ConflictError(RegionetError):
    """The change cannot be made in the record's current state (HTTP 409).

    ``current`` is the record as it is now (or None), ``etag`` its entity tag.
    """

    def __init__(self, message: str, *, current: object = None, etag: str | None = None,
                 **where: object) -> None:
        self.current = current
        self.etag = etag
        super().__init__(message, **where)  # type: ignore[arg-type]


class PreconditionFailedError(ConflictError):
    """An ``If-Match`` entity tag that is not the record's current one (HTTP 412)."""


class PreconditionRequiredError(RegionetError):
    """A change of an existing record sent without ``If-Match`` (HTTP 428)."""


class ValidationError(RegionetError, ValueError):
    """Several problems found while validating a batch; nothing was written.

    Examples:
        >>> e = ValidationError.from_errors([InvalidValueError("bad", row=1)])
        >>> e.errors[0].row
        1
    """

    errors: list[RegionetError]

    @classmethod
    def from_errors(cls, errors: list[RegionetError], limit: int = 20,
                    consequence: str = "nothing was written", *, what: str | None = None
                    ) -> ValidationError:
        """Bundle ``errors`` into one exception whose message lists the first ``limit``.

        ``what`` names what was validated ("N problem(s) in the parameters; …"); without it
        the message reads "N problem(s) found; …".
        """
        lines = [str(e) for e in errors[:limit]]
        more = len(errors) - limit
        if more > 0:
            lines.append(f"... and {more} more")
        first = errors[0] if errors else None
        exc = cls(
            f"{len(errors)} problem(s) {'in ' + what if what else 'found'}; {consequence}:\n  - "
            + "\n  - ".join(lines),
            file=first.file if first else None,
        )
        exc.errors = list(errors)
        return exc

    def to_dict(self) -> dict[str, object]:
        """Return the error with each problem as its own dict."""
        out = super().to_dict()
        out["errors"] = [e.to_dict() for e in self.errors]
        return out


class ErrorCollector:
    """Collects every problem of a batch while validating it, then raises them once.

    One collector serves every reader that must report *all* problems at once (case files,
    imports, parameters, scenarios, economy assumptions) instead of stopping at the first.

    Args:
        what: what is being validated, for the message ("the parameters"); None for the
            import style "N problem(s) found; nothing was written".
        consequence: what the caller did not do because of the problems.
        wrap_single: raise a single problem wrapped in a :class:`ValidationError` (True) or as
            itself (False, so that a lone bad value keeps its own exception type).
        limit: problems listed in the message (all are kept in ``errors``).

    Examples:
        >>> c = ErrorCollector("the parameters", consequence="nothing was loaded")
        >>> c.fail("bad status", field="r.status", value="guess", expected="verified")
        >>> with c.catching():
        ...     raise UnknownReferenceError("unknown parameter", value="r.x")
        >>> len(c), bool(c)
        (2, True)
        >>> c.raise_if_any()
        Traceback (most recent call last):
        ...
        regionet.core.errors.ValidationError: 2 problem(s) in the parameters; nothing was loaded:
          - field 'r.status', value 'guess': bad status (expected verified)
          - value 'r.x': unknown parameter
    """

    def __init__(self, what: str | None = None, *, consequence: str = "nothing was written",
                 wrap_single: bool = True, limit: int = 20) -> None:
        self.what, self.consequence = what, consequence
        self.wrap_single, self.limit = wrap_single, limit
        self.errors: list[RegionetError] = []

    def __len__(self) -> int:
        return len(self.errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def add(self, error: RegionetError) -> None:
        """Keep ``error``."""
        self.errors.append(error)

    def extend(self, errors: Iterable[RegionetError]) -> None:
        """Keep every error of ``errors``."""
        self.errors.extend(errors)

    def fail(self, message: str, *, kind: type[RegionetError] | None = None,
             **fields: Any) -> None:
        """Keep a new error of ``kind`` (default :class:`InvalidValueError`) with ``fields``."""
        self.errors.append((kind or InvalidValueError)(message, **fields))

    @contextmanager
    def catching(self) -> Iterator[None]:
        """Keep a :class:`RegionetError` raised inside the block instead of propagating it."""
        try:
            yield
        except RegionetError as err:
            self.errors.append(err)

    def raise_if_any(self) -> None:
        """Raise nothing, or the problems: one :class:`ValidationError` listing all of them."""
        if not self.errors:
            return
        if len(self.errors) == 1 and not self.wrap_single:
            raise self.errors[0]
        raise ValidationError.from_errors(self.errors, self.limit, self.consequence,
                                          what=self.what)
