"""How HTTP requests become register commands: one transaction each."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session

from shared.contracts.topics import STATE_AID_EVENTS
from shared.platform.auth import Principal, Role
from shared.platform.event_loop_endpoints import engine_for
from shared.platform.idempotency import Answer, StoredResponse, idempotent_response

from services.state_aid.service.context import Command

T = TypeVar("T")
READERS = (Role.SERVICE, Role.FUND_MANAGER, Role.APPROVER, Role.BACKOFFICE, Role.AUDITOR)


def command_for(request: Request, session: Session, principal: Principal) -> Command:
    state = request.app.state
    return Command(
        session=session,
        principal=principal,
        topic=state.settings.topic(STATE_AID_EVENTS),
        policy=state.policy,
        clock=state.clock,
    )


def execute(
    request: Request,
    principal: Principal,
    idempotency_key: str | None,
    body: BaseModel | None,
    action: Callable[[Command], BaseModel],
    status_code: int = 201,
    location: Callable[[StoredResponse], str] | None = None,
) -> JSONResponse:
    def run(session: Session) -> tuple[int, Answer]:
        return status_code, action(command_for(request, session, principal))

    return idempotent_response(request, principal, idempotency_key, body, run, location)


def read(request: Request, principal: Principal, query: Callable[[Command], T]) -> T:
    with Session(engine_for(request)) as session:
        return query(command_for(request, session, principal))
