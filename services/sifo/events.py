"""What SIFO publishes: contract payloads (shared.contracts.sifo) built from its rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from shared.amortisation.allocation import Allocation
from shared.amortisation.loan_events import PrepaymentMode
from shared.amortisation.position import LoanPosition
from shared.amortisation.terms import LoanTerms
from shared.contracts import sifo as contract
from shared.contracts.loan_terms import LoanTermsV1
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import envelope_for

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


def terms_payload(terms: LoanTerms) -> LoanTermsV1:
    return LoanTermsV1(
        principal=terms.principal,
        annual_rate=terms.annual_rate,
        periods=terms.periods,
        start_date=terms.start_date,
        frequency=terms.frequency.value,
        method=terms.method.value,
        day_count=terms.day_count.value,
        grace_periods=terms.grace_periods,
        grace_kind=terms.grace_kind.value,
        installment_multiple=terms.installment_multiple,
    )


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
        "gge": loan.gge,
    }


def loan_submitted(loan: SifoLoan, terms: LoanTerms) -> EventEnvelope:
    payload = contract.LoanSubmittedV1(
        **_snapshot(loan, terms),
        submitted_on=loan.submitted_on,
        rate_override_reason=loan.rate_override_reason,
        committee_reference=loan.committee_reference,
    )
    return _wrap(payload, loan.id)


def loan_approved(loan: SifoLoan, terms: LoanTerms) -> EventEnvelope:
    assert loan.approved_on is not None
    assert loan.drawing_right_id is not None
    payload = contract.LoanApprovedV1(
        **_snapshot(loan, terms),
        approved_on=loan.approved_on,
        drawing_right_id=loan.drawing_right_id,
        reserved=loan.sifo_share,
    )
    return _wrap(payload, loan.id)


def loan_rejected(loan: SifoLoan, rejected_on: date) -> EventEnvelope:
    payload = contract.LoanRejectedV1(
        loan_id=loan.id, financier_id=loan.financier_id, rejected_on=rejected_on, reason=loan.status_reason or ""
    )
    return _wrap(payload, loan.id)


def loan_disbursed(loan: SifoLoan, terms: LoanTerms) -> EventEnvelope:
    assert loan.disbursed_on is not None
    assert loan.drawing_right_id is not None
    assert loan.disbursement_iban
    payload = contract.LoanDisbursedV1(
        **_snapshot(loan, terms),
        disbursed_on=loan.disbursed_on,
        drawing_right_id=loan.drawing_right_id,
        amount=loan.sifo_share,
        creditor_iban=loan.disbursement_iban,
    )
    return _wrap(payload, loan.id)


def repayment_recorded(loan: SifoLoan, allocation: Allocation, position: LoanPosition) -> EventEnvelope:
    payload = contract.LoanRepaymentRecordedV1(
        loan_id=loan.id,
        financier_id=loan.financier_id,
        received_on=allocation.on,
        amount=allocation.amount,
        late_interest=allocation.late_interest + allocation.collection_fees,
        interest=allocation.interest,
        principal=allocation.principal,
        prepayment=allocation.prepayment,
        excess=allocation.excess,
        outstanding_principal=position.outstanding_principal,
    )
    return _wrap(payload, loan.id)


def prepaid(
    loan: SifoLoan, received_on: date, amount: Decimal, mode: PrepaymentMode, position: LoanPosition
) -> EventEnvelope:
    payload = contract.LoanPrepaidV1(
        loan_id=loan.id,
        financier_id=loan.financier_id,
        received_on=received_on,
        amount=amount,
        mode=mode.value,
        outstanding_principal=position.outstanding_principal,
    )
    return _wrap(payload, loan.id)


def rate_reset(loan: SifoLoan, effective_on: date, annual_rate: Decimal) -> EventEnvelope:
    payload = contract.LoanRateResetV1(
        loan_id=loan.id, financier_id=loan.financier_id, effective_on=effective_on, annual_rate=annual_rate
    )
    return _wrap(payload, loan.id)


def restructured(
    loan: SifoLoan, effective_on: date, terms: LoanTerms, prepared_by: str, approved_by: str
) -> EventEnvelope:
    payload = contract.LoanRestructuredV1(
        loan_id=loan.id,
        financier_id=loan.financier_id,
        effective_on=effective_on,
        terms=terms_payload(terms),
        prepared_by=prepared_by,
        approved_by=approved_by,
    )
    return _wrap(payload, loan.id)


def defaulted(loan: SifoLoan, on: date, outstanding: Decimal, reason: str) -> EventEnvelope:
    payload = contract.LoanDefaultedV1(
        loan_id=loan.id,
        financier_id=loan.financier_id,
        defaulted_on=on,
        outstanding_principal=outstanding,
        reason=reason,
    )
    return _wrap(payload, loan.id)


def written_off(loan: SifoLoan, prepared_by: str, approved_by: str) -> EventEnvelope:
    assert loan.written_off_on is not None
    assert loan.written_off_amount is not None
    payload = contract.LoanWrittenOffV1(
        loan_id=loan.id,
        financier_id=loan.financier_id,
        written_off_on=loan.written_off_on,
        amount=loan.written_off_amount,
        reason=loan.status_reason or "",
        prepared_by=prepared_by,
        approved_by=approved_by,
    )
    return _wrap(payload, loan.id)
