"""The dated events of a live loan: repayments, prepayments and rate resets.

Amounts are euro with two decimals and must be positive; a reset rate is a fraction with at most
six decimals, like `LoanTerms.annual_rate`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.money import CENT, MONEY_LIMIT
from shared.amortisation.terms import RATE_QUANTUM


class PrepaymentMode(enum.StrEnum):
    REDUCE_TERM = "reduce_term"
    REDUCE_INSTALLMENT = "reduce_installment"


def _positive_money(amount: Decimal) -> None:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise InvalidTerms("amount", "must be a Decimal amount such as Decimal('100.00')")
    if amount <= 0:
        raise InvalidTerms("amount", "must be greater than 0.00")
    if amount >= MONEY_LIMIT:
        raise InvalidTerms("amount", "must stay below 10000000000000000.00")
    if amount != amount.quantize(CENT):
        raise InvalidTerms("amount", f"{amount} has more than two decimals")


def _mode(value: PrepaymentMode | str) -> PrepaymentMode:
    try:
        return PrepaymentMode(value)
    except ValueError:
        raise InvalidTerms("mode", f"{value!r} is not one of reduce_term | reduce_installment") from None


@dataclass(frozen=True)
class Repayment:
    """Money received on `on`; what is left after everything due becomes a prepayment in `surplus_mode`."""

    on: date
    amount: Decimal
    surplus_mode: PrepaymentMode = PrepaymentMode.REDUCE_INSTALLMENT

    def __post_init__(self) -> None:
        _positive_money(self.amount)
        object.__setattr__(self, "surplus_mode", _mode(self.surplus_mode))


@dataclass(frozen=True)
class Prepayment:
    """Extra principal paid on `on`: it reduces only the principal not yet due (arrears stay)."""

    on: date
    amount: Decimal
    mode: PrepaymentMode = PrepaymentMode.REDUCE_INSTALLMENT

    def __post_init__(self) -> None:
        _positive_money(self.amount)
        object.__setattr__(self, "mode", _mode(self.mode))


@dataclass(frozen=True)
class RateReset:
    """A variable-rate loan's new annual rate from `on` on."""

    on: date
    annual_rate: Decimal

    def __post_init__(self) -> None:
        rate = self.annual_rate
        if not isinstance(rate, Decimal) or not rate.is_finite() or rate < 0 or rate >= 1:
            raise InvalidTerms("annual_rate", "is a fraction (0.035 for 3.5 %) in [0, 1)")
        if rate != rate.quantize(RATE_QUANTUM):
            raise InvalidTerms("annual_rate", "must have at most 6 decimals")
        if rate.is_zero():
            object.__setattr__(self, "annual_rate", abs(rate))


LoanEvent = Repayment | Prepayment | RateReset
