"""Column sets of the servicing tables every lending service keeps under its own prefix.

A service declares ``class SifoLoanEvent(LoanEntryColumns, table=True)`` with its table name and
re-declares ``loan_id`` with its foreign key (its loans, or its applications for decisions taken
before a loan exists); every other column is defined here once. Money NUMERIC(18,2), rates NUMERIC(9,6), times
timezone-aware.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.platform.columns import BIG_ID

MONEY = sa.Numeric(18, 2)
RATE = sa.Numeric(9, 6)
MOMENT = sa.DateTime(timezone=True)


class LoanEntryColumns(SQLModel):
    """A line of a loan's servicing history (see `shared.servicing.entries`)."""

    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID, sa_column_kwargs={"autoincrement": True})
    loan_id: str = Field(max_length=36, index=True)
    kind: str = Field(max_length=20)
    on: date
    amount: Decimal | None = Field(default=None, sa_type=MONEY)
    mode: str | None = Field(default=None, max_length=30)
    annual_rate: Decimal | None = Field(default=None, sa_type=RATE)
    terms: str | None = Field(default=None, sa_type=sa.Text)
    reverses: int | None = Field(default=None, sa_type=sa.BigInteger)
    decision_id: str | None = Field(default=None, max_length=36)
    reason: str | None = Field(default=None, sa_type=sa.Text)
    recorded_by: str = Field(max_length=200)
    recorded_at: datetime = Field(sa_type=MOMENT)


class DecisionColumns(SQLModel):
    """A four-eyes decision with its typed request stored as JSON (see `shared.servicing.decisions`)."""

    id: str = Field(primary_key=True, max_length=36)
    loan_id: str = Field(max_length=36, index=True)
    kind: str = Field(max_length=20)
    payload: str = Field(sa_type=sa.Text)
    status: str = Field(max_length=20)
    prepared_by: str = Field(max_length=200)
    prepared_at: datetime = Field(sa_type=MOMENT)
    decided_by: str | None = Field(default=None, max_length=200)
    decided_at: datetime | None = Field(default=None, sa_type=MOMENT)
    note: str | None = Field(default=None, sa_type=sa.Text)


class AidMeasureColumns(SQLModel):
    """A de minimis aid measure of a loan: its grant, or a later change of terms, with the rates it was valued at."""

    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID, sa_column_kwargs={"autoincrement": True})
    loan_id: str = Field(max_length=36, index=True)
    enterprise_number: str = Field(max_length=10, index=True)
    measure: str = Field(max_length=20)
    source_reference: str = Field(max_length=36)
    grant_date: date
    gge: Decimal = Field(sa_type=MONEY)
    reference_rate: Decimal = Field(sa_type=RATE)
    discount_rate: Decimal = Field(sa_type=RATE)
    status: str = Field(max_length=20)
    created_at: datetime = Field(sa_type=MOMENT)
