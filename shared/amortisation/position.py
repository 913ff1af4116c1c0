"""The state of a live loan on one date, as `LiveLoan.position` reports it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


class PositionStatus(enum.StrEnum):
    """Whether the borrower is up to date: nothing overdue, something overdue, or nothing owed ever again."""

    CURRENT = "current"
    IN_ARREARS = "in_arrears"
    SETTLED = "settled"


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
class InstallmentOwed:
    """An installment of the schedule in force and what it still asks for (0 once paid, even ahead)."""

    number: int
    due_date: date
    amount: Decimal
    owed: Decimal


@dataclass(frozen=True)
class LoanPosition:
    """A loan as of the end of `as_of` (events on that day included).

    `outstanding_principal` = principal + capitalised interest - principal repaid - prepaid; it
    includes overdue principal. `accrued_interest` is the contractual interest of the open period
    from its start to `as_of`, not yet due; `interest_paid_ahead` is the interest already paid on
    that installment and any later one before their due dates. `late_interest` and
    `collection_fees` are charged and unpaid.
    `days_past_due` is that of the oldest unpaid installment (0 if none). `status` is in_arrears
    while anything due (installments, late interest, fees) is unpaid, settled when nothing is owed
    now or later, else current.
    """

    as_of: date
    status: PositionStatus
    annual_rate: Decimal
    outstanding_principal: Decimal
    principal_not_yet_due: Decimal
    accrued_interest: Decimal
    interest_paid_ahead: Decimal
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
        """What settles the loan if paid on `as_of`: a repayment of at least this amount that day settles it.

        Overdue installments, late interest and collection fees; the open period's interest accrued
        until `as_of`; and the principal not yet due. Interest paid ahead counts against the accrued
        interest, and what exceeds it as principal repaid (interest of a period that never runs is
        not kept).
        """
        zero = Decimal("0.00")
        arrears = sum((line.outstanding for line in self.arrears), zero)
        open_interest = max(self.accrued_interest - self.interest_paid_ahead, zero)
        credit = max(self.interest_paid_ahead - self.accrued_interest, zero)
        principal = max(self.principal_not_yet_due - credit, zero)
        return arrears + self.late_interest + self.collection_fees + open_interest + principal
