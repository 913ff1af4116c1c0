"""The ledger's rules for a loan whose history is repayments only, compiled, on integer cents.

`walk` applies each loan's repayments in order and reports its position on one day; it is the
kernel of `batch_positions.positions_as_of`, which says what it covers and what it flags. The
rules are those of `ledger.py` and `allocation.py`, held in a few numbers per loan:

* the waterfall pays interest of the overdue installments oldest first, then their principal, then
  the next installment, so what is paid is a prefix of each column: the interest pointer is the
  first installment whose interest is not paid in full and its part what that one has received
  (the same for principal). An installment owes what its row has not received;
* late interest is simple ACT/365 interest on what is overdue from each due date to the day of
  payment: kept as cent-days (overdue cents x days) and turned into cents by one exact division,
  rounded half-up, as the ledger rounds its running total;
* a collection fee is charged once for each installment still owing at the end of its due date.

Compiled with numba, with the GIL released so that chunks run on threads. A loan's state lives in
local variables (registers), not in an array: that is ten times faster, since every store to an
array must be read back from memory.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

from shared.amortisation.schedule_rows import ratio_half_up

NEVER = np.iinfo(np.int64).max // 4
"""The due date of an installment past a loan's last."""

# Columns of the walk's output, one row per loan.
STATUS, OUTSTANDING, NOT_YET_DUE, PAID_AHEAD, TOTAL_ARREARS, DAYS_PAST_DUE = range(6)
LATE, FEES, PRINCIPAL_REPAID, LATE_INTEREST_PAID, OPEN_ROW, OPENING, PERIOD_START, NEXT_DUE = range(6, 14)
ACCRUED = 14  # left for the caller: the open period's interest needs the day count's calendar
# The waterfall's pointers (module docstring): what each installment still owes follows from them.
INTEREST_ROW, INTEREST_PART, PRINCIPAL_ROW, PRINCIPAL_PART = range(15, 19)
FIRST_BUCKET = 19
CURRENT, IN_ARREARS, SETTLED = range(3)


@numba.njit(cache=True, nogil=True, inline="always")
def _owed(column: npt.NDArray[np.int64], row: int, pointer: int, part: int) -> int:
    """What installment `row` still owes of a column whose pointer is `pointer`, having received `part`."""
    if row < pointer:
        return 0
    if row == pointer:
        return int(column[row] - part)
    return int(column[row])


@numba.njit(cache=True, nogil=True, inline="always")
def _settled(column: npt.NDArray[np.int64], pointer: int, part: int, held: int) -> tuple[int, int]:
    """The pointer moved past the installments paid in full (an installment of 0.00 is paid)."""
    while pointer < held and part == column[pointer]:
        pointer += 1
        part = 0
    return pointer, part


