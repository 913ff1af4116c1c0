"""change stamps: updated_at on applications, for updated_since and sort=updated

Existing rows take their submission time as the time of their last change.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CREATED_COLUMN = {"energy_application": "submitted_at"}


def upgrade() -> None:
    for table, created in CREATED_COLUMN.items():
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        rows = sa.table(table, sa.column("updated_at"), sa.column(created))
        op.execute(rows.update().values(updated_at=rows.c[created]))
        with op.batch_alter_table(table) as batch:
            batch.alter_column("updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        op.create_index(f"ix_{table}_updated_at", table, ["updated_at"])


def downgrade() -> None:
    for table in CREATED_COLUMN:
        op.drop_index(f"ix_{table}_updated_at", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("updated_at")
