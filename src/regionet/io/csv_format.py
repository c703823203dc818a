r"""The CSV regionet reads and writes: RFC 4180, read strictly, written safe for spreadsheets.

**Reading** (:func:`parse_csv`) takes RFC 4180 as it is written — comma-separated cells; a
cell holding a comma, a quote or a line break is wrapped in double quotes and its quotes are
doubled (``""``) — and refuses what a lenient reader would guess at, because each such guess
has silently changed someone's data:

* a quote that is never closed (the rest of the file would vanish into one cell);
* text after a closing quote (``"abc"def``: a lenient reader drops the quotes);
* a quote inside a cell that is not quoted (``5" disk``);
* a row with fewer or more cells than the header (a lenient reader pads or drops them);
* a duplicate or empty column name, or a one-column header holding ``;`` or tabs (a file
  separated by something else than commas);
* a cell longer than :data:`FIELD_LIMIT` characters (the default limit of Python's ``csv``);
* NUL and other control characters (tab and line breaks excepted).

Each error names the file, the line and column (in characters, from 1) and, once data rows
have begun, the row number (data rows count from 1, the header is row 0) and column name.
Accepted as they come: CRLF, LF or CR line ends (mixed, even), and blank lines (skipped).
(The caller removes a UTF-8 byte-order mark, Excel's "CSV UTF-8".)

A well-formed file — checked by one regular expression for the grammar above — is read by
Python's C ``csv`` reader; anything else goes through a scanner that finds and names the
first fault. Both give the same rows for a well-formed file (a property test holds them to
it).

**Writing** (:func:`format_row`): RFC 4180 quoting, and a cell a spreadsheet would run as a
formula — one starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return, OWASP's
list [1]_ — gets a leading apostrophe (:func:`neutralise_formula`), unless it is a plain
number (``-5``, ``+1.5e3``), which no spreadsheet runs. Reading undoes exactly that
(:func:`restore_formula`): a cell of apostrophes followed by one of those characters loses
its first apostrophe. Writing also escapes a text that really begins that way (``'=x``
becomes ``''=x``), so every export reads back as it was.

References:
    .. [1] OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection

Examples:
    >>> header, rows = parse_csv('id,note\r\nt-1,"a, ""b"" c"\r\n\r\nt-2,\r\n', file="t.csv")
    >>> header, [(r.row, r.cells) for r in rows]
    (['id', 'note'], [(1, ['t-1', 'a, "b" c']), (2, ['t-2', ''])])
    >>> parse_csv('id,note\nt-1,"open\nt-2,x\n', file="t.csv")
    Traceback (most recent call last):
    ...
    regionet.core.errors.DataFileError: t.csv, row 1, field 'note': unbalanced quote at line 2, ...
    >>> print(format_row(["=HYPERLINK(1)", "-5", 'say "hi" now', "a,b"]), end="")
    '=HYPERLINK(1),-5,"say ""hi"" now","a,b"
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from regionet.core.errors import DataFileError

__all__ = ["CONTROL", "FIELD_LIMIT", "CsvRow", "format_row", "iter_csv", "neutralise_formula",
           "parse_csv", "position", "restore_formula"]

#: The most characters a cell may hold: ``csv.field_size_limit()``'s default (128 Ki), so
#: a file other tools read is read here too, and a runaway cell stops early.
FIELD_LIMIT = 131_072

_EXPECTED = ("RFC 4180 CSV: cells separated by commas; a cell holding a comma, a quote or a "
             "line break wrapped in double quotes, each quote inside it doubled (\"\")")
_CLOSE_HINT = "Close the quote opened there, or double it (\"\") if it belongs to the text"
_QUOTED = re.compile(r'"([^"]*+(?:""[^"]*+)*+)"')
_PLAIN = re.compile(r'[^,"\r\n]*+')
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: The characters no cell may hold: NUL and the other controls but tab, LF and CR.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FORMULA = re.compile(r"'*+[=+\-@\t\r]")
_ESCAPED_FORMULA = re.compile(r"'++[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def neutralise_formula(cell: str) -> str:
    """Return ``cell`` safe to open in a spreadsheet (see the module docstring).

    Examples:
        >>> [neutralise_formula(c) for c in ("@SUM(A1)", "'-x", "+3", "RU-KR", "")]
        ["'@SUM(A1)", "''-x", '+3', 'RU-KR', '']
    """
    if _FORMULA.match(cell) and not _NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def restore_formula(cell: str) -> str:
    """Undo :func:`neutralise_formula`: drop the first apostrophe of ``'+`` then ``=+-@``….

    Examples:
        >>> [restore_formula(c) for c in ("'@SUM(A1)", "''-x", "'t Hooft", "-5")]
        ['@SUM(A1)', "'-x", "'t Hooft", '-5']
    """
    return cell[1:] if _ESCAPED_FORMULA.match(cell) else cell


def format_row(cells: Sequence[str]) -> str:
    """Return one CSV line, newline-terminated: cells neutralised, then quoted if needed.

    Unlike ``csv.writer`` with a newline line terminator, a cell holding a lone carriage
    return is quoted too, so that it reads back as one cell.
    """
    out = []
    for cell in cells:
        cell = neutralise_formula(cell)
        out.append('"' + cell.replace('"', '""') + '"' if _NEEDS_QUOTES.search(cell) else cell)
    if len(out) == 1 and not out[0]:
        out[0] = '""'  # a lone empty cell would read as a blank line
    return ",".join(out) + "\n"


def position(text: str, offset: int) -> tuple[int, int]:
    r"""Return the 1-based (line, column) of ``offset`` in ``text`` (CRLF, LF or CR ends).

    Examples:
        >>> position("ab\r\ncd\ref", 8)
        (3, 2)
    """
    head = text[:offset]
    line = head.count("\n") + head.count("\r") - head.count("\r\n") + 1
    return line, offset - max(head.rfind("\n"), head.rfind("\r"))


def _show(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _end(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """End of ``pattern`` (one that matches the empty string) at ``pos``."""
    match = pattern.match(text, pos)
    return match.end() if match else pos


@dataclass(frozen=True)
class CsvRow:
    """A data row: its number (from 1) and its cells as written."""

    row: int
    cells: list[str]


class _Scanner:
    """Cuts the text into records, raising on the first thing that is not plain RFC 4180."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        self.pos = 0
        self.header: list[str] = []
        self.row = 0  # the data row being read; 0 while reading the header
        control = CONTROL.search(text)
        self.control = control.start() if control else len(text)

    def at(self, offset: int) -> str:
        line, column = position(self.text, offset)
        return f"line {line}, column {column}"

    def error(self, message: str, index: int, *, expected: str = _EXPECTED,
              hint: str | None = None) -> DataFileError:
        field = self.header[index] if self.row and index < len(self.header) else None
        return DataFileError(message, file=self.file, row=self.row or None, field=field,
                             expected=expected, hint=hint)

    def cell(self, index: int) -> tuple[str, bool]:
        """Read cell ``index`` of a record at ``self.pos``; return it and whether it was quoted."""
        text, start = self.text, self.pos
        if text.startswith('"', start):
            match = _QUOTED.match(text, start)
            if match is None:
                raise self.error(f"unbalanced quote at {self.at(start)}: it is never closed, so "
                                 "everything after it would be read into this one cell", index,
                                 hint=_CLOSE_HINT)
            body_start, body_end = match.span(1)
            self.check_length(body_start, body_end, index)
            end = match.end()
            if end < len(text) and text[end] not in ",\r\n":
                raise self.text_after_quote(start, end - 1, end, index)
            self.check_control(body_start, body_end, index)
            self.pos = end
            return match.group(1).replace('""', '"'), True
        end = _end(_PLAIN, text, start)
        if end < len(text) and text[end] == '"':
            raise self.error(f"stray quote at {self.at(end)}, inside a cell that does not "
                             "start with a quote", index,
                             hint="Wrap the whole cell in quotes, with no space before the "
                             "opening one, and double each quote inside it, e.g. "
                             "\"5\"\" disk\"")
        self.check_length(start, end, index)
        self.check_control(start, end, index)
        self.pos = end
        return text[start:end], False

    def text_after_quote(self, opened: int, closed: int, after: int, index: int
                         ) -> DataFileError:
        follows = _show(_LINE_BREAK.split(self.text[after:after + 41], 1)[0], 20)
        if position(self.text, opened)[0] == position(self.text, closed)[0]:
            return self.error(f"text after a closing quote: the quoted cell opened at "
                              f"{self.at(opened)} closes at {self.at(closed)}, and "
                              f"'{follows}' follows", index,
                              hint="A quote inside a cell must be doubled (\"\") and the "
                              "whole cell quoted")
        return self.error(f"unbalanced quote at {self.at(opened)}: the cell it opens runs to "
                          f"the quote at {self.at(closed)}, and '{follows}' follows", index,
                          hint=_CLOSE_HINT)

    def check_length(self, start: int, end: int, index: int) -> None:
        if end - start > FIELD_LIMIT:
            raise self.error(f"cell too long: the cell at {self.at(start)} holds "
                             f"{end - start:,} characters, more than the limit of "
                             f"{FIELD_LIMIT:,}", index,
                             expected=f"cells of at most {FIELD_LIMIT:,} characters",
                             hint="A cell this long is usually a quote left open; otherwise "
                             "keep the long text in a document and cite it")

    def check_control(self, start: int, end: int, index: int) -> None:
        if not start <= self.control < end:
            return
        char = self.text[self.control]
        nul = char == "\x00"
        raise self.error(f"{'NUL' if nul else 'control'} character U+{ord(char):04X} at "
                         f"{self.at(self.control)}", index,
                         expected="text without NUL or control characters (tab and line "
                         "breaks are fine)",
                         hint="A file full of NUL characters is usually UTF-16 ('Unicode "
                         "text'): save it as CSV UTF-8" if nul else None)

    def record(self) -> tuple[list[str], bool]:
        """Read one record; return its cells and whether it is a blank line."""
        cells: list[str] = []
        quoted = False
        text = self.text
        while True:
            value, was_quoted = self.cell(len(cells))
            cells.append(value)
            quoted = quoted or was_quoted
            if self.pos >= len(text):
                break
            if text[self.pos] == ",":
                self.pos += 1
                continue
            self.pos += 2 if text.startswith("\r\n", self.pos) else 1
            break
        return cells, len(cells) == 1 and not quoted and not cells[0].strip()


