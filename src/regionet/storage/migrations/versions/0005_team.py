"""Schema 5: the team tables (accounts, proposals under review, append-only history).

Frozen DDL (issue 12): ``users`` (accounts, argon2 token hashes), ``proposals`` (editors'
changes waiting for review) and ``history`` (every change: who, when, before, after), with
triggers that refuse ``UPDATE`` and ``DELETE`` (and, on PostgreSQL, ``TRUNCATE``) on
``history``; on PostgreSQL the role ``regionet_app`` gets ``SELECT, INSERT`` only on
``history``. Sets ``case_info.schema_version`` to 5 where a case is stored.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_REFUSAL = "history is append-only: rows cannot be updated or deleted"
_SQLITE_GUARDS = (
    "CREATE TRIGGER IF NOT EXISTS history_no_update BEFORE UPDATE ON history "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
    "CREATE TRIGGER IF NOT EXISTS history_no_delete BEFORE DELETE ON history "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
)
_PG_GUARDS = (
    f"""CREATE OR REPLACE FUNCTION regionet_history_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$""",
    "DROP TRIGGER IF EXISTS history_append_only ON history",
    """CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON history
    FOR EACH ROW EXECUTE FUNCTION regionet_history_append_only()""",
    "DROP TRIGGER IF EXISTS history_no_truncate ON history",
    """CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON history
    FOR EACH STATEMENT EXECUTE FUNCTION regionet_history_append_only()""",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'regionet_app') THEN
            CREATE ROLE regionet_app NOLOGIN;
        END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$""",
)
_PG_GRANTS = (
    """DO $$ DECLARE t text; BEGIN
        FOR t IN SELECT tablename FROM pg_tables
                 WHERE schemaname = current_schema() AND tablename <> 'history' LOOP
            EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO regionet_app', t);
        END LOOP;
    END $$""",
    "REVOKE ALL ON history FROM regionet_app",
    "GRANT SELECT, INSERT ON history TO regionet_app",
    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO regionet_app",
)


def upgrade() -> None:
    """Create the three team tables, history's guards, the grants; mark schema 5."""
    op.create_table("users",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("token_id", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name"),
        sa.UniqueConstraint("token_id"),
    )
    op.create_table("proposals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("resource", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("base_etag", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), server_default="proposed", nullable=False),
        sa.Column("reviewer", sa.Text(), nullable=True),
        sa.Column("reviewed_at", sa.Text(), nullable=True),
        sa.Column("status_given", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_proposals_state", "proposals", ["state"], unique=False)
    op.create_table("history",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("resource", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("at", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("resource", "record_id", "version", name="uq_history_version"),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_GUARDS:
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in (*_PG_GUARDS, *_PG_GRANTS):
            op.execute(statement)
    op.execute("UPDATE case_info SET schema_version = 5")


def downgrade() -> None:
    """Drop the team tables (and with them accounts, proposals and the history)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS history_append_only ON history")
        op.execute("DROP TRIGGER IF EXISTS history_no_truncate ON history")
    op.drop_table("history")
    op.drop_index("ix_proposals_state", table_name="proposals")
    op.drop_table("proposals")
    op.drop_table("users")
    op.execute("UPDATE case_info SET schema_version = 4")
