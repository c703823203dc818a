r"""Planning an import: parse a batch of files and validate it against the workspace.

A batch is a list of CSV or JSON files, each feeding one table of
:data:`regionet.io.records.TABLES` (named by ``table=`` or by the end of the file's stem:
``ties.csv``, ``extra_ties.json``). Rows are parsed with the tables' own parsers and checked
with :mod:`regionet.model.validation` against the workspace's case merged with the whole
batch, so files of one batch may refer to each other. Every problem of every file is
collected; a batch with any problem raises one :class:`~regionet.core.errors.ValidationError`
and nothing is written.

Import is insert-only: a key already in the workspace, or twice in the batch, is an error.
Inside a batch, records are ordered by table dependency (:data:`IMPORT_ORDER`) and then by
key, so the same rows in any order produce the same workspace.

Examples:
    >>> d = tmp_path   # any folder of yours
    >>> for name in ("extra_ties.csv", "tie_kinds.json", "parties.csv"):
    ...     _ = (d / name).write_text("id\n", encoding="utf-8")
    >>> infer_table(d / "extra_ties.csv"), infer_table(d / "tie_kinds.json")
    ('ties', 'tie_kinds')
    >>> infer_table(d / "parties.csv")
    Traceback (most recent call last):
    ...
    regionet.core.errors.DataFileError: parties.csv: cannot tell which table ... feeds ...
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from regionet.core.errors import (
    DataFileError,
    InvalidValueError,
    RegionetError,
    UnknownActorError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from regionet.core.ids import ActorId, DocumentId
from regionet.core.money import RatesTable
from regionet.io.lookalikes import IdScreen
from regionet.io.records import ID_COLUMNS, LIST_COLUMNS, TABLES
from regionet.io.tables import Row, read_rows
from regionet.model.actors import ActorKind
from regionet.model.case import AttributeRecord, Case
from regionet.model.sources import SourceRef
from regionet.model.validation import check_actor, check_observation, check_tie
from regionet.model.vocab import Vocabulary
from regionet.storage.mapping import RowSet

__all__ = ["IMPORT_ORDER", "ImportPlan", "PlannedFile", "check_case_sources", "infer_table",
           "missing_documents", "plan_import", "plan_rows"]

#: The import tables in dependency order: a table may refer to any table before it.
IMPORT_ORDER: tuple[str, ...] = (
    "documents", "tie_kinds", "domains", "indicators", "actors", "subjects",
    "actor_attributes", "ties", "observations", "rates",
)

#: The key field of each table and how to read it from a parsed record.
_KEYS: Mapping[str, tuple[str, Callable[[Any], str]]] = {
    "documents": ("id", lambda r: str(r.id)),
    "tie_kinds": ("kind", lambda r: str(r.name)),
    "domains": ("domain", lambda r: str(r.name)),
    "indicators": ("indicator", lambda r: str(r.name)),
    "actors": ("id", lambda r: str(r.id)),
    "subjects": ("id", lambda r: str(r[0])),
    "ties": ("id", lambda r: str(r.id)),
    "observations": ("id", lambda r: str(r.id)),
    "rates": ("base", lambda r: f"{r.base}/{r.quote}/{r.year}"),
}


def infer_table(path: Path, table: str | None = None) -> str:
    """Return the table a file feeds: ``table`` if given, else the end of the file's stem.

    The stem must be a table name or end with ``_<table>`` or ``-<table>``.

    Raises:
        UnknownReferenceError: when ``table`` is not a table name.
        DataFileError: when the stem names no table.
    """
    names = sorted(TABLES)
    if table is not None:
        if table not in TABLES:
            raise UnknownReferenceError(
                "unknown table", field="table", value=table, expected="one of " + ", ".join(names),
                hint=did_you_mean(table, names))
        return table
    if not path.is_file():
        raise DataFileError("file not found", file=str(path),
                            expected="an existing CSV or JSON file")
    stem = path.stem
    for name in sorted(TABLES, key=len, reverse=True):
        if stem == name or stem.endswith((f"_{name}", f"-{name}")):
            return name
    raise DataFileError("cannot tell which table the file feeds", file=path.name,
                        expected="a file name ending with a table name (one of "
                        + ", ".join(names) + ")",
                        hint="Rename it, e.g. 'extra_ties.csv', or name the table with "
                        "--table (e.g. --table ties)")


@dataclass(frozen=True)
class PlannedFile:
    """One file of a batch: where it is, the table it feeds and how many rows it has."""

    path: Path
    table: str
    rows: int


@dataclass(frozen=True)
class Batch:
    """The new records of a valid batch, in write order."""

    records: Mapping[str, list[Any]]
    attributes: list[AttributeRecord]
    touched: frozenset[ActorId]


@dataclass(frozen=True)
class ImportPlan:
    """A validated batch, ready to write.

    Attributes:
        files: the files in the order given, with their table and row count.
        counts: rows per table, over the whole batch.
        case: the workspace's case merged with the batch (what the workspace will hold).
    """

    files: tuple[PlannedFile, ...]
    counts: Mapping[str, int]
    case: Case = field(repr=False, compare=False)
    batch: Batch = field(repr=False, compare=False)

    @property
    def total(self) -> int:
        """Rows in the whole batch."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class _Parsed:
    file: str
    row: int
    record: Any


