"""SIFO HTTP API: parse, authorise, call the use case, render. No rules live here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from shared.platform.auth import Principal, Role, require_roles
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IDEMPOTENCY_HEADER, request_fingerprint, run_idempotent
from shared.platform.identifiers import EnterpriseNumber, Iban

from services.sifo import service
from services.sifo.domain import FinancierRegistration, RecognitionPeriod
from services.sifo.models import SifoFinancier

router = APIRouter(tags=["financiers"])


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
    recognised_from: date
    recognised_until: date | None = Field(default=None, description="last day of recognition; open-ended if absent")


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
                    "created_at": "2026-11-29T10:00:00Z",
                    "created_by": "alice@pmv.example",
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
    created_at: datetime
    created_by: str


def _session(request: Request) -> Session:
    return Session(request.app.state.engine)


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
    body: RegisterFinancier,
    request: Request,
    principal: Annotated[Principal, Depends(require_roles(Role.FUND_MANAGER))],
    idempotency_key: Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER)] = None,
) -> JSONResponse:
    registration = FinancierRegistration(
        enterprise_number=body.enterprise_number,
        name=body.name,
        iban=body.iban,
        recognition=RecognitionPeriod(body.recognised_from, body.recognised_until),
    )
    prefix = request.app.state.settings.topic_prefix

    def action(session: Session) -> tuple[int, object]:
        financier = service.register_financier(session, registration, principal.subject, prefix)
        return 201, FinancierOut.model_validate(financier).model_dump(mode="json")

    stored = run_idempotent(
        request.app.state.engine,
        principal.subject,
        idempotency_key,
        request_fingerprint("POST", request.url.path, body.model_dump(mode="json")),
        action,
    )
    headers = {"Idempotent-Replayed": "true"} if stored.replayed else {}
    if isinstance(stored.body, dict):
        headers["Location"] = f"/financiers/{stored.body['id']}"
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)


@router.get("/financiers/{financier_id}", response_model=FinancierOut, responses=PROBLEM_RESPONSES)
def get_financier(
    financier_id: str,
    session: Annotated[Session, Depends(_session)],
    principal: Annotated[Principal, Depends(require_roles(*Role))],
) -> SifoFinancier:
    with session:
        return service.visible_financier(session, financier_id, principal)


@router.get("/financiers", response_model=list[FinancierOut], responses=PROBLEM_RESPONSES)
def list_financiers(
    session: Annotated[Session, Depends(_session)],
    principal: Annotated[Principal, Depends(require_roles(*Role))],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[SifoFinancier]:
    with session:
        return service.list_visible_financiers(session, principal, limit, offset)
