"""Request and response bodies of the SIFO API. Money and rates travel as decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field

from shared.amortisation.reference_rates import Collateral, Rating
from shared.amortisation.terms import DayCount, Frequency, GraceKind, Method
from shared.platform.dated_examples import dated_example, first_of_next_month
from shared.platform.days import Day
from shared.platform.decimal_text import DecimalText
from shared.platform.external_ids import ExternalId
from shared.platform.identifiers import EnterpriseNumber, Iban
from shared.servicing.aid import valuation_of
from shared.servicing.schemas import (
    AidOut,
    AllocationOut,
    HistoryOut,
    InstallmentOut,
    Money,
    PositionOut,
    Rate,
    Reason,
    example,
)

from services.sifo.domain.loans import LoanType
from services.sifo.models import SifoDrawingRight, SifoLoan


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SuspendFinancier(Body):
    model_config = example({"suspended_from": "2026-06-01", "reason": "annual accounts not filed"})

    suspended_from: Day
    reason: Reason


class EndRecognition(Body):
    model_config = example({"ended_on": "2026-12-31", "reason": "recognition not renewed"})

    ended_on: Day
    reason: Reason


class AllocateDrawingRight(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"fund_year": 2026, "amount": "1000000.00", "valid_from": "2026-01-01", "valid_until": "2026-12-31"}
            ]
        },
    )

    fund_year: int = Field(ge=2009, le=2100)
    amount: Money
    valid_from: Day
    valid_until: Day


class Reallocate(Body):
    model_config = example({"allocated": "750000.00", "reason": "mid-year reallocation by the fund committee"})

    allocated: Money
    reason: Reason


class Release(Body):
    model_config = example({"amount": "100000.00", "reason": "financier returns unused drawing right"})

    amount: Money
    reason: Reason


class DrawingRightOut(BaseModel):
    id: str
    financier_id: str
    fund_year: int
    allocated: Decimal
    reserved: Decimal
    drawn: Decimal
    released: Decimal
    available: Decimal
    valid_from: date
    valid_until: date
    status: str

    @classmethod
    def of(cls, right: SifoDrawingRight) -> DrawingRightOut:
        return cls(
            id=right.id,
            financier_id=right.financier_id,
            fund_year=right.fund_year,
            allocated=right.allocated,
            reserved=right.reserved,
            drawn=right.drawn,
            released=right.released,
            available=right.allocated - right.reserved - right.drawn - right.released,
            valid_from=right.valid_from,
            valid_until=right.valid_until,
            status=right.status,
        )


class Borrower(Body):
    enterprise_number: EnterpriseNumber
    name: str = Field(min_length=1, max_length=200)
    target_group_vte: Annotated[Decimal, DecimalText(digits=9, places=2, ge=0, example="12.50")] = Field(
        description="target-group employees supported, full-time equivalents"
    )
    external_id: ExternalId | None = None


class RepaymentPlanIn(Body):
    start_date: Day = Field(description="planned disbursement; the schedule is fixed from the real one")
    periods: int = Field(ge=1, le=1200)
    frequency: Frequency = Frequency.MONTHLY
    method: Method = Method.ANNUITY
    day_count: DayCount = DayCount.THIRTY_E_360
    grace_periods: int = Field(default=0, ge=0)
    grace_kind: GraceKind = GraceKind.INTEREST_ONLY
    installment_multiple: Money = Decimal("0.01")
    first_due_date: Day | None = Field(
        default=None,
        description="a broken first period: the first installment's date, within two periods of the start; "
        "the real disbursement date must still fall before it",
    )


class RateOverride(Body):
    rate: Rate
    reason: Reason


class SubmitLoan(Body):
    model_config = dated_example(
        lambda today: {
            "financier_id": "6f1c2a4e-1f0b-4d5e-9a43-0c8c1f6a2b11",
            "borrower": {
                "enterprise_number": "0200.065.765",
                "name": "De Kringwinkel Oost vzw",
                "target_group_vte": "12.50",
            },
            "loan_type": "investment",
            "total_credit": "300000.00",
            "sifo_share": "200000.00",
            "terms": {"start_date": first_of_next_month(today).isoformat(), "periods": 84, "frequency": "monthly"},
            "rating": "satisfactory",
            "collateral": "normal",
        }
    )

    financier_id: str | None = Field(default=None, description="defaults to the caller's own financier")
    borrower: Borrower
    loan_type: LoanType
    total_credit: Money
    sifo_share: Money
    terms: RepaymentPlanIn
    rating: Rating
    collateral: Collateral
    rate_override: RateOverride | None = None
    committee_reference: str | None = Field(default=None, max_length=100)
    submitted_on: Day | None = None
    external_id: ExternalId | None = None


class TermsOut(BaseModel):
    principal: Decimal
    annual_rate: Decimal
    periods: int
    start_date: date
    frequency: str
    method: str
    day_count: str
    grace_periods: int
    grace_kind: str
    installment_multiple: Decimal
    first_due_date: date | None


class TermsIn(RepaymentPlanIn):
    """Complete terms (a restructuring sets principal and rate itself)."""

    start_date: Day = Field(description="the day the new terms take effect")
    principal: Money
    annual_rate: Rate


class PricingOut(BaseModel):
    base_rate: Decimal
    margin: Decimal
    reference_rate: Decimal
    discount_rate: Decimal
    applied_rate: Decimal
    override_reason: str | None


class LoanOut(BaseModel):
    id: str
    external_id: str | None
    status: str
    financier_id: str
    borrower_enterprise_number: str
    borrower_name: str
    target_group_vte: Decimal
    loan_type: str
    total_credit: Decimal
    sifo_share: Decimal
    terms: TermsOut
    rating: str
    collateral: str
    pricing: PricingOut
    gge: Decimal
    aid: AidOut
    committee_reference: str | None
    submitted_on: date
    submitted_by: str
    approved_on: date | None
    approved_by: str | None
    drawing_right_id: str | None
    disbursed_on: date | None
    disbursement_iban: str | None
    defaulted_on: date | None
    settled_on: date | None
    written_off_on: date | None
    written_off_amount: Decimal | None
    status_reason: str | None
    updated_at: datetime = Field(description="when the loan itself last changed (status, dates, terms)")

    @classmethod
    def of(cls, loan: SifoLoan, **more: Any) -> Self:
        """The loan's answer; a subclass passes its own fields in `more` (one validation, not two)."""
        return cls(
            id=loan.id,
            external_id=loan.external_id,
            status=loan.status,
            financier_id=loan.financier_id,
            borrower_enterprise_number=loan.borrower_enterprise_number,
            borrower_name=loan.borrower_name,
            target_group_vte=loan.target_group_vte,
            loan_type=loan.loan_type,
            total_credit=loan.total_credit,
            sifo_share=loan.sifo_share,
            terms=TermsOut(
                principal=loan.sifo_share,
                annual_rate=loan.annual_rate.normalize(),
                periods=loan.periods,
                start_date=loan.start_date,
                frequency=loan.frequency,
                method=loan.method,
                day_count=loan.day_count,
                grace_periods=loan.grace_periods,
                grace_kind=loan.grace_kind,
                installment_multiple=loan.installment_multiple,
                first_due_date=loan.first_due_date,
            ),
            rating=loan.rating,
            collateral=loan.collateral,
            pricing=PricingOut(
                base_rate=loan.base_rate.normalize(),
                margin=loan.margin.normalize(),
                reference_rate=loan.reference_rate.normalize(),
                discount_rate=loan.discount_rate.normalize(),
                applied_rate=loan.annual_rate.normalize(),
                override_reason=loan.rate_override_reason,
            ),
            gge=loan.gge,
            aid=AidOut.of(valuation_of(loan)),
            committee_reference=loan.committee_reference,
            submitted_on=loan.submitted_on,
            submitted_by=loan.submitted_by,
            approved_on=loan.approved_on,
            approved_by=loan.approved_by,
            drawing_right_id=loan.drawing_right_id,
            disbursed_on=loan.disbursed_on,
            disbursement_iban=loan.disbursement_iban,
            defaulted_on=loan.defaulted_on,
            settled_on=loan.settled_on,
            written_off_on=loan.written_off_on,
            written_off_amount=loan.written_off_amount,
            status_reason=loan.status_reason,
            updated_at=loan.updated_at,
            **more,
        )


