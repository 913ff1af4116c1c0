"""Trividend tables (``trividend_`` prefix): investees, committee decisions, participations and their movements."""

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
from shared.platform.columns import big_id, money, quantity, rate, text, timestamp
from shared.platform.external_ids import unique_when_given
from shared.servicing.tables import DecisionColumns, LoanEntryColumns


class TrividendInvestee(SQLModel, table=True):
    __tablename__ = "trividend_investee"
    __table_args__ = (unique_when_given("trividend_investee"),)

    id: str = Field(primary_key=True, max_length=36)
    external_id: str | None = Field(default=None, max_length=100)
    enterprise_number: str = Field(max_length=10, unique=True)
    name: str = Field(max_length=200)
    legal_form: str = Field(max_length=20)
    sector: str = Field(max_length=100)
    created_at: datetime = Field(sa_column=timestamp())
    created_by: str = Field(max_length=200)


class TrividendHeadcount(SQLModel, table=True):
    """Target-group employees (VTE) an investee reports from a day on."""

    __tablename__ = "trividend_headcount"
    __table_args__ = (sa.UniqueConstraint("investee_id", "on", name="uq_trividend_headcount_day"),)

    id: int | None = Field(default=None, sa_column=big_id())
    investee_id: str = Field(max_length=36, foreign_key="trividend_investee.id", index=True)
    on: date
    target_group_vte: Decimal = Field(sa_column=quantity())
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_column=timestamp())


class TrividendShareCount(SQLModel, table=True):
    """The shares an investee has outstanding from a day on."""

    __tablename__ = "trividend_share_count"
    __table_args__ = (sa.UniqueConstraint("investee_id", "on", name="uq_trividend_share_count_day"),)

    id: int | None = Field(default=None, sa_column=big_id())
    investee_id: str = Field(max_length=36, foreign_key="trividend_investee.id", index=True)
    on: date
    shares_outstanding: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_column=timestamp())


class TrividendProposal(SQLModel, table=True):
    """An investment proposal; once the committee approves it, its amount is committed."""

    __tablename__ = "trividend_proposal"
    __table_args__ = (unique_when_given("trividend_proposal"),)

    id: str = Field(primary_key=True, max_length=36)
    external_id: str | None = Field(default=None, max_length=100)
    investee_id: str = Field(max_length=36, foreign_key="trividend_investee.id", index=True)
    instrument: str = Field(max_length=30)
    amount: Decimal = Field(sa_column=money())
    loan_terms: str | None = Field(default=None, sa_column=text(nullable=True))
    rationale: str = Field(sa_column=text())
    status: str = Field(max_length=12)
    proposed_by: str = Field(max_length=200)
    proposed_at: datetime = Field(sa_column=timestamp())
    updated_at: datetime = Field(default_factory=stamp_now, sa_column=change_stamp())
    decided_by: str | None = Field(default=None, max_length=200)
    decided_on: date | None = None
    reason: str | None = Field(default=None, sa_column=text(nullable=True))


class TrividendParticipation(SQLModel, table=True):
    """An equity participation; its id is that of the proposal that committed it."""

    __tablename__ = "trividend_participation"

    id: str = Field(primary_key=True, max_length=36, foreign_key="trividend_proposal.id")
    investee_id: str = Field(max_length=36, foreign_key="trividend_investee.id", index=True)
    committed: Decimal = Field(sa_column=money())
    opened_on: date
    status: str = Field(max_length=12)


class TrividendMovement(SQLModel, table=True):
    """A tranche, dividend or exit of a participation, in the order it was recorded (`id`)."""

    __tablename__ = "trividend_movement"

    id: int | None = Field(default=None, sa_column=big_id())
    participation_id: str = Field(max_length=36, foreign_key="trividend_participation.id", index=True)
    kind: str = Field(max_length=12)
    on: date
    amount: Decimal = Field(sa_column=money())
    shares: int = Field(default=0, sa_column=sa.Column(sa.BigInteger, nullable=False))
    price_per_share: Decimal | None = Field(default=None, sa_column=sa.Column(sa.Numeric(18, 6), nullable=True))
    cost_of_shares_sold: Decimal | None = Field(default=None, sa_column=money(nullable=True))
    recorded_by: str = Field(max_length=200)
    approved_by: str | None = Field(default=None, max_length=200)
    recorded_at: datetime = Field(sa_column=timestamp())


