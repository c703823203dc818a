"""Rows given as dicts, inserted with SQLite's own executemany (storage/mapping.py).

``insert_rows`` of dicts that hold every column of a table binds them itself on SQLite
(no SQLAlchemy compilation per row); the stored rows must be those SQLAlchemy's
``insert()`` stores: dates as ISO text, booleans as integers, ``None`` as ``NULL``. Dicts
that lack a column (defaults to fill) keep going through SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from regionet.storage.mapping import insert_rows
from regionet.storage.schema import METADATA, create_schema


def _engine() -> Iterator[sa.Connection]:
    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        create_schema(connection)
        yield connection


@pytest.fixture
def conn() -> Iterator[sa.Connection]:
    yield from _engine()


@pytest.fixture
def other() -> Iterator[sa.Connection]:
    yield from _engine()


def _actors() -> list[dict[str, Any]]:
    return [{"id": f"RU-X{i}", "kind": "region", "name_en": f"X {i}", "name_local": "",
             "valid_from_date": dt.date(1990 + i, 1, 31) if i % 2 else None,
             "valid_from_text": str(1990 + i) if i % 2 else None, "valid_to_date": None,
             "valid_to_text": None, "parent": None, "status": "verified", "note": "é"}
            for i in range(5)]


def _stored(conn: sa.Connection, table: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.exec_driver_sql(
        f'SELECT *, typeof(1) FROM "{table}" ORDER BY 1, 2')]


def _sent(conn: sa.Connection) -> list[str]:
    seen: list[str] = []

    @sa.event.listens_for(conn, "before_cursor_execute")
    def _log(_c: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    return seen


def test_complete_dicts_are_stored_as_sqlalchemy_stores_them(
        conn: sa.Connection, other: sa.Connection) -> None:
    sent = _sent(conn)
    assert insert_rows(conn, "actors", _actors()) == 5
    assert sent == []  # bound by the driver itself
    other.execute(METADATA.tables["actors"].insert(), _actors())
    assert _stored(conn, "actors") == _stored(other, "actors")
    dates = conn.exec_driver_sql(
        "SELECT valid_from_date, typeof(valid_from_date), typeof(valid_to_date) FROM actors "
        "WHERE id = 'RU-X1'").one()
    assert tuple(dates) == ("1991-01-31", "text", "null")


def test_booleans_are_stored_as_integers(conn: sa.Connection, other: sa.Connection) -> None:
    kinds = [{"kind": "k-a", "group": "g", "directed": True, "definition": "", "plover": "",
              "cameo": ""},
             {"kind": "k-b", "group": "g", "directed": False, "definition": "", "plover": "",
              "cameo": ""}]
    insert_rows(conn, "tie_kinds", kinds)
    other.execute(METADATA.tables["tie_kinds"].insert(), kinds)
    assert conn.exec_driver_sql(
        "SELECT kind, directed, typeof(directed) FROM tie_kinds WHERE kind LIKE 'k-%' "
        "ORDER BY kind").all() == [("k-a", 1, "integer"), ("k-b", 0, "integer")]
    assert _stored(conn, "tie_kinds") == _stored(other, "tie_kinds")


def test_dicts_without_every_column_go_through_sqlalchemy(conn: sa.Connection) -> None:
    sent = _sent(conn)
    rows = [{"domain": "d-new"}]  # no definition: its default fills it
    assert insert_rows(conn, "domains", rows) == 1
    assert len(sent) == 1 and sent[0].startswith("INSERT INTO domains")
    assert conn.exec_driver_sql(
        "SELECT definition FROM domains WHERE domain = 'd-new'").scalar_one() == ""


def test_a_database_error_is_raised_as_sqlalchemy_raises_it(conn: sa.Connection) -> None:
    insert_rows(conn, "actors", _actors())
    with pytest.raises(sa.exc.IntegrityError, match=r"UNIQUE constraint failed: actors\.id"):
        insert_rows(conn, "actors", _actors()[:1])
