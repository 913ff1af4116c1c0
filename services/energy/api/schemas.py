"""Request and response bodies of the energy API. Money and quantities travel as decimal strings."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, field_serializer

from shared.amortisation.reference_rates import Collateral, Rating
from shared.amortisation.terms import Frequency
from shared.contracts.loan_terms import LoanTermsV2
from shared.platform.dated_examples import dated_example, first_of_next_month
from shared.platform.days import Day
from shared.platform.decimal_text import DecimalText
from shared.platform.external_ids import ExternalId
from shared.platform.identifiers import EnterpriseNumber, Iban
from shared.servicing.aid import valuation_of
from shared.servicing.decisions import Decision
from shared.servicing.schemas import (
    AidOut,
    AllocationOut,
    DecisionOut,
    HistoryOut,
    InstallmentOut,
    Money,
    Rate,
    Reason,
    example,
)

from services.energy.domain.installations import Technology
from services.energy.models import EnergyApplication, EnergyBudgetYear, EnergyCall, EnergyInstallation

Quantity = Annotated[Decimal, DecimalText(digits=14, places=2, ge=0, example="42000.00")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


FIRST_BUDGET_YEAR, LAST_BUDGET_YEAR = 2017, 2100
"""The budget years the programme can hold; a path or body year outside them is refused before any query."""


class OpenBudgetYear(Body):
    model_config = example({"year": 2026})

    year: int = Field(ge=FIRST_BUDGET_YEAR, le=LAST_BUDGET_YEAR)
    envelope: Money | None = Field(default=None, description="defaults to the programme's 5,000,000.00")


class BudgetYearOut(BaseModel):
    year: int
    envelope: Decimal
    committed: Decimal
    disbursed: Decimal
    released: Decimal
    available: Decimal
    budget_article: str

    @classmethod
    def of(cls, row: EnergyBudgetYear) -> BudgetYearOut:
        return cls(
            year=row.year,
            envelope=row.envelope,
            committed=row.committed,
            disbursed=row.disbursed,
            released=row.released,
            available=row.envelope - row.committed - row.disbursed,
            budget_article=row.budget_article,
        )


class OpenCall(Body):
    model_config = dated_example(
        lambda today: {
            "title": f"Oproep hernieuwbare energie {today.year}",
            "opens_on": today.isoformat(),
            "closes_on": (first_of_next_month(today) + relativedelta(months=6)).isoformat(),
            "max_per_applicant": "250000.00",
        }
    )

    title: str = Field(min_length=1, max_length=200)
    opens_on: Day
    closes_on: Day
    annual_rate: Annotated[Decimal, DecimalText(digits=7, places=6, ge=0, lt=1, example="0.0150")] | None = None
    term_months: int | None = Field(default=None, ge=1, le=600)
    frequency: Frequency | None = None
    max_per_applicant: Money | None = None
    max_per_site: Money | None = None


class CallOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    budget_year: int
    title: str
    opens_on: date
    closes_on: date
    annual_rate: Decimal
    periods: int
    frequency: str
    max_per_applicant: Decimal | None
    max_per_site: Decimal | None

    @field_serializer("annual_rate")
    def _rate(self, value: Decimal) -> str:
        """Rates read the same whether just written or read back from NUMERIC(9,6): 0.01, not 0.010000."""
        return format(value.normalize(), "f")


class SiteIn(Body):
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=300)
    yearly_energy_need_kwh: Quantity


class RegisterApplicant(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "enterprise_number": "0200.065.765",
                    "name": "Maatwerkbedrijf Oost vzw",
                    "workshop_type": "sheltered",
                    "recognition_number": "BW-123",
                    "sites": [
                        {"name": "Gent", "address": "Dok Noord 1, 9000 Gent", "yearly_energy_need_kwh": "250000"}
                    ],
                }
            ]
        },
    )

    enterprise_number: EnterpriseNumber
    name: str = Field(min_length=1, max_length=200)
    workshop_type: str = Field(description="sheltered or social workshop (maatwerkbedrijf)")
    recognition_number: str = Field(min_length=1, max_length=50)
    iban: Iban | None = Field(default=None, description="the account its loans are paid to")
    external_id: ExternalId | None = None
    sites: list[SiteIn]


class SiteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    address: str
    yearly_energy_need_kwh: Decimal


class ApplicantOut(BaseModel):
    id: str
    external_id: str | None
    enterprise_number: str
    name: str
    workshop_type: str
    recognition_number: str
    iban: str | None
    sites: list[SiteOut]


class InstallationIn(Body):
    technology: Technology
    capacity: Annotated[Decimal, DecimalText(digits=14, places=2, gt=0, example="120.00")]
    unit: str = Field(description="kWp for pv, kW_thermal for heat_pump, m2 for solar_boiler")
    investment_cost: Money
    yearly_production_kwh: Quantity
    yearly_savings_eur: Annotated[Decimal, DecimalText(digits=18, places=2, ge=0, example="9800.00")]
    seasonal_cop: Annotated[Decimal, DecimalText(digits=5, places=2, gt=0, example="3.80")] | None = None
    hot_water_share: Annotated[Decimal, DecimalText(digits=5, places=4, ge=0, le=1, example="0.3500")] | None = None


class SubmitApplication(Body):
    model_config = example(
        {
            "call_id": "3b0b7c1e-2f7e-4a63-9a0f-2a8f4f0d1c11",
            "applicant_id": "a1c2...",
            "site_id": "5e6f...",
            "requested_amount": "100000.00",
            "installations": [
                {
                    "technology": "pv",
                    "capacity": "100",
                    "unit": "kWp",
                    "investment_cost": "100000.00",
                    "yearly_production_kwh": "90000",
                    "yearly_savings_eur": "12000.00",
                }
            ],
            "documents": [
                "application_form",
                "feasibility_study",
                "installer_quote",
                "procurement_report",
                "de_minimis_declaration",
                "statutes",
                "latest_accounts",
            ],
        }
    )

    call_id: str
    applicant_id: str
    site_id: str
    requested_amount: Money
    installations: list[InstallationIn] = Field(min_length=1)
    documents: list[str] = Field(default_factory=list, description="documents received, see the checklist")
    rating: Rating = Rating.SATISFACTORY
    collateral: Collateral = Collateral.NORMAL
    submitted_on: Day | None = None
    external_id: ExternalId | None = None


class InstallationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    technology: str
    capacity: Decimal
    unit: str
    investment_cost: Decimal
    yearly_production_kwh: Decimal
    yearly_savings_eur: Decimal


class ApplicationOut(BaseModel):
    id: str
    external_id: str | None
    call_id: str
    applicant_id: str
    site_id: str
    requested_amount: Decimal
    status: str
    gge: Decimal
    aid: AidOut
    committed_amount: Decimal | None
    documents: list[str]
    warnings: list[dict[str, str]]
    installations: list[InstallationOut]
    submitted_by: str
    decided_by: str | None
    decided_on: date | None
    reason: str | None
    updated_at: datetime

    @classmethod
    def of(cls, row: EnergyApplication, installations: list[EnergyInstallation]) -> ApplicationOut:
        return cls(
            id=row.id,
            external_id=row.external_id,
            call_id=row.call_id,
            applicant_id=row.applicant_id,
            site_id=row.site_id,
            requested_amount=row.requested_amount,
            status=row.status,
            gge=row.gge,
            aid=AidOut.of(valuation_of(row)),
            committed_amount=row.committed_amount,
            documents=json.loads(row.documents),
            warnings=json.loads(row.warnings),
            installations=[InstallationOut.model_validate(item) for item in installations],
            submitted_by=row.submitted_by,
            decided_by=row.decided_by,
            decided_on=row.decided_on,
            reason=row.reason,
            updated_at=row.updated_at,
        )


class Approve(Body):
    """The approval is dated by the server (today's business date in Brussels): it is the grant date of the aid."""

    model_config = example({"wait_list_if_short": True})

    wait_list_if_short: bool = Field(default=True, description="put the application on the waiting list when short")


class Reject(Body):
    model_config = example({"rejected_on": "2026-04-01", "reason": "feasibility study does not support the savings"})

    rejected_on: Day | None = None
    reason: Reason


class PrepareDisbursement(Body):
    model_config = example(
        {
            "delivery_date": "2026-06-10",
            "final_invoice_amount": "92000.00",
            "disbursed_on": "2026-06-15",
            "iban": "BE68 5390 0754 7034",
        }
    )

    delivery_date: Day
    final_invoice_amount: Money
    disbursed_on: Day
    iban: Iban | None = Field(default=None, description="defaults to the applicant's registered account")
    iban_reason: str | None = Field(
        default=None,
        max_length=2000,
        description="required when the payout goes to an account other than the applicant's registered one",
    )
    first_due_date: Day | None = Field(
        default=None, description="a broken first period: the first installment's date, within two periods"
    )


class EnergyDecisionOut(DecisionOut):
    application_id: str = Field(description="the application (and its loan: the same id)")

    @classmethod
    def of(cls, decision: Decision) -> EnergyDecisionOut:
        return cls(**DecisionOut.of(decision).model_dump(), application_id=decision.loan_id)


class RestructureIn(Body):
    model_config = dated_example(
        lambda today: {
            "effective_on": first_of_next_month(today).isoformat(),
            "principal": "83512.10",
            "annual_rate": "0.005",
            "periods": 120,
        }
    )

    effective_on: Day
    principal: Money
    annual_rate: Rate
    periods: int = Field(ge=1, le=1200)
    committee_reference: str | None = Field(
        default=None, max_length=100, description="PFV's approval of a term beyond the programme's maximum"
    )
    reason: str | None = Field(default=None, max_length=2000)


class EnergyLoanOut(BaseModel):
    """The loan as of a date; its id is its application's id."""

    loan_id: str
    application_id: str
    status: str = Field(description="disbursed | defaulted | written_off | settled")
    position_status: str = Field(description="current | in_arrears | settled")
    principal: Decimal
    annual_rate: Decimal
    start_date: date
    first_due_date: date | None
    iban: str
    as_of: date
    outstanding_principal: Decimal
    accrued_interest: Decimal
    total_arrears: Decimal
    days_past_due: int
    late_interest: Decimal
    collection_fees: Decimal
    payoff_amount: Decimal
    next_due_date: date | None
    schedule: list[InstallmentOut]
    payments: list[AllocationOut]
    history: list[HistoryOut]


class EnergyRepaymentOut(BaseModel):
    loan_id: str
    entry_id: int
    late_interest: Decimal
    collection_fees: Decimal
    interest: Decimal
    principal: Decimal
    prepayment: Decimal
    excess: Decimal
    outstanding_principal: Decimal
    status: str = Field(description="current | in_arrears | settled after this payment")


class PrepaymentOut(BaseModel):
    loan_id: str
    entry_id: int
    outstanding_principal: Decimal


class FiguresOut(BaseModel):
    loans: int
    committed: Decimal
    disbursed: Decimal
    installed: dict[str, Decimal] = Field(description="capacity by unit: kWp, kW_thermal, m2")
    expected_mwh_per_year: Decimal
    co2_tonnes_per_year: Decimal


class ProgrammeFiguresOut(BaseModel):
    years: dict[int, FiguresOut]
    total: FiguresOut


def call_out(call: EnergyCall) -> CallOut:
    return CallOut.model_validate(call)


class ScheduleTotalsOut(BaseModel):
    interest: Decimal
    principal: Decimal
    payment: Decimal
    capitalised: Decimal


class AssessedScheduleOut(BaseModel):
    installments: list[InstallmentOut]
    totals: ScheduleTotalsOut


class GgeOut(BaseModel):
    gge: Decimal
    reference_rate: Decimal
    discount_rate: Decimal


class HeadroomFiguresOut(BaseModel):
    ceiling: Decimal
    used: Decimal
    available: Decimal


class DeMinimisOut(BaseModel):
    enterprise_number: str
    grant_date: date
    before: HeadroomFiguresOut
    after: HeadroomFiguresOut
    exceeds: bool


class WarningOut(BaseModel):
    field: str
    message: str


class AssessmentOut(BaseModel):
    """The file an approver reads: terms and schedule, what the installation saves, the aid and the headroom."""

    terms: LoanTermsV2 = Field(description="the engine's terms of the loan as assessed")
    schedule: AssessedScheduleOut
    total_investment_cost: Decimal
    total_yearly_savings: Decimal
    total_yearly_production_kwh: Decimal
    yearly_debt_service: Decimal
    savings_coverage_ratio: Decimal | None
    simple_payback_years: Decimal | None
    emission_factor_kg_per_kwh: Decimal
    co2_avoided_tonnes_per_year: Decimal
    gge: GgeOut
    de_minimis: DeMinimisOut
    warnings: list[WarningOut]
