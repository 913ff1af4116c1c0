"""Events Trividend publishes, built from its rows; a participation's events are keyed by its id."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from pydantic import BaseModel

from shared.amortisation.terms import Frequency, LoanTerms
from shared.contracts import trividend as contract
from shared.contracts.loan_servicing import AidValuationV1
from shared.contracts.state_aid import AidOutcome
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import envelope_for
from shared.servicing.decisions import CancellationRequest, Decision
from shared.servicing.events import terms_payload

from services.trividend.models import (
    TrividendHeadcount,
    TrividendInvestee,
    TrividendKpiReport,
    TrividendLoan,
    TrividendMovement,
    TrividendProposal,
    TrividendShareCount,
    TrividendValuation,
)


def _wrap(payload: BaseModel, subject: str) -> EventEnvelope:
    return envelope_for(payload, source=contract.TRIVIDEND_SOURCE, subject=subject)


def investee_registered(row: TrividendInvestee) -> EventEnvelope:
    payload = contract.InvesteeRegisteredV1(
        investee_id=row.id,
        enterprise_number=row.enterprise_number,
        name=row.name,
        legal_form=row.legal_form,
        sector=row.sector,
    )
    return _wrap(payload, row.id)


def headcount_reported(investee: TrividendInvestee, row: TrividendHeadcount) -> EventEnvelope:
    payload = contract.HeadcountReportedV1(
        investee_id=investee.id,
        enterprise_number=investee.enterprise_number,
        on=row.on,
        target_group_vte=row.target_group_vte,
    )
    return _wrap(payload, investee.id)


def shares_reported(investee: TrividendInvestee, row: TrividendShareCount) -> EventEnvelope:
    payload = contract.SharesReportedV1(
        investee_id=investee.id,
        enterprise_number=investee.enterprise_number,
        on=row.on,
        shares_outstanding=row.shares_outstanding,
    )
    return _wrap(payload, investee.id)


def proposal_decided(investee: TrividendInvestee, row: TrividendProposal) -> EventEnvelope:
    assert row.decided_by is not None
    assert row.decided_on is not None
    if row.status == "approved":
        approved = contract.ProposalApprovedV1(
            proposal_id=row.id,
            investee_id=investee.id,
            enterprise_number=investee.enterprise_number,
            instrument=row.instrument,
            amount=row.amount,
            approved_on=row.decided_on,
            proposed_by=row.proposed_by,
            approved_by=row.decided_by,
        )
        return _wrap(approved, row.id)
    rejected = contract.ProposalRejectedV1(
        proposal_id=row.id,
        investee_id=investee.id,
        rejected_on=row.decided_on,
        reason=row.reason or "",
        proposed_by=row.proposed_by,
        rejected_by=row.decided_by,
    )
    return _wrap(rejected, row.id)


def invested(investee: TrividendInvestee, row: TrividendMovement, shares_held: int, total: Decimal) -> EventEnvelope:
    assert row.price_per_share is not None
    payload = contract.EquityInvestedV1(
        participation_id=row.participation_id,
        investee_id=investee.id,
        enterprise_number=investee.enterprise_number,
        on=row.on,
        amount=row.amount,
        shares=row.shares,
        price_per_share=row.price_per_share,
        shares_held=shares_held,
        invested_total=total,
    )
    return _wrap(payload, row.participation_id)


def dividend_received(investee: TrividendInvestee, row: TrividendMovement) -> EventEnvelope:
    payload = contract.DividendReceivedV1(
        participation_id=row.participation_id,
        investee_id=investee.id,
        enterprise_number=investee.enterprise_number,
        on=row.on,
        amount=row.amount,
    )
    return _wrap(payload, row.participation_id)


def exited(investee: TrividendInvestee, row: TrividendMovement, shares_held: int) -> EventEnvelope:
    assert row.cost_of_shares_sold is not None
    assert row.approved_by is not None
    payload = contract.EquityExitedV1(
        participation_id=row.participation_id,
        investee_id=investee.id,
        enterprise_number=investee.enterprise_number,
        on=row.on,
        shares_sold=row.shares,
        proceeds=row.amount,
        cost_of_shares_sold=row.cost_of_shares_sold,
        realised_gain=row.amount - row.cost_of_shares_sold,
        shares_held=shares_held,
        prepared_by=row.recorded_by,
        approved_by=row.approved_by,
    )
    return _wrap(payload, row.participation_id)


def valuation_approved(investee: TrividendInvestee, row: TrividendValuation) -> EventEnvelope:
    assert row.decided_by is not None
    payload = contract.ValuationApprovedV1(
        valuation_id=row.id,
        participation_id=row.participation_id,
        investee_id=investee.id,
        enterprise_number=investee.enterprise_number,
        quarter=row.quarter,
        as_of=row.as_of,
        fair_value=row.fair_value,
        method=row.method,
        rationale=row.rationale,
        corrects=row.corrects,
        reason=row.reason,
        prepared_by=row.prepared_by,
        approved_by=row.decided_by,
    )
    return _wrap(payload, row.participation_id)


def _snapshot(investee: TrividendInvestee, loan: TrividendLoan) -> dict[str, Any]:
    return {
        "loan_id": loan.id,
        "investee_id": investee.id,
        "enterprise_number": investee.enterprise_number,
        "instrument": loan.instrument,
        "terms": terms_payload(terms_of(loan)),
        "rating": loan.rating,
        "collateral": loan.collateral,
        "reference_rate": loan.reference_rate,
        "aid": AidValuationV1(
            grant_date=loan.grant_date,
            gge=loan.gge,
            reference_rate=loan.reference_rate,
            discount_rate=loan.discount_rate,
        ),
        "sifo_loan_id": loan.sifo_loan_id,
        "interest_converts": loan.interest_converts,
    }


def terms_of(loan: TrividendLoan) -> LoanTerms:
    """The loan's contract as the shared engine reads it (the payout date starts it)."""
    return LoanTerms(
        principal=loan.principal,
        annual_rate=loan.annual_rate,
        periods=loan.periods,
        start_date=loan.start_date,
        frequency=Frequency(loan.frequency),
    )


