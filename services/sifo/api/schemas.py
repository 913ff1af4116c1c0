"""Request and response bodies of the SIFO API. Money and rates travel as decimal strings."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.amortisation.allocation import Allocation
from shared.amortisation.loan_events import PrepaymentMode
from shared.amortisation.position import LoanPosition
from shared.amortisation.reference_rates import Collateral, Rating
from shared.amortisation.schedule import Schedule
from shared.amortisation.terms import DayCount, Frequency, GraceKind, Method
from shared.platform.identifiers import EnterpriseNumber, Iban

from services.sifo.domain.loans import LoanType
from services.sifo.models import SifoDecision, SifoDrawingRight, SifoLoan, SifoLoanEvent

Money = Annotated[Decimal, Field(gt=0, max_digits=18, decimal_places=2, examples=["250000.00"])]
Rate = Annotated[Decimal, Field(ge=0, lt=1, max_digits=9, decimal_places=6, examples=["0.0439"])]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


def example(values: dict[str, Any]) -> ConfigDict:
    """Request bodies refuse unknown fields and show an example in the OpenAPI document."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [values]})


class SuspendFinancier(Body):
    model_config = example({"suspended_from": "2026-06-01", "reason": "annual accounts not filed"})

    suspended_from: date
    reason: Reason


class EndRecognition(Body):
    model_config = example({"ended_on": "2026-12-31", "reason": "recognition not renewed"})

    ended_on: date
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
    valid_from: date
    valid_until: date


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
    target_group_vte: Decimal = Field(
        ge=0, max_digits=9, decimal_places=2, description="target-group employees supported, full-time equivalents"
    )


class RepaymentPlanIn(Body):
    start_date: date = Field(description="planned disbursement; the schedule is fixed from the real one")
    periods: int = Field(ge=1, le=1200)
    frequency: Frequency = Frequency.MONTHLY
    method: Method = Method.ANNUITY
    day_count: DayCount = DayCount.THIRTY_E_360
    grace_periods: int = Field(default=0, ge=0)
    grace_kind: GraceKind = GraceKind.INTEREST_ONLY
    installment_multiple: Money = Decimal("0.01")


class RateOverride(Body):
    rate: Rate
    reason: Reason


class SubmitLoan(Body):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "financier_id": "6f1c2a4e-1f0b-4d5e-9a43-0c8c1f6a2b11",
                    "borrower": {
                        "enterprise_number": "0200.065.765",
                        "name": "De Kringwinkel Oost vzw",
                        "target_group_vte": "12.50",
                    },
                    "loan_type": "investment",
                    "total_credit": "300000.00",
                    "sifo_share": "200000.00",
                    "terms": {"start_date": "2026-04-01", "periods": 84, "frequency": "monthly"},
                    "rating": "satisfactory",
                    "collateral": "normal",
                }
            ]
        },
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
    submitted_on: date | None = None


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


class TermsIn(RepaymentPlanIn):
    """Complete terms (a restructuring sets principal and rate itself)."""

    start_date: date = Field(description="the day the new terms take effect")
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
    committee_reference: str | None
    submitted_on: date
    submitted_by: str
    approved_on: date | None
    approved_by: str | None
    drawing_right_id: str | None
    disbursed_on: date | None
    disbursement_iban: str | None
    defaulted_on: date | None
    written_off_on: date | None
    written_off_amount: Decimal | None

    @classmethod
    def of(cls, loan: SifoLoan) -> LoanOut:
        return cls(
            id=loan.id,
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
            committee_reference=loan.committee_reference,
            submitted_on=loan.submitted_on,
            submitted_by=loan.submitted_by,
            approved_on=loan.approved_on,
            approved_by=loan.approved_by,
            drawing_right_id=loan.drawing_right_id,
            disbursed_on=loan.disbursed_on,
            disbursement_iban=loan.disbursement_iban,
            defaulted_on=loan.defaulted_on,
            written_off_on=loan.written_off_on,
            written_off_amount=loan.written_off_amount,
        )


class InstallmentOut(BaseModel):
    number: int
    due_date: date
    opening_balance: Decimal
    interest: Decimal
    principal: Decimal
    payment: Decimal
    capitalised: Decimal
    closing_balance: Decimal


def installments(schedule: Schedule) -> list[InstallmentOut]:
    return [
        InstallmentOut(
            number=row.number,
            due_date=row.due_date,
            opening_balance=row.opening_balance,
            interest=row.interest,
            principal=row.principal,
            payment=row.payment,
            capitalised=row.capitalised,
            closing_balance=row.closing_balance,
        )
        for row in schedule.installments
    ]


class SubmittedLoanOut(LoanOut):
    """The loan as submitted, with the schedule and aid a decision-maker sees before approving."""

    schedule: list[InstallmentOut]
    total_interest: Decimal


class ApproveLoan(Body):
    model_config = example({"approved_on": "2026-03-10"})

    approved_on: date | None = Field(default=None, description="defaults to today")
    drawing_right_id: str | None = Field(default=None, description="defaults to the valid right expiring first")


