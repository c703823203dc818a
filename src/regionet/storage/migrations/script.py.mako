"""${message}

Frozen DDL: write every operation out (op.add_column, op.create_table, …); never build it
from regionet.storage.schema at run time. Bump SCHEMA_VERSION in the schema module and set
case_info.schema_version here (see docs/server.md, "Migrations").

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision: str | None = ${repr(down_revision)}
branch_labels: str | None = ${repr(branch_labels)}
depends_on: str | None = ${repr(depends_on)}


def upgrade() -> None:
    """Describe what this step changes."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Undo :func:`upgrade`."""
    ${downgrades if downgrades else "pass"}
