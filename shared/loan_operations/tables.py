"""Column sets of the repayment-operations tables every lender keeps under its own prefix.

As with `shared.servicing.tables`, a service declares ``class SifoPaymentRequest(PaymentRequestColumns,
table=True)`` with its table name, and re-declares ``loan_id`` with its foreign key. The
uniqueness that makes every run repeatable is in the schema: one payment request per loan and due
date, one structured reference per request, one file per kind, day and account, one statement
per account and statement id, one job run per job and business date.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from shared.platform.columns import BIG_ID
from shared.servicing.tables import MOMENT, MONEY


class MandateColumns(SQLModel):
    """A SEPA Core direct-debit mandate a borrower signed for a loan; revoked, never deleted."""

    id: str = Field(primary_key=True, max_length=36)
    loan_id: str = Field(max_length=36, index=True)
    reference: str = Field(max_length=35, unique=True)
    signed_on: date
    debtor_name: str = Field(max_length=200)
    debtor_iban: str = Field(max_length=34)
    debtor_bic: str | None = Field(default=None, max_length=11)
    revoked_on: date | None = None
    created_at: datetime = Field(sa_type=MOMENT)
    created_by: str = Field(max_length=200)
    revoked_by: str | None = Field(default=None, max_length=200)


class PaymentRequestColumns(SQLModel):
    """An instalment asked for, once: by direct debit (in a pain.008 file) or by a payment invitation."""

    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID, sa_column_kwargs={"autoincrement": True})
    loan_id: str = Field(max_length=36, index=True)
    due_on: date = Field(index=True)
    installment_number: int
    amount: Decimal = Field(sa_type=MONEY)
    structured_reference: str | None = Field(default=None, max_length=12, unique=True)
    channel: str = Field(max_length=20)
    mandate_id: str | None = Field(default=None, max_length=36)
    sequence_type: str | None = Field(default=None, max_length=4)
    collection_on: date | None = None
    file_id: str | None = Field(default=None, max_length=36, index=True)
    status: str = Field(max_length=20, index=True)
    business_date: date
    created_at: datetime = Field(sa_type=MOMENT)


class BankFileColumns(SQLModel):
    """A file produced for the bank (pain.008 collections, pain.001 payouts), kept as it was sent."""

    id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(max_length=20)
    business_date: date
    account_iban: str = Field(max_length=34)
    message_id: str = Field(max_length=35, unique=True)
    transactions: int
    total: Decimal = Field(sa_type=MONEY)
    document: str = Field(sa_type=sa.Text)
    created_at: datetime = Field(sa_type=MOMENT)


class PayoutColumns(SQLModel):
    """An approved payout waiting for (or included in) the day's pain.001 file of its debtor account."""

    id: str = Field(primary_key=True, max_length=36)
    loan_id: str = Field(max_length=36, index=True)
    decision_id: str = Field(max_length=36, unique=True)
    amount: Decimal = Field(sa_type=MONEY)
    creditor_name: str = Field(max_length=200)
    creditor_iban: str = Field(max_length=34)
    debtor_name: str = Field(max_length=200)
    debtor_iban: str = Field(max_length=34)
    debtor_bic: str | None = Field(default=None, max_length=11)
    requested_on: date
    execution_on: date | None = None
    end_to_end_id: str = Field(max_length=35, unique=True)
    remittance: str = Field(max_length=140)
    file_id: str | None = Field(default=None, max_length=36, index=True)
    created_at: datetime = Field(sa_type=MOMENT)


class StatementColumns(SQLModel):
    """An imported camt.053 statement: imported once per account and statement id."""

    id: str = Field(primary_key=True, max_length=36)
    account_iban: str = Field(max_length=34)
    statement_id: str = Field(max_length=35)
    message_id: str = Field(max_length=35)
    version: str = Field(max_length=20)
    sequence_number: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(sa_type=MOMENT)
    lines: int
    booked: int
    returned: int
    in_review: int
    document: str = Field(sa_type=sa.Text)
    imported_at: datetime = Field(sa_type=MOMENT)
    imported_by: str = Field(max_length=200)


class StatementLineColumns(SQLModel):
    """A booked line of a statement and what became of it: booked, returned, in review, resolved or ignored."""

    id: int | None = Field(default=None, primary_key=True, sa_type=BIG_ID, sa_column_kwargs={"autoincrement": True})
    statement_id: str = Field(max_length=36, index=True)
    number: int
    entry_reference: str = Field(max_length=100)
    booking_date: date
    value_date: date | None = None
    amount: Decimal = Field(sa_type=MONEY)
    currency: str = Field(max_length=3)
    direction: str = Field(max_length=6)
    end_to_end_id: str | None = Field(default=None, max_length=35, index=True)
    structured_reference: str | None = Field(default=None, max_length=12)
    remittance: str | None = Field(default=None, sa_type=sa.Text)
    counterparty_name: str | None = Field(default=None, max_length=200)
    counterparty_iban: str | None = Field(default=None, max_length=34)
    return_reason: str | None = Field(default=None, max_length=35)
    status: str = Field(max_length=20, index=True)
    reason: str | None = Field(default=None, sa_type=sa.Text)
    loan_id: str | None = Field(default=None, max_length=36, index=True)
    payment_request_id: int | None = Field(default=None, sa_type=sa.BigInteger, index=True)
    entry_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    reverses_line_id: int | None = Field(default=None, sa_type=sa.BigInteger)
    resolved_by: str | None = Field(default=None, max_length=200)
    resolved_at: datetime | None = Field(default=None, sa_type=MOMENT)


class OverdueColumns(SQLModel):
    """An overdue instalment's follow-up until it is paid.

    Each overdue run ages every row (days past due, bucket); the loan is replayed (unpaid amount,
    late interest) when money arrived since `seen_entry_id`, or a reminder or the default is due.
    `paid_on` is the day the follow-up ended: paid, or closed with the loan.
    """

    payment_request_id: int = Field(primary_key=True, sa_type=sa.BigInteger)
    loan_id: str = Field(max_length=36, index=True)
    due_on: date
    overdue_on: date
    days_past_due: int
    bucket: str = Field(max_length=10)
    unpaid: Decimal = Field(sa_type=MONEY)
    late_interest: Decimal = Field(sa_type=MONEY)
    reminders_sent: int = 0
    last_reminder_on: date | None = None
    default_decision_id: str | None = Field(default=None, max_length=36)
    paid_on: date | None = None
    updated_on: date
    seen_entry_id: int = Field(default=0, sa_type=sa.BigInteger)


class JobRunColumns(SQLModel):
    """A scheduled job's run for one business date: done once; a crashed run is resumed, not repeated."""

    id: str = Field(primary_key=True, max_length=36)
    job: str = Field(max_length=50)
    business_date: date
    status: str = Field(max_length=20)
    attempts: int
    started_at: datetime = Field(sa_type=MOMENT)
    finished_at: datetime | None = Field(default=None, sa_type=MOMENT)
    counts: str = Field(default="{}", sa_type=sa.Text)
    outcome: str | None = Field(default=None, sa_type=sa.Text)
    started_by: str = Field(max_length=200)


class CollectionCursorColumns(SQLModel):
    """Where the due run left a loan: the next due date to look at and the last history entry it saw.

    A loan is looked at again only when that date enters the collection window, or when a
    restructuring or reversal recorded since may have changed what it owes and when.
    """

    loan_id: str = Field(primary_key=True, max_length=36)
    next_due_on: date | None = None
    seen_entry_id: int = Field(default=0, sa_type=sa.BigInteger)
