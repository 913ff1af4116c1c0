"""Events the Trividend service publishes on ``trividend.events``.

Investee events are keyed by the investee id, decision events by the proposal id, and a
participation's or loan's events by its id (the id of the proposal that approved it), so one
position's life stays in order. A convertible loan and the participation it converts into share
that id. Money is a decimal string with two decimals; a price per
share has up to six decimals.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts import loan_operations as operations
from shared.contracts import loan_servicing as servicing
from shared.contracts.loan_terms import LoanTermsV2
from shared.contracts.state_aid import AidOutcome
from shared.contracts.topics import TRIVIDEND_EVENTS
from shared.eventbus.registry import event_type

TRIVIDEND_SOURCE = "/services/trividend"


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@event_type("trividend.investee.registered.v1", topic=TRIVIDEND_EVENTS)
class InvesteeRegisteredV1(Contract):
    investee_id: str
    enterprise_number: str = Field(pattern=r"^[01][0-9]{9}$")
    name: str
    legal_form: str = Field(examples=["cooperative", "bv", "vzw"])
    sector: str


@event_type("trividend.investee.headcount_reported.v1", topic=TRIVIDEND_EVENTS)
class HeadcountReportedV1(Contract):
    """The investee employs `target_group_vte` target-group employees (full-time equivalents) from `on`."""

    investee_id: str
    enterprise_number: str
    on: date
    target_group_vte: Decimal


@event_type("trividend.investee.shares_reported.v1", topic=TRIVIDEND_EVENTS)
class SharesReportedV1(Contract):
    """The investee has `shares_outstanding` shares from `on` (ownership is computed against it)."""

    investee_id: str
    enterprise_number: str
    on: date
    shares_outstanding: int


@event_type("trividend.investee.kpi_reported.v1", topic=TRIVIDEND_EVENTS)
class KpiReportedV1(Contract):
    """What an investee reported for the period ending `period_end`."""

    investee_id: str
    enterprise_number: str
    period_end: date
    target_group_vte: Decimal
    turnover: Decimal
    result: Decimal = Field(description="profit or loss of the period")
    equity: Decimal = Field(description="negative equity raises an alert")


@event_type("trividend.proposal.approved.v1", topic=TRIVIDEND_EVENTS)
class ProposalApprovedV1(Contract):
    """The investment committee approved a proposal: `amount` is committed to the investee."""

    proposal_id: str
    investee_id: str
    enterprise_number: str
    instrument: str = Field(examples=["equity"])
    amount: Decimal
    approved_on: date
    proposed_by: str
    approved_by: str


@event_type("trividend.proposal.rejected.v1", topic=TRIVIDEND_EVENTS)
class ProposalRejectedV1(Contract):
    proposal_id: str
    investee_id: str
    rejected_on: date
    reason: str
    proposed_by: str
    rejected_by: str


@event_type("trividend.equity.invested.v1", topic=TRIVIDEND_EVENTS)
class EquityInvestedV1(Contract):
    """A tranche was paid in: `shares` bought at `price_per_share` for `amount`."""

    participation_id: str
    investee_id: str
    enterprise_number: str
    on: date
    amount: Decimal
    shares: int
    price_per_share: Decimal
    shares_held: int = Field(description="after this tranche")
    invested_total: Decimal = Field(description="every tranche so far")


@event_type("trividend.equity.dividend_received.v1", topic=TRIVIDEND_EVENTS)
class DividendReceivedV1(Contract):
    participation_id: str
    investee_id: str
    enterprise_number: str
    on: date
    amount: Decimal


@event_type("trividend.equity.exited.v1", topic=TRIVIDEND_EVENTS)
class EquityExitedV1(Contract):
    """Shares were sold (a four-eyes decision); the gain or loss is against their average cost."""

    participation_id: str
    investee_id: str
    enterprise_number: str
    on: date
    shares_sold: int
    proceeds: Decimal
    cost_of_shares_sold: Decimal
    realised_gain: Decimal = Field(description="proceeds - cost of the shares sold; negative for a loss")
    shares_held: int = Field(description="after this exit; 0 is a full exit")
    prepared_by: str
    approved_by: str


@event_type("trividend.valuation.approved.v1", topic=TRIVIDEND_EVENTS)
class ValuationApprovedV1(Contract):
    """A participation's fair value at a quarter's last day (IPEV method), prepared and approved by two people."""

    valuation_id: str
    participation_id: str
    investee_id: str
    enterprise_number: str
    quarter: str = Field(pattern=r"^[0-9]{4}Q[1-4]$")
    as_of: date = Field(description="the quarter's last day")
    fair_value: Decimal
    method: str = Field(examples=["price_of_recent_investment", "multiples", "net_assets", "impairment"])
    rationale: str
    corrects: str | None = Field(default=None, description="the valuation of the same quarter this one replaces")
    reason: str | None = None
    prepared_by: str
    approved_by: str


class LoanSnapshotV1(Contract):
    """A subordinated or convertible loan as Trividend prices it; the shared engine schedules from `terms`."""

    loan_id: str = Field(description="the id of the proposal the committee approved")
    investee_id: str
    enterprise_number: str
    instrument: str = Field(examples=["subordinated_loan", "convertible_loan"])
    terms: LoanTermsV2
    rating: str
    collateral: str
    reference_rate: Decimal = Field(description="the EU reference rate on the day of valuation")
    aid: servicing.AidValuationV1
    sifo_loan_id: str | None = Field(default=None, description="the SIFO co-financing of the same credit, if any")
    interest_converts: bool = Field(description="convertible: accrued and overdue interest convert with the principal")


@event_type("trividend.loan.approved.v1", topic=TRIVIDEND_EVENTS)
class LoanApprovedV1(LoanSnapshotV1):
    """The committee approved the loan; its aid was valued and reserved on `approved_on`."""

    approved_on: date
    approved_by: str
    amount: Decimal


@event_type("trividend.loan.disbursed.v1", topic=TRIVIDEND_EVENTS)
class LoanDisbursedV1(LoanSnapshotV1):
    """The loan was paid out; `terms.start_date` is the payout date and the schedule runs from it."""

    disbursed_on: date
    amount: Decimal
    iban: str


@event_type("trividend.loan.cancelled.v1", topic=TRIVIDEND_EVENTS)
class LoanCancelledV1(Contract):
    """An approved loan will not be paid out; its aid is released."""

    loan_id: str
    cancelled_on: date
    reason: str
    prepared_by: str
    approved_by: str


@event_type("trividend.loan.converted.v1", topic=TRIVIDEND_EVENTS)
class LoanConvertedV1(Contract):
    """A convertible loan became shares: the loan closes and the participation (same id) opens with one tranche."""

    loan_id: str
    participation_id: str
    investee_id: str
    enterprise_number: str
    converted_on: date
    principal_converted: Decimal
    interest_converted: Decimal
    amount: Decimal = Field(description="principal + interest converted: the cost of the shares")
    price_per_share: Decimal
    shares: int
    recorded_by: str


@event_type("trividend.loan.repayment_recorded.v1", topic=TRIVIDEND_EVENTS)
class TrividendRepaymentRecordedV1(servicing.RepaymentRecordedWithMode):
    pass


@event_type("trividend.loan.prepaid.v1", topic=TRIVIDEND_EVENTS)
class TrividendLoanPrepaidV1(servicing.Prepaid):
    pass


@event_type("trividend.loan.rate_reset.v1", topic=TRIVIDEND_EVENTS)
class TrividendLoanRateResetV1(servicing.RateReset):
    pass


@event_type("trividend.loan.restructured.v1", topic=TRIVIDEND_EVENTS)
class TrividendLoanRestructuredV1(servicing.Restructured):
    pass


@event_type("trividend.loan.defaulted.v1", topic=TRIVIDEND_EVENTS)
class TrividendLoanDefaultedV1(servicing.Defaulted):
    pass


@event_type("trividend.loan.written_off.v1", topic=TRIVIDEND_EVENTS)
class TrividendLoanWrittenOffV1(servicing.WrittenOff):
    pass


@event_type("trividend.loan.settled.v1", topic=TRIVIDEND_EVENTS)
class TrividendLoanSettledV1(servicing.Settled):
    pass


@event_type("trividend.loan.entry_reversed.v1", topic=TRIVIDEND_EVENTS)
class TrividendLoanEntryReversedV1(servicing.EntryReversed):
    pass


@event_type("trividend.aid.outcome.v1", topic=TRIVIDEND_EVENTS)
class TrividendAidOutcomeV1(AidOutcome):
    """Trividend granted, lowered or released the aid it reserved in the state-aid register (keyed by the loan id)."""


@event_type("trividend.loan.payment_requested.v1", topic=TRIVIDEND_EVENTS)
class TrividendLoanPaymentRequestedV1(operations.PaymentRequested):
    pass


@event_type("trividend.loan.installment_overdue.v1", topic=TRIVIDEND_EVENTS)
class TrividendLoanInstallmentOverdueV1(operations.InstallmentOverdue):
    pass


@event_type("trividend.loan.payment_reminder_due.v1", topic=TRIVIDEND_EVENTS)
class TrividendLoanPaymentReminderDueV1(operations.PaymentReminderDue):
    pass


@event_type("trividend.loan.default_proposed.v1", topic=TRIVIDEND_EVENTS)
class TrividendLoanDefaultProposedV1(operations.DefaultProposed):
    pass
