"""The team tables (schema 5): accounts, proposed changes under review, and the history.

- ``users``: one account per name, its role (reader, editor, reviewer, admin) and the argon2
  hash of its token. ``token_id`` is the token's public prefix, used to find the hash.
- ``proposals``: an editor's create, update or delete of an actor, tie, observation or
  document, waiting for review. The main tables hold accepted records only.
- ``history``: every change to a record (accepted proposal, CLI import, revert), with who,
  when, the record before and after (JSON). Append-only: triggers refuse ``UPDATE`` and
  ``DELETE`` on SQLite and PostgreSQL, and on PostgreSQL the application role
  ``regionet_app`` is granted only ``SELECT, INSERT`` on it.

These tables are not part of the case (``TABLE_ORDER`` leaves them out).

Examples:
    >>> [c.name for c in METADATA.tables["history"].columns][:4]
    ['seq', 'resource', 'record_id', 'version']
    >>> TEAM_TABLES
    ('users', 'proposals', 'history')
"""

from __future__ import annotations

import sqlalchemy as sa

from regionet.storage.metadata import METADATA

__all__ = ["APP_ROLE", "TEAM_TABLES", "create_team_tables", "history_guards"]

#: The PostgreSQL role a team server's application should connect as (or ``SET ROLE`` to).
APP_ROLE = "regionet_app"
TEAM_TABLES: tuple[str, ...] = ("users", "proposals", "history")

sa.Table(
    "users", METADATA,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("token_id", sa.Text, nullable=False, unique=True),
    sa.Column("token_hash", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("revoked_at", sa.Text, nullable=True),
)

sa.Table(
    "proposals", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("resource", sa.Text, nullable=False),
    sa.Column("record_id", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("payload", sa.Text, nullable=True),
    sa.Column("base_etag", sa.Text, nullable=True),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("state", sa.Text, nullable=False, server_default="proposed"),
    sa.Column("reviewer", sa.Text, nullable=True),
    sa.Column("reviewed_at", sa.Text, nullable=True),
    sa.Column("status_given", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Index("ix_proposals_state", "state"),
)

sa.Table(
    "history", METADATA,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("resource", sa.Text, nullable=False),
    sa.Column("record_id", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("who", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("before", sa.Text, nullable=True),
    sa.Column("after", sa.Text, nullable=True),
    sa.Column("proposal_id", sa.Integer, nullable=True),
    sa.UniqueConstraint("resource", "record_id", "version", name="uq_history_version"),
)

_REFUSAL = "history is append-only: rows cannot be updated or deleted"

_SQLITE_GUARDS = tuple(
    f"CREATE TRIGGER IF NOT EXISTS history_no_{op.lower()} BEFORE {op} ON history "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END"
    for op in ("UPDATE", "DELETE"))

_PG_GUARDS = (
    f"""CREATE OR REPLACE FUNCTION regionet_history_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$""",
    "DROP TRIGGER IF EXISTS history_append_only ON history",
    """CREATE TRIGGER history_append_only BEFORE UPDATE OR DELETE ON history
    FOR EACH ROW EXECUTE FUNCTION regionet_history_append_only()""",
    "DROP TRIGGER IF EXISTS history_no_truncate ON history",
    """CREATE TRIGGER history_no_truncate BEFORE TRUNCATE ON history
    FOR EACH STATEMENT EXECUTE FUNCTION regionet_history_append_only()""",
    # Roles belong to the cluster: two workspaces created at once may both try to create it.
    f"""DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
            CREATE ROLE {APP_ROLE} NOLOGIN;
        END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$""",
)


def history_guards(dialect: str) -> tuple[str, ...]:
    """The DDL statements that make ``history`` append-only on ``dialect``.

    Examples:
        >>> history_guards("sqlite")[0].split(" BEGIN")[0]
        'CREATE TRIGGER IF NOT EXISTS history_no_update BEFORE UPDATE ON history'
    """
    if dialect == "sqlite":
        return _SQLITE_GUARDS
    if dialect == "postgresql":
        return _PG_GUARDS
    return ()


def _grants(conn: sa.Connection) -> None:
    """Give ``regionet_app`` what the application needs, and no way to rewrite history."""
    names = [t.name for t in METADATA.sorted_tables if t.name != "history"]
    present = set(sa.inspect(conn).get_table_names())
    tables = ", ".join(n for n in names if n in present)
    conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {APP_ROLE}")
    conn.exec_driver_sql(f"REVOKE ALL ON history FROM {APP_ROLE}")
    conn.exec_driver_sql(f"GRANT SELECT, INSERT ON history TO {APP_ROLE}")
    conn.exec_driver_sql(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")


def create_team_tables(conn: sa.Connection) -> None:
    """Create the team tables that are missing, the history guards and (PostgreSQL) grants.

    Called by :func:`regionet.storage.schema.create_schema` and by the upgrade of a
    schema-4 workspace, inside the caller's transaction.
    """
    for name in TEAM_TABLES:
        METADATA.tables[name].create(conn, checkfirst=True)
    dialect = conn.dialect.name
    for statement in history_guards(dialect):
        conn.exec_driver_sql(statement)
    if dialect == "postgresql":
        _grants(conn)
