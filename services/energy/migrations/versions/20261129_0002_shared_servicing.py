"""shared servicing: one id per credit file, history reversals, decision notes, aid measures with their rates

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 20:45:00

* A loan takes its application's id (its history moves with it), so every event of one credit
  file has one key; decisions refer to it as ``loan_id``.
* Loans use the shared servicing statuses: ``active`` becomes ``disbursed``.
* The aid register keeps one row per measure with the EU reference and discount rates it was
  valued at; existing grants are carried over as measure "grant", valued at the rates in force on
  their grant date (the published, effective-dated table). An application keeps its last valuation.
* Applicants may register the account their loans are paid to.
"""

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from shared.amortisation.reference_rates import DEFAULT_RATE_TABLE, Collateral, Rating, quote
from shared.platform.business_date import business_date

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
RATE = sa.Numeric(precision=9, scale=6)
APPLICATION = sa.table(
    "energy_application",
    sa.column("id", sa.String()),
    sa.column("gge_on", sa.Date()),
    sa.column("gge_reference_rate", RATE),
    sa.column("gge_discount_rate", RATE),
)
MEASURE = sa.table(
    "energy_aid_measure",
    sa.column("loan_id", sa.String()),
    sa.column("enterprise_number", sa.String()),
    sa.column("measure", sa.String()),
    sa.column("source_reference", sa.String()),
    sa.column("grant_date", sa.Date()),
    sa.column("gge", sa.Numeric(precision=18, scale=2)),
    sa.column("reference_rate", RATE),
    sa.column("discount_rate", RATE),
    sa.column("status", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
EVENT_FOREIGN_KEY = "energy_loan_event_loan_id_fkey"
DECISION = sa.table("energy_decision", sa.column("id", sa.String()), sa.column("payload", sa.Text()))


def _rates(day: date, rating: str, collateral: str) -> tuple[Decimal, Decimal]:
    """The reference and discount rates in force on `day` (the first published ones for an earlier day)."""
    first_published = DEFAULT_RATE_TABLE.base_rates[0][0]
    valued = quote(max(day, first_published), Rating(rating), Collateral(collateral))
    return valued.reference_rate, valued.discount_rate


def _date(value: date | str) -> date:
    """SQLite returns dates as ISO strings, PostgreSQL as dates."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def _moment(value: datetime | str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def upgrade() -> None:
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"

    op.add_column("energy_applicant", sa.Column("iban", sa.String(length=34), nullable=True))

    with op.batch_alter_table("energy_application") as table:
        table.add_column(sa.Column("gge_on", sa.Date(), nullable=True))
        table.add_column(sa.Column("gge_reference_rate", RATE, nullable=True))
        table.add_column(sa.Column("gge_discount_rate", RATE, nullable=True))
    rows = connection.execute(
        sa.text("SELECT id, submitted_at, decided_on, status, rating, collateral FROM energy_application")
    )
    for application_id, submitted_at, decided_on, status, rating, collateral in rows.fetchall():
        priced_at_decision = decided_on is not None and status != "rejected"
        valued_on = _date(decided_on) if priced_at_decision else business_date(_moment(submitted_at))
        reference, discount = _rates(valued_on, rating, collateral)
        connection.execute(
            APPLICATION.update()
            .where(APPLICATION.c.id == application_id)
            .values(gge_on=valued_on, gge_reference_rate=reference, gge_discount_rate=discount)
        )
    with op.batch_alter_table("energy_application") as table:
        table.alter_column("gge_on", nullable=False)
        table.alter_column("gge_reference_rate", nullable=False)
        table.alter_column("gge_discount_rate", nullable=False)

    if postgres:
        op.drop_constraint(EVENT_FOREIGN_KEY, "energy_loan_event", type_="foreignkey")
    op.execute(
        "UPDATE energy_loan_event SET loan_id = "
        "(SELECT application_id FROM energy_loan WHERE energy_loan.id = energy_loan_event.loan_id)"
    )
    op.execute(
        "UPDATE energy_loan SET id = application_id, status = CASE status WHEN 'active' THEN 'disbursed' ELSE status END"
    )
    if postgres:
        op.create_foreign_key(EVENT_FOREIGN_KEY, "energy_loan_event", "energy_loan", ["loan_id"], ["id"])
    with op.batch_alter_table("energy_loan") as table:
        table.add_column(sa.Column("first_due_date", sa.Date(), nullable=True))
        table.add_column(sa.Column("defaulted_on", sa.Date(), nullable=True))
        table.add_column(sa.Column("settled_on", sa.Date(), nullable=True))
        table.add_column(sa.Column("status_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("energy_loan_event") as table:
        table.add_column(sa.Column("reverses", sa.BigInteger(), nullable=True))
        table.add_column(sa.Column("decision_id", sa.String(length=36), nullable=True))
        table.add_column(sa.Column("reason", sa.Text(), nullable=True))

    # Payout requests now carry `amount` and the registered account (applicants had none until now).
    for decision_id, payload in connection.execute(
        sa.text("SELECT id, payload FROM energy_decision WHERE kind = 'disbursement'")
    ).fetchall():
        request = json.loads(payload)
        request.update(
            amount=request.pop("final_invoice_amount"),
            registered_iban=None,
            other_account=True,
            iban_reason=None,
            first_due_date=None,
        )
        connection.execute(
            DECISION.update().where(DECISION.c.id == decision_id).values(payload=json.dumps(request, sort_keys=True))
        )
    op.drop_index(op.f("ix_energy_decision_application_id"), table_name="energy_decision")
    with op.batch_alter_table("energy_decision") as table:
        table.alter_column("application_id", new_column_name="loan_id", existing_type=sa.String(length=36))
        table.add_column(sa.Column("note", sa.Text(), nullable=True))
    op.create_index(op.f("ix_energy_decision_loan_id"), "energy_decision", ["loan_id"])

    op.create_table(
        "energy_aid_measure",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("loan_id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("source_reference", sa.String(length=36), nullable=False),
        sa.Column("grant_date", sa.Date(), nullable=False),
        sa.Column("gge", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("reference_rate", RATE, nullable=False),
        sa.Column("discount_rate", RATE, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["loan_id"], ["energy_application.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_energy_aid_measure_enterprise_number"), "energy_aid_measure", ["enterprise_number"])
    op.create_index(op.f("ix_energy_aid_measure_loan_id"), "energy_aid_measure", ["loan_id"])
    grants = connection.execute(
        sa.text(
            "SELECT g.application_id, g.enterprise_number, g.grant_date, g.gge, g.status, a.rating, a.collateral "
            "FROM energy_aid_grant g JOIN energy_application a ON a.id = g.application_id"
        )
    )
    now = datetime.now(UTC)
    for application_id, enterprise_number, grant_date, gge, status, rating, collateral in grants.fetchall():
        reference, discount = _rates(_date(grant_date), rating, collateral)
        connection.execute(
            MEASURE.insert().values(
                loan_id=application_id,
                enterprise_number=enterprise_number,
                measure="grant",
                source_reference=application_id,
                grant_date=_date(grant_date),
                gge=gge,
                reference_rate=reference,
                discount_rate=discount,
                status=status,
                created_at=now,
            )
        )
    op.drop_index(op.f("ix_energy_aid_grant_enterprise_number"), table_name="energy_aid_grant")
    op.drop_table("energy_aid_grant")


def downgrade() -> None:
    connection = op.get_bind()
    # The older code knows no cancellations, rate-reset or reversal decisions, nor a payout's `amount`.
    op.execute(
        "UPDATE energy_decision SET status = 'rejected', note = 'closed by the schema downgrade' "
        "WHERE status = 'prepared' AND kind IN ('cancellation', 'rate_reset', 'reversal')"
    )
    for decision_id, payload in connection.execute(
        sa.text("SELECT id, payload FROM energy_decision WHERE kind = 'disbursement'")
    ).fetchall():
        request = json.loads(payload)
        request["final_invoice_amount"] = request["amount"]
        connection.execute(
            DECISION.update().where(DECISION.c.id == decision_id).values(payload=json.dumps(request, sort_keys=True))
        )
    op.create_table(
        "energy_aid_grant",
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("grant_date", sa.Date(), nullable=False),
        sa.Column("gge", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["energy_application.id"]),
        sa.PrimaryKeyConstraint("application_id"),
    )
    op.create_index(op.f("ix_energy_aid_grant_enterprise_number"), "energy_aid_grant", ["enterprise_number"])
    # One row per application: its grant. Measures of later changes have no place in the older layout.
    op.execute(
        "INSERT INTO energy_aid_grant (application_id, enterprise_number, grant_date, gge, status) "
        "SELECT loan_id, enterprise_number, grant_date, gge, status FROM energy_aid_measure WHERE measure = 'grant'"
    )
    op.drop_index(op.f("ix_energy_aid_measure_loan_id"), table_name="energy_aid_measure")
    op.drop_index(op.f("ix_energy_aid_measure_enterprise_number"), table_name="energy_aid_measure")
    op.drop_table("energy_aid_measure")

    op.drop_index(op.f("ix_energy_decision_loan_id"), table_name="energy_decision")
    with op.batch_alter_table("energy_decision") as table:
        table.drop_column("note")
        table.alter_column("loan_id", new_column_name="application_id", existing_type=sa.String(length=36))
    op.create_index(op.f("ix_energy_decision_application_id"), "energy_decision", ["application_id"])

    with op.batch_alter_table("energy_loan_event") as table:
        table.drop_column("reason")
        table.drop_column("decision_id")
        table.drop_column("reverses")
    op.execute("UPDATE energy_loan SET status = 'active' WHERE status IN ('disbursed', 'defaulted', 'settled')")
    with op.batch_alter_table("energy_loan") as table:
        table.drop_column("status_reason")
        table.drop_column("settled_on")
        table.drop_column("defaulted_on")
        table.drop_column("first_due_date")
    with op.batch_alter_table("energy_application") as table:
        table.drop_column("gge_discount_rate")
        table.drop_column("gge_reference_rate")
        table.drop_column("gge_on")
    with op.batch_alter_table("energy_applicant") as table:
        table.drop_column("iban")
