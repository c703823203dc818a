"""Ids that only look right: each kind of lookalike is named, and the id it resembles suggested."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regionet.io.lookalikes import IdScreen, skeleton, suspicious_characters

KNOWN = ["RU-KR", "RU-KRS", "t-no-pechenganikel-pledge", "environment", "sergounin-1999"]


@pytest.mark.parametrize(("text", "message", "shown", "hint"), [
    ("t-no-pech\u0435nganikel-pledge",
     "mixes Latin and Cyrillic letters: U+0435 CYRILLIC SMALL LETTER IE at position 10 looks "
     "like Latin 'e'", "t-no-pech\\u0435nganikel-pledge",
     "Did you mean t-no-pechenganikel-pledge?"),
    ("RU-\u041aR", "mixes Latin and Cyrillic letters: U+041A CYRILLIC CAPITAL LETTER KA at "
     "position 4 looks like Latin 'K'", "RU-\\u041aR", "Did you mean RU-KR?"),
    ("envir\u03bfnment", "mixes Latin and Greek letters: U+03BF GREEK SMALL LETTER OMICRON at "
     "position 6 looks like Latin 'o'", "envir\\u03bfnment", "Did you mean environment?"),
    ("RU-KR\u200b", "an invisible character, U+200B ZERO WIDTH SPACE at position 6",
     "RU-KR\\u200b", "Did you mean RU-KR?"),
    ("\u2060RU-KR\u00ad", "an invisible character, U+2060 WORD JOINER at position 1 (and 1 "
     "more)", "\\u2060RU-KR\\u00ad", "Did you mean RU-KR?"),
    ("RU-KR\ufe0f", "an invisible character, U+FE0F VARIATION SELECTOR-16 at position 6",
     "RU-KR\\ufe0f", "Did you mean RU-KR?"),
    ("\uff32U-KR", "U+FF32 FULLWIDTH LATIN CAPITAL LETTER R at position 1, a variant form of "
     "'R'", "\\uff32U-KR", "Did you mean RU-KR?"),
    ("sergounin\u20111999", "U+2011 NON-BREAKING HYPHEN at position 10, a variant form of "
     "'\u2010'", "sergounin\\u20111999", "Did you mean sergounin-1999?"),
    ("t-ж-new", "mixes Latin and Cyrillic letters: U+0436 CYRILLIC SMALL LETTER ZHE at "
     "position 3", "t-\\u0436-new",
     "Type it again with the letters of one script and no invisible characters"),
    ("t-nеw​-tie", "an invisible character, U+200B ZERO WIDTH SPACE at position 6",
     "t-n\\u0435w\\u200b-tie", "Type it again with the letters of one script and no "
     "invisible characters (perhaps 't-new-tie')"),
])
def test_lookalike_is_refused_naming_the_character(text: str, message: str, shown: str,
                                                   hint: str) -> None:
    err = IdScreen(KNOWN).check(text, file="ties.csv", row=3, field="id")
    assert err is not None
    assert (err.file, err.row, err.field, err.value, err.hint) == ("ties.csv", 3, "id", shown,
                                                                   hint)
    assert err.message == message


def test_whole_script_twin_of_an_existing_id_is_refused() -> None:
    twin = "\u0420\u0423-\u041a\u0420"  # РУ-КР: all Cyrillic, no mixing, looks like "PY-KP"
    screen = IdScreen(["PY-KP", "RU-KR"])
    err = screen.check(twin, field="id")
    assert err is not None and err.message == (
        "looks exactly like the existing id 'PY-KP' but is not the same text")
    assert err.hint == "Did you mean PY-KP?"


@pytest.mark.parametrize("text", ["RU-KR", "t-new-tie", "Карелия", "Κρήτη", "", "doc 2",
                                  "t-日本", "CN-HL"])
def test_clean_and_single_script_ids_pass(text: str) -> None:
    assert IdScreen(KNOWN).check(text) is None


def test_skeleton_and_suspicious_characters() -> None:
    assert skeleton("t-pl\u0435dge\u200b") == "t-pledge"
    assert skeleton("\ufb01nland") == "finland"  # the fi ligature
    assert suspicious_characters("Карелия") is None
    assert suspicious_characters("RU-K\u0420") == (
        "mixes Latin and Cyrillic letters: U+0420 CYRILLIC CAPITAL LETTER ER at position 5 "
        "looks like Latin 'P'", [4])


# Letters that look alike across scripts, invisible and variant characters, plain ASCII.
_ALPHABET = ["a", "e", "K", "P", "-", "1", "\u0430", "\u0435", "\u041a", "\u0420", "\u03bf",
             "\u200b", "\uff45", "\u00e9"]
_IDS = st.text(st.sampled_from(_ALPHABET), min_size=1, max_size=4)


@settings(max_examples=400, deadline=None)
@given(known=st.lists(_IDS, max_size=8), text=_IDS)
def test_a_screen_holding_only_the_unusual_ids_decides_as_one_holding_all(
        known: list[str], text: str) -> None:
    """The workspace's plain ids may stay in the database: membership and hints are queried."""
    whole = IdScreen(known)
    plain = {k for k in known if k.isascii() and k.isprintable()}
    asked: list[str] = []

    def contains(candidate: str) -> bool:
        asked.append(candidate)
        return candidate in plain

    lazy = IdScreen([k for k in known if k not in plain], contains=contains,
                    near=lambda _look: sorted(set(known)))
    want, got = whole.check(text, field="id"), lazy.check(text, field="id")
    assert (None if want is None else str(want)) == (None if got is None else str(got))
    if text.isascii() and whole.plain_only:
        assert got is None and asked == []  # a plain id, nothing unusual known: no query


def test_a_plain_id_is_checked_with_lookups_only() -> None:
    screen = IdScreen(["RU-KR", "\u0420\u0423"])  # РУ: its skeleton is "PY"
    assert not screen.plain_only and IdScreen(["RU-KR"]).plain_only
    assert screen.check("RU-KR") is None and screen.check("t-new") is None
    err = screen.check("PY")
    assert err is not None and err.hint == "Did you mean \u0420\u0423?"
