"""Recognised financiers: register, suspend, end, read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from shared.platform.auth import Principal, Role, require_roles
from shared.platform.days import Day
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IDEMPOTENCY_HEADER, IdempotencyKey
from shared.platform.identifiers import EnterpriseNumber, Iban
from shared.platform.list_window import Window
from shared.platform.paging import Page

from services.sifo.api.commands import execute, read
from services.sifo.api.schemas import EndRecognition, SuspendFinancier
from services.sifo.domain.financiers import FinancierRegistration, RecognitionPeriod
from services.sifo.models import SifoFinancier
from services.sifo.service import financiers

router = APIRouter(tags=["financiers"])
Managers = Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER))]
Anyone = Annotated[Principal, Depends(require_roles(*Role))]


class RegisterFinancier(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "enterprise_number": "0403.170.701",
                    "name": "Hefboom cvba",
                    "iban": "BE68 5390 0754 7034",
                    "recognised_from": "2026-01-01",
                    "recognised_until": "2030-12-31",
                }
            ]
        },
    )

    enterprise_number: EnterpriseNumber = Field(description="KBO/BCE number, 10 digits with mod-97 check")
    name: str = Field(min_length=1, max_length=200)
    iban: Iban = Field(description="account for disbursements, validated IBAN")
    recognised_from: Day
    recognised_until: Day | None = Field(default=None, description="last day of recognition; open-ended if absent")


class FinancierOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "6f1c2a4e-1f0b-4d5e-9a43-0c8c1f6a2b11",
                    "enterprise_number": "0403170701",
                    "name": "Hefboom cvba",
                    "iban": "BE68539007547034",
                    "recognised_from": "2026-01-01",
                    "recognised_until": "2030-12-31",
                    "status": "recognised",
                    "suspended_from": None,
                    "created_at": "2026-11-29T10:00:00Z",
                    "created_by": "alice@pmv.example",
                    "updated_at": "2026-11-29T10:00:00Z",
                }
            ]
        },
    )

    id: str
    enterprise_number: str
    name: str
    iban: str
    recognised_from: date
    recognised_until: date | None
    status: str
    suspended_from: date | None
    created_at: datetime
    created_by: str
    updated_at: datetime


@router.post(
    "/financiers",
    status_code=201,
    response_model=FinancierOut,
    summary="Recognise a financier",
    description=f"Registers a recognised financier and publishes `sifo.financier.recognised.v1`. "
    f"Send an `{IDEMPOTENCY_HEADER}` to make retries safe.",
    responses={**PROBLEM_RESPONSES, 201: {"description": "Registered"}},
)
def register_financier(
    body: RegisterFinancier, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    registration = FinancierRegistration(
        enterprise_number=body.enterprise_number,
        name=body.name,
        iban=body.iban,
        recognition=RecognitionPeriod(body.recognised_from, body.recognised_until),
    )
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: FinancierOut.model_validate(financiers.register_financier(command, registration)),
        status_code=201,
        location=lambda stored: f"/financiers/{stored.field('id')}",
    )


@router.post(
    "/financiers/{financier_id}/suspension",
    response_model=FinancierOut,
    summary="Suspend a financier: no new drawings from the given date",
    responses=PROBLEM_RESPONSES,
)
def suspend_financier(
    financier_id: str,
    body: SuspendFinancier,
    request: Request,
    principal: Managers,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: FinancierOut.model_validate(
            financiers.suspend_financier(command, financier_id, body.suspended_from, body.reason)
        ),
    )


@router.post(
    "/financiers/{financier_id}/end",
    response_model=FinancierOut,
    summary="End a recognition: no new drawings after the given date",
    responses=PROBLEM_RESPONSES,
)
def end_recognition(
    financier_id: str,
    body: EndRecognition,
    request: Request,
    principal: Managers,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: FinancierOut.model_validate(
            financiers.end_recognition(command, financier_id, body.ended_on, body.reason)
        ),
    )


@router.get("/financiers/{financier_id}", response_model=FinancierOut, responses=PROBLEM_RESPONSES)
def get_financier(financier_id: str, request: Request, principal: Anyone) -> SifoFinancier:
    return read(request, principal, lambda command: financiers.visible_financier(command, financier_id))


@router.get("/financiers", response_model=Page[FinancierOut], responses=PROBLEM_RESPONSES)
def list_financiers(request: Request, principal: Anyone, window: Window) -> Page[FinancierOut]:
    return read(
        request,
        principal,
        lambda command: window.page(financiers.list_visible_financiers(command, window), FinancierOut.model_validate),
    )