def _header(scanner: _Scanner, cells: list[str], start: int) -> list[str]:
    names = [c.strip() for c in cells]
    separator = next((sep for sep in (";", "\t") if len(names) == 1 and sep in names[0]), None)
    if separator is not None:
        shown = "';'" if separator == ";" else "tabs"
        raise scanner.error(f"the header is one column, '{_show(names[0])}': the file is "
                            f"separated by {shown}, not commas", 0,
                            expected="columns separated by commas",
                            hint="Save it as CSV with commas (Excel in some languages uses ';'; "
                            "choose 'CSV UTF-8 (comma delimited)')")
    first: dict[str, int] = {}
    for i, name in enumerate(names, start=1):
        if not name:
            raise scanner.error(f"empty column name: column {i} of the header (line "
                                f"{position(scanner.text, start)[0]}) has no name", 0,
                                expected="a name for every column")
        if name in first:
            raise scanner.error(f"duplicate column '{name}': columns {first[name]} and {i} of "
                                f"the header (line {position(scanner.text, start)[0]}) have the "
                                "same name, so one of them would be lost", 0,
                                expected="each column named once")
        first[name] = i
    return names


def _width_error(scanner: _Scanner, cells: list[str], start: int) -> DataFileError:
    width = len(scanner.header)
    if len(cells) < width:
        compared = "fewer"
        detail = "no cell for " + ", ".join(scanner.header[len(cells):])
    else:
        compared = "more"
        detail = "extra cell(s) " + ", ".join(f"'{_show(c, 20)}'" for c in cells[width:])
    return DataFileError(
        f"row has {compared} cells than the header: the row at line "
        f"{position(scanner.text, start)[0]} has {len(cells)}, the header {width} ({detail})",
        file=scanner.file, row=scanner.row,
        expected=f"{width} cells, as many as the header; an empty cell is nothing between two "
        "commas")


