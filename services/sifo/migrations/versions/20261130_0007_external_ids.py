"""external ids: back-office keys on loans and borrowers, unique when given

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("sifo_loan", "sifo_borrower")


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
