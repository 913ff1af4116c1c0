"""A paid-out energy loan (its id is its application's): the loan as of a date and its servicing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.platform.auth import Principal, Role, require_roles
from shared.platform.days import Day
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IdempotencyKey
from shared.platform.rules import RuleViolation
from shared.servicing import service as core
from shared.servicing.decisions import Decision
from shared.servicing.schemas import (
    AllocationOut,
    DefaultIn,
    HistoryOut,
    PrepaymentIn,
    RateResetIn,
    RepaymentIn,
    ReversalIn,
    WriteOffIn,
    installments,
)
from shared.servicing.service import Product
from shared.servicing.sql import SqlServicing

from services.energy.api.commands import Outcome, execute, read
from services.energy.api.schemas import (
    EnergyDecisionOut,
    EnergyLoanOut,
    EnergyRepaymentOut,
    PrepaymentOut,
    RestructureIn,
)
from services.energy.service import servicing
from services.energy.service.context import Command

router = APIRouter(tags=["loans"])
Managers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER))]
Preparers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER, Role.BACKOFFICE))]
Collectors = Annotated[Principal, Depends(require_roles(Role.BACKOFFICE, Role.JOB, Role.FUND_MANAGER))]
Staff = Annotated[
    Principal, Depends(require_roles(Role.FUND_MANAGER, Role.APPROVER, Role.BACKOFFICE, Role.AUDITOR, Role.JOB))
]
LOAN = "/applications/{application_id}/loan"
Prepare = Callable[[SqlServicing, Product, str], Decision]


def _prepare(
    request: Request,
    principal: Principal,
    idempotency_key: str | None,
    body: BaseModel,
    application_id: str,
    prepare: Prepare,
) -> JSONResponse:
    """Prepare a four-eyes decision on the application's loan; 201 with the decision."""

    def action(command: Command) -> Outcome:
        loan = servicing.loan_of(command, application_id)
        return 201, EnergyDecisionOut.of(prepare(*servicing.LENDER.on(command, loan.id)))

    return execute(request, principal, idempotency_key, body, action)


def _view(command: Command, application_id: str, as_of: Day | None) -> EnergyLoanOut:
    loan = servicing.loan_of(command, application_id)
    day = as_of or command.today
    result = core.view(*servicing.LENDER.on(command, loan.id), day)
    position = result.position
    if position is None:
        raise RuleViolation("as_of", f"{day.isoformat()} is before disbursement ({loan.start_date})")
    return EnergyLoanOut(
        loan_id=loan.id,
        application_id=loan.application_id,
        status=loan.status,
        position_status=position.status.value,
        principal=loan.principal,
        annual_rate=loan.annual_rate.normalize(),
        start_date=loan.start_date,
        first_due_date=loan.first_due_date,
        iban=loan.iban,
        as_of=day,
        outstanding_principal=position.outstanding_principal,
        accrued_interest=position.accrued_interest,
        total_arrears=position.total_arrears,
        days_past_due=position.days_past_due,
        late_interest=position.late_interest,
        collection_fees=position.collection_fees,
        payoff_amount=position.payoff_amount,
        next_due_date=position.next_due_date,
        schedule=installments(result.schedule) if result.schedule else [],
        payments=[AllocationOut.of(allocation) for allocation in result.allocations],
        history=[HistoryOut.of(entry, result.reversed) for entry in result.entries],
    )


@router.get(
    LOAN,
    response_model=EnergyLoanOut,
    responses=PROBLEM_RESPONSES,
    summary="The loan as of a date: schedule, payments, balance, arrears, payoff amount and history",
)
def get_loan(application_id: str, request: Request, principal: Staff, as_of: Day | None = None) -> EnergyLoanOut:
    return read(request, principal, lambda command: _view(command, application_id, as_of))


def _repay(command: Command, application_id: str, body: RepaymentIn) -> Outcome:
    loan = servicing.loan_of(command, application_id)
    recorded = core.record_repayment(
        *servicing.LENDER.on(command, loan.id),
        body.received_on,
        body.amount,
        body.surplus_mode,
    )
    allocation = recorded.allocation
    assert recorded.entry.id is not None
    return 201, EnergyRepaymentOut(
        loan_id=loan.id,
        entry_id=recorded.entry.id,
        late_interest=allocation.late_interest,
        collection_fees=allocation.collection_fees,
        interest=allocation.interest,
        principal=allocation.principal,
        prepayment=allocation.prepayment,
        excess=allocation.excess,
        outstanding_principal=recorded.position.outstanding_principal,
        status=recorded.position.status.value,
    )


