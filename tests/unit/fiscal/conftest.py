"""The one assertion of a whole error for the fiscal engine's tests (issue 7).

Mutation samples of ``engines/fiscal`` found that most surviving mutants were errors checked
only in part (``pytest.raises(..., match=...)`` on a fragment). :func:`raises_exactly`
checks all of an error at once: its exact class, message, file, row, field, value (and the
value's type: ``-3.0`` is not ``-3``, a NumPy scalar is not a Python number), expected text
and hint; a field a test does not name must be None. With ``text`` it also checks
``str(err)``, the line a user reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from regionet.core.errors import RegionetError, ValidationError


def _nan_free(value: Any) -> Any:
    """NaN as a text, so that an expected NaN compares equal (``nan != nan``)."""
    return "<NaN>" if isinstance(value, float) and value != value else value


def _raises_exactly(call: Callable[[], object], kind: type[RegionetError], message: str, *,
                    file: str | None = None, row: int | None = None, field: str | None = None,
                    value: Any = None, expected: str | None = None, hint: str | None = None,
                    text: str | None = None) -> RegionetError:
    """Call ``call``, require it to raise exactly ``kind`` with these fields; return it."""
    with pytest.raises(RegionetError) as info:
        call()
    err = info.value
    got = {"type": type(err), "message": err.message, "file": err.file, "row": err.row,
           "field": err.field, "value": _nan_free(err.value), "value_type": type(err.value),
           "expected": err.expected, "hint": err.hint}
    want = {"type": kind, "message": message, "file": file, "row": row, "field": field,
            "value": _nan_free(value), "value_type": type(value), "expected": expected,
            "hint": hint}
    assert got == want
    if text is not None:
        assert str(err) == text
    return err


@pytest.fixture
def raises_exactly() -> Callable[..., RegionetError]:
    """:func:`_raises_exactly`: assert a whole error (class, message, every field)."""
    return _raises_exactly


def _problems_exactly(call: Callable[[], object], *problems: tuple[object, ...],
                      heading: str | None = None) -> ValidationError:
    """Require ``call`` to raise a :class:`ValidationError` of exactly these ``problems``.

    Each problem is ``(class, message, file, row, field, value, expected, hint)``, in order;
    with ``heading``, the first line of the message ("2 problem(s) in …") is checked too.
    """
    with pytest.raises(ValidationError) as info:
        call()
    err = info.value
    assert type(err) is ValidationError
    got = [(type(e), e.message, e.file, e.row, e.field, _nan_free(e.value), e.expected, e.hint)
           for e in err.errors]
    assert got == [(*p[:5], _nan_free(p[5]), *p[6:]) for p in problems]
    assert [type(e.value) for e in err.errors] == [type(p[5]) for p in problems]
    if heading is not None:
        assert err.message.splitlines()[0] == heading
    return err


@pytest.fixture
def problems_exactly() -> Callable[..., ValidationError]:
    """:func:`_problems_exactly`: assert every problem of a validation, whole and in order."""
    return _problems_exactly
