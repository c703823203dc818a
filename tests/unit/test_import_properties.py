"""Properties of workspace imports: all or nothing, and independent of row order."""

from __future__ import annotations

import csv
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regionet.core.errors import ValidationError
from regionet.core.ids import ActorId, DocumentId, TieId
from regionet.core.periods import Interval
from regionet.model.actors import Actor, ActorKind
from regionet.model.case import Case
from regionet.model.sources import Document, SourceRef
from regionet.model.ties import Tie
from regionet.model.vocab import Domain, TieKind, Vocabulary
from regionet.storage import Workspace

MEMO = (SourceRef(DocumentId("memo"), "para 1"),)
BASE_ACTORS = ("RU", "RU-KR", "RU-MUR", "FI")
NEW_ACTORS = tuple(f"org-{i}" for i in range(6))
DOMAINS = ("environment", "trade", "transport")
TIE_COLUMNS = ("id", "kind", "actors", "start", "end", "domains", "amount", "currency",
               "amount_year", "sources")
ACTOR_COLUMNS = ("id", "kind", "name_en", "sources")
ATTRIBUTE_COLUMNS = ("actor", "attribute", "value", "sources")


def base_case() -> Case:
    def actor(i: str, kind: ActorKind, parent: str | None = None) -> Actor:
        return Actor(ActorId(i), kind, i, validity=Interval.parse("1991", None),
                     parent=ActorId(parent) if parent else None, sources=MEMO)

    actors = [actor("RU", ActorKind.CENTRE), actor("RU-KR", ActorKind.SUBJECT, "RU"),
              actor("RU-MUR", ActorKind.SUBJECT, "RU"), actor("FI", ActorKind.STATE)]
    return Case(
        "prop", "Property case", ActorId("RU"), {DocumentId("memo"): Document(
            DocumentId("memo"), "Memo")},
        Vocabulary({"cooperation": TieKind("cooperation", "cooperation", False, "together"),
                    "loan": TieKind("loan", "funding", True, "a loan")},
                   {d: Domain(d, d) for d in DOMAINS}),
        {a.id: a for a in actors},
        {TieId("t-base"): Tie(TieId("t-base"), "cooperation",
                              (ActorId("RU-KR"), ActorId("FI")), sources=MEMO)},
        {})


@st.composite
def batches(draw: st.DrawFn) -> dict[str, list[dict[str, str]]]:
    """A valid batch: new organizations, attributes and ties among old and new actors."""
    new = draw(st.lists(st.sampled_from(NEW_ACTORS), unique=True, max_size=4))
    actors = [{"id": a, "kind": draw(st.sampled_from(["organization", "state", "fund"])),
               "name_en": f"Actor {a}", "sources": "memo:para 2"} for a in new]
    everyone = list(BASE_ACTORS) + new
    pairs = draw(st.lists(st.tuples(st.sampled_from(everyone),
                                    st.sampled_from(["size", "budget", "seat"])),
                          unique=True, max_size=4))
    attributes = [{"actor": a, "attribute": name, "value": str(draw(st.integers(0, 10**9))),
                   "sources": "memo:para 3"} for a, name in pairs]
    ties = []
    for i in range(draw(st.integers(1, 6))):
        parties = draw(st.lists(st.sampled_from(everyone), min_size=2, max_size=4, unique=True))
        start = draw(st.none() | st.integers(1992, 1999))
        end = None if start is None else draw(st.none() | st.integers(start, 2001))
        money = draw(st.none() | st.tuples(st.floats(0, 1e9), st.sampled_from(["ECU", "NOK"])))
        ties.append({
            "id": f"t-{i}", "kind": draw(st.sampled_from(["cooperation", "loan"])),
            "actors": ";".join(parties), "start": "" if start is None else str(start),
            "end": "" if end is None else str(end),
            "domains": ";".join(draw(st.lists(st.sampled_from(DOMAINS), unique=True,
                                              max_size=2))),
            "amount": "" if money is None else repr(money[0]),
            "currency": "" if money is None else money[1],
            "amount_year": "" if money is None else "1998",
            "sources": "memo:para 4"})
    return {"actors": actors, "actor_attributes": attributes, "ties": ties}


