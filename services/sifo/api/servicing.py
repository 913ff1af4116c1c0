"""Servicing: repayments, prepayments, rate resets, default, and the loan as of any date."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from shared.platform.auth import Principal, Role, require_roles
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IDEMPOTENCY_HEADER

from services.sifo.api.commands import execute, read
from services.sifo.api.schemas import (
    AllocationOut,
    DefaultIn,
    HistoryOut,
    LoanOut,
    LoanViewOut,
    PositionOut,
    PrepaymentIn,
    RateResetIn,
    RepaymentIn,
    RepaymentRecorded,
    installments,
)
from services.sifo.service import decisions, loans, servicing
from services.sifo.service.context import Command

router = APIRouter(tags=["servicing"])
IdempotencyKey = Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER)]
Collectors = Annotated[Principal, Depends(require_roles(Role.BACKOFFICE, Role.JOB, Role.FUND_MANAGER))]
Managers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER))]
Anyone = Annotated[Principal, Depends(require_roles(*Role))]


@router.post(
    "/loans/{loan_id}/repayments",
    status_code=201,
    response_model=RepaymentRecorded,
    summary="Record money received: late interest, overdue interest, overdue principal, current due, then prepayment",
    responses=PROBLEM_RESPONSES,
)
def repay(
    loan_id: str, body: RepaymentIn, request: Request, principal: Collectors, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    def action(command: Command) -> RepaymentRecorded:
        _, allocation, position = servicing.record_repayment(
            command, loan_id, body.received_on, body.amount, body.surplus_mode
        )
        return RepaymentRecorded(
            loan_id=loan_id,
            allocation=AllocationOut.of(allocation),
            outstanding_principal=position.outstanding_principal,
        )

    return execute(request, principal, idempotency_key, body, action, status_code=201)


@router.post(
    "/loans/{loan_id}/prepayments",
    status_code=201,
    response_model=PositionOut,
    summary="Record a prepayment that shortens the term or lowers the installments",
    responses=PROBLEM_RESPONSES,
)
def prepay(
    loan_id: str, body: PrepaymentIn, request: Request, principal: Collectors, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: PositionOut.of(
            servicing.record_prepayment(command, loan_id, body.received_on, body.amount, body.mode)[1]
        ),
        status_code=201,
    )


@router.post("/loans/{loan_id}/rate-resets", response_model=LoanOut, responses=PROBLEM_RESPONSES)
def reset_rate(
    loan_id: str, body: RateResetIn, request: Request, principal: Managers, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: LoanOut.of(servicing.reset_rate(command, loan_id, body.effective_on, body.annual_rate)),
    )


@router.post("/loans/{loan_id}/default", response_model=LoanOut, responses=PROBLEM_RESPONSES)
def declare_default(
    loan_id: str, body: DefaultIn, request: Request, principal: Managers, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: LoanOut.of(decisions.declare_default(command, loan_id, body.defaulted_on, body.reason)),
    )


def _view(command: Command, loan_id: str, as_of: date | None) -> LoanViewOut:
    loan = loans.visible_loan(command, loan_id)
    result = servicing.view(command, loan, as_of or command.today)
    return LoanViewOut(
        loan=LoanOut.of(loan),
        as_of=result.as_of,
        position=PositionOut.of(result.position) if result.position else None,
        schedule=installments(result.schedule) if result.schedule else [],
        payments=[AllocationOut.of(allocation) for allocation in result.allocations],
        history=[HistoryOut.of(row) for row in result.history],
    )


@router.get(
    "/loans/{loan_id}/position",
    response_model=LoanViewOut,
    summary="The loan as of a date: schedule, payments, balance and arrears",
    responses=PROBLEM_RESPONSES,
)
def position(loan_id: str, request: Request, principal: Anyone, as_of: date | None = None) -> LoanViewOut:
    return read(request, principal, lambda command: _view(command, loan_id, as_of))