def loan_approved(investee: TrividendInvestee, loan: TrividendLoan, proposal: TrividendProposal) -> EventEnvelope:
    assert proposal.decided_by is not None
    payload = contract.LoanApprovedV1(
        **_snapshot(investee, loan), approved_on=loan.grant_date, approved_by=proposal.decided_by, amount=loan.principal
    )
    return _wrap(payload, loan.id)


def loan_disbursed(investee: TrividendInvestee, loan: TrividendLoan) -> EventEnvelope:
    assert loan.disbursed_on is not None
    assert loan.iban is not None
    payload = contract.LoanDisbursedV1(
        **_snapshot(investee, loan), disbursed_on=loan.disbursed_on, amount=loan.principal, iban=loan.iban
    )
    return _wrap(payload, loan.id)


def loan_cancelled(loan: TrividendLoan, request: CancellationRequest, decision: Decision) -> EventEnvelope:
    assert decision.decided_by is not None
    payload = contract.LoanCancelledV1(
        loan_id=loan.id,
        cancelled_on=request.cancelled_on,
        reason=request.reason,
        prepared_by=decision.prepared_by,
        approved_by=decision.decided_by,
    )
    return _wrap(payload, loan.id)


class ConversionFacts(Protocol):
    @property
    def principal(self) -> Decimal: ...

    @property
    def interest(self) -> Decimal: ...

    @property
    def shares(self) -> int: ...

    @property
    def amount(self) -> Decimal: ...


def loan_converted(
    investee: TrividendInvestee, loan: TrividendLoan, conversion: ConversionFacts, price: Decimal, actor: str
) -> EventEnvelope:
    assert loan.converted_on is not None
    payload = contract.LoanConvertedV1(
        loan_id=loan.id,
        participation_id=loan.id,
        investee_id=investee.id,
        enterprise_number=investee.enterprise_number,
        converted_on=loan.converted_on,
        principal_converted=conversion.principal,
        interest_converted=conversion.interest,
        amount=conversion.amount,
        price_per_share=price,
        shares=conversion.shares,
        recorded_by=actor,
    )
    return _wrap(payload, loan.id)


def aid_outcome(loan_id: str, outcome: AidOutcome) -> EventEnvelope:
    return _wrap(contract.TrividendAidOutcomeV1(**outcome.model_dump()), loan_id)


def kpi_reported(investee: TrividendInvestee, row: TrividendKpiReport) -> EventEnvelope:
    payload = contract.KpiReportedV1(
        investee_id=investee.id,
        enterprise_number=investee.enterprise_number,
        period_end=row.period_end,
        target_group_vte=row.target_group_vte,
        turnover=row.turnover,
        result=row.result,
        equity=row.equity,
    )
    return _wrap(payload, investee.id)
