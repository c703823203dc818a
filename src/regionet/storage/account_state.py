"""The bearer check's read on PostgreSQL: an account and the workspace's state in one round trip.

Every API request checks its token against the ``users`` table and reads the workspace's
revision and version (what its cached answers are keyed by). As a read transaction that was
five round trips, each a statement through SQLAlchemy and psycopg: the pool's pre-ping,
``BEGIN``, the header, the account, ``COMMIT`` (≈ 0.4 ms of the server's CPU, and the
database's, for each request). Here it is two: the pre-ping, then one query string of two
statements, which PostgreSQL runs as one implicit transaction (the simple query protocol):

.. code-block:: sql

    SET LOCAL statement_timeout = 30000;
    SELECT case_info.schema_version, case_info.revision, case_info.version, users.…
      FROM case_info LEFT JOIN users ON users.token_id = '…'

The ``SELECT`` is one statement, so it sees one snapshot (the header and the account agree),
and it is bounded by the same statement timeout as every read
(:data:`~regionet.storage.database.READ_WAIT_SECONDS`). Only for a workspace whose schema is
known to be current; anything unexpected (an older schema, an error) returns None and the
caller reads the careful way (:meth:`Workspace.snapshot
<regionet.storage.workspace.Workspace.snapshot>`), which raises the readable error.
"""

from __future__ import annotations

from typing import Any

from regionet.storage import database
from regionet.storage.accounts import Account
from regionet.storage.schema import METADATA

__all__ = ["account_and_state"]

_USERS = METADATA.tables["users"]
_ACCOUNT_COLUMNS = tuple(c.name for c in _USERS.columns)


def _text(dbapi_connection: Any, token_id: str) -> str:
    from psycopg import sql

    columns = sql.SQL(", ").join(
        [sql.Identifier("case_info", c) for c in ("schema_version", "revision", "version")]
        + [sql.Identifier("users", c) for c in _ACCOUNT_COLUMNS])
    query = sql.SQL(
        "SET LOCAL statement_timeout = {timeout}; SELECT {columns} FROM case_info "
        "LEFT JOIN users ON users.token_id = {token_id}").format(
        timeout=sql.Literal(int(database.READ_WAIT_SECONDS * 1000)), columns=columns,
        token_id=sql.Literal(token_id))
    return query.as_string(dbapi_connection)


def account_and_state(db: database.Database, token_id: str
                      ) -> tuple[Account | None, int, int, str] | None:
    """``(account or None, schema version, revision, version)`` in one round trip, or None.

    PostgreSQL only. None when the query failed or found no header: the caller then reads
    the careful way.

    Raises:
        sqlalchemy.exc.SQLAlchemyError: no connection could be made (the database is down):
            the caller turns it into its readable error at once, without trying again.

    Args:
        db: a PostgreSQL workspace database.
        token_id: the public prefix of a token (10 hex digits).
    """
    with db.connect() as conn:  # no connection: SQLAlchemy's error, at once (no retry)
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        raw = conn.connection.dbapi_connection
        if raw is None:
            return None
        cursor = raw.cursor()
        try:
            cursor.execute(_text(raw, token_id))  # no parameters: the simple query protocol
            cursor.nextset()  # past the SET's empty result
            row = cursor.fetchone()
        except conn.dialect.loaded_dbapi.Error:
            return None
        finally:
            cursor.close()
    if row is None:
        return None
    user = dict(zip(_ACCOUNT_COLUMNS, row[3:], strict=True))
    account = None if user["token_id"] is None else Account(**user)
    return account, int(row[0]), int(row[1]), str(row[2])
