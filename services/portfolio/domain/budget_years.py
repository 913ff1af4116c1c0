"""Energy budget years in the book: the year's budget, what is committed, paid out and still available.

The commitments come from the applications' own events (approved, cancelled, paid out), which
carry business dates; a payout below its commitment returns the difference to the year on the
day of payout. The year's budget is the envelope it was opened with.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.portfolio.domain.drawing_rights import ChangeOrder
from services.portfolio.domain.loans import ZERO, Instrument, LoanFile


@dataclass
class BudgetYearFile:
    budget_year: int
    budgets: list[tuple[ChangeOrder, Decimal]] = field(default_factory=list)


@dataclass(frozen=True)
class BudgetYearLine:
    budget_year: int
    budget: Decimal
    committed: Decimal
    disbursed: Decimal
    applications: int
    loans: int

    @property
    def available(self) -> Decimal:
        return self.budget - self.committed - self.disbursed


def budget_year_line(year: BudgetYearFile, loans: Iterable[LoanFile], as_of: date) -> BudgetYearLine | None:
    committed = disbursed = ZERO
    applications = paid_out = 0
    for loan in loans:
        if loan.instrument is not Instrument.ENERGY or loan.budget_year != year.budget_year:
            continue
        paid = loan.paid_out(as_of)
        pending = loan.pending_commitment(as_of)
        if paid is not None:
            disbursed += paid
            paid_out += 1
        elif pending is not None:
            committed += pending
        else:
            continue
        applications += 1
    budgets = sorted((order, amount) for order, amount in year.budgets if order[0] <= as_of)
    if not budgets:
        return None
    budget = budgets[-1][1]
    return BudgetYearLine(year.budget_year, budget, committed, disbursed, applications, paid_out)
