"""SIFO's own four-eyes decisions, executed through the shared core: disbursement and cancellation.

A disbursement pays the SIFO share to the financier (queued for the day's pain.001 payout
file); paying it to any account but the financier's registered one needs a reason, shown to the
approver. A cancellation gives an approved loan's reservation back to its drawing right and
releases its aid. Servicing
decisions (rate resets, restructurings, write-offs, reversals) are the shared core's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlmodel import select

from shared.amortisation.errors import InvalidTerms
from shared.contracts.state_aid import OutcomeKind
from shared.loan_operations import payouts
from shared.platform.identifiers import normalise_iban
from shared.platform.rules import Conflict, NotFound, RuleViolation, required_text
from shared.servicing import service as core
from shared.servicing.decisions import (
    CancellationRequest,
    Decision,
    DisbursementRequest,
)

from services.sifo import events
from services.sifo.domain.loans import LoanStatus, ensure_status
from services.sifo.models import (
    SifoBankFile,
    SifoDrawingRight,
    SifoFinancier,
    SifoLoan,
    SifoPaymentInstruction,
    SifoPayout,
)
from services.sifo.service.aid import GRANT, aid_register
from services.sifo.service.context import Command, get_for_update
from services.sifo.service.drawing_rights import apply_balance, balance_of
from services.sifo.service.loans import terms_of
from services.sifo.service.servicing import LENDER, visible


def _approved_loan(command: Command, loan_id: str, action: str) -> SifoLoan:
    loan = get_for_update(command.session, SifoLoan, loan_id, "loan")
    ensure_status(LoanStatus(loan.status), (LoanStatus.APPROVED,), action, loan_id)
    return loan


def _not_before_approval(loan: SifoLoan, field: str, day: date) -> None:
    if loan.approved_on is not None and day < loan.approved_on:
        raise RuleViolation(field, f"{day.isoformat()} is before the approval on {loan.approved_on}")


def _check_payout_date(loan: SifoLoan, disbursed_on: date) -> None:
    """The schedule runs from the payout: the contract's terms must hold from that day (a first due date after it)."""
    _not_before_approval(loan, "disbursed_on", disbursed_on)
    try:
        replace(terms_of(loan), start_date=disbursed_on)
    except InvalidTerms as exc:
        raise RuleViolation(
            "disbursed_on", f"{disbursed_on.isoformat()} does not fit the loan's terms: {exc}"
        ) from None


def _financier(command: Command, loan: SifoLoan) -> SifoFinancier:
    financier = command.session.get(SifoFinancier, loan.financier_id)
    assert financier is not None
    return financier


def prepare_disbursement(
    command: Command, loan_id: str, disbursed_on: date, iban: str | None, iban_reason: str | None = None
) -> Decision:
    loan = _approved_loan(command, loan_id, "a disbursement")
    _check_payout_date(loan, disbursed_on)
    registered = _financier(command, loan).iban
    request = DisbursementRequest(
        disbursed_on=disbursed_on,
        amount=loan.sifo_share,
        iban=normalise_iban(iban) if iban else registered,
        registered_iban=registered,
        iban_reason=(iban_reason or "").strip() or None,
    )
    request.ensure_explained()
    return core.prepare_decision(LENDER.unit_of_work(command), loan_id, request)


def prepare_cancellation(command: Command, loan_id: str, cancelled_on: date, reason: str) -> Decision:
    loan = _approved_loan(command, loan_id, "a cancellation")
    _not_before_approval(loan, "cancelled_on", cancelled_on)
    required_text("reason", reason)
    return core.prepare_decision(
        LENDER.unit_of_work(command), loan_id, CancellationRequest(cancelled_on, reason.strip())
    )


def approve(command: Command, decision_id: str) -> Decision:
    return LENDER.approve(command, decision_id, disburse=_disburse, cancel=_cancel)


def reject(command: Command, decision_id: str, reason: str | None) -> Decision:
    return LENDER.reject(command, decision_id, reason)


def _disburse(command: Command, decision: Decision) -> None:
    request = decision.request
    assert isinstance(request, DisbursementRequest)
    loan = _approved_loan(command, decision.loan_id, "a disbursement")
    _check_payout_date(loan, request.disbursed_on)
    assert loan.drawing_right_id is not None
    right = get_for_update(command.session, SifoDrawingRight, loan.drawing_right_id, "drawing right")
    apply_balance(right, balance_of(right).draw(loan.sifo_share))
    command.session.add(right)
    loan.start_date = request.disbursed_on
    loan.disbursed_on = request.disbursed_on
    loan.disbursement_iban = request.iban
    loan.status = LoanStatus.DISBURSED.value
    command.session.add(loan)
    financier = _financier(command, loan)
    payouts.queue(
        command.session,
        SifoPayout,
        loan_id=loan.id,
        decision_id=decision.id,
        amount=loan.sifo_share,
        creditor_name=financier.name,
        creditor_iban=request.iban,
        debtor=command.debtor,
        requested_on=request.disbursed_on,
        remittance=f"SIFO loan {loan.id} to {loan.borrower_name}",
        now=command.now,
    )
    command.publish(events.loan_disbursed(loan, terms_of(loan), request.iban_reason if request.other_account else None))


def _cancel(command: Command, decision: Decision) -> None:
    request = decision.request
    assert isinstance(request, CancellationRequest)
    loan = _approved_loan(command, decision.loan_id, "a cancellation")
    _not_before_approval(loan, "cancelled_on", request.cancelled_on)
    assert loan.drawing_right_id is not None
    right = get_for_update(command.session, SifoDrawingRight, loan.drawing_right_id, "drawing right")
    apply_balance(right, balance_of(right).unreserve(loan.sifo_share))
    command.session.add(right)
    if loan.gge > 0:
        aid_register(command).outcome(loan.id, GRANT, OutcomeKind.RELEASED)
    loan.status = LoanStatus.CANCELLED.value
    loan.status_reason = request.reason
    command.session.add(loan)
    core.supersede_pending(LENDER.unit_of_work(command), loan.id, decision)
    command.publish(events.loan_cancelled(loan, request, decision, right.id))


def decisions_of(command: Command, loan_id: str) -> list[Decision]:
    visible(command, loan_id)
    return LENDER.unit_of_work(command).decisions(loan_id)


def payment_instruction(command: Command, loan_id: str) -> str:
    """The pain.001 that pays the loan out: the day's payout file holding it (or, for a loan paid out
    before payouts were batched, the file made for it alone)."""
    visible(command, loan_id)
    session = command.session
    payout = session.exec(select(SifoPayout).where(SifoPayout.loan_id == loan_id)).first()
    if payout is not None:
        if payout.file_id is None:
            raise Conflict(
                f"the payout of loan {loan_id} is queued for the next payout run (job payout-run); "
                "its pain.001 exists once that run has made the day's file"
            )
        file = session.get(SifoBankFile, payout.file_id)
        assert file is not None
        return file.document
    instruction = session.exec(select(SifoPaymentInstruction).where(SifoPaymentInstruction.loan_id == loan_id)).first()
    if instruction is None:
        raise NotFound("payment instruction of loan", loan_id)
    return instruction.document