@numba.njit(cache=True, nogil=True)
def walk(
    interest: npt.NDArray[np.int64],
    principal: npt.NDArray[np.int64],
    due: npt.NDArray[np.int64],
    periods: npt.NDArray[np.int64],
    amount_lent: npt.NDArray[np.int64],
    start: npt.NDArray[np.int64],
    late_rate: npt.NDArray[np.int64],
    collection_fee: npt.NDArray[np.int64],
    first: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
    on: npt.NDArray[np.int64],
    amount: npt.NDArray[np.int64],
    day: int,
    buckets: npt.NDArray[np.int64],
    late_denominator: int,
    out: npt.NDArray[np.int64],
    replay: npt.NDArray[np.bool_],
) -> None:
    """Every loan's repayments, then its position at the end of `day`, into `out` and `replay`.

    Row j of `interest`, `principal` and `due` holds loan j's first installments (all of them, or
    the head of a longer schedule: `periods` counts them all; `due` is NEVER past the last).
    Loan j's repayments are on[first[j] : first[j] + counts[j]], same for `amount`, in recording
    order, none after `day`. Dates are days since 1970-01-01, money is cents.
    """
    for loan in range(interest.shape[0]):
        owes_interest, owes_principal, due_on = interest[loan], principal[loan], due[loan]
        periods_all = periods[loan]
        held = min(periods_all, interest.shape[1])
        lent, rate, fee = amount_lent[loan], late_rate[loan], collection_fee[loan]
        # a loan longer than the rows held ends after them: every repayment is before its last due date
        last_due = due_on[periods_all - 1] if periods_all <= interest.shape[1] else NEVER
        flagged = False
        for row in range(held):
            if owes_interest[row] == 0 and owes_principal[row] == 0:
                flagged = True  # owes nothing without being paid: the ledger's next installment stops there
        interest_row, interest_part = _settled(owes_interest, 0, 0, held)
        principal_row, principal_part = _settled(owes_principal, 0, 0, held)
        repaid = cent_days = late_paid = fee_rows = fees_paid = 0
        clock = start[loan]
        overdue = 0  # installments due before the clock

        last_event = first[loan] + counts[loan]
        for event in range(first[loan], last_event + 1):
            to = day if event == last_event else on[event]
            # Advance the clock: charge fees, accrue late interest for the days clock .. to - 1.
            if to > clock:
                reached = overdue
                while reached < held and due_on[reached] < to:
                    reached += 1
                owing = min(interest_row, principal_row)
                fee_rows += max(0, reached - max(overdue, owing))
                for row in range(owing, reached):
                    owed = _owed(owes_interest, row, interest_row, interest_part) + _owed(
                        owes_principal, row, principal_row, principal_part
                    )
                    cent_days += owed * (to - max(clock, due_on[row]))
                clock = to
                overdue = reached
            if event == last_event:
                break

            # A repayment: late interest, fees, overdue interest, overdue principal, the next installment.
            left = amount[event]
            late, half = ratio_half_up(cent_days, rate, late_denominator)
            late -= late_paid
            flagged = flagged or half  # the ledger's 50-digit running total could round a half cent either way
            fees = fee * fee_rows - fees_paid
            early = to < last_due
            if early:
                # The payoff is at least arrears + late interest + fees + principal not yet due - interest
                # paid ahead (the open period's accrued interest is >= 0); reaching it settles the loan.
                through = overdue + (1 if overdue < held and due_on[overdue] == to else 0)
                arrears = principal_arrears = 0
                for row in range(min(interest_row, principal_row), through):
                    principal_owed = _owed(owes_principal, row, principal_row, principal_part)
                    arrears += _owed(owes_interest, row, interest_row, interest_part) + principal_owed
                    principal_arrears += principal_owed
                ahead = 0
                for row in range(through, min(interest_row, held)):
                    ahead += owes_interest[row]
                if interest_row >= through:
                    ahead += interest_part
                if left + ahead >= arrears + late + fees + lent - repaid - principal_arrears:
                    flagged = True
            paid = min(left, late)
            late_paid += paid
            left -= paid
            paid = min(left, fees)
            fees_paid += paid
            left -= paid
            while left > 0 and interest_row < overdue:
                paid = min(left, owes_interest[interest_row] - interest_part)
                interest_part += paid
                left -= paid
                interest_row, interest_part = _settled(owes_interest, interest_row, interest_part, held)
            while left > 0 and principal_row < overdue:
                paid = min(left, owes_principal[principal_row] - principal_part)
                principal_part += paid
                repaid += paid
                left -= paid
                principal_row, principal_part = _settled(owes_principal, principal_row, principal_part, held)
            row = min(interest_row, principal_row)
            if left > 0 and row < held:
                # the first installment owing: each pointer is on it (owing) or past it (owing nothing)
                paid = min(left, _owed(owes_interest, row, interest_row, interest_part))
                interest_part += paid
                left -= paid
                paid = min(left, _owed(owes_principal, row, principal_row, principal_part))
                principal_part += paid
                repaid += paid
                left -= paid
                interest_row, interest_part = _settled(owes_interest, interest_row, interest_part, held)
                principal_row, principal_part = _settled(owes_principal, principal_row, principal_part, held)
            if left > 0 and early:
                flagged = True  # a surplus before the last due date is a prepayment: the schedule changes

        # The position at the end of `day`.
        line = out[loan]
        through = overdue + (1 if overdue < held and due_on[overdue] == day else 0)
        late, half = ratio_half_up(cent_days, rate, late_denominator)
        late -= late_paid
        flagged = flagged or half
        fees = fee * fee_rows - fees_paid
        total = principal_arrears = 0
        line[FIRST_BUCKET:] = 0
        owing = min(interest_row, principal_row)
        for row in range(owing, through):
            principal_owed = _owed(owes_principal, row, principal_row, principal_part)
            owed = _owed(owes_interest, row, interest_row, interest_part) + principal_owed
            total += owed
            principal_arrears += principal_owed
            for bucket in range(buckets.shape[0] - 1, -1, -1):
                if day - due_on[row] >= buckets[bucket]:
                    line[FIRST_BUCKET + bucket] += owed
                    break
        outstanding = lent - repaid
        if total > 0 or late > 0 or fees > 0:
            status = IN_ARREARS
        elif outstanding == 0 and interest_row >= periods_all and principal_row >= periods_all:
            status = SETTLED
        else:
            status = CURRENT
        line[STATUS] = status
        line[OUTSTANDING] = outstanding
        line[NOT_YET_DUE] = outstanding - principal_arrears
        line[TOTAL_ARREARS] = total
        line[DAYS_PAST_DUE] = day - due_on[owing] if owing < through else 0
        line[LATE] = late
        line[FEES] = fees
        line[PRINCIPAL_REPAID] = repaid
        line[LATE_INTEREST_PAID] = late_paid
        line[OPEN_ROW] = -1
        line[INTEREST_ROW] = interest_row
        line[INTEREST_PART] = interest_part
        line[PRINCIPAL_ROW] = principal_row
        line[PRINCIPAL_PART] = principal_part
        line[PAID_AHEAD] = line[OPENING] = line[PERIOD_START] = line[NEXT_DUE] = 0
        if status != SETTLED and through < periods_all:
            ahead = 0
            for row in range(through, min(interest_row, held)):
                ahead += owes_interest[row]
            if interest_row >= through:
                ahead += interest_part
            opening = lent
            for row in range(through):
                opening -= owes_principal[row]
            line[OPEN_ROW] = through
            line[PAID_AHEAD] = ahead
            line[OPENING] = opening
            line[PERIOD_START] = due_on[through - 1] if through > 0 else start[loan]
            line[NEXT_DUE] = due_on[through]
        replay[loan] = flagged
