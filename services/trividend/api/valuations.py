"""Valuations (four eyes), closed quarters, and performance on any date."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from shared.platform.days import Day
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IdempotencyKey
from shared.platform.paging import Page
from shared.platform.quarters import QUARTER_PATTERN

from services.trividend.api.access import Committee, Deciders, Managers, Readers
from services.trividend.api.commands import Outcome, execute, read
from services.trividend.api.schemas import (
    ClosedQuarterOut,
    Decide,
    PerformanceOut,
    PrepareValuation,
    Reject,
    ValuationOut,
)
from services.trividend.service import performance, valuations
from services.trividend.service.context import Command

router = APIRouter(tags=["valuations"])


@router.post(
    "/participations/{participation_id}/valuations",
    status_code=201,
    response_model=ValuationOut,
    responses=PROBLEM_RESPONSES,
    summary="Prepare a valuation at a quarter's last day (IPEV method); another person approves it",
)
def prepare_valuation(
    participation_id: str,
    body: PrepareValuation,
    request: Request,
    principal: Managers,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        row = valuations.prepare_valuation(
            command,
            participation_id,
            body.quarter,
            body.fair_value,
            body.method,
            body.rationale,
            body.reason,
            body.corrects,
        )
        return 201, ValuationOut.model_validate(row)

    return execute(request, principal, idempotency_key, body, action)


@router.get(
    "/participations/{participation_id}/valuations",
    response_model=Page[ValuationOut],
    responses=PROBLEM_RESPONSES,
    summary="Every valuation of a participation, the history kept",
)
def list_valuations(participation_id: str, request: Request, principal: Readers) -> Page[ValuationOut]:
    rows = read(request, principal, lambda command: valuations.valuations(command, participation_id))
    return Page.whole([ValuationOut.model_validate(row) for row in rows])


@router.post(
    "/valuations/{valuation_id}/approval",
    response_model=ValuationOut,
    responses=PROBLEM_RESPONSES,
    summary="Approve a valuation",
)
def approve_valuation(
    valuation_id: str, body: Decide, request: Request, principal: Deciders, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        return 200, ValuationOut.model_validate(valuations.decide_valuation(command, valuation_id, True, body.reason))

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/valuations/{valuation_id}/rejection",
    response_model=ValuationOut,
    responses=PROBLEM_RESPONSES,
    summary="Reject a valuation",
)
def reject_valuation(
    valuation_id: str, body: Reject, request: Request, principal: Deciders, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        return 200, ValuationOut.model_validate(valuations.decide_valuation(command, valuation_id, False, body.reason))

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/quarters/{quarter}/close",
    status_code=201,
    response_model=ClosedQuarterOut,
    responses=PROBLEM_RESPONSES,
    summary="Close an ended quarter: its valuations are never rewritten",
)
def close_valuation_round(
    quarter: Annotated[str, Path(pattern=QUARTER_PATTERN)],
    request: Request,
    principal: Committee,
    idempotency_key: IdempotencyKey,
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        return 201, ClosedQuarterOut.model_validate(valuations.close_quarter(command, quarter))

    return execute(request, principal, idempotency_key, None, action)


@router.get(
    "/participations/{participation_id}/performance",
    response_model=PerformanceOut,
    responses=PROBLEM_RESPONSES,
    summary="A participation's performance at the end of a day: invested, realised, income, value, multiples, XIRR",
)
def participation_performance(
    participation_id: str, request: Request, principal: Readers, on: Annotated[Day | None, Query()] = None
) -> PerformanceOut:
    def query(command: Command) -> PerformanceOut:
        return PerformanceOut.of(performance.participation_performance(command, participation_id, _day(command, on)))

    return read(request, principal, query)


@router.get(
    "/fund/performance",
    response_model=PerformanceOut,
    responses=PROBLEM_RESPONSES,
    summary="The fund's performance at the end of a day, every participation together",
)
def fund_performance(request: Request, principal: Readers, on: Annotated[Day | None, Query()] = None) -> PerformanceOut:
    return read(
        request, principal, lambda command: PerformanceOut.of(performance.fund_performance(command, _day(command, on)))
    )


def _day(command: Command, on: Day | None) -> date:
    return on or command.today
