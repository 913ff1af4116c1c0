"""repayment columns: each repayment fact's figures as a row, filled from the facts already heard

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 13:10:00
"""

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen at this revision: the repayment types the book folded then, and the surplus modes' codes.
REPAYMENT_TYPES = (
    "energy.loan.repayment_recorded.v2",
    "energy.loan.repayment_recorded.v3",
    "sifo.loan.repayment_recorded.v2",
    "sifo.loan.repayment_recorded.v3",
    "trividend.loan.repayment_recorded.v1",
)
MODE_CODES = {"reduce_installment": 1, "reduce_term": 2}
COLUMNS = (
    "event_id, event_type, loan_id, entry_id, received_on, cents, surplus_mode, reported_cents, "
    'known_at, topic, partition, "offset"'
)


def upgrade() -> None:
    op.create_table(
        "portfolio_repayment",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("loan_id", sa.String(length=200), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("cents", sa.BigInteger(), nullable=False),
        sa.Column("surplus_mode", sa.SmallInteger(), nullable=False),
        sa.Column("reported_cents", sa.BigInteger(), nullable=False),
        sa.Column("known_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic", sa.String(length=249), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index(
        "ix_portfolio_repayment_loan", "portfolio_repayment", ["loan_id", "known_at", "event_id"], unique=False
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        modes = " ".join(f"WHEN '{mode}' THEN {code}" for mode, code in MODE_CODES.items())
        op.execute(
            sa.text(
                f"INSERT INTO portfolio_repayment ({COLUMNS}) "  # noqa: S608 - constants of this file
                "SELECT e.event_id, e.event_type, r.loan_id, r.entry_id, r.received_on, (r.amount * 100)::bigint, "
                f"CASE r.surplus_mode {modes} ELSE 0 END, (r.outstanding_principal * 100)::bigint, "
                'e.known_at, e.topic, e.partition, e."offset" '
                "FROM portfolio_event AS e, json_to_record(e.data::json) AS r("
                "loan_id text, entry_id bigint, received_on date, amount numeric, surplus_mode text, "
                "outstanding_principal numeric) "
                "WHERE e.event_type IN :types"
            ).bindparams(sa.bindparam("types", value=list(REPAYMENT_TYPES), expanding=True))
        )
        return
    events = sa.table(
        "portfolio_event",
        *(sa.column(name) for name in ("event_id", "event_type", "known_at", "topic", "partition", "offset", "data")),
    )
    repayments = sa.table("portfolio_repayment", *(sa.column(name.strip().strip('"')) for name in COLUMNS.split(",")))
    rows = bind.execute(sa.select(events).where(events.c.event_type.in_(REPAYMENT_TYPES))).all()
    for row in rows:
        payload = json.loads(row.data)
        bind.execute(
            repayments.insert().values(
                event_id=row.event_id,
                event_type=row.event_type,
                loan_id=payload["loan_id"],
                entry_id=payload["entry_id"],
                received_on=date.fromisoformat(payload["received_on"]),
                cents=int(Decimal(payload["amount"]) * 100),
                surplus_mode=MODE_CODES.get(payload.get("surplus_mode") or "", 0),
                reported_cents=int(Decimal(payload["outstanding_principal"]) * 100),
                known_at=row.known_at,
                topic=row.topic,
                partition=row.partition,
                offset=row.offset,
            )
        )


def downgrade() -> None:
    op.drop_index("ix_portfolio_repayment_loan", table_name="portfolio_repayment")
    op.drop_table("portfolio_repayment")