class _Planner:
    """Collects every problem of a batch while parsing, de-duplicating and merging it."""

    def __init__(self, base: Case) -> None:
        self.base = base
        self.errors: list[RegionetError] = []

    def parse(self, files: Sequence[tuple[Path, str]]) -> tuple[dict[str, list[_Parsed]],
                                                                 list[PlannedFile]]:
        parsed: dict[str, list[_Parsed]] = {name: [] for name in IMPORT_ORDER}
        planned: list[PlannedFile] = []
        read: list[tuple[Path, str, list[tuple[int, Row]]]] = []
        for path, table in files:
            schema = TABLES[table]
            try:
                rows = read_rows(path, schema.required, schema.optional, lists=LIST_COLUMNS)
            except RegionetError as err:
                self.errors.append(err)
                continue
            planned.append(PlannedFile(path, table, len(rows)))
            read.append((path, table, rows))
        screens = self._screens(read)
        for path, table, rows in read:
            schema = TABLES[table]
            for number, row in rows:
                problems = _screen_row(screens, table, row, path.name, number)
                if problems:
                    # The row's parser would only add a vaguer error about the same id.
                    self.errors.extend(problems)
                    continue
                try:
                    record = schema.parse(row, file=path.name, row_number=number)
                except RegionetError as err:
                    self.errors.append(err)
                    continue
                parsed[table].append(_Parsed(path.name, number, record))
        return parsed, planned

    def _screens(self, read: Sequence[tuple[Path, str, list[tuple[int, Row]]]]
                 ) -> dict[str, IdScreen]:
        """Per kind of id, a screen knowing the workspace's ids and the batch's clean new ones."""
        screens: dict[str, IdScreen] = {}
        for kind in ("documents", "tie_kinds", "domains", "indicators", "actors", "ties",
                     "observations"):
            existing = self._existing(kind)
            workspace = IdScreen(existing)
            column = _KEYS[kind][0]
            new = {row.get(column, "") for path, table, rows in read if table == kind
                   for _, row in rows}
            screens[kind] = IdScreen(existing | {k for k in new if workspace.check(k) is None})
        return screens

    def _existing(self, table: str) -> set[str]:
        case = self.base
        existing: dict[str, Any] = {
            "documents": case.documents, "tie_kinds": case.vocab.tie_kinds,
            "domains": case.vocab.domains, "indicators": case.vocab.indicators,
            "actors": case.actors, "ties": case.ties, "observations": case.observations,
            "subjects": {r.actor for r in case.attributes if r.attribute == "subject_row"},
            "rates": {f"{r.base}/{r.quote}/{r.year}" for r in case.rates},
        }
        return {str(k) for k in existing[table]}

    def unique(self, table: str, items: list[_Parsed]) -> list[_Parsed]:
        """Drop (and report) records whose key is in the workspace or earlier in the batch."""
        if table not in _KEYS:
            return sorted(items, key=lambda p: (p.record.actor, p.record.attribute))
        field_name, key_of = _KEYS[table]
        existing = self._existing(table)
        seen: dict[str, _Parsed] = {}
        for p in items:
            key = key_of(p.record)
            if key in existing:
                where = "already in the workspace"
            elif key in seen:
                where = f"duplicate in the batch (first in {seen[key].file}, row {seen[key].row})"
            else:
                seen[key] = p
                continue
            self.errors.append(InvalidValueError(
                where, file=p.file, row=p.row, field=field_name, value=key,
                expected=f"a {field_name} not yet used (import only adds records)"))
        return [seen[k] for k in sorted(seen)]

    def check_documents(self, sources: Sequence[SourceRef], documents: Collection[str],
                        p: _Parsed) -> None:
        self.errors.extend(missing_documents(sources, documents, file=p.file, row=p.row))

    def merge(self, parsed: dict[str, list[_Parsed]]) -> tuple[Case, Batch]:
        base = self.base
        new = {t: [p.record for p in parsed[t]] for t in IMPORT_ORDER}
        documents = {**base.documents, **{d.id: d for d in new["documents"]}}
        vocab = Vocabulary({**base.vocab.tie_kinds, **{k.name: k for k in new["tie_kinds"]}},
                           {**base.vocab.domains, **{d.name: d for d in new["domains"]}},
                           {**base.vocab.indicators,
                            **{i.name: i for i in new["indicators"]}})
        actors = {**base.actors, **{a.id: a for a in new["actors"]}}
        attributes: list[AttributeRecord] = []
        touched: set[ActorId] = set()
        for p in parsed["subjects"]:
            actor_id, values, record = p.record
            actor = actors.get(actor_id)
            if actor is None or actor.kind is not ActorKind.SUBJECT:
                self.errors.append(InvalidValueError(
                    "a subjects row must describe an actor of kind subject", file=p.file,
                    row=p.row, field="id", value=actor_id,
                    expected="the id of a subject in actors.csv or the workspace"))
                continue
            self.check_documents(record.sources, documents, p)
            actors[actor_id] = replace(actor, attributes=MappingProxyType(
                {**actor.attributes, **values}))
            attributes.append(record)
            touched.add(actor_id)
        for p in parsed["actor_attributes"]:
            record = p.record
            actor = actors.get(record.actor)
            if actor is None:
                self.errors.append(UnknownActorError(
                    "unknown actor", file=p.file, row=p.row, field="actor", value=record.actor,
                    expected="an actor id defined in actors.csv or the workspace",
                    hint=did_you_mean(record.actor, actors)))
                continue
            self.check_documents(record.sources, documents, p)
            actors[record.actor] = replace(actor, attributes=MappingProxyType(
                {**actor.attributes, record.attribute: record.value}))
            attributes.append(record)
            touched.add(record.actor)
        for p in parsed["rates"]:
            self.check_documents((SourceRef(p.record.document, p.record.locator),),
                                 documents, p)
        case = Case(
            id=base.id, title=base.title, federation=base.federation, documents=documents,
            vocab=vocab, actors=actors,
            ties={**base.ties, **{t.id: t for t in new["ties"]}},
            observations={**base.observations, **{o.id: o for o in new["observations"]}},
            attributes=[*base.attributes, *attributes],
            rates=RatesTable([*base.rates, *new["rates"]]), adjacency=set(base.adjacency),
            approximate_adjacency=set(base.approximate_adjacency),
            description=base.description, credits=list(base.credits))
        records = {t: new[t] for t in IMPORT_ORDER
                   if t not in ("subjects", "actor_attributes")}
        return case, Batch(records, attributes, frozenset(touched))

    def validate(self, case: Case, parsed: dict[str, list[_Parsed]]) -> None:
        for p in parsed["actors"]:
            self.errors.extend(check_actor(case.actors[p.record.id], case, file=p.file,
                                           row=p.row))
        for p in parsed["ties"]:
            self.errors.extend(check_tie(p.record, case, file=p.file, row=p.row))
        for p in parsed["observations"]:
            self.errors.extend(check_observation(p.record, case, file=p.file, row=p.row))


