"""The strict CSV reader and the spreadsheet-safe writer: exact rows, faults and round trips."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regionet.core.errors import DataFileError
from regionet.io.csv_format import (
    FIELD_LIMIT,
    _fast,
    _scan,
    format_row,
    iter_csv,
    neutralise_formula,
    parse_csv,
    position,
    restore_formula,
)


def cells_of(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    header, rows = parse_csv(text, file="t.csv")
    return header, [(r.row, r.cells) for r in rows]


def fault(text: str) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        parse_csv(text, file="t.csv")
    return info.value


def test_rfc_4180_cells_line_ends_and_blank_lines() -> None:
    text = 'a,b,c\r\n1,"x, ""y""",\n\n  \r2,"two\r\nlines",z\r\n'
    assert cells_of(text) == (["a", "b", "c"], [
        (1, ["1", 'x, "y"', ""]), (2, ["2", "two\r\nlines", "z"])])


def test_header_names_are_trimmed_and_a_lone_quoted_empty_cell_is_a_row() -> None:
    assert cells_of(' a , b \n"",x\n') == (["a", "b"], [(1, ["", "x"])])
    assert fault('a,b\n""\n').message.startswith(
        "row has fewer cells than the header: the row at line 2 has 1, the header 2")


@pytest.mark.parametrize(("text", "row", "field", "message"), [
    ('a,b\n1,"open\n2,x\n', 1, "b", "unbalanced quote at line 2, column 3: it is never closed"),
    ('a,b\n1,"open\n2,"x"\n', 1, "b",
     "unbalanced quote at line 2, column 3: the cell it opens runs to the quote at line 3, "
     "column 3, and 'x\"' follows"),
    ('a,b\n1,"x"y\n', 1, "b", "text after a closing quote: the quoted cell opened at line 2, "
     "column 3 closes at line 2, column 5, and 'y' follows"),
    ('a,b\n1,x"y"\n', 1, "b", "stray quote at line 2, column 4, inside a cell"),
    ('a,b\n1, "x"\n', 1, "b", "stray quote at line 2, column 4, inside a cell"),
    ('a,"b\n', None, None, "unbalanced quote at line 1, column 3"),
    ('a,b\n1,2\n3,x\x00\n', 2, "b", "NUL character U+0000 at line 3, column 4"),
    ('a,b\n1,\x1b[0m\n', 1, "b", "control character U+001B at line 2, column 3"),
    ("a,b\n1,2\n3\n", 2, None, "row has fewer cells than the header: the row at line 3 has 1, "
     "the header 2 (no cell for b)"),
    ("a,b\n1,2,3,4\n", 1, None, "row has more cells than the header: the row at line 2 has 4, "
     "the header 2 (extra cell(s) '3', '4')"),
    ("a,b,a\n", None, None, "duplicate column 'a': columns 1 and 3 of the header (line 1)"),
    ("a,,b\n", None, None, "empty column name: column 2 of the header (line 1) has no name"),
    ("a\tb\n1\t2\n", None, None, "the header is one column, 'a\tb': the file is separated by "
     "tabs, not commas"),
    ("", None, None, "the file is empty: no header row"),
    ("\n\r\n  \n", None, None, "the file is empty: no header row"),
])
def test_each_fault_is_named_with_its_place(text: str, row: int | None, field: str | None,
                                            message: str) -> None:
    err = fault(text)
    assert (err.file, err.row, err.field) == ("t.csv", row, field)
    assert err.message.startswith(message), err.message


