"""How HTTP requests become commands: one transaction each, idempotent when a key is sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session

from shared.contracts.topics import SIFO_EVENTS
from shared.platform.auth import Principal
from shared.platform.event_loop_endpoints import engine_for
from shared.platform.idempotency import Answer, StoredResponse, idempotent_response
from shared.servicing.decisions import Decision
from shared.servicing.schemas import DecisionOut

from services.sifo.service.context import Command

T = TypeVar("T")


def command_for(request: Request, session: Session, principal: Principal) -> Command:
    state = request.app.state
    return Command(
        session=session,
        principal=principal,
        topic=state.settings.topic(SIFO_EVENTS),
        policy=state.policy,
        debtor=state.operations.settings.debtor,
        clock=state.clock,
        aid_client=state.aid_register,
    )


def execute(
    request: Request,
    principal: Principal,
    idempotency_key: str | None,
    body: BaseModel | None,
    action: Callable[[Command], BaseModel],
    status_code: int = 200,
    location: Callable[[StoredResponse], str] | None = None,
) -> JSONResponse:
    """Run `action` in one transaction (replaying a stored response for a repeated key)."""

    def run(session: Session) -> tuple[int, Answer]:
        return status_code, action(command_for(request, session, principal))

    return idempotent_response(request, principal, idempotency_key, body, run, location)


def read(request: Request, principal: Principal, query: Callable[[Command], T]) -> T:
    """Run a read-only query in its own session."""
    with Session(engine_for(request)) as session:
        return query(command_for(request, session, principal))


def prepare(
    request: Request,
    principal: Principal,
    idempotency_key: str | None,
    body: BaseModel,
    action: Callable[[Command], Decision],
) -> JSONResponse:
    """Prepare a four-eyes decision: 201 with the decision a person other than the caller decides."""
    return execute(
        request, principal, idempotency_key, body, lambda command: DecisionOut.of(action(command)), status_code=201
    )
