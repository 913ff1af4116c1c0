"""Request and response bodies of the Trividend API. Money is a decimal string with two decimals."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.amortisation.reference_rates import Collateral, Rating
from shared.platform.dated_examples import dated_example, first_of_next_month
from shared.platform.days import Day
from shared.platform.decimal_text import DecimalText
from shared.platform.external_ids import ExternalId
from shared.platform.identifiers import EnterpriseNumber, Iban
from shared.platform.quarters import QUARTER_PATTERN
from shared.servicing.schemas import (
    AllocationOut,
    HistoryOut,
    InstallmentOut,
    Money,
    PositionOut,
    Rate,
    Reason,
    example,
)

from services.trividend.domain.decisions import Instrument
from services.trividend.domain.follow_up import SeatRole, SupportKind
from services.trividend.domain.investees import LegalForm
from services.trividend.domain.loans import LoanTermsRequest
from services.trividend.domain.performance import Performance
from services.trividend.domain.valuations import Method

Text = Annotated[str, Field(min_length=1, max_length=2000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]
Shares = Annotated[int, Field(ge=1, le=10**15)]
Price = Annotated[Decimal, DecimalText(digits=18, places=6, gt=0, example="125.50")]
Amount = Annotated[Decimal, DecimalText(digits=18, places=2, ge=0, example="0.00")]
Vte = Annotated[Decimal, DecimalText(digits=14, places=2, ge=0, example="12.50")]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterInvestee(Body):
    model_config = example(
        {
            "enterprise_number": "0403.170.701",
            "name": "De Ateliers cv",
            "legal_form": "cooperative",
            "sector": "circular economy",
        }
    )

    enterprise_number: EnterpriseNumber = Field(examples=["0403.170.701"])
    name: Name = Field(examples=["De Ateliers cv"])
    legal_form: LegalForm
    sector: Name = Field(examples=["circular economy"])
    external_id: ExternalId | None = None


class ReportHeadcount(Body):
    model_config = example({"on": "2026-01-01", "target_group_vte": "12.50"})

    on: Day
    target_group_vte: Vte


class ReportShares(Body):
    model_config = example({"on": "2026-01-01", "shares_outstanding": 10000})

    on: Day
    shares_outstanding: Shares


class InvesteeOut(BaseModel):
    id: str
    external_id: str | None
    enterprise_number: str
    name: str
    legal_form: str
    sector: str
    target_group_vte: list[ReportHeadcount]
    shares_outstanding: list[ReportShares]


class LoanTermsIn(Body):
    annual_rate: Rate
    periods: int = Field(ge=1, le=600, description="months")
    rating: Rating
    collateral: Collateral
    sifo_loan_id: str | None = Field(
        default=None, max_length=36, pattern=r"^[A-Za-z0-9-]+$", description="the SIFO co-financing of this credit"
    )
    interest_converts: bool = Field(default=False, description="convertible: interest converts with the principal")

    def request(self) -> LoanTermsRequest:
        return LoanTermsRequest(
            annual_rate=self.annual_rate,
            periods=self.periods,
            rating=self.rating,
            collateral=self.collateral,
            sifo_loan_id=self.sifo_loan_id,
            interest_converts=self.interest_converts,
        )


class Propose(Body):
    model_config = example(
        {
            "investee_id": "3f1c2a4e-1f0b-4d5e-9a43-0c8c1f6a2b11",
            "instrument": "subordinated_loan",
            "amount": "100000.00",
            "rationale": "growth of the repair workshop, 8 target-group jobs",
            "loan": {"annual_rate": "0.045", "periods": 72, "rating": "satisfactory", "collateral": "low"},
        }
    )

    investee_id: str = Field(max_length=36)
    instrument: Instrument
    amount: Money
    rationale: Text
    loan: LoanTermsIn | None = Field(default=None, description="the terms of a subordinated or convertible loan")
    external_id: ExternalId | None = Field(
        default=None, description="your key for the proposal and the participation or loan it becomes (same id)"
    )


class Decide(Body):
    model_config = example({"reason": "committee of 12 March 2026"})

    reason: Reason | None = None


class Reject(Body):
    model_config = example({"reason": "business plan not yet credible"})

    reason: Reason


class ProposalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    external_id: str | None
    investee_id: str
    instrument: str
    amount: Decimal
    rationale: str
    status: str
    proposed_by: str
    decided_by: str | None
    decided_on: date | None
    reason: str | None
    updated_at: datetime


class Tranche(Body):
    model_config = example({"on": "2026-04-01", "shares": 400, "price_per_share": "125.00", "amount": "50000.00"})

    on: Day
    shares: Shares
    price_per_share: Price
    amount: Money = Field(description="shares x price_per_share, rounded half up to the cent")


class Dividend(Body):
    model_config = dated_example(lambda today: {"on": today.isoformat(), "amount": "2000.00"})

    on: Day
    amount: Money


class PrepareExit(Body):
    model_config = dated_example(lambda today: {"on": today.isoformat(), "shares_sold": 200, "proceeds": "30000.00"})

    on: Day
    shares_sold: Shares
    proceeds: Amount


class MovementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    on: date
    amount: Decimal
    shares: int
    price_per_share: Decimal | None
    cost_of_shares_sold: Decimal | None
    recorded_by: str
    approved_by: str | None


class ExitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    participation_id: str
    on: date
    shares_sold: int
    proceeds: Decimal
    status: str
    prepared_by: str
    decided_by: str | None
    reason: str | None


class ParticipationOut(BaseModel):
    id: str
    investee_id: str
    status: str
    committed: Decimal
    opened_on: date
    as_of: date
    shares_held: int
    shares_outstanding: int | None
    ownership: Decimal | None = Field(description="shares held / shares outstanding, six decimals")
    cost: Decimal = Field(description="average cost of the shares held")
    invested: Decimal
    proceeds: Decimal
    dividends: Decimal
    realised_gain: Decimal
    movements: list[MovementOut]


class PrepareValuation(Body):
    model_config = example(
        {
            "quarter": "2026Q3",
            "fair_value": "55000.00",
            "method": "net_assets",
            "rationale": "net assets in the half-year accounts",
        }
    )

    quarter: str = Field(pattern=QUARTER_PATTERN, examples=["2026Q3"])
    fair_value: Amount
    method: Method
    rationale: Text
    reason: Reason | None = Field(default=None, description="required when it replaces or corrects an approved one")
    corrects: str | None = Field(default=None, max_length=36, description="an approved valuation this one corrects")


class ValuationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    participation_id: str
    quarter: str
    as_of: date
    fair_value: Decimal
    method: str
    rationale: str
    reason: str | None
    corrects: str | None
    status: str
    prepared_by: str
    decided_by: str | None


class ClosedQuarterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    quarter: str
    closed_by: str
    closed_at: datetime


class PerformanceOut(BaseModel):
    as_of: date
    invested: Decimal
    realised: Decimal = Field(description="exit proceeds; for the fund also the money its loans returned")
    income: Decimal = Field(description="dividends")
    distributions: Decimal
    fair_value: Decimal = Field(
        description="residual value of the shares held; for the fund also the principal its loans still owe"
    )
    realised_gain: Decimal
    moic: Decimal | None
    tvpi: Decimal | None
    dpi: Decimal | None
    rvpi: Decimal | None
    xirr: Decimal | None
    target_group_vte: Decimal | None
    invested_per_vte: Decimal | None

    @classmethod
    def of(cls, figures: Performance) -> PerformanceOut:
        return cls(
            as_of=figures.as_of,
            invested=figures.invested,
            realised=figures.realised,
            income=figures.income,
            distributions=figures.distributions,
            fair_value=figures.fair_value,
            realised_gain=figures.realised_gain,
            moic=figures.moic,
            tvpi=figures.tvpi,
            dpi=figures.dpi,
            rvpi=figures.rvpi,
            xirr=figures.xirr,
            target_group_vte=figures.target_group_vte,
            invested_per_vte=figures.invested_per_vte,
        )


class DisburseLoan(Body):
    model_config = example({"disbursed_on": "2026-05-01", "iban": "BE68 5390 0754 7034"})

    disbursed_on: Day
    iban: Iban


class CancelLoan(Body):
    model_config = example({"cancelled_on": "2026-05-10", "reason": "the investee found other financing"})

    cancelled_on: Day
    reason: Reason


class Convert(Body):
    model_config = dated_example(lambda today: {"converted_on": today.isoformat(), "price_per_share": "150.00"})

    converted_on: Day
    price_per_share: Price


class ConversionOut(BaseModel):
    loan_id: str
    participation_id: str
    converted_on: date
    principal_converted: Decimal
    interest_converted: Decimal
    amount: Decimal
    price_per_share: Decimal
    shares: int


class TrividendRestructureIn(Body):
    model_config = dated_example(
        lambda today: {
            "effective_on": first_of_next_month(today).isoformat(),
            "principal": "83512.10",
            "annual_rate": "0.03",
            "periods": 72,
        }
    )

    effective_on: Day
    principal: Money
    annual_rate: Rate
    periods: int = Field(ge=1, le=1200)
    committee_reference: str | None = Field(default=None, max_length=100)
    reason: str | None = Field(default=None, max_length=2000)


class LoanOut(BaseModel):
    """The loan as of a date."""

    loan_id: str
    investee_id: str
    instrument: str
    status: str
    principal: Decimal
    annual_rate: Decimal
    periods: int
    reference_rate: Decimal
    gge: Decimal
    sifo_loan_id: str | None
    interest_converts: bool
    disbursed_on: date | None
    converted_on: date | None
    as_of: date
    position: PositionOut | None
    schedule: list[InstallmentOut]
    payments: list[AllocationOut]
    history: list[HistoryOut]


class AddBoardSeat(Body):
    model_config = example({"person": "Ines Peeters", "role": "director", "from_date": "2026-02-01"})

    person: Name
    role: SeatRole
    from_date: Day
    until: Day | None = None


class BoardSeatOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    person: str
    role: str
    from_date: date
    until: date | None


class RecordSession(Body):
    model_config = example({"on": "2026-03-12", "kind": "coaching", "hours": "3.50", "topic": "pricing of repairs"})

    on: Day
    kind: SupportKind
    hours: Annotated[Decimal, DecimalText(digits=6, places=2, gt=0, le=1000, example="3.50")]
    topic: Text


class SessionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    on: date
    kind: str
    hours: Decimal
    topic: str


SignedMoney = Annotated[Decimal, DecimalText(digits=18, places=2, ge=-(10**15), le=10**15, example="-1250.00")]


class ReportKpis(Body):
    model_config = example(
        {
            "period_end": "2026-06-30",
            "target_group_vte": "21.50",
            "turnover": "640000.00",
            "result": "-12000.00",
            "equity": "85000.00",
        }
    )

    period_end: Day
    target_group_vte: Vte
    turnover: Amount
    result: SignedMoney
    equity: SignedMoney


class KpiReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    period_end: date
    target_group_vte: Decimal
    turnover: Decimal
    result: Decimal
    equity: Decimal
    reported_on: date


class FollowUpOut(BaseModel):
    investee_id: str
    board_seats: list[BoardSeatOut]
    support_sessions: list[SessionOut]
    support_hours: Decimal
    kpi_reports: list[KpiReportOut]


class AlertOut(BaseModel):
    kind: str
    investee_id: str
    detail: str
    since: date
