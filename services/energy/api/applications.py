"""Applications: submission, assessment, approval, payout and cancellation; four-eyes decisions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse

from shared.platform.auth import Principal, Role, require_roles
from shared.platform.days import Day
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.external_ids import ExternalIdFilter
from shared.platform.idempotency import IdempotencyKey
from shared.platform.identifiers import EnterpriseNumber
from shared.platform.list_window import Window
from shared.platform.paging import Page
from shared.platform.request_context import current_request_id
from shared.servicing.decision_inbox import add_decision_inbox
from shared.servicing.schemas import CancellationIn, RejectDecisionIn

from services.energy.api.commands import Outcome, execute, read
from services.energy.api.schemas import (
    ApplicationOut,
    Approve,
    AssessmentOut,
    EnergyDecisionOut,
    InstallationIn,
    PrepareDisbursement,
    Reject,
    SubmitApplication,
)
from services.energy.domain.installations import Installation
from services.energy.models import EnergyDecision
from services.energy.service import applications, loans
from services.energy.service.context import Command

NO_REASON = RejectDecisionIn()
ApplicationStatus = Literal["submitted", "approved", "wait_listed", "rejected", "disbursed", "cancelled"]
router = APIRouter(tags=["applications"])
Managers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER))]
Approvers = Annotated[Principal, Depends(require_roles(Role.APPROVER))]
Preparers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER, Role.BACKOFFICE))]
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
        external_id=body.external_id,
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
def submit_application(
    body: SubmitApplication, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return execute(request, principal, idempotency_key, body, lambda command: _submit(command, body))


@router.get("/applications/{application_id}", response_model=ApplicationOut, responses=PROBLEM_RESPONSES)
def get_application(application_id: str, request: Request, principal: Staff) -> ApplicationOut:
    return read(request, principal, lambda command: _out(command, application_id))


@router.get(
    "/applications/{application_id}/assessment",
    response_model=AssessmentOut,
    responses=PROBLEM_RESPONSES,
    summary="Schedule, yearly debt service, savings coverage, payback, CO2, aid and de minimis headroom",
)
def get_assessment(application_id: str, request: Request, principal: Staff, on: Day | None = None) -> AssessmentOut:
    def query(command: Command) -> AssessmentOut:
        row = applications.get_application(command, application_id)
        return AssessmentOut.model_validate(applications.assessment(command, row, on or command.today).to_json())

    return read(request, principal, query)


def _approve(command: Command, request: Request, application_id: str, body: Approve) -> Outcome:
    decision = applications.approve(command, application_id, body.wait_list_if_short)
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
def approve_application(
    application_id: str, body: Approve, request: Request, principal: Approvers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return execute(
        request, principal, idempotency_key, body, lambda command: _approve(command, request, application_id, body)
    )


@router.post("/applications/{application_id}/rejection", response_model=ApplicationOut, responses=PROBLEM_RESPONSES)
def reject_application(
    application_id: str, body: Reject, request: Request, principal: Approvers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        applications.reject(command, application_id, body.rejected_on or command.today, body.reason)
        return 200, _out(command, application_id)

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/applications/{application_id}/disbursement",
    status_code=201,
    response_model=EnergyDecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Prepare the payout after delivery (another person approves)",
)
def prepare_disbursement(
    application_id: str,
    body: PrepareDisbursement,
    request: Request,
    principal: Preparers,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        decision = loans.prepare_disbursement(
            command,
            application_id,
            body.delivery_date,
            body.final_invoice_amount,
            body.disbursed_on,
            body.iban,
            body.iban_reason,
            body.first_due_date,
        )
        return 201, EnergyDecisionOut.of(decision)

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/applications/{application_id}/cancellation",
    status_code=201,
    response_model=EnergyDecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Prepare the cancellation of an approved application that will not be paid out (four eyes)",
)
def prepare_cancellation(
    application_id: str,
    body: CancellationIn,
    request: Request,
    principal: Preparers,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        decision = loans.prepare_cancellation(command, application_id, body.cancelled_on, body.reason)
        return 201, EnergyDecisionOut.of(decision)

    return execute(request, principal, idempotency_key, body, action)


@router.get(
    "/applications/{application_id}/decisions", response_model=Page[EnergyDecisionOut], responses=PROBLEM_RESPONSES
)
def list_decisions(application_id: str, request: Request, principal: Staff) -> Page[EnergyDecisionOut]:
    return read(
        request,
        principal,
        lambda command: Page.whole([EnergyDecisionOut.of(row) for row in loans.decisions_of(command, application_id)]),
    )


@router.post(
    "/decisions/{decision_id}/approval",
    response_model=EnergyDecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Approve a prepared decision; the preparer may not approve it",
)
def approve_decision(
    decision_id: str, request: Request, principal: Approvers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        None,
        lambda command: (200, EnergyDecisionOut.of(loans.approve_decision(command, decision_id))),
    )


@router.post(
    "/decisions/{decision_id}/rejection",
    response_model=EnergyDecisionOut,
    responses=PROBLEM_RESPONSES,
    summary="Reject a prepared decision (nothing happens); the preparer may not reject it",
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
        lambda command: (
            200,
            EnergyDecisionOut.of(loans.reject_decision(command, decision_id, body.reason)),
        ),
    )


@router.get(
    "/applications",
    response_model=Page[ApplicationOut],
    responses=PROBLEM_RESPONSES,
    summary="Applications in the order they were submitted unless sorted otherwise, by status, call, applicant "
    "or enterprise number",
)
def list_applications(
    request: Request,
    principal: Staff,
    window: Window,
    status: ApplicationStatus | None = None,
    call_id: str | None = None,
    applicant_id: str | None = None,
    enterprise_number: Annotated[EnterpriseNumber | None, Query()] = None,
    external_id: ExternalIdFilter = None,
) -> Page[ApplicationOut]:
    def page(command: Command) -> Page[ApplicationOut]:
        found = applications.list_applications(
            command,
            status=status,
            call_id=call_id,
            applicant_id=applicant_id,
            enterprise_number=enterprise_number,
            window=window,
            external_id=external_id,
        )
        return window.page(
            found, lambda pair: ApplicationOut.of(*pair), stamp=lambda pair: (pair[0].updated_at, pair[0].id)
        )

    return read(request, principal, page)


add_decision_inbox(
    router,
    table=EnergyDecision,
    roles=(Role.FUND_MANAGER, Role.APPROVER, Role.BACKOFFICE, Role.AUDITOR, Role.JOB),
    read=read,
    out=EnergyDecisionOut,
)
