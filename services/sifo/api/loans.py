"""Loans: submit (priced, with schedule and aid), approve, reject, read.

A submission and a loan's read are this service's busiest requests and touch nothing but its
database, so they are served on the event loop; approval calls the state-aid register over HTTP
and stays on a worker thread.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from shared.platform.auth import Principal, Role, require_roles
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.event_loop_endpoints import served_on_event_loop
from shared.platform.external_ids import ExternalIdFilter
from shared.platform.idempotency import IdempotencyKey
from shared.platform.identifiers import EnterpriseNumber
from shared.platform.list_window import Window
from shared.platform.paging import Page
from shared.platform.rules import RuleViolation
from shared.servicing.schemas import installments

from services.sifo.api.commands import execute, read
from services.sifo.api.schemas import ApproveLoan, LoanOut, RejectLoan, SubmitLoan, SubmittedLoanOut
from services.sifo.domain.loans import LoanStatus
from services.sifo.service import loans
from services.sifo.service.context import Command
from services.sifo.service.loans import LoanFilter, LoanSubmission, RepaymentPlan

router = APIRouter(tags=["loans"])
Submitters = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER, Role.FINANCIER))]
Approvers = Annotated[Principal, Depends(require_roles(Role.APPROVER))]
Anyone = Annotated[Principal, Depends(require_roles(*Role))]


def _submission(body: SubmitLoan, command: Command) -> LoanSubmission:
    financier_id = body.financier_id or command.principal.financier_id
    if financier_id is None:
        raise RuleViolation("financier_id", "is required when the caller is not a financier")
    plan = body.terms
    return LoanSubmission(
        financier_id=financier_id,
        borrower_enterprise_number=body.borrower.enterprise_number,
        borrower_name=body.borrower.name,
        target_group_vte=body.borrower.target_group_vte,
        loan_type=body.loan_type,
        total_credit=body.total_credit,
        sifo_share=body.sifo_share,
        plan=RepaymentPlan(
            start_date=plan.start_date,
            periods=plan.periods,
            frequency=plan.frequency,
            method=plan.method,
            day_count=plan.day_count,
            grace_periods=plan.grace_periods,
            grace_kind=plan.grace_kind,
            installment_multiple=plan.installment_multiple,
            first_due_date=plan.first_due_date,
        ),
        rating=body.rating,
        collateral=body.collateral,
        override_rate=body.rate_override.rate if body.rate_override else None,
        override_reason=body.rate_override.reason if body.rate_override else None,
        committee_reference=body.committee_reference,
        submitted_on=body.submitted_on or command.today,
        external_id=body.external_id,
        borrower_external_id=body.borrower.external_id,
    )


def _submit(body: SubmitLoan, command: Command) -> SubmittedLoanOut:
    loan, schedule = loans.submit(command, _submission(body, command))
    return SubmittedLoanOut.of(loan, schedule=installments(schedule), total_interest=schedule.total_interest)


@router.post(
    "/loans",
    status_code=201,
    response_model=SubmittedLoanOut,
    summary="Submit a co-financed credit: priced at the reference rate, with schedule and aid",
    responses=PROBLEM_RESPONSES,
)
@served_on_event_loop
def submit_loan(
    body: SubmitLoan, request: Request, principal: Submitters, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: _submit(body, command),
        status_code=201,
        location=lambda stored: f"/loans/{stored.field('id')}",
    )


@router.post(
    "/loans/{loan_id}/approval",
    response_model=LoanOut,
    summary="Approve (four eyes): reserve the SIFO share on a drawing right and the aid on the register",
    responses=PROBLEM_RESPONSES,
)
def approve_loan(
    loan_id: str, body: ApproveLoan, request: Request, principal: Approvers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: LoanOut.of(loans.approve(command, loan_id, body.drawing_right_id)),
    )


@router.post("/loans/{loan_id}/rejection", response_model=LoanOut, responses=PROBLEM_RESPONSES)
def reject_loan(
    loan_id: str, body: RejectLoan, request: Request, principal: Approvers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: LoanOut.of(loans.reject(command, loan_id, body.rejected_on or command.today, body.reason)),
    )


@router.get("/loans/{loan_id}", response_model=LoanOut, responses=PROBLEM_RESPONSES)
@served_on_event_loop
def get_loan(loan_id: str, request: Request, principal: Anyone) -> LoanOut:
    return read(request, principal, lambda command: LoanOut.of(loans.visible_loan(command, loan_id)))


@router.get("/loans", response_model=Page[LoanOut], responses=PROBLEM_RESPONSES)
def list_loans(
    request: Request,
    principal: Anyone,
    window: Window,
    status: LoanStatus | None = None,
    external_id: ExternalIdFilter = None,
    financier_id: str | None = None,
    enterprise_number: Annotated[EnterpriseNumber | None, Query(description="the borrower's, any spelling")] = None,
) -> Page[LoanOut]:
    having = LoanFilter(status, external_id, financier_id, enterprise_number)
    return read(
        request, principal, lambda command: window.page(loans.list_visible_loans(command, having, window), LoanOut.of)
    )
