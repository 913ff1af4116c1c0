"""Four-eyes decisions: prepare a disbursement, restructuring, write-off or cancellation; another person decides."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from shared.platform.auth import Principal, Role, require_roles
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IdempotencyKey
from shared.platform.paging import Page
from shared.servicing import service as core
from shared.servicing.decision_inbox import add_decision_inbox
from shared.servicing.decisions import Decision
from shared.servicing.schemas import CancellationIn, DecisionOut, RejectDecisionIn, WriteOffIn

from services.sifo.api.commands import execute, prepare, read
from services.sifo.api.schemas import PrepareDisbursement, RestructureIn
from services.sifo.models import SifoDecision
from services.sifo.service import decisions
from services.sifo.service.context import Command
from services.sifo.service.servicing import LENDER

NO_REASON = RejectDecisionIn()
router = APIRouter(tags=["decisions"])
Preparers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER, Role.BACKOFFICE))]
Approvers = Annotated[Principal, Depends(require_roles(Role.APPROVER))]
Anyone = Annotated[Principal, Depends(require_roles(*Role))]
Staff = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER, Role.APPROVER, Role.BACKOFFICE, Role.AUDITOR))]
XML_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/xml": {}}, "description": "pain.001.001.09 document"}
}


@router.post(
    "/loans/{loan_id}/disbursement",
    status_code=201,
    response_model=DecisionOut,
    summary="Prepare the disbursement (an approver other than the preparer executes it)",
    responses=PROBLEM_RESPONSES,
)
def prepare_disbursement(
    loan_id: str,
    body: PrepareDisbursement,
    request: Request,
    principal: Preparers,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    return prepare(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: decisions.prepare_disbursement(
            command, loan_id, body.disbursed_on, body.iban, body.iban_reason
        ),
    )


@router.post(
    "/loans/{loan_id}/restructuring",
    status_code=201,
    response_model=DecisionOut,
    summary="Prepare a restructuring: new terms whose principal is everything owed that day (four eyes)",
    responses=PROBLEM_RESPONSES,
)
def prepare_restructuring(
    loan_id: str, body: RestructureIn, request: Request, principal: Preparers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Decision:
        terms = core.requested_terms(body.terms.model_dump())
        return core.prepare_restructuring(
            *LENDER.on(command, loan_id), body.effective_on, terms, body.committee_reference, body.reason
        )

    return prepare(request, principal, idempotency_key, body, action)


@router.post("/loans/{loan_id}/write-off", status_code=201, response_model=DecisionOut, responses=PROBLEM_RESPONSES)
def prepare_write_off(
    loan_id: str, body: WriteOffIn, request: Request, principal: Preparers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return prepare(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: core.prepare_write_off(*LENDER.on(command, loan_id), body.written_off_on, body.reason),
    )


@router.post(
    "/loans/{loan_id}/cancellation",
    status_code=201,
    response_model=DecisionOut,
    summary="Prepare the cancellation of an approved loan that will not be paid out (four eyes)",
    responses=PROBLEM_RESPONSES,
)
def prepare_cancellation(
    loan_id: str, body: CancellationIn, request: Request, principal: Preparers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return prepare(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: decisions.prepare_cancellation(command, loan_id, body.cancelled_on, body.reason),
    )


@router.post(
    "/decisions/{decision_id}/approval",
    response_model=DecisionOut,
    summary="Approve a prepared decision; the preparer may not approve it",
    responses=PROBLEM_RESPONSES,
)
def approve_decision(
    decision_id: str, request: Request, principal: Approvers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        None,
        lambda command: DecisionOut.of(decisions.approve(command, decision_id)),
    )


@router.post(
    "/decisions/{decision_id}/rejection",
    response_model=DecisionOut,
    summary="Reject a prepared decision (nothing happens); the preparer may not reject it",
    responses=PROBLEM_RESPONSES,
)
def reject_decision(
    decision_id: str,
    request: Request,
    principal: Approvers,
    idempotency_key: IdempotencyKey,
    body: Annotated[RejectDecisionIn, Body()] = NO_REASON,
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: DecisionOut.of(decisions.reject(command, decision_id, body.reason)),
    )


@router.get("/loans/{loan_id}/decisions", response_model=Page[DecisionOut], responses=PROBLEM_RESPONSES)
def list_decisions(loan_id: str, request: Request, principal: Anyone) -> Page[DecisionOut]:
    return read(
        request,
        principal,
        lambda command: Page.whole([DecisionOut.of(row) for row in decisions.decisions_of(command, loan_id)]),
    )


@router.get(
    "/loans/{loan_id}/payment-instruction",
    response_class=Response,
    summary="The SEPA credit transfer (pain.001) file that pays the loan out (409 until the payout run made it)",
    responses={**PROBLEM_RESPONSES, **XML_RESPONSE},
)
def payment_instruction(loan_id: str, request: Request, principal: Anyone) -> Response:
    document = read(request, principal, lambda command: decisions.payment_instruction(command, loan_id))
    return Response(document, media_type="application/xml")


add_decision_inbox(
    router,
    table=SifoDecision,
    roles=(Role.FUND_MANAGER, Role.APPROVER, Role.BACKOFFICE, Role.AUDITOR),
    read=read,
    out=DecisionOut,
)
