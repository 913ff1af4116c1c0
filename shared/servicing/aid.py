"""State aid created by changing a live loan: a rate reset or a restructuring below the market.

A change on date D is a new aid measure granted on D. Its value is the gross grant equivalent,
at the reference and discount rates in force on D (borrower's rating and collateral), of the
remaining schedule on the new terms minus that of the remaining schedule on the old terms, never
below zero: a loan that only became cheaper than the market because market rates rose carries
no new aid, and a change that raises the rate takes no aid back. What is valued is stored with the
rates it was valued at.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.money import CENT, ZERO
from shared.amortisation.reference_rates import Collateral, Rating, quote
from shared.amortisation.state_aid import GgeResult, gross_grant_equivalent
from shared.amortisation.terms import LoanTerms


@dataclass(frozen=True)
class AidValuation:
    """A gross grant equivalent with the date and the rates it was computed at."""

    grant_date: date
    gge: Decimal
    reference_rate: Decimal
    discount_rate: Decimal

    @classmethod
    def of(cls, grant_date: date, result: GgeResult) -> AidValuation:
        return cls(grant_date, result.gge, result.reference_rate, result.discount_rate)


class ValuedRow(Protocol):
    """A row that keeps its last aid valuation: a SIFO loan, an energy application."""

    gge: Decimal
    gge_on: date
    gge_reference_rate: Decimal
    gge_discount_rate: Decimal


def valuation_of(row: ValuedRow) -> AidValuation:
    return AidValuation(row.gge_on, row.gge, row.gge_reference_rate, row.gge_discount_rate)


def remaining_terms(live: LiveLoan, on: date, principal: Decimal, annual_rate: Decimal) -> LoanTerms | None:
    """The rest of `live`'s schedule after `on` as terms starting on `on` (None when nothing is left).

    The first remaining installment keeps its due date (a broken first period when `on` is not a
    due date); grace not yet used stays grace. Payments are valued unrounded (multiple 0.01).
    """
    rows = live.schedule(on).installments
    left = [row for row in rows if row.due_date > on]
    if not left or principal <= 0:
        return None
    contract = live.terms
    grace_left = max(0, contract.grace_periods - (len(rows) - len(left)))
    return LoanTerms(
        principal=principal,
        annual_rate=annual_rate,
        periods=len(left),
        start_date=on,
        frequency=contract.frequency,
        method=contract.method,
        day_count=contract.day_count,
        grace_periods=min(grace_left, len(left) - 1),
        grace_kind=contract.grace_kind,
        installment_multiple=CENT,
        first_due_date=left[0].due_date,
    )


def aid_of_change(
    before: LoanTerms | None, after: LoanTerms | None, on: date, rating: Rating, collateral: Collateral
) -> AidValuation:
    rates = quote(on, rating, collateral)
    gained = ZERO
    if after is not None:
        gained = gross_grant_equivalent(after, on, rating, collateral).gge
        if before is not None:
            gained -= gross_grant_equivalent(before, on, rating, collateral).gge
    return AidValuation(on, max(gained, ZERO), rates.reference_rate, rates.discount_rate)
