"""repayment operations: mandates, payment requests, bank files, payouts, statements, overdue follow-up, job runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sifo_bank_file",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("account_iban", sa.String(length=34), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("transactions", sa.Integer(), nullable=False),
        sa.Column("total", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "business_date", "account_iban", name="uq_sifo_bank_file_day"),
        sa.UniqueConstraint("message_id"),
    )
    op.create_table(
        "sifo_job_run",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("job", sa.String(length=50), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("started_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job", "business_date", name="uq_sifo_job_run_day"),
    )
    op.create_table(
        "sifo_statement",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("account_iban", sa.String(length=34), nullable=False),
        sa.Column("statement_id", sa.String(length=35), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("sequence_number", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("in_review", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_iban", "statement_id", name="uq_sifo_statement_account"),
    )
    op.create_table(
        "sifo_statement_line",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("entry_reference", sa.String(length=100), nullable=False),
        sa.Column("booking_date", sa.Date(), nullable=False),
        sa.Column("value_date", sa.Date(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("direction", sa.String(length=6), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=True),
        sa.Column("structured_reference", sa.String(length=12), nullable=True),
        sa.Column("remittance", sa.Text(), nullable=True),
        sa.Column("counterparty_name", sa.String(length=200), nullable=True),
        sa.Column("counterparty_iban", sa.String(length=34), nullable=True),
        sa.Column("return_reason", sa.String(length=35), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("loan_id", sa.String(length=36), nullable=True),
        sa.Column("payment_request_id", sa.BigInteger(), nullable=True),
        sa.Column("entry_id", sa.BigInteger(), nullable=True),
        sa.Column("reverses_line_id", sa.BigInteger(), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["sifo_statement.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("statement_id", "number", name="uq_sifo_statement_line_number"),
    )
    with op.batch_alter_table("sifo_statement_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sifo_statement_line_end_to_end_id"), ["end_to_end_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sifo_statement_line_loan_id"), ["loan_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sifo_statement_line_payment_request_id"), ["payment_request_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sifo_statement_line_statement_id"), ["statement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sifo_statement_line_status"), ["status"], unique=False)

    op.create_table(
        "sifo_collection_cursor",
        sa.Column("loan_id", sa.String(length=36), nullable=False),
        sa.Column("next_due_on", sa.Date(), nullable=True),
        sa.Column("seen_entry_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["sifo_loan.id"],
        ),
        sa.PrimaryKeyConstraint("loan_id"),
    )
    op.create_table(
        "sifo_mandate",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("loan_id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=35), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("debtor_name", sa.String(length=200), nullable=False),
        sa.Column("debtor_iban", sa.String(length=34), nullable=False),
        sa.Column("debtor_bic", sa.String(length=11), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("revoked_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["sifo_loan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("sifo_mandate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sifo_mandate_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "sifo_overdue",
        sa.Column("payment_request_id", sa.BigInteger(), nullable=False),
        sa.Column("loan_id", sa.String(length=36), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("overdue_on", sa.Date(), nullable=False),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=10), nullable=False),
        sa.Column("unpaid", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("late_interest", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("last_reminder_on", sa.Date(), nullable=True),
        sa.Column("default_decision_id", sa.String(length=36), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=True),
        sa.Column("updated_on", sa.Date(), nullable=False),
        sa.Column("seen_entry_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["sifo_loan.id"],
        ),
        sa.PrimaryKeyConstraint("payment_request_id"),
    )
    with op.batch_alter_table("sifo_overdue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sifo_overdue_loan_id"), ["loan_id"], unique=False)

    op.create_table(
        "sifo_payment_request",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("loan_id", sa.String(length=36), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("installment_number", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("structured_reference", sa.String(length=12), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("mandate_id", sa.String(length=36), nullable=True),
        sa.Column("sequence_type", sa.String(length=4), nullable=True),
        sa.Column("collection_on", sa.Date(), nullable=True),
        sa.Column("file_id", sa.String(length=36), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["sifo_loan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("loan_id", "due_on", name="uq_sifo_payment_request_installment"),
        sa.UniqueConstraint("structured_reference"),
    )
    with op.batch_alter_table("sifo_payment_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sifo_payment_request_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_sifo_payment_request_file_id"), ["file_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sifo_payment_request_loan_id"), ["loan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sifo_payment_request_status"), ["status"], unique=False)

    op.create_table(
        "sifo_payout",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("loan_id", sa.String(length=36), nullable=False),
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("creditor_name", sa.String(length=200), nullable=False),
        sa.Column("creditor_iban", sa.String(length=34), nullable=False),
        sa.Column("debtor_name", sa.String(length=200), nullable=False),
        sa.Column("debtor_iban", sa.String(length=34), nullable=False),
        sa.Column("debtor_bic", sa.String(length=11), nullable=True),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("execution_on", sa.Date(), nullable=True),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
        sa.Column("remittance", sa.String(length=140), nullable=False),
        sa.Column("file_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"],
            ["sifo_loan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("decision_id"),
        sa.UniqueConstraint("end_to_end_id"),
    )
    with op.batch_alter_table("sifo_payout", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sifo_payout_file_id"), ["file_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sifo_payout_loan_id"), ["loan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sifo_payout", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sifo_payout_loan_id"))
        batch_op.drop_index(batch_op.f("ix_sifo_payout_file_id"))

    op.drop_table("sifo_payout")
    with op.batch_alter_table("sifo_payment_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sifo_payment_request_status"))
        batch_op.drop_index(batch_op.f("ix_sifo_payment_request_loan_id"))
        batch_op.drop_index(batch_op.f("ix_sifo_payment_request_file_id"))
        batch_op.drop_index(batch_op.f("ix_sifo_payment_request_due_on"))

    op.drop_table("sifo_payment_request")
    with op.batch_alter_table("sifo_overdue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sifo_overdue_loan_id"))

    op.drop_table("sifo_overdue")
    with op.batch_alter_table("sifo_mandate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sifo_mandate_loan_id"))

    op.drop_table("sifo_mandate")
    op.drop_table("sifo_collection_cursor")
    with op.batch_alter_table("sifo_statement_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sifo_statement_line_status"))
        batch_op.drop_index(batch_op.f("ix_sifo_statement_line_statement_id"))
        batch_op.drop_index(batch_op.f("ix_sifo_statement_line_payment_request_id"))
        batch_op.drop_index(batch_op.f("ix_sifo_statement_line_loan_id"))
        batch_op.drop_index(batch_op.f("ix_sifo_statement_line_end_to_end_id"))

    op.drop_table("sifo_statement_line")
    op.drop_table("sifo_statement")
    op.drop_table("sifo_job_run")
    op.drop_table("sifo_bank_file")
