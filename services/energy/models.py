"""Energy-programme tables (``energy_`` prefix). Money NUMERIC(18,2), rates NUMERIC(9,6).

Check constraints repeat the budget invariant so no path can overcommit a budget year.
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
from shared.platform.columns import big_id, money, quantity, rate, text, timestamp
from shared.platform.external_ids import unique_when_given
from shared.servicing.tables import AidMeasureColumns, DecisionColumns, LoanEntryColumns


class EnergyBudgetYear(SQLModel, table=True):
    __tablename__ = "energy_budget_year"
    __table_args__ = (
        sa.CheckConstraint("committed >= 0 AND disbursed >= 0 AND released >= 0", name="ck_energy_budget_parts"),
        sa.CheckConstraint("committed + disbursed <= envelope", name="ck_energy_budget_not_overcommitted"),
    )

    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    envelope: Decimal = Field(sa_column=money())
    committed: Decimal = Field(sa_column=money())
    disbursed: Decimal = Field(sa_column=money())
    released: Decimal = Field(sa_column=money())
    budget_article: str = Field(max_length=40)
    created_at: datetime = Field(sa_column=timestamp())
    created_by: str = Field(max_length=200)


class EnergyCall(SQLModel, table=True):
    """An oproep: a window in which applications are taken, with its rate, term and maxima."""

    __tablename__ = "energy_call"

    id: str = Field(primary_key=True, max_length=36)
    budget_year: int = Field(foreign_key="energy_budget_year.year", index=True)
    title: str = Field(max_length=200)
    opens_on: date
    closes_on: date
    annual_rate: Decimal = Field(sa_column=rate())
    periods: int
    frequency: str = Field(max_length=20)
    max_per_applicant: Decimal | None = Field(default=None, sa_column=money(nullable=True))
    max_per_site: Decimal | None = Field(default=None, sa_column=money(nullable=True))
    created_at: datetime = Field(sa_column=timestamp())
    created_by: str = Field(max_length=200)


class EnergyApplicant(SQLModel, table=True):
    __tablename__ = "energy_applicant"
    __table_args__ = (unique_when_given("energy_applicant"),)

    id: str = Field(primary_key=True, max_length=36)
    external_id: str | None = Field(default=None, max_length=100)
    enterprise_number: str = Field(max_length=10, unique=True)
    name: str = Field(max_length=200)
    workshop_type: str = Field(max_length=20)
    recognition_number: str = Field(max_length=50)
    iban: str | None = Field(default=None, max_length=34)
    created_at: datetime = Field(sa_column=timestamp())
    created_by: str = Field(max_length=200)


class EnergySite(SQLModel, table=True):
    __tablename__ = "energy_site"

    id: str = Field(primary_key=True, max_length=36)
    applicant_id: str = Field(foreign_key="energy_applicant.id", index=True, max_length=36)
    name: str = Field(max_length=200)
    address: str = Field(max_length=300)
    yearly_energy_need_kwh: Decimal = Field(sa_column=quantity())


class EnergyApplication(SQLModel, table=True):
    __tablename__ = "energy_application"
    __table_args__ = (unique_when_given("energy_application"),)

    id: str = Field(primary_key=True, max_length=36)
    external_id: str | None = Field(default=None, max_length=100)
    call_id: str = Field(foreign_key="energy_call.id", index=True, max_length=36)
    applicant_id: str = Field(foreign_key="energy_applicant.id", index=True, max_length=36)
    site_id: str = Field(foreign_key="energy_site.id", index=True, max_length=36)
    requested_amount: Decimal = Field(sa_column=money())
    rating: str = Field(max_length=20)
    collateral: str = Field(max_length=20)
    documents: str = Field(sa_column=text())
    warnings: str = Field(sa_column=text())
    status: str = Field(max_length=20, index=True)
    gge: Decimal = Field(sa_column=money())
    gge_on: date
    gge_reference_rate: Decimal = Field(sa_column=rate())
    gge_discount_rate: Decimal = Field(sa_column=rate())
    committed_amount: Decimal | None = Field(default=None, sa_column=money(nullable=True))
    submitted_at: datetime = Field(sa_column=timestamp())
    updated_at: datetime = Field(default_factory=stamp_now, sa_column=change_stamp())
    submitted_by: str = Field(max_length=200)
    decided_by: str | None = Field(default=None, max_length=200)
    decided_on: date | None = None
    reason: str | None = Field(default=None, sa_column=text(nullable=True))


class EnergyInstallation(SQLModel, table=True):
    __tablename__ = "energy_installation"

    id: int | None = Field(default=None, sa_column=big_id())
    application_id: str = Field(foreign_key="energy_application.id", index=True, max_length=36)
    position: int
    technology: str = Field(max_length=20)
    capacity: Decimal = Field(sa_column=quantity())
    unit: str = Field(max_length=20)
    investment_cost: Decimal = Field(sa_column=money())
    yearly_production_kwh: Decimal = Field(sa_column=quantity())
    yearly_savings_eur: Decimal = Field(sa_column=money())
    seasonal_cop: Decimal | None = Field(default=None, sa_column=sa.Column(sa.Numeric(5, 2), nullable=True))
    hot_water_share: Decimal | None = Field(default=None, sa_column=sa.Column(sa.Numeric(5, 4), nullable=True))


class EnergyLoan(SQLModel, table=True):
    """A disbursed energy loan: the terms the shared engine schedules from the disbursement date.

    Its id is its application's id: one credit file, one key for all its events.
    """

    __tablename__ = "energy_loan"

    id: str = Field(primary_key=True, max_length=36)
    application_id: str = Field(foreign_key="energy_application.id", unique=True, max_length=36)
    applicant_id: str = Field(foreign_key="energy_applicant.id", index=True, max_length=36)
    budget_year: int = Field(foreign_key="energy_budget_year.year", index=True)
    principal: Decimal = Field(sa_column=money())
    annual_rate: Decimal = Field(sa_column=rate())
    periods: int
    frequency: str = Field(max_length=20)
    start_date: date
    first_due_date: date | None = None
    delivery_date: date
    iban: str = Field(max_length=34)
    status: str = Field(max_length=20, index=True)
    defaulted_on: date | None = None
    settled_on: date | None = None
    written_off_on: date | None = None
    written_off_amount: Decimal | None = Field(default=None, sa_column=money(nullable=True))
    status_reason: str | None = Field(default=None, sa_column=text(nullable=True))
    created_at: datetime = Field(sa_column=timestamp())


class EnergyAidMeasure(AidMeasureColumns, table=True):
    """Aid recorded before the state-aid register existed; kept for history, no longer written."""

    __tablename__ = "energy_aid_measure"

    loan_id: str = Field(foreign_key="energy_application.id", index=True, max_length=36)


class EnergyLoanEvent(LoanEntryColumns, table=True):
    """Servicing history of a loan; replayed through the shared engine for every view."""

    __tablename__ = "energy_loan_event"

    loan_id: str = Field(foreign_key="energy_loan.id", index=True, max_length=36)


class EnergyDecision(DecisionColumns, table=True):
    """A four-eyes decision on an application or its loan (same id): payout, cancellation, servicing."""

    __tablename__ = "energy_decision"

    loan_id: str = Field(foreign_key="energy_application.id", index=True, max_length=36)


class EnergyMandate(MandateColumns, table=True):
    __tablename__ = "energy_mandate"

    loan_id: str = Field(foreign_key="energy_loan.id", index=True, max_length=36)


class EnergyPaymentRequest(PaymentRequestColumns, table=True):
    __tablename__ = "energy_payment_request"
    __table_args__ = (sa.UniqueConstraint("loan_id", "due_on", name="uq_energy_payment_request_installment"),)

    loan_id: str = Field(foreign_key="energy_loan.id", index=True, max_length=36)


class EnergyBankFile(BankFileColumns, table=True):
    __tablename__ = "energy_bank_file"
    __table_args__ = (sa.UniqueConstraint("kind", "business_date", "account_iban", name="uq_energy_bank_file_day"),)


class EnergyPayout(PayoutColumns, table=True):
    __tablename__ = "energy_payout"

    loan_id: str = Field(foreign_key="energy_loan.id", index=True, max_length=36)


class EnergyStatement(StatementColumns, table=True):
    __tablename__ = "energy_statement"
    __table_args__ = (sa.UniqueConstraint("account_iban", "statement_id", name="uq_energy_statement_account"),)


class EnergyStatementLine(StatementLineColumns, table=True):
    __tablename__ = "energy_statement_line"
    __table_args__ = (sa.UniqueConstraint("statement_id", "number", name="uq_energy_statement_line_number"),)

    statement_id: str = Field(foreign_key="energy_statement.id", index=True, max_length=36)


class EnergyOverdue(OverdueColumns, table=True):
    __tablename__ = "energy_overdue"

    loan_id: str = Field(foreign_key="energy_loan.id", index=True, max_length=36)


class EnergyJobRun(JobRunColumns, table=True):
    __tablename__ = "energy_job_run"
    __table_args__ = (sa.UniqueConstraint("job", "business_date", name="uq_energy_job_run_day"),)


class EnergyCollectionCursor(CollectionCursorColumns, table=True):
    __tablename__ = "energy_collection_cursor"

    loan_id: str = Field(foreign_key="energy_loan.id", primary_key=True, max_length=36)
