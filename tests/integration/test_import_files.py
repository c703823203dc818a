"""Files a careless user would import (issue 9 item 8): refused with their place, or read exactly.

Every file in ``tests/data/bad/`` goes through the real ``regionet data validate`` and
``regionet data import`` (the CLI's ``main``, in-process; two also as a subprocess) and
through the service; each must be refused with its file, line or row, field, value and what
was expected, and leave the workspace byte-for-byte as it was. The files in
``tests/data/awkward/`` are odd but honest and must be read exactly.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from regionet.core.errors import DataFileError, InvalidValueError, ValidationError
from regionet.io.casefiles import load_case
from regionet.io.exports import export_case
from regionet.model.case import Case
from regionet.model.vocab import Vocabulary
from regionet.services import records
from regionet.services import workspace as service
from regionet.services.case_source import CaseSource
from regionet.storage import Workspace

DATA = Path(__file__).parents[1] / "data"
BAD = DATA / "bad"
AWKWARD = DATA / "awkward"
RFC = "RFC 4180 CSV: cells separated by commas"
JSON_VALUE = "a text, a number, true/false or null"
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class Bad:
    """What the one problem of a bad file must say."""

    file: str
    row: int | None
    field: str | None
    value: str | None
    message: str
    expected: str
    kind: type[Exception] = DataFileError


BAD_FILES = [
    Bad("unbalanced_quote_ties.csv", 1, "description", None,
        "unbalanced quote at line 2, column 75: it is never closed", RFC),
    Bad("quote_closed_rows_later_ties.csv", 1, "description", None,
        "unbalanced quote at line 2, column 75: the cell it opens runs to the quote at line 4, "
        "column 75, and 'Trade, transport\"' follows", RFC),
    Bad("text_after_closing_quote_ties.csv", 1, "description", None,
        "text after a closing quote: the quoted cell opened at line 2, column 75 closes at "
        "line 2, column 81, and ' monitoring' follows", RFC),
    Bad("stray_quote_in_cell_ties.csv", 1, "description", None,
        "stray quote at line 2, column 82, inside a cell that does not start with a quote", RFC),
    Bad("space_before_quote_ties.csv", 1, "description", None,
        "stray quote at line 2, column 76, inside a cell that does not start with a quote", RFC),
    Bad("duplicate_header_ties.csv", None, None, None,
        "duplicate column 'kind': columns 2 and 8 of the header (line 1)",
        "each column named once"),
    Bad("semicolon_separated_ties.csv", None, None, None,
        "the header is one column, 'id;kind;actors;start;end;domains;sources': the file is "
        "separated by ';', not commas", "columns separated by commas"),
    Bad("empty_column_name_ties.csv", None, None, None,
        "empty column name: column 4 of the header (line 1) has no name",
        "a name for every column"),
    Bad("field_over_128k_ties.csv", 1, "description", None,
        "cell too long: the cell at line 2, column 75 holds 131,073 characters, more than the "
        "limit of 131,072", "cells of at most 131,072 characters"),
    Bad("short_row_ties.csv", 2, None, None,
        "row has fewer cells than the header: the row at line 3 has 4, the header 8 (no "
        "cell for end, domains, sources, description)", "8 cells, as many as the header"),
    Bad("long_row_ties.csv", 1, None, None,
        "row has more cells than the header: the row at line 2 has 9, the header 8 (extra "
        "cell(s) ' transport')",
        "8 cells, as many as the header"),
    Bad("nul_byte_ties.csv", 1, "description", None,
        "NUL character U+0000 at line 2, column 80", "text without NUL or control characters"),
    Bad("utf16_ties.csv", None, None, None,
        "not UTF-8 text (invalid start byte): byte 0xFF at byte offset 0 (line 1, column 1)",
        "a UTF-8 encoded CSV file"),
    Bad("latin1_ties.csv", None, None, None,
        "not UTF-8 text (invalid continuation byte): byte 0xE9 at byte offset 131 (line 2, "
        "column 79)", "a UTF-8 encoded CSV file"),
    Bad("empty_file_ties.csv", None, None, None, "the file is empty: no header row",
        "a header row naming the columns"),
    Bad("bom_only_ties.csv", None, None, None, "the file is empty: no header row",
        "a header row naming the columns"),
    Bad("cyrillic_e_in_new_id_ties.csv", 1, "id", "t-no-pech\\u0435nganikel-pledge",
        "mixes Latin and Cyrillic letters: U+0435 CYRILLIC SMALL LETTER IE at position 10 "
        "looks like Latin 'e'", "an id typed with plain letters of one script",
        InvalidValueError),
    Bad("zero_width_space_in_new_id_ties.csv", 1, "id", "t-fi-kr-joint\\u200b-monitoring",
        "an invisible character, U+200B ZERO WIDTH SPACE at position 14",
        "an id typed with plain letters of one script", InvalidValueError),
    Bad("cyrillic_letter_in_actor_ties.csv", 1, "actors", "RU-\\u041aR",
        "mixes Latin and Cyrillic letters: U+041A CYRILLIC CAPITAL LETTER KA at position 4 "
        "looks like Latin 'K'", "an id typed with plain letters of one script",
        InvalidValueError),
    Bad("object_as_text_ties.json", 1, "description",
        '{"en": "Joint monitoring", "ru": "Совместный мониторинг"}',
        "a JSON object where a text is expected", JSON_VALUE, InvalidValueError),
    Bad("array_as_one_value_ties.json", 1, "kind", '["cooperation", "agreement"]',
        "a JSON array where one value is expected", JSON_VALUE, InvalidValueError),
    Bad("nested_list_ties.json", 1, "actors", '[["RU-KR"], "FI"]',
        "a JSON array or object inside a list", JSON_VALUE, InvalidValueError),
    Bad("duplicate_key_ties.json", 1, None, None,
        "duplicate key(s) kind in one object: JSON keeps only the last value",
        "each key once per object"),
    Bad("deeply_nested_ties.json", 1, None, None,
        "nested too deeply: at line 1, column 30 the nesting passes 4 levels",
        'a JSON array of objects, or {"data": [...]}'),
    Bad("nan_amount_ties.json", None, None, None,
        "not valid JSON (NaN is not a JSON number at line 1, column 80)",
        'a JSON array of objects, or {"data": [...]}'),
    Bad("nul_in_json_ties.json", 1, "description", '"Joint\\u0000monitoring"',
        "NUL character U+0000 at position 6", "text without NUL or control characters",
        InvalidValueError),
    Bad("row_not_object_ties.json", 2, None, None,
        'wrong JSON shape: row 2 is ["t-new-b", "cooperation", "RU-KR;FI"], not an object',
        'a JSON array of objects, or {"data": [...]}'),
]

#: The "Did you mean" of each lookalike: the existing id it resembles, and only that one.
SUGGESTIONS = {"cyrillic_e_in_new_id_ties.csv": "Did you mean t-no-pechenganikel-pledge?",
               "zero_width_space_in_new_id_ties.csv": "Did you mean t-fi-kr-joint-monitoring?",
               "cyrillic_letter_in_actor_ties.csv": "Did you mean RU-KR?"}


def digest(db: str) -> tuple[dict[str, int], str]:
    """Rows per table and a SHA-256 of every row of every table, read with SQLAlchemy."""
    engine = sa.create_engine(db if "://" in db else f"sqlite:///{db}",
                              poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        names = sorted(sa.inspect(conn).get_table_names())
        content = {n: sorted((tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{n}"')),
                             key=repr) for n in names}
    engine.dispose()
    return ({n: len(rows) for n, rows in content.items()},
            hashlib.sha256(repr(sorted(content.items())).encode()).hexdigest())


def raw_bytes(db: str) -> bytes:
    """The SQLite file's bytes (a server database has none: b"")."""
    return b"" if "://" in db else Path(db).read_bytes()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def pristine(request: pytest.FixtureRequest, new_workspace_url: Any) -> str:
    db = str(new_workspace_url(request, request.param))
    with Workspace(db) as ws:
        ws.init(load_case("russia-1990s"))
    return db


