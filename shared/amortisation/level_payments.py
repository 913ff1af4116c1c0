"""The level payments of `batch.build_batch`, compiled: each loan's, set when its grace ends.

An annuity pays B r / (1 - (1 + r)^-n) per period (r the period rate, n the installments left),
rounded half-up to its installment multiple; a linear loan repays B / n of principal, rounded
half-up to the cent; a bullet has no level. The annuity is computed in float64 through
expm1/log1p, which is exact to a few units in the last place even for rates of a millionth; a
result within a hair of a rounding boundary is marked for the Decimal formula instead. An
annuity of two or more installments whose payment does not exceed one period's interest never
amortises (the Decimal path refuses it): it is marked refused when the float comparison is
clear, and marked for an exact integer comparison when it is not.
"""

from __future__ import annotations

import math

import numba
import numpy as np
import numpy.typing as npt

ANNUITY = 0
LINEAR = 1
RATE_SCALE = 1_000_000
REFUSED = 1
UNDECIDED = 2
"""`amortising` codes: refused, or too close to call in float64."""


@numba.njit(cache=True, nogil=True)
def set_levels(
    loans: npt.NDArray[np.int64],
    balance: npt.NDArray[np.float64],
    rate: npt.NDArray[np.int64],
    per_year: npt.NDArray[np.int64],
    installments: npt.NDArray[np.int64],
    multiple: npt.NDArray[np.int64],
    method: npt.NDArray[np.int8],
    level: npt.NDArray[np.float64],
    near_boundary: npt.NDArray[np.bool_],
    amortising: npt.NDArray[np.int8],
) -> None:
    """Set `level` of each loan in `loans` (indexes into the per-loan arrays) from its balance in cents.

    `installments` is each loan's count after its grace. Writes `near_boundary` (the annuity
    needs the Decimal formula) and `amortising` (REFUSED, UNDECIDED or 0) for those loans.
    """
    for i in loans:
        cents = np.int64(balance[i])
        count = installments[i]
        near_boundary[i] = False
        amortising[i] = 0
        if method[i] == LINEAR:
            level[i] = float((2 * cents + count) // (2 * count))
            continue
        if method[i] != ANNUITY:
            level[i] = 0.0
            continue
        unit = multiple[i]
        if rate[i] == 0:
            steps = (2 * cents + count * unit) // (2 * count * unit)
        else:
            r = rate[i] / (RATE_SCALE * per_year[i])
            exact = cents * r / -math.expm1(-float(count) * math.log1p(r)) / unit
            steps = np.int64(math.floor(exact + 0.5))
            near_boundary[i] = abs(exact - math.floor(exact) - 0.5) < 1e-6 + exact * 1e-11
        payment = steps * unit
        level[i] = float(payment)
        if count >= 2:
            scaled_level = float(payment) * RATE_SCALE * per_year[i]
            product = float(cents) * rate[i]
            if abs(scaled_level - product) <= 1e-9 * product + 1:
                amortising[i] = UNDECIDED
            elif scaled_level <= product:
                amortising[i] = REFUSED
