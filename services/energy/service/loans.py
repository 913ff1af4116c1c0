"""Loans: payout after delivery and cancellation (energy's own decisions), and the shared servicing core.

A payout pays the final invoice (never more than committed) once the installation is delivered;
the rest of the commitment goes back to its budget year and serves the waiting list. Paying to an
account other than the applicant's registered one needs a reason the approver sees. An approved
application that will not be paid out is cancelled: its commitment and its aid return.

Once paid out, the loan (whose id is its application's id) is serviced by the shared core:
repayments, prepayments, default, and the four-eyes rate resets, restructurings, write-offs and
reversals.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.money import TONNE_QUANTUM, round_half_up
from shared.amortisation.reference_rates import Collateral, Rating
from shared.amortisation.state_aid import gross_grant_equivalent
from shared.amortisation.terms import LoanTerms
from shared.contracts.state_aid import OutcomeKind
from shared.loan_operations import payouts
from shared.platform.identifiers import normalise_iban
from shared.platform.rules import Conflict, NotFound, RuleViolation, required_text
from shared.servicing import service as core
from shared.servicing.accounts import LoanStatus
from shared.servicing.aid import AidValuation, valuation_of
from shared.servicing.decisions import CancellationRequest, Decision, DisbursementRequest

from services.energy import events
from services.energy.domain.installations import total_yearly_production_kwh
from services.energy.models import (
    EnergyApplicant,
    EnergyApplication,
    EnergyBudgetYear,
    EnergyCall,
    EnergyLoan,
    EnergyPayout,
)
from services.energy.service.aid import GRANT, aid_register
from services.energy.service.applications import (
    APPROVED,
    CANCELLED,
    DISBURSED,
    call_terms,
    domain_installations,
    installations_of,
    serve_waiting_list,
)
from services.energy.service.context import Command, get_for_update
from services.energy.service.programme import apply_balance, balance_of
from services.energy.service.servicing import LENDER

# --------------------------------------------------------------------------- payout and cancellation


def prepare_disbursement(
    command: Command,
    application_id: str,
    delivery_date: date,
    final_invoice_amount: Decimal,
    disbursed_on: date,
    iban: str | None,
    iban_reason: str | None = None,
    first_due_date: date | None = None,
) -> Decision:
    application = get_for_update(command.session, EnergyApplication, application_id, "application")
    applicant = command.session.get(EnergyApplicant, application.applicant_id)
    assert applicant is not None
    if iban is None and applicant.iban is None:
        raise RuleViolation(
            "iban", f"is required: applicant {applicant.id} has no registered account to pay the loan to"
        )
    request = DisbursementRequest(
        disbursed_on=disbursed_on,
        amount=final_invoice_amount,
        iban=normalise_iban(iban) if iban else str(applicant.iban),
        registered_iban=applicant.iban,
        iban_reason=(iban_reason or "").strip() or None,
        delivery_date=delivery_date,
        first_due_date=first_due_date,
    )
    request.ensure_explained()
    _check_disbursement(command, application, request)
    return core.prepare_decision(LENDER.unit_of_work(command), application_id, request)


def _check_disbursement(command: Command, application: EnergyApplication, request: DisbursementRequest) -> LoanTerms:
    if application.status != APPROVED:
        raise Conflict(f"application {application.id} is {application.status}; only an approved one is disbursed")
    assert application.committed_amount is not None
    assert request.delivery_date is not None
    if request.amount > application.committed_amount:
        raise RuleViolation(
            "final_invoice_amount", f"{request.amount} exceeds the committed {application.committed_amount}"
        )
    if request.disbursed_on < request.delivery_date:
        raise RuleViolation(
            "disbursed_on",
            f"{request.disbursed_on.isoformat()} is before the delivery on {request.delivery_date.isoformat()}; "
            "energy loans are paid out after the installation is delivered",
        )
    if application.decided_on is not None and request.delivery_date < application.decided_on:
        raise RuleViolation("delivery_date", f"{request.delivery_date.isoformat()} is before the approval")
    call = command.session.get(EnergyCall, application.call_id)
    assert call is not None
    try:
        return call_terms(call, request.amount, request.disbursed_on, request.first_due_date)
    except InvalidTerms as exc:
        raise RuleViolation(exc.field, exc.rule) from None


def prepare_cancellation(command: Command, application_id: str, cancelled_on: date, reason: str) -> Decision:
    application = get_for_update(command.session, EnergyApplication, application_id, "application")
    _check_cancellation(application, cancelled_on)
    required_text("reason", reason)
    return core.prepare_decision(
        LENDER.unit_of_work(command), application_id, CancellationRequest(cancelled_on, reason.strip())
    )


def _check_cancellation(application: EnergyApplication, cancelled_on: date) -> None:
    if application.status != APPROVED:
        raise Conflict(f"application {application.id} is {application.status}; only an approved one is cancelled")
    if application.decided_on is not None and cancelled_on < application.decided_on:
        raise RuleViolation(
            "cancelled_on", f"{cancelled_on.isoformat()} is before the approval on {application.decided_on}"
        )


def approve_decision(command: Command, decision_id: str) -> Decision:
    return LENDER.approve(command, decision_id, disburse=_disburse, cancel=_cancel)


def reject_decision(command: Command, decision_id: str, reason: str | None) -> Decision:
    return LENDER.reject(command, decision_id, reason)


def decisions_of(command: Command, application_id: str) -> list[Decision]:
    if command.session.get(EnergyApplication, application_id) is None:
        raise NotFound("application", application_id)
    return LENDER.unit_of_work(command).decisions(application_id)


def _disburse(command: Command, decision: Decision) -> None:
    session = command.session
    request = decision.request
    assert isinstance(request, DisbursementRequest)
    assert request.delivery_date is not None
    application = get_for_update(session, EnergyApplication, decision.loan_id, "application")
    terms = _check_disbursement(command, application, request)
    applicant = session.get(EnergyApplicant, application.applicant_id)
    call = session.get(EnergyCall, application.call_id)
    assert applicant is not None
    assert call is not None
    assert application.committed_amount is not None
    year = get_for_update(session, EnergyBudgetYear, call.budget_year, "budget year")
    apply_balance(year, balance_of(year).disburse(application.committed_amount, request.amount))
    session.add(year)
    loan = EnergyLoan(
        id=application.id,
        application_id=application.id,
        applicant_id=applicant.id,
        budget_year=year.year,
        principal=terms.principal,
        annual_rate=terms.annual_rate,
        periods=terms.periods,
        frequency=terms.frequency.value,
        start_date=terms.start_date,
        first_due_date=terms.first_due_date,
        delivery_date=request.delivery_date,
        iban=request.iban,
        status=LoanStatus.DISBURSED.value,
        created_at=command.now,
    )
    session.add(loan)
    application.status = DISBURSED
    session.add(application)
    granted = _grant_aid(command, application, terms)
    rows = installations_of(command, application.id)
    production = total_yearly_production_kwh(domain_installations(rows))
    co2 = round_half_up(production * command.programme.emission_factor_kg_per_kwh / 1000, TONNE_QUANTUM)
    session.flush()
    payouts.queue(
        session,
        EnergyPayout,
        loan_id=loan.id,
        decision_id=decision.id,
        amount=request.amount,
        creditor_name=applicant.name,
        creditor_iban=request.iban,
        debtor=command.debtor,
        requested_on=request.disbursed_on,
        remittance=f"Energy loan {loan.id} ({applicant.name})",
        now=command.now,
    )
    reason = request.iban_reason if request.other_account else None
    command.publish(events.disbursed(loan, applicant, terms, rows, granted, co2, reason))
    unused = application.committed_amount - request.amount
    if unused > 0:
        available = balance_of(year).available
        command.publish(
            events.budget_released(year.year, application.id, unused, available, "final invoice below commitment")
        )
        serve_waiting_list(command, year)


def _grant_aid(command: Command, application: EnergyApplication, terms: LoanTerms) -> AidValuation:
    """The aid granted at approval; a final invoice below the commitment lowers it (valued on the grant day).

    The register is told in this transaction (an `adjusted` outcome); a lower amount needs no check.
    """
    granted = valuation_of(application)
    paid = gross_grant_equivalent(
        terms, granted.grant_date, Rating(application.rating), Collateral(application.collateral)
    )
    if paid.gge < granted.gge:
        granted = AidValuation(granted.grant_date, paid.gge, granted.reference_rate, granted.discount_rate)
        aid_register(command).outcome(application.id, GRANT, OutcomeKind.ADJUSTED, paid.gge)
    return granted


def _cancel(command: Command, decision: Decision) -> None:
    session = command.session
    request = decision.request
    assert isinstance(request, CancellationRequest)
    application = get_for_update(session, EnergyApplication, decision.loan_id, "application")
    _check_cancellation(application, request.cancelled_on)
    call = session.get(EnergyCall, application.call_id)
    assert call is not None
    assert application.committed_amount is not None
    year = get_for_update(session, EnergyBudgetYear, call.budget_year, "budget year")
    released = application.committed_amount
    apply_balance(year, balance_of(year).release(released))
    session.add(year)
    if application.gge > 0:
        aid_register(command).outcome(application.id, GRANT, OutcomeKind.RELEASED)
    application.status = CANCELLED
    application.reason = request.reason
    session.add(application)
    core.supersede_pending(LENDER.unit_of_work(command), application.id, decision)
    session.flush()
    command.publish(events.cancelled(application, year.year, request, decision, released))
    command.publish(
        events.budget_released(year.year, application.id, released, balance_of(year).available, "application cancelled")
    )
    serve_waiting_list(command, year)