@pytest.fixture
def db(pristine: str, clone_workspace: Any) -> str:
    return str(clone_workspace(pristine))


@pytest.mark.parametrize("bad", BAD_FILES, ids=[b.file for b in BAD_FILES])
def test_bad_file_is_refused_with_its_place_and_nothing_is_written(
        bad: Bad, db: str, regionet_main: Callable[..., tuple[int, str, str]]) -> None:
    path = BAD / bad.file
    assert path.is_file()
    before, raw = digest(db), raw_bytes(db)
    for command in ("validate", "import"):
        code, out, err = regionet_main("data", command, str(path), "--db", str(db))
        assert (code, out) == (2, ""), err
        assert bad.message in err and "nothing was written" in err
        assert "Traceback" not in err
    for call in (service.validate_files, service.import_files):
        with pytest.raises(ValidationError) as info:
            call(db, [path])
        (problem,) = info.value.errors
        assert isinstance(problem, bad.kind)
        assert (Path(problem.file or "").name, problem.row, problem.field, problem.value) == (
            bad.file, bad.row, bad.field, bad.value)
        assert bad.message in problem.message
        assert problem.expected is not None and bad.expected in problem.expected
        if bad.file in SUGGESTIONS:
            assert problem.hint == SUGGESTIONS[bad.file]
    assert digest(db) == before
    assert raw_bytes(db) == raw