#: Corruptions that always make a row invalid: (table, field, bad value).
CORRUPTIONS = [
    ("ties", "actors", "RU-KR;zz-nobody"), ("ties", "kind", "coperation"),
    ("ties", "start", "1999-13"), ("ties", "id", "t-base"), ("ties", "sources", "nemo:p"),
    ("ties", "domains", "ecology"), ("ties", "actors", "RU-KR;RU-KR"),
    ("ties", "amount", "-1"), ("ties", "currency", "XXX"), ("ties", "sources", ""),
    ("actors", "kind", "planet"), ("actors", "id", "Not An Id"), ("actors", "id", "FI"),
    ("actor_attributes", "actor", "zz-nobody"), ("actor_attributes", "sources", "nemo:p"),
]


def write_batch(folder: Path, batch: dict[str, list[dict[str, str]]]) -> list[Path]:
    columns = {"ties": TIE_COLUMNS, "actors": ACTOR_COLUMNS,
               "actor_attributes": ATTRIBUTE_COLUMNS}
    paths = []
    for table, rows in batch.items():
        path = folder / f"{table}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns[table], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        paths.append(path)
    return paths


def dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = sqlite3.connect(db)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        # A history entry's time ("at") is when the import ran, not a function of the rows.
        columns = {"history": "seq, resource, record_id, version, action, who, before, after, "
                              "proposal_id"}
        return {n: sorted(con.execute(f'SELECT {columns.get(n, "*")} FROM "{n}"').fetchall(),
                          key=repr)
                for n in sorted(names)}
    finally:
        con.close()


def fresh_workspace(folder: Path, name: str = "ws.db") -> tuple[Workspace, Path]:
    ws = Workspace(folder / name)
    ws.init(base_case())
    return ws, folder / name


@pytest.mark.slow  # ~5 s of examples
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches(), corrupt=st.none() | st.tuples(st.sampled_from(CORRUPTIONS),
                                                       st.integers(0, 100)))
def test_import_is_all_or_nothing(batch: dict[str, list[dict[str, str]]],
                                  corrupt: tuple[tuple[str, str, str], int] | None) -> None:
    rows_of = batch
    if corrupt is not None:
        (table, field, bad), index = corrupt
        if not rows_of[table]:
            corrupt = None
        else:
            row = rows_of[table][index % len(rows_of[table])]
            row[field] = bad
            if field == "amount":
                row["currency"] = "ECU"
            if field == "currency":
                row["amount"] = "5"
    with tempfile.TemporaryDirectory() as tmp:
        ws, db = fresh_workspace(Path(tmp))
        paths = write_batch(Path(tmp), rows_of)
        before = dump(db)
        if corrupt is None:
            counts = ws.import_files(paths)
            case = ws.load_case()
            assert counts == {t: len(r) for t, r in rows_of.items() if r}
            assert {t["id"] for t in rows_of["ties"]} <= set(case.ties)
            assert {a["id"] for a in rows_of["actors"]} <= set(case.actors)
            for a in rows_of["actor_attributes"]:
                assert case.actor(a["actor"]).attributes[a["attribute"]] == int(a["value"])
        else:
            try:
                ws.import_files(paths)
            except ValidationError as err:
                assert err.errors
            else:
                raise AssertionError(f"corruption {corrupt} was accepted")
            assert dump(db) == before
        ws.close()


@pytest.mark.slow  # ~5 s of examples
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches(), data=st.data())
def test_row_and_file_order_do_not_change_the_workspace(
        batch: dict[str, list[dict[str, str]]], data: st.DataObject) -> None:
    shuffled = {t: data.draw(st.permutations(rows)) for t, rows in batch.items()}
    with tempfile.TemporaryDirectory() as tmp:
        folder_a, folder_b = Path(tmp) / "a", Path(tmp) / "b"
        folder_a.mkdir()
        folder_b.mkdir()
        ws_a, db_a = fresh_workspace(folder_a)
        ws_b, db_b = fresh_workspace(folder_b)
        ws_a.import_files(write_batch(folder_a, batch))
        ws_b.import_files(data.draw(st.permutations(write_batch(folder_b, shuffled))))
        ws_a.close()
        ws_b.close()
        assert dump(db_a) == dump(db_b)
