"""Schedules for many loans at once: columnar numpy arrays of integer cents.

The vectorised path walks the periods once, each step computing every loan's row together, and
reproduces `schedule.build_schedule` to the cent. The rows, the calendar (due dates and year
fractions per distinct calendar) and the level payments are compiled (`schedule_rows`,
`schedule_calendar`, `level_payments`); this module gathers the terms, orders the steps and
settles in Python the rare cases float64 cannot, with the same arithmetic as the Decimal path:

* balances are whole cents held in float64 (exact below 2^53); interest = opening x rate x
  num / den is rounded half-up in float64, and every loan whose product lies within a few ulps
  of a half cent (exact halves among them) is redone in integer arithmetic (rates are whole
  micro-units, NUMERIC(9,6); the product is split with divmod so nothing leaves int64);
* the annuity level payment is computed in float64 and rounded to the installment multiple; a
  loan whose float result lies within a hair of a rounding boundary is recomputed with the
  Decimal formula, so the rounded payment is always the Decimal one;
* year fractions are integer numerators over one denominator per day count (360, 360, 365 and
  365 x 366), so a regular 30E/360 month is 30/360 and a broken first period its 30E/360 days;
* an annuity the Decimal path refuses (its level payment does not exceed a period's interest,
  see `schedule.check_amortises`) is flagged in `BatchSchedule.refused`; its rows mean nothing.

Loans are split into one part per thread. Rows past a loan's own number of periods are zero
(its balance closed at zero, and nothing falls due); `periods` says where each loan ends.
Payment and closing balance follow from the stored columns (payment = principal + interest -
capitalised, closing = opening + capitalised - principal) and are derived on access.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from shared.amortisation import level_payments, schedule_calendar, schedule_rows
from shared.amortisation.day_counts import year_fraction
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.money import from_cents
from shared.amortisation.schedule import level_payment
from shared.amortisation.terms import DayCount, GraceKind, LoanTerms, Method

Int64Array = npt.NDArray[np.int64]
DateArray = npt.NDArray[np.datetime64]

METHODS = (Method.ANNUITY, Method.LINEAR, Method.BULLET)
DAY_COUNTS = (DayCount.THIRTY_E_360, DayCount.ACT_360, DayCount.ACT_365F, DayCount.ACT_ACT_ISDA)
RATE_SCALE = 1_000_000
ISDA_DENOMINATOR = 365 * 366
DENOMINATORS = (360, 360, 365, ISDA_DENOMINATOR)
INT64_LIMIT = 2**62
FLOAT_EXACT_LIMIT = 2.0**52
MIN_CHUNK = 16_384


@dataclass(frozen=True)
class BatchTerms:
    """Loan terms as columns: one entry per loan, amounts in cents, rates in micro-units."""

    principal: Int64Array
    rate: Int64Array
    periods: Int64Array
    months: Int64Array
    method: npt.NDArray[np.int8]
    day_count: npt.NDArray[np.int8]
    grace_periods: Int64Array
    capitalised_grace: npt.NDArray[np.bool_]
    multiple: Int64Array
    start: DateArray
    first_due: DateArray | None = None
    """Broken first periods: the first due date, NaT for a regular schedule; None when no loan has one."""

    def __len__(self) -> int:
        return int(self.principal.shape[0])

    def subset(self, loans: slice | Int64Array) -> BatchTerms:
        """The terms of the loans selected by a slice or an array of indexes, in that order."""
        return BatchTerms(
            principal=self.principal[loans],
            rate=self.rate[loans],
            periods=self.periods[loans],
            months=self.months[loans],
            method=self.method[loans],
            day_count=self.day_count[loans],
            grace_periods=self.grace_periods[loans],
            capitalised_grace=self.capitalised_grace[loans],
            multiple=self.multiple[loans],
            start=self.start[loans],
            first_due=None if self.first_due is None else self.first_due[loans],
        )

    @classmethod
    def from_terms(cls, loans: Sequence[LoanTerms]) -> BatchTerms:
        return cls(
            principal=np.array([int(t.principal * 100) for t in loans], dtype=np.int64),
            rate=np.array([int(t.annual_rate * RATE_SCALE) for t in loans], dtype=np.int64),
            periods=np.array([t.periods for t in loans], dtype=np.int64),
            months=np.array([t.frequency.months for t in loans], dtype=np.int64),
            method=np.array([METHODS.index(t.method) for t in loans], dtype=np.int8),
            day_count=np.array([DAY_COUNTS.index(t.day_count) for t in loans], dtype=np.int8),
            grace_periods=np.array([t.grace_periods for t in loans], dtype=np.int64),
            capitalised_grace=np.array([t.grace_kind is GraceKind.CAPITALISED for t in loans], dtype=np.bool_),
            multiple=np.array([int(t.installment_multiple * 100) for t in loans], dtype=np.int64),
            start=np.array([t.start_date for t in loans], dtype="datetime64[D]"),
            first_due=(
                np.array([t.first_due_date or np.datetime64("NaT") for t in loans], dtype="datetime64[D]")
                if any(t.first_due_date is not None for t in loans)
                else None
            ),
        )


@dataclass(frozen=True)
class BatchSchedule:
    """Every loan's schedule as (loans x max periods) arrays of cents; rows past `periods` are zero."""

    periods: Int64Array
    opening_balance: Int64Array
    interest: Int64Array
    principal: Int64Array
    capitalised_head: Int64Array
    calendar_due: Int64Array
    calendar_of_loan: Int64Array
    refused: npt.NDArray[np.bool_]

    @property
    def capitalised(self) -> Int64Array:
        """Capitalised interest; only grace periods have any, so only those columns are stored."""
        full = np.zeros_like(self.interest)
        full[:, : self.capitalised_head.shape[1]] = self.capitalised_head
        return full

    @property
    def payment(self) -> Int64Array:
        result: Int64Array = self.principal + self.interest - self.capitalised
        return result

    @property
    def closing_balance(self) -> Int64Array:
        result: Int64Array = self.opening_balance + self.capitalised - self.principal
        return result

    @property
    def due_date(self) -> DateArray:
        """(loans x periods) due dates, NaT past a loan's end; gathered on demand from the calendar table."""
        dates = self.calendar_due.take(self.calendar_of_loan, axis=1).T.view("datetime64[D]").copy()
        dates[np.arange(1, dates.shape[1] + 1)[None, :] > self.periods[:, None]] = np.datetime64("NaT")
        result: DateArray = dates
        return result

    def due_dates_of(self, loan: int) -> DateArray:
        column = self.calendar_due[: int(self.periods[loan]), int(self.calendar_of_loan[loan])]
        result: DateArray = column.view("datetime64[D]")
        return result

    def installments(self, loan: int) -> list[dict[str, Any]]:
        """One loan's rows in the JSON shape of `Installment.to_json`."""
        due = self.due_dates_of(loan)
        grace_columns = self.capitalised_head.shape[1]
        rows = []
        for k in range(int(self.periods[loan])):
            opening = int(self.opening_balance[loan, k])
            interest = int(self.interest[loan, k])
            principal = int(self.principal[loan, k])
            capitalised = int(self.capitalised_head[loan, k]) if k < grace_columns else 0
            rows.append(
                {
                    "number": k + 1,
                    "due_date": str(due[k]),
                    "opening_balance": str(from_cents(opening)),
                    "interest": str(from_cents(interest)),
                    "principal": str(from_cents(principal)),
                    "payment": str(from_cents(principal + interest - capitalised)),
                    "capitalised": str(from_cents(capitalised)),
                    "closing_balance": str(from_cents(opening + capitalised - principal)),
                }
            )
        return rows


