"""A CSV file parsed in pieces is the table pyarrow reads whole, or None (then read whole)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regionet.io import csv_pieces, input_tables
from regionet.io.csv_pieces import cut_points, read_pieces
from regionet.io.input_tables import open_table

TYPES = pacsv.ConvertOptions(
    include_columns=["firm_id", "region", "headcount", "assets"],
    column_types={"firm_id": pa.string(), "region": pa.dictionary(pa.int32(), pa.string())})


def _file(tmp_path: Path, body: bytes, name: str = "e.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(body)
    return path


def _rows(n: int, *, quoted: bool = False, crlf: bool = False) -> bytes:
    q = '"' if quoted else ""
    end = "\r\n" if crlf else "\n"
    return "".join(f"{q}{i:010d}{q},{q}RU-{i % 7}{q},{i % 13},{i * 0.5}{end}"
                   for i in range(n)).encode()


@pytest.mark.parametrize(("head", "body", "tail"), [
    (b"firm_id,region,headcount,assets\n", _rows(500), b""),
    (b'"firm_id","region","headcount","assets"\r\n', _rows(500, quoted=True, crlf=True), b""),
    (b"\xef\xbb\xbffirm_id,region,headcount,assets\n", _rows(500), b""),     # a BOM
    (b"firm_id,region,headcount,assets\n", _rows(500), b"9999999999,RU-1,3,4.5"),  # no LF
    (b"firm_id,region,headcount,assets\n", _rows(200) + b"\n\n" + _rows(200), b""),  # blank
    (b"firm_id,region,headcount,assets,sales\n",  # a column that is not kept
     b"".join(line + b",1\n" for line in _rows(300).splitlines()), b""),
])
@pytest.mark.parametrize("pieces", [1, 2, 7, 64])
def test_the_pieces_are_the_whole_read(tmp_path: Path, head: bytes, body: bytes, tail: bytes,
                                       pieces: int) -> None:
    path = _file(tmp_path, head + body + tail)
    whole = pacsv.read_csv(path, convert_options=TYPES)
    got = read_pieces(path, TYPES, pieces=pieces)
    assert got is not None
    assert got.num_rows == whole.num_rows
    assert got.column_names == whole.column_names
    for name in whole.column_names:  # dictionaries may differ by piece: compare the values
        assert got.column(name).to_pylist() == whole.column(name).to_pylist(), name


def test_a_bad_row_in_a_later_piece_reads_the_file_whole(tmp_path: Path) -> None:
    """A piece that does not parse gives None: the whole read reports the error, as before."""
    body = _rows(400) + b"1,2\n" + _rows(400)
    path = _file(tmp_path, b"firm_id,region,headcount,assets\n" + body)
    assert read_pieces(path, TYPES, pieces=4) is None
    with pytest.raises(pa.ArrowInvalid):
        pacsv.read_csv(path, convert_options=TYPES)


@settings(max_examples=60, deadline=None)
@given(cells=st.lists(st.tuples(st.text("ab\n,\" ", max_size=5), st.integers(0, 99)),
                      min_size=1, max_size=40),
       pieces=st.integers(1, 12))
def test_quoted_line_feeds_never_give_another_table(tmp_path_factory: pytest.TempPathFactory,
                                                    cells: list[tuple[str, int]],
                                                    pieces: int) -> None:
    """Cells with quotes, commas and line feeds inside quotes: a cut may fall inside a
    quoted cell; the pieces then give the whole read's table or None, never another one."""
    lines = ["firm_id,headcount"] + [
        '"' + text.replace('"', '""') + f'",{number}' for text, number in cells]
    path = _file(tmp_path_factory.mktemp("q"), ("\n".join(lines) + "\n").encode())
    convert = pacsv.ConvertOptions(column_types={"firm_id": pa.string()})
    try:
        whole = pacsv.read_csv(path, convert_options=convert)
    except pa.ArrowInvalid:
        whole = None
    got = read_pieces(path, convert, pieces=pieces)
    if got is not None:
        assert whole is not None
        assert got.to_pydict() == whole.to_pydict()


def test_cuts_fall_after_line_feeds_and_never_repeat() -> None:
    data = np.frombuffer(b"head\n" + b"x" * 50 + b"\n" + b"yy\n" * 10, dtype=np.uint8)
    cuts = cut_points(data, 5, 6)
    assert cuts[0] == 5 and cuts[-1] == len(data)
    assert all(data[c - 1] == 10 for c in cuts[1:-1])
    assert cuts == sorted(set(cuts))


def test_a_header_without_rows_or_line_feed_is_read_whole(tmp_path: Path) -> None:
    assert read_pieces(_file(tmp_path, b"firm_id,region"), TYPES) is None


def test_open_table_reads_a_large_file_in_pieces(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The input table is the same either way; pieces only from twice PIECE_BYTES on, in as
    many threads as cores (two at most)."""
    path = _file(tmp_path, b"firm_id,region,headcount,payroll,assets,sales\n" + b"".join(
        r.rstrip(b"\n") + b",1,2\n" for r in _rows(3000).splitlines(keepends=True)))
    columns = ("firm_id", "region", "headcount", "payroll", "assets", "sales")
    whole = open_table(path, None, columns, columns)
    calls: list[int] = []
    real = csv_pieces.read_pieces

    def spy(*args: object, **kwargs: object) -> pa.Table | None:
        calls.append(int(kwargs["threads"]))  # type: ignore[call-overload]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(input_tables, "read_pieces", spy)
    open_table(path, None, columns, columns)
    assert calls == []  # a small file: read whole by pyarrow's threads
    monkeypatch.setattr(input_tables, "PIECE_BYTES", 10_000)
    monkeypatch.setattr(input_tables, "usable_cores", lambda: 8)
    pieced = open_table(path, None, columns, columns)
    assert calls == [2]
    for name in columns:
        assert pieced.column(name).to_pylist() == whole.column(name).to_pylist()
    assert pieced.numbers("assets").tolist() == whole.numbers("assets").tolist()
    monkeypatch.setattr(input_tables, "usable_cores", lambda: 1)
    open_table(path, None, columns, columns)
    assert calls == [2, 1]  # one core: one thread
