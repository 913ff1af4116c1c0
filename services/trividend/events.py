"""Events Trividend publishes, built from its rows; a participation's events are keyed by its id."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from shared.contracts import trividend as contract
from shared.eventbus.envelope import EventEnvelope
from shared.eventbus.registry import envelope_for

from services.trividend.models import (
    TrividendHeadcount,
    TrividendInvestee,
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
