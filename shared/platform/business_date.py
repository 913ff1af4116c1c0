"""The business date: the calendar day in Brussels, where the funds are run.

"Today" decides which EU base rate, de minimis window and due date applies, so it is never the
UTC date: at 00:30 on 1 July in Brussels it is already 1 July (and the July base rate applies),
although UTC still says 30 June. Time zone data comes from the system or the `tzdata` package.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BUSINESS_TIME_ZONE = ZoneInfo("Europe/Brussels")


def business_date(moment: datetime) -> date:
    """The Brussels calendar date of an aware `moment`."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(BUSINESS_TIME_ZONE).date()


def as_utc(moment: datetime) -> datetime:
    """A stored time as an aware UTC time; SQLite hands times back without their zone, stored in UTC."""
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def business_today() -> date:
    return business_date(datetime.now(UTC))
