"""The calendar rows of `batch.build_batch`, compiled: each calendar's due dates and year fractions.

A calendar is one (start, first due date, months, day count) combination. Its k-th due date is
the anchor's day of the month k steps of `months` later, or that month's last day when the month
is shorter; the year fraction of a period is a whole numerator over its day count's denominator
(30E/360: 30 per month; ACT/360 and ACT/365F: the days; ACT/ACT-ISDA: each day weighs 365 in a
leap year and 366 in another, over 365 x 366). The month tables come from numpy's calendar.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

THIRTY_E_360 = 0
ACT_ACT_ISDA = 3


@numba.njit(cache=True, nogil=True)
def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@numba.njit(cache=True, nogil=True)
def isda_between(start: int, end: int, start_month: int, month_first_day: npt.NDArray[np.int64]) -> int:
    """ACT/ACT-ISDA units from day `start` to day `end`; `start_month` is the month index of `start`."""
    total = 0
    cursor = start
    year_index = start_month // 12
    while cursor < end:
        next_year = month_first_day[(year_index + 1) * 12]
        stop = min(next_year, end)
        total += (stop - cursor) * (365 if _is_leap(year_index + 1) else 366)
        cursor = stop
        year_index += 1
    return total


@numba.njit(cache=True, nogil=True)
def isda_spans(
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
    start_month: npt.NDArray[np.int64],
    month_first_day: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """`isda_between` for each pair of days (an accrual from each period's start to a date)."""
    units = np.empty_like(start)
    for i in range(start.shape[0]):
        units[i] = isda_between(start[i], end[i], start_month[i], month_first_day)
    return units


@numba.njit(cache=True, nogil=True)
def calendar_rows(
    count: int,
    start_day: npt.NDArray[np.int64],
    start_month: npt.NDArray[np.int64],
    anchor_month: npt.NDArray[np.int64],
    anchor_day: npt.NDArray[np.int64],
    first_step: npt.NDArray[np.int64],
    months: npt.NDArray[np.int64],
    code: npt.NDArray[np.int64],
    reach: npt.NDArray[np.int64],
    month_first_day: npt.NDArray[np.int64],
    month_length: npt.NDArray[np.int64],
    due: npt.NDArray[np.int64],
    numerator: npt.NDArray[np.int64],
) -> None:
    """Fill the (count x calendars) `due` (day numbers) and `numerator` tables.

    Month indexes count from January of year 1; `first_step` is 1 for a regular schedule (the
    first due date is a period after the start) and 0 for a broken first period (the anchor is
    the first due date). Rows past a calendar's `reach` repeat its last due date.
    """
    calendars = start_day.shape[0]
    previous = start_day.copy()
    previous_month = start_month.copy()
    for row in range(count):
        for c in range(calendars):
            index = anchor_month[c] + (min(row, reach[c] - 1) + first_step[c]) * months[c]
            day = month_first_day[index] + min(anchor_day[c], month_length[index] - 1)
            due[row, c] = day
            if code[c] == THIRTY_E_360:
                numerator[row, c] = 30 * months[c]
            elif code[c] == ACT_ACT_ISDA:
                numerator[row, c] = isda_between(previous[c], day, previous_month[c], month_first_day)
            else:
                numerator[row, c] = day - previous[c]
            previous[c] = day
            previous_month[c] = index
