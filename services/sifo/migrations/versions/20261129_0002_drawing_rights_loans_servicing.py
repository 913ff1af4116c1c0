"""drawing rights, loans, servicing

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 12:31:50.610601
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
        "sifo_borrower",
        sa.Column("enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("enterprise_number"),
    )
    op.create_table(
        "sifo_drawing_right",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("financier_id", sa.String(length=36), nullable=False),
        sa.Column("fund_year", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("reserved", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("drawn", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("released", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint("reserved + drawn + released <= allocated", name="ck_sifo_drawing_right_not_overdrawn"),
        sa.CheckConstraint("reserved >= 0 AND drawn >= 0 AND released >= 0", name="ck_sifo_drawing_right_parts"),
        sa.ForeignKeyConstraint(
            ["financier_id"],
            ["sifo_financier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_sifo_drawing_right_financier_id"), "sifo_drawing_right", ["financier_id"], unique=False)
    op.create_table(
        "sifo_loan",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("financier_id", sa.String(length=36), nullable=False),
        sa.Column("borrower_enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("borrower_name", sa.String(length=200), nullable=False),
        sa.Column("target_group_vte", sa.Numeric(precision=9, scale=2), nullable=False),
        sa.Column("loan_type", sa.String(length=30), nullable=False),
        sa.Column("total_credit", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("sifo_share", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("annual_rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("periods", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("day_count", sa.String(length=20), nullable=False),
        sa.Column("grace_periods", sa.Integer(), nullable=False),
        sa.Column("grace_kind", sa.String(length=20), nullable=False),
        sa.Column("installment_multiple", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("rating", sa.String(length=20), nullable=False),
        sa.Column("collateral", sa.String(length=20), nullable=False),
        sa.Column("base_rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("margin", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("reference_rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("discount_rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("rate_override_reason", sa.Text(), nullable=True),
        sa.Column("committee_reference", sa.String(length=100), nullable=True),
        sa.Column("gge", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("drawing_right_id", sa.String(length=36), nullable=True),
        sa.Column("disbursed_on", sa.Date(), nullable=True),
        sa.Column("disbursement_iban", sa.String(length=34), nullable=True),
        sa.Column("defaulted_on", sa.Date(), nullable=True),
        sa.Column("written_off_on", sa.Date(), nullable=True),
        sa.Column("written_off_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("sifo_share * 3 <= total_credit * 2", name="ck_sifo_loan_two_thirds"),
        sa.ForeignKeyConstraint(
            ["borrower_enterprise_number"],
            ["sifo_borrower.enterprise_number"],
        ),
        sa.ForeignKeyConstraint(
            ["drawing_right_id"],
            ["sifo_drawing_right.id"],
        ),
        sa.ForeignKeyConstraint(
            ["financier_id"],
            ["sifo_financier.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_sifo_loan_borrower_enterprise_number"), "sifo_loan", ["borrower_enterprise_number"], unique=False
    )
    op.create_index(op.f("ix_sifo_loan_financier_id"), "sifo_loan", ["financier_id"], unique=False)
    op.create_index(op.f("ix_sifo_loan_status"), "sifo_loan", ["status"], unique=False)
    op.create_table(
        "sifo_aid_grant",
        sa.Column("loan_id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("grant_date", sa.Date(), nullable=False),
        sa.Column("gge", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_number"],
            ["sifo_borrower.enterprise_number"],
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["sifo_loan.id"],
        ),
        sa.PrimaryKeyConstraint("loan_id"),
    )
    op.create_index(op.f("ix_sifo_aid_grant_enterprise_number"), "sifo_aid_grant", ["enterprise_number"], unique=False)
    op.create_table(
        "sifo_decision",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("loan_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("prepared_by", sa.String(length=200), nullable=False),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["sifo_loan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_sifo_decision_loan_id"), "sifo_decision", ["loan_id"], unique=False)
    op.create_table(
        "sifo_loan_event",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("loan_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("mode", sa.String(length=30), nullable=True),
        sa.Column("annual_rate", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("terms", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["sifo_loan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_sifo_loan_event_loan_id"), "sifo_loan_event", ["loan_id"], unique=False)
    op.create_table(
        "sifo_payment_instruction",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("loan_id", sa.String(length=36), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("creditor_iban", sa.String(length=34), nullable=False),
        sa.Column("execution_date", sa.Date(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["sifo_loan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("loan_id"),
    )
    # Financiers registered before this revision are recognised; the default only backfills them.
    op.add_column(
        "sifo_financier", sa.Column("status", sa.String(length=20), nullable=False, server_default="recognised")
    )
    with op.batch_alter_table("sifo_financier") as table:
        table.alter_column("status", server_default=None)
    op.add_column("sifo_financier", sa.Column("suspended_from", sa.Date(), nullable=True))
    op.add_column("sifo_financier", sa.Column("status_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sifo_financier") as table:
        table.drop_column("status_reason")
        table.drop_column("suspended_from")
        table.drop_column("status")
    op.drop_table("sifo_payment_instruction")
    op.drop_index(op.f("ix_sifo_loan_event_loan_id"), table_name="sifo_loan_event")
    op.drop_table("sifo_loan_event")
    op.drop_index(op.f("ix_sifo_decision_loan_id"), table_name="sifo_decision")
    op.drop_table("sifo_decision")
    op.drop_index(op.f("ix_sifo_aid_grant_enterprise_number"), table_name="sifo_aid_grant")
    op.drop_table("sifo_aid_grant")
    op.drop_index(op.f("ix_sifo_loan_status"), table_name="sifo_loan")
    op.drop_index(op.f("ix_sifo_loan_financier_id"), table_name="sifo_loan")
    op.drop_index(op.f("ix_sifo_loan_borrower_enterprise_number"), table_name="sifo_loan")
    op.drop_table("sifo_loan")
    op.drop_index(op.f("ix_sifo_drawing_right_financier_id"), table_name="sifo_drawing_right")
    op.drop_table("sifo_drawing_right")
    op.drop_table("sifo_borrower")
