"""Payloads of the repayment-operations events every lender publishes, defined once.

As with `loan_servicing`, each producer registers them under its own versioned names by
subclassing (SIFO adds the financier). All are keyed by the loan id. They tell the back office
what to send: a payment invitation to mail (or a direct debit going out), an instalment that is
overdue, a reminder that is due, and a default proposed for a person to decide.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field

from shared.contracts.loan_servicing import ServicingEvent


class PaymentRequested(ServicingEvent):
    """An instalment asked for: collected by direct debit under a mandate, or to pay on an invitation."""

    request_id: int
    due_on: date
    installment_number: int
    amount: Decimal = Field(description="what the instalment still asks for when the request is made")
    structured_reference: str = Field(description="Belgian structured reference (OGM/VCS), 12 digits")
    channel: str = Field(examples=["direct_debit", "invitation"])
    payer_name: str
    payer_iban: str | None
    collection_on: date | None = Field(description="TARGET2 business day the direct debit is collected on")
    mandate_reference: str | None
    sequence_type: str | None = Field(examples=["FRST", "RCUR"])


class InstallmentOverdue(ServicingEvent):
    """An instalment unpaid after its due date and the tolerance; published once, when it becomes overdue."""

    request_id: int
    due_on: date
    structured_reference: str
    unpaid: Decimal
    days_past_due: int
    bucket: str = Field(examples=["1-30", "31-60", "61-90", "90+"])
    late_interest: Decimal = Field(description="late interest the loan owes on the run's date")


class PaymentReminderDue(ServicingEvent):
    """A reminder level reached (its day count after the due date): the back office sends it."""

    request_id: int
    due_on: date
    structured_reference: str
    level: int = Field(description="1 for the first reminder, 2 for the second, ...")
    days_past_due: int
    unpaid: Decimal
    late_interest: Decimal
    payer_name: str


class DefaultProposed(ServicingEvent):
    """An instalment past the default threshold: a default decision awaits a person."""

    decision_id: str
    proposed_on: date
    days_past_due: int
    unpaid: Decimal
