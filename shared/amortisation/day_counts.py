"""Due dates and day-count fractions.

Due date k is the start date plus k periods of months, always counted from the start date and
clipped to the month's last day (31 Jan -> 28/29 Feb -> 31 Mar). With a broken first period
(`LoanTerms.first_due_date`) installment 1 falls on that date and installment k on the first due
date plus k - 1 periods, counted from the first due date the same way.

A year fraction is returned as an exact ratio of integers so that the Decimal path and the
integer-cent batch path can apply the same single rounding. A regular period under 30E/360 is
exactly months/12 by contract; a broken first period is the actual days in the loan's day count
(the 30E/360 formula under 30E/360).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from shared.amortisation.terms import DayCount, LoanTerms


@lru_cache(maxsize=1 << 16)
def due_date(start: date, k: int, months_per_period: int) -> date:
    """Remembered: every replay of a loan builds its schedule again, always from the same dates."""
    result: date = start + relativedelta(months=k * months_per_period)
    return result


def installment_due_date(terms: LoanTerms, number: int) -> date:
    """The due date of installment `number` (1-based) under `terms`, broken first period included."""
    months = terms.frequency.months
    if terms.first_due_date is None:
        return due_date(terms.start_date, number, months)
    return due_date(terms.first_due_date, number - 1, months)


def installment_fraction(terms: LoanTerms, number: int, previous: date, due: date) -> Fraction:
    """The year fraction of installment `number`'s period from `previous` to `due`."""
    if number == 1 and terms.first_due_date is not None:
        return year_fraction(terms.day_count, previous, due)
    return period_fraction(terms.day_count, previous, due, terms.frequency.months)


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def act_act_isda(start: date, end: date) -> Fraction:
    """Days in leap years / 366 + days in other years / 365."""
    if end <= start:
        return Fraction(0)
    total = Fraction(0)
    cursor = start
    while cursor < end:
        # A period inside one year stops at its end; date(10000, 1, 1) does not exist.
        stop = end if cursor.year == end.year else date(cursor.year + 1, 1, 1)
        total += Fraction((stop - cursor).days, 366 if _is_leap(cursor.year) else 365)
        cursor = stop
    return total


def thirty_e_360(start: date, end: date) -> Fraction:
    """30E/360 (Eurobond basis): day 31 counts as day 30 at either end."""
    d1 = min(start.day, 30)
    d2 = min(end.day, 30)
    days = 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)
    return Fraction(days, 360)


def year_fraction(day_count: DayCount, start: date, end: date) -> Fraction:
    """The year fraction between any two dates (accruals, broken periods)."""
    if day_count is DayCount.THIRTY_E_360:
        return thirty_e_360(start, end)
    if day_count is DayCount.ACT_360:
        return Fraction((end - start).days, 360)
    if day_count is DayCount.ACT_365F:
        return Fraction((end - start).days, 365)
    return act_act_isda(start, end)


def period_fraction(day_count: DayCount, previous: date, due: date, months_per_period: int) -> Fraction:
    """The fraction of a regular schedule period: under 30E/360 exactly months/12 by contract."""
    if day_count is DayCount.THIRTY_E_360:
        regular = _REGULAR_30E_360.get(months_per_period)
        return regular if regular is not None else Fraction(months_per_period, 12)
    return year_fraction(day_count, previous, due)


_REGULAR_30E_360 = {months: Fraction(months, 12) for months in (1, 3, 6, 12)}
"""The fractions of a regular 30E/360 period, made once (a Fraction is immutable; making one is not cheap)."""