def test_every_bad_file_has_a_test() -> None:
    assert sorted(p.name for p in BAD.iterdir() if p.suffix in (".csv", ".json")) == sorted(
        b.file for b in BAD_FILES)


def test_a_bad_file_among_good_ones_stops_the_whole_batch(db: str) -> None:
    before = digest(db)
    with pytest.raises(ValidationError) as info:
        service.import_files(db, [AWKWARD / "excel_bom_ties.csv", BAD / "unbalanced_quote_ties.csv",
                                  AWKWARD / "bom_ties.json"])
    assert [Path(e.file or "").name for e in info.value.errors] == ["unbalanced_quote_ties.csv"]
    assert digest(db) == before


@pytest.mark.slow  # `regionet` in a subprocess
@pytest.mark.parametrize("name", ["unbalanced_quote_ties.csv", "latin1_ties.csv"])
def test_the_installed_command_refuses_too(name: str, db: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "regionet.interfaces.cli", "data", "import", str(BAD / name),
         "--db", str(db)], capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{name}: 1 problem(s) found; nothing was written" in result.stderr


# --- odd but honest files: read exactly --------------------------------------------------


def _ties(db: str) -> list[dict[str, object]]:
    return records.list_ties(CaseSource.workspace(db)).data


def imported(db: str, *names: str) -> dict[str, dict[str, object]]:
    """Import the awkward files; return the new ties by id (as the service shows them)."""
    before = {t["id"] for t in _ties(db)}
    service.import_files(db, [AWKWARD / n for n in names])
    return {t["id"]: t for t in _ties(db) if t["id"] not in before}


def test_excel_csv_utf8_with_byte_order_mark_and_crlf(db: str) -> None:
    ties = imported(db, "excel_bom_ties.csv")
    assert set(ties) == {"t-new-bom"}
    tie = ties["t-new-bom"]
    assert (tie["kind"], tie["actors"], tie["description"]) == (
        "cooperation", ["RU-KR", "FI"], "Saved by Excel as CSV UTF-8")


def test_json_with_byte_order_mark(db: str) -> None:
    ties = imported(db, "bom_ties.json")
    assert ties["t-new-bom-json"]["description"] == "JSON with a byte-order mark"


def test_mixed_line_ends_and_a_line_break_inside_a_cell(db: str) -> None:
    ties = imported(db, "mixed_line_ends_ties.csv")
    assert {k: t["description"] for k, t in ties.items()} == {
        "t-new-crlf": "CRLF line", "t-new-lf": "LF line", "t-new-cr": "Two lines\r\nin one cell"}


