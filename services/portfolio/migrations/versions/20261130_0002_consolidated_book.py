"""consolidated book: events heard, quarter cut-offs, exports; parked events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 00:34:27.087637
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portfolio_event",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("known_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic", sa.String(length=249), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("portfolio_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portfolio_event_event_type"), ["event_type"], unique=False)
        batch_op.create_index("ix_portfolio_event_known", ["known_at", "event_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_portfolio_event_subject"), ["subject"], unique=False)

    op.create_table(
        "portfolio_export",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("portfolio_export", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portfolio_export_quarter"), ["quarter"], unique=False)

    op.create_table(
        "portfolio_quarter_cutoff",
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("positions", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("quarter"),
    )
    op.create_table(
        "portfolio_export_file",
        sa.Column("export_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"],
            ["portfolio_export.id"],
        ),
        sa.PrimaryKeyConstraint("export_id", "name"),
    )
    with op.batch_alter_table("eventbus_dead_letter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column("event_type", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_eventbus_dead_letter_parked", ["consumer_group", "replayed_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("eventbus_dead_letter", schema=None) as batch_op:
        batch_op.drop_index("ix_eventbus_dead_letter_parked")
        batch_op.drop_column("replayed_at")
        batch_op.drop_column("event_type")
        batch_op.drop_column("event_id")

    op.drop_table("portfolio_export_file")
    op.drop_table("portfolio_quarter_cutoff")
    with op.batch_alter_table("portfolio_export", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolio_export_quarter"))

    op.drop_table("portfolio_export")
    with op.batch_alter_table("portfolio_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolio_event_subject"))
        batch_op.drop_index("ix_portfolio_event_known")
        batch_op.drop_index(batch_op.f("ix_portfolio_event_event_type"))

    op.drop_table("portfolio_event")
