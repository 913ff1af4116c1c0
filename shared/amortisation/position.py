"""The state of a live loan on one date, as `LiveLoan.position` reports it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class ArrearsLine:
    """An installment due on or before the position date and not fully paid."""

    number: int
    due_date: date
    interest_due: Decimal
    principal_due: Decimal
    interest_paid: Decimal
    principal_paid: Decimal
    interest_outstanding: Decimal
    principal_outstanding: Decimal
    days_past_due: int

    @property
    def outstanding(self) -> Decimal:
        return self.interest_outstanding + self.principal_outstanding


@dataclass(frozen=True)
class LoanPosition:
    """A loan as of the end of `as_of` (events on that day included).

    `outstanding_principal` = principal + capitalised interest - principal repaid - prepaid; it
    includes overdue principal. `accrued_interest` is the contractual interest of the open period
    from its start to `as_of`, not yet due. `late_interest` and `collection_fees` are charged and
    unpaid. `days_past_due` is that of the oldest unpaid installment (0 if none).
    """

    as_of: date
    annual_rate: Decimal
    outstanding_principal: Decimal
    principal_not_yet_due: Decimal
    accrued_interest: Decimal
    arrears: tuple[ArrearsLine, ...]
    total_arrears: Decimal
    days_past_due: int
    late_interest: Decimal
    collection_fees: Decimal
    next_due_date: date | None
    principal_repaid: Decimal
    prepaid: Decimal
    capitalised_interest: Decimal
    late_interest_paid: Decimal

    @property
    def payoff_amount(self) -> Decimal:
        """Everything owed if the loan were settled on `as_of`."""
        arrears_interest = sum((line.interest_outstanding for line in self.arrears), Decimal("0.00"))
        return (
            self.outstanding_principal
            + arrears_interest
            + self.accrued_interest
            + self.late_interest
            + self.collection_fees
        )