class TrividendExit(SQLModel, table=True):
    """A sale of shares, prepared by one person and approved by another."""

    __tablename__ = "trividend_exit"

    id: str = Field(primary_key=True, max_length=36)
    participation_id: str = Field(max_length=36, foreign_key="trividend_participation.id", index=True)
    on: date
    shares_sold: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    proceeds: Decimal = Field(sa_column=money())
    status: str = Field(max_length=12)
    prepared_by: str = Field(max_length=200)
    prepared_at: datetime = Field(sa_column=timestamp())
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    reason: str | None = Field(default=None, sa_column=text(nullable=True))


class TrividendValuation(SQLModel, table=True):
    __tablename__ = "trividend_valuation"

    id: str = Field(primary_key=True, max_length=36)
    participation_id: str = Field(max_length=36, foreign_key="trividend_participation.id", index=True)
    quarter: str = Field(max_length=6, index=True)
    as_of: date
    fair_value: Decimal = Field(sa_column=money())
    method: str = Field(max_length=40)
    rationale: str = Field(sa_column=text())
    reason: str | None = Field(default=None, sa_column=text(nullable=True))
    corrects: str | None = Field(default=None, max_length=36)
    status: str = Field(max_length=12)
    prepared_by: str = Field(max_length=200)
    prepared_at: datetime = Field(sa_column=timestamp())
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class TrividendClosedQuarter(SQLModel, table=True):
    """A reporting quarter that is closed: its valuations are never rewritten."""

    __tablename__ = "trividend_closed_quarter"

    quarter: str = Field(primary_key=True, max_length=6)
    closed_by: str = Field(max_length=200)
    closed_at: datetime = Field(sa_column=timestamp())


class TrividendLoan(SQLModel, table=True):
    """A subordinated or convertible loan: its id is the proposal's; the servicing core keeps its history."""

    __tablename__ = "trividend_loan"

    id: str = Field(primary_key=True, max_length=36, foreign_key="trividend_proposal.id")
    investee_id: str = Field(max_length=36, foreign_key="trividend_investee.id", index=True)
    instrument: str = Field(max_length=30)
    principal: Decimal = Field(sa_column=money())
    annual_rate: Decimal = Field(sa_column=rate())
    periods: int
    frequency: str = Field(max_length=20)
    start_date: date
    rating: str = Field(max_length=20)
    collateral: str = Field(max_length=20)
    reference_rate: Decimal = Field(sa_column=rate())
    discount_rate: Decimal = Field(sa_column=rate())
    gge: Decimal = Field(sa_column=money())
    grant_date: date
    sifo_loan_id: str | None = Field(default=None, max_length=36)
    interest_converts: bool = False
    iban: str | None = Field(default=None, max_length=34)
    disbursed_on: date | None = None
    status: str = Field(max_length=20, index=True)
    defaulted_on: date | None = None
    settled_on: date | None = None
    written_off_on: date | None = None
    written_off_amount: Decimal | None = Field(default=None, sa_column=money(nullable=True))
    status_reason: str | None = Field(default=None, sa_column=text(nullable=True))
    converted_on: date | None = None
    created_at: datetime = Field(sa_column=timestamp())


class TrividendLoanEvent(LoanEntryColumns, table=True):
    """Servicing history of a loan; replayed through the shared engine for every view."""

    __tablename__ = "trividend_loan_event"

    loan_id: str = Field(foreign_key="trividend_loan.id", index=True, max_length=36)


