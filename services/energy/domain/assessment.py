"""The figures PFV decides an energy loan on: debt service against savings, payback, CO2 and aid.

* `yearly_debt_service`: the payments of the first full year of repayments, i.e. the installments
  numbered grace_periods + 1 to grace_periods + installments per year (12 for monthly terms). For
  the standard terms (1 %, 120 monthly annuity installments, no grace) this is 12 x the level
  payment. A schedule shorter than a year counts all its amortising installments.
* `savings_coverage_ratio`: total yearly savings / yearly debt service, half-up to 2 decimals;
  None when nothing is paid in that year (a zero-rate bullet loan).
* `simple_payback_years`: total investment cost / total yearly savings, half-up to 2 decimals;
  None when the installations save nothing.
* `co2_avoided_tonnes_per_year`: total yearly_production_kwh x emission factor (kg/kWh) / 1000,
  half-up to 3 decimals. A simplification: every kWh produced (PV) or delivered as heat (heat pump,
  solar boiler) is valued at the grid emission factor, although heat replaces fuel with another
  factor and a heat pump itself uses electricity.
* `gge`: the gross grant equivalent on `grant_date` against the reference rate for the borrower's
  rating and collateral (`state_aid.gross_grant_equivalent`).
* De minimis: `headroom_before` is the headroom of the enterprise's single undertaking on
  `grant_date` without this loan, as the state-aid register gives it;
  `headroom_after` adds this loan's GGE to `used` (its `available` never goes below 0.00); `exceeds`
  says whether the GGE is larger than the headroom before, i.e. whether the loan cannot be granted
  as de minimis aid as it stands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from shared.amortisation.money import TONNE_QUANTUM, ZERO, exact, round_half_up
from shared.amortisation.reference_rates import DEFAULT_RATE_TABLE, Collateral, RateTable, Rating
from shared.amortisation.schedule import Schedule, build_schedule
from shared.amortisation.state_aid import GgeResult, Headroom, gross_grant_equivalent
from shared.amortisation.terms import Frequency, LoanTerms
from shared.platform.rules import RuleViolation
from shared.servicing.accounts import LateInterestKind, ProductRules

from services.energy.domain.installations import (
    DEFAULT_RANGES,
    Installation,
    PlausibilityRanges,
    PlausibilityWarning,
    check_installations,
    plausibility_warnings,
    total_investment_cost,
    total_yearly_production_kwh,
    total_yearly_savings,
)

KG_PER_TONNE = Decimal(1000)


@dataclass(frozen=True)
class EnergyProgramme:
    """The programme's published parameters (docs/programmes.md), as data the service reads from settings.

    `emission_factor_kg_per_kwh`: the published figure is about 0.17-0.22 kg CO2 per kWh for the Belgian grid;
    0.20 is its midpoint (0.195) to two decimals, erring on the side of the fossil share.
    """

    yearly_budget: Decimal = Decimal("5000000.00")
    budget_article: str = "JB0-1JEC2GB-PA"
    annual_rate: Decimal = Decimal("0.01")
    term_months: int = 120
    frequency: Frequency = Frequency.MONTHLY
    emission_factor_kg_per_kwh: Decimal = Decimal("0.20")
    late_interest: LateInterestKind = LateInterestKind.CONTRACTUAL
    late_interest_margin: Decimal = Decimal("0.02")
    max_term_months: int = 120

    @property
    def rules(self) -> ProductRules:
        """What the shared servicing core enforces on a live energy loan."""
        return ProductRules("energy loan", self.max_term_months, self.late_interest, self.late_interest_margin)

    def terms(self, principal: Decimal, start_date: date) -> LoanTerms:
        """The standard energy loan terms: fixed rate, annuity, repaid over `term_months`."""
        if self.term_months % self.frequency.months:
            raise RuleViolation(
                "term_months", f"{self.term_months} is not a whole number of {self.frequency.value} periods"
            )
        return LoanTerms(
            principal=principal,
            annual_rate=self.annual_rate,
            periods=self.term_months // self.frequency.months,
            start_date=start_date,
            frequency=self.frequency,
        )


@dataclass(frozen=True)
class Assessment:
    terms: LoanTerms
    schedule: Schedule
    total_investment_cost: Decimal
    total_yearly_savings: Decimal
    total_yearly_production_kwh: Decimal
    yearly_debt_service: Decimal
    savings_coverage_ratio: Decimal | None
    simple_payback_years: Decimal | None
    emission_factor_kg_per_kwh: Decimal
    co2_avoided_tonnes_per_year: Decimal
    gge: GgeResult
    enterprise_number: str
    grant_date: date
    headroom_before: Headroom
    headroom_after: Headroom
    exceeds: bool
    warnings: tuple[PlausibilityWarning, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "terms": self.terms.to_json(),
            "schedule": self.schedule.to_json(),
            "total_investment_cost": str(self.total_investment_cost),
            "total_yearly_savings": str(self.total_yearly_savings),
            "total_yearly_production_kwh": str(self.total_yearly_production_kwh),
            "yearly_debt_service": str(self.yearly_debt_service),
            "savings_coverage_ratio": None if self.savings_coverage_ratio is None else str(self.savings_coverage_ratio),
            "simple_payback_years": None if self.simple_payback_years is None else str(self.simple_payback_years),
            "emission_factor_kg_per_kwh": str(self.emission_factor_kg_per_kwh),
            "co2_avoided_tonnes_per_year": str(self.co2_avoided_tonnes_per_year),
            "gge": self.gge.to_json(),
            "de_minimis": {
                "enterprise_number": self.enterprise_number,
                "grant_date": self.grant_date.isoformat(),
                "before": self.headroom_before.to_json(),
                "after": self.headroom_after.to_json(),
                "exceeds": self.exceeds,
            },
            "warnings": [warning.to_json() for warning in self.warnings],
        }


def yearly_debt_service(schedule: Schedule) -> Decimal:
    """Sum of the payments of the first full year after any grace (module docstring)."""
    terms = schedule.terms
    first = terms.grace_periods
    year = schedule.installments[first : first + terms.frequency.per_year]
    return sum((row.payment for row in year), ZERO)


def assess(
    terms: LoanTerms,
    installations: Sequence[Installation],
    grant_date: date,
    rating: Rating,
    collateral: Collateral,
    emission_factor_kg_per_kwh: Decimal,
    headroom_for: Callable[[Decimal], Headroom],
    enterprise_number: str,
    *,
    ranges: PlausibilityRanges = DEFAULT_RANGES,
    rates: RateTable = DEFAULT_RATE_TABLE,
) -> Assessment:
    """The assessment of a loan on `terms` financing `installations` (figures: module docstring).

    `headroom_for(gge)` is what the state-aid register says a grant to the enterprise's single
    undertaking on `grant_date` may carry; it is given this loan's GGE, so a loan without aid need
    not ask the register.
    """
    check_installations(installations)
    if emission_factor_kg_per_kwh < 0:
        raise RuleViolation("emission_factor_kg_per_kwh", f"{emission_factor_kg_per_kwh} must not be negative")
    schedule = build_schedule(terms)
    cost = total_investment_cost(installations)
    savings = total_yearly_savings(installations)
    production = total_yearly_production_kwh(installations)
    debt_service = yearly_debt_service(schedule)
    with exact():
        coverage = round_half_up(savings / debt_service) if debt_service > 0 else None
        payback = round_half_up(cost / savings) if savings > 0 else None
        co2 = round_half_up(production * emission_factor_kg_per_kwh / KG_PER_TONNE, TONNE_QUANTUM)
    gge = gross_grant_equivalent(terms, grant_date, rating, collateral, rates, schedule)
    before = headroom_for(gge.gge)
    with exact():
        after = Headroom(
            ceiling=before.ceiling,
            used=before.used + gge.gge,
            available=max(before.available - gge.gge, ZERO),
            window_end=before.window_end,
        )
    return Assessment(
        terms=terms,
        schedule=schedule,
        total_investment_cost=cost,
        total_yearly_savings=savings,
        total_yearly_production_kwh=production,
        yearly_debt_service=debt_service,
        savings_coverage_ratio=coverage,
        simple_payback_years=payback,
        emission_factor_kg_per_kwh=emission_factor_kg_per_kwh,
        co2_avoided_tonnes_per_year=co2,
        gge=gge,
        enterprise_number=enterprise_number,
        grant_date=grant_date,
        headroom_before=before,
        headroom_after=after,
        exceeds=gge.gge > before.available,
        warnings=tuple(plausibility_warnings(installations, ranges)),
    )
