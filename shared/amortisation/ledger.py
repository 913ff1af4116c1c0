"""The replay engine behind `LiveLoan`: applies dated events in order to a mutable state.

A `Ledger` is private to one replay; `LiveLoan` builds a fresh one for every question, so the same
events always give the same state. Between two moments (events, due dates) nothing changes but
the late-interest accrual, which `advance` books on the overdue base of the interval.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.amortisation.allocation import Allocation, Owed, waterfall
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.late_interest import LateInterestPolicy, accrue_late_interest
from shared.amortisation.loan_events import LoanEvent, Prepayment, PrepaymentMode, RateReset, Repayment
from shared.amortisation.money import ZERO, round_half_up
from shared.amortisation.position import ArrearsLine, LoanPosition
from shared.amortisation.rescheduling import (
    Segment,
    accrued_interest,
    initial_level,
    rebuild,
    with_segment,
)
from shared.amortisation.schedule import Installment, Schedule, build_schedule
from shared.amortisation.terms import LoanTerms


class Ledger:
    def __init__(self, terms: LoanTerms, policy: LateInterestPolicy) -> None:
        self.terms = terms
        self.policy = policy
        self.rows: list[Installment] = list(build_schedule(terms).installments)
        self.level = initial_level(terms, self.rows)
        self.rate = terms.annual_rate
        # Segments of the open period of installment `open_number` (see rescheduling.py).
        self.open_number = 0
        self.open_segments: tuple[Segment, ...] = ()
        self.interest_paid: dict[int, Decimal] = {}
        self.principal_paid: dict[int, Decimal] = {}
        self.fees_charged: dict[int, Decimal] = {}
        self.fees_paid = ZERO
        self.late_accrued = Decimal(0)  # unrounded running total
        self.late_paid = ZERO
        self.prepaid = ZERO
        self.clock = terms.start_date
        self.allocations: list[Allocation] = []

    # -- what is owed -------------------------------------------------------------------------

    def interest_outstanding(self, row: Installment) -> Decimal:
        return row.interest - row.capitalised - self.interest_paid.get(row.number, ZERO)

    def principal_outstanding(self, row: Installment) -> Decimal:
        return row.principal - self.principal_paid.get(row.number, ZERO)

    def owed(self, row: Installment) -> Decimal:
        return self.interest_outstanding(row) + self.principal_outstanding(row)

    def late_unpaid(self) -> Decimal:
        return round_half_up(self.late_accrued) - self.late_paid

    def fees_unpaid(self) -> Decimal:
        return sum(self.fees_charged.values(), ZERO) - self.fees_paid

    def open_index(self, on: date) -> int | None:
        """Index of the first installment due after `on` (the open period), None past the last."""
        for index, row in enumerate(self.rows):
            if row.due_date > on:
                return index
        return None

    def principal_not_yet_due(self, on: date) -> Decimal:
        index = self.open_index(on)
        return ZERO if index is None else self.rows[index].opening_balance

    def segments(self, index: int) -> tuple[Segment, ...]:
        row = self.rows[index]
        if self.open_number == row.number:
            return self.open_segments
        start = self.rows[index - 1].due_date if index else self.terms.start_date
        return (Segment(start, row.opening_balance, self.rate),)

    # -- time ---------------------------------------------------------------------------------

    def advance(self, to: date) -> None:
        """Charge fees and accrue late interest for the days clock .. to - 1."""
        fee = self.policy.collection_fee
        if fee is not None:
            for row in self.rows:
                if self.clock <= row.due_date < to and self.owed(row) > 0:
                    self.fees_charged.setdefault(row.number, fee)
        cursor = self.clock
        stops = sorted({row.due_date for row in self.rows if cursor < row.due_date < to} | {to})
        for stop in stops:
            if stop <= cursor:
                continue
            base = sum((self.owed(row) for row in self.rows if row.due_date <= cursor), ZERO)
            if base > 0:
                self.late_accrued += accrue_late_interest(base, self.policy, cursor, stop)
            cursor = stop
        self.clock = max(self.clock, to)

    # -- events -------------------------------------------------------------------------------

    def apply(self, event: LoanEvent) -> None:
        self.advance(event.on)
        if isinstance(event, Repayment):
            self.repay(event)
        elif isinstance(event, Prepayment):
            room = self.principal_not_yet_due(event.on)
            if event.amount > room:
                raise InvalidTerms("amount", f"exceeds the principal not yet due on {event.on} ({room})")
            self.reduce_balance(event.on, event.amount, event.mode)
            self.allocations.append(Allocation(event.on, event.amount, ZERO, ZERO, (), event.amount, event.mode, ZERO))
        else:
            self.reset_rate(event)

    def repay(self, event: Repayment) -> None:
        on = event.on
        overdue = [self._owed(row) for row in self.rows if row.due_date < on and self.owed(row) > 0]
        current = [self._owed(row) for row in self.rows if row.due_date == on and self.owed(row) > 0]
        result = waterfall(
            event.amount, self.late_unpaid(), self.fees_unpaid(), overdue, current[0] if current else None
        )
        self.late_paid += result.late_interest
        self.fees_paid += result.collection_fees
        for line in result.installments:
            self.interest_paid[line.number] = self.interest_paid.get(line.number, ZERO) + line.interest
            self.principal_paid[line.number] = self.principal_paid.get(line.number, ZERO) + line.principal
        prepayment = min(result.surplus, self.principal_not_yet_due(on))
        if prepayment > 0:
            self.reduce_balance(on, prepayment, event.surplus_mode)
        self.allocations.append(
            Allocation(
                on=on,
                amount=event.amount,
                late_interest=result.late_interest,
                collection_fees=result.collection_fees,
                installments=result.installments,
                prepayment=prepayment,
                prepayment_mode=event.surplus_mode,
                excess=result.surplus - prepayment,
            )
        )

    def _owed(self, row: Installment) -> Owed:
        return Owed(row.number, row.due_date, self.interest_outstanding(row), self.principal_outstanding(row))

    def reduce_balance(self, on: date, amount: Decimal, mode: PrepaymentMode) -> None:
        index = self.open_index(on)
        assert index is not None, "only principal not yet due can be prepaid"
        new_balance = self.rows[index].opening_balance - amount
        segments = with_segment(self.segments(index), Segment(on, new_balance, self.rate))
        self._rebuild(index, segments, recompute=mode is PrepaymentMode.REDUCE_INSTALLMENT)
        self.prepaid += amount

    def reset_rate(self, event: RateReset) -> None:
        index = self.open_index(event.on)
        if index is not None:
            balance = self.rows[index].opening_balance
            segments = with_segment(self.segments(index), Segment(event.on, balance, event.annual_rate))
            self._rebuild(index, segments, recompute=True)
        self.rate = event.annual_rate

    def _rebuild(self, index: int, segments: tuple[Segment, ...], recompute: bool) -> None:
        rows, self.level = rebuild(self.terms, self.rows[:index], segments, self.level, recompute)
        self.rows = list(rows)
        self.open_number = index + 1
        self.open_segments = segments

    # -- answers ------------------------------------------------------------------------------

    def schedule(self) -> Schedule:
        return Schedule(terms=self.terms, installments=tuple(self.rows))

    def position(self, as_of: date) -> LoanPosition:
        self.advance(as_of)
        arrears = tuple(self._arrears_line(row, as_of) for row in self.rows if row.due_date <= as_of and self.owed(row))
        capitalised = sum((row.capitalised for row in self.rows if row.due_date <= as_of), ZERO)
        repaid = sum(self.principal_paid.values(), ZERO)
        index = self.open_index(as_of)
        accrued = ZERO
        if index is not None:
            segments = self.segments(index)
            if segments[0].start < as_of:
                accrued = accrued_interest(self.terms.day_count, segments, as_of)
        return LoanPosition(
            as_of=as_of,
            annual_rate=self.rate,
            outstanding_principal=self.terms.principal + capitalised - repaid - self.prepaid,
            principal_not_yet_due=self.principal_not_yet_due(as_of),
            accrued_interest=accrued,
            arrears=arrears,
            total_arrears=sum((line.outstanding for line in arrears), ZERO),
            days_past_due=max((line.days_past_due for line in arrears), default=0),
            late_interest=self.late_unpaid(),
            collection_fees=self.fees_unpaid(),
            next_due_date=None if index is None else self.rows[index].due_date,
            principal_repaid=repaid,
            prepaid=self.prepaid,
            capitalised_interest=capitalised,
            late_interest_paid=self.late_paid,
        )

    def _arrears_line(self, row: Installment, as_of: date) -> ArrearsLine:
        interest_paid = self.interest_paid.get(row.number, ZERO)
        principal_paid = self.principal_paid.get(row.number, ZERO)
        return ArrearsLine(
            number=row.number,
            due_date=row.due_date,
            interest_due=row.interest - row.capitalised,
            principal_due=row.principal,
            interest_paid=interest_paid,
            principal_paid=principal_paid,
            interest_outstanding=self.interest_outstanding(row),
            principal_outstanding=self.principal_outstanding(row),
            days_past_due=(as_of - row.due_date).days,
        )
