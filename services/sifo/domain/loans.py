"""SIFO co-financed loans: limits, market-conform pricing and the life cycle.

Published parameters (docs/programmes.md) are a `SifoPolicy` value the service reads from settings, not
constants in the rules: SIFO's share is at most two thirds of the credit and EUR 350,000, the
term at most ten years, unless the strategic committee approved an exception.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from shared.amortisation.reference_rates import RateQuote
from shared.amortisation.terms import LoanTerms
from shared.platform.rules import Conflict, RuleViolation
from shared.servicing.accounts import LateInterestKind, LoanStatus, ProductRules

__all__ = ["LoanRequest", "LoanStatus", "LoanType", "Pricing", "SifoPolicy", "ensure_status"]


class LoanType(enum.StrEnum):
    INVESTMENT = "investment"
    WORKING_CAPITAL = "working_capital"
    SUBORDINATED = "subordinated"
    BRIDGING = "bridging"
    MICROCREDIT = "microcredit"


@dataclass(frozen=True)
class SifoPolicy:
    max_share_numerator: int = 2
    max_share_denominator: int = 3
    max_sifo_share: Decimal = Decimal("350000.00")
    max_term_months: int = 120
    late_interest: LateInterestKind = LateInterestKind.CONTRACTUAL
    late_interest_margin: Decimal = Decimal("0.02")

    @property
    def rules(self) -> ProductRules:
        """What the shared servicing core enforces on a live SIFO loan."""
        return ProductRules("SIFO", self.max_term_months, self.late_interest, self.late_interest_margin)


@dataclass(frozen=True)
class LoanRequest:
    """A credit as submitted: the SIFO share is what the schedule and the aid are computed on."""

    total_credit: Decimal
    sifo_share: Decimal
    terms: LoanTerms
    committee_reference: str | None

    def check(self, policy: SifoPolicy) -> None:
        if self.sifo_share > self.total_credit:
            raise RuleViolation("sifo_share", f"{self.sifo_share} exceeds total_credit {self.total_credit}")
        if self.sifo_share * policy.max_share_denominator > self.total_credit * policy.max_share_numerator:
            raise RuleViolation(
                "sifo_share",
                f"{self.sifo_share} exceeds two thirds of total_credit {self.total_credit}",
            )
        if self.terms.principal != self.sifo_share:
            raise RuleViolation("terms.principal", f"{self.terms.principal} must equal sifo_share {self.sifo_share}")
        exception = bool(self.committee_reference and self.committee_reference.strip())
        if self.sifo_share > policy.max_sifo_share and not exception:
            raise RuleViolation(
                "sifo_share",
                f"{self.sifo_share} exceeds the per-loan maximum {policy.max_sifo_share}; "
                "a larger share needs the strategic committee's approval (committee_reference)",
            )
        months = self.terms.periods * self.terms.frequency.months
        if months > policy.max_term_months and not exception:
            raise RuleViolation(
                "terms.periods",
                f"a term of {months} months exceeds the maximum of {policy.max_term_months} months; "
                "a longer term needs the strategic committee's approval (committee_reference)",
            )


@dataclass(frozen=True)
class Pricing:
    """The market-conform reference rate and the rate actually applied (fund policy may override)."""

    quote: RateQuote
    applied_rate: Decimal
    override_reason: str | None

    @classmethod
    def decide(cls, quote: RateQuote, override_rate: Decimal | None, override_reason: str | None) -> Pricing:
        if override_rate is None:
            if override_reason:
                raise RuleViolation("rate_override.rate", "is required when a reason for an override is given")
            return cls(quote=quote, applied_rate=quote.reference_rate, override_reason=None)
        if not override_reason or not override_reason.strip():
            raise RuleViolation(
                "rate_override.reason",
                f"is required: the rate {override_rate} departs from the reference rate {quote.reference_rate}",
            )
        return cls(quote=quote, applied_rate=override_rate, override_reason=override_reason.strip())


def ensure_status(current: LoanStatus, allowed: tuple[LoanStatus, ...], action: str, loan_id: str) -> None:
    if current not in allowed:
        expected = " or ".join(status.value for status in allowed)
        raise Conflict(f"loan {loan_id} is {current.value}; {action} needs it to be {expected}")
