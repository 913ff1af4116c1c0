"""TARGET2 business days and business-day conventions, for collection dates only.

Interest due dates never move: a schedule's due dates and interest fractions are fixed by the
contract (`schedule.build_schedule`). These helpers only decide on which day money is actually
collected or paid (SEPA direct debit, credit transfer), e.g. the collection date of an
installment that falls on a weekend or a TARGET2 holiday.

TARGET2 is closed on Saturdays, Sundays, 1 January, Good Friday, Easter Monday, 1 May, 25 and
26 December; the calendar comes from the `holidays` package (ECB / XECB financial calendar).
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

import holidays

TARGET2 = holidays.financial_holidays("XECB")
ONE_DAY = timedelta(days=1)


class BusinessDayConvention(enum.StrEnum):
    FOLLOWING = "following"
    MODIFIED_FOLLOWING = "modified_following"
    PRECEDING = "preceding"
    UNADJUSTED = "unadjusted"


def is_business_day(day: date) -> bool:
    """Open for TARGET2 settlement: a weekday that is not a TARGET2 holiday."""
    return day.weekday() < 5 and day not in TARGET2


def following(day: date) -> date:
    while not is_business_day(day):
        day += ONE_DAY
    return day


def preceding(day: date) -> date:
    while not is_business_day(day):
        day -= ONE_DAY
    return day


def adjust(day: date, convention: BusinessDayConvention) -> date:
    """Move `day` to a business day by `convention`.

    Modified following takes the next business day unless that falls in the next month, in which
    case it takes the previous business day (so month-end collections stay in their month).
    """
    convention = BusinessDayConvention(convention)
    if convention is BusinessDayConvention.UNADJUSTED:
        return day
    if convention is BusinessDayConvention.PRECEDING:
        return preceding(day)
    forward = following(day)
    if convention is BusinessDayConvention.MODIFIED_FOLLOWING and forward.month != day.month:
        return preceding(day)
    return forward
