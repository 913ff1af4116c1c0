"""Payloads of the servicing events every lender publishes, defined once.

Each producer registers them under its own versioned names (``sifo.loan.repayment_recorded.v2``,
``energy.loan.repayment_recorded.v2``) by subclassing, adding only the fields that identify the
loan in its own world (SIFO: the financier). Every one of them is keyed by the loan id, so one
loan's events stay in order on its partition. Money is a decimal string with two decimals.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.loan_terms import LoanTermsV1


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ServicingEvent(Contract):
    loan_id: str


class RepaymentRecorded(ServicingEvent):
    """Money received, allocated late interest -> fees -> overdue -> next installment -> prepayment -> excess."""

    entry_id: int = Field(description="history entry of the repayment; a reversal names it")
    received_on: date
    amount: Decimal
    late_interest: Decimal
    collection_fees: Decimal
    interest: Decimal
    principal: Decimal
    prepayment: Decimal
    excess: Decimal = Field(description="more than everything owed: to be refunded")
    outstanding_principal: Decimal
    status: str = Field(description="current | in_arrears | settled after this payment")


class RepaymentRecordedWithMode(RepaymentRecorded):
    """A repayment and how its surplus reduced the loan, so a consumer can replay the schedule exactly."""

    surplus_mode: str = Field(
        examples=["reduce_installment", "reduce_term"], description="how a prepaid surplus reshaped the schedule"
    )


class Prepaid(ServicingEvent):
    entry_id: int
    received_on: date
    amount: Decimal
    mode: str = Field(examples=["reduce_term", "reduce_installment"])
    outstanding_principal: Decimal


class AidValuationV1(Contract):
    """State aid (gross grant equivalent) with the day and the EU reference and discount rates it was valued at."""

    grant_date: date
    gge: Decimal
    reference_rate: Decimal
    discount_rate: Decimal


class RateReset(ServicingEvent):
    """A four-eyes decision: from `effective_on` the loan bears `annual_rate`."""

    entry_id: int
    effective_on: date
    annual_rate: Decimal
    aid: AidValuationV1
    prepared_by: str
    approved_by: str


class Restructured(ServicingEvent):
    """From `effective_on` the loan follows `terms`; their principal is what was owed on that day."""

    entry_id: int
    effective_on: date
    terms: LoanTermsV1
    aid: AidValuationV1
    committee_reference: str | None = None
    prepared_by: str
    approved_by: str


class Defaulted(ServicingEvent):
    defaulted_on: date
    outstanding_principal: Decimal
    reason: str
    declared_by: str


class WrittenOff(ServicingEvent):
    """The lender bears the loss: `amount` (everything owed that day) leaves the book."""

    written_off_on: date
    amount: Decimal
    reason: str
    prepared_by: str
    approved_by: str


class Settled(ServicingEvent):
    """Nothing is owed any more: the repayment `entry_id` paid the loan off on `settled_on`."""

    settled_on: date
    entry_id: int


class EntryReversed(ServicingEvent):
    """A history entry recorded by mistake no longer counts; the loan is replayed without it."""

    entry_id: int = Field(description="the entry that no longer counts")
    reversal_entry_id: int
    kind: str
    on: date
    amount: Decimal | None
    reason: str
    prepared_by: str
    approved_by: str
    outstanding_principal: Decimal
