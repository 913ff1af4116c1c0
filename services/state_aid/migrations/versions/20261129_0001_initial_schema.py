"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-29 21:50:19.790267
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "eventbus_dead_letter",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("consumer_group", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=249), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("raw_value", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "eventbus_inbox",
        sa.Column("consumer_group", sa.String(length=200), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=249), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer_group", "event_id"),
    )
    op.create_table(
        "eventbus_outbox",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=249), nullable=False),
        sa.Column("message_key", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("envelope", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("eventbus_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_eventbus_outbox_pending", ["published_at", "failed_at", "seq"], unique=False)

    op.create_table(
        "platform_idempotency_key",
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response_body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key"),
    )
    op.create_table(
        "state_aid_enterprise",
        sa.Column("enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_number"),
    )
    op.create_table(
        "state_aid_link",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("linked_enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("enterprise_number <> linked_enterprise_number", name="ck_state_aid_link_two_enterprises"),
        sa.CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="ck_state_aid_link_period"),
        sa.ForeignKeyConstraint(
            ["enterprise_number"],
            ["state_aid_enterprise.enterprise_number"],
        ),
        sa.ForeignKeyConstraint(
            ["linked_enterprise_number"],
            ["state_aid_enterprise.enterprise_number"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("state_aid_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_state_aid_link_enterprise_number"), ["enterprise_number"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_state_aid_link_linked_enterprise_number"), ["linked_enterprise_number"], unique=False
        )

    op.create_table(
        "state_aid_measure",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("instrument", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("source_reference", sa.String(length=120), nullable=False),
        sa.Column("grant_date", sa.Date(), nullable=False),
        sa.Column("gge", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("reserved_gge", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("reference_rate", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("discount_rate", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("legal_basis", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reserved_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('reserved', 'granted', 'released', 'expired')", name="ck_state_aid_measure_status"
        ),
        sa.CheckConstraint("gge >= 0", name="ck_state_aid_measure_gge"),
        sa.ForeignKeyConstraint(
            ["enterprise_number"],
            ["state_aid_enterprise.enterprise_number"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("state_aid_measure", schema=None) as batch_op:
        batch_op.create_index(
            "ix_state_aid_measure_counting", ["enterprise_number", "status", "grant_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_state_aid_measure_source_reference"), ["source_reference"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("state_aid_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_state_aid_measure_source_reference"))
        batch_op.drop_index("ix_state_aid_measure_counting")

    op.drop_table("state_aid_measure")
    with op.batch_alter_table("state_aid_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_state_aid_link_linked_enterprise_number"))
        batch_op.drop_index(batch_op.f("ix_state_aid_link_enterprise_number"))

    op.drop_table("state_aid_link")
    op.drop_table("state_aid_enterprise")
    op.drop_table("platform_idempotency_key")
    with op.batch_alter_table("eventbus_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_eventbus_outbox_pending")

    op.drop_table("eventbus_outbox")
    op.drop_table("eventbus_inbox")
    op.drop_table("eventbus_dead_letter")
