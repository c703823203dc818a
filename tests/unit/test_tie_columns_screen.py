"""The fast ties path's byte screen for control characters agrees with the row reader's set.

:func:`regionet.storage.tie_columns._has_control` screens a file's bytes; the set it stands
for is :data:`regionet.storage.tie_columns._CONTROL`, the CSV reader's refused characters
(:data:`regionet.io.csv_format.CONTROL`).
Every character up to U+3000, alone and inside text, at a block's end, gets the same answer.
"""

from __future__ import annotations

import re

import pytest

from regionet.io.csv_format import CONTROL
from regionet.storage import tie_columns
from regionet.storage.tie_columns import _CONTROL, _has_control

#: The set in Python's ``re`` syntax (``\x{hh}`` -> ``\xhh``).
_REFUSED = re.compile(re.sub(r"\\x\{(..)\}", r"\\x\1", _CONTROL))


def _refused(text: str) -> bool:
    return _REFUSED.search(text) is not None


def test_the_set_is_the_csv_reader_s() -> None:
    assert _REFUSED.pattern == CONTROL.pattern


@pytest.mark.parametrize("where", ["alone", "inside"])
def test_every_character_gets_the_answer_of_the_set(where: str) -> None:
    for code in range(0x3000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        text = chr(code) if where == "alone" else f"ab,é{chr(code)}¡\r\n"
        assert _has_control(text.encode("utf-8")) is _refused(text), hex(code)


def test_a_control_split_across_blocks_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tie_columns, "_BLOCK", 4)
    for at in range(8):
        text = "x" * at + "\x85" + "y" * 5
        assert _has_control(text.encode("utf-8")), at
    assert not _has_control(("x" * 3 + "\u00a0" + "y" * 5).encode("utf-8"))
