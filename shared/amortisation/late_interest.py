"""Late-payment interest: the policy, and simple interest on overdue amounts.

Late interest is simple interest on what is overdue (unpaid principal plus unpaid contractual
interest of installments past their due date; never on late interest or fees), counted in days
from the due date until the day of payment (exclusive) on an ACT/365 basis. The rate is either
the contract's late rate or a callable such as the Belgian legal rate, which changes per half
year: the callable is asked for every day and the accrual is split where its answer changes.

The engine keeps the accrued amount unrounded and rounds the running total half-up to the cent
whenever it is shown or allocated, so splitting at rate changes or repayments adds no cent drift.

The optional collection fee is the flat indemnity of the law of 2 August 2002 on late payment in
commercial transactions (EUR 40.00): charged once for every installment still unpaid at the end
of its due date, never twice, and bearing no late interest itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.money import CENT, exact

LateRate = Callable[[date], Decimal]

STATUTORY_COLLECTION_FEE = Decimal("40.00")
LATE_DAY_BASIS = 365


def _check_rate(field: str, rate: object) -> Decimal:
    if not isinstance(rate, Decimal) or not rate.is_finite():
        raise InvalidTerms(field, "must be a finite Decimal fraction (0.125 for 12.5 %)")
    if rate < 0 or rate >= 1:
        raise InvalidTerms(field, "is a fraction (0.125 for 12.5 %) and must be in [0, 1)")
    return rate


@dataclass(frozen=True)
class LateInterestPolicy:
    """Exactly one of `rate` (fixed late rate), `margin` (over the contract rate) or `late_rate` (a callable)."""

    rate: Decimal | None = None
    late_rate: LateRate | None = None
    collection_fee: Decimal | None = None
    margin: Decimal | None = None

    def __post_init__(self) -> None:
        given = [value for value in (self.rate, self.late_rate, self.margin) if value is not None]
        if len(given) != 1:
            raise InvalidTerms(
                "late_interest", "give exactly one of rate (fixed), margin (over the contract rate) or late_rate"
            )
        if self.rate is not None:
            _check_rate("late_interest.rate", self.rate)
        if self.margin is not None:
            _check_rate("late_interest.margin", self.margin)
        fee = self.collection_fee
        if fee is not None and (fee <= 0 or fee != fee.quantize(CENT)):
            raise InvalidTerms("late_interest.collection_fee", "must be a positive amount with two decimals")

    @classmethod
    def contractual(cls, rate: Decimal, collection_fee: Decimal | None = None) -> LateInterestPolicy:
        return cls(rate=rate, collection_fee=collection_fee)

    @classmethod
    def over_contract_rate(cls, margin: Decimal, collection_fee: Decimal | None = None) -> LateInterestPolicy:
        return cls(margin=margin, collection_fee=collection_fee)

    @classmethod
    def legal(cls, late_rate: LateRate, collection_fee: Decimal | None = None) -> LateInterestPolicy:
        return cls(late_rate=late_rate, collection_fee=collection_fee)

    def rate_runs(self, start: date, end: date, contract_rate: Decimal) -> list[tuple[int, Decimal]]:
        """(days, rate) runs covering the days start .. end - 1, split where the rate changes.

        `contract_rate` is the loan's rate in force over the whole interval (the ledger splits its
        accruals at rate resets).
        """
        if end <= start:
            return []
        if self.rate is not None:
            return [((end - start).days, self.rate)]
        if self.margin is not None:
            with exact():
                return [((end - start).days, _check_rate("late_interest", contract_rate + self.margin))]
        late_rate = self.late_rate
        assert late_rate is not None
        runs: list[tuple[int, Decimal]] = []
        day = start
        while day < end:
            rate = _check_rate("late_rate", late_rate(day))
            if runs and runs[-1][1] == rate:
                runs[-1] = (runs[-1][0] + 1, rate)
            else:
                runs.append((1, rate))
            day += timedelta(days=1)
        return runs


def accrue_late_interest(
    base: Decimal, policy: LateInterestPolicy, start: date, end: date, contract_rate: Decimal
) -> Decimal:
    """Unrounded simple interest on `base` for the days start .. end - 1 (ACT/365)."""
    with exact():
        total = Decimal(0)
        for days, rate in policy.rate_runs(start, end, contract_rate):
            total += base * rate * days / LATE_DAY_BASIS
        return total