class RejectLoan(Body):
    model_config = example({"rejected_on": "2026-03-10", "reason": "insufficient repayment capacity"})

    rejected_on: date | None = None
    reason: Reason


class PrepareDisbursement(Body):
    model_config = example({"disbursed_on": "2026-04-01", "iban": "BE68 5390 0754 7034"})

    disbursed_on: date
    iban: Iban | None = Field(default=None, description="defaults to the financier's account")


class RepaymentIn(Body):
    model_config = example({"received_on": "2026-05-01", "amount": "2732.40", "surplus_mode": "reduce_installment"})

    received_on: date
    amount: Money
    surplus_mode: PrepaymentMode = PrepaymentMode.REDUCE_INSTALLMENT


class PrepaymentIn(Body):
    model_config = example({"received_on": "2026-09-15", "amount": "20000.00", "mode": "reduce_term"})

    received_on: date
    amount: Money
    mode: PrepaymentMode = PrepaymentMode.REDUCE_INSTALLMENT


class RateResetIn(Body):
    model_config = example({"effective_on": "2027-01-01", "annual_rate": "0.0419"})

    effective_on: date
    annual_rate: Rate


class RestructureIn(Body):
    model_config = example(
        {
            "effective_on": "2026-09-01",
            "terms": {"principal": "186512.40", "annual_rate": "0.01", "periods": 120, "start_date": "2026-09-01"},
        }
    )

    effective_on: date
    terms: TermsIn


class DefaultIn(Body):
    model_config = example({"defaulted_on": "2026-10-15", "reason": "insolvency proceedings opened"})

    defaulted_on: date
    reason: Reason


class WriteOffIn(Body):
    model_config = example({"written_off_on": "2026-11-30", "reason": "bankruptcy closed without dividend"})

    written_off_on: date
    reason: Reason


class DecisionOut(BaseModel):
    id: str
    loan_id: str
    kind: str
    status: str
    request: dict[str, Any]
    prepared_by: str
    prepared_at: datetime
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, decision: SifoDecision) -> DecisionOut:
        return cls(
            id=decision.id,
            loan_id=decision.loan_id,
            kind=decision.kind,
            status=decision.status,
            request=json.loads(decision.payload),
            prepared_by=decision.prepared_by,
            prepared_at=decision.prepared_at,
            decided_by=decision.decided_by,
            decided_at=decision.decided_at,
        )


class AllocationOut(BaseModel):
    received_on: date
    amount: Decimal
    late_interest: Decimal
    collection_fees: Decimal
    interest: Decimal
    principal: Decimal
    prepayment: Decimal
    excess: Decimal

    @classmethod
    def of(cls, allocation: Allocation) -> AllocationOut:
        return cls(
            received_on=allocation.on,
            amount=allocation.amount,
            late_interest=allocation.late_interest,
            collection_fees=allocation.collection_fees,
            interest=allocation.interest,
            principal=allocation.principal,
            prepayment=allocation.prepayment,
            excess=allocation.excess,
        )


class RepaymentRecorded(BaseModel):
    loan_id: str
    allocation: AllocationOut
    outstanding_principal: Decimal


class ArrearsOut(BaseModel):
    number: int
    due_date: date
    interest_outstanding: Decimal
    principal_outstanding: Decimal
    days_past_due: int


class PositionOut(BaseModel):
    outstanding_principal: Decimal
    accrued_interest: Decimal
    total_arrears: Decimal
    days_past_due: int
    late_interest: Decimal
    next_due_date: date | None
    principal_repaid: Decimal
    prepaid: Decimal
    payoff_amount: Decimal
    arrears: list[ArrearsOut]

    @classmethod
    def of(cls, position: LoanPosition) -> PositionOut:
        return cls(
            outstanding_principal=position.outstanding_principal,
            accrued_interest=position.accrued_interest,
            total_arrears=position.total_arrears,
            days_past_due=position.days_past_due,
            late_interest=position.late_interest,
            next_due_date=position.next_due_date,
            principal_repaid=position.principal_repaid,
            prepaid=position.prepaid,
            payoff_amount=position.payoff_amount,
            arrears=[
                ArrearsOut(
                    number=line.number,
                    due_date=line.due_date,
                    interest_outstanding=line.interest_outstanding,
                    principal_outstanding=line.principal_outstanding,
                    days_past_due=line.days_past_due,
                )
                for line in position.arrears
            ],
        )


class HistoryOut(BaseModel):
    kind: str
    on: date
    amount: Decimal | None
    mode: str | None
    annual_rate: Decimal | None
    recorded_by: str

    @classmethod
    def of(cls, row: SifoLoanEvent) -> HistoryOut:
        return cls(
            kind=row.kind,
            on=row.on,
            amount=row.amount,
            mode=row.mode,
            annual_rate=row.annual_rate,
            recorded_by=row.recorded_by,
        )


class LoanViewOut(BaseModel):
    loan: LoanOut
    as_of: date
    position: PositionOut | None
    schedule: list[InstallmentOut]
    payments: list[AllocationOut]
    history: list[HistoryOut]