@router.post(
    f"{LOAN}/repayments",
    status_code=201,
    response_model=EnergyRepaymentOut,
    responses=PROBLEM_RESPONSES,
    summary="Record money received: arrears first, then the next installment (even before it is due), then "
    "prepayment; the quoted payoff amount settles the loan",
)
def record_repayment(
    application_id: str,
    body: RepaymentIn,
    request: Request,
    principal: Collectors,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    return execute(request, principal, idempotency_key, body, lambda command: _repay(command, application_id, body))


@router.post(f"{LOAN}/prepayments", status_code=201, response_model=PrepaymentOut, responses=PROBLEM_RESPONSES)
def record_prepayment(
    application_id: str,
    body: PrepaymentIn,
    request: Request,
    principal: Collectors,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        loan = servicing.loan_of(command, application_id)
        recorded = core.record_prepayment(
            *servicing.LENDER.on(command, loan.id),
            body.received_on,
            body.amount,
            body.mode,
        )
        assert recorded.entry.id is not None
        return 201, PrepaymentOut(
            loan_id=loan.id,
            entry_id=recorded.entry.id,
            outstanding_principal=recorded.position.outstanding_principal,
        )

    return execute(request, principal, idempotency_key, body, action)


@router.post(f"{LOAN}/default", response_model=EnergyLoanOut, responses=PROBLEM_RESPONSES)
def declare_default(
    application_id: str, body: DefaultIn, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        loan = servicing.loan_of(command, application_id)
        core.declare_default(
            *servicing.LENDER.on(command, loan.id),
            body.defaulted_on,
            body.reason,
        )
        return 200, _view(command, application_id, body.defaulted_on)

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    f"{LOAN}/rate-resets",
    status_code=201,
    response_model=EnergyDecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Prepare a rate reset (four eyes); on approval any state aid it creates is registered",
)
def reset_rate(
    application_id: str,
    body: RateResetIn,
    request: Request,
    principal: Preparers,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    def prepare(uow: SqlServicing, product: Product, loan_id: str) -> Decision:
        return core.prepare_rate_reset(uow, product, loan_id, body.effective_on, body.annual_rate, body.reason)

    return _prepare(request, principal, idempotency_key, body, application_id, prepare)


@router.post(
    f"{LOAN}/restructuring",
    status_code=201,
    response_model=EnergyDecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Prepare a restructuring: new terms whose principal is everything owed that day (four eyes)",
)
def prepare_restructuring(
    application_id: str,
    body: RestructureIn,
    request: Request,
    principal: Preparers,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    def prepare(uow: SqlServicing, product: Product, loan_id: str) -> Decision:
        fields = {"principal": body.principal, "annual_rate": body.annual_rate, "periods": body.periods}
        terms = core.requested_terms(
            {**fields, "start_date": body.effective_on, "frequency": uow.account(loan_id).terms.frequency}
        )
        return core.prepare_restructuring(
            uow, product, loan_id, body.effective_on, terms, body.committee_reference, body.reason
        )

    return _prepare(request, principal, idempotency_key, body, application_id, prepare)


@router.post(f"{LOAN}/write-off", status_code=201, response_model=EnergyDecisionOut, responses=PROBLEM_RESPONSES)
def prepare_write_off(
    application_id: str,
    body: WriteOffIn,
    request: Request,
    principal: Preparers,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    def prepare(uow: SqlServicing, product: Product, loan_id: str) -> Decision:
        return core.prepare_write_off(uow, product, loan_id, body.written_off_on, body.reason)

    return _prepare(request, principal, idempotency_key, body, application_id, prepare)


@router.post(
    f"{LOAN}/reversals",
    status_code=201,
    response_model=EnergyDecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Prepare the reversal of a repayment or prepayment recorded by mistake (four eyes)",
)
def reverse_entry(
    application_id: str,
    body: ReversalIn,
    request: Request,
    principal: Preparers,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    def prepare(uow: SqlServicing, product: Product, loan_id: str) -> Decision:
        return core.prepare_reversal(uow, product, loan_id, body.entry_id, body.reason)

    return _prepare(request, principal, idempotency_key, body, application_id, prepare)
