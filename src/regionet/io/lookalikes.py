r"""Ids that only look right: invisible characters, compatibility forms, Cyrillic or Greek letters.

A Cyrillic ``е`` typed for a Latin ``e``, or a zero-width space pasted from a web page, makes
an id that looks exactly like another but never matches it: a new tie id would sit beside the
tie it was meant to be, a reference would point nowhere. :class:`IdScreen` refuses such ids
and names the character; :func:`skeleton` gives the text as it looks (NFKC-normalised,
invisible characters dropped, Cyrillic and Greek lookalikes mapped to Latin), which finds the
existing id it resembles.

The lookalike map is a subset of Unicode's confusables (UTS #39 [1]_): the Cyrillic and Greek
letters drawn like a Latin letter in ordinary fonts.

References:
    .. [1] Unicode Technical Standard #39, "Unicode Security Mechanisms", section 4
       (confusable detection), https://www.unicode.org/reports/tr39/

Examples:
    >>> skeleton("t-kr-mur\u200b"), skeleton("R\u0415-KR"), skeleton("\uff52u-kr")
    ('t-kr-mur', 'RE-KR', 'ru-kr')
    >>> print(IdScreen(["t-pledge"]).check("t-pl\u0435dge", field="id"))
    field 'id', value 't-pl\u0435dge': mixes Latin and Cyrillic letters: U+0435 CYRILLIC ... 'e' ...
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Mapping

from regionet.core.errors import InvalidValueError, did_you_mean
from regionet.io.records import ID_COLUMNS, LIST_COLUMNS

__all__ = ["IdScreen", "screen_row", "skeleton", "suspicious_characters"]

#: Cyrillic and Greek letters drawn like a Latin letter (a subset of UTS #39 confusables).
_LOOKALIKES = str.maketrans({
    # Cyrillic, small and capital
    "а": "a", "в": "B", "г": "r", "е": "e", "ѕ": "s", "і": "i", "ј": "j", "к": "k", "м": "M",
    "н": "H", "о": "o", "п": "n", "р": "p", "с": "c", "т": "T", "у": "y", "х": "x", "ь": "b",
    "һ": "h", "ӏ": "l", "ү": "y", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "А": "A", "В": "B", "Е": "E", "З": "3", "Ѕ": "S", "І": "I", "Ј": "J", "К": "K", "М": "M",
    "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ь": "b", "Һ": "H",
    "Ӏ": "I", "Ү": "Y", "Ԛ": "Q", "Ԝ": "W",
    # Greek, small and capital
    "α": "a", "γ": "y", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "υ": "u",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
})
#: Characters shown as nothing that are not format characters (Unicode's Default_Ignorable
#: code points outside category Cf: fillers, variation selectors, the grapheme joiner).
_IGNORABLE = frozenset([0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x3164, 0xFFA0,
                        *range(0x180B, 0x1810), *range(0xFE00, 0xFE10),
                        *range(0xE0100, 0xE01F0)])
_CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in ("Cf", "Cc", "Zl", "Zp") or ord(char) in _IGNORABLE


def _script(char: str) -> str | None:
    if not unicodedata.category(char).startswith("L"):
        return None
    return unicodedata.name(char, "").split(" ", 1)[0] or None


def skeleton(text: str) -> str:
    """Return ``text`` as it looks: NFKC, invisible characters dropped, lookalikes made Latin.

    Examples:
        >>> skeleton("\u0420\u0423-\u041a\u0420")  # all four letters Cyrillic
        'PY-KP'
    """
    visible = "".join(c for c in unicodedata.normalize("NFKC", text) if not _invisible(c))
    return visible.translate(_LOOKALIKES)


def _name(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED')}"


def suspicious_characters(text: str) -> tuple[str, list[int]] | None:
    """Describe what makes ``text`` look like something it is not, with the positions.

    Returns:
        None for a clean text; else a one-line description of the first fault (invisible
        characters first, then variant forms, then a second script) and the 0-based
        positions of every character at fault.

    Examples:
        >>> suspicious_characters("RU-KR") is None, suspicious_characters("\u0442-\u043a\u0440")
        (True, None)
        >>> suspicious_characters("t-kr\u200b")
        ('an invisible character, U+200B ZERO WIDTH SPACE at position 5', [4])
    """
    hidden = [i for i, c in enumerate(text) if _invisible(c)]
    changed = [i for i, c in enumerate(text)
               if i not in hidden and unicodedata.normalize("NFKC", c) != c]
    scripts = {i: _script(c) for i, c in enumerate(text)}
    used = {s for s in scripts.values() if s in _CONFUSABLE_SCRIPTS}
    main = "LATIN" if "LATIN" in used else min(used, default="")
    odd = [i for i, s in scripts.items() if s in used and s != main]
    every = sorted({*hidden, *changed, *odd})
    if hidden:
        char = text[hidden[0]]
        return (f"an invisible character, {_name(char)} at position {hidden[0] + 1}"
                + (f" (and {len(hidden) - 1} more)" if len(hidden) > 1 else ""), every)
    if changed:
        char = text[changed[0]]
        return (f"{_name(char)} at position {changed[0] + 1}, a variant form of "
                f"'{unicodedata.normalize('NFKC', char)}'", every)
    if not odd:
        return None
    char = text[odd[0]]
    looks = char.translate(_LOOKALIKES)
    others = " and ".join(s.capitalize() for s in sorted(used - {main}))
    return (f"mixes {main.capitalize()} and {others} letters: {_name(char)} at position "
            f"{odd[0] + 1}" + (f" looks like Latin '{looks}'" if looks != char else ""), every)


def _escaped(text: str, positions: Iterable[int]) -> str:
    marked = set(positions)
    return "".join(f"\\u{ord(c):04x}" if i in marked else c for i, c in enumerate(text))


def _plain(text: str) -> bool:
    """True for printable ASCII: such a text is its own skeleton and never suspicious."""
    return text.isascii() and text.isprintable()


class IdScreen:
    """Checks ids against a set of known ids for invisible, variant and lookalike characters.

    A plain id (printable ASCII) costs two lookups: it can only resemble a known id that is
    not plain, and only those are skeletonised up front.

    Args:
        known: the ids the checked ones may resemble (the workspace's and the batch's); with
            ``contains``, at least every known id that is not printable ASCII.
        contains: whether an id not in ``known`` is known all the same (e.g. a query of the
            workspace's plain ids, too many to hold).
        near: the known ids to suggest for a text with no twin (default: all of ``known``).

    Examples:
        >>> screen = IdScreen(["\u0420\u0423-\u041a\u0420"], contains={"RU-KR"}.__contains__)
        >>> screen.check("RU-KR") is None, screen.check("t-new") is None
        (True, True)
        >>> print(screen.check("PY-KP"))
        value 'PY-KP': looks exactly like the existing id '\u0420\u0423-\u041a\u0420' but is ...
    """

    def __init__(self, known: Iterable[str], *, contains: Callable[[str], bool] | None = None,
                 near: Callable[[str], Iterable[str]] | None = None) -> None:
        self.known = sorted(set(known))
        self._known = set(self.known)
        self._contains = contains
        self._near = near
        self._by_look: dict[str, list[str]] = {}
        for name in self.known:
            if not _plain(name):
                self._by_look.setdefault(skeleton(name), []).append(name)

    @property
    def plain_only(self) -> bool:
        """True when every known id is plain: then every plain id passes."""
        return not self._by_look

    def _has(self, text: str) -> bool:
        return text in self._known or (self._contains is not None and self._contains(text))

    def check(self, text: str, *, file: str | None = None, row: int | None = None,
              field: str | None = None) -> InvalidValueError | None:
        """Return the error for ``text``, or None when it is clean and resembles no other id.

        An id that is itself known is clean. Otherwise it is refused if it holds an invisible
        character, a compatibility variant (full-width letters, ligatures, non-breaking
        spaces), letters of two of the Latin, Cyrillic and Greek scripts, or looks exactly
        like a known id. The hint names the known id it resembles.
        """
        if not text:
            return None
        if _plain(text):  # its own skeleton: only a known id that is not plain can look alike
            twins = [k for k in self._by_look.get(text, ()) if k != text]
            if not twins or self._has(text):
                return None
            look, found = text, None
        else:
            if self._has(text):
                return None
            look = skeleton(text)
            found = suspicious_characters(text)
            twins = sorted({*(k for k in self._by_look.get(look, ()) if k != text),
                            *([look] if look != text and _plain(look) and self._has(look)
                              else [])})
            if found is None and not twins:
                return None
        if found is None:
            message = f"looks exactly like the existing id '{twins[0]}' but is not the same text"
            shown = text
        else:
            message, positions = found
            shown = _escaped(text, positions)
        choices = twins or (self._near(look) if self._near is not None else self.known)
        # A twin drawn in another script shares no letter with the text: name it all the same.
        hint = did_you_mean(look, choices) or (
            f"Did you mean {', '.join(twins[:3])}?" if twins else
            "Type it again with the letters of one script and no invisible characters"
            + (f" (perhaps '{look}')" if look != text else ""))
        return InvalidValueError(message, file=file, row=row, field=field, value=shown,
                                 expected="an id typed with plain letters of one script",
                                 hint=hint)


def screen_row(screens: Mapping[str, IdScreen], table: str, row: Mapping[str, str], *,
               file: str | None = None, row_number: int | None = None
               ) -> list[InvalidValueError]:
    """Return an error for each id cell of a ``table`` row holding invisible or lookalike text.

    ``screens`` maps each kind of id (a table of :data:`~regionet.io.records.ID_COLUMNS`) to
    its screen; list cells are checked item by item (the first bad item of a cell is named),
    ``sources`` by the document before each ``:``.

    Examples:
        >>> screens = {k: IdScreen(["RU-KR", "sergounin-1999"]) for k in
        ...            ("ties", "tie_kinds", "actors", "domains", "documents")}
        >>> [e.field for e in screen_row(screens, "ties", {
        ...     "id": "t-1", "kind": "loan", "actors": "RU-KR; RU-\u041aR", "sources": "x:y"})]
        ['actors']
    """
    problems: list[InvalidValueError] = []
    for column, kind in ID_COLUMNS[table].items():
        cell = row.get(column, "")
        screen = screens[kind]
        if screen.plain_only and _plain(cell):
            continue
        items = cell.split(";") if column in LIST_COLUMNS else [cell]
        if column == "sources":
            items = [item.partition(":")[0] for item in items]
        for item in items:
            error = screen.check(item.strip(), file=file, row=row_number, field=column)
            if error is not None:
                problems.append(error)
                break
    return problems
