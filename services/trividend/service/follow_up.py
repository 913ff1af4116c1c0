"""Following investees up: board seats, support sessions, KPI reports, and today's alerts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from shared.platform.rules import Conflict, RuleViolation, required_text

from services.trividend import events
from services.trividend.domain.follow_up import (
    Alert,
    AlertKind,
    ReportingPolicy,
    SeatRole,
    SupportKind,
    negative_equity,
    overdue_period,
)
from services.trividend.domain.follow_up import period_end as end_of_period
from services.trividend.models import (
    TrividendBoardSeat,
    TrividendInvestee,
    TrividendKpiReport,
    TrividendLoan,
    TrividendParticipation,
    TrividendSupportSession,
)
from services.trividend.service.context import Command
from services.trividend.service.investees import investee

LIVE_LOANS = ("approved", "disbursed", "defaulted")


def add_board_seat(
    command: Command, investee_id: str, person: str, role: SeatRole, from_date: date, until: date | None
) -> TrividendBoardSeat:
    investee(command, investee_id)
    if until is not None and until < from_date:
        raise RuleViolation("until", f"{until} is before from_date {from_date}")
    row = TrividendBoardSeat(
        investee_id=investee_id,
        person=required_text("person", person),
        role=role.value,
        from_date=from_date,
        until=until,
        recorded_by=command.actor,
        recorded_at=command.now,
    )
    command.session.add(row)
    command.session.flush()
    return row


def record_session(
    command: Command, investee_id: str, on: date, kind: SupportKind, hours: Decimal, topic: str
) -> TrividendSupportSession:
    investee(command, investee_id)
    if on > command.today:
        raise RuleViolation("on", f"{on} is after today ({command.today}); record a session once it took place")
    row = TrividendSupportSession(
        investee_id=investee_id,
        on=on,
        kind=kind.value,
        hours=hours,
        topic=required_text("topic", topic),
        recorded_by=command.actor,
        recorded_at=command.now,
    )
    command.session.add(row)
    command.session.flush()
    return row


def record_kpi_report(
    command: Command,
    investee_id: str,
    period_end: date,
    target_group_vte: Decimal,
    turnover: Decimal,
    result: Decimal,
    equity: Decimal,
) -> TrividendKpiReport:
    owner = investee(command, investee_id, lock=True)
    interval = command.reporting.interval_months
    if period_end != end_of_period(period_end, interval):
        raise RuleViolation(
            "period_end", f"{period_end} is not the end of a reporting period ({interval}-month calendar periods)"
        )
    if period_end > command.today:
        raise RuleViolation("period_end", f"{period_end} has not ended yet (today is {command.today})")
    row = TrividendKpiReport(
        investee_id=investee_id,
        period_end=period_end,
        target_group_vte=target_group_vte,
        turnover=turnover,
        result=result,
        equity=equity,
        reported_on=command.today,
        recorded_by=command.actor,
        recorded_at=command.now,
    )
    command.session.add(row)
    try:
        command.session.flush()
    except IntegrityError:
        raise Conflict(f"investee {investee_id} already reported its KPIs for the period ending {period_end}") from None
    command.publish(events.kpi_reported(owner, row))
    return row


def seats(command: Command, investee_id: str) -> list[TrividendBoardSeat]:
    query = select(TrividendBoardSeat).where(TrividendBoardSeat.investee_id == investee_id)
    return list(
        command.session.exec(query.order_by(col(TrividendBoardSeat.from_date), col(TrividendBoardSeat.id))).all()
    )


def sessions(command: Command, investee_id: str) -> list[TrividendSupportSession]:
    query = select(TrividendSupportSession).where(TrividendSupportSession.investee_id == investee_id)
    return list(
        command.session.exec(query.order_by(col(TrividendSupportSession.on), col(TrividendSupportSession.id))).all()
    )


def reports(command: Command, investee_id: str) -> list[TrividendKpiReport]:
    query = select(TrividendKpiReport).where(TrividendKpiReport.investee_id == investee_id)
    return list(command.session.exec(query.order_by(col(TrividendKpiReport.period_end))).all())


def _first_position(command: Command, investee_id: str) -> date | None:
    """When Trividend's first position in the investee that is still live opened (equity or loan)."""
    opened: list[date] = []
    for participation in command.session.exec(
        select(TrividendParticipation).where(
            TrividendParticipation.investee_id == investee_id, TrividendParticipation.status == "open"
        )
    ).all():
        opened.append(participation.opened_on)
    for loan in command.session.exec(
        select(TrividendLoan).where(TrividendLoan.investee_id == investee_id, col(TrividendLoan.status).in_(LIVE_LOANS))
    ).all():
        opened.append(loan.grant_date)
    return min(opened) if opened else None


def alerts(command: Command, on: date, policy: ReportingPolicy) -> list[Alert]:
    """Investees whose KPI report is overdue on `on`, or whose latest report shows negative equity."""
    found: list[Alert] = []
    for row in command.session.exec(select(TrividendInvestee).order_by(col(TrividendInvestee.name))).all():
        opened = _first_position(command, row.id)
        if opened is None:
            continue
        reported = [report for report in reports(command, row.id) if report.reported_on <= on]
        latest = reported[-1] if reported else None
        overdue = overdue_period(opened, latest.period_end if latest else None, on, policy)
        if overdue is not None:
            found.append(
                Alert(
                    AlertKind.KPI_REPORT_OVERDUE,
                    row.id,
                    f"the KPI report for the period ending {overdue} is overdue",
                    overdue,
                )
            )
        if latest is not None and negative_equity(latest.equity):
            found.append(
                Alert(
                    AlertKind.NEGATIVE_EQUITY,
                    row.id,
                    f"equity is {latest.equity} at {latest.period_end}",
                    latest.period_end,
                )
            )
    return found