def test_header_only_file_imports_no_rows_and_says_so(
        db: str, regionet_main: Callable[..., tuple[int, str, str]]) -> None:
    before = digest(db)
    path = str(AWKWARD / "header_only_ties.csv")
    assert regionet_main("data", "validate", path, "--db", str(db))[:2] == (
        0, "Valid: no rows\n")
    assert regionet_main("data", "import", path, "--db", str(db))[:2] == (
        0, "Imported: no rows\n")
    assert digest(db) == before


def test_json_numbers_read_as_written(db: str) -> None:
    tie = imported(db, "numbers_ties.json")["t-new-numbers"]
    assert tie["description"] == "1.10"  # a JSON number where text is expected: its text
    assert tie["amount"] == {"value": 1000.0, "currency": "ECU", "year": 1998}


FORMULAS = {"t-new-hyperlink": '=HYPERLINK("http://example.org","click")',
            "t-new-cmd": "+cmd|' /C calc'!A0", "t-new-at": "@SUM(1+1)",
            "t-new-minus": "-5% in 1998", "t-new-quoted": "=1+2",
            "t-new-apostrophe": "'-' means none", "t-new-tab": "\tindented",
            "t-new-cr": "\rcarriage return", "t-new-equals": "=1+2 from JSON"}


def csv_cells(path: Path) -> list[list[str]]:
    """The cells of a CSV file as a spreadsheet receives them (standard ``csv`` module)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_formulas_are_stored_as_text_and_exported_neutralised(db: str, tmp_path: Path) -> None:
    ties = imported(db, "formulas_ties.csv", "formulas_ties.json")
    # Stored as written, except the leading apostrophe of the spreadsheet text marker.
    assert {k: t["description"] for k, t in ties.items()} == FORMULAS
    service.export_workspace(CaseSource.workspace(db), "csv", tmp_path / "out")
    rows = csv_cells(tmp_path / "out" / "ties.csv")
    column = rows[0].index("description")
    assert {r[0]: r[column] for r in rows if r[0] in FORMULAS} == {
        "t-new-hyperlink": "'" + FORMULAS["t-new-hyperlink"],
        "t-new-cmd": "'+cmd|' /C calc'!A0", "t-new-at": "'@SUM(1+1)",
        "t-new-minus": "'-5% in 1998", "t-new-quoted": "'=1+2",
        "t-new-apostrophe": "''-' means none", "t-new-tab": "'\tindented",
        "t-new-cr": "'\rcarriage return", "t-new-equals": "'=1+2 from JSON"}
    # Re-importing the export into a fresh workspace gives back exactly what was stored.
    fresh = tmp_path / "fresh.db"
    service.init_workspace(fresh)
    with (tmp_path / "new_ties.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(
            [rows[0], *(r for r in rows if r[0] in FORMULAS)])
    assert service.import_files(fresh, [tmp_path / "new_ties.csv"]) == {"ties": len(FORMULAS)}
    assert {t["id"]: t["description"] for t in _ties(fresh)
            if t["id"] in FORMULAS} == FORMULAS


def test_the_bundled_case_exports_no_formula_and_reimports_exactly(tmp_path: Path) -> None:
    case = load_case("russia-1990s")
    export_case(case, "csv", tmp_path / "out")
    paths = sorted((tmp_path / "out").rglob("*.csv"))
    starts = {cell[:1] for path in paths for row in csv_cells(path) for cell in row
              if not NUMBER.fullmatch(cell)}
    assert not starts & {"=", "+", "-", "@", "\t", "\r"}
    skeleton = Case(case.id, case.title, case.federation, {}, Vocabulary({}, {}), {}, {}, {})
    with Workspace(tmp_path / "skeleton.db") as ws:
        ws.init(skeleton)
        ws.import_files([p for p in paths if p.parent.name != "geo"
                         and p.name != "ties_classified.csv"])
        got = ws.load_case()
    assert (got.ties, got.observations, got.documents, got.vocab) == (
        case.ties, case.observations, case.documents, case.vocab)
