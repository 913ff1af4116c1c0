"""external ids: back-office keys on investees and proposals, unique when given

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 18:00:00

A proposal's id is also that of the participation or loan it becomes, so its key names those too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("trividend_investee", "trividend_proposal")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("external_id", sa.String(length=100), nullable=True))
        where = sa.text("external_id IS NOT NULL")
        op.create_index(
            f"ux_{table}_external_id", table, ["external_id"], unique=True, postgresql_where=where, sqlite_where=where
        )


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ux_{table}_external_id", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("external_id")
