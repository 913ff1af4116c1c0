"""The replay engine behind `LiveLoan`: applies dated events in order to a mutable state.

A `Ledger` is private to one replay; `LiveLoan` answers every question from a fresh one or from a
`copy` of the replay it made of all its events, so the same events always give the same state.
Between two moments (events, due dates) nothing changes but the late-interest accrual, which
`advance` books on the overdue base of the interval.

Three words used below:

* the *open* installment on a date is the first one due after it (the period the date lies in);
* the *next* installment on a date is the installment due that day, or else the open one, that
  still owes something; when it is already paid in full by money received, the one after it (and
  so on). A repayment pays it (interest, then principal) after the arrears, even before its due
  date. An installment that owes nothing without having been paid (a capitalised grace period)
  ends the search: money received then is a prepayment from that day, not a payment a year ahead;
* an installment is *paid ahead* when money reached it before its due date. Its amounts (and
  those of the installments before it) are then fixed: a later prepayment or rate reset rebuilds
  the schedule from the installment after the last one paid ahead, from the start of its period;
* a *settlement* (a repayment of at least the payoff amount) charges the open period's interest
  only up to its date: interest already paid ahead beyond that (on the open installment or on
  installments whose period has not started) counts as principal repaid.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.amortisation.allocation import Allocation, InstallmentAllocation, Owed, waterfall
from shared.amortisation.day_counts import year_fraction
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.late_interest import LateInterestPolicy, accrue_late_interest
from shared.amortisation.loan_events import LoanEvent, Prepayment, PrepaymentMode, RateReset, Repayment
from shared.amortisation.money import ZERO, round_half_up
from shared.amortisation.position import ArrearsLine, LoanPosition, PositionStatus
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
        # The annual rate of each installment's regular interest, and the segments of split periods.
        self.rates: list[Decimal] = [terms.annual_rate] * len(self.rows)
        self.split: dict[int, tuple[Segment, ...]] = {}
        self.level = initial_level(terms, self.rows)
        self.rate = terms.annual_rate
        self.interest_paid: dict[int, Decimal] = {}
        self.principal_paid: dict[int, Decimal] = {}
        self.fees_charged: dict[int, Decimal] = {}
        self.fees_paid = ZERO
        self.late_accrued = Decimal(0)  # unrounded running total
        self.late_paid = ZERO
        self.prepaid = ZERO
        self.clock = terms.start_date
        self.allocations: list[Allocation] = []

    def copy(self) -> Ledger:
        """An independent ledger in the same state: its containers copied, their rows and figures immutable."""
        twin = Ledger.__new__(Ledger)
        twin.__dict__.update(self.__dict__)
        twin.rows = list(self.rows)
        twin.rates = list(self.rates)
        twin.split = dict(self.split)
        twin.interest_paid = dict(self.interest_paid)
        twin.principal_paid = dict(self.principal_paid)
        twin.fees_charged = dict(self.fees_charged)
        twin.allocations = list(self.allocations)
        return twin

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

    def free_index(self, on: date) -> int | None:
        """Index of the first installment due after `on` that neither received money nor precedes one that did."""
        start = self.open_index(on)
        if start is None:
            return None
        paid = [index for index, row in enumerate(self.rows) if self._received(row)]
        index = max(start, paid[-1] + 1) if paid else start
        return index if index < len(self.rows) else None

    def _received(self, row: Installment) -> bool:
        return row.number in self.interest_paid or row.number in self.principal_paid

    def prepayable(self, on: date) -> Decimal:
        """Principal a prepayment on `on` may reduce: the balance the first unpaid future installment opens with."""
        index = self.free_index(on)
        return ZERO if index is None else self.rows[index].opening_balance

    def outstanding_principal(self, on: date) -> Decimal:
        capitalised = sum((row.capitalised for row in self.rows if row.due_date <= on), ZERO)
        return self.terms.principal + capitalised - sum(self.principal_paid.values(), ZERO) - self.prepaid

    def period_start(self, index: int) -> date:
        return self.rows[index - 1].due_date if index else self.terms.start_date

    def segments(self, index: int) -> tuple[Segment, ...]:
        row = self.rows[index]
        if row.number in self.split:
            return self.split[row.number]
        return (Segment(self.period_start(index), row.opening_balance, self.rates[index]),)

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
                self.late_accrued += accrue_late_interest(base, self.policy, cursor, stop, self.rate)
            cursor = stop
        self.clock = max(self.clock, to)

    # -- events -------------------------------------------------------------------------------

    def apply(self, event: LoanEvent) -> None:
        self.advance(event.on)
        if isinstance(event, Repayment):
            self.repay(event)
        elif isinstance(event, Prepayment):
            room = self.prepayable(event.on)
            if event.amount > room:
                raise InvalidTerms(
                    "amount",
                    f"exceeds what can be prepaid on {event.on} ({room}): the principal not yet due, "
                    "less what installments paid ahead already repay",
                )
            self.reduce_balance(event.on, event.amount, event.mode)
            self.allocations.append(Allocation(event.on, event.amount, ZERO, ZERO, (), event.amount, event.mode, ZERO))
        else:
            self.reset_rate(event)

    def repay(self, event: Repayment) -> None:
        on = event.on
        now = self.position(on)
        if now.status is not PositionStatus.SETTLED and event.amount >= now.payoff_amount:
            self.settle(event, now.payoff_amount)
            return
        overdue = [self._owed(row) for row in self.rows if row.due_date < on and self.owed(row) > 0]
        upcoming = self._next_installment(on)
        result = waterfall(
            event.amount,
            self.late_unpaid(),
            self.fees_unpaid(),
            overdue,
            None if upcoming is None else self._owed(upcoming),
        )
        self.late_paid += result.late_interest
        self.fees_paid += result.collection_fees
        self._book(result.installments)
        prepayment = min(result.surplus, self.prepayable(on))
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

    def _next_installment(self, on: date) -> Installment | None:
        """The installment a payment on `on` pays after the arrears (module docstring), if any."""
        for row in self.rows:
            if row.due_date < on:
                continue
            if self.owed(row) > 0:
                return row
            if not self._received(row):
                return None
        return None

    def settle(self, event: Repayment, payoff: Decimal) -> None:
        """Pay everything owed on the event's date; the schedule ends with a final installment that day.

        The final installment carries the interest accrued in the open period up to that day (less
        what was paid ahead on it) and the whole remaining principal; installments paid ahead keep
        what they received, folded into it, and nothing is due after it.
        """
        on = event.on
        late, fees = self.late_unpaid(), self.fees_unpaid()
        self.late_paid += late
        self.fees_paid += fees
        due_lines = tuple(
            InstallmentAllocation(
                row.number, row.due_date, self.interest_outstanding(row), self.principal_outstanding(row)
            )
            for row in self.rows
            if row.due_date <= on and self.owed(row) > 0
        )
        self._book(due_lines)
        lines = list(due_lines)
        index = self.open_index(on)
        if index is not None:
            charged = self._accrued(on, index)
            remaining = self.outstanding_principal(on)
            later = self.rows[index:]
            ahead_interest = sum((self.interest_paid.pop(row.number, ZERO) for row in later), ZERO)
            ahead_principal = sum((self.principal_paid.pop(row.number, ZERO) for row in later), ZERO)
            interest = max(charged - ahead_interest, ZERO)
            principal = max(remaining - max(ahead_interest - charged, ZERO), ZERO)
            opening = self.rows[index]
            final = Installment(
                number=opening.number,
                due_date=on,
                opening_balance=remaining + ahead_principal,
                interest=charged,
                principal=remaining + ahead_principal,
                payment=charged + remaining + ahead_principal,
                capitalised=ZERO,
                closing_balance=ZERO,
                fraction=year_fraction(self.terms.day_count, self.period_start(index), on),
            )
            self.rows = [*self.rows[:index], final]
            self.rates = self.rates[: index + 1]
            self.split = {number: parts for number, parts in self.split.items() if number < final.number}
            self.interest_paid[final.number] = final.interest
            self.principal_paid[final.number] = final.principal
            if interest or principal:
                lines.append(InstallmentAllocation(final.number, on, interest, principal))
        self.allocations.append(
            Allocation(
                on=on,
                amount=event.amount,
                late_interest=late,
                collection_fees=fees,
                installments=tuple(lines),
                prepayment=ZERO,
                prepayment_mode=event.surplus_mode,
                excess=event.amount - payoff,
            )
        )

    def _book(self, lines: tuple[InstallmentAllocation, ...]) -> None:
        for line in lines:
            self.interest_paid[line.number] = self.interest_paid.get(line.number, ZERO) + line.interest
            self.principal_paid[line.number] = self.principal_paid.get(line.number, ZERO) + line.principal

    def _owed(self, row: Installment) -> Owed:
        return Owed(row.number, row.due_date, self.interest_outstanding(row), self.principal_outstanding(row))

    def _accrued(self, on: date, index: int) -> Decimal:
        segments = self.segments(index)
        return accrued_interest(self.terms.day_count, segments, on) if segments[0].start < on else ZERO

    def reduce_balance(self, on: date, amount: Decimal, mode: PrepaymentMode) -> None:
        index = self.free_index(on)
        assert index is not None, "only principal not yet due can be prepaid"
        new_balance = self.rows[index].opening_balance - amount
        self._rebuild(
            index, self._segments_from(on, index, new_balance, self.rate), mode is PrepaymentMode.REDUCE_INSTALLMENT
        )
        self.prepaid += amount

    def reset_rate(self, event: RateReset) -> None:
        index = self.free_index(event.on)
        if index is not None:
            balance = self.rows[index].opening_balance
            self._rebuild(index, self._segments_from(event.on, index, balance, event.annual_rate), True)
        self.rate = event.annual_rate

    def _segments_from(self, on: date, index: int, balance: Decimal, rate: Decimal) -> tuple[Segment, ...]:
        """The open period is split at `on`; an installment after a paid-ahead one changes from its start."""
        if index == self.open_index(on):
            return with_segment(self.segments(index), Segment(on, balance, rate))
        return (Segment(self.period_start(index), balance, rate),)

    def _rebuild(self, index: int, segments: tuple[Segment, ...], recompute: bool) -> None:
        """Installments from `index` on follow the new segments; none remain when nothing is owed any more."""
        rows, self.level = rebuild(self.terms, self.rows[:index], segments, self.level, recompute)
        self.rows = list(rows)
        self.rates = [*self.rates[:index], *[segments[-1].annual_rate] * (len(rows) - index)]
        number = index + 1
        self.split = {n: parts for n, parts in self.split.items() if n < number}
        if len(rows) > index:
            self.split[number] = segments

    # -- answers ------------------------------------------------------------------------------

    def schedule(self) -> Schedule:
        return Schedule(terms=self.terms, installments=tuple(self.rows))

    def position(self, as_of: date) -> LoanPosition:
        self.advance(as_of)
        arrears = tuple(self._arrears_line(row, as_of) for row in self.rows if row.due_date <= as_of and self.owed(row))
        capitalised = sum((row.capitalised for row in self.rows if row.due_date <= as_of), ZERO)
        outstanding = self.outstanding_principal(as_of)
        total_arrears = sum((line.outstanding for line in arrears), ZERO)
        late, fees = self.late_unpaid(), self.fees_unpaid()
        if total_arrears > 0 or late > 0 or fees > 0:
            status = PositionStatus.IN_ARREARS
        elif outstanding == 0 and not any(self.owed(row) for row in self.rows):
            status = PositionStatus.SETTLED
        else:
            status = PositionStatus.CURRENT
        index = None if status is PositionStatus.SETTLED else self.open_index(as_of)
        accrued = ZERO if index is None else self._accrued(as_of, index)
        paid_ahead = ZERO
        if index is not None:
            paid_ahead = sum((self.interest_paid.get(row.number, ZERO) for row in self.rows[index:]), ZERO)
        return LoanPosition(
            as_of=as_of,
            status=status,
            annual_rate=self.rate,
            outstanding_principal=outstanding,
            principal_not_yet_due=outstanding - sum((line.principal_outstanding for line in arrears), ZERO),
            accrued_interest=accrued,
            interest_paid_ahead=paid_ahead,
            arrears=arrears,
            total_arrears=total_arrears,
            days_past_due=max((line.days_past_due for line in arrears), default=0),
            late_interest=late,
            collection_fees=fees,
            next_due_date=None if index is None else self.rows[index].due_date,
            principal_repaid=sum(self.principal_paid.values(), ZERO),
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
