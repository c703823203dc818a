"""Schema 4: the baseline (every table of a workspace as of regionet 0.1).

Frozen DDL: written out once from the schema of that time and never generated again, so
that a later change of :mod:`regionet.storage.schema` cannot change what this step does.
Workspaces made before migrations existed (schema 1 to 4, no ``alembic_version`` table) are
brought to schema 4 by :func:`regionet.storage.workspace._upgrade` and stamped ``0004``.

Revision ID: 0004
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create every table and index of schema 4 (no rows: ``regionet data init`` adds them)."""
    op.create_table("actors",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("name_local", sa.Text(), server_default="", nullable=False),
        sa.Column("valid_from_date", sa.Date(), nullable=True),
        sa.Column("valid_from_text", sa.Text(), nullable=True),
        sa.Column("valid_to_date", sa.Date(), nullable=True),
        sa.Column("valid_to_text", sa.Text(), nullable=True),
        sa.Column("parent", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="verified", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sqlite_with_rowid=False
    )
    op.create_index(op.f("ix_actors_kind"), "actors", ["kind"], unique=False)
    op.create_index(op.f("ix_actors_parent"), "actors", ["parent"], unique=False)
    op.create_table("adjacency",
        sa.Column("a", sa.Text(), nullable=False),
        sa.Column("b", sa.Text(), nullable=False),
        sa.Column("approximate", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("a", "b"),
        sqlite_with_rowid=False
    )
    op.create_table("case_credits",
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("credit", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("position")
    )
    op.create_table("case_info",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("federation", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.Column("version", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id")
    )
    op.create_table("documents",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), server_default="", nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("publisher", sa.Text(), server_default="", nullable=False),
        sa.Column("url", sa.Text(), server_default="", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id")
    )
    op.create_table("domains",
        sa.Column("domain", sa.Text(), nullable=False),
        sa.Column("definition", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("domain")
    )
    op.create_table("fiscal_inputs",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("checksum", sa.Text(), nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("years", sa.Text(), server_default="", nullable=False),
        sa.Column("added", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
        sqlite_with_rowid=False
    )
    op.create_table("indicators",
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("unit", sa.Text(), server_default="", nullable=False),
        sa.Column("definition", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("indicator")
    )
    op.create_table("tie_kinds",
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("group", sa.Text(), nullable=False),
        sa.Column("directed", sa.Boolean(), nullable=False),
        sa.Column("definition", sa.Text(), server_default="", nullable=False),
        sa.Column("plover", sa.Text(), server_default="", nullable=False),
        sa.Column("cameo", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("kind")
    )
    op.create_table("actor_attribute_values",
        sa.Column("actor_id", sa.Text(), nullable=False),
        sa.Column("attribute", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("value_type", sa.Text(), nullable=False),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("value_number", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["actors.id"], ),
        sa.PrimaryKeyConstraint("actor_id", "attribute"),
        sqlite_with_rowid=False
    )
    op.create_table("attribute_records",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("actor_id", sa.Text(), nullable=False),
        sa.Column("attribute", sa.Text(), nullable=False),
        sa.Column("value_type", sa.Text(), nullable=False),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("value_number", sa.Double(), nullable=True),
        sa.Column("unit", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.Text(), server_default="verified", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["actors.id"], ),
        sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_attribute_records_actor_id"), "attribute_records", ["actor_id"],
                    unique=False)
    op.create_table("fiscal_input_files",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["name"], ["fiscal_inputs.name"], ),
        sa.PrimaryKeyConstraint("name", "role"),
        sqlite_with_rowid=False
    )
    op.create_table("observations",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("indicator", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("value_text", sa.Text(), server_default="", nullable=False),
        sa.Column("comparator", sa.Text(), server_default="=", nullable=False),
        sa.Column("unit", sa.Text(), server_default="", nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("start_text", sa.Text(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_text", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), server_default="verified", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["subject"], ["actors.id"], ),
        sa.PrimaryKeyConstraint("id"),
        sqlite_with_rowid=False
    )
    op.create_index(op.f("ix_observations_indicator"), "observations", ["indicator"], unique=False)
    op.create_index(op.f("ix_observations_subject"), "observations", ["subject"], unique=False)
    op.create_table("rates",
        sa.Column("base", sa.Text(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rate", sa.Double(), nullable=False),
        sa.Column("document_id", sa.Text(), nullable=False),
        sa.Column("locator", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.Text(), server_default="verified", nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ),
        sa.PrimaryKeyConstraint("base", "quote", "year")
    )
    op.create_table("sources",
        sa.Column("record_table", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document_id", sa.Text(), nullable=False),
        sa.Column("locator", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ),
        sa.PrimaryKeyConstraint("record_table", "record_id", "position"),
        sqlite_with_rowid=False
    )
    op.create_index(op.f("ix_sources_document_id"), "sources", ["document_id"], unique=False)
    op.create_table("ties",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("start_text", sa.Text(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_text", sa.Text(), nullable=True),
        sa.Column("amount", sa.Double(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("amount_year", sa.Integer(), nullable=True),
        sa.Column("quantity", sa.Double(), nullable=True),
        sa.Column("unit", sa.Text(), server_default="", nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("status", sa.Text(), server_default="verified", nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.Column("level", sa.Text(), server_default="", nullable=False),
        sa.Column("sublevel", sa.Text(), nullable=True),
        sa.Column("level_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("neighbours", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(["kind"], ["tie_kinds.kind"], ),
        sa.ForeignKeyConstraint(["location"], ["actors.id"], ),
        sa.PrimaryKeyConstraint("id"),
        sqlite_with_rowid=False
    )
    op.create_index(op.f("ix_ties_kind"), "ties", ["kind"], unique=False)
    op.create_index("ix_ties_level", "ties", ["level", "sublevel"], unique=False)
    op.create_index(op.f("ix_ties_location"), "ties", ["location"], unique=False)
    op.create_table("tie_actors",
        sa.Column("tie_id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("actor_id", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["actors.id"], ),
        sa.ForeignKeyConstraint(["tie_id"], ["ties.id"], ),
        sa.PrimaryKeyConstraint("tie_id", "position"),
        sqlite_with_rowid=False
    )
    op.create_index(op.f("ix_tie_actors_actor_id"), "tie_actors", ["actor_id"], unique=False)
    op.create_table("tie_domains",
        sa.Column("tie_id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("domain", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["domain"], ["domains.domain"], ),
        sa.ForeignKeyConstraint(["tie_id"], ["ties.id"], ),
        sa.PrimaryKeyConstraint("tie_id", "position"),
        sqlite_with_rowid=False
    )
    op.create_index(op.f("ix_tie_domains_domain"), "tie_domains", ["domain"], unique=False)


def downgrade() -> None:
    """Drop every table of schema 4 (and so every record)."""
    op.drop_table("tie_domains")
    op.drop_table("tie_actors")
    op.drop_table("ties")
    op.drop_table("sources")
    op.drop_table("rates")
    op.drop_table("observations")
    op.drop_table("fiscal_input_files")
    op.drop_table("attribute_records")
    op.drop_table("actor_attribute_values")
    op.drop_table("tie_kinds")
    op.drop_table("indicators")
    op.drop_table("fiscal_inputs")
    op.drop_table("domains")
    op.drop_table("documents")
    op.drop_table("case_info")
    op.drop_table("case_credits")
    op.drop_table("adjacency")
    op.drop_table("actors")
