"""Subordinated and convertible loans: opened by the committee's approval, paid out and serviced through the
shared core, a convertible one turned into shares.

The loan's id is its proposal's. Its aid (a rate below the EU reference rate) is valued on the
approval date and reserved in the state-aid register last, so a refusal there leaves nothing
behind; the grant outcome leaves with the approval. A conversion closes the loan and opens the
participation (same id) in one transaction with both events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.money import round_half_up
from shared.amortisation.reference_rates import Collateral, Rating
from shared.amortisation.state_aid import gross_grant_equivalent
from shared.amortisation.terms import Frequency, LoanTerms
from shared.contracts import trividend as contract
from shared.contracts.state_aid import Instrument as AidInstrument
from shared.contracts.state_aid import OutcomeKind
from shared.loan_operations import payouts
from shared.platform.database import get_for_update
from shared.platform.rules import Conflict, NotFound, RuleViolation, required_text
from shared.servicing import service as core
from shared.servicing.accounts import LoanStatus
from shared.servicing.aid import AidValuation
from shared.servicing.aid_register import RemoteAidRegister
from shared.servicing.decisions import CancellationRequest, Decision, DisbursementRequest
from shared.servicing.events import ServicingEvents
from shared.servicing.sql import Lender, Particulars, RowAccounts, ServicingTables

from services.trividend import events
from services.trividend.domain.decisions import Instrument
from services.trividend.domain.holdings import MovementKind
from services.trividend.domain.loans import LoanTermsRequest
from services.trividend.models import (
    TrividendDecision,
    TrividendInvestee,
    TrividendLoan,
    TrividendLoanEvent,
    TrividendMovement,
    TrividendParticipation,
    TrividendPayout,
    TrividendProposal,
)
from services.trividend.service.context import Command

GRANT = "grant"
MAX_SHARES = 10**15


def particulars(session: Session, loan: TrividendLoan) -> Particulars:
    investee = session.get(TrividendInvestee, loan.investee_id)
    assert investee is not None
    return Particulars(
        terms=events.terms_of(loan),
        enterprise_number=investee.enterprise_number,
        rating=Rating(loan.rating),
        collateral=Collateral(loan.collateral),
        disbursed_on=loan.disbursed_on,
    )


def aid_register(command: Command) -> RemoteAidRegister:
    return RemoteAidRegister.of(command, AidInstrument.TRIVIDEND, events.aid_outcome)


LENDER: Lender[Command] = Lender(
    ServicingTables(entry=TrividendLoanEvent, decision=TrividendDecision),
    RowAccounts(TrividendLoan, particulars),
    ServicingEvents.of_module(contract, contract.TRIVIDEND_SOURCE),
    aid_register,
    rules=lambda command: command.loans.rules,
)


def open_loan(command: Command, proposal: TrividendProposal, investee: TrividendInvestee) -> TrividendLoan:
    """The committee approved a loan proposal: price it today, reserve its aid, and open the loan."""
    assert proposal.loan_terms is not None
    asked = LoanTermsRequest.from_json(proposal.loan_terms)
    today = command.today
    terms = LoanTerms(principal=proposal.amount, annual_rate=asked.annual_rate, periods=asked.periods, start_date=today)
    try:
        valued = AidValuation.of(today, gross_grant_equivalent(terms, today, asked.rating, asked.collateral))
    except InvalidTerms as exc:
        raise RuleViolation("loan", exc.rule) from None
    loan = TrividendLoan(
        id=proposal.id,
        investee_id=investee.id,
        instrument=proposal.instrument,
        principal=proposal.amount,
        annual_rate=asked.annual_rate,
        periods=asked.periods,
        frequency=Frequency.MONTHLY.value,
        start_date=today,
        rating=asked.rating.value,
        collateral=asked.collateral.value,
        reference_rate=valued.reference_rate,
        discount_rate=valued.discount_rate,
        gge=valued.gge,
        grant_date=today,
        sifo_loan_id=asked.sifo_loan_id,
        interest_converts=asked.interest_converts,
        status=LoanStatus.APPROVED.value,
        created_at=command.now,
    )
    command.session.add(loan)
    command.session.flush()
    command.publish(events.loan_approved(investee, loan, proposal))
    register = aid_register(command)
    if register.reserve(investee.enterprise_number, loan.id, valued, GRANT) is not None:
        register.granted(loan.id, GRANT)
    return loan


def loan_of(command: Command, loan_id: str, lock: bool = False) -> TrividendLoan:
    if lock:
        return get_for_update(command.session, TrividendLoan, loan_id, "loan")
    loan = command.session.get(TrividendLoan, loan_id)
    if loan is None:
        raise NotFound("loan", loan_id)
    return loan


def _approved(command: Command, loan_id: str, action: str) -> TrividendLoan:
    loan = loan_of(command, loan_id, lock=True)
    if loan.status != LoanStatus.APPROVED.value:
        raise Conflict(f"loan {loan_id} is {loan.status}; only an approved loan can get {action}")
    return loan


def _not_before_approval(loan: TrividendLoan, field: str, on: date) -> None:
    if on < loan.grant_date:
        raise RuleViolation(field, f"{on} is before the loan was approved on {loan.grant_date}")


def prepare_disbursement(command: Command, loan_id: str, disbursed_on: date, iban: str) -> Decision:
    loan = _approved(command, loan_id, "a disbursement")
    _not_before_approval(loan, "disbursed_on", disbursed_on)
    if disbursed_on > command.today:
        raise RuleViolation("disbursed_on", f"{disbursed_on} is after today ({command.today}); pay out first")
    request = DisbursementRequest(disbursed_on=disbursed_on, amount=loan.principal, iban=iban, registered_iban=None)
    return core.prepare_decision(LENDER.unit_of_work(command), loan_id, request)


def prepare_cancellation(command: Command, loan_id: str, cancelled_on: date, reason: str) -> Decision:
    loan = _approved(command, loan_id, "a cancellation")
    _not_before_approval(loan, "cancelled_on", cancelled_on)
    request = CancellationRequest(cancelled_on, required_text("reason", reason))
    return core.prepare_decision(LENDER.unit_of_work(command), loan_id, request)


def approve_decision(command: Command, decision_id: str) -> Decision:
    return LENDER.approve(command, decision_id, disburse=_disburse, cancel=_cancel)


def reject_decision(command: Command, decision_id: str, reason: str | None) -> Decision:
    return LENDER.reject(command, decision_id, reason)


def _disburse(command: Command, decision: Decision) -> None:
    request = decision.request
    assert isinstance(request, DisbursementRequest)
    loan = _approved(command, decision.loan_id, "a disbursement")
    _not_before_approval(loan, "disbursed_on", request.disbursed_on)
    loan.start_date = request.disbursed_on
    loan.disbursed_on = request.disbursed_on
    loan.iban = request.iban
    loan.status = LoanStatus.DISBURSED.value
    command.session.add(loan)
    investee = _investee(command, loan)
    payouts.queue(
        command.session,
        TrividendPayout,
        loan_id=loan.id,
        decision_id=decision.id,
        amount=loan.principal,
        creditor_name=investee.name,
        creditor_iban=request.iban,
        debtor=command.debtor,
        requested_on=request.disbursed_on,
        remittance=f"Trividend loan {loan.id} ({investee.name})",
        now=command.now,
    )
    command.publish(events.loan_disbursed(investee, loan))


def _cancel(command: Command, decision: Decision) -> None:
    request = decision.request
    assert isinstance(request, CancellationRequest)
    loan = _approved(command, decision.loan_id, "a cancellation")
    _not_before_approval(loan, "cancelled_on", request.cancelled_on)
    if loan.gge > 0:
        aid_register(command).outcome(loan.id, GRANT, OutcomeKind.RELEASED)
    loan.status = LoanStatus.CANCELLED.value
    loan.status_reason = request.reason
    command.session.add(loan)
    core.supersede_pending(LENDER.unit_of_work(command), loan.id, decision)
    assert decision.decided_by is not None
    command.publish(events.loan_cancelled(loan, request, decision))


def _investee(command: Command, loan: TrividendLoan) -> TrividendInvestee:
    investee = command.session.get(TrividendInvestee, loan.investee_id)
    assert investee is not None
    return investee


@dataclass(frozen=True)
class Conversion:
    loan: TrividendLoan
    principal: Decimal
    interest: Decimal
    shares: int

    @property
    def amount(self) -> Decimal:
        return self.principal + self.interest


def convert(command: Command, loan_id: str, converted_on: date, price_per_share: Decimal) -> Conversion:
    """Turn what a convertible loan owes on `converted_on` into shares at `price_per_share`.

    The principal outstanding converts; when the contract says so, the interest too (overdue, late
    and accrued). Otherwise interest due must be paid first, and the running period's accrued
    interest is not charged. Collection fees are always paid first. Whole shares are issued; the
    whole amount is their cost. The loan closes as converted and the
    participation with the loan's id opens, in this one transaction.
    """
    loan = loan_of(command, loan_id, lock=True)
    if loan.instrument != Instrument.CONVERTIBLE_LOAN.value:
        raise RuleViolation("loan_id", f"loan {loan_id} is a {loan.instrument}; only a convertible loan converts")
    if price_per_share <= 0:
        raise RuleViolation("price_per_share", f"{price_per_share} must be positive")
    if loan.status not in (LoanStatus.DISBURSED.value, LoanStatus.DEFAULTED.value):
        raise RuleViolation(
            "converted_on", f"loan {loan_id} is {loan.status}; only an outstanding convertible loan converts"
        )
    if converted_on > command.today:
        raise RuleViolation("converted_on", f"{converted_on} is after today ({command.today})")
    assert loan.disbursed_on is not None
    if converted_on < loan.disbursed_on:
        raise RuleViolation("converted_on", f"{converted_on} is before the payout on {loan.disbursed_on}")
    view = core.view(*LENDER.on(command, loan_id), converted_on)
    recorded = [entry.on for entry in view.entries if entry.id not in view.reversed]
    if recorded and converted_on < max(recorded):
        raise RuleViolation(
            "converted_on", f"{converted_on} is before the loan's last recorded movement on {max(recorded)}"
        )
    position = view.position
    assert position is not None
    zero = Decimal("0.00")
    overdue_interest = sum((line.interest_outstanding for line in position.arrears), zero)
    blocking = position.collection_fees
    if not loan.interest_converts:
        blocking += overdue_interest + position.late_interest
    if blocking:
        raise Conflict(
            f"loan {loan_id} owes {blocking} on {converted_on} that does not convert "
            f"(fees{'' if loan.interest_converts else ', overdue and late interest'}); it is paid first",
            owed=str(blocking),
        )
    # Interest paid ahead beyond what has accrued is principal repaid, as in the payoff amount.
    principal = position.outstanding_principal - max(position.interest_paid_ahead - position.accrued_interest, zero)
    if principal <= 0:
        raise RuleViolation("converted_on", f"loan {loan_id} owes no principal on {converted_on}; nothing converts")
    interest = zero
    if loan.interest_converts:
        running = max(position.accrued_interest - position.interest_paid_ahead, zero)
        interest = overdue_interest + position.late_interest + running
    amount = principal + interest
    shares = int(amount // price_per_share)
    if shares < 1:
        raise RuleViolation("price_per_share", f"{price_per_share} is above the {amount} that converts")
    if shares > MAX_SHARES:
        raise RuleViolation("price_per_share", f"{price_per_share} would issue {shares} shares, more than {MAX_SHARES}")
    loan.status = LoanStatus.CONVERTED.value
    loan.converted_on = converted_on
    command.session.add(loan)
    participation = TrividendParticipation(
        id=loan.id, investee_id=loan.investee_id, committed=amount, opened_on=converted_on, status="open"
    )
    command.session.add(participation)
    command.session.flush()
    movement = TrividendMovement(
        participation_id=loan.id,
        kind=MovementKind.TRANCHE.value,
        on=converted_on,
        amount=amount,
        shares=shares,
        price_per_share=price_per_share,
        recorded_by=command.actor,
        recorded_at=command.now,
    )
    command.session.add(movement)
    command.session.flush()
    conversion = Conversion(loan, principal, round_half_up(interest), shares)
    investee = _investee(command, loan)
    command.publish(events.loan_converted(investee, conversion.loan, conversion, price_per_share, command.actor))
    command.publish(events.invested(investee, movement, shares, amount))
    return conversion
