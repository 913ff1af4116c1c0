"""Applications, decisions (four eyes), and loans with their servicing."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from shared.amortisation.terms import Frequency, LoanTerms
from shared.platform.auth import Principal, Role, require_roles
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IDEMPOTENCY_HEADER
from shared.platform.request_context import current_request_id

from services.energy.api.commands import Outcome, execute, read
from services.energy.api.schemas import (
    ApplicationOut,
    Approve,
    DecisionOut,
    InstallationIn,
    PrepareDisbursement,
    PrepaymentIn,
    Reject,
    RepaymentIn,
    RestructureIn,
    SubmitApplication,
    WriteOffIn,
)
from services.energy.domain.installations import Installation
from services.energy.service import applications, loans
from services.energy.service.context import Command

router = APIRouter(tags=["applications and loans"])
IdempotencyKey = Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER)]
Managers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER))]
Approvers = Annotated[Principal, Depends(require_roles(Role.APPROVER))]
Preparers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER, Role.BACKOFFICE))]
Collectors = Annotated[Principal, Depends(require_roles(Role.BACKOFFICE, Role.JOB, Role.FUND_MANAGER))]
Staff = Annotated[
    Principal, Depends(require_roles(Role.FUND_MANAGER, Role.APPROVER, Role.BACKOFFICE, Role.AUDITOR, Role.JOB))
]


def _installation(item: InstallationIn) -> Installation:
    return Installation(
        technology=item.technology,
        capacity=item.capacity,
        unit=item.unit,
        investment_cost=item.investment_cost,
        yearly_production_kwh=item.yearly_production_kwh,
        yearly_savings_eur=item.yearly_savings_eur,
        seasonal_cop=item.seasonal_cop,
        hot_water_share=item.hot_water_share,
    )


def _out(command: Command, application_id: str) -> ApplicationOut:
    row = applications.get_application(command, application_id)
    return ApplicationOut.of(row, applications.installations_of(command, row.id))


def _submit(command: Command, body: SubmitApplication) -> Outcome:
    request = applications.ApplicationRequest(
        call_id=body.call_id,
        applicant_id=body.applicant_id,
        site_id=body.site_id,
        requested_amount=body.requested_amount,
        installations=[_installation(item) for item in body.installations],
        documents=body.documents,
        rating=body.rating,
        collateral=body.collateral,
        submitted_on=body.submitted_on or command.today,
    )
    row, installations = applications.submit(command, request)
    return 201, ApplicationOut.of(row, installations)


@router.post(
    "/applications",
    status_code=201,
    response_model=ApplicationOut,
    responses=PROBLEM_RESPONSES,
    summary="Submit an application; plausibility warnings are returned with it",
)
def submit(
    body: SubmitApplication, request: Request, principal: Managers, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return execute(request, principal, idempotency_key, body, lambda command: _submit(command, body))


@router.get("/applications/{application_id}", response_model=ApplicationOut, responses=PROBLEM_RESPONSES)
def get_application(application_id: str, request: Request, principal: Staff) -> ApplicationOut:
    return read(request, principal, lambda command: _out(command, application_id))


@router.get(
    "/applications/{application_id}/assessment",
    responses=PROBLEM_RESPONSES,
    summary="Schedule, yearly debt service, savings coverage, payback, CO2, aid and de minimis headroom",
)
def get_assessment(application_id: str, request: Request, principal: Staff, on: date | None = None) -> dict[str, Any]:
    def query(command: Command) -> dict[str, Any]:
        row = applications.get_application(command, application_id)
        return applications.assessment(command, row, on or command.today).to_json()

    return read(request, principal, query)


def _approve(command: Command, request: Request, application_id: str, body: Approve) -> Outcome:
    decision = applications.approve(command, application_id, body.approved_on or command.today, body.wait_list_if_short)
    if decision.committed:
        return 200, _out(command, application_id)
    row = decision.application
    return 409, {
        "type": "/problems/conflict",
        "title": "Not enough budget",
        "status": 409,
        "detail": f"the budget year has {decision.available} available; {row.requested_amount} cannot be committed; "
        "the application is on the waiting list",
        "instance": request.url.path,
        "request_id": current_request_id.get(),
        "available": str(decision.available),
        "requested": str(row.requested_amount),
        "wait_listed": True,
    }


@router.post(
    "/applications/{application_id}/approval",
    response_model=ApplicationOut,
    responses=PROBLEM_RESPONSES,
    summary="Approve (four eyes): commit budget, or 409 with the available amount and a waiting-list place",
)
def approve(
    application_id: str, body: Approve, request: Request, principal: Approvers, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return execute(
        request, principal, idempotency_key, body, lambda command: _approve(command, request, application_id, body)
    )


@router.post("/applications/{application_id}/rejection", response_model=ApplicationOut, responses=PROBLEM_RESPONSES)
def reject(
    application_id: str, body: Reject, request: Request, principal: Approvers, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        applications.reject(command, application_id, body.rejected_on or command.today, body.reason)
        return 200, _out(command, application_id)

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/applications/{application_id}/disbursement",
    status_code=201,
    response_model=DecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Prepare the payout after delivery (another person approves)",
)
def prepare_disbursement(
    application_id: str,
    body: PrepareDisbursement,
    request: Request,
    principal: Preparers,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: (
            201,
            DecisionOut.of(
                loans.prepare_disbursement(
                    command, application_id, body.delivery_date, body.final_invoice_amount, body.disbursed_on, body.iban
                )
            ),
        ),
    )


@router.post("/decisions/{decision_id}/approval", response_model=DecisionOut, responses=PROBLEM_RESPONSES)
def approve_decision(
    decision_id: str, request: Request, principal: Approvers, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        None,
        lambda command: (200, DecisionOut.of(loans.approve_decision(command, decision_id))),
    )


def _loan_view(command: Command, application_id: str, as_of: date | None) -> dict[str, Any]:
    loan = loans.loan_of(command, application_id)
    day = as_of or command.today
    position = loans.position_on(command, loan, day)
    live = loans.segment_at(command, loan, day)
    return {
        "loan_id": loan.id,
        "application_id": application_id,
        "status": loan.status,
        "principal": str(loan.principal),
        "start_date": loan.start_date.isoformat(),
        "as_of": day.isoformat(),
        "outstanding_principal": str(position.outstanding_principal),
        "accrued_interest": str(position.accrued_interest),
        "total_arrears": str(position.total_arrears),
        "days_past_due": position.days_past_due,
        "late_interest": str(position.late_interest),
        "payoff_amount": str(position.payoff_amount),
        "schedule": live.schedule(day).to_json()["installments"],
    }


@router.get(
    "/applications/{application_id}/loan",
    responses=PROBLEM_RESPONSES,
    summary="The loan as of a date: schedule, balance and arrears",
)
def get_loan(application_id: str, request: Request, principal: Staff, as_of: date | None = None) -> dict[str, Any]:
    return read(request, principal, lambda command: _loan_view(command, application_id, as_of))


def _repay(command: Command, application_id: str, body: RepaymentIn) -> Outcome:
    loan = loans.loan_of(command, application_id)
    allocation, position = loans.record_repayment(command, loan.id, body.received_on, body.amount, body.surplus_mode)
    return 201, {
        "late_interest": str(allocation.late_interest),
        "interest": str(allocation.interest),
        "principal": str(allocation.principal),
        "prepayment": str(allocation.prepayment),
        "excess": str(allocation.excess),
        "outstanding_principal": str(position.outstanding_principal),
    }


@router.post("/applications/{application_id}/loan/repayments", status_code=201, responses=PROBLEM_RESPONSES)
def repay(
    application_id: str,
    body: RepaymentIn,
    request: Request,
    principal: Collectors,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    return execute(request, principal, idempotency_key, body, lambda command: _repay(command, application_id, body))


@router.post("/applications/{application_id}/loan/prepayments", status_code=201, responses=PROBLEM_RESPONSES)
def prepay(
    application_id: str,
    body: PrepaymentIn,
    request: Request,
    principal: Collectors,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        loan = loans.loan_of(command, application_id)
        position = loans.record_prepayment(command, loan.id, body.received_on, body.amount, body.mode)
        return 201, {"outstanding_principal": str(position.outstanding_principal)}

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/applications/{application_id}/loan/restructuring",
    status_code=201,
    response_model=DecisionOut,
    responses=PROBLEM_RESPONSES,
)
def prepare_restructuring(
    application_id: str,
    body: RestructureIn,
    request: Request,
    principal: Preparers,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        loan = loans.loan_of(command, application_id)
        terms = LoanTerms(body.principal, body.annual_rate, body.periods, body.effective_on, Frequency(loan.frequency))
        return 201, DecisionOut.of(loans.prepare_restructuring(command, loan.id, body.effective_on, terms))

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/applications/{application_id}/loan/write-off",
    status_code=201,
    response_model=DecisionOut,
    responses=PROBLEM_RESPONSES,
)
def prepare_write_off(
    application_id: str,
    body: WriteOffIn,
    request: Request,
    principal: Preparers,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        loan = loans.loan_of(command, application_id)
        return 201, DecisionOut.of(loans.prepare_write_off(command, loan.id, body.written_off_on, body.reason))

    return execute(request, principal, idempotency_key, body, action)
