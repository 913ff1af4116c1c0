"""Loans: disbursement after delivery, servicing through the shared engine, four-eyes decisions.

A disbursement, a restructuring and a write-off are prepared by one person and approved by
another. Disbursing pays the final invoice (never more than committed); the rest of the
commitment goes back to its budget year and the waiting list is served from it.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from shared.amortisation.allocation import Allocation
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.loan_events import LoanEvent, Prepayment, PrepaymentMode, Repayment
from shared.amortisation.position import LoanPosition
from shared.amortisation.reference_rates import Collateral, Rating
from shared.amortisation.servicing_history import (
    HistoryEntry,
    Segment,
    entry_of,
    record_latest,
    replay,
    request_field,
    segment_on,
)
from shared.amortisation.state_aid import gross_grant_equivalent
from shared.amortisation.terms import Frequency, LoanTerms
from shared.platform.identifiers import normalise_iban
from shared.platform.rules import Conflict, Forbidden, NotFound, RuleViolation

from services.energy import events
from services.energy.domain.installations import total_yearly_production_kwh
from services.energy.models import (
    EnergyAidGrant,
    EnergyApplicant,
    EnergyApplication,
    EnergyBudgetYear,
    EnergyCall,
    EnergyDecision,
    EnergyLoan,
    EnergyLoanEvent,
)
from services.energy.service.applications import (
    APPROVED,
    DISBURSED,
    domain_installations,
    installations_of,
    serve_waiting_list,
)
from services.energy.service.context import Command, get_for_update
from services.energy.service.programme import apply_balance, balance_of

LOAN_ACTIVE = "active"
LOAN_WRITTEN_OFF = "written_off"


def terms_of(loan: EnergyLoan) -> LoanTerms:
    return LoanTerms(
        principal=loan.principal,
        annual_rate=loan.annual_rate,
        periods=loan.periods,
        start_date=loan.start_date,
        frequency=Frequency(loan.frequency),
    )


def _prepare(command: Command, application_id: str, kind: str, payload: dict[str, Any]) -> EnergyDecision:
    pending = command.session.exec(
        select(EnergyDecision).where(
            EnergyDecision.application_id == application_id,
            EnergyDecision.kind == kind,
            EnergyDecision.status == "prepared",
        )
    ).first()
    if pending is not None:
        raise Conflict(f"a {kind} of application {application_id} already awaits approval (decision {pending.id})")
    decision = EnergyDecision(
        id=str(uuid.uuid4()),
        application_id=application_id,
        kind=kind,
        payload=json.dumps(payload, sort_keys=True),
        status="prepared",
        prepared_by=command.actor,
        prepared_at=command.now,
    )
    command.session.add(decision)
    command.session.flush()
    return decision


def prepare_disbursement(
    command: Command,
    application_id: str,
    delivery_date: date,
    final_invoice_amount: Decimal,
    disbursed_on: date,
    iban: str,
) -> EnergyDecision:
    application = get_for_update(command.session, EnergyApplication, application_id, "application")
    _check_disbursement(application, delivery_date, final_invoice_amount, disbursed_on)
    return _prepare(
        command,
        application_id,
        "disbursement",
        {
            "delivery_date": delivery_date.isoformat(),
            "final_invoice_amount": str(final_invoice_amount),
            "disbursed_on": disbursed_on.isoformat(),
            "iban": normalise_iban(iban),
        },
    )


def _check_disbursement(
    application: EnergyApplication, delivery_date: date, final_invoice_amount: Decimal, disbursed_on: date
) -> None:
    if application.status != APPROVED:
        raise Conflict(f"application {application.id} is {application.status}; only an approved one is disbursed")
    assert application.committed_amount is not None
    if final_invoice_amount > application.committed_amount:
        raise RuleViolation(
            "final_invoice_amount",
            f"{final_invoice_amount} exceeds the committed {application.committed_amount}",
        )
    if disbursed_on < delivery_date:
        raise RuleViolation(
            "disbursed_on",
            f"{disbursed_on.isoformat()} is before the delivery on {delivery_date.isoformat()}; "
            "energy loans are paid out after the installation is delivered",
        )
    if application.decided_on is not None and delivery_date < application.decided_on:
        raise RuleViolation("delivery_date", f"{delivery_date.isoformat()} is before the approval")


def prepare_write_off(command: Command, loan_id: str, written_off_on: date, reason: str) -> EnergyDecision:
    loan = get_for_update(command.session, EnergyLoan, loan_id, "loan")
    _ensure_active(loan)
    if not reason.strip():
        raise RuleViolation("reason", "must not be blank")
    return _prepare(
        command, loan.application_id, "write_off", {"written_off_on": written_off_on.isoformat(), "reason": reason}
    )


def prepare_restructuring(command: Command, loan_id: str, effective_on: date, terms: LoanTerms) -> EnergyDecision:
    loan = get_for_update(command.session, EnergyLoan, loan_id, "loan")
    _ensure_active(loan)
    _check_restructuring(command, loan, effective_on, terms)
    return _prepare(
        command,
        loan.application_id,
        "restructure",
        {"effective_on": effective_on.isoformat(), "terms": terms.to_json()},
    )


def _check_restructuring(command: Command, loan: EnergyLoan, effective_on: date, terms: LoanTerms) -> None:
    if terms.start_date != effective_on:
        raise RuleViolation("terms.start_date", f"must equal effective_on {effective_on.isoformat()}")
    owed = position_on(command, loan, effective_on).payoff_amount
    if terms.principal != owed:
        raise RuleViolation(
            "terms.principal", f"{terms.principal} must equal everything owed on {effective_on.isoformat()}: {owed}"
        )


def approve_decision(command: Command, decision_id: str) -> EnergyDecision:
    decision = get_for_update(command.session, EnergyDecision, decision_id, "decision")
    if decision.status != "prepared":
        raise Conflict(f"decision {decision_id} is already {decision.status}")
    if decision.prepared_by == command.actor:
        raise Forbidden(
            f"{command.actor} prepared this {decision.kind.replace('_', '-')} and may not also approve it "
            "(four-eyes rule)"
        )
    payload = json.loads(decision.payload)
    if decision.kind == "disbursement":
        _disburse(command, decision.application_id, payload)
    else:
        loan = loan_of(command, decision.application_id, lock=True)
        if decision.kind == "restructure":
            _restructure(command, loan, decision, payload)
        else:
            _write_off(command, loan, decision, payload)
    decision.status = "approved"
    decision.decided_by = command.actor
    decision.decided_at = command.now
    command.session.add(decision)
    return decision


def _disburse(command: Command, application_id: str, payload: dict[str, Any]) -> None:
    session = command.session
    application = get_for_update(session, EnergyApplication, application_id, "application")
    delivery_date = date.fromisoformat(payload["delivery_date"])
    paid = Decimal(payload["final_invoice_amount"])
    disbursed_on = date.fromisoformat(payload["disbursed_on"])
    _check_disbursement(application, delivery_date, paid, disbursed_on)
    applicant = session.get(EnergyApplicant, application.applicant_id)
    call = session.get(EnergyCall, application.call_id)
    assert applicant is not None
    assert call is not None
    assert application.committed_amount is not None
    year = get_for_update(session, EnergyBudgetYear, call.budget_year, "budget year")
    apply_balance(year, balance_of(year).disburse(application.committed_amount, paid))
    session.add(year)
    loan = EnergyLoan(
        id=str(uuid.uuid4()),
        application_id=application.id,
        applicant_id=applicant.id,
        budget_year=year.year,
        principal=paid,
        annual_rate=call.annual_rate,
        periods=call.periods,
        frequency=call.frequency,
        start_date=disbursed_on,
        delivery_date=delivery_date,
        iban=payload["iban"],
        status=LOAN_ACTIVE,
        created_at=command.now,
    )
    session.add(loan)
    application.status = DISBURSED
    session.add(application)
    terms = terms_of(loan)
    aid = session.get(EnergyAidGrant, application.id)
    gge = gross_grant_equivalent(
        terms, application.decided_on or disbursed_on, Rating(application.rating), Collateral(application.collateral)
    ).gge
    if aid is not None:
        aid.gge = min(aid.gge, gge)
        aid.status = "granted"
        session.add(aid)
    rows = installations_of(command, application.id)
    production = total_yearly_production_kwh(domain_installations(rows))
    co2 = (production * command.programme.emission_factor_kg_per_kwh / 1000).quantize(Decimal("0.001"))
    session.flush()
    command.publish(events.disbursed(loan, applicant, terms, rows, gge, co2))
    unused = application.committed_amount - paid
    if unused > 0:
        available = balance_of(year).available
        command.publish(
            events.budget_released(year.year, application.id, unused, available, "final invoice below commitment")
        )
        serve_waiting_list(command, year)


def _restructure(command: Command, loan: EnergyLoan, decision: EnergyDecision, payload: dict[str, Any]) -> None:
    effective_on = date.fromisoformat(payload["effective_on"])
    try:
        terms = LoanTerms.from_json(payload["terms"])
    except InvalidTerms as exc:
        raise RuleViolation(f"terms.{exc.field}", exc.rule) from None
    _check_restructuring(command, loan, effective_on, terms)
    command.session.add(
        EnergyLoanEvent(
            loan_id=loan.id,
            kind="restructure",
            on=effective_on,
            terms=json.dumps(terms.to_json(), sort_keys=True),
            recorded_by=command.actor,
            recorded_at=command.now,
        )
    )
    command.publish(events.restructured(loan, effective_on, terms, decision.prepared_by, command.actor))


def _write_off(command: Command, loan: EnergyLoan, decision: EnergyDecision, payload: dict[str, Any]) -> None:
    _ensure_active(loan)
    written_off_on = date.fromisoformat(payload["written_off_on"])
    loan.written_off_on = written_off_on
    loan.written_off_amount = position_on(command, loan, written_off_on).payoff_amount
    loan.status = LOAN_WRITTEN_OFF
    command.session.add(loan)
    command.publish(events.written_off(loan, payload["reason"], decision.prepared_by, command.actor))


def _ensure_active(loan: EnergyLoan) -> None:
    if loan.status != LOAN_ACTIVE:
        raise Conflict(f"loan {loan.id} is {loan.status}")


def late_interest_policy(loan: EnergyLoan, margin: Decimal) -> LateInterestPolicy:
    """Contractual late interest: the loan's own rate plus the programme's margin."""
    return LateInterestPolicy.contractual(loan.annual_rate + margin)


def segments(command: Command, loan: EnergyLoan) -> list[Segment]:
    session = command.session
    rows = session.exec(
        select(EnergyLoanEvent).where(EnergyLoanEvent.loan_id == loan.id).order_by(col(EnergyLoanEvent.id))
    ).all()
    history = [
        HistoryEntry(
            row.kind, row.on, row.amount, row.mode, row.annual_rate, json.loads(row.terms) if row.terms else None
        )
        for row in rows
    ]
    return replay(terms_of(loan), late_interest_policy(loan, command.programme.late_interest_margin), history)


def position_on(command: Command, loan: EnergyLoan, day: date) -> LoanPosition:
    try:
        return segment_on(segments(command, loan), day).live.position(day)
    except InvalidTerms as exc:
        raise RuleViolation("as_of", exc.rule) from None


def loan_of(command: Command, application_id: str, lock: bool = False) -> EnergyLoan:
    query = select(EnergyLoan).where(EnergyLoan.application_id == application_id)
    loan = command.session.exec(query.with_for_update() if lock else query).first()
    if loan is None:
        raise NotFound("loan of application", application_id)
    return loan


def segment_at(command: Command, loan: EnergyLoan, day: date) -> LiveLoan:
    return segment_on(segments(command, loan), day).live


def _record(command: Command, loan: EnergyLoan, event: LoanEvent) -> LiveLoan:
    try:
        live = record_latest(segments(command, loan), event)
    except InvalidTerms as exc:
        raise RuleViolation(request_field(exc.field, "received_on"), exc.rule) from None
    entry = entry_of(event)
    command.session.add(
        EnergyLoanEvent(
            loan_id=loan.id,
            kind=entry.kind,
            on=entry.on,
            amount=entry.amount,
            mode=entry.mode,
            annual_rate=entry.annual_rate,
            recorded_by=command.actor,
            recorded_at=command.now,
        )
    )
    return live


def record_repayment(
    command: Command, loan_id: str, received_on: date, amount: Decimal, surplus_mode: PrepaymentMode
) -> tuple[Allocation, LoanPosition]:
    loan = get_for_update(command.session, EnergyLoan, loan_id, "loan")
    _ensure_active(loan)
    live = _record(command, loan, Repayment(received_on, amount, surplus_mode))
    allocation, position = live.allocations()[-1], live.position(received_on)
    command.publish(events.repayment_recorded(loan, allocation, position))
    return allocation, position


def record_prepayment(
    command: Command, loan_id: str, received_on: date, amount: Decimal, mode: PrepaymentMode
) -> LoanPosition:
    loan = get_for_update(command.session, EnergyLoan, loan_id, "loan")
    _ensure_active(loan)
    position = _record(command, loan, Prepayment(received_on, amount, mode)).position(received_on)
    command.publish(events.prepaid(loan, received_on, amount, mode.value, position))
    return position
