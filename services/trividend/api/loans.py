"""Subordinated and convertible loans: payout and cancellation (four eyes), servicing through the shared core,
the loan on any date, and conversion into shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.platform.auth import Principal, Role
from shared.platform.days import Day
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IdempotencyKey
from shared.servicing import service as core
from shared.servicing.decision_inbox import add_decision_inbox
from shared.servicing.decisions import Decision
from shared.servicing.schemas import (
    AllocationOut,
    DecisionOut,
    DefaultIn,
    HistoryOut,
    PositionOut,
    PrepaymentIn,
    RateResetIn,
    RejectDecisionIn,
    RepaymentIn,
    RepaymentRecorded,
    ReversalIn,
    WriteOffIn,
    installments,
)
from shared.servicing.service import Product
from shared.servicing.sql import SqlServicing

from services.trividend.api.access import Bookers, Deciders, Managers, Readers
from services.trividend.api.commands import Outcome, execute, read
from services.trividend.api.schemas import (
    CancelLoan,
    ConversionOut,
    Convert,
    DisburseLoan,
    LoanOut,
    TrividendRestructureIn,
)
from services.trividend.models import TrividendDecision
from services.trividend.service import loans
from services.trividend.service.context import Command

router = APIRouter(tags=["loans"])
LOAN = "/loans/{loan_id}"
Prepare = Callable[[SqlServicing, Product, str], Decision]


def view(command: Command, loan_id: str, as_of: Day | None) -> LoanOut:
    loan = loans.loan_of(command, loan_id)
    day = as_of or command.today
    result = core.view(*loans.LENDER.on(command, loan_id), day)
    converted = loan.converted_on is not None and loan.converted_on <= day
    return LoanOut(
        loan_id=loan.id,
        investee_id=loan.investee_id,
        instrument=loan.instrument,
        status=loan.status,
        principal=loan.principal,
        annual_rate=loan.annual_rate,
        periods=loan.periods,
        reference_rate=loan.reference_rate,
        gge=loan.gge,
        sifo_loan_id=loan.sifo_loan_id,
        interest_converts=loan.interest_converts,
        disbursed_on=loan.disbursed_on,
        converted_on=loan.converted_on,
        as_of=day,
        position=PositionOut.of(result.position) if result.position is not None and not converted else None,
        schedule=installments(result.schedule) if result.schedule is not None else [],
        payments=[AllocationOut.of(allocation) for allocation in result.allocations],
        history=[HistoryOut.of(entry, result.reversed) for entry in result.entries],
    )


@router.get(
    LOAN,
    response_model=LoanOut,
    responses=PROBLEM_RESPONSES,
    summary="The loan on a day (today by default): position, schedule, payments and history",
)
def get_loan(
    loan_id: str, request: Request, principal: Readers, as_of: Annotated[Day | None, Query()] = None
) -> LoanOut:
    return read(request, principal, lambda command: view(command, loan_id, as_of))


def _decision(
    request: Request, principal: Principal, key: str | None, body: BaseModel, make: Callable[[Command], Decision]
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        return 201, DecisionOut.of(make(command))

    return execute(request, principal, key, body, action)


@router.post(
    f"{LOAN}/disbursement",
    status_code=201,
    response_model=DecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Prepare the payout of an approved loan; another person approves it",
)
def disburse_loan(
    loan_id: str, body: DisburseLoan, request: Request, principal: Bookers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return _decision(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: loans.prepare_disbursement(command, loan_id, body.disbursed_on, body.iban),
    )


@router.post(
    f"{LOAN}/cancellation",
    status_code=201,
    response_model=DecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Prepare the cancellation of an approved loan that will not be paid out (its aid is released)",
)
def cancel_loan(
    loan_id: str, body: CancelLoan, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return _decision(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: loans.prepare_cancellation(command, loan_id, body.cancelled_on, body.reason),
    )


@router.post(
    "/decisions/{decision_id}/approval",
    response_model=DecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Approve a loan decision prepared by someone else",
)
def approve_decision(
    decision_id: str, request: Request, principal: Deciders, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        return 200, DecisionOut.of(loans.approve_decision(command, decision_id))

    return execute(request, principal, idempotency_key, None, action)


@router.post(
    "/decisions/{decision_id}/rejection",
    response_model=DecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Reject a loan decision prepared by someone else",
)
def reject_decision(
    decision_id: str,
    body: RejectDecisionIn,
    request: Request,
    principal: Deciders,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        return 200, DecisionOut.of(loans.reject_decision(command, decision_id, body.reason))

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    f"{LOAN}/repayments",
    status_code=201,
    response_model=RepaymentRecorded,
    responses=PROBLEM_RESPONSES,
    summary="Record money received: arrears first, then the next installment, then prepayment",
)
def record_repayment(
    loan_id: str, body: RepaymentIn, request: Request, principal: Bookers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        recorded = core.record_repayment(
            *loans.LENDER.on(command, loan_id), body.received_on, body.amount, body.surplus_mode
        )
        assert recorded.entry.id is not None
        return 201, RepaymentRecorded(
            loan_id=loan_id,
            entry_id=recorded.entry.id,
            allocation=AllocationOut.of(recorded.allocation),
            outstanding_principal=recorded.position.outstanding_principal,
            status=recorded.position.status.value,
        )

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    f"{LOAN}/prepayments",
    status_code=201,
    response_model=LoanOut,
    responses=PROBLEM_RESPONSES,
    summary="Record a prepayment of principal not yet due",
)
def record_prepayment(
    loan_id: str, body: PrepaymentIn, request: Request, principal: Bookers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        core.record_prepayment(*loans.LENDER.on(command, loan_id), body.received_on, body.amount, body.mode)
        return 201, view(command, loan_id, body.received_on)

    return execute(request, principal, idempotency_key, body, action)


@router.post(f"{LOAN}/default", response_model=LoanOut, responses=PROBLEM_RESPONSES, summary="Declare a default")
def declare_default(
    loan_id: str, body: DefaultIn, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        core.declare_default(*loans.LENDER.on(command, loan_id), body.defaulted_on, body.reason)
        return 200, view(command, loan_id, body.defaulted_on)

    return execute(request, principal, idempotency_key, body, action)


def _prepare(
    request: Request, principal: Principal, key: str | None, body: BaseModel, loan_id: str, prepare: Prepare
) -> JSONResponse:
    return _decision(request, principal, key, body, lambda command: prepare(*loans.LENDER.on(command, loan_id)))


@router.post(
    f"{LOAN}/rate-resets",
    status_code=201,
    response_model=DecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Prepare a rate reset (four eyes); on approval any state aid it creates is registered",
)
def reset_rate(
    loan_id: str, body: RateResetIn, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def prepare(uow: SqlServicing, product: Product, loan: str) -> Decision:
        return core.prepare_rate_reset(uow, product, loan, body.effective_on, body.annual_rate, body.reason)

    return _prepare(request, principal, idempotency_key, body, loan_id, prepare)


@router.post(
    f"{LOAN}/restructuring",
    status_code=201,
    response_model=DecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Prepare a restructuring: new terms whose principal is everything owed that day (four eyes)",
)
def restructure_loan(
    loan_id: str,
    body: TrividendRestructureIn,
    request: Request,
    principal: Managers,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    def prepare(uow: SqlServicing, product: Product, loan: str) -> Decision:
        fields = {"principal": body.principal, "annual_rate": body.annual_rate, "periods": body.periods}
        terms = core.requested_terms(
            {**fields, "start_date": body.effective_on, "frequency": uow.account(loan).terms.frequency}
        )
        return core.prepare_restructuring(
            uow, product, loan, body.effective_on, terms, body.committee_reference, body.reason
        )

    return _prepare(request, principal, idempotency_key, body, loan_id, prepare)


@router.post(
    f"{LOAN}/write-off",
    status_code=201,
    response_model=DecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Prepare a write-off (four eyes)",
)
def write_off_loan(
    loan_id: str, body: WriteOffIn, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def prepare(uow: SqlServicing, product: Product, loan: str) -> Decision:
        return core.prepare_write_off(uow, product, loan, body.written_off_on, body.reason)

    return _prepare(request, principal, idempotency_key, body, loan_id, prepare)


@router.post(
    f"{LOAN}/reversals",
    status_code=201,
    response_model=DecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Prepare the reversal of a repayment or prepayment recorded by mistake (four eyes)",
)
def reverse_entry(
    loan_id: str, body: ReversalIn, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def prepare(uow: SqlServicing, product: Product, loan: str) -> Decision:
        return core.prepare_reversal(uow, product, loan, body.entry_id, body.reason)

    return _prepare(request, principal, idempotency_key, body, loan_id, prepare)


@router.post(
    f"{LOAN}/conversion",
    status_code=201,
    response_model=ConversionOut,
    responses=PROBLEM_RESPONSES,
    summary="Convert a convertible loan into shares at a recorded price: the loan closes, the participation opens",
)
def convert_loan(
    loan_id: str, body: Convert, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        done = loans.convert(command, loan_id, body.converted_on, body.price_per_share)
        return 201, ConversionOut(
            loan_id=loan_id,
            participation_id=loan_id,
            converted_on=body.converted_on,
            principal_converted=done.principal,
            interest_converted=done.interest,
            amount=done.amount,
            price_per_share=body.price_per_share,
            shares=done.shares,
        )

    return execute(request, principal, idempotency_key, body, action)


add_decision_inbox(
    router,
    table=TrividendDecision,
    roles=(Role.FUND_MANAGER, Role.APPROVER, Role.BACKOFFICE, Role.AUDITOR, Role.SERVICE),
    read=read,
    out=DecisionOut,
)
