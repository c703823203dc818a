"""Alembic's environment for regionet: run programmatically, on the caller's connection.

Users never need an ``alembic.ini``: :mod:`regionet.storage.migrations` builds the
configuration and passes the open connection in ``config.attributes["connection"]``; the
migrations then run inside the caller's transaction (all of them or none).
"""

from __future__ import annotations

from alembic import context

from regionet.storage.migrations import compare_server_default
from regionet.storage.schema import METADATA

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only the programmatic use is supported
    raise RuntimeError("regionet's migrations run through regionet.storage.migrations, "
                       "with an open connection")
# ``target_metadata`` serves only autogenerate (a developer's draft of a new revision, and
# the test that the head schema equals the schema module); the revisions are frozen DDL.
context.configure(connection=connection, target_metadata=METADATA,
                  render_as_batch=connection.dialect.name == "sqlite",
                  compare_type=True, compare_server_default=compare_server_default)
with context.begin_transaction():
    context.run_migrations()
