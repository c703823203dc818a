"""Parsing table rows into model records — the one schema shared by bundled cases and imports.

Each table has required and optional columns (documented in ``docs/data.md``) and a parser
that turns one row into a model object or raises an error naming the file, row, field, value
and what was expected.

Examples:
    >>> tie = parse_tie({"id": "t-1", "kind": "loan", "actors": "nefco;RU-SPE",
    ...                  "amount": "1200000", "currency": "ECU", "amount_year": "1998",
    ...                  "sources": "sergounin-1999:para 16"}, file="ties.csv", row_number=1)
    >>> tie.actors, tie.amount.amount
    (('nefco', 'RU-SPE'), 1200000.0)
    >>> parse_tie({"id": "t-2", "kind": "loan", "actors": "nefco;RU-SPE", "amount": "-1",
    ...            "currency": "ECU", "sources": "x:y"}, file="ties.csv", row_number=2)
    Traceback (most recent call last):
    ...
    regionet.core.errors.InvalidValueError: ties.csv, row 2, field 'amount', value '-1': ...
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from regionet.core.errors import InvalidValueError, RegionetError
from regionet.core.ids import ActorId, DocumentId, ObservationId, TieId, check_actor_id
from regionet.core.money import Money, Rate, check_currency, check_currency_year
from regionet.core.periods import Interval
from regionet.io.tables import Row
from regionet.model.actors import Actor, ActorKind, AttributeValue
from regionet.model.case import AttributeRecord
from regionet.model.observations import Observation, parse_comparator
from regionet.model.sources import Document, SourceRef, parse_sources, parse_status
from regionet.model.ties import Tie
from regionet.model.vocab import Domain, Indicator, TieKind

__all__ = [
    "ID_COLUMNS",
    "LIST_COLUMNS",
    "SUBJECT_COLUMNS",
    "TABLES",
    "TableSchema",
    "parse_actor",
    "parse_attribute",
    "parse_document",
    "parse_money",
    "parse_observation",
    "parse_rate",
    "parse_tie",
]


def _split(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in (text or "").split(";") if p.strip())


# Cells repeat across the rows of a large file (dates, source references, actor ids): the
# pure parsers below keep their recent successful results. A cell that does not parse is
# parsed again with its file and row, so its error names them.
_CACHE = 1 << 16


@lru_cache(maxsize=_CACHE)
def _known_sources(text: str) -> tuple[SourceRef, ...] | None:
    try:
        return parse_sources(text)
    except RegionetError:
        return None


def _sources(text: str, file: str | None, row: int | None) -> tuple[SourceRef, ...]:
    return _known_sources(text) or parse_sources(text, file=file, row=row)


@lru_cache(maxsize=_CACHE)
def _known_interval(start: str | None, end: str | None) -> Interval | None:
    try:
        return Interval.parse(start, end)
    except RegionetError:
        return None


def _interval(row: Row, file: str | None, rownum: int | None) -> Interval:
    start, end = row.get("start"), row.get("end")
    return _known_interval(start, end) or Interval.parse(start, end, file=file, row=rownum)


@lru_cache(maxsize=_CACHE)
def _known_actor(text: str) -> ActorId | None:
    try:
        return check_actor_id(text)
    except RegionetError:
        return None


def _actor_id(text: str, file: str | None, rownum: int | None) -> ActorId:
    return _known_actor(text) or check_actor_id(text, file=file, row=rownum)


def _number(row: Row, field: str, file: str | None, rownum: int | None, *,
            minimum: float | None = None, integer: bool = False) -> float | None:
    text = row.get(field, "")
    if text == "":
        return None
    expected = "a whole number" if integer else "a number"
    if minimum is not None:
        expected += f" >= {minimum:g}"
    try:
        value = float(text)
    except ValueError:
        raise InvalidValueError("not a number", file=file, row=rownum, field=field, value=text,
                                expected=expected) from None
    if not math.isfinite(value) or (minimum is not None and value < minimum) or (
            integer and not value.is_integer()):
        raise InvalidValueError("out of range", file=file, row=rownum, field=field, value=text,
                                expected=expected)
    return value


def _year(row: Row, field: str, file: str | None, rownum: int | None) -> int | None:
    value = _number(row, field, file, rownum, minimum=1000, integer=True)
    return None if value is None else int(value)


def _bool(text: str, field: str, file: str | None, rownum: int | None) -> bool:
    low = text.strip().lower()
    if low in ("true", "yes", "1"):
        return True
    if low in ("false", "no", "0", ""):
        return False
    raise InvalidValueError("not a boolean", file=file, row=rownum, field=field, value=text,
                            expected="true or false")


def _typed(text: str) -> AttributeValue:
    """Turn an attribute cell into int, float or str (numbers stay numbers)."""
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        return text
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() \
        else number


def parse_document(row: Row, *, file: str | None = None, row_number: int | None = None
                   ) -> Document:
    """Parse a ``documents`` row."""
    if not row.get("title"):
        raise InvalidValueError("a document needs a title", file=file, row=row_number,
                                field="title", value="", expected="a non-empty title")
    return Document(DocumentId(_slug(row, "id", file, row_number)), row["title"],
                    row.get("author", ""), _year(row, "year", file, row_number),
                    row.get("publisher", ""), row.get("url", ""), row.get("note", ""))


def _slug(row: Row, field: str, file: str | None, rownum: int | None) -> str:
    value = row.get(field, "")
    if not value:
        raise InvalidValueError("missing id", file=file, row=rownum, field=field, value="",
                                expected="a non-empty id")
    return value


def parse_actor(row: Row, *, file: str | None = None, row_number: int | None = None) -> Actor:
    """Parse an ``actors`` row (attributes come from ``subjects`` / ``actor_attributes``)."""
    actor_id = check_actor_id(_slug(row, "id", file, row_number), file=file, row=row_number)
    if not row.get("name_en"):
        raise InvalidValueError("an actor needs an English name", file=file, row=row_number,
                                field="name_en", value="", expected="a non-empty name")
    parent = row.get("parent") or None
    return Actor(
        id=actor_id,
        kind=ActorKind.parse(row.get("kind", ""), file=file, row=row_number),
        name_en=row["name_en"],
        name_local=row.get("name_local", ""),
        validity=Interval.parse(row.get("valid_from"), row.get("valid_to"), file=file,
                                row=row_number, fields=("valid_from", "valid_to")),
        parent=ActorId(parent) if parent else None,
        sources=parse_sources(row.get("sources", ""), file=file, row=row_number),
        status=parse_status(row.get("status", "verified") or "verified", file=file,
                            row=row_number),
        note=row.get("note", ""),
    )


#: Columns of ``subjects`` that become attributes of the subject actor.
SUBJECT_COLUMNS = ("type", "capital_en", "federal_district_2000", "economic_region",
                   "land_border_states", "sea_border_states", "successor_2008",
                   "population_1999", "population_year")


def parse_subject(row: Row, *, file: str | None = None, row_number: int | None = None
                  ) -> tuple[ActorId, dict[str, AttributeValue], AttributeRecord]:
    """Parse a ``subjects`` row into the subject id, its attributes and a sourced record."""
    actor_id = check_actor_id(_slug(row, "id", file, row_number), file=file, row=row_number)
    attrs: dict[str, AttributeValue] = {}
    for col in SUBJECT_COLUMNS:
        text = row.get(col, "")
        if col in ("population_1999", "population_year"):
            value = _number(row, col, file, row_number, minimum=0, integer=True)
            attrs[col] = None if value is None else int(value)
        elif col.endswith("_states"):
            codes = _split(text)
            for code in codes:
                check_actor_id(code, file=file, row=row_number)
            attrs[col] = ";".join(codes)
        else:
            attrs[col] = text
    record = AttributeRecord(actor_id, "subject_row", row.get("type", ""), "",
                             parse_sources(row.get("sources", ""), file=file, row=row_number),
                             parse_status(row.get("status", "") or "verified", file=file,
                                          row=row_number), row.get("note", ""))
    return actor_id, attrs, record


def parse_attribute(row: Row, *, file: str | None = None, row_number: int | None = None
                    ) -> AttributeRecord:
    """Parse an ``actor_attributes`` row; numeric cells become numbers."""
    actor_id = check_actor_id(_slug(row, "actor", file, row_number), file=file, row=row_number)
    if not row.get("attribute"):
        raise InvalidValueError("missing attribute name", file=file, row=row_number,
                                field="attribute", value="", expected="a snake_case name")
    return AttributeRecord(actor_id, row["attribute"], _typed(row.get("value", "")),
                           row.get("unit", ""),
                           parse_sources(row.get("sources", ""), file=file, row=row_number),
                           parse_status(row.get("status", "") or "verified", file=file,
                                        row=row_number), row.get("note", ""))


def parse_money(row: Row, *, file: str | None = None, row_number: int | None = None
                ) -> Money | None:
    """Parse the money of a ``ties`` row (``amount``, ``currency``, ``amount_year``, ``start``).

    Examples:
        >>> parse_money({"amount": "5", "currency": "ECU", "start": "1998"})
        Money(amount=5.0, currency='ECU', year=1998)
        >>> parse_money({"amount": ""}) is None
        True
    """
    amount_value = _number(row, "amount", file, row_number, minimum=0)
    amount = None
    if amount_value is not None:
        currency = row.get("currency", "")
        if not currency:
            raise InvalidValueError("an amount needs a currency", file=file, row=row_number,
                                    field="currency", value="", expected="an ISO 4217 code")
        check_currency(currency, file=file, row=row_number)
        year = _year(row, "amount_year", file, row_number)
        validity = _interval(row, file, row_number)
        if year is None:
            year = validity.start.year if validity.start else None
        if year is None:
            raise InvalidValueError("an amount needs a price year", file=file, row=row_number,
                                    field="amount_year", value="",
                                    expected="amount_year, or a start date to take it from")
        check_currency_year(currency, year, file=file, row=row_number,
                            field="amount_year" if row.get("amount_year") else "start")
        amount = Money(amount_value, currency, year)
    return amount


def parse_tie(row: Row, *, file: str | None = None, row_number: int | None = None) -> Tie:
    """Parse a ``ties`` row: actors and domains are ``;`` lists; money needs a currency."""
    amount = parse_money(row, file=file, row_number=row_number)
    actors = tuple(_actor_id(a, file, row_number) for a in _split(row.get("actors", "")))
    location = row.get("location") or None
    return Tie(
        id=TieId(_slug(row, "id", file, row_number)),
        kind=row.get("kind", ""),
        actors=actors,
        validity=_interval(row, file, row_number),
        domains=_split(row.get("domains", "")),
        amount=amount,
        quantity=_number(row, "quantity", file, row_number),
        unit=row.get("unit", ""),
        location=_actor_id(location, file, row_number) if location else None,
        description=row.get("description", ""),
        sources=_sources(row.get("sources", ""), file, row_number),
        status=parse_status(row.get("status", "") or "verified", file=file, row=row_number),
        note=row.get("note", ""),
    )


def parse_observation(row: Row, *, file: str | None = None, row_number: int | None = None
                      ) -> Observation:
    """Parse an ``observations`` row."""
    return Observation(
        id=ObservationId(_slug(row, "id", file, row_number)),
        indicator=row.get("indicator", ""),
        subject=_actor_id(row.get("subject", ""), file, row_number),
        value=_number(row, "value", file, row_number),
        value_text=row.get("value_text", ""),
        comparator=parse_comparator(row.get("comparator", ""), file=file, row=row_number),
        unit=row.get("unit", ""),
        period=_interval(row, file, row_number),
        sources=_sources(row.get("sources", ""), file, row_number),
        status=parse_status(row.get("status", "") or "verified", file=file, row=row_number),
        note=row.get("note", ""),
    )


def parse_rate(row: Row, *, file: str | None = None, row_number: int | None = None) -> Rate:
    """Parse a ``rates`` row: ``rate`` units of ``quote`` per one ``base`` in ``year``."""
    base = check_currency(row.get("base", ""), file=file, row=row_number, field="base")
    quote = check_currency(row.get("quote", ""), file=file, row=row_number, field="quote")
    year = _year(row, "year", file, row_number)
    rate = _number(row, "rate", file, row_number, minimum=0)
    if year is None or rate is None or rate == 0:
        raise InvalidValueError("a rate needs a year and a positive rate", file=file,
                                row=row_number, field="rate" if year else "year",
                                value=row.get("rate", ""), expected="year and rate > 0")
    for code in (base, quote):
        check_currency_year(code, year, file=file, row=row_number, field="year")
    src = parse_sources(row.get("sources", ""), file=file, row=row_number)[0]
    return Rate(base, quote, year, rate, src.document, src.locator,
                parse_status(row.get("status", "") or "verified", file=file,
                             row=row_number).value)


def parse_tie_kind(row: Row, *, file: str | None = None, row_number: int | None = None
                   ) -> TieKind:
    """Parse a ``tie_kinds`` vocabulary row."""
    return TieKind(_slug(row, "kind", file, row_number), row.get("group", ""),
                   _bool(row.get("directed", ""), "directed", file, row_number),
                   row.get("definition", ""), row.get("plover", ""), row.get("cameo", ""))


def parse_domain(row: Row, *, file: str | None = None, row_number: int | None = None) -> Domain:
    """Parse a ``domains`` vocabulary row."""
    return Domain(_slug(row, "domain", file, row_number), row.get("definition", ""))


def parse_indicator(row: Row, *, file: str | None = None, row_number: int | None = None
                    ) -> Indicator:
    """Parse an ``indicators`` vocabulary row."""
    return Indicator(_slug(row, "indicator", file, row_number), row.get("unit", ""),
                     row.get("definition", ""))


@dataclass(frozen=True)
class TableSchema:
    """A table's name, columns and row parser."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    parse: Callable[..., Any]


