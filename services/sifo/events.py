"""What SIFO publishes: contract payloads (shared.contracts.sifo) built from its rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from shared.amortisation.terms import LoanTerms
from shared.contracts import sifo as contract
from shared.contracts.state_aid import AidCarried, AidOutcome
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import envelope_for
from shared.servicing.aid import valuation_of
from shared.servicing.decisions import CancellationRequest, Decision
from shared.servicing.events import aid_payload, terms_payload

from services.sifo.models import SifoDrawingRight, SifoFinancier, SifoLoan


def _wrap(payload: BaseModel, subject: str) -> EventEnvelope:
    return envelope_for(payload, source=contract.SIFO_SOURCE, subject=subject)


def financier_recognised(financier: SifoFinancier) -> EventEnvelope:
    payload = contract.FinancierRecognisedV1(
        financier_id=financier.id,
        enterprise_number=financier.enterprise_number,
        name=financier.name,
        iban=financier.iban,
        recognised_from=financier.recognised_from,
        recognised_until=financier.recognised_until,
    )
    return _wrap(payload, financier.id)


def financier_suspended(financier: SifoFinancier, reason: str) -> EventEnvelope:
    assert financier.suspended_from is not None
    payload = contract.FinancierSuspendedV1(
        financier_id=financier.id, suspended_from=financier.suspended_from, reason=reason
    )
    return _wrap(payload, financier.id)


def financier_ended(financier: SifoFinancier, reason: str) -> EventEnvelope:
    assert financier.recognised_until is not None
    payload = contract.FinancierEndedV1(financier_id=financier.id, ended_on=financier.recognised_until, reason=reason)
    return _wrap(payload, financier.id)


def drawing_right_allocated(right: SifoDrawingRight) -> EventEnvelope:
    payload = contract.DrawingRightAllocatedV1(
        drawing_right_id=right.id,
        financier_id=right.financier_id,
        fund_year=right.fund_year,
        allocated=right.allocated,
        valid_from=right.valid_from,
        valid_until=right.valid_until,
    )
    return _wrap(payload, right.id)


def drawing_right_reallocated(right: SifoDrawingRight, previous: Decimal, reason: str) -> EventEnvelope:
    payload = contract.DrawingRightReallocatedV1(
        drawing_right_id=right.id,
        financier_id=right.financier_id,
        previous_allocated=previous,
        allocated=right.allocated,
        reason=reason,
    )
    return _wrap(payload, right.id)


def drawing_right_released(right: SifoDrawingRight, amount: Decimal, reason: str) -> EventEnvelope:
    payload = contract.DrawingRightReleasedV1(
        drawing_right_id=right.id,
        financier_id=right.financier_id,
        amount=amount,
        released_total=right.released,
        reason=reason,
    )
    return _wrap(payload, right.id)


def drawing_right_expired(right: SifoDrawingRight, on: date, released: Decimal) -> EventEnvelope:
    payload = contract.DrawingRightExpiredV1(
        drawing_right_id=right.id, financier_id=right.financier_id, expired_on=on, released_amount=released
    )
    return _wrap(payload, right.id)


def _snapshot(loan: SifoLoan, terms: LoanTerms) -> dict[str, object]:
    return {
        "loan_id": loan.id,
        "financier_id": loan.financier_id,
        "borrower_enterprise_number": loan.borrower_enterprise_number,
        "borrower_name": loan.borrower_name,
        "target_group_vte": loan.target_group_vte,
        "loan_type": loan.loan_type,
        "total_credit": loan.total_credit,
        "sifo_share": loan.sifo_share,
        "terms": terms_payload(terms),
        "rating": loan.rating,
        "collateral": loan.collateral,
        "reference_rate": loan.reference_rate,
        "aid": aid_payload(valuation_of(loan)),
    }


def loan_submitted(loan: SifoLoan, terms: LoanTerms) -> EventEnvelope:
    payload = contract.LoanSubmittedV2(
        **_snapshot(loan, terms),
        submitted_on=loan.submitted_on,
        rate_override_reason=loan.rate_override_reason,
        committee_reference=loan.committee_reference,
    )
    return _wrap(payload, loan.id)


def loan_approved(loan: SifoLoan, terms: LoanTerms) -> EventEnvelope:
    assert loan.approved_on is not None
    assert loan.approved_by is not None
    assert loan.drawing_right_id is not None
    payload = contract.LoanApprovedV2(
        **_snapshot(loan, terms),
        approved_on=loan.approved_on,
        approved_by=loan.approved_by,
        drawing_right_id=loan.drawing_right_id,
        reserved=loan.sifo_share,
    )
    return _wrap(payload, loan.id)


def loan_rejected(loan: SifoLoan, rejected_on: date) -> EventEnvelope:
    payload = contract.LoanRejectedV1(
        loan_id=loan.id, financier_id=loan.financier_id, rejected_on=rejected_on, reason=loan.status_reason or ""
    )
    return _wrap(payload, loan.id)


def loan_disbursed(loan: SifoLoan, terms: LoanTerms, other_account_reason: str | None) -> EventEnvelope:
    assert loan.disbursed_on is not None
    assert loan.drawing_right_id is not None
    assert loan.disbursement_iban
    payload = contract.LoanDisbursedV2(
        **_snapshot(loan, terms),
        disbursed_on=loan.disbursed_on,
        drawing_right_id=loan.drawing_right_id,
        amount=loan.sifo_share,
        creditor_iban=loan.disbursement_iban,
        other_account_reason=other_account_reason,
    )
    return _wrap(payload, loan.id)


def loan_cancelled(
    loan: SifoLoan, request: CancellationRequest, decision: Decision, drawing_right_id: str
) -> EventEnvelope:
    assert decision.decided_by is not None
    payload = contract.LoanCancelledV1(
        loan_id=loan.id,
        financier_id=loan.financier_id,
        cancelled_on=request.cancelled_on,
        drawing_right_id=drawing_right_id,
        released=loan.sifo_share,
        reason=request.reason,
        prepared_by=decision.prepared_by,
        approved_by=decision.decided_by,
    )
    return _wrap(payload, loan.id)


def aid_outcome(loan_id: str, outcome: AidOutcome) -> EventEnvelope:
    """SIFO granted, lowered or released aid it reserved in the state-aid register (keyed by the loan)."""
    return _wrap(contract.SifoAidOutcomeV1(**outcome.model_dump()), loan_id)


def aid_carried(loan_id: str, carried: AidCarried) -> EventEnvelope:
    """An aid measure of this service's own former register, carried over to the state-aid register."""
    return _wrap(contract.SifoAidCarriedV1(**carried.model_dump()), loan_id)
