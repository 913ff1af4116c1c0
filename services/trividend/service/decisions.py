"""Investment proposals and the committee's decision on them (four eyes: the proposer never decides)."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

from sqlmodel import col, select

from shared.platform.database import get_for_update
from shared.platform.external_ids import ensure_unused
from shared.platform.list_window import ListWindow
from shared.platform.rules import Conflict, NotFound, required_text
from shared.servicing.four_eyes import ensure_four_eyes

from services.trividend import events
from services.trividend.domain.decisions import Instrument, ProposalStatus
from services.trividend.domain.loans import LoanTermsRequest, check_loan_terms
from services.trividend.models import TrividendParticipation, TrividendProposal
from services.trividend.service.context import Command
from services.trividend.service.investees import investee
from services.trividend.service.loans import open_loan


def propose(
    command: Command,
    investee_id: str,
    instrument: Instrument,
    amount: Decimal,
    rationale: str,
    loan: LoanTermsRequest | None = None,
    external_id: str | None = None,
) -> TrividendProposal:
    """A proposal for the committee; a loan proposal carries its terms, within the product's ranges."""
    check_loan_terms(instrument, loan, command.loans)
    investee(command, investee_id)
    ensure_unused(command.session, TrividendProposal, external_id, "proposal")
    row = TrividendProposal(
        id=str(uuid.uuid4()),
        external_id=external_id,
        investee_id=investee_id,
        instrument=instrument.value,
        amount=amount,
        loan_terms=json.dumps(loan.to_json(), sort_keys=True) if loan is not None else None,
        rationale=required_text("rationale", rationale),
        status=ProposalStatus.PROPOSED.value,
        proposed_by=command.actor,
        proposed_at=command.now,
    )
    command.session.add(row)
    command.session.flush()
    return row


def proposal(command: Command, proposal_id: str) -> TrividendProposal:
    row = command.session.get(TrividendProposal, proposal_id)
    if row is None:
        raise NotFound("proposal", proposal_id)
    return row


def decide(command: Command, proposal_id: str, approve: bool, reason: str | None) -> TrividendProposal:
    """The committee approves or rejects a proposal; approved, equity opens a participation and a loan opens
    (priced, its aid reserved in the register)."""
    row = get_for_update(command.session, TrividendProposal, proposal_id, "proposal")
    if row.status != ProposalStatus.PROPOSED.value:
        raise Conflict(f"proposal {proposal_id} is already {row.status}")
    ensure_four_eyes(row.proposed_by, command.actor, "proposal", "approve" if approve else "reject")
    row.decided_by = command.actor
    row.decided_on = command.today
    if not approve:
        row.status = ProposalStatus.REJECTED.value
        row.reason = required_text("reason", reason or "")
        command.session.add(row)
        command.publish(events.proposal_decided(investee(command, row.investee_id), row))
        return row
    row.status = ProposalStatus.APPROVED.value
    row.reason = reason.strip() if reason and reason.strip() else None
    command.session.add(row)
    owner = investee(command, row.investee_id)
    command.publish(events.proposal_decided(owner, row))
    if row.instrument == Instrument.EQUITY.value:
        command.session.add(
            TrividendParticipation(
                id=row.id, investee_id=row.investee_id, committed=row.amount, opened_on=command.today, status="open"
            )
        )
    else:
        open_loan(command, row, owner)
    command.session.flush()
    return row


def proposals(
    command: Command, status: ProposalStatus | None, window: ListWindow, external_id: str | None = None
) -> list[TrividendProposal]:
    query = select(TrividendProposal)
    if external_id is not None:
        query = query.where(TrividendProposal.external_id == external_id)
    if status is not None:
        query = query.where(TrividendProposal.status == status.value)
    query = window.select(
        query,
        created=col(TrividendProposal.proposed_at),
        updated=col(TrividendProposal.updated_at),
        key=col(TrividendProposal.id),
    )
    return list(command.session.exec(query).all())