def _screen_row(screens: Mapping[str, IdScreen], table: str, row: Row, file: str,
                row_number: int) -> list[RegionetError]:
    """Return an error for each id cell of ``row`` holding invisible or lookalike characters."""
    problems: list[RegionetError] = []
    for column, kind in ID_COLUMNS[table].items():
        cell = row.get(column, "")
        items = cell.split(";") if column in LIST_COLUMNS else [cell]
        if column == "sources":
            items = [item.partition(":")[0] for item in items]
        for item in items:
            error = screens[kind].check(item.strip(), file=file, row=row_number, field=column)
            if error is not None:
                problems.append(error)
                break
    return problems


def missing_documents(sources: Sequence[SourceRef], documents: Collection[str], *,
                      file: str | None = None, row: int | None = None) -> list[RegionetError]:
    """Return an error for each source whose document is not in ``documents``."""
    problems: list[RegionetError] = []
    for ref in sources:
        if ref.document not in documents:
            problems.append(UnknownReferenceError(
                "source document does not exist", file=file, row=row, field="sources",
                value=ref.document,
                expected="the id of a document in documents.csv or the workspace",
                hint=did_you_mean(ref.document, documents)))
    return problems


def check_case_sources(case: Case) -> list[RegionetError]:
    """Return the sources of attribute records and rates that cite no known document.

    :func:`regionet.io.casefiles.load_case` checks the sources of actors, ties and
    observations; the workspace's foreign keys need these too.
    """
    problems: list[RegionetError] = []
    for r in case.attributes:
        problems.extend(missing_documents(r.sources, case.documents,
                                          file=f"attribute {r.attribute} of {r.actor}"))
    for rate in case.rates:
        problems.extend(missing_documents(
            (SourceRef(DocumentId(rate.document), rate.locator),), case.documents,
            file=f"rate {rate.base}/{rate.quote} {rate.year}"))
    return problems


