"""Reservations by lenders (and historic grants by staff), declarations of other providers' aid."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse

from shared.contracts.state_aid import REFERENCE_PATTERN, ReservationRequest, ReservationV1
from shared.platform.audit import acting_as
from shared.platform.auth import Principal, Role, require_roles
from shared.platform.database import transaction
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.event_loop_endpoints import engine_for
from shared.platform.idempotency import IdempotencyKey

from services.state_aid import events
from services.state_aid.api.commands import READERS, command_for, execute, read
from services.state_aid.api.schemas import DeclareAid
from services.state_aid.service import measures

router = APIRouter(tags=["reservations"])
Reservers = Annotated[Principal, Depends(require_roles(Role.SERVICE, Role.BACKOFFICE))]
Staff = Annotated[Principal, Depends(require_roles(Role.BACKOFFICE))]
Readers = Annotated[Principal, Depends(require_roles(*READERS))]
Reference = Annotated[str, Path(pattern=REFERENCE_PATTERN)]


@router.post(
    "/reservations",
    response_model=ReservationV1,
    status_code=201,
    responses={
        **PROBLEM_RESPONSES,
        200: {"model": ReservationV1, "description": "The reference was reserved before: that reservation"},
    },
    summary="Reserve the gross grant equivalent of a grant (409 with the headroom when it does not fit)",
)
def reserve_aid(request: Request, body: ReservationRequest, principal: Reservers) -> JSONResponse:
    with acting_as(principal.subject), transaction(engine_for(request)) as session:
        row, created = measures.reserve(command_for(request, session, principal), body)
        payload = events.reservation_of(row).model_dump(mode="json")
    return JSONResponse(
        payload, status_code=201 if created else 200, headers={"Location": f"/reservations/{row.reference}"}
    )


@router.get(
    "/reservations/{reference}",
    response_model=ReservationV1,
    responses=PROBLEM_RESPONSES,
    summary="A measure by the reference it was reserved or declared with",
)
def get_reservation(request: Request, reference: Reference, principal: Readers) -> ReservationV1:
    return read(request, principal, lambda command: events.reservation_of(measures.measure(command.session, reference)))


@router.post(
    "/declarations",
    response_model=ReservationV1,
    status_code=201,
    responses=PROBLEM_RESPONSES,
    summary="Record de minimis aid the enterprise declared from another provider",
)
def declare_other_aid(
    request: Request,
    body: DeclareAid,
    principal: Staff,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    declaration = measures.Declaration(
        enterprise_number=body.enterprise_number,
        provider=body.provider,
        gge=body.gge,
        grant_date=body.grant_date,
        legal_basis=body.legal_basis,
        reference=body.reference,
    )
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: events.reservation_of(measures.declare(command, declaration)[0]),
        location=lambda stored: f"/reservations/{stored.field('reference')}",
    )
