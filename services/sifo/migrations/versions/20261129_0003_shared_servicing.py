"""shared servicing: history reversals, decision notes, aid measures with their rates, settled loans

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 20:30:00

The aid register keeps one row per measure (the grant, and later rate resets or restructurings)
instead of one per loan, with the EU reference and discount rates each was valued at. Existing
grants are carried over as measure "grant", valued at the rates in force on their grant date for
the loan's rating and collateral (the published, effective-dated table), which is what the
approval used. A loan's last valuation (day and rates) is kept on the loan as well.
"""

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.reference_rates import Collateral, Rating, quote

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
RATE = sa.Numeric(precision=9, scale=6)
LOAN = sa.table(
    "sifo_loan",
    sa.column("id", sa.String()),
    sa.column("gge_on", sa.Date()),
    sa.column("gge_reference_rate", RATE),
    sa.column("gge_discount_rate", RATE),
)
DECISION = sa.table("sifo_decision", sa.column("id", sa.String()), sa.column("payload", sa.Text()))
MEASURE = sa.table(
    "sifo_aid_measure",
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


def upgrade() -> None:
    with op.batch_alter_table("sifo_loan") as table:
        table.add_column(sa.Column("first_due_date", sa.Date(), nullable=True))
        table.add_column(sa.Column("gge_on", sa.Date(), nullable=True))
        table.add_column(sa.Column("gge_reference_rate", sa.Numeric(precision=9, scale=6), nullable=True))
        table.add_column(sa.Column("gge_discount_rate", sa.Numeric(precision=9, scale=6), nullable=True))
        table.add_column(sa.Column("settled_on", sa.Date(), nullable=True))
    connection = op.get_bind()
    loans = connection.execute(
        sa.text(
            "SELECT id, submitted_on, approved_on, rating, collateral, reference_rate, discount_rate FROM sifo_loan"
        )
    )
    for loan_id, submitted_on, approved_on, rating, collateral, reference, discount in loans.fetchall():
        valued_on = _date(approved_on or submitted_on)
        reference, discount = _rates(valued_on, rating, collateral, reference, discount)
        connection.execute(
            LOAN.update()
            .where(LOAN.c.id == loan_id)
            .values(gge_on=valued_on, gge_reference_rate=reference, gge_discount_rate=discount)
        )
    # Disbursement requests now carry the amount and the registered account they are checked against.
    legacy = connection.execute(
        sa.text(
            "SELECT d.id, d.payload, l.sifo_share, f.iban FROM sifo_decision d JOIN sifo_loan l ON l.id = d.loan_id "
            "JOIN sifo_financier f ON f.id = l.financier_id WHERE d.kind = 'disbursement'"
        )
    )
    for decision_id, payload, share, registered in legacy.fetchall():
        request = json.loads(payload)
        request.update(
            amount=str(Decimal(share).quantize(Decimal("0.01"))),
            registered_iban=registered,
            other_account=request["iban"] != registered,
            iban_reason=request.get("iban_reason"),
            delivery_date=None,
            first_due_date=None,
        )
        connection.execute(
            DECISION.update().where(DECISION.c.id == decision_id).values(payload=json.dumps(request, sort_keys=True))
        )
    with op.batch_alter_table("sifo_loan") as table:
        table.alter_column("gge_on", nullable=False)
        table.alter_column("gge_reference_rate", nullable=False)
        table.alter_column("gge_discount_rate", nullable=False)

    with op.batch_alter_table("sifo_loan_event") as table:
        table.add_column(sa.Column("reverses", sa.BigInteger(), nullable=True))
        table.add_column(sa.Column("decision_id", sa.String(length=36), nullable=True))
        table.add_column(sa.Column("reason", sa.Text(), nullable=True))
    with op.batch_alter_table("sifo_decision") as table:
        table.add_column(sa.Column("note", sa.Text(), nullable=True))

    op.create_table(
        "sifo_aid_measure",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("loan_id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("source_reference", sa.String(length=36), nullable=False),
        sa.Column("grant_date", sa.Date(), nullable=False),
        sa.Column("gge", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("reference_rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("discount_rate", sa.Numeric(precision=9, scale=6), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["loan_id"], ["sifo_loan.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_sifo_aid_measure_enterprise_number"), "sifo_aid_measure", ["enterprise_number"])
    op.create_index(op.f("ix_sifo_aid_measure_loan_id"), "sifo_aid_measure", ["loan_id"])
    grants = connection.execute(
        sa.text(
            "SELECT g.loan_id, g.enterprise_number, g.grant_date, g.gge, g.status, l.rating, l.collateral, "
            "l.reference_rate, l.discount_rate FROM sifo_aid_grant g JOIN sifo_loan l ON l.id = g.loan_id"
        )
    )
    now = datetime.now(UTC)
    for (
        loan_id,
        enterprise_number,
        grant_date,
        gge,
        status,
        rating,
        collateral,
        reference,
        discount,
    ) in grants.fetchall():
        reference, discount = _rates(_date(grant_date), rating, collateral, reference, discount)
        connection.execute(
            MEASURE.insert().values(
                loan_id=loan_id,
                enterprise_number=enterprise_number,
                measure="grant",
                source_reference=loan_id,
                grant_date=_date(grant_date),
                gge=gge,
                reference_rate=reference,
                discount_rate=discount,
                status=status,
                created_at=now,
            )
        )
    op.drop_index(op.f("ix_sifo_aid_grant_enterprise_number"), table_name="sifo_aid_grant")
    op.drop_table("sifo_aid_grant")


def downgrade() -> None:
    # The older code knows no cancellations, rate-reset or reversal decisions: close pending ones.
    op.execute(
        "UPDATE sifo_decision SET status = 'rejected', note = 'closed by the schema downgrade' "
        "WHERE status = 'prepared' AND kind IN ('cancellation', 'rate_reset', 'reversal')"
    )
    op.create_table(
        "sifo_aid_grant",
        sa.Column("loan_id", sa.String(length=36), nullable=False),
        sa.Column("enterprise_number", sa.String(length=10), nullable=False),
        sa.Column("grant_date", sa.Date(), nullable=False),
        sa.Column("gge", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["enterprise_number"], ["sifo_borrower.enterprise_number"]),
        sa.ForeignKeyConstraint(["loan_id"], ["sifo_loan.id"]),
        sa.PrimaryKeyConstraint("loan_id"),
    )
    op.create_index(op.f("ix_sifo_aid_grant_enterprise_number"), "sifo_aid_grant", ["enterprise_number"])
    # One row per loan: its grant. Measures of later changes have no place in the older layout.
    op.execute(
        "INSERT INTO sifo_aid_grant (loan_id, enterprise_number, grant_date, gge, status) "
        "SELECT loan_id, enterprise_number, grant_date, gge, status FROM sifo_aid_measure WHERE measure = 'grant'"
    )
    op.drop_index(op.f("ix_sifo_aid_measure_loan_id"), table_name="sifo_aid_measure")
    op.drop_index(op.f("ix_sifo_aid_measure_enterprise_number"), table_name="sifo_aid_measure")
    op.drop_table("sifo_aid_measure")
    with op.batch_alter_table("sifo_decision") as table:
        table.drop_column("note")
    with op.batch_alter_table("sifo_loan_event") as table:
        table.drop_column("reason")
        table.drop_column("decision_id")
        table.drop_column("reverses")
    with op.batch_alter_table("sifo_loan") as table:
        table.drop_column("settled_on")
        table.drop_column("gge_discount_rate")
        table.drop_column("gge_reference_rate")
        table.drop_column("gge_on")
        table.drop_column("first_due_date")


def _rates(day: date, rating: str, collateral: str, reference: Decimal, discount: Decimal) -> tuple[Decimal, Decimal]:
    """The reference and discount rates in force on `day`; a day before the published table keeps the stored ones."""
    try:
        valued = quote(day, Rating(rating), Collateral(collateral))
    except InvalidTerms:
        return Decimal(reference), Decimal(discount)
    return valued.reference_rate, valued.discount_rate


def _date(value: date | str) -> date:
    """SQLite returns dates as ISO strings, PostgreSQL as dates."""
    return date.fromisoformat(value) if isinstance(value, str) else value
