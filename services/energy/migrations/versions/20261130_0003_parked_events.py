"""parked events: dead letters keep their event id and type, and when they were replayed

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("eventbus_dead_letter") as batch:
        batch.add_column(sa.Column("event_id", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("event_type", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_eventbus_dead_letter_parked", ["consumer_group", "replayed_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("eventbus_dead_letter") as batch:
        batch.drop_index("ix_eventbus_dead_letter_parked")
        batch.drop_column("replayed_at")
        batch.drop_column("event_type")
        batch.drop_column("event_id")