# Calendar tables covering every date a LoanTerms can reach (years 1 to 9999, and the year after for
# ACT/ACT boundaries): first day (days since 1970-01-01) and length of each month.
_BASE_YEAR = 1
_MONTH_COUNT = (10_001 - _BASE_YEAR) * 12
_MONTHS_TO_9999 = (10_000 - _BASE_YEAR) * 12
_MONTH_STARTS = (np.datetime64("0001-01", "M") + np.arange(_MONTH_COUNT + 1).astype("timedelta64[M]")).astype(
    "datetime64[D]"
)
_MONTH_FIRST_DAYS: Int64Array = _MONTH_STARTS.astype(np.int64)
"""First day of each month, and of the month after the last, for the year boundaries of ACT/ACT-ISDA."""
_MONTH_LENGTH: Int64Array = np.diff(_MONTH_STARTS.astype(np.int64)).astype(np.int64)


_DAY_SHIFT = -int(_MONTH_STARTS[0].astype(np.int64))  # day numbers of year 1 on are >= 0 once shifted


def month_index(day: npt.NDArray[np.datetime64]) -> tuple[Int64Array, Int64Array]:
    """Month index since January of year 1 and zero-based day of month of each date."""
    months = day.astype("datetime64[M]")
    index = months.astype(np.int64) + (1970 - _BASE_YEAR) * 12
    offset = (day - months.astype("datetime64[D]")).astype(np.int64)
    return index, offset


