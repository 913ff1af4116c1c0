"""Participations: tranches, dividends, exits (four eyes), and the holding on any date."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from shared.platform.days import Day
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IdempotencyKey

from services.trividend.api.access import Bookers, Deciders, Managers, Readers
from services.trividend.api.commands import Outcome, execute, read
from services.trividend.api.schemas import (
    Decide,
    Dividend,
    ExitOut,
    MovementOut,
    ParticipationOut,
    PrepareExit,
    Reject,
    Tranche,
)
from services.trividend.domain.holdings import ownership
from services.trividend.service import equity
from services.trividend.service.context import Command
from services.trividend.service.investees import shares_outstanding_on

router = APIRouter(tags=["equity"])


def participation_out(command: Command, participation_id: str, on: Day | None = None) -> ParticipationOut:
    row = equity.participation(command, participation_id)
    day = on or command.today
    held = equity.holding_on(command, participation_id, day)
    outstanding = shares_outstanding_on(command, row.investee_id, day)
    return ParticipationOut(
        id=row.id,
        investee_id=row.investee_id,
        status=row.status,
        committed=row.committed,
        opened_on=row.opened_on,
        as_of=day,
        shares_held=held.shares_held,
        shares_outstanding=outstanding,
        ownership=ownership(held.shares_held, outstanding),
        cost=held.cost,
        invested=held.invested,
        proceeds=held.proceeds,
        dividends=held.dividends,
        realised_gain=held.realised_gain,
        movements=[MovementOut.model_validate(item) for item in equity.movements(command, participation_id)],
    )


@router.get(
    "/participations/{participation_id}",
    response_model=ParticipationOut,
    responses=PROBLEM_RESPONSES,
    summary="A participation at the end of a day (today by default): shares, ownership, cost, realised gain",
)
def get_participation(
    participation_id: str, request: Request, principal: Readers, on: Annotated[Day | None, Query()] = None
) -> ParticipationOut:
    return read(request, principal, lambda command: participation_out(command, participation_id, on))


@router.post(
    "/participations/{participation_id}/tranches",
    status_code=201,
    response_model=ParticipationOut,
    responses=PROBLEM_RESPONSES,
    summary="Pay in a tranche: shares bought at a price, within the committed amount",
)
def record_pay_in(
    participation_id: str, body: Tranche, request: Request, principal: Bookers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        equity.invest(command, participation_id, body.on, body.shares, body.price_per_share, body.amount)
        return 201, participation_out(command, participation_id, body.on)

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/participations/{participation_id}/dividends",
    status_code=201,
    response_model=ParticipationOut,
    responses=PROBLEM_RESPONSES,
    summary="Book a dividend received",
)
def record_dividend(
    participation_id: str, body: Dividend, request: Request, principal: Bookers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        equity.receive_dividend(command, participation_id, body.on, body.amount)
        return 201, participation_out(command, participation_id, body.on)

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/participations/{participation_id}/exits",
    status_code=201,
    response_model=ExitOut,
    responses=PROBLEM_RESPONSES,
    summary="Prepare a partial or full exit; another person approves it",
)
def prepare_exit(
    participation_id: str,
    body: PrepareExit,
    request: Request,
    principal: Managers,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        row = equity.prepare_exit(command, participation_id, body.on, body.shares_sold, body.proceeds)
        return 201, ExitOut.model_validate(row)

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/exits/{exit_id}/approval",
    response_model=ExitOut,
    responses=PROBLEM_RESPONSES,
    summary="Approve an exit prepared by someone else; the sale is booked at average cost",
)
def approve_exit(
    exit_id: str, body: Decide, request: Request, principal: Deciders, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        return 200, ExitOut.model_validate(equity.decide_exit(command, exit_id, True, body.reason))

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/exits/{exit_id}/rejection", response_model=ExitOut, responses=PROBLEM_RESPONSES, summary="Reject a prepared exit"
)
def reject_exit(
    exit_id: str, body: Reject, request: Request, principal: Deciders, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        return 200, ExitOut.model_validate(equity.decide_exit(command, exit_id, False, body.reason))

    return execute(request, principal, idempotency_key, body, action)
