"""How a repayment is allocated: the waterfall and the breakdown it records.

The order, every step taking what is left of the amount:

1. late interest accrued and unpaid (one running total, rounded half-up to the cent);
2. collection fees charged and unpaid;
3. interest of the overdue installments (due before the repayment date), oldest first;
4. principal of the overdue installments, oldest first;
5. the installment due on the repayment date itself, if any: interest, then principal;
6. the surplus: a prepayment of the principal not yet due (mode chosen on the repayment), and
   whatever exceeds even that is `excess` (to be refunded), so the parts always add up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.amortisation.loan_events import PrepaymentMode
from shared.amortisation.money import ZERO


@dataclass(frozen=True)
class Owed:
    """What one installment still owes at the repayment date."""

    number: int
    due_date: date
    interest: Decimal
    principal: Decimal


@dataclass(frozen=True)
class InstallmentAllocation:
    number: int
    due_date: date
    interest: Decimal
    principal: Decimal


@dataclass(frozen=True)
class Waterfall:
    late_interest: Decimal
    collection_fees: Decimal
    installments: tuple[InstallmentAllocation, ...]
    surplus: Decimal


@dataclass(frozen=True)
class Allocation:
    """The breakdown of one payment received (a Repayment or a Prepayment event)."""

    on: date
    amount: Decimal
    late_interest: Decimal
    collection_fees: Decimal
    installments: tuple[InstallmentAllocation, ...]
    prepayment: Decimal
    prepayment_mode: PrepaymentMode
    excess: Decimal

    @property
    def interest(self) -> Decimal:
        return sum((line.interest for line in self.installments), ZERO)

    @property
    def principal(self) -> Decimal:
        return sum((line.principal for line in self.installments), ZERO)

    @property
    def total(self) -> Decimal:
        """The sum of the parts; always equal to `amount`."""
        return (
            self.late_interest + self.collection_fees + self.interest + self.principal + self.prepayment + self.excess
        )


def waterfall(
    amount: Decimal,
    late_interest: Decimal,
    collection_fees: Decimal,
    overdue: Sequence[Owed],
    current: Owed | None,
) -> Waterfall:
    """Steps 1-5 of the module docstring; `overdue` must be oldest first."""
    remaining = amount

    def take(owed: Decimal) -> Decimal:
        nonlocal remaining
        paid = min(owed, remaining)
        remaining -= paid
        return paid

    late_paid = take(late_interest)
    fees_paid = take(collection_fees)
    interest_paid = [take(owed.interest) for owed in overdue]
    principal_paid = [take(owed.principal) for owed in overdue]
    lines = [
        InstallmentAllocation(owed.number, owed.due_date, interest, principal)
        for owed, interest, principal in zip(overdue, interest_paid, principal_paid, strict=True)
    ]
    if current is not None:
        interest = take(current.interest)
        lines.append(InstallmentAllocation(current.number, current.due_date, interest, take(current.principal)))
    paid_lines = tuple(line for line in lines if line.interest or line.principal)
    return Waterfall(late_paid, fees_paid, paid_lines, remaining)
