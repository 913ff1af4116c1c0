"""Live loans: the state of a disbursed loan on any date, replayed from its dated events.

A `LiveLoan` is immutable: the contract, the late-interest policy and the events so far, in
chronological order (events on the same day keep the order they were recorded in). `record`
returns a new `LiveLoan`; every question replays the events up to the date asked (see
`ledger.py`), so the same events always give the same answers. The replay of all events, made
once to check them, is kept: a question on or after the last event starts from a copy of it.

Decisions, in one place (details in the modules named):

* a `Repayment` is allocated late interest -> collection fees -> overdue interest (oldest first)
  -> overdue principal (oldest first) -> the installment due that day (interest, principal) ->
  prepayment of the surplus -> excess to refund (`allocation.py`);
* a `Prepayment` reduces only the principal not yet due (arrears are left as they are) and may not
  exceed it; the schedule is rebuilt from its date (`rescheduling.py`);
* the interest of a period in which a prepayment or rate reset falls is split at that date with
  the loan's day count (30E/360 formula for broken parts) and rounded once per installment; a
  rate reset recomputes the level payment over the remaining installments;
* late interest is simple ACT/365 interest on overdue principal + interest from each due date to
  the day of payment, rate per day from the policy (`late_interest.py`);
* a full prepayment in the middle of a period leaves that period's installment with only the
  interest accrued up to the prepayment date, still due on its due date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.amortisation.allocation import Allocation
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.ledger import Ledger
from shared.amortisation.loan_events import LoanEvent, Prepayment, RateReset, Repayment
from shared.amortisation.position import InstallmentOwed, LoanPosition
from shared.amortisation.schedule import Schedule
from shared.amortisation.terms import LoanTerms


@dataclass(frozen=True)
class LiveLoan:
    terms: LoanTerms
    late_interest: LateInterestPolicy
    events: tuple[LoanEvent, ...] = ()
    _replayed: Ledger = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "events", tuple(self.events))
        previous = self.terms.start_date
        for index, event in enumerate(self.events):
            if not isinstance(event, (Repayment, Prepayment, RateReset)):
                raise InvalidTerms(f"events[{index}]", "must be a Repayment, Prepayment or RateReset")
            if event.on < self.terms.start_date:
                raise InvalidTerms(
                    f"events[{index}].on", f"{event.on} is before disbursement ({self.terms.start_date})"
                )
            if event.on < previous:
                raise InvalidTerms(
                    f"events[{index}].on", f"{event.on} is before the previous event ({previous}); record in order"
                )
            previous = event.on
        object.__setattr__(self, "_replayed", self._replay_up_to(None))

    def record(self, event: LoanEvent) -> LiveLoan:
        """A new LiveLoan with `event` appended; raises InvalidTerms naming the bad field."""
        return LiveLoan(self.terms, self.late_interest, (*self.events, event))

    def position(self, as_of: date) -> LoanPosition:
        """The loan at the end of `as_of`, events of that day included."""
        self._check_date(as_of)
        return self._replay(as_of).position(as_of)

    def schedule(self, as_of: date | None = None) -> Schedule:
        """The current schedule (after prepayments and resets up to `as_of`; all events if None)."""
        if as_of is not None:
            self._check_date(as_of)
        return self._replay(as_of).schedule()

    def installments_owed(self, as_of: date) -> tuple[InstallmentOwed, ...]:
        """Every installment of the schedule in force at the end of `as_of`, with what it still asks for.

        Money received up to `as_of` counts, including payments ahead of a due date; what a
        capitalised grace period adds to the balance is not asked for.
        """
        self._check_date(as_of)
        ledger = self._replay(as_of)
        ledger.advance(as_of)
        return tuple(
            InstallmentOwed(row.number, row.due_date, row.interest - row.capitalised + row.principal, ledger.owed(row))
            for row in ledger.rows
        )

    def allocations(self, as_of: date | None = None) -> tuple[Allocation, ...]:
        """One breakdown per Repayment and Prepayment, in order."""
        if as_of is not None:
            self._check_date(as_of)
        return tuple(self._replay(as_of).allocations)

    def _check_date(self, as_of: date) -> None:
        if as_of < self.terms.start_date:
            raise InvalidTerms("as_of", f"{as_of} is before disbursement ({self.terms.start_date})")

    def _replay(self, as_of: date | None) -> Ledger:
        """A ledger of the events up to `as_of` (all if None), for one question to change as it needs."""
        if as_of is None or not self.events or as_of >= self.events[-1].on:
            return self._replayed.copy()
        return self._replay_up_to(as_of)

    def _replay_up_to(self, as_of: date | None) -> Ledger:
        ledger = Ledger(self.terms, self.late_interest)
        for index, event in enumerate(self.events):
            if as_of is not None and event.on > as_of:
                break
            try:
                ledger.apply(event)
            except InvalidTerms as error:
                raise InvalidTerms(f"events[{index}].{error.field}", error.rule) from None
        return ledger
