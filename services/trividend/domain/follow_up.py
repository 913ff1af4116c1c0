"""Follow-up of investees: board seats, support sessions, KPI reports, and the alerts they raise.

An investee Trividend holds a position in owes a KPI report for every calendar period of
`interval_months` (half-years by default) from the one its first position opened in; a report is
overdue once `grace_days` have passed after a period's end without one for that period or later.
Equity that turns negative in the latest report is an alert too.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta


class SeatRole(enum.StrEnum):
    DIRECTOR = "director"
    OBSERVER = "observer"


class SupportKind(enum.StrEnum):
    COACHING = "coaching"
    MANAGEMENT_SUPPORT = "management_support"


class AlertKind(enum.StrEnum):
    KPI_REPORT_OVERDUE = "kpi_report_overdue"
    NEGATIVE_EQUITY = "negative_equity"


@dataclass(frozen=True)
class ReportingPolicy:
    interval_months: int = 6
    grace_days: int = 60

    def __post_init__(self) -> None:
        if self.interval_months not in (1, 2, 3, 4, 6, 12):
            raise ValueError("interval_months must divide a year: 1, 2, 3, 4, 6 or 12")


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    investee_id: str
    detail: str
    since: date


def period_end(day: date, interval_months: int) -> date:
    """The last day of the reporting period (calendar periods of `interval_months`) that contains `day`."""
    month = ((day.month - 1) // interval_months + 1) * interval_months
    end: date = date(day.year, month, 1) + relativedelta(months=1) - timedelta(days=1)
    return end


def overdue_period(
    opened_on: date, latest_period_end: date | None, today: date, policy: ReportingPolicy
) -> date | None:
    """The earliest period end whose report is overdue on `today`, or None when reporting is up to date.

    The first period due is the one in which the position opened; each report covers its period and
    every earlier one.
    """
    due = period_end(opened_on, policy.interval_months)
    while latest_period_end is not None and due <= latest_period_end:
        due = period_end(due + timedelta(days=1), policy.interval_months)
    if today > due + timedelta(days=policy.grace_days):
        return due
    return None


def negative_equity(equity: Decimal) -> bool:
    return equity < 0