def test_cell_length_limit_is_the_csv_modules() -> None:
    assert csv.field_size_limit() == FIELD_LIMIT
    at_limit = "a,b\n1," + "x" * FIELD_LIMIT + "\n"
    assert cells_of(at_limit)[1][0][1][1] == "x" * FIELD_LIMIT
    for over in ("a,b\n1," + "x" * (FIELD_LIMIT + 1) + "\n",
                 'a,b\n1,"' + "x" * (FIELD_LIMIT + 1) + '"\n'):
        err = fault(over)
        assert (err.row, err.field) == (1, "b")
        assert "holds 131,073 characters, more than the limit of 131,072" in err.message
        # The lazy reader names the same cell (the C reader's own error is never shown),
        # in a data row after good rows and in the header.
        for text in (over, "a,b\n0,ok\n" + over[4:]):
            _header, rows = iter_csv(text, file="t.csv")
            with pytest.raises(DataFileError) as info:
                list(rows)
            assert "more than the limit of 131,072" in info.value.message
        with pytest.raises(DataFileError) as info:
            iter_csv("a," + "x" * (FIELD_LIMIT + 1) + "\n1,2\n", file="t.csv")
        assert (info.value.row, "more than the limit of 131,072" in info.value.message) == (
            None, True)


def test_position_counts_crlf_lf_and_cr_as_one_line_end_each() -> None:
    assert [position("a\r\nb\nc\rd", i) for i in (0, 3, 5, 7)] == [
        (1, 1), (2, 1), (3, 1), (4, 1)]


NUMBERS = ["-5", "+3", "-1.5e-3", "0", ".5", "12."]
FORMULAS = ["=1+2", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx", "-", "+", "=",
            "'=x", "''@y", "-inf", "- 5"]
PLAIN = ["RU-KR", "'t Hooft", "", "a=b", "' leading apostrophe", "1-2"]


def test_neutralise_exactly_the_formula_prefixes() -> None:
    assert [neutralise_formula(c) for c in NUMBERS + PLAIN] == NUMBERS + PLAIN
    assert [neutralise_formula(c) for c in FORMULAS] == ["'" + c for c in FORMULAS]
    assert [restore_formula(neutralise_formula(c)) for c in NUMBERS + PLAIN + FORMULAS] == (
        NUMBERS + PLAIN + FORMULAS)


def test_format_row_quotes_what_the_csv_module_quotes_and_lone_carriage_returns() -> None:
    cells = ["a", "b,c", 'say "hi"', "two\nlines", "", "é"]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    assert format_row(cells) == buf.getvalue()
    assert format_row(["a\rb", "x"]) == '"a\rb",x\n'
    assert format_row([""]) == '""\n'


TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters=(
    *map(chr, range(0, 9)), "\x0b", "\x0c", *map(chr, range(0x0E, 0x20)),
    *map(chr, range(0x7F, 0xA0)))), max_size=30)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(TEXT, min_size=3, max_size=3), max_size=6),
       ending=st.sampled_from(["\n", "\r\n", "\r"]))
def test_what_format_row_writes_reads_back_exactly_by_both_readers(
        rows: list[list[str]], ending: str) -> None:
    header = ["a", "b", "c"]
    text = "".join(format_row(r)[:-1] + ending for r in [header, *rows])
    scanned = _scan(text, "t.csv")
    assert scanned[0] == header
    assert [[restore_formula(c) for c in r.cells] for r in scanned[1]] == rows
    fast = _fast(text)
    assert fast is not None and fast == scanned


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.sampled_from(['a', ',', '"', "\n", "\r", " ", "\x00"]), max_size=40))
def test_fast_path_and_scanner_agree_or_the_scanner_names_the_fault(text: str) -> None:
    """On any text the fast reader either declines or gives the scanner's rows."""
    try:
        scanned = _scan(text, "t.csv")
    except DataFileError:
        assert _fast(text) is None
        return
    fast = _fast(text)
    assert fast is None or fast == scanned


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.sampled_from(['a', 'b', ',', '"', "\n", "\r", " ", "\x00"]),
                    max_size=40))
def test_the_lazy_reader_gives_the_strict_readers_rows_or_its_error(text: str) -> None:
    try:
        want = parse_csv(text, file="t.csv")
    except DataFileError as err:
        with pytest.raises(DataFileError) as info:
            header, rows = iter_csv(text, file="t.csv")
            list(rows)
        assert str(info.value) == str(err)
        return
    header, rows = iter_csv(text, file="t.csv")
    assert (header, list(rows)) == want
