r"""Planning an import: parse a batch of files and validate it against the workspace.

A batch is a list of CSV or JSON files, each feeding one table of
:data:`regionet.io.records.TABLES` (named by ``table=`` or by the end of the file's stem:
``ties.csv``, ``extra_ties.json``). Rows are parsed with the tables' own parsers and checked
with :mod:`regionet.model.validation` against the workspace merged with the whole batch, so
files of one batch may refer to each other. The workspace is read with SQL as needed, never
loaded whole; ties and observations stream in chunks (:mod:`regionet.storage.import_stream`)
to staging tables, so a file of a million rows is checked in bounded memory. Every problem of
every file is collected (the first :data:`MAX_PROBLEMS`, and how many more); a batch with any
problem raises one :class:`~regionet.core.errors.ValidationError` and nothing is written.

Import is insert-only: a key already in the workspace, or twice in the batch, is an error.
Inside a batch, records are written by table dependency (:data:`IMPORT_ORDER`) and then by
key, so the same rows in any order produce the same workspace.

Examples:
    >>> from pathlib import Path
    >>> d = tmp_path
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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from regionet.core.collector import collector_paused
from regionet.core.errors import (
    DataFileError,
    RegionetError,
    UnknownReferenceError,
    ValidationError,
    did_you_mean,
)
from regionet.core.ids import DocumentId
from regionet.io.lookalikes import screen_row
from regionet.io.records import LIST_COLUMNS, TABLES
from regionet.io.tables import Row, read_rows
from regionet.model.actors import AttributeValue
from regionet.model.case import Case
from regionet.model.levels import CROSS_BORDER_STATES
from regionet.model.sources import SourceRef
from regionet.model.validation import Catalog
from regionet.storage.catalog import Borders, borders, federation
from regionet.storage.id_screens import SCREENED_KINDS, id_screens
from regionet.storage.import_records import (
    KEYS,
    SMALL_TABLES,
    Base,
    Parsed,
    SmallBatch,
    missing_documents,
    plan_small_tables,
)
from regionet.storage.import_stream import (
    STREAMED_TABLES,
    RowDigest,
    StreamResult,
    duplicate_error,
    stream_table,
)
from regionet.storage.mapping import decode_value, write_rows
from regionet.storage.schema import METADATA
from regionet.storage.staging import Staging

__all__ = ["IMPORT_ORDER", "MAX_PROBLEMS", "ImportPlan", "PlannedFile", "check_case_sources",
           "infer_table", "missing_documents", "plan_import", "write_plan"]

#: The import tables in dependency order: a table may refer to any table before it.
IMPORT_ORDER: tuple[str, ...] = (
    "documents", "tie_kinds", "domains", "indicators", "actors", "subjects",
    "actor_attributes", "ties", "observations", "rates",
)
#: Problems listed in full; past this, a batch's error says how many more there are.
MAX_PROBLEMS = 10_000


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
class ImportPlan:
    """A validated batch, ready to write (its rows wait in staging tables).

    Attributes:
        files: the files in the order given, with their table and row count.
        counts: rows per table, over the whole batch.
        digest: an order-independent digest of every row of the batch.
        borders_changed: the batch changes borders the classifier reads (a subject's border
            states, a structure's ``cross_border_states``): every stored tie is classified
            again once the batch is written.
        memberships_changed: the batch makes subjects members of associations: the ties
            with an association are classified again once the batch is written.
    """

    files: tuple[PlannedFile, ...]
    counts: Mapping[str, int]
    digest: str = ""
    small: SmallBatch | None = field(default=None, repr=False, compare=False)
    staged: tuple[Staging, ...] = field(default=(), repr=False, compare=False)
    borders_changed: bool = field(default=False, repr=False, compare=False)
    memberships_changed: bool = field(default=False, repr=False, compare=False)

    @property
    def total(self) -> int:
        """Rows in the whole batch."""
        return sum(self.counts.values())


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


def _subject_attributes(small: SmallBatch) -> dict[str, Mapping[str, Any]]:
    return {a.id: a.attributes for a in small.actors.values() if a.kind.value == "subject"}


def _structures_changed(conn: sa.Connection, small: SmallBatch) -> bool:
    """Whether the batch changes the ``cross_border_states`` of a stored actor."""
    new = {a.id for a in small.new_actors}
    touched = sorted(small.touched - new)
    if not touched:
        return False
    values = METADATA.tables["actor_attribute_values"]
    stored: dict[str, AttributeValue] = {
        actor_id: decode_value(value_type, text) for actor_id, value_type, text in conn.execute(
            sa.select(values.c.actor_id, values.c.value_type, values.c.value_text)
            .where(values.c.actor_id.in_(touched),
                   values.c.attribute == CROSS_BORDER_STATES))}
    return any(small.actors[a].attributes.get(CROSS_BORDER_STATES) != stored.get(a)
               for a in touched)


def plan_import(conn: sa.Connection, paths: Sequence[Path], *, table: str | None = None
                ) -> ImportPlan:
    """Parse and validate a batch of files against the workspace open on ``conn``.

    Valid rows of ties and observations are staged in temporary tables of ``conn``;
    :func:`write_plan` (in a write transaction on the same connection) writes them.

    Python's cycle collector is paused meanwhile (:func:`regionet.core.collector.collector_paused`):
    its passes over the batch's live objects cost seconds at a million rows and find nothing.

    Raises:
        ValidationError: listing every problem (file, row, field, value, expected).
    """
    with collector_paused():
        return _plan_import(conn, paths, table)


def _plan_import(conn: sa.Connection, paths: Sequence[Path], table: str | None) -> ImportPlan:
    errors: list[RegionetError] = []
    files: list[tuple[int, Path, str]] = []
    given = [Path(p) for p in paths]
    for index, path in enumerate(given):
        try:
            files.append((index, path, infer_table(path, table)))
        except RegionetError as err:
            errors.append(err)
    files.sort(key=lambda f: IMPORT_ORDER.index(f[2]))
    base = Base(conn)
    digest = RowDigest()
    parsed: dict[str, list[Parsed]] = {t: [] for t in SMALL_TABLES}
    rows_per_file: dict[int, int] = {}
    read: list[tuple[Path, str, list[tuple[int, Row]]]] = []
    for index, path, name in files:
        if name in STREAMED_TABLES:
            continue
        schema = TABLES[name]
        try:
            rows = read_rows(path, schema.required, schema.optional, lists=LIST_COLUMNS)
        except RegionetError as err:
            errors.append(err)
            continue
        rows_per_file[index] = len(rows)
        read.append((path, name, rows))
    screens = id_screens(base, {kind: [row.get(KEYS[kind][0], "") for _, name, rows in read
                                       if name == kind for _, row in rows]
                                for kind in SCREENED_KINDS if kind in SMALL_TABLES})
    for path, name, rows in read:
        schema = TABLES[name]
        for number, row in rows:
            digest.add(name, row)
            screened = screen_row(screens, name, row, file=path.name, row_number=number)
            if screened:  # the row's parser would only add a vaguer error about the same id
                errors.extend(screened)
                continue
            try:
                record = schema.parse(row, file=path.name, row_number=number)
            except RegionetError as err:
                errors.append(err)
                continue
            parsed[name].append(Parsed(path.name, number, record))
    small = plan_small_tables(base, parsed, errors)
    before = borders(conn)
    after: Borders = borders(conn, _subject_attributes(small))
    fed = federation(conn, base.actors, after)
    catalog = Catalog(base.actors, small.documents, small.vocab)
    staged: list[Staging] = []
    counts = dict(small.counts)
    unlisted = 0
    memberships = False
    for name in STREAMED_TABLES:
        mine = [(i, p) for i, p, t in files if t == name]
        if not mine:
            continue
        stage = Staging(conn, name)
        staged.append(stage)
        result = StreamResult(limit=MAX_PROBLEMS)
        stream_table(name, mine, catalog, fed, screens, stage, digest, lambda: bool(errors),
                     result)
        memberships = memberships or result.memberships
        rows_per_file.update(result.rows_per_file)
        names = {i: p.name for i, p in mine}
        repeated = {(d.file, d.row): d for d in stage.duplicates()}
        for where, problems in result.row_errors.items():
            if where not in repeated:
                errors.extend(problems)
        errors.extend(err for _, err in result.other_errors)
        errors.extend(duplicate_error(name, d.key, names[d.file], d.row,
                                      None if d.first is None
                                      else (names[d.first[0]], d.first[1]))
                      for d in repeated.values())
        unlisted += result.unlisted
        if stage.rows:
            counts[name] = stage.rows
    if errors or unlisted:
        raise _validation_error(errors, given, unlisted)
    planned = [PlannedFile(p, t, rows_per_file.get(i, 0))
               for i, p, t in sorted(files, key=lambda f: f[0])]
    ordered = {t: counts[t] for t in IMPORT_ORDER if counts.get(t)}
    return ImportPlan(tuple(planned), ordered, digest.hexdigest(), small, tuple(staged),
                      before != after or _structures_changed(conn, small), memberships)


def _validation_error(errors: list[RegionetError], given: list[Path], unlisted: int = 0
                      ) -> ValidationError:
    order = {path.name: i for i, path in enumerate(given)}
    order.update({str(path): i for i, path in enumerate(given)})
    ordered = sorted(errors, key=lambda e: (order.get(e.file or "", len(order)), e.row or 0))
    rest = unlisted + max(0, len(ordered) - MAX_PROBLEMS)
    if rest:
        ordered = [*ordered[:MAX_PROBLEMS], RegionetError(
            f"{rest} more problem(s) not listed (an import lists the first {MAX_PROBLEMS})")]
    return ValidationError.from_errors(ordered)


def write_plan(conn: sa.Connection, plan: ImportPlan) -> dict[str, int]:
    """Write a valid plan made on ``conn`` inside the caller's write transaction.

    Returns:
        Rows written per workspace table.
    """
    assert plan.small is not None
    records = METADATA.tables["attribute_records"]
    last = conn.execute(sa.select(sa.func.max(records.c.id))).scalar()
    new_actors = {a.id for a in plan.small.new_actors}
    existing = sorted(plan.small.touched - new_actors)
    if existing:
        values = METADATA.tables["actor_attribute_values"]
        conn.execute(sa.delete(values).where(values.c.actor_id.in_(existing)))
    counts = write_rows(conn, plan.small.rows(int(last or 0) + 1))
    for stage in plan.staged:
        stored = int(conn.execute(sa.select(sa.func.count())
                                  .select_from(METADATA.tables[stage.table])).scalar_one())
        for name, n in stage.copy(rebuild_indexes=stage.rows > max(stored, 10_000)).items():
            counts[name] = counts.get(name, 0) + n
    return counts