def plan_import(base: Case, paths: Sequence[Path], *, table: str | None = None) -> ImportPlan:
    """Parse and validate a batch of files against ``base`` (the workspace's case).

    Raises:
        ValidationError: listing every problem (file, row, field, value, expected).
    """
    planner = _Planner(base)
    files: list[tuple[Path, str]] = []
    for path in map(Path, paths):
        try:
            files.append((path, infer_table(path, table)))
        except RegionetError as err:
            planner.errors.append(err)
    order = {path.name: i for i, path in enumerate(map(Path, paths))}
    order.update({str(path): i for i, path in enumerate(map(Path, paths))})
    files.sort(key=lambda f: IMPORT_ORDER.index(f[1]))
    parsed, planned = planner.parse(files)
    parsed = {t: planner.unique(t, items) for t, items in parsed.items()}
    case, batch = planner.merge(parsed)
    planner.validate(case, parsed)
    if planner.errors:
        errors = sorted(planner.errors,
                        key=lambda e: (order.get(e.file or "", len(order)), e.row or 0))
        raise ValidationError.from_errors(errors)
    planned.sort(key=lambda f: order[str(f.path)])
    counts = {t: len(parsed[t]) for t in IMPORT_ORDER if parsed[t]}
    return ImportPlan(tuple(planned), counts, case, batch)


def plan_rows(plan: ImportPlan, first_record_id: int) -> RowSet:
    """Return the rows a valid plan adds; attribute records get ids from ``first_record_id``."""
    out = RowSet()
    records = plan.batch.records
    for d in records["documents"]:
        out.add_document(d)
    out.add_vocab(Vocabulary({k.name: k for k in records["tie_kinds"]},
                             {d.name: d for d in records["domains"]},
                             {i.name: i for i in records["indicators"]}))
    for a in records["actors"]:
        out.add_actor(plan.case.actors[a.id])
    for actor_id in sorted(plan.batch.touched | {a.id for a in records["actors"]}):
        out.add_values(plan.case.actors[actor_id])
    for i, r in enumerate(plan.batch.attributes, start=first_record_id):
        out.add_attribute(i, r)
    for t in records["ties"]:
        out.add_tie(t)
    for o in records["observations"]:
        out.add_observation(o)
    for rate in records["rates"]:
        out.add_rate(rate)
    return out
