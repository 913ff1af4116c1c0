"""Servicing: repayments, prepayments, default, and the loan as of any date; rate resets and reversals are decisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from shared.platform.auth import Principal, Role, require_roles
from shared.platform.days import Day
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IdempotencyKey
from shared.servicing import service as core
from shared.servicing.schemas import (
    AllocationOut,
    DecisionOut,
    DefaultIn,
    HistoryOut,
    PositionOut,
    PrepaymentIn,
    RateResetIn,
    RepaymentIn,
    RepaymentRecorded,
    ReversalIn,
    installments,
)

from services.sifo.api.commands import execute, prepare, read
from services.sifo.api.schemas import LoanOut, LoanViewOut
from services.sifo.service import loans
from services.sifo.service.context import Command
from services.sifo.service.servicing import LENDER

router = APIRouter(tags=["servicing"])
Collectors = Annotated[Principal, Depends(require_roles(Role.BACKOFFICE, Role.JOB, Role.FUND_MANAGER))]
Managers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER))]
Preparers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER, Role.BACKOFFICE))]
Anyone = Annotated[Principal, Depends(require_roles(*Role))]


def _repay(command: Command, loan_id: str, body: RepaymentIn) -> RepaymentRecorded:
    recorded = core.record_repayment(*LENDER.on(command, loan_id), body.received_on, body.amount, body.surplus_mode)
    assert recorded.entry.id is not None
    return RepaymentRecorded(
        loan_id=loan_id,
        entry_id=recorded.entry.id,
        allocation=AllocationOut.of(recorded.allocation),
        outstanding_principal=recorded.position.outstanding_principal,
        status=recorded.position.status.value,
    )


@router.post(
    "/loans/{loan_id}/repayments",
    status_code=201,
    response_model=RepaymentRecorded,
    summary="Record money received: late interest, overdue installments, the next installment (even before it is "
    "due), then prepayment; the quoted payoff amount settles the loan",
    responses=PROBLEM_RESPONSES,
)
def record_repayment(
    loan_id: str, body: RepaymentIn, request: Request, principal: Collectors, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return execute(
        request, principal, idempotency_key, body, lambda command: _repay(command, loan_id, body), status_code=201
    )


@router.post(
    "/loans/{loan_id}/prepayments",
    status_code=201,
    response_model=PositionOut,
    summary="Record a prepayment that shortens the term or lowers the installments",
    responses=PROBLEM_RESPONSES,
)
def record_prepayment(
    loan_id: str, body: PrepaymentIn, request: Request, principal: Collectors, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> PositionOut:
        recorded = core.record_prepayment(*LENDER.on(command, loan_id), body.received_on, body.amount, body.mode)
        return PositionOut.of(recorded.position)

    return execute(request, principal, idempotency_key, body, action, status_code=201)


@router.post(
    "/loans/{loan_id}/rate-resets",
    status_code=201,
    response_model=DecisionOut,
    summary="Prepare a rate reset (four eyes); on approval any state aid it creates is registered",
    responses=PROBLEM_RESPONSES,
)
def reset_rate(
    loan_id: str, body: RateResetIn, request: Request, principal: Preparers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return prepare(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: core.prepare_rate_reset(
            *LENDER.on(command, loan_id), body.effective_on, body.annual_rate, body.reason
        ),
    )


@router.post(
    "/loans/{loan_id}/reversals",
    status_code=201,
    response_model=DecisionOut,
    summary="Prepare the reversal of a repayment or prepayment recorded by mistake (four eyes)",
    responses=PROBLEM_RESPONSES,
)
def reverse_entry(
    loan_id: str, body: ReversalIn, request: Request, principal: Preparers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return prepare(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: core.prepare_reversal(*LENDER.on(command, loan_id), body.entry_id, body.reason),
    )


@router.post("/loans/{loan_id}/default", response_model=LoanOut, responses=PROBLEM_RESPONSES)
def declare_default(
    loan_id: str, body: DefaultIn, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> LoanOut:
        core.declare_default(*LENDER.on(command, loan_id), body.defaulted_on, body.reason)
        return LoanOut.of(loans.visible_loan(command, loan_id))

    return execute(request, principal, idempotency_key, body, action)


def _view(command: Command, loan_id: str, as_of: Day | None) -> LoanViewOut:
    loan = loans.visible_loan(command, loan_id)
    result = core.view(*LENDER.on(command, loan_id), as_of or command.today)
    return LoanViewOut(
        loan=LoanOut.of(loan),
        as_of=result.as_of,
        position=PositionOut.of(result.position) if result.position else None,
        schedule=installments(result.schedule) if result.schedule else [],
        payments=[AllocationOut.of(allocation) for allocation in result.allocations],
        history=[HistoryOut.of(entry, result.reversed) for entry in result.entries],
    )


@router.get(
    "/loans/{loan_id}/position",
    response_model=LoanViewOut,
    summary="The loan as of a date: schedule, payments, balance, arrears and the payoff amount",
    responses=PROBLEM_RESPONSES,
)
def get_loan_position(loan_id: str, request: Request, principal: Anyone, as_of: Day | None = None) -> LoanViewOut:
    return read(request, principal, lambda command: _view(command, loan_id, as_of))
