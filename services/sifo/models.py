"""SIFO tables. Names carry the ``sifo_`` prefix because SQLModel's metadata is global.

Money is NUMERIC(18,2), rates NUMERIC(9,6); check constraints repeat the invariants the domain
enforces, so no code path (or hand-written SQL) can store a drawing right that is overdrawn.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.loan_operations.tables import (
    BankFileColumns,
    CollectionCursorColumns,
    JobRunColumns,
    MandateColumns,
    OverdueColumns,
    PaymentRequestColumns,
    PayoutColumns,
    StatementColumns,
    StatementLineColumns,
)
from shared.platform.change_stamps import change_stamp, stamp_now
from shared.platform.columns import money, rate, text, timestamp
from shared.platform.external_ids import unique_when_given
from shared.servicing.tables import AidMeasureColumns, DecisionColumns, LoanEntryColumns


class SifoFinancier(SQLModel, table=True):
    __tablename__ = "sifo_financier"

    id: str = Field(primary_key=True, max_length=36)
    enterprise_number: str = Field(max_length=10, unique=True)
    name: str = Field(max_length=200)
    iban: str = Field(max_length=34)
    recognised_from: date
    recognised_until: date | None = None
    status: str = Field(default="recognised", max_length=20)
    suspended_from: date | None = None
    status_reason: str | None = Field(default=None, sa_column=text(nullable=True))
    created_at: datetime = Field(sa_column=timestamp())
    created_by: str = Field(max_length=200)
    updated_at: datetime = Field(default_factory=stamp_now, sa_column=change_stamp())


class SifoDrawingRight(SQLModel, table=True):
    __tablename__ = "sifo_drawing_right"
    __table_args__ = (
        sa.CheckConstraint("reserved >= 0 AND drawn >= 0 AND released >= 0", name="ck_sifo_drawing_right_parts"),
        sa.CheckConstraint("reserved + drawn + released <= allocated", name="ck_sifo_drawing_right_not_overdrawn"),
    )

    id: str = Field(primary_key=True, max_length=36)
    financier_id: str = Field(foreign_key="sifo_financier.id", index=True, max_length=36)
    fund_year: int
    allocated: Decimal = Field(sa_column=money())
    reserved: Decimal = Field(sa_column=money())
    drawn: Decimal = Field(sa_column=money())
    released: Decimal = Field(sa_column=money())
    valid_from: date
    valid_until: date
    status: str = Field(max_length=20)
    created_at: datetime = Field(sa_column=timestamp())
    created_by: str = Field(max_length=200)


class SifoBorrower(SQLModel, table=True):
    """A social enterprise that borrows from SIFO (its de minimis aid is in the state-aid register)."""

    __tablename__ = "sifo_borrower"
    __table_args__ = (unique_when_given("sifo_borrower"),)

    enterprise_number: str = Field(primary_key=True, max_length=10)
    name: str = Field(max_length=200)
    external_id: str | None = Field(default=None, max_length=100)


class SifoLoan(SQLModel, table=True):
    __tablename__ = "sifo_loan"
    __table_args__ = (
        sa.CheckConstraint("sifo_share * 3 <= total_credit * 2", name="ck_sifo_loan_two_thirds"),
        unique_when_given("sifo_loan"),
    )

    id: str = Field(primary_key=True, max_length=36)
    external_id: str | None = Field(default=None, max_length=100)
    financier_id: str = Field(foreign_key="sifo_financier.id", index=True, max_length=36)
    borrower_enterprise_number: str = Field(foreign_key="sifo_borrower.enterprise_number", index=True, max_length=10)
    borrower_name: str = Field(max_length=200)
    target_group_vte: Decimal = Field(sa_column=sa.Column(sa.Numeric(9, 2), nullable=False))
    loan_type: str = Field(max_length=30)
    total_credit: Decimal = Field(sa_column=money())
    sifo_share: Decimal = Field(sa_column=money())
    annual_rate: Decimal = Field(sa_column=rate())
    periods: int
    frequency: str = Field(max_length=20)
    method: str = Field(max_length=20)
    day_count: str = Field(max_length=20)
    grace_periods: int
    grace_kind: str = Field(max_length=20)
    installment_multiple: Decimal = Field(sa_column=money())
    start_date: date
    first_due_date: date | None = None
    rating: str = Field(max_length=20)
    collateral: str = Field(max_length=20)
    base_rate: Decimal = Field(sa_column=rate())
    margin: Decimal = Field(sa_column=rate())
    reference_rate: Decimal = Field(sa_column=rate())
    discount_rate: Decimal = Field(sa_column=rate())
    rate_override_reason: str | None = Field(default=None, sa_column=text(nullable=True))
    committee_reference: str | None = Field(default=None, max_length=100)
    gge: Decimal = Field(sa_column=money())
    gge_on: date
    gge_reference_rate: Decimal = Field(sa_column=rate())
    gge_discount_rate: Decimal = Field(sa_column=rate())
    status: str = Field(max_length=20, index=True)
    submitted_on: date
    submitted_by: str = Field(max_length=200)
    submitted_at: datetime = Field(sa_column=timestamp())
    updated_at: datetime = Field(default_factory=stamp_now, sa_column=change_stamp())
    approved_by: str | None = Field(default=None, max_length=200)
    approved_on: date | None = None
    drawing_right_id: str | None = Field(default=None, foreign_key="sifo_drawing_right.id", max_length=36)
    disbursed_on: date | None = None
    disbursement_iban: str | None = Field(default=None, max_length=34)
    defaulted_on: date | None = None
    settled_on: date | None = None
    written_off_on: date | None = None
    written_off_amount: Decimal | None = Field(default=None, sa_column=money(nullable=True))
    status_reason: str | None = Field(default=None, sa_column=text(nullable=True))


class SifoAidMeasure(AidMeasureColumns, table=True):
    """Aid of SIFO loans recorded before the state-aid register existed; kept for history, no longer written."""

    __tablename__ = "sifo_aid_measure"

    loan_id: str = Field(foreign_key="sifo_loan.id", index=True, max_length=36)


class SifoLoanEvent(LoanEntryColumns, table=True):
    """Servicing history of a disbursed loan; replayed through the shared engine for every view."""

    __tablename__ = "sifo_loan_event"

    loan_id: str = Field(foreign_key="sifo_loan.id", index=True, max_length=36)


class SifoDecision(DecisionColumns, table=True):
    """A four-eyes decision on a loan: prepared by one person, approved (or rejected) by another."""

    __tablename__ = "sifo_decision"

    loan_id: str = Field(foreign_key="sifo_loan.id", index=True, max_length=36)


class SifoPaymentInstruction(SQLModel, table=True):
    """A pain.001 made for one loan at disbursement, before payouts were batched per day; kept as sent."""

    __tablename__ = "sifo_payment_instruction"

    id: str = Field(primary_key=True, max_length=36)
    loan_id: str = Field(foreign_key="sifo_loan.id", unique=True, max_length=36)
    message_id: str = Field(max_length=35)
    end_to_end_id: str = Field(max_length=35)
    amount: Decimal = Field(sa_column=money())
    creditor_iban: str = Field(max_length=34)
    execution_date: date
    document: str = Field(sa_column=text())
    created_at: datetime = Field(sa_column=timestamp())


class SifoMandate(MandateColumns, table=True):
    __tablename__ = "sifo_mandate"

    loan_id: str = Field(foreign_key="sifo_loan.id", index=True, max_length=36)


class SifoPaymentRequest(PaymentRequestColumns, table=True):
    __tablename__ = "sifo_payment_request"
    __table_args__ = (sa.UniqueConstraint("loan_id", "due_on", name="uq_sifo_payment_request_installment"),)

    loan_id: str = Field(foreign_key="sifo_loan.id", index=True, max_length=36)


class SifoBankFile(BankFileColumns, table=True):
    __tablename__ = "sifo_bank_file"
    __table_args__ = (sa.UniqueConstraint("kind", "business_date", "account_iban", name="uq_sifo_bank_file_day"),)


class SifoPayout(PayoutColumns, table=True):
    __tablename__ = "sifo_payout"

    loan_id: str = Field(foreign_key="sifo_loan.id", index=True, max_length=36)


class SifoStatement(StatementColumns, table=True):
    __tablename__ = "sifo_statement"
    __table_args__ = (sa.UniqueConstraint("account_iban", "statement_id", name="uq_sifo_statement_account"),)


class SifoStatementLine(StatementLineColumns, table=True):
    __tablename__ = "sifo_statement_line"
    __table_args__ = (sa.UniqueConstraint("statement_id", "number", name="uq_sifo_statement_line_number"),)

    statement_id: str = Field(foreign_key="sifo_statement.id", index=True, max_length=36)


class SifoOverdue(OverdueColumns, table=True):
    __tablename__ = "sifo_overdue"

    loan_id: str = Field(foreign_key="sifo_loan.id", index=True, max_length=36)


class SifoJobRun(JobRunColumns, table=True):
    __tablename__ = "sifo_job_run"
    __table_args__ = (sa.UniqueConstraint("job", "business_date", name="uq_sifo_job_run_day"),)


class SifoCollectionCursor(CollectionCursorColumns, table=True):
    __tablename__ = "sifo_collection_cursor"

    loan_id: str = Field(foreign_key="sifo_loan.id", primary_key=True, max_length=36)
