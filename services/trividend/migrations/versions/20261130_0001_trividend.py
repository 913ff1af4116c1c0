"""investees, committee decisions, participations, loans, valuations, follow-up

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-30 01:10:22.464789
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
        sa.Column("event_id", sa.String(length=36), nullable=True),
        sa.Column("event_type", sa.String(length=200), nullable=True),
        sa.Column("raw_value", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("eventbus_dead_letter", schema=None) as batch_op:
        batch_op.create_index("ix_eventbus_dead_letter_parked", ["consumer_group", "replayed_at", "id"], unique=False)

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
        "trividend_closed_quarter",
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("closed_by", sa.String(length=200), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("quarter"),
    )
    op.create_table(
        "trividend_investee",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("legal_form", sa.String(length=20), nullable=False),
        sa.Column("sector", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enterprise_number"),
    )
    op.create_table(
        "trividend_board_seat",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("investee_id", sa.String(length=36), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["investee_id"],
            ["trividend_investee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trividend_board_seat", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trividend_board_seat_investee_id"), ["investee_id"], unique=False)

    op.create_table(
        "trividend_headcount",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("investee_id", sa.String(length=36), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("target_group_vte", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["investee_id"],
            ["trividend_investee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("investee_id", "on", name="uq_trividend_headcount_day"),
    )
    with op.batch_alter_table("trividend_headcount", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trividend_headcount_investee_id"), ["investee_id"], unique=False)

    op.create_table(
        "trividend_kpi_report",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("investee_id", sa.String(length=36), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("target_group_vte", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("turnover", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("result", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("equity", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["investee_id"],
            ["trividend_investee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("investee_id", "period_end", name="uq_trividend_kpi_period"),
    )
    with op.batch_alter_table("trividend_kpi_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trividend_kpi_report_investee_id"), ["investee_id"], unique=False)

    op.create_table(
        "trividend_proposal",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("investee_id", sa.String(length=36), nullable=False),
        sa.Column("instrument", sa.String(length=30), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("loan_terms", sa.Text(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("proposed_by", sa.String(length=200), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["investee_id"],
            ["trividend_investee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trividend_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trividend_proposal_investee_id"), ["investee_id"], unique=False)

    op.create_table(
        "trividend_share_count",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("investee_id", sa.String(length=36), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("shares_outstanding", sa.BigInteger(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["investee_id"],
            ["trividend_investee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("investee_id", "on", name="uq_trividend_share_count_day"),
    )
    with op.batch_alter_table("trividend_share_count", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trividend_share_count_investee_id"), ["investee_id"], unique=False)

    op.create_table(
        "trividend_support_session",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("investee_id", sa.String(length=36), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("hours", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["investee_id"],
            ["trividend_investee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trividend_support_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trividend_support_session_investee_id"), ["investee_id"], unique=False)

    op.create_table(
        "trividend_loan",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("investee_id", sa.String(length=36), nullable=False),
        sa.Column("instrument", sa.String(length=30), nullable=False),
        sa.Column("principal", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("annual_rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("periods", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("rating", sa.String(length=20), nullable=False),
        sa.Column("collateral", sa.String(length=20), nullable=False),
        sa.Column("reference_rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("discount_rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("gge", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("grant_date", sa.Date(), nullable=False),
        sa.Column("sifo_loan_id", sa.String(length=36), nullable=True),
        sa.Column("interest_converts", sa.Boolean(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=True),
        sa.Column("disbursed_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("defaulted_on", sa.Date(), nullable=True),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("written_off_on", sa.Date(), nullable=True),
        sa.Column("written_off_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("converted_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["trividend_proposal.id"],
        ),
        sa.ForeignKeyConstraint(
            ["investee_id"],
            ["trividend_investee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trividend_loan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trividend_loan_investee_id"), ["investee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trividend_loan_status"), ["status"], unique=False)

    op.create_table(
        "trividend_participation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("investee_id", sa.String(length=36), nullable=False),
        sa.Column("committed", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["trividend_proposal.id"],
        ),
        sa.ForeignKeyConstraint(
            ["investee_id"],
            ["trividend_investee.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trividend_participation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trividend_participation_investee_id"), ["investee_id"], unique=False)

    op.create_table(
        "trividend_decision",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("loan_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("prepared_by", sa.String(length=200), nullable=False),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["trividend_loan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trividend_decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trividend_decision_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "trividend_exit",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("participation_id", sa.String(length=36), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("shares_sold", sa.BigInteger(), nullable=False),
        sa.Column("proceeds", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("prepared_by", sa.String(length=200), nullable=False),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participation_id"],
            ["trividend_participation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trividend_exit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trividend_exit_participation_id"), ["participation_id"], unique=False)

    op.create_table(
        "trividend_loan_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("loan_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("mode", sa.String(length=30), nullable=True),
        sa.Column("annual_rate", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("terms", sa.Text(), nullable=True),
        sa.Column("reverses", sa.BigInteger(), nullable=True),
        sa.Column("decision_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["trividend_loan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trividend_loan_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trividend_loan_event_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "trividend_movement",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("participation_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("shares", sa.BigInteger(), nullable=False),
        sa.Column("price_per_share", sa.Numeric(precision=18, scale=6), nullable=True),
        sa.Column("cost_of_shares_sold", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participation_id"],
            ["trividend_participation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trividend_movement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trividend_movement_participation_id"), ["participation_id"], unique=False)

    op.create_table(
        "trividend_valuation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("participation_id", sa.String(length=36), nullable=False),
        sa.Column("quarter", sa.String(length=6), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("fair_value", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("corrects", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("prepared_by", sa.String(length=200), nullable=False),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["participation_id"],
            ["trividend_participation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trividend_valuation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trividend_valuation_participation_id"), ["participation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trividend_valuation_quarter"), ["quarter"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("trividend_valuation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trividend_valuation_quarter"))
        batch_op.drop_index(batch_op.f("ix_trividend_valuation_participation_id"))

    op.drop_table("trividend_valuation")
    with op.batch_alter_table("trividend_movement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trividend_movement_participation_id"))

    op.drop_table("trividend_movement")
    with op.batch_alter_table("trividend_loan_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trividend_loan_event_loan_id"))

    op.drop_table("trividend_loan_event")
    with op.batch_alter_table("trividend_exit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trividend_exit_participation_id"))

    op.drop_table("trividend_exit")
    with op.batch_alter_table("trividend_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trividend_decision_loan_id"))

    op.drop_table("trividend_decision")
    with op.batch_alter_table("trividend_participation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trividend_participation_investee_id"))

    op.drop_table("trividend_participation")
    with op.batch_alter_table("trividend_loan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trividend_loan_status"))
        batch_op.drop_index(batch_op.f("ix_trividend_loan_investee_id"))

    op.drop_table("trividend_loan")
    with op.batch_alter_table("trividend_support_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trividend_support_session_investee_id"))

    op.drop_table("trividend_support_session")
    with op.batch_alter_table("trividend_share_count", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trividend_share_count_investee_id"))

    op.drop_table("trividend_share_count")
    with op.batch_alter_table("trividend_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trividend_proposal_investee_id"))

    op.drop_table("trividend_proposal")
    with op.batch_alter_table("trividend_kpi_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trividend_kpi_report_investee_id"))

    op.drop_table("trividend_kpi_report")
    with op.batch_alter_table("trividend_headcount", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trividend_headcount_investee_id"))

    op.drop_table("trividend_headcount")
    with op.batch_alter_table("trividend_board_seat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trividend_board_seat_investee_id"))

    op.drop_table("trividend_board_seat")
    op.drop_table("trividend_investee")
    op.drop_table("trividend_closed_quarter")
    op.drop_table("platform_idempotency_key")
    with op.batch_alter_table("eventbus_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_eventbus_outbox_pending")

    op.drop_table("eventbus_outbox")
    op.drop_table("eventbus_inbox")
    with op.batch_alter_table("eventbus_dead_letter", schema=None) as batch_op:
        batch_op.drop_index("ix_eventbus_dead_letter_parked")

    op.drop_table("eventbus_dead_letter")
