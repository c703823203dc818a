"""Lookalike ids are refused in both import paths: the small tables and the streamed ones.

The small tables (actors, documents, vocabularies …) are read whole and screened against the
workspace's ids and the batch's clean new ones; ties and observations stream and are screened
against the workspace's, read with SQL (only the ids that are not printable ASCII are held).
Every refused row names its file, row, field and value with the escaped character, and the
workspace is left as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from regionet.core.errors import InvalidValueError, ValidationError
from regionet.services.workspace import import_files, validate_files

SRC = "sergounin-1999:para 12"


@pytest.fixture
def db(tmp_path: Path, bundled_workspace: Callable[[Path], str]) -> Path:
    path = tmp_path / "ws.db"
    bundled_workspace(path)
    return path


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def problems(db: Path, paths: list[Path]) -> list[tuple[str, int | None, str | None, object]]:
    with pytest.raises(ValidationError) as info:
        validate_files(db, paths)
    errors = info.value.errors
    assert all(isinstance(e, InvalidValueError) for e in errors)
    return [(Path(e.file or "").name, e.row, e.field, e.value) for e in errors]


def table(db: Path, name: str) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    try:
        return sorted(con.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
    finally:
        con.close()


def test_small_tables_are_screened_against_the_workspace_and_the_batch(
        db: Path, tmp_path: Path) -> None:
    clean, mixed = "\u0434\u043e\u043a-1", "d\u043ec-2"  # док-1 (one script), dоc-2 (two)
    documents = write(tmp_path, "documents.csv",
                      f"id,title\n{clean},A Russian source\n{mixed},Mixed\n")
    actors = write(tmp_path, "actors.csv",
                   "id,kind,name_en,parent,sources\n"
                   f"RU-\u041aR,subject,Karelia again,RU,{SRC}\n"    # twin of RU-KR
                   f"org-\u0441lean,organization,Mixed,,{SRC}\n"     # Latin + Cyrillic
                   f"org-b,organization,Plain,,{clean}:p. 1\n")       # the batch's clean id
    attributes = write(tmp_path, "actor_attributes.csv",
                       "actor,attribute,value,sources\n"
                       f"org-b,note_en,ok,{SRC};{clean}:p. 2\n"
                       f"org-b,size,1,sergounin\u20111999:para 1\n"    # a hyphen variant
                       f"org-b,size_2,1,{mixed}:p. 3\n")              # the batch's lookalike
    assert problems(db, [documents, actors, attributes]) == [
        ("documents.csv", 2, "id", "d\\u043ec-2"),
        ("actors.csv", 1, "id", "RU-\\u041aR"),
        ("actors.csv", 2, "id", "org-\\u0441lean"),
        ("actor_attributes.csv", 2, "sources", "sergounin\\u20111999"),
        ("actor_attributes.csv", 3, "sources", "d\\u043ec-2"),
    ]
    with pytest.raises(ValidationError) as info:
        validate_files(db, [documents, actors, attributes])
    hints = [e.hint for e in info.value.errors]
    assert hints[1:4] == ["Did you mean RU-KR?",
                          "Type it again with the letters of one script and no invisible "
                          "characters (perhaps 'org-clean')", "Did you mean sergounin-1999?"]
    assert info.value.errors[1].message == (
        "mixes Latin and Cyrillic letters: U+041A CYRILLIC CAPITAL LETTER KA at position 4 "
        "looks like Latin 'K'")
    # The clean rows alone import: the new one-script id is known to the rest of the batch.
    good = tmp_path / "good"
    assert import_files(db, [
        write(good, "documents.csv", f"id,title\n{clean},A Russian source\n"),
        write(good, "actors.csv", f"id,kind,name_en,sources\norg-b,organization,Plain,"
              f"{clean}:p. 1\n")]) == {"documents": 1, "actors": 1}


def test_streamed_rows_are_screened_in_every_id_column(db: Path, tmp_path: Path) -> None:
    before = table(db, "ties")
    ties = write(tmp_path, "ties.csv",
                 "id,kind,actors,start,location,domains,sources\n"
                 f"t-ok,cooperation,RU-KR;FI,1997,,,{SRC}\n"
                 f"t-2,co\u043eperation,RU-KR;FI,1997,,,{SRC}\n"
                 f"t-3,cooperation,RU-KR;FI,1997,RU-MUR\u200b,,{SRC}\n"
                 f"t-4,cooperation,RU-KR;FI,1997,,\uff45nvironment,{SRC}\n"
                 f"t-5,cooperation,RU-KR; F\u0399,1997,,,{SRC}\n")
    observations = write(tmp_path, "observations.csv",
                         "id,indicator,subject,value,sources\n"
                         f"o-\u0445,population,RU-KR,1,{SRC}\n")
    assert problems(db, [ties, observations]) == [
        ("ties.csv", 2, "kind", "co\\u043eperation"),
        ("ties.csv", 3, "location", "RU-MUR\\u200b"),
        ("ties.csv", 4, "domains", "\\uff45nvironment"),
        ("ties.csv", 5, "actors", "F\\u0399"),
        ("observations.csv", 1, "id", "o-\\u0445"),
    ]
    with pytest.raises(ValidationError):
        import_files(db, [ties, observations])
    assert table(db, "ties") == before


def test_a_plain_id_that_looks_like_a_stored_unusual_id_is_refused(db: Path, tmp_path: Path
                                                                    ) -> None:
    # An all-Cyrillic tie id is one script: accepted. Its plain Latin twin later is not,
    # although no plain id is held in memory to compare it with (only the unusual ones).
    twin = "\u0442-\u0445\u0430"  # т-ха, looks like "T-xa"
    assert import_files(db, [write(tmp_path / "b1", "ties.csv",
                                   "id,kind,actors,start,sources\n"
                                   f"{twin},cooperation,RU-KR;FI,1997,{SRC}\n")]) == {"ties": 1}
    later = write(tmp_path / "b2", "ties.csv",
                  "id,kind,actors,start,sources\n"
                  f"t-plain,cooperation,RU-KR;FI,1997,{SRC}\n"
                  f"T-xa,cooperation,RU-KR;FI,1997,{SRC}\n")
    with pytest.raises(ValidationError) as info:
        validate_files(db, [later])
    (err,) = info.value.errors
    assert (err.row, err.field, err.value, err.hint) == (2, "id", "T-xa", f"Did you mean {twin}?")
    assert err.message == f"looks exactly like the existing id '{twin}' but is not the same text"


def test_a_lookalike_with_no_twin_gets_the_nearest_stored_ids_as_hint(db: Path, tmp_path: Path
                                                                      ) -> None:
    path = write(tmp_path, "ties.csv", "id,kind,actors,start,sources\n"
                 f"t-kr-mur-bilatera\u0456,cooperation,RU-KR;FI,1997,{SRC}\n")
    with pytest.raises(ValidationError) as info:
        validate_files(db, [path])
    (err,) = info.value.errors
    assert err.hint is not None and err.hint.startswith("Did you mean t-kr-mur-bilateral")


def test_json_arrays_are_taken_in_list_columns_only(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "good"
    write(folder, "actors.csv", f"id,kind,name_en,parent,sources\nRU-XX,subject,New,RU,{SRC}\n")
    write(folder, "subjects.json",
          '[{"id": "RU-XX", "type": "oblast", "land_border_states": ["FI", "NO"], '
          '"sea_border_states": [], "sources": ["' + SRC + '", "' + SRC + '0"]}]')
    assert import_files(db, [folder / "actors.csv", folder / "subjects.json"]) == {
        "actors": 1, "subjects": 1}
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT value_text FROM actor_attribute_values WHERE actor_id = "
                           "'RU-XX' AND attribute = 'land_border_states'").fetchall() == [
            ("FI;NO",)]
    finally:
        con.close()
    bad = write(tmp_path / "bad", "actors.json",
                '[{"id": "org-x", "kind": "organization", "name_en": ["A", "B"], '
                '"sources": "' + SRC + '"}]')
    with pytest.raises(ValidationError) as info:
        validate_files(db, [bad])
    (err,) = info.value.errors
    assert (err.field, err.message) == ("name_en", "a JSON array where one value is expected")