def _scan(text: str, file: str) -> tuple[list[str], list[CsvRow]]:
    """Read ``text`` cell by cell: slower than the ``csv`` module, but it names every fault."""
    scanner = _Scanner(text, file)
    rows: list[CsvRow] = []
    while scanner.pos < len(text):
        start = scanner.pos
        if scanner.header:
            scanner.row = len(rows) + 1
        cells, blank = scanner.record()
        if blank:
            continue
        if not scanner.header:
            scanner.header = _header(scanner, cells, start)
        elif len(cells) != len(scanner.header):
            raise _width_error(scanner, cells, start)
        else:
            rows.append(CsvRow(scanner.row, cells))
    if not scanner.header:
        raise DataFileError("the file is empty: no header row", file=file,
                            expected="a header row naming the columns, then one row per record")
    return scanner.header, rows


_CELL = r'(?:"[^"]*+(?:""[^"]*+)*+"|[^,"\r\n]*+)'
_WELL_FORMED = re.compile(rf"(?:{_CELL}(?:,{_CELL})*+(?:\r\n|\r|\n|\Z))*+")


def _fast(text: str) -> tuple[list[str], list[CsvRow]] | None:
    """Read a well-formed ``text`` with the C ``csv`` reader; None at the first doubt."""
    match = _WELL_FORMED.match(text)
    if match is None or match.end() < len(text) or CONTROL.search(text):
        return None
    header: list[str] = []
    rows: list[CsvRow] = []
    try:
        for cells in csv.reader(io.StringIO(text, newline=""), strict=True):
            if not cells:
                continue  # a blank line
            if len(cells) == 1 and not cells[0].strip():
                return None  # blank if it was not quoted: only the scanner can tell
            if max(map(len, cells)) > FIELD_LIMIT:
                return None
            if not header:
                header = [c.strip() for c in cells]
                if "" in header or len(set(header)) < len(header) or len(header) == 1:
                    return None
            elif len(cells) != len(header):
                return None
            else:
                rows.append(CsvRow(len(rows) + 1, cells))
    except csv.Error:
        return None
    return (header, rows) if header else None


