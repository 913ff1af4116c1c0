"""Four-eyes decisions on a loan: disbursement, restructuring and write-off.

One person prepares (the request is stored with its figures), another approves; only then does
money move. Approval re-checks everything against the loan as it is at that moment.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, select

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.terms import LoanTerms
from shared.platform.identifiers import normalise_iban
from shared.platform.rules import Conflict, NotFound, RuleViolation

from services.sifo import events
from services.sifo.domain.loans import LoanStatus, ensure_four_eyes, ensure_status
from services.sifo.models import (
    SifoAidGrant,
    SifoDecision,
    SifoDrawingRight,
    SifoFinancier,
    SifoLoan,
    SifoLoanEvent,
    SifoPaymentInstruction,
)
from services.sifo.payments import Disbursement, credit_transfer_xml
from services.sifo.service.context import Command, get_for_update
from services.sifo.service.drawing_rights import apply_balance, balance_of
from services.sifo.service.loans import terms_of
from services.sifo.service.servicing import position_on

DISBURSEMENT = "disbursement"
RESTRUCTURE = "restructure"
WRITE_OFF = "write_off"


@dataclass(frozen=True)
class Outcome:
    decision: SifoDecision
    loan: SifoLoan


def _prepare(command: Command, loan: SifoLoan, kind: str, payload: dict[str, Any]) -> SifoDecision:
    pending = command.session.exec(
        select(SifoDecision).where(
            SifoDecision.loan_id == loan.id, SifoDecision.kind == kind, SifoDecision.status == "prepared"
        )
    ).first()
    if pending is not None:
        raise Conflict(f"a {kind} of loan {loan.id} is already prepared and awaits approval (decision {pending.id})")
    decision = SifoDecision(
        id=str(uuid.uuid4()),
        loan_id=loan.id,
        kind=kind,
        payload=json.dumps(payload, sort_keys=True),
        status="prepared",
        prepared_by=command.actor,
        prepared_at=command.now,
    )
    command.session.add(decision)
    command.session.flush()
    return decision


def prepare_disbursement(command: Command, loan_id: str, disbursed_on: date, iban: str | None) -> SifoDecision:
    loan = get_for_update(command.session, SifoLoan, loan_id, "loan")
    ensure_status(LoanStatus(loan.status), (LoanStatus.APPROVED,), "a disbursement", loan_id)
    if loan.approved_on is not None and disbursed_on < loan.approved_on:
        raise RuleViolation("disbursed_on", f"{disbursed_on.isoformat()} is before the approval on {loan.approved_on}")
    financier = command.session.get(SifoFinancier, loan.financier_id)
    assert financier is not None
    account = normalise_iban(iban) if iban else financier.iban
    return _prepare(command, loan, DISBURSEMENT, {"disbursed_on": disbursed_on.isoformat(), "iban": account})


def prepare_restructuring(command: Command, loan_id: str, effective_on: date, terms: LoanTerms) -> SifoDecision:
    loan = get_for_update(command.session, SifoLoan, loan_id, "loan")
    ensure_status(LoanStatus(loan.status), (LoanStatus.DISBURSED, LoanStatus.DEFAULTED), "a restructuring", loan_id)
    _check_restructuring(command, loan, effective_on, terms)
    return _prepare(command, loan, RESTRUCTURE, {"effective_on": effective_on.isoformat(), "terms": terms.to_json()})


def _check_restructuring(command: Command, loan: SifoLoan, effective_on: date, terms: LoanTerms) -> None:
    if terms.start_date != effective_on:
        raise RuleViolation("terms.start_date", f"must equal effective_on {effective_on.isoformat()}")
    owed = position_on(command, loan, effective_on).payoff_amount
    if terms.principal != owed:
        raise RuleViolation(
            "terms.principal",
            f"{terms.principal} must equal everything owed on {effective_on.isoformat()}: {owed}",
        )


def prepare_write_off(command: Command, loan_id: str, written_off_on: date, reason: str) -> SifoDecision:
    loan = get_for_update(command.session, SifoLoan, loan_id, "loan")
    ensure_status(LoanStatus(loan.status), (LoanStatus.DEFAULTED,), "a write-off", loan_id)
    if not reason.strip():
        raise RuleViolation("reason", "must not be blank")
    if loan.defaulted_on is not None and written_off_on < loan.defaulted_on:
        raise RuleViolation(
            "written_off_on", f"{written_off_on.isoformat()} is before the default on {loan.defaulted_on}"
        )
    return _prepare(command, loan, WRITE_OFF, {"written_off_on": written_off_on.isoformat(), "reason": reason.strip()})


def approve(command: Command, decision_id: str) -> Outcome:
    decision = get_for_update(command.session, SifoDecision, decision_id, "decision")
    if decision.status != "prepared":
        raise Conflict(f"decision {decision_id} is already {decision.status}")
    ensure_four_eyes(decision.prepared_by, command.actor, decision.kind.replace("_", "-"))
    loan = get_for_update(command.session, SifoLoan, decision.loan_id, "loan")
    payload = json.loads(decision.payload)
    if decision.kind == DISBURSEMENT:
        _disburse(command, loan, date.fromisoformat(payload["disbursed_on"]), payload["iban"])
    elif decision.kind == RESTRUCTURE:
        _restructure(command, loan, decision, date.fromisoformat(payload["effective_on"]), payload["terms"])
    else:
        _write_off(command, loan, decision, date.fromisoformat(payload["written_off_on"]), payload["reason"])
    decision.status = "approved"
    decision.decided_by = command.actor
    decision.decided_at = command.now
    command.session.add(decision)
    return Outcome(decision, loan)


def reject(command: Command, decision_id: str) -> SifoDecision:
    decision = get_for_update(command.session, SifoDecision, decision_id, "decision")
    if decision.status != "prepared":
        raise Conflict(f"decision {decision_id} is already {decision.status}")
    ensure_four_eyes(decision.prepared_by, command.actor, decision.kind.replace("_", "-"))
    decision.status = "rejected"
    decision.decided_by = command.actor
    decision.decided_at = command.now
    command.session.add(decision)
    return decision


def _disburse(command: Command, loan: SifoLoan, disbursed_on: date, iban: str) -> None:
    ensure_status(LoanStatus(loan.status), (LoanStatus.APPROVED,), "a disbursement", loan.id)
    assert loan.drawing_right_id is not None
    right = get_for_update(command.session, SifoDrawingRight, loan.drawing_right_id, "drawing right")
    apply_balance(right, balance_of(right).draw(loan.sifo_share))
    command.session.add(right)
    aid = command.session.get(SifoAidGrant, loan.id)
    if aid is not None:
        aid.status = "granted"
        command.session.add(aid)
    loan.start_date = disbursed_on
    loan.disbursed_on = disbursed_on
    loan.disbursement_iban = iban
    loan.status = LoanStatus.DISBURSED.value
    command.session.add(loan)
    financier = command.session.get(SifoFinancier, loan.financier_id)
    assert financier is not None
    end_to_end = loan.id.replace("-", "")[:32]
    message_id = f"SIFO{end_to_end[:28]}"
    document = credit_transfer_xml(
        command.debtor,
        [
            Disbursement(
                end_to_end_id=end_to_end,
                creditor_name=financier.name,
                creditor_iban=iban,
                amount=loan.sifo_share,
                execution_date=disbursed_on,
                remittance=f"SIFO loan {loan.id} to {loan.borrower_name}",
            )
        ],
        message_id,
        command.now,
    )
    command.session.add(
        SifoPaymentInstruction(
            id=str(uuid.uuid4()),
            loan_id=loan.id,
            message_id=message_id,
            end_to_end_id=end_to_end,
            amount=loan.sifo_share,
            creditor_iban=iban,
            execution_date=disbursed_on,
            document=document.decode(),
            created_at=command.now,
        )
    )
    command.publish(events.loan_disbursed(loan, terms_of(loan)))


def _restructure(
    command: Command, loan: SifoLoan, decision: SifoDecision, effective_on: date, terms_json: dict[str, Any]
) -> None:
    ensure_status(LoanStatus(loan.status), (LoanStatus.DISBURSED, LoanStatus.DEFAULTED), "a restructuring", loan.id)
    try:
        terms = LoanTerms.from_json(terms_json)
    except InvalidTerms as exc:
        raise RuleViolation(f"terms.{exc.field}", exc.rule) from None
    _check_restructuring(command, loan, effective_on, terms)
    command.session.add(
        SifoLoanEvent(
            loan_id=loan.id,
            kind="restructure",
            on=effective_on,
            terms=json.dumps(terms.to_json(), sort_keys=True),
            recorded_by=command.actor,
            recorded_at=command.now,
        )
    )
    loan.status = LoanStatus.DISBURSED.value
    command.session.add(loan)
    command.publish(events.restructured(loan, effective_on, terms, decision.prepared_by, command.actor))


def _write_off(command: Command, loan: SifoLoan, decision: SifoDecision, written_off_on: date, reason: str) -> None:
    ensure_status(LoanStatus(loan.status), (LoanStatus.DEFAULTED,), "a write-off", loan.id)
    amount = position_on(command, loan, written_off_on).payoff_amount
    loan.status = LoanStatus.WRITTEN_OFF.value
    loan.written_off_on = written_off_on
    loan.written_off_amount = amount
    loan.status_reason = reason
    command.session.add(loan)
    command.publish(events.written_off(loan, decision.prepared_by, command.actor))


def declare_default(command: Command, loan_id: str, defaulted_on: date, reason: str) -> SifoLoan:
    loan = get_for_update(command.session, SifoLoan, loan_id, "loan")
    ensure_status(LoanStatus(loan.status), (LoanStatus.DISBURSED,), "a default", loan_id)
    if not reason.strip():
        raise RuleViolation("reason", "must not be blank")
    if loan.disbursed_on is not None and defaulted_on < loan.disbursed_on:
        raise RuleViolation("defaulted_on", f"{defaulted_on.isoformat()} is before the disbursement")
    position = position_on(command, loan, defaulted_on)
    loan.status = LoanStatus.DEFAULTED.value
    loan.defaulted_on = defaulted_on
    loan.status_reason = reason.strip()
    command.session.add(loan)
    command.publish(events.defaulted(loan, defaulted_on, position.outstanding_principal, reason.strip()))
    return loan


def decisions_of(command: Command, loan_id: str) -> list[SifoDecision]:
    loan = command.session.get(SifoLoan, loan_id)
    if loan is None:
        raise NotFound("loan", loan_id)
    command.ensure_visible("loan", loan_id, loan.financier_id)
    return list(
        command.session.exec(
            select(SifoDecision).where(SifoDecision.loan_id == loan_id).order_by(col(SifoDecision.prepared_at))
        ).all()
    )


def payment_instruction(command: Command, loan_id: str) -> SifoPaymentInstruction:
    loan = command.session.get(SifoLoan, loan_id)
    if loan is None:
        raise NotFound("loan", loan_id)
    command.ensure_visible("loan", loan_id, loan.financier_id)
    instruction = command.session.exec(
        select(SifoPaymentInstruction).where(SifoPaymentInstruction.loan_id == loan_id)
    ).first()
    if instruction is None:
        raise NotFound("payment instruction of loan", loan_id)
    return instruction