def batch_capable(terms: LoanTerms) -> bool:
    """Whether the integer batch path can hold this loan (else `build_schedule` computes it)."""
    return int(terms.principal * 100) * int(terms.annual_rate * RATE_SCALE) * 4 <= INT64_LIMIT and (
        terms.principal * 100 < FLOAT_EXACT_LIMIT / 4
    )


def build_batch(terms: BatchTerms, workers: int | None = None, *, head: int | None = None) -> BatchSchedule:
    """Every loan's schedule: one pass over the periods per chunk of loans.

    Chunks are independent, so with `workers` > 1 they run on threads (numpy releases the GIL
    in its loops); the default uses every core for batches large enough to be worth it.

    `head` computes only each schedule's first `head` installments (a position on a date needs
    no later ones); `periods` still counts a longer loan's later installments, which are absent.
    """
    loans = len(terms)
    count = int(terms.periods.max()) if loans else 0
    if head is not None:
        count = min(count, head)
    if loans and int(terms.principal.max()) * int(terms.rate.max()) * 4 > INT64_LIMIT:
        raise InvalidTerms("principal", "too large for the integer batch path; use build_schedule")
    if loans and (terms.periods < terms.grace_periods + 1).any():
        raise InvalidTerms("periods", "must be >= grace_periods + 1")
    due_table, numerator_table, combination = _calendar(terms, count)
    last_grace = min(int(terms.grace_periods.max()), count) if loans else 0

    shape = (count, loans)
    opening = np.empty(shape, dtype=np.int64)
    interest = np.empty(shape, dtype=np.int64)
    principal = np.empty(shape, dtype=np.int64)
    capitalised = np.zeros((last_grace, loans), dtype=np.int64)
    refused = np.zeros(loans, dtype=np.bool_)
    threads = max(1, min(workers or os.cpu_count() or 1, loans // MIN_CHUNK))
    size = -(-loans // threads) if loans else 1
    parts = [slice(low, min(low + size, loans)) for low in range(0, loans, size)]
    numerators = numerator_table.astype(np.float64)

    def run(part: slice) -> None:
        _amortise(
            terms,
            part,
            numerators,
            combination[part],
            opening,
            interest,
            principal,
            capitalised,
            refused,
        )

    if len(parts) > 1:
        with ThreadPoolExecutor(max_workers=len(parts)) as pool:
            list(pool.map(run, parts))
    else:
        for part in parts:
            run(part)

    return BatchSchedule(
        periods=_effective_periods(terms.periods, opening),
        opening_balance=opening.T,
        interest=interest.T,
        principal=principal.T,
        capitalised_head=capitalised.T,
        calendar_due=due_table,
        calendar_of_loan=combination,
        refused=refused,
    )


def _amortise(
    terms: BatchTerms,
    part: slice,
    numerator_table: npt.NDArray[np.float64],
    combination: Int64Array,
    opening: Int64Array,
    interest: Int64Array,
    principal: Int64Array,
    capitalised: Int64Array,
    refused: npt.NDArray[np.bool_],
) -> None:
    """Walk the periods for the loans in `part`, writing their rows into the (periods x loans) outputs."""
    periods = terms.periods[part]
    grace = terms.grace_periods[part]
    capitalising = terms.capitalised_grace[part]
    rate = terms.rate[part]
    scaled_den = np.choose(terms.day_count[part], DENOMINATORS).astype(np.int64) * RATE_SCALE
    rate_per_unit = rate / scaled_den
    method = terms.method[part]
    annuity = (method == 0).astype(np.float64)
    per_year = 12 // terms.months[part]
    installments = periods - grace
    multiple = terms.multiple[part]
    count = opening.shape[0]
    last_grace = int(grace.max())

    balance = terms.principal[part].astype(np.float64)
    level = np.zeros(balance.shape)
    offset = part.start or 0

    def rows(first: int, stop: int) -> None:
        written = schedule_rows.amortise_rows(
            first,
            stop,
            balance,
            level,
            rate,
            rate_per_unit,
            scaled_den,
            annuity,
            periods,
            grace,
            capitalising,
            numerator_table,
            combination,
            offset,
            opening,
            interest,
            principal,
            capitalised,
        )
        if written == schedule_rows.TOO_LARGE:
            raise InvalidTerms("principal", "too large for the integer batch path; use build_schedule")

    # A loan's level payment is set from its balance when its grace ends, so the rows up to the end of
    # the longest grace period are computed one at a time, and the rest in one call.
    stepped_rows = min(count, last_grace + 1)
    for row in range(stepped_rows):
        starting = np.flatnonzero(grace == row)
        if starting.size:
            _set_levels(starting, balance, rate, per_year, installments, multiple, method, level, refused[part])
        rows(row, row + 1)
    # After the grace periods a balance only falls: the largest opening balance is in these rows.
    if float(opening[:stepped_rows, part].max(initial=0)) > FLOAT_EXACT_LIMIT:
        raise InvalidTerms("principal", "too large for the batch path; use build_schedule")
    if stepped_rows < count:
        rows(stepped_rows, count)
    assert count < int(periods.max(initial=0)) or not balance.any(), "every schedule closes at 0.00"


def _set_levels(
    loans: Int64Array,
    balance: npt.NDArray[np.float64],
    rate: Int64Array,
    per_year: Int64Array,
    installments: Int64Array,
    multiple: Int64Array,
    method: npt.NDArray[np.int8],
    level: npt.NDArray[np.float64],
    refused: npt.NDArray[np.bool_],
) -> None:
    """The level payments of `loans` (indexes into the part's arrays), whose grace ends now, from their balance.

    Computed by `level_payments.set_levels`; an annuity whose rounding it cannot settle in float64
    gets the Decimal formula's payment, and one whose refusal it cannot settle an exact comparison.
    """
    near_boundary = np.zeros(len(balance), dtype=np.bool_)
    amortising = np.zeros(len(balance), dtype=np.int8)
    level_payments.set_levels(
        loans, balance, rate, per_year, installments, multiple, method, level, near_boundary, amortising
    )
    for loan in loans[near_boundary[loans]].tolist():
        payment = level_payment(
            Decimal(int(balance[loan])) / 100,
            Decimal(int(rate[loan])) / RATE_SCALE,
            int(per_year[loan]),
            int(installments[loan]),
            Decimal(int(multiple[loan])) / 100,
        )
        level[loan] = float(int(payment * 100))
        amortising[loan] = level_payments.UNDECIDED if installments[loan] >= 2 else 0
    decided = amortising[loans] == level_payments.REFUSED
    refused[loans] = decided
    for position in np.flatnonzero(amortising[loans] == level_payments.UNDECIDED).tolist():
        loan = int(loans[position])
        refused[loan] = int(level[loan]) * RATE_SCALE * int(per_year[loan]) <= int(balance[loan]) * int(rate[loan])


def _effective_periods(periods: Int64Array, opening: Int64Array) -> Int64Array:
    """Each loan's number of installments: a level payment rounded up can repay the balance before the last
    period, and the schedule ends there, as the scalar one does (only those loans open their last row at 0)."""
    effective = periods.copy()
    if not len(periods):
        return effective
    last = np.minimum(periods, opening.shape[0]) - 1
    early = np.flatnonzero(opening[last, np.arange(len(periods))] == 0)
    if len(early):
        effective[early] = np.count_nonzero(opening[:, early] > 0, axis=0)
    return effective


def _calendar(terms: BatchTerms, count: int) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Due dates and year-fraction numerators per distinct calendar, (periods x combinations).

    A calendar is (start, first due date, months, day count): dates and fractions depend on
    nothing else, and a portfolio has far fewer such combinations than loans, so the calendar work
    is done once per combination and gathered per loan. Each combination is computed only as far
    as its longest loan reaches; later rows repeat its last date and are never read.
    """
    start = terms.start.astype("datetime64[D]")
    start_days = start.astype(np.int64)
    # A broken first period lies 1 to 732 days after the start: offset 0 means a regular schedule.
    offset = np.zeros(len(terms), dtype=np.int64)
    if terms.first_due is not None:
        broken = ~np.isnat(terms.first_due)
        offset[broken] = (terms.first_due[broken] - start[broken]).astype(np.int64)
    # One int64 per calendar (a 1-D unique is far cheaper than a unique over rows of a 2-D key).
    keys = ((start_days + _DAY_SHIFT) << 16) | (offset << 6) | (terms.months << 2) | terms.day_count.astype(np.int64)
    unique, combination = np.unique(keys, return_inverse=True)
    combination = combination.reshape(-1).astype(np.int64)
    reach = np.zeros(unique.shape[0], dtype=np.int64)
    np.maximum.at(reach, combination, terms.periods)
    start_u = ((unique >> 16) - _DAY_SHIFT).astype("datetime64[D]")
    offset_u = (unique >> 6) & 0x3FF
    broken_u = offset_u > 0
    anchor_u = start_u + offset_u.astype("timedelta64[D]")
    months = (unique >> 2) & 0xF
    code = unique & 0x3

    anchor_index, anchor_day = month_index(anchor_u)
    first_step = (~broken_u).astype(np.int64)
    last_step = np.minimum(reach, count) - 1 + first_step
    if count and unique.shape[0] and int((anchor_index + last_step * months).max()) >= _MONTHS_TO_9999:
        raise InvalidTerms("periods", "the schedule runs past the year 9999")
    due = np.empty((count, unique.shape[0]), dtype=np.int64)
    numerator = np.empty_like(due)
    schedule_calendar.calendar_rows(
        count,
        start_u.astype(np.int64),
        month_index(start_u)[0],
        anchor_index,
        anchor_day,
        first_step,
        months,
        code,
        reach,
        _MONTH_FIRST_DAYS,
        _MONTH_LENGTH,
        due,
        numerator,
    )
    for column in np.flatnonzero(broken_u):
        first = year_fraction(
            DAY_COUNTS[int(code[column])],
            date.fromisoformat(str(start_u[column])),
            date.fromisoformat(str(anchor_u[column])),
        )
        scaled = first * DENOMINATORS[int(code[column])]
        assert scaled.denominator == 1, "a broken period's fraction is whole units of its day count"
        numerator[0, column] = int(scaled)
    return due, numerator, combination


def isda_units(start: Int64Array, end: Int64Array) -> Int64Array:
    """ACT/ACT-ISDA from `start` to `end` (day numbers) over 365 x 366: a day in a leap year weighs 365,
    any other 366; across any number of new years. Compiled with the calendar's own rule."""
    start_month = month_index(start.astype("datetime64[D]"))[0]
    return schedule_calendar.isda_spans(start, end, start_month, _MONTH_FIRST_DAYS)


def exact_interest(product: Int64Array, numerator: Int64Array, scaled_den: Int64Array) -> Int64Array:
    """product x numerator / scaled_den rounded half-up, in int64: the division comes first, so nothing overflows."""
    whole, rest = np.divmod(product, scaled_den)
    carry, remainder = np.divmod(rest * numerator, scaled_den)
    result: Int64Array = whole * numerator + carry + (2 * remainder >= scaled_den)
    return result
