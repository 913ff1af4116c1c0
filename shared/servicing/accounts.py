"""A serviced loan as the shared core sees it, whatever table a service keeps it in.

`LoanStatus` is the life cycle every lender shares: a loan is submitted, approved (or rejected),
then disbursed, or cancelled when it will not be paid out; a disbursed loan may default, be
written off, or be settled when nothing is owed any more. `ProductRules` are the limits a
product sets on changes to a live loan and the late-interest policy of its contracts.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.reference_rates import (
    Collateral,
    Rating,
    late_payment_collection_fee,
    legal_late_payment_rate,
)
from shared.amortisation.terms import LoanTerms
from shared.platform.rules import Conflict


class LoanStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    DISBURSED = "disbursed"
    DEFAULTED = "defaulted"
    WRITTEN_OFF = "written_off"
    SETTLED = "settled"
    CONVERTED = "converted"  # a convertible loan that became shares: nothing is owed any more


IN_SERVICE = (LoanStatus.DISBURSED, LoanStatus.DEFAULTED)


class LateInterestKind(enum.StrEnum):
    """How a product's contracts charge late payment."""

    CONTRACTUAL = "contractual"  # the contract rate in force plus a margin
    LEGAL = "legal"  # the Belgian legal rate for commercial transactions and its EUR 40 fee


@dataclass(frozen=True)
class ProductRules:
    """What a product allows on a live loan, from its published parameters (settings, not code)."""

    name: str
    max_term_months: int
    late_interest: LateInterestKind = LateInterestKind.CONTRACTUAL
    late_interest_margin: Decimal = Decimal("0.02")

    def late_interest_policy(self) -> LateInterestPolicy:
        return late_interest_policy(self.late_interest, self.late_interest_margin)


def late_interest_policy(kind: LateInterestKind, margin: Decimal) -> LateInterestPolicy:
    """The engine's policy for a product's late-interest setting (the margin only counts for contractual)."""
    if kind is LateInterestKind.LEGAL:
        return LateInterestPolicy.legal(legal_late_payment_rate, late_payment_collection_fee())
    return LateInterestPolicy.over_contract_rate(margin)


@dataclass
class LoanAccount:
    """A loan's servicing state. `terms` are the contract as disbursed; `parties` identify it in events.

    `enterprise_number`, `rating` and `collateral` are what state aid is valued and registered on.
    """

    id: str
    status: LoanStatus
    terms: LoanTerms
    enterprise_number: str
    rating: Rating
    collateral: Collateral
    disbursed_on: date | None = None
    defaulted_on: date | None = None
    settled_on: date | None = None
    written_off_on: date | None = None
    written_off_amount: Decimal | None = None
    status_reason: str | None = None
    parties: Mapping[str, str] = field(default_factory=dict)

    def ensure_status(self, allowed: tuple[LoanStatus, ...], action: str) -> None:
        if self.status not in allowed:
            expected = " or ".join(status.value for status in allowed)
            raise Conflict(f"loan {self.id} is {self.status.value}; {action} needs it to be {expected}")

    @property
    def in_service_status(self) -> LoanStatus:
        """The status of a loan that is being repaid: defaulted once declared so, else disbursed."""
        return LoanStatus.DEFAULTED if self.defaulted_on is not None else LoanStatus.DISBURSED
