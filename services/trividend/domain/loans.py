"""Trividend's loan products (subordinated: 4-10 years, 3-7 %; convertible), as proposals ask for them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from shared.amortisation.reference_rates import Collateral, Rating
from shared.platform.rules import RuleViolation
from shared.servicing.accounts import ProductRules

from services.trividend.domain.decisions import Instrument


@dataclass(frozen=True)
class LoanTermsRequest:
    """What a loan proposal asks: the rate and term, the risk that prices it, and the contract's options."""

    annual_rate: Decimal
    periods: int
    rating: Rating
    collateral: Collateral
    sifo_loan_id: str | None = None
    interest_converts: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "annual_rate": str(self.annual_rate),
            "periods": self.periods,
            "rating": self.rating.value,
            "collateral": self.collateral.value,
            "sifo_loan_id": self.sifo_loan_id,
            "interest_converts": self.interest_converts,
        }

    @classmethod
    def from_json(cls, text: str) -> LoanTermsRequest:
        data = json.loads(text)
        return cls(
            annual_rate=Decimal(data["annual_rate"]),
            periods=int(data["periods"]),
            rating=Rating(data["rating"]),
            collateral=Collateral(data["collateral"]),
            sifo_loan_id=data["sifo_loan_id"],
            interest_converts=bool(data["interest_converts"]),
        )


def check_loan_terms(instrument: Instrument, terms: LoanTermsRequest | None, rules: LoanProduct) -> None:
    """A loan proposal carries terms within the product's published ranges; equity carries none."""
    if instrument is Instrument.EQUITY:
        if terms is not None:
            raise RuleViolation("loan", "an equity proposal has no loan terms")
        return
    if terms is None:
        raise RuleViolation("loan", f"a {instrument.value} proposal needs its loan terms")
    if not rules.min_rate <= terms.annual_rate <= rules.max_rate:
        raise RuleViolation(
            "loan.annual_rate", f"{terms.annual_rate} is outside the product's {rules.min_rate}..{rules.max_rate}"
        )
    if not rules.min_term_months <= terms.periods <= rules.max_term_months:
        raise RuleViolation(
            "loan.periods",
            f"{terms.periods} months is outside the product's {rules.min_term_months}..{rules.max_term_months}",
        )
    if terms.interest_converts and instrument is not Instrument.CONVERTIBLE_LOAN:
        raise RuleViolation("loan.interest_converts", "only a convertible loan converts its interest")


@dataclass(frozen=True)
class LoanProduct:
    """Trividend's published loan parameters (settings): rate and term ranges, late interest."""

    rules: ProductRules
    min_rate: Decimal = Decimal("0.03")
    max_rate: Decimal = Decimal("0.07")
    min_term_months: int = 48
    max_term_months: int = 120
