"""Events the energy-loans service publishes on ``energy.events``.

Budget events are keyed by the budget year, application and loan events by the application id,
which is also the loan's id once it is paid out: a year's commitments and an application's whole
life, loan included, each stay in order.

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
from shared.contracts.topics import ENERGY_EVENTS
from shared.eventbus.registry import event_type

ENERGY_SOURCE = "/services/energy"


class Contract(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class InstallationV1(Contract):
    technology: str = Field(examples=["pv"])
    capacity: Decimal
    unit: str = Field(examples=["kWp"])
    investment_cost: Decimal
    yearly_production_kwh: Decimal
    yearly_savings_eur: Decimal


class ApplicationV1(Contract):
    application_id: str
    call_id: str
    budget_year: int
    applicant_id: str
    enterprise_number: str
    workshop_type: str
    site_id: str
    requested_amount: Decimal
    installations: list[InstallationV1]
    gge: Decimal


@event_type("energy.application.submitted.v1", topic=ENERGY_EVENTS)
class ApplicationSubmittedV1(ApplicationV1):
    submitted_on: date


@event_type("energy.application.approved.v1", topic=ENERGY_EVENTS)
class ApplicationApprovedV1(ApplicationV1):
    """Superseded by v2 (aid with its rates); kept to read the history."""

    approved_on: date
    committed_amount: Decimal
    approved_by: str


@event_type("energy.application.wait_listed.v1", topic=ENERGY_EVENTS)
class ApplicationWaitListedV1(Contract):
    application_id: str
    budget_year: int
    requested_amount: Decimal
    available: Decimal


@event_type("energy.application.rejected.v1", topic=ENERGY_EVENTS)
class ApplicationRejectedV1(Contract):
    application_id: str
    rejected_on: date
    reason: str


@event_type("energy.budget_year.opened.v1", topic=ENERGY_EVENTS)
class BudgetYearOpenedV1(Contract):
    """A budget year was opened with its envelope (keyed by the year, like the year's commitments)."""

    budget_year: int
    envelope: Decimal
    budget_article: str
    opened_on: date
    opened_by: str


@event_type("energy.budget.committed.v1", topic=ENERGY_EVENTS)
class BudgetCommittedV1(Contract):
    budget_year: int
    application_id: str
    amount: Decimal
    committed_total: Decimal
    available: Decimal


@event_type("energy.budget.released.v1", topic=ENERGY_EVENTS)
class BudgetReleasedV1(Contract):
    """Unused commitment returns to the year it came from."""

    budget_year: int
    application_id: str
    amount: Decimal
    available: Decimal
    reason: str


@event_type("energy.loan.disbursed.v1", topic=ENERGY_EVENTS)
class EnergyLoanDisbursedV1(Contract):
    """Superseded by v2 (the loan id is the application id; terms with a first due date; aid with its rates)."""

    loan_id: str
    application_id: str
    budget_year: int
    enterprise_number: str
    amount: Decimal
    delivery_date: date
    terms: LoanTermsV1
    installations: list[InstallationV1]
    gge: Decimal
    co2_avoided_tonnes_per_year: Decimal


@event_type("energy.loan.repayment_recorded.v1", topic=ENERGY_EVENTS)
class EnergyRepaymentRecordedV1(Contract):
    """Superseded by v2; kept to read the history."""

    loan_id: str
    application_id: str
    received_on: date
    amount: Decimal
    late_interest: Decimal
    interest: Decimal
    principal: Decimal
    prepayment: Decimal
    excess: Decimal
    outstanding_principal: Decimal


@event_type("energy.loan.prepaid.v1", topic=ENERGY_EVENTS)
class EnergyLoanPrepaidV1(Contract):
    """Superseded by v2; kept to read the history."""

    loan_id: str
    application_id: str
    received_on: date
    amount: Decimal
    mode: str
    outstanding_principal: Decimal


@event_type("energy.loan.restructured.v1", topic=ENERGY_EVENTS)
class EnergyLoanRestructuredV1(Contract):
    """Superseded by v2; kept to read the history."""

    loan_id: str
    application_id: str
    effective_on: date
    terms: LoanTermsV1
    prepared_by: str
    approved_by: str


@event_type("energy.loan.written_off.v1", topic=ENERGY_EVENTS)
class EnergyLoanWrittenOffV1(Contract):
    """Superseded by v2; kept to read the history."""

    loan_id: str
    application_id: str
    written_off_on: date
    amount: Decimal
    reason: str
    prepared_by: str
    approved_by: str


@event_type("energy.application.approved.v2", topic=ENERGY_EVENTS)
class ApplicationApprovedV2(Contract):
    """Budget is committed; `aid` is the gross grant equivalent valued on the approval date, with its rates."""

    application_id: str
    call_id: str
    budget_year: int
    applicant_id: str
    enterprise_number: str
    workshop_type: str
    site_id: str
    requested_amount: Decimal
    installations: list[InstallationV1]
    aid: servicing.AidValuationV1
    approved_on: date
    committed_amount: Decimal
    approved_by: str


@event_type("energy.application.cancelled.v1", topic=ENERGY_EVENTS)
class ApplicationCancelledV1(Contract):
    """An approved application will not be paid out: its commitment returns to the year, its aid is released."""

    application_id: str
    budget_year: int
    cancelled_on: date
    released: Decimal
    reason: str
    prepared_by: str
    approved_by: str


@event_type("energy.loan.disbursed.v2", topic=ENERGY_EVENTS)
class EnergyLoanDisbursedV2(Contract):
    """Paid out after delivery on the final invoice; the loan's id is its application's id."""

    loan_id: str
    budget_year: int
    enterprise_number: str
    amount: Decimal
    delivery_date: date
    iban: str
    other_account_reason: str | None = None
    terms: LoanTermsV2
    installations: list[InstallationV1]
    aid: servicing.AidValuationV1
    co2_avoided_tonnes_per_year: Decimal


@event_type("energy.loan.repayment_recorded.v2", topic=ENERGY_EVENTS)
class EnergyRepaymentRecordedV2(servicing.RepaymentRecorded):
    """Superseded by v3 (the surplus mode); kept to read the history."""


@event_type("energy.loan.repayment_recorded.v3", topic=ENERGY_EVENTS)
class EnergyRepaymentRecordedV3(servicing.RepaymentRecordedWithMode):
    pass


@event_type("energy.loan.prepaid.v2", topic=ENERGY_EVENTS)
class EnergyLoanPrepaidV2(servicing.Prepaid):
    pass


@event_type("energy.loan.rate_reset.v1", topic=ENERGY_EVENTS)
class EnergyLoanRateResetV1(servicing.RateReset):
    pass


@event_type("energy.loan.restructured.v2", topic=ENERGY_EVENTS)
class EnergyLoanRestructuredV2(servicing.Restructured):
    pass


@event_type("energy.loan.defaulted.v1", topic=ENERGY_EVENTS)
class EnergyLoanDefaultedV1(servicing.Defaulted):
    pass


@event_type("energy.loan.written_off.v2", topic=ENERGY_EVENTS)
class EnergyLoanWrittenOffV2(servicing.WrittenOff):
    pass


@event_type("energy.loan.settled.v1", topic=ENERGY_EVENTS)
class EnergyLoanSettledV1(servicing.Settled):
    pass


@event_type("energy.loan.entry_reversed.v1", topic=ENERGY_EVENTS)
class EnergyLoanEntryReversedV1(servicing.EntryReversed):
    pass


@event_type("energy.aid.outcome.v1", topic=ENERGY_EVENTS)
class EnergyAidOutcomeV1(AidOutcome):
    """The energy programme granted, lowered or released the aid it reserved (keyed by the application id)."""


@event_type("energy.aid.carried.v1", topic=ENERGY_EVENTS)
class EnergyAidCarriedV1(AidCarried):
    """A measure of the energy programme's own register from before the shared one, carried over once."""


@event_type("energy.loan.payment_requested.v1", topic=ENERGY_EVENTS)
class EnergyLoanPaymentRequestedV1(operations.PaymentRequested):
    pass


@event_type("energy.loan.installment_overdue.v1", topic=ENERGY_EVENTS)
class EnergyLoanInstallmentOverdueV1(operations.InstallmentOverdue):
    pass


@event_type("energy.loan.payment_reminder_due.v1", topic=ENERGY_EVENTS)
class EnergyLoanPaymentReminderDueV1(operations.PaymentReminderDue):
    pass


@event_type("energy.loan.default_proposed.v1", topic=ENERGY_EVENTS)
class EnergyLoanDefaultProposedV1(operations.DefaultProposed):
    pass
