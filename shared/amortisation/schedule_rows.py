"""The rows of `batch.build_batch`, compiled.

Each loan's row follows from its opening balance and its level payment: the period's interest
(the balance times the period's year fraction, rounded half-up to the cent), then the principal
(the level payment less that interest, or the whole balance in the last period; a linear loan's
level is its principal part). In a grace period no principal is due, and capitalised grace adds
the interest to the balance instead. numpy would make some twenty passes over the loans per row;
this makes two, and writes each row where the (periods x loans) outputs expect it. The level
payments are set by `batch` when each loan's grace ends (their rounding needs the Decimal
formula near a boundary), so rows up to the end of the longest grace period are computed one at
a time, and the rest in one call.

The interest is computed in float64, which is exact for these integers below 2^52 up to a few
units in the last place: when the result lies within that distance of a half cent, it is
recomputed in integers (`ratio_half_up`), so the cents are those of the Decimal path.
"""

from __future__ import annotations

import numba
import numpy as np
import numpy.typing as npt

INT64_LIMIT = 2**62
TOO_LARGE = -1
"""Returned when a product of balance and rate would not fit the integer check: the batch path refuses."""


@numba.njit(cache=True, nogil=True, inline="always")
def ratio_half_up(value: int, numerator: int, denominator: int) -> tuple[int, bool]:
    """value x numerator / denominator rounded half-up, and whether it lay exactly on a half.

    The division comes first, so nothing leaves int64 (`batch.exact_interest` is the same for arrays).
    """
    whole, rest = divmod(value, denominator)
    carry, remainder = divmod(rest * numerator, denominator)
    return whole * numerator + carry + (1 if 2 * remainder >= denominator else 0), 2 * remainder == denominator


@numba.njit(cache=True, nogil=True, inline="always")
def _principal(
    k: int, cents: float, open_balance: float, level: float, annuity: float, periods: int, in_grace: bool
) -> float:
    """The principal of installment k: none in grace, the whole balance in the last one, else the level part."""
    regular = max(min(level - cents * annuity, open_balance), 0.0)
    regular = open_balance if periods == k else regular
    return 0.0 if in_grace or k > periods else regular


@numba.njit(cache=True, nogil=True)
def amortise_rows(
    first_row: int,
    stop_row: int,
    balance: npt.NDArray[np.float64],
    level: npt.NDArray[np.float64],
    rate: npt.NDArray[np.int64],
    rate_per_unit: npt.NDArray[np.float64],
    scaled_den: npt.NDArray[np.int64],
    annuity: npt.NDArray[np.float64],
    periods: npt.NDArray[np.int64],
    grace: npt.NDArray[np.int64],
    capitalising: npt.NDArray[np.bool_],
    numerators: npt.NDArray[np.float64],
    combination: npt.NDArray[np.int64],
    offset: int,
    opening: npt.NDArray[np.int64],
    interest: npt.NDArray[np.int64],
    principal: npt.NDArray[np.int64],
    capitalised: npt.NDArray[np.int64],
) -> int:
    """Rows `first_row` .. `stop_row` - 1 of the loans in columns offset .. offset + len(balance).

    `balance` is each loan's opening balance of `first_row` and is left at the closing balance
    of the last row. `numerators` is (rows x calendars) and `combination` each loan's calendar;
    `capitalised` has a row per grace period of the longest grace. Returns the number of rows
    written, or TOO_LARGE.

    Each row is two passes over the loans: one gathers each loan's factor (rate x year fraction)
    from its calendar, the other, free of branches and gathers, computes the row with the
    processor's vector instructions and counts the loans whose interest lies near a half cent.
    Only a row that has any is passed over again, to redo those loans in integers.
    """
    loans = balance.shape[0]
    factor = np.empty(loans, dtype=np.float64)
    for row in range(first_row, stop_row):
        k = row + 1
        calendar_row = numerators[row]
        for j in range(loans):
            factor[j] = rate_per_unit[j] * calendar_row[combination[j]]
        row_opening = opening[row, offset : offset + loans]
        row_interest = interest[row, offset : offset + loans]
        row_principal = principal[row, offset : offset + loans]
        near_half = 0
        if row < capitalised.shape[0]:
            row_capitalised = capitalised[row, offset : offset + loans]
            for j in range(loans):
                open_balance = balance[j]
                shifted = open_balance * factor[j] + 0.5
                cents = np.floor(shifted)
                near_half += abs(shifted - cents - 0.5) > 0.5 - (1e-7 + shifted * 4e-15)
                cents = cents if k <= periods[j] else 0.0
                in_grace = grace[j] >= k
                regular = _principal(k, cents, open_balance, level[j], annuity[j], periods[j], in_grace)
                added = cents if in_grace and capitalising[j] else 0.0
                row_opening[j] = np.int64(open_balance)
                row_interest[j] = np.int64(cents)
                row_principal[j] = np.int64(regular)
                row_capitalised[j] = np.int64(added)
                balance[j] = open_balance + added - regular
        else:
            for j in range(loans):
                open_balance = balance[j]
                shifted = open_balance * factor[j] + 0.5
                cents = np.floor(shifted)
                near_half += abs(shifted - cents - 0.5) > 0.5 - (1e-7 + shifted * 4e-15)
                cents = cents if k <= periods[j] else 0.0
                regular = _principal(k, cents, open_balance, level[j], annuity[j], periods[j], False)
                row_opening[j] = np.int64(open_balance)
                row_interest[j] = np.int64(cents)
                row_principal[j] = np.int64(regular)
                balance[j] = open_balance - regular
        # Rarely: redo, in integers, the loans whose float interest lay near a half cent.
        for j in range(loans if near_half else 0):
            open_balance = float(row_opening[j])
            shifted = open_balance * factor[j] + 0.5
            if not abs(shifted - np.floor(shifted) - 0.5) > 0.5 - (1e-7 + shifted * 4e-15):
                continue
            if open_balance * rate[j] * 4 > INT64_LIMIT:
                return TOO_LARGE
            numerator = int(numerators[row, combination[j]])
            cents = float(ratio_half_up(row_opening[j] * rate[j], numerator, scaled_den[j])[0])
            cents = cents if k <= periods[j] else 0.0
            in_grace = grace[j] >= k
            regular = _principal(k, cents, open_balance, level[j], annuity[j], periods[j], in_grace)
            added = cents if in_grace and capitalising[j] else 0.0
            row_interest[j] = np.int64(cents)
            row_principal[j] = np.int64(regular)
            if row < capitalised.shape[0]:
                capitalised[row, offset + j] = np.int64(added)
            balance[j] = open_balance + added - regular
    return stop_row - first_row
