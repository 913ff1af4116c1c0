"""Follow-up of investees: board seats, coaching and management support, KPI reports, alerts."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from shared.platform.days import Day
from shared.platform.errors import PROBLEM_RESPONSES
from shared.platform.idempotency import IdempotencyKey
from shared.platform.paging import Page

from services.trividend.api.access import Bookers, Managers, Readers
from services.trividend.api.commands import Outcome, execute, read
from services.trividend.api.schemas import (
    AddBoardSeat,
    AlertOut,
    BoardSeatOut,
    FollowUpOut,
    KpiReportOut,
    RecordSession,
    ReportKpis,
    SessionOut,
)
from services.trividend.service import follow_up, investees
from services.trividend.service.context import Command

router = APIRouter(tags=["follow-up"])


def follow_up_out(command: Command, investee_id: str) -> FollowUpOut:
    sessions = follow_up.sessions(command, investee_id)
    return FollowUpOut(
        investee_id=investee_id,
        board_seats=[BoardSeatOut.model_validate(row) for row in follow_up.seats(command, investee_id)],
        support_sessions=[SessionOut.model_validate(row) for row in sessions],
        support_hours=sum((row.hours for row in sessions), Decimal("0.00")),
        kpi_reports=[KpiReportOut.model_validate(row) for row in follow_up.reports(command, investee_id)],
    )


@router.post(
    "/investees/{investee_id}/board-seats",
    status_code=201,
    response_model=FollowUpOut,
    responses=PROBLEM_RESPONSES,
    summary="Record a board seat (director or observer) Trividend holds",
)
def add_seat(
    investee_id: str, body: AddBoardSeat, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        follow_up.add_board_seat(command, investee_id, body.person, body.role, body.from_date, body.until)
        return 201, follow_up_out(command, investee_id)

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/investees/{investee_id}/support-sessions",
    status_code=201,
    response_model=FollowUpOut,
    responses=PROBLEM_RESPONSES,
    summary="Record a coaching or management-support session (hours, topic)",
)
def record_session(
    investee_id: str, body: RecordSession, request: Request, principal: Managers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        follow_up.record_session(command, investee_id, body.on, body.kind, body.hours, body.topic)
        return 201, follow_up_out(command, investee_id)

    return execute(request, principal, idempotency_key, body, action)


@router.post(
    "/investees/{investee_id}/kpi-reports",
    status_code=201,
    response_model=FollowUpOut,
    responses=PROBLEM_RESPONSES,
    summary="Record a KPI report: target-group VTE, turnover, result, equity for a period",
)
def report_follow_up(
    investee_id: str, body: ReportKpis, request: Request, principal: Bookers, idempotency_key: IdempotencyKey
) -> JSONResponse:
    def action(command: Command) -> Outcome:
        follow_up.record_kpi_report(
            command, investee_id, body.period_end, body.target_group_vte, body.turnover, body.result, body.equity
        )
        return 201, follow_up_out(command, investee_id)

    return execute(request, principal, idempotency_key, body, action)


@router.get(
    "/investees/{investee_id}/follow-up",
    response_model=FollowUpOut,
    responses=PROBLEM_RESPONSES,
    summary="An investee's board seats, support sessions (with total hours) and KPI reports",
)
def get_follow_up(investee_id: str, request: Request, principal: Readers) -> FollowUpOut:
    def query(command: Command) -> FollowUpOut:
        investees.investee(command, investee_id)
        return follow_up_out(command, investee_id)

    return read(request, principal, query)


@router.get(
    "/alerts",
    response_model=Page[AlertOut],
    responses=PROBLEM_RESPONSES,
    summary="Investees whose KPI report is overdue, or whose latest report shows negative equity, on a day",
)
def list_alerts(request: Request, principal: Readers, on: Annotated[Day | None, Query()] = None) -> Page[AlertOut]:
    def query(command: Command) -> Page[AlertOut]:
        found = follow_up.alerts(command, on or command.today, command.reporting)
        return Page.whole(
            [
                AlertOut(kind=item.kind.value, investee_id=item.investee_id, detail=item.detail, since=item.since)
                for item in found
            ]
        )

    return read(request, principal, query)
