"""Single undertakings: their links, headroom and measures."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from shared.contracts.state_aid import HeadroomV1
from shared.platform.auth import Principal, Role, require_roles
from shared.platform.days import Day
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IdempotencyKey
from shared.platform.identifiers import normalise_enterprise_number
from shared.platform.rules import RuleViolation

from services.state_aid import events
from services.state_aid.api.commands import READERS, execute, read
from services.state_aid.api.schemas import LinkOut, RecordLink, UndertakingOut, headroom_out
from services.state_aid.domain.measures import legal_basis
from services.state_aid.service import measures, undertakings
from services.state_aid.service.context import Command

router = APIRouter(tags=["undertakings"])
Staff = Annotated[Principal, Depends(require_roles(Role.BACKOFFICE))]
Readers = Annotated[Principal, Depends(require_roles(*READERS))]
EnterpriseInPath = Annotated[str, Path(min_length=10, max_length=16, examples=["0403170701"])]
OnQuery = Annotated[Day | None, Query(description="the date a new grant would be made; today if absent")]


def _enterprise(value: str) -> str:
    try:
        return normalise_enterprise_number(value)
    except ValueError as exc:
        raise RuleViolation("enterprise_number", str(exc)) from None


def _headroom(command: Command, enterprise_number: str, on: Day | None) -> HeadroomV1:
    day = on or command.today
    figures = measures.headroom(command.session, enterprise_number, day, command.now)
    return headroom_out(figures, legal_basis(day))


@router.get(
    "/undertakings/{enterprise_number}/headroom",
    response_model=HeadroomV1,
    responses=PROBLEM_RESPONSES,
    summary="What a new grant to the enterprise's single undertaking on a date may still carry",
)
def get_headroom(
    request: Request, enterprise_number: EnterpriseInPath, principal: Readers, on: OnQuery = None
) -> HeadroomV1:
    number = _enterprise(enterprise_number)
    return read(request, principal, lambda command: _headroom(command, number, on))


@router.get(
    "/undertakings/{enterprise_number}",
    response_model=UndertakingOut,
    responses=PROBLEM_RESPONSES,
    summary="The single undertaking of an enterprise: members, links, headroom and every measure",
)
def get_undertaking(
    request: Request, enterprise_number: EnterpriseInPath, principal: Readers, on: OnQuery = None
) -> UndertakingOut:
    number = _enterprise(enterprise_number)

    def query(command: Command) -> UndertakingOut:
        day = on or command.today
        room = _headroom(command, number, day)
        return UndertakingOut(
            enterprise_number=number,
            on=day,
            members=room.undertaking,
            links=[LinkOut.of(row) for row in undertakings.links_involving(command.session, room.undertaking)],
            headroom=room,
            measures=[events.reservation_of(row) for row in measures.measures_of(command.session, room.undertaking)],
        )

    return read(request, principal, query)


@router.post(
    "/undertakings/{enterprise_number}/links",
    response_model=LinkOut,
    status_code=201,
    responses=PROBLEM_RESPONSES,
    summary="Record that another enterprise is under common control with this one for a period",
)
def record_link(
    request: Request,
    enterprise_number: EnterpriseInPath,
    body: RecordLink,
    principal: Staff,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    number = _enterprise(enterprise_number)
    return execute(
        request,
        principal,
        idempotency_key,
        body,
        lambda command: LinkOut.of(
            undertakings.record_link(
                command, number, body.linked_enterprise_number, body.valid_from, body.valid_until, body.reason
            )
        ),
    )