_STATUS = ("status", "note")
TABLES: MappingProxyType[str, TableSchema] = MappingProxyType({s.name: s for s in (
    TableSchema("documents", ("id", "title"), ("author", "year", "publisher", "url", "note"),
                parse_document),
    TableSchema("tie_kinds", ("kind", "group", "directed", "definition"), ("plover", "cameo"),
                parse_tie_kind),
    TableSchema("domains", ("domain", "definition"), (), parse_domain),
    TableSchema("indicators", ("indicator", "unit", "definition"), (), parse_indicator),
    TableSchema("actors", ("id", "kind", "name_en", "sources"),
                ("name_local", "valid_from", "valid_to", "parent", *_STATUS), parse_actor),
    TableSchema("subjects", ("id", "sources"), (*SUBJECT_COLUMNS, *_STATUS), parse_subject),
    TableSchema("actor_attributes", ("actor", "attribute", "value", "sources"),
                ("unit", *_STATUS), parse_attribute),
    TableSchema("ties", ("id", "kind", "actors", "sources"),
                ("start", "end", "domains", "amount", "currency", "amount_year", "quantity",
                 "unit", "location", "description", *_STATUS), parse_tie),
    TableSchema("observations", ("id", "indicator", "subject", "sources"),
                ("comparator", "value", "value_text", "unit", "start", "end", *_STATUS),
                parse_observation),
    TableSchema("rates", ("base", "quote", "year", "rate", "sources"), _STATUS, parse_rate),
)})

#: Columns holding a ``;`` list (in JSON, an array is accepted there and nowhere else).
LIST_COLUMNS: frozenset[str] = frozenset(
    {"actors", "domains", "sources", "land_border_states", "sea_border_states"})

#: Per table, the columns holding ids and the table those ids are keys of (``sources``: the
#: documents cited, the part before each ``:``).
ID_COLUMNS: MappingProxyType[str, MappingProxyType[str, str]] = MappingProxyType({
    table: MappingProxyType({**columns, "sources": "documents"}) for table, columns in {
        "documents": {"id": "documents"},
        "tie_kinds": {"kind": "tie_kinds"},
        "domains": {"domain": "domains"},
        "indicators": {"indicator": "indicators"},
        "actors": {"id": "actors", "parent": "actors"},
        "subjects": {"id": "actors", "successor_2008": "actors",
                     "land_border_states": "actors", "sea_border_states": "actors"},
        "actor_attributes": {"actor": "actors"},
        "ties": {"id": "ties", "kind": "tie_kinds", "actors": "actors", "domains": "domains",
                 "location": "actors"},
        "observations": {"id": "observations", "indicator": "indicators", "subject": "actors"},
        "rates": {},
    }.items()})