class SubmittedLoanOut(LoanOut):
    """The loan as submitted, with the schedule and aid a decision-maker sees before approving."""

    schedule: list[InstallmentOut]
    total_interest: Decimal


class ApproveLoan(Body):
    """The approval is dated by the server (today's business date in Brussels): it is the grant date of the aid."""

    model_config = example({"drawing_right_id": None})

    drawing_right_id: str | None = Field(default=None, description="defaults to the valid right expiring first")


class RejectLoan(Body):
    model_config = example({"rejected_on": "2026-03-10", "reason": "insufficient repayment capacity"})

    rejected_on: Day | None = None
    reason: Reason


class PrepareDisbursement(Body):
    model_config = example({"disbursed_on": "2026-04-01", "iban": "BE68 5390 0754 7034"})

    disbursed_on: Day
    iban: Iban | None = Field(default=None, description="defaults to the financier's registered account")
    iban_reason: str | None = Field(
        default=None,
        max_length=2000,
        description="required when the payout goes to an account other than the financier's registered one",
    )


class RestructureIn(Body):
    model_config = example(
        {
            "effective_on": "2026-09-01",
            "terms": {"principal": "186512.40", "annual_rate": "0.01", "periods": 120, "start_date": "2026-09-01"},
        }
    )

    effective_on: Day
    terms: TermsIn
    committee_reference: str | None = Field(
        default=None, max_length=100, description="the committee's approval of a term beyond the fund's maximum"
    )
    reason: str | None = Field(default=None, max_length=2000)


class LoanViewOut(BaseModel):
    loan: LoanOut
    as_of: date
    position: PositionOut | None
    schedule: list[InstallmentOut]
    payments: list[AllocationOut]
    history: list[HistoryOut]
