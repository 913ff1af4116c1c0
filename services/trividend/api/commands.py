"""How HTTP requests become Trividend commands: one transaction each, idempotent when a key is sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session

from shared.contracts.topics import TRIVIDEND_EVENTS
from shared.platform.auth import Principal
from shared.platform.event_loop_endpoints import engine_for
from shared.platform.idempotency import Answer, idempotent_response

from services.trividend.service.context import Command

T = TypeVar("T")
Outcome = tuple[int, Answer]


def command_for(request: Request, session: Session, principal: Principal) -> Command:
    state = request.app.state
    return Command(
        session=session,
        principal=principal,
        topic=state.settings.topic(TRIVIDEND_EVENTS),
        clock=state.clock,
        loans=state.loans,
        reporting=state.reporting,
        aid_client=state.aid_register,
        debtor=state.operations.settings.debtor,
    )


def execute(
    request: Request,
    principal: Principal,
    idempotency_key: str | None,
    body: BaseModel | None,
    action: Callable[[Command], Outcome],
) -> JSONResponse:
    """Run `action` in one transaction; its status and body are stored for a repeated key."""

    def run(session: Session) -> tuple[int, Answer]:
        return action(command_for(request, session, principal))

    return idempotent_response(request, principal, idempotency_key, body, run)


def read(request: Request, principal: Principal, query: Callable[[Command], T]) -> T:
    with Session(engine_for(request)) as session:
        return query(command_for(request, session, principal))
