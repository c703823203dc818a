"""The workspace's SQL schema: one table per kind of record, link tables for every list.

Types are portable between SQLite and PostgreSQL: text, integers, ``DOUBLE`` for money and
other float64 quantities (SQLite stores them as 8-byte ``REAL``), ``DATE`` for the widest
bound of a partial date (ISO ``YYYY-MM-DD`` text in SQLite) next to the date as the source
gave it. Lists live in link tables so SQL users can query them: the actors of a tie in
order (``tie_actors``), its domains (``tie_domains``) and the sources of every record
(``sources``). ``docs/data.md`` documents every column.

Examples:
    >>> sorted(METADATA.tables)[:4]
    ['actor_attribute_values', 'actors', 'adjacency', 'attribute_records']
    >>> [c.name for c in METADATA.tables["tie_actors"].columns]
    ['tie_id', 'position', 'actor_id']
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from regionet.storage.metadata import METADATA
from regionet.storage.team_schema import create_team_tables

__all__ = ["INPUT_TABLES", "METADATA", "SCHEMA_VERSION", "TABLE_ORDER", "create_schema"]

#: Bumped whenever a table or column changes; stored in ``case_info.schema_version``.
#: 2: ``case_info.revision`` and ``case_info.version``; ``adjacency.approximate``.
#: 3: each tie's level, sublevel, reason and ``neighbours`` stored in ``ties`` (computed by the
#: classifier when the tie is written), indexes for the record queries; link tables without
#: SQLite row ids. (Branch h/inputs also numbered its schema 3: schema 2 with the two tables
#: of registered fiscal inputs, without the stored levels.)
#: 4: both: schema 3 and ``fiscal_inputs`` / ``fiscal_input_files`` (users' registered
#: fiscal inputs). A workspace of schema 1, 2 or either 3 is upgraded on first use.
#: 5: the team tables ``users``, ``proposals`` and the append-only ``history``
#: (:mod:`regionet.storage.team_schema`).
SCHEMA_VERSION = 5

# The team tables (schema 5) are defined on the same METADATA by their own module.

#: Tables with a text key and link tables are keyed by their primary key alone (SQLite
#: ``WITHOUT ROWID``; other databases ignore the option): one B-tree per table instead of
#: two, rows stored in key order, so bulk imports write half as much and lists read in id
#: order.
_WITHOUT_ROWID: dict[str, Any] = {"sqlite_with_rowid": False}


def _text(name: str, *, nullable: bool = False) -> sa.Column[str]:
    """A text column; empty text rather than NULL unless ``nullable``."""
    if nullable:
        return sa.Column(name, sa.Text, nullable=True)
    return sa.Column(name, sa.Text, nullable=False, server_default="")


def _interval(prefix_start: str, prefix_end: str) -> list[sa.Column[Any]]:
    """Four columns for an interval: ISO bounds and the texts as given."""
    return [
        sa.Column(f"{prefix_start}_date", sa.Date, nullable=True),
        sa.Column(f"{prefix_start}_text", sa.Text, nullable=True),
        sa.Column(f"{prefix_end}_date", sa.Date, nullable=True),
        sa.Column(f"{prefix_end}_text", sa.Text, nullable=True),
    ]


def _status() -> list[sa.Column[Any]]:
    return [sa.Column("status", sa.Text, nullable=False, server_default="verified"),
            _text("note")]


sa.Table(
    "case_info", METADATA,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("federation", sa.Text, nullable=False),
    _text("description"),
    sa.Column("schema_version", sa.Integer, nullable=False),
    # Bumped inside every write transaction, with ``version``: a digest chaining the content
    # of every write, so that a deleted and re-created workspace never repeats a version.
    # Caches key on the version (never on the file's time).
    sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
    _text("version"),
)

sa.Table(
    "case_credits", METADATA,
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("credit", sa.Text, nullable=False),
)

sa.Table(
    "documents", METADATA,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    _text("author"),
    sa.Column("year", sa.Integer, nullable=True),
    _text("publisher"),
    _text("url"),
    _text("note"),
)

sa.Table(
    "tie_kinds", METADATA,
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("group", sa.Text, nullable=False),
    sa.Column("directed", sa.Boolean, nullable=False),
    _text("definition"),
    _text("plover"),
    _text("cameo"),
)

sa.Table(
    "domains", METADATA,
    sa.Column("domain", sa.Text, primary_key=True),
    _text("definition"),
)

sa.Table(
    "indicators", METADATA,
    sa.Column("indicator", sa.Text, primary_key=True),
    _text("unit"),
    _text("definition"),
)

# ``parent`` has no foreign key: a parent may be defined after its child in the same file.
sa.Table(
    "actors", METADATA,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, nullable=False, index=True),
    sa.Column("name_en", sa.Text, nullable=False),
    _text("name_local"),
    *_interval("valid_from", "valid_to"),
    sa.Column("parent", sa.Text, nullable=True, index=True),
    *_status(),
    **_WITHOUT_ROWID,
)

# The actor's current attributes (what ``Actor.attributes`` holds), one row per name.
sa.Table(
    "actor_attribute_values", METADATA,
    sa.Column("actor_id", sa.Text, sa.ForeignKey("actors.id"), primary_key=True),
    sa.Column("attribute", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("value_type", sa.Text, nullable=False),
    sa.Column("value_text", sa.Text, nullable=True),
    sa.Column("value_number", sa.Double, nullable=True),
    **_WITHOUT_ROWID,
)

# The sourced attribute records (``Case.attributes``), in order; ``subject_row`` records
# stand for rows of ``subjects.csv`` (their value is the subject's type).
sa.Table(
    "attribute_records", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("actor_id", sa.Text, sa.ForeignKey("actors.id"), nullable=False, index=True),
    sa.Column("attribute", sa.Text, nullable=False),
    sa.Column("value_type", sa.Text, nullable=False),
    sa.Column("value_text", sa.Text, nullable=True),
    sa.Column("value_number", sa.Double, nullable=True),
    _text("unit"),
    *_status(),
)

#: The columns the level classifier fills in ``ties`` (schema 3); not part of a tie's data.
CLASSIFICATION_COLUMNS: tuple[str, ...] = ("level", "sublevel", "level_reason", "neighbours")

# ``level`` … ``neighbours`` are derived: the classifier (code, not hand labels) computes them
# whenever a tie is written, and again when an import changes what it reads (borders, a
# structure's states, an association's members). They are stored so that lists filter and
# count by level in SQL.
sa.Table(
    "ties", METADATA,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, sa.ForeignKey("tie_kinds.kind"), nullable=False, index=True),
    *_interval("start", "end"),
    sa.Column("amount", sa.Double, nullable=True),
    sa.Column("currency", sa.Text, nullable=True),
    sa.Column("amount_year", sa.Integer, nullable=True),
    sa.Column("quantity", sa.Double, nullable=True),
    _text("unit"),
    sa.Column("location", sa.Text, sa.ForeignKey("actors.id"), nullable=True, index=True),
    _text("description"),
    *_status(),
    _text("level"),
    sa.Column("sublevel", sa.Text, nullable=True),
    _text("level_reason"),
    sa.Column("neighbours", sa.Boolean, nullable=True),
    sa.Index("ix_ties_level", "level", "sublevel"),
    **_WITHOUT_ROWID,
)

sa.Table(
    "tie_actors", METADATA,
    sa.Column("tie_id", sa.Text, sa.ForeignKey("ties.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("actor_id", sa.Text, sa.ForeignKey("actors.id"), nullable=False, index=True),
    **_WITHOUT_ROWID,
)

sa.Table(
    "tie_domains", METADATA,
    sa.Column("tie_id", sa.Text, sa.ForeignKey("ties.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("domain", sa.Text, sa.ForeignKey("domains.domain"), nullable=False, index=True),
    **_WITHOUT_ROWID,
)

# ``indicator`` has no foreign key: a case without an indicators vocabulary accepts any.
sa.Table(
    "observations", METADATA,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("indicator", sa.Text, nullable=False, index=True),
    sa.Column("subject", sa.Text, sa.ForeignKey("actors.id"), nullable=False, index=True),
    sa.Column("value", sa.Double, nullable=True),
    _text("value_text"),
    sa.Column("comparator", sa.Text, nullable=False, server_default="="),
    _text("unit"),
    *_interval("start", "end"),
    *_status(),
    **_WITHOUT_ROWID,
)

sa.Table(
    "rates", METADATA,
    sa.Column("base", sa.Text, primary_key=True),
    sa.Column("quote", sa.Text, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("rate", sa.Double, nullable=False),
    sa.Column("document_id", sa.Text, sa.ForeignKey("documents.id"), nullable=False),
    _text("locator"),
    sa.Column("status", sa.Text, nullable=False, server_default="verified"),
)

# Sources of actors, attribute records, ties and observations. ``record_id`` is the
# record's id as text (the integer id for ``attribute_records``).
sa.Table(
    "sources", METADATA,
    sa.Column("record_table", sa.Text, primary_key=True),
    sa.Column("record_id", sa.Text, primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("document_id", sa.Text, sa.ForeignKey("documents.id"), nullable=False,
              index=True),
    sa.Column("locator", sa.Text, nullable=False),
    **_WITHOUT_ROWID,
)

# Unordered pairs of members sharing a border, stored with ``a <= b``; ``approximate`` marks
# a border known only approximately (inherited from a later successor's polygon).
sa.Table(
    "adjacency", METADATA,
    sa.Column("a", sa.Text, primary_key=True),
    sa.Column("b", sa.Text, primary_key=True),
    sa.Column("approximate", sa.Boolean, nullable=False, server_default=sa.false()),
    **_WITHOUT_ROWID,
)

# Users' fiscal inputs registered with ``regionet fiscal inputs add`` (schema 4). The files
# live in a folder beside the database; these rows name them, with their SHA-256 checksums.
# They are not part of the case: ``TABLE_ORDER`` (the case's tables) leaves them out.
sa.Table(
    "fiscal_inputs", METADATA,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("checksum", sa.Text, nullable=False),
    sa.Column("folder", sa.Text, nullable=False),
    _text("years"),
    sa.Column("added", sa.Text, nullable=False),
    **_WITHOUT_ROWID,
)

sa.Table(
    "fiscal_input_files", METADATA,
    sa.Column("name", sa.Text, sa.ForeignKey("fiscal_inputs.name"), primary_key=True),
    sa.Column("role", sa.Text, primary_key=True),
    sa.Column("file", sa.Text, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    _text("source"),
    **_WITHOUT_ROWID,
)

#: Tables in an order that satisfies every foreign key when inserting.
TABLE_ORDER: tuple[str, ...] = (
    "case_info", "case_credits", "documents", "tie_kinds", "domains", "indicators", "actors",
    "actor_attribute_values", "attribute_records", "ties", "tie_actors", "tie_domains",
    "observations", "rates", "sources", "adjacency",
)
#: The tables of registered fiscal inputs, in insertion order (not part of the case).
INPUT_TABLES: tuple[str, ...] = ("fiscal_inputs", "fiscal_input_files")


def create_schema(conn: sa.Connection) -> None:
    """Create every table, then every index, in a fixed order.

    ``MetaData.create_all`` emits a table's indexes in set order, which varies between
    processes; a fixed order makes two workspaces built from the same case byte-identical.
    """
    for table in METADATA.sorted_tables:
        conn.execute(sa.schema.CreateTable(table))
    for table in METADATA.sorted_tables:
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            conn.execute(sa.schema.CreateIndex(index))
    create_team_tables(conn)  # history's append-only guards (and grants on PostgreSQL)