class TrividendDecision(DecisionColumns, table=True):
    """A four-eyes decision on a loan: payout, cancellation, servicing."""

    __tablename__ = "trividend_decision"

    loan_id: str = Field(foreign_key="trividend_loan.id", index=True, max_length=36)


class TrividendBoardSeat(SQLModel, table=True):
    """A seat Trividend holds on an investee's board (or as observer), for a period."""

    __tablename__ = "trividend_board_seat"

    id: int | None = Field(default=None, sa_column=big_id())
    investee_id: str = Field(max_length=36, foreign_key="trividend_investee.id", index=True)
    person: str = Field(max_length=200)
    role: str = Field(max_length=20)
    from_date: date
    until: date | None = None
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_column=timestamp())


class TrividendSupportSession(SQLModel, table=True):
    """Coaching or management support given to an investee."""

    __tablename__ = "trividend_support_session"

    id: int | None = Field(default=None, sa_column=big_id())
    investee_id: str = Field(max_length=36, foreign_key="trividend_investee.id", index=True)
    on: date
    kind: str = Field(max_length=30)
    hours: Decimal = Field(sa_column=quantity())
    topic: str = Field(sa_column=text())
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_column=timestamp())


class TrividendKpiReport(SQLModel, table=True):
    """What an investee reported for a period: target-group VTE, turnover, result and equity."""

    __tablename__ = "trividend_kpi_report"
    __table_args__ = (sa.UniqueConstraint("investee_id", "period_end", name="uq_trividend_kpi_period"),)

    id: int | None = Field(default=None, sa_column=big_id())
    investee_id: str = Field(max_length=36, foreign_key="trividend_investee.id", index=True)
    period_end: date
    target_group_vte: Decimal = Field(sa_column=quantity())
    turnover: Decimal = Field(sa_column=money())
    result: Decimal = Field(sa_column=money())
    equity: Decimal = Field(sa_column=money())
    reported_on: date
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_column=timestamp())


class TrividendMandate(MandateColumns, table=True):
    __tablename__ = "trividend_mandate"

    loan_id: str = Field(foreign_key="trividend_loan.id", index=True, max_length=36)


class TrividendPaymentRequest(PaymentRequestColumns, table=True):
    __tablename__ = "trividend_payment_request"
    __table_args__ = (sa.UniqueConstraint("loan_id", "due_on", name="uq_trividend_payment_request_installment"),)

    loan_id: str = Field(foreign_key="trividend_loan.id", index=True, max_length=36)


class TrividendBankFile(BankFileColumns, table=True):
    __tablename__ = "trividend_bank_file"
    __table_args__ = (sa.UniqueConstraint("kind", "business_date", "account_iban", name="uq_trividend_bank_file_day"),)


class TrividendPayout(PayoutColumns, table=True):
    __tablename__ = "trividend_payout"

    loan_id: str = Field(foreign_key="trividend_loan.id", index=True, max_length=36)


class TrividendStatement(StatementColumns, table=True):
    __tablename__ = "trividend_statement"
    __table_args__ = (sa.UniqueConstraint("account_iban", "statement_id", name="uq_trividend_statement_account"),)


class TrividendStatementLine(StatementLineColumns, table=True):
    __tablename__ = "trividend_statement_line"
    __table_args__ = (sa.UniqueConstraint("statement_id", "number", name="uq_trividend_statement_line_number"),)

    statement_id: str = Field(foreign_key="trividend_statement.id", index=True, max_length=36)


class TrividendOverdue(OverdueColumns, table=True):
    __tablename__ = "trividend_overdue"

    loan_id: str = Field(foreign_key="trividend_loan.id", index=True, max_length=36)


class TrividendJobRun(JobRunColumns, table=True):
    __tablename__ = "trividend_job_run"
    __table_args__ = (sa.UniqueConstraint("job", "business_date", name="uq_trividend_job_run_day"),)


class TrividendCollectionCursor(CollectionCursorColumns, table=True):
    __tablename__ = "trividend_collection_cursor"

    loan_id: str = Field(foreign_key="trividend_loan.id", primary_key=True, max_length=36)
