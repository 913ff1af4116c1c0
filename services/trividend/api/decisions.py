"""Investment proposals and the committee's decisions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.external_ids import ExternalIdFilter
from shared.platform.idempotency import IdempotencyKey
from shared.platform.list_window import Window
from shared.platform.paging import Page

from services.trividend.api.access import Committee, Managers, Readers
from services.trividend.api.commands import Outcome, execute, read
from services.trividend.api.schemas import Decide, ProposalOut, Propose, Reject
from services.trividend.domain.decisions import ProposalStatus
from services.trividend.service import decisions
from services.trividend.service.context import Command

router = APIRouter(tags=["decisions"])


@router.post(
    "/proposals",
    status_code=201,
    response_model=ProposalOut,
    responses=PROBLEM_RESPONSES,
    summary="Propose an investment",
)
def propose_investment(
    body: Propose, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        loan = body.loan.request() if body.loan is not None else None
        row = decisions.propose(
            command, body.investee_id, body.instrument, body.amount, body.rationale, loan, body.external_id
        )
        return 201, ProposalOut.model_validate(row)

    return execute(request, principal, idempotency_key, body, action)


@router.get(
    "/proposals",
    response_model=Page[ProposalOut],
    responses=PROBLEM_RESPONSES,
    summary="Proposals, oldest first unless sorted otherwise",
)
def list_proposals(
    request: Request,
    principal: Readers,
    window: Window,
    status: ProposalStatus | None = None,
    external_id: ExternalIdFilter = None,
) -> Page[ProposalOut]:
    rows = read(request, principal, lambda command: decisions.proposals(command, status, window, external_id))
    return window.page(rows, ProposalOut.model_validate)


@router.get("/proposals/{proposal_id}", response_model=ProposalOut, responses=PROBLEM_RESPONSES, summary="A proposal")
def get_proposal(proposal_id: str, request: Request, principal: Readers) -> ProposalOut:
    return ProposalOut.model_validate(
        read(request, principal, lambda command: decisions.proposal(command, proposal_id))
    )


@router.post(
    "/proposals/{proposal_id}/approval",
    response_model=ProposalOut,
    responses=PROBLEM_RESPONSES,
    summary="The investment committee approves (not the proposer); the amount is committed",
)
def approve_proposal(
    proposal_id: str, body: Decide, request: Request, principal: Committee, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        return 200, ProposalOut.model_validate(decisions.decide(command, proposal_id, True, body.reason))

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/proposals/{proposal_id}/rejection",
    response_model=ProposalOut,
    responses=PROBLEM_RESPONSES,
    summary="The investment committee rejects, with its reason",
)
def reject_proposal(
    proposal_id: str, body: Reject, request: Request, principal: Committee, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        return 200, ProposalOut.model_validate(decisions.decide(command, proposal_id, False, body.reason))

    return execute(request, principal, idempotency_key, body, action)
