"""Loading a case from its folder of text files (CSV / YAML), validating everything first.

A case folder holds ``case.yaml`` and the tables of :data:`regionet.io.records.TABLES`
(``vocab/`` for the vocabularies, ``geo/`` for geography). All problems in all files are
collected and reported together; a case with any problem is not returned.

Examples:
    >>> case = load_case("russia-1990s")
    >>> case.actor("RU-KR").attributes["land_border_states"]
    'FI'
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import yaml

from regionet.cases import BUNDLED_CASES, DEFAULT_CASE
from regionet.core.errors import (
    DataFileError,
    ErrorCollector,
    InvalidValueError,
    RegionetError,
)
from regionet.core.ids import ActorId, DocumentId
from regionet.core.money import RatesTable
from regionet.io.case_folders import case_directory
from regionet.io.records import LIST_COLUMNS, TABLES, parse_attribute
from regionet.io.tables import read_rows
from regionet.model.actors import Actor, ActorKind
from regionet.model.case import AttributeRecord, Case
from regionet.model.observations import Observation
from regionet.model.sources import Document
from regionet.model.ties import Tie
from regionet.model.validation import check_actor, check_observation, check_tie
from regionet.model.vocab import Domain, Indicator, TieKind, Vocabulary

__all__ = ["BUNDLED_CASES", "case_directory", "load_case", "table_files"]

#: Bundled case ids and their package folders.

#: Default file of each table inside a case folder.
DEFAULT_FILES = {
    "documents": "documents.csv",
    "tie_kinds": "vocab/tie_kinds.csv",
    "domains": "vocab/domains.csv",
    "indicators": "vocab/indicators.csv",
    "actors": "actors.csv",
    "subjects": "subjects.csv",
    "actor_attributes": "actor_attributes.csv",
    "ties": "ties.csv",
    "observations": "observations.csv",
    "rates": "rates.csv",
}

T = TypeVar("T")


def _metadata(folder: Path) -> dict[str, Any]:
    path = folder / "case.yaml"
    try:
        meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DataFileError(f"not valid YAML ({exc})", file=str(path)) from None
    if not isinstance(meta, dict) or not {"id", "federation"} <= set(meta):
        raise DataFileError("case.yaml lacks id or federation", file=str(path),
                            expected="a mapping with at least id, title, federation")
    return meta


def table_files(folder: Path, meta: dict[str, Any] | None = None) -> dict[str, Path]:
    """Return the path of each table of a case folder (``files:`` in case.yaml overrides)."""
    files = dict(DEFAULT_FILES)
    files.update((meta or {}).get("files") or {})
    return {name: folder / rel for name, rel in files.items() if name in TABLES}


class _Collector:
    """Parses rows, keeping every error instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors = ErrorCollector(consequence="the case was not loaded")

    def rows(self, table: str, path: Path, *, optional_file: bool = False
             ) -> Iterator[tuple[int, Any]]:
        schema = TABLES[table]
        if optional_file and not path.is_file():
            return
        try:
            rows = read_rows(path, schema.required, schema.optional, lists=LIST_COLUMNS)
        except RegionetError as err:
            self.errors.add(err)
            return
        for number, row in rows:
            try:
                yield number, schema.parse(row, file=str(path.name), row_number=number)
            except RegionetError as err:
                self.errors.add(err)

    def unique(self, table: str, path: Path, record_type: type[T], key: str = "id",
               *, optional_file: bool = False) -> dict[str, tuple[int, T]]:
        out: dict[str, tuple[int, T]] = {}
        for number, record in self.rows(table, path, optional_file=optional_file):
            if not isinstance(record, record_type):
                raise TypeError(f"{table} parser returned {type(record).__name__}")
            k = str(getattr(record, key))
            if k in out:
                self.errors.add(InvalidValueError(
                    f"duplicate id (first on row {out[k][0]})", file=path.name, row=number,
                    field="id", value=k, expected="ids unique within the table"))
            else:
                out[k] = (number, record)
        return out


def _add_capitals(folder: Path, actors: dict[ActorId, Actor], col: _Collector
                  ) -> list[AttributeRecord]:
    """Add the capitals' coordinates (geo/capitals_1999.csv) to the subjects' attributes."""
    path = folder / "geo" / "capitals_1999.csv"
    if not path.is_file():
        return []
    records: list[AttributeRecord] = []
    for number, row in read_rows(path, ("id", "capital_en", "lat", "lon", "sources"),
                                 ("geonameid", "status", "note")):
        try:
            actor_id = ActorId(row["id"])
            if actor_id not in actors:
                raise InvalidValueError("unknown actor", file=path.name, row=number,
                                        field="id", value=row["id"],
                                        expected="a subject id of actors.csv")
            values = {"capital_lat": float(row["lat"]), "capital_lon": float(row["lon"]),
                      "capital_geonameid": row.get("geonameid", "")}
            actors[actor_id] = _with_attributes(actors[actor_id], values)
            records.append(parse_attribute(
                {"actor": row["id"], "attribute": "capital_city", "value": row["capital_en"],
                 "unit": "", "sources": row["sources"], "status": row.get("status", ""),
                 "note": row.get("note", "")},
                file=path.name, row_number=number))
        except ValueError as exc:
            if isinstance(exc, RegionetError):
                col.errors.add(exc)
            else:
                col.errors.add(InvalidValueError(
                    "coordinates must be numbers", file=path.name, row=number, field="lat",
                    value=f"{row['lat']},{row['lon']}", expected="decimal degrees"))
    return records


