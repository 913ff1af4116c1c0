"""The rows of `batch.build_batch` after every grace period has ended, compiled.

From the first row after the longest grace period on, each loan's row follows from its balance
and its level payment alone: the period's interest (the balance times the period's year fraction,
rounded half-up to the cent), then the principal (the level payment less that interest, or the
whole balance in the last period; a linear loan's level is its principal part). numpy would make
some twenty passes over the loans per row; this makes one, and writes each row where the
(periods x loans) outputs expect it.

The interest is computed in float64, which is exact for these integers below 2^52 up to a few
units in the last place: when the result lies within that distance of a half cent, it is
recomputed in integers (`ratio_half_up`), so the cents are those of the Decimal path.
"""

from __future__ import annotations

import math

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


@numba.njit(cache=True, nogil=True)
def amortise_rows(
    first_row: int,
    balance: npt.NDArray[np.float64],
    level: npt.NDArray[np.float64],
    rate: npt.NDArray[np.int64],
    rate_per_unit: npt.NDArray[np.float64],
    scaled_den: npt.NDArray[np.int64],
    annuity: npt.NDArray[np.float64],
    periods: npt.NDArray[np.int64],
    numerators: npt.NDArray[np.float64],
    combination: npt.NDArray[np.int64],
    offset: int,
    opening: npt.NDArray[np.int64],
    interest: npt.NDArray[np.int64],
    principal: npt.NDArray[np.int64],
) -> int:
    """Rows `first_row` .. of the loans in columns offset .. offset + len(balance); `balance` is left at the end.

    `numerators` is (rows x calendars) and `combination` each loan's calendar. Returns the number
    of rows written, or TOO_LARGE.
    """
    loans = balance.shape[0]
    for row in range(first_row, opening.shape[0]):
        k = row + 1
        for j in range(loans):
            column = offset + j
            open_balance = balance[j]
            opening[row, column] = np.int64(open_balance)
            if k > periods[j]:
                interest[row, column] = 0
                principal[row, column] = 0
                continue
            numerator = numerators[row, combination[j]]
            shifted = open_balance * (rate_per_unit[j] * numerator) + 0.5
            row_interest = math.floor(shifted)
            if abs(shifted - row_interest - 0.5) > 0.5 - (1e-7 + shifted * 4e-15):
                if open_balance * rate[j] * 4 > INT64_LIMIT:
                    return TOO_LARGE
                row_interest = float(ratio_half_up(int(open_balance) * rate[j], int(numerator), scaled_den[j])[0])
            regular = max(min(level[j] - row_interest * annuity[j], open_balance), 0.0)
            if periods[j] == k:
                regular = open_balance
            interest[row, column] = np.int64(row_interest)
            principal[row, column] = np.int64(regular)
            balance[j] = open_balance - regular
    return int(opening.shape[0] - first_row)