def parse_csv(text: str, *, file: str) -> tuple[list[str], list[CsvRow]]:
    """Parse ``text`` (a CSV file's content, byte-order mark removed) strictly.

    Args:
        text: the decoded file.
        file: the file name used in error messages.

    Returns:
        The header (column names, stripped) and the data rows, blank lines skipped. Cells
        are as written: not stripped, apostrophes not restored.

    Raises:
        DataFileError: on the first departure from RFC 4180 listed in the module docstring,
            naming the file, line, column and, in data rows, the row and column name.
    """
    return _fast(text) or _scan(text, file)


def iter_csv(text: str, *, file: str) -> tuple[list[str], Iterator[CsvRow]]:
    """Like :func:`parse_csv`, but the data rows are produced one at a time.

    A file the grammar's regular expression accepts is read lazily by the C ``csv`` reader,
    so a file of millions of rows is never held as rows; at the first doubt (a blank
    one-cell row, an over-long cell, a row of the wrong width) the scanner reads the whole
    text and raises its located error, or, if the row was fine after all, the rows continue
    from the scanner's. The rows are the same as :func:`parse_csv`'s, in the same order.

    Raises:
        DataFileError: as :func:`parse_csv`; for a lazily read file, possibly while iterating.
    """
    match = _WELL_FORMED.match(text)
    if match is None or match.end() < len(text) or CONTROL.search(text):
        scanned = _scan(text, file)
        return scanned[0], iter(scanned[1])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] = []
    try:
        for cells in reader:
            if not cells:
                continue
            header = [c.strip() for c in cells]
            break
    except csv.Error:  # e.g. a cell over the C reader's limit: the scanner names it
        header = []
    if (not header or "" in header or len(set(header)) < len(header) or len(header) == 1
            or max(map(len, header)) > FIELD_LIMIT):
        scanned = _scan(text, file)
        return scanned[0], iter(scanned[1])

    def rows() -> Iterator[CsvRow]:
        number = 0
        while True:
            try:
                cells = next(reader, None)
            except csv.Error:
                cells = [""]  # the scanner raises the located error
            if cells is None:
                return
            if not cells:
                continue
            if ((len(cells) == 1 and not cells[0].strip()) or len(cells) != len(header)
                    or max(map(len, cells)) > FIELD_LIMIT):
                yield from _scan(text, file)[1][number:]  # raises, or the same rows
                return
            number += 1
            yield CsvRow(number, cells)

    return header, rows()