#: The ``basis`` of an adjacency pair known only approximately (see docs/geodata.md).
APPROXIMATE_BASIS = "successor-approximate"
#: Every ``basis`` of ``geo/adjacency_1999.csv`` (empty: not stated, taken as exact).
ADJACENCY_BASES = ("", "geometry", "nested-in-parent", APPROXIMATE_BASIS)


def _read_adjacency(folder: Path, col: _Collector
                    ) -> tuple[set[frozenset[str]], set[frozenset[str]]]:
    """Return the pairs of ``geo/adjacency_1999.csv`` and those of them that are approximate."""
    path = folder / "geo" / "adjacency_1999.csv"
    if not path.is_file():
        return set(), set()
    rows = read_rows(path, ("a", "b"), ("shared_border_km", "basis", "sources"))
    for number, r in rows:
        if r.get("basis", "") not in ADJACENCY_BASES:
            col.errors.add(InvalidValueError(
                "unknown basis of a border", file="geo/adjacency_1999.csv", row=number,
                field="basis", value=r["basis"],
                expected="one of " + ", ".join(b for b in ADJACENCY_BASES if b)))
    return ({frozenset({r["a"], r["b"]}) for _, r in rows},
            {frozenset({r["a"], r["b"]}) for _, r in rows if r.get("basis") == APPROXIMATE_BASIS})


def load_case(case: str | Path = DEFAULT_CASE) -> Case:
    """Load and validate a bundled case by id, or a case folder by path.

    Read afresh on every call (about 20 ms for the bundled case); the services keep one copy
    per source (:func:`regionet.services.case_source.case_of`).

    Raises:
        ValidationError: listing every problem found, each with file, row, field and value.
        DataFileError: when the folder or case.yaml is missing or malformed.
    """
    folder = case_directory(case)
    meta = _metadata(folder)
    files = table_files(folder, meta)
    col = _Collector()
    documents = {DocumentId(k): v for k, (_, v) in
                 col.unique("documents", files["documents"], Document).items()}
    vocab = Vocabulary(
        {k: v for k, (_, v) in col.unique("tie_kinds", files["tie_kinds"], TieKind,
                                          "name").items()},
        {k: v for k, (_, v) in col.unique("domains", files["domains"], Domain,
                                          "name").items()},
        {k: v for k, (_, v) in col.unique("indicators", files["indicators"], Indicator,
                                          "name", optional_file=True).items()},
    )
    actor_rows = col.unique("actors", files["actors"], Actor)
    actors: dict[ActorId, Actor] = {ActorId(k): v for k, (_, v) in actor_rows.items()}
    attributes: list[AttributeRecord] = []
    for number, (actor_id, attrs, record) in col.rows("subjects", files["subjects"],
                                                      optional_file=True):
        actor = actors.get(actor_id)
        if actor is None or actor.kind is not ActorKind.SUBJECT:
            col.errors.add(InvalidValueError(
                "subjects.csv row is not an actor of kind subject", file="subjects.csv",
                row=number, field="id", value=actor_id,
                expected="the id of a subject in actors.csv"))
            continue
        actors[actor_id] = _with_attributes(actor, attrs)
        attributes.append(record)
    for number, record in col.rows("actor_attributes", files["actor_attributes"],
                                   optional_file=True):
        if record.actor not in actors:
            col.errors.add(InvalidValueError(
                "unknown actor", file="actor_attributes.csv", row=number, field="actor",
                value=record.actor, expected="an actor id defined in actors.csv"))
            continue
        actors[record.actor] = _with_attributes(actors[record.actor],
                                                {record.attribute: record.value})
        attributes.append(record)
    attributes.extend(_add_capitals(folder, actors, col))
    tie_rows = col.unique("ties", files["ties"], Tie)
    obs_rows = col.unique("observations", files["observations"], Observation,
                          optional_file=True)
    rates = RatesTable(r for _, r in col.rows("rates", files["rates"], optional_file=True))
    adjacency, approximate = _read_adjacency(folder, col)
    result = Case(
        id=str(meta["id"]), title=str(meta.get("title", meta["id"])),
        federation=ActorId(str(meta["federation"])), documents=documents, vocab=vocab,
        actors=actors, ties={v.id: v for _, v in tie_rows.values()},
        observations={v.id: v for _, v in obs_rows.values()}, attributes=attributes,
        rates=rates, adjacency=adjacency, approximate_adjacency=approximate,
        description=str(meta.get("description", "")),
        credits=[str(c) for c in meta.get("credits", [])],
    )
    for actor_id, (number, _) in actor_rows.items():
        col.errors.extend(check_actor(actors[ActorId(actor_id)], result, file="actors.csv",
                                      row=number))
    for number, tie in tie_rows.values():
        col.errors.extend(check_tie(tie, result, file="ties.csv", row=number))
    for number, obs in obs_rows.values():
        col.errors.extend(check_observation(obs, result, file="observations.csv", row=number))
    if ActorId(str(meta["federation"])) not in actors:
        col.errors.add(InvalidValueError("the federation is not an actor", file="case.yaml",
                                            field="federation", value=meta["federation"],
                                            expected="an actor of kind centre"))
    col.errors.raise_if_any()
    return result


def _with_attributes(actor: Actor, extra: dict[str, Any]) -> Actor:
    return replace(actor, attributes=MappingProxyType({**actor.attributes, **extra}))



