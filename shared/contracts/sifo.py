"""Events the SIFO service publishes on ``sifo.events``, keyed by the aggregate they describe.

They carry what the portfolio needs to rebuild its book without calling SIFO: a loan's terms
(from which the shared engine gives the schedule), its borrower, target-group jobs, aid and
every money movement with its allocation. Loan events are keyed by the loan id.

A type whose payload changed got a new version; the older model stays registered so the history
on the topic can still be read (see docs/events/CHANGES.md).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts import loan_operations as operations
from shared.contracts import loan_servicing as servicing
from shared.contracts.loan_terms import LoanTermsV1, LoanTermsV2
from shared.contracts.state_aid import AidCarried, AidOutcome
from shared.contracts.topics import SIFO_EVENTS
from shared.eventbus.registry import event_type

SIFO_SOURCE = "/services/sifo"


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@event_type("sifo.financier.recognised.v1", topic=SIFO_EVENTS)
class FinancierRecognisedV1(Contract):
    """A recognised financier (erkende financier) was registered; it may receive drawing rights."""

    financier_id: str = Field(description="UUID of the financier in the SIFO service")
    enterprise_number: str = Field(pattern=r"^[01][0-9]{9}$", examples=["0403170701"])
    name: str = Field(min_length=1, max_length=200, examples=["Hefboom cvba"])
    iban: str = Field(examples=["BE68539007547034"])
    recognised_from: date
    recognised_until: date | None = None


@event_type("sifo.financier.suspended.v1", topic=SIFO_EVENTS)
class FinancierSuspendedV1(Contract):
    """No new drawings from `suspended_from` on, until the suspension is lifted."""

    financier_id: str
    suspended_from: date
    reason: str


@event_type("sifo.financier.ended.v1", topic=SIFO_EVENTS)
class FinancierEndedV1(Contract):
    """The recognition ends on `ended_on`: no new drawings after that date."""

    financier_id: str
    ended_on: date
    reason: str


@event_type("sifo.drawing_right.allocated.v1", topic=SIFO_EVENTS)
class DrawingRightAllocatedV1(Contract):
    drawing_right_id: str
    financier_id: str
    fund_year: int
    allocated: Decimal
    valid_from: date
    valid_until: date


@event_type("sifo.drawing_right.reallocated.v1", topic=SIFO_EVENTS)
class DrawingRightReallocatedV1(Contract):
    drawing_right_id: str
    financier_id: str
    previous_allocated: Decimal
    allocated: Decimal
    reason: str


@event_type("sifo.drawing_right.released.v1", topic=SIFO_EVENTS)
class DrawingRightReleasedV1(Contract):
    """Part of a right was given back by decision; `released_total` is the running total."""

    drawing_right_id: str
    financier_id: str
    amount: Decimal
    released_total: Decimal
    reason: str


@event_type("sifo.drawing_right.expired.v1", topic=SIFO_EVENTS)
class DrawingRightExpiredV1(Contract):
    """The validity window ended; what was still available is released."""

    drawing_right_id: str
    financier_id: str
    expired_on: date
    released_amount: Decimal


class LoanSnapshotV1(Contract):
    loan_id: str
    financier_id: str
    borrower_enterprise_number: str
    borrower_name: str
    target_group_vte: Decimal = Field(description="target-group employees (full-time equivalents) the loan supports")
    loan_type: str
    total_credit: Decimal
    sifo_share: Decimal
    terms: LoanTermsV1
    rating: str
    collateral: str
    reference_rate: Decimal
    gge: Decimal = Field(description="gross grant equivalent of the SIFO share, de minimis aid")


@event_type("sifo.loan.submitted.v1", topic=SIFO_EVENTS)
class LoanSubmittedV1(LoanSnapshotV1):
    """Superseded by v2 (terms with a first due date, aid with its rates); kept to read the history."""

    submitted_on: date
    rate_override_reason: str | None = None
    committee_reference: str | None = None


@event_type("sifo.loan.approved.v1", topic=SIFO_EVENTS)
class LoanApprovedV1(LoanSnapshotV1):
    """Superseded by v2; kept to read the history."""

    approved_on: date
    drawing_right_id: str
    reserved: Decimal


@event_type("sifo.loan.rejected.v1", topic=SIFO_EVENTS)
class LoanRejectedV1(Contract):
    loan_id: str
    financier_id: str
    rejected_on: date
    reason: str


@event_type("sifo.loan.disbursed.v1", topic=SIFO_EVENTS)
class LoanDisbursedV1(LoanSnapshotV1):
    """Superseded by v2; kept to read the history."""

    disbursed_on: date
    drawing_right_id: str
    amount: Decimal
    creditor_iban: str


@event_type("sifo.loan.repayment_recorded.v1", topic=SIFO_EVENTS)
class LoanRepaymentRecordedV1(Contract):
    """Superseded by v2 (entry id, fees apart, status); kept to read the history."""

    loan_id: str
    financier_id: str
    received_on: date
    amount: Decimal
    late_interest: Decimal
    interest: Decimal
    principal: Decimal
    prepayment: Decimal
    excess: Decimal
    outstanding_principal: Decimal


@event_type("sifo.loan.prepaid.v1", topic=SIFO_EVENTS)
class LoanPrepaidV1(Contract):
    """Superseded by v2 (entry id); kept to read the history."""

    loan_id: str
    financier_id: str
    received_on: date
    amount: Decimal
    mode: str
    outstanding_principal: Decimal


@event_type("sifo.loan.rate_reset.v1", topic=SIFO_EVENTS)
class LoanRateResetV1(Contract):
    """Superseded by v2 (a four-eyes decision with its aid); kept to read the history."""

    loan_id: str
    financier_id: str
    effective_on: date
    annual_rate: Decimal


@event_type("sifo.loan.restructured.v1", topic=SIFO_EVENTS)
class LoanRestructuredV1(Contract):
    """Superseded by v2 (entry id, aid, committee reference); kept to read the history."""

    loan_id: str
    financier_id: str
    effective_on: date
    terms: LoanTermsV1
    prepared_by: str
    approved_by: str


@event_type("sifo.loan.defaulted.v1", topic=SIFO_EVENTS)
class LoanDefaultedV1(Contract):
    """Superseded by v2 (who declared it); kept to read the history."""

    loan_id: str
    financier_id: str
    defaulted_on: date
    outstanding_principal: Decimal
    reason: str


class LoanSnapshotV2(Contract):
    loan_id: str
    financier_id: str
    borrower_enterprise_number: str
    borrower_name: str
    target_group_vte: Decimal = Field(description="target-group employees (full-time equivalents) the loan supports")
    loan_type: str
    total_credit: Decimal
    sifo_share: Decimal
    terms: LoanTermsV2
    rating: str
    collateral: str
    reference_rate: Decimal = Field(description="the EU reference rate the loan was priced at on submission")
    aid: servicing.AidValuationV1 = Field(
        description="gross grant equivalent of the SIFO share (de minimis aid), with the day and rates it was valued at"
    )


@event_type("sifo.loan.submitted.v2", topic=SIFO_EVENTS)
class LoanSubmittedV2(LoanSnapshotV2):
    submitted_on: date
    rate_override_reason: str | None = None
    committee_reference: str | None = None


@event_type("sifo.loan.approved.v2", topic=SIFO_EVENTS)
class LoanApprovedV2(LoanSnapshotV2):
    """The SIFO share is reserved on a drawing right; `aid` was valued again on the approval date."""

    approved_on: date
    approved_by: str
    drawing_right_id: str
    reserved: Decimal


@event_type("sifo.loan.disbursed.v2", topic=SIFO_EVENTS)
class LoanDisbursedV2(LoanSnapshotV2):
    """The SIFO share was paid out; `terms.start_date` is the disbursement date and the schedule runs from it."""

    disbursed_on: date
    drawing_right_id: str
    amount: Decimal
    creditor_iban: str
    other_account_reason: str | None = Field(
        default=None, description="why the payout went to an account other than the financier's registered one"
    )


@event_type("sifo.loan.cancelled.v1", topic=SIFO_EVENTS)
class LoanCancelledV1(Contract):
    """An approved loan will not be paid out: its reservation returns to the drawing right, its aid is released."""

    loan_id: str
    financier_id: str
    cancelled_on: date
    drawing_right_id: str
    released: Decimal
    reason: str
    prepared_by: str
    approved_by: str


@event_type("sifo.loan.repayment_recorded.v2", topic=SIFO_EVENTS)
class LoanRepaymentRecordedV2(servicing.RepaymentRecorded):
    """Superseded by v3 (the surplus mode); kept to read the history."""

    financier_id: str


@event_type("sifo.loan.repayment_recorded.v3", topic=SIFO_EVENTS)
class LoanRepaymentRecordedV3(servicing.RepaymentRecordedWithMode):
    financier_id: str


@event_type("sifo.loan.prepaid.v2", topic=SIFO_EVENTS)
class LoanPrepaidV2(servicing.Prepaid):
    financier_id: str


@event_type("sifo.loan.rate_reset.v2", topic=SIFO_EVENTS)
class LoanRateResetV2(servicing.RateReset):
    financier_id: str


@event_type("sifo.loan.restructured.v2", topic=SIFO_EVENTS)
class LoanRestructuredV2(servicing.Restructured):
    financier_id: str


@event_type("sifo.loan.defaulted.v2", topic=SIFO_EVENTS)
class LoanDefaultedV2(servicing.Defaulted):
    financier_id: str


@event_type("sifo.loan.written_off.v1", topic=SIFO_EVENTS)
class LoanWrittenOffV1(servicing.WrittenOff):
    """SIFO bears the loss on its share: `amount` leaves the book."""

    financier_id: str


@event_type("sifo.loan.settled.v1", topic=SIFO_EVENTS)
class LoanSettledV1(servicing.Settled):
    financier_id: str


@event_type("sifo.loan.entry_reversed.v1", topic=SIFO_EVENTS)
class LoanEntryReversedV1(servicing.EntryReversed):
    financier_id: str


@event_type("sifo.aid.outcome.v1", topic=SIFO_EVENTS)
class SifoAidOutcomeV1(AidOutcome):
    """SIFO granted, lowered or released the aid it reserved in the state-aid register (keyed by the loan id)."""


@event_type("sifo.aid.carried.v1", topic=SIFO_EVENTS)
class SifoAidCarriedV1(AidCarried):
    """A measure of SIFO's own register from before the shared one, carried over once."""


@event_type("sifo.loan.payment_requested.v1", topic=SIFO_EVENTS)
class LoanPaymentRequestedV1(operations.PaymentRequested):
    financier_id: str


@event_type("sifo.loan.installment_overdue.v1", topic=SIFO_EVENTS)
class LoanInstallmentOverdueV1(operations.InstallmentOverdue):
    financier_id: str


@event_type("sifo.loan.payment_reminder_due.v1", topic=SIFO_EVENTS)
class LoanPaymentReminderDueV1(operations.PaymentReminderDue):
    financier_id: str


@event_type("sifo.loan.default_proposed.v1", topic=SIFO_EVENTS)
class LoanDefaultProposedV1(operations.DefaultProposed):
    financier_id: str
