"""HTTP bodies of loan servicing, the same in every lending service. Money and rates are decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from shared.amortisation.allocation import Allocation
from shared.amortisation.loan_events import PrepaymentMode
from shared.amortisation.position import LoanPosition
from shared.amortisation.schedule import Schedule
from shared.platform.days import Day
from shared.platform.decimal_text import DecimalText
from shared.servicing.aid import AidValuation
from shared.servicing.decisions import Decision
from shared.servicing.entries import LedgerEntry

Money = Annotated[Decimal, DecimalText(digits=18, places=2, gt=0, example="250000.00")]
Rate = Annotated[Decimal, DecimalText(digits=9, places=6, ge=0, lt=1, example="0.0439")]
Reason = Annotated[str, Field(min_length=1, max_length=2000)]


def example(values: dict[str, Any]) -> ConfigDict:
    """Request bodies refuse unknown fields and show an example in the OpenAPI document."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [values]})


class RepaymentIn(BaseModel):
    model_config = example({"received_on": "2026-05-01", "amount": "2732.40", "surplus_mode": "reduce_installment"})

    received_on: Day
    amount: Money
    surplus_mode: PrepaymentMode = Field(
        default=PrepaymentMode.REDUCE_INSTALLMENT, description="what a surplus beyond the next installment does"
    )


class PrepaymentIn(BaseModel):
    model_config = example({"received_on": "2026-09-15", "amount": "20000.00", "mode": "reduce_term"})

    received_on: Day
    amount: Money
    mode: PrepaymentMode = PrepaymentMode.REDUCE_INSTALLMENT


class RateResetIn(BaseModel):
    model_config = example({"effective_on": "2027-01-01", "annual_rate": "0.0419", "reason": "yearly review"})

    effective_on: Day
    annual_rate: Rate
    reason: str | None = Field(default=None, max_length=2000)


class DefaultIn(BaseModel):
    model_config = example({"defaulted_on": "2026-10-15", "reason": "insolvency proceedings opened"})

    defaulted_on: Day
    reason: Reason


class WriteOffIn(BaseModel):
    model_config = example({"written_off_on": "2026-11-30", "reason": "bankruptcy closed without dividend"})

    written_off_on: Day
    reason: Reason


class ReversalIn(BaseModel):
    model_config = example({"entry_id": 17, "reason": "received on 2026-03-02, typed as 2062-03-02"})

    entry_id: int = Field(ge=1, le=2**62, description="the history entry recorded by mistake")
    reason: Reason


class CancellationIn(BaseModel):
    model_config = example({"cancelled_on": "2026-05-01", "reason": "the borrower withdrew before payout"})

    cancelled_on: Day
    reason: Reason


class RejectDecisionIn(BaseModel):
    model_config = example({"reason": "the payout account does not belong to the borrower"})

    reason: str | None = Field(default=None, max_length=2000)


class InstallmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    due_date: date
    opening_balance: Decimal
    interest: Decimal
    principal: Decimal
    payment: Decimal
    capitalised: Decimal
    closing_balance: Decimal


_INSTALLMENTS = TypeAdapter(list[InstallmentOut])


def installments(schedule: Schedule) -> list[InstallmentOut]:
    """The schedule's rows as answered, read from the rows' attributes in one call into pydantic."""
    return _INSTALLMENTS.validate_python(schedule.installments, from_attributes=True)


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


class ArrearsOut(BaseModel):
    number: int
    due_date: date
    interest_outstanding: Decimal
    principal_outstanding: Decimal
    days_past_due: int


class PositionOut(BaseModel):
    status: str = Field(description="current | in_arrears | settled")
    outstanding_principal: Decimal
    accrued_interest: Decimal
    total_arrears: Decimal
    days_past_due: int
    late_interest: Decimal
    collection_fees: Decimal
    next_due_date: date | None
    principal_repaid: Decimal
    prepaid: Decimal
    payoff_amount: Decimal = Field(description="paid on the position's date, this amount settles the loan")
    arrears: list[ArrearsOut]

    @classmethod
    def of(cls, position: LoanPosition) -> PositionOut:
        return cls(
            status=position.status.value,
            outstanding_principal=position.outstanding_principal,
            accrued_interest=position.accrued_interest,
            total_arrears=position.total_arrears,
            days_past_due=position.days_past_due,
            late_interest=position.late_interest,
            collection_fees=position.collection_fees,
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
    id: int
    kind: str
    on: date
    amount: Decimal | None
    mode: str | None
    annual_rate: Decimal | None
    reason: str | None
    reverses: int | None = Field(description="for a reversal: the entry it undoes")
    reversed: bool = Field(description="undone by a later reversal; the position leaves it out")
    decision_id: str | None
    recorded_by: str
    recorded_at: datetime

    @classmethod
    def of(cls, entry: LedgerEntry, reversed_entries: set[int]) -> HistoryOut:
        assert entry.id is not None
        return cls(
            id=entry.id,
            kind=entry.kind.value,
            on=entry.on,
            amount=entry.amount,
            mode=entry.mode,
            annual_rate=entry.annual_rate,
            reason=entry.reason,
            reverses=entry.reverses,
            reversed=entry.id in reversed_entries,
            decision_id=entry.decision_id,
            recorded_by=entry.recorded_by,
            recorded_at=entry.recorded_at,
        )


class DecisionOut(BaseModel):
    id: str
    loan_id: str
    kind: str
    status: str
    request: dict[str, Any] = Field(description="what approval will do, with the figures the approver checks")
    prepared_by: str
    prepared_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    note: str | None = Field(description="why it was rejected, or what superseded it")

    @classmethod
    def of(cls, decision: Decision) -> DecisionOut:
        return cls(
            id=decision.id,
            loan_id=decision.loan_id,
            kind=decision.kind.value,
            status=decision.status.value,
            request=decision.request.to_json(),
            prepared_by=decision.prepared_by,
            prepared_at=decision.prepared_at,
            decided_by=decision.decided_by,
            decided_at=decision.decided_at,
            note=decision.note,
        )


class AidOut(BaseModel):
    """A gross grant equivalent with the day and the EU reference and discount rates it was valued at."""

    grant_date: date
    gge: Decimal
    reference_rate: Decimal
    discount_rate: Decimal

    @classmethod
    def of(cls, valuation: AidValuation) -> AidOut:
        return cls(
            grant_date=valuation.grant_date,
            gge=valuation.gge,
            reference_rate=valuation.reference_rate.normalize(),
            discount_rate=valuation.discount_rate.normalize(),
        )


class RepaymentRecorded(BaseModel):
    loan_id: str
    entry_id: int
    allocation: AllocationOut
    outstanding_principal: Decimal
    status: str = Field(description="current | in_arrears | settled after this payment")
