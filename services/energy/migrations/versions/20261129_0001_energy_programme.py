"""energy programme

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-29 12:44:29.865464
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
        "energy_applicant",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("workshop_type", sa.String(length=20), nullable=False),
        sa.Column("recognition_number", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("enterprise_number"),
    )
    op.create_table(
        "energy_budget_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("envelope", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("committed", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("disbursed", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("released", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("budget_article", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint("committed + disbursed <= envelope", name="ck_energy_budget_not_overcommitted"),
        sa.CheckConstraint("committed >= 0 AND disbursed >= 0 AND released >= 0", name="ck_energy_budget_parts"),
        sa.PrimaryKeyConstraint("year"),
    )
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
    op.create_index("ix_eventbus_outbox_pending", "eventbus_outbox", ["published_at", "failed_at", "seq"], unique=False)
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
        "energy_call",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("budget_year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("annual_rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("periods", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("max_per_applicant", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("max_per_site", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_year"],
            ["energy_budget_year.year"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_energy_call_budget_year"), "energy_call", ["budget_year"], unique=False)
    op.create_table(
        "energy_site",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("applicant_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("yearly_energy_need_kwh", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["energy_applicant.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_energy_site_applicant_id"), "energy_site", ["applicant_id"], unique=False)
    op.create_table(
        "energy_application",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("call_id", sa.String(length=36), nullable=False),
        sa.Column("applicant_id", sa.String(length=36), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("requested_amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("rating", sa.String(length=20), nullable=False),
        sa.Column("collateral", sa.String(length=20), nullable=False),
        sa.Column("documents", sa.Text(), nullable=False),
        sa.Column("warnings", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("gge", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("committed_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["energy_applicant.id"],
        ),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["energy_call.id"],
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["energy_site.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_energy_application_applicant_id"), "energy_application", ["applicant_id"], unique=False)
    op.create_index(op.f("ix_energy_application_call_id"), "energy_application", ["call_id"], unique=False)
    op.create_index(op.f("ix_energy_application_site_id"), "energy_application", ["site_id"], unique=False)
    op.create_index(op.f("ix_energy_application_status"), "energy_application", ["status"], unique=False)
    op.create_table(
        "energy_aid_grant",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("grant_date", sa.Date(), nullable=False),
        sa.Column("gge", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["energy_application.id"],
        ),
        sa.PrimaryKeyConstraint("application_id"),
    )
    op.create_index(
        op.f("ix_energy_aid_grant_enterprise_number"), "energy_aid_grant", ["enterprise_number"], unique=False
    )
    op.create_table(
        "energy_decision",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("prepared_by", sa.String(length=200), nullable=False),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["energy_application.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_energy_decision_application_id"), "energy_decision", ["application_id"], unique=False)
    op.create_table(
        "energy_installation",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("technology", sa.String(length=20), nullable=False),
        sa.Column("capacity", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("investment_cost", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("yearly_production_kwh", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("yearly_savings_eur", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("seasonal_cop", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("hot_water_share", sa.Numeric(precision=5, scale=4), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["energy_application.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_energy_installation_application_id"), "energy_installation", ["application_id"], unique=False
    )
    op.create_table(
        "energy_loan",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("applicant_id", sa.String(length=36), nullable=False),
        sa.Column("budget_year", sa.Integer(), nullable=False),
        sa.Column("principal", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("annual_rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("periods", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column("iban", sa.String(length=34), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("written_off_on", sa.Date(), nullable=True),
        sa.Column("written_off_amount", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"],
            ["energy_applicant.id"],
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["energy_application.id"],
        ),
        sa.ForeignKeyConstraint(
            ["budget_year"],
            ["energy_budget_year.year"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("application_id"),
    )
    op.create_index(op.f("ix_energy_loan_applicant_id"), "energy_loan", ["applicant_id"], unique=False)
    op.create_index(op.f("ix_energy_loan_budget_year"), "energy_loan", ["budget_year"], unique=False)
    op.create_index(op.f("ix_energy_loan_status"), "energy_loan", ["status"], unique=False)
    op.create_table(
        "energy_loan_event",
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
            ["energy_loan.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_energy_loan_event_loan_id"), "energy_loan_event", ["loan_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_energy_loan_event_loan_id"), table_name="energy_loan_event")
    op.drop_table("energy_loan_event")
    op.drop_index(op.f("ix_energy_loan_status"), table_name="energy_loan")
    op.drop_index(op.f("ix_energy_loan_budget_year"), table_name="energy_loan")
    op.drop_index(op.f("ix_energy_loan_applicant_id"), table_name="energy_loan")
    op.drop_table("energy_loan")
    op.drop_index(op.f("ix_energy_installation_application_id"), table_name="energy_installation")
    op.drop_table("energy_installation")
    op.drop_index(op.f("ix_energy_decision_application_id"), table_name="energy_decision")
    op.drop_table("energy_decision")
    op.drop_index(op.f("ix_energy_aid_grant_enterprise_number"), table_name="energy_aid_grant")
    op.drop_table("energy_aid_grant")
    op.drop_index(op.f("ix_energy_application_status"), table_name="energy_application")
    op.drop_index(op.f("ix_energy_application_site_id"), table_name="energy_application")
    op.drop_index(op.f("ix_energy_application_call_id"), table_name="energy_application")
    op.drop_index(op.f("ix_energy_application_applicant_id"), table_name="energy_application")
    op.drop_table("energy_application")
    op.drop_index(op.f("ix_energy_site_applicant_id"), table_name="energy_site")
    op.drop_table("energy_site")
    op.drop_index(op.f("ix_energy_call_budget_year"), table_name="energy_call")
    op.drop_table("energy_call")
    op.drop_table("platform_idempotency_key")
    op.drop_index("ix_eventbus_outbox_pending", table_name="eventbus_outbox")
    op.drop_table("eventbus_outbox")
    op.drop_table("eventbus_inbox")
    op.drop_table("eventbus_dead_letter")
    op.drop_table("energy_budget_year")
    op.drop_table("energy_applicant")
