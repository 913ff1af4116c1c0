"""A serviced loan's stored history replayed through `LiveLoan`, restructurings included.

Services keep the history as rows (repayments, prepayments, rate resets, restructurings); this
turns them into segments: the loan under one set of terms, from the day those terms start until
the next restructuring. A restructuring's terms carry everything owed on its day as principal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.loan_events import LoanEvent, Prepayment, PrepaymentMode, RateReset, Repayment
from shared.amortisation.terms import LoanTerms

REPAYMENT = "repayment"
PREPAYMENT = "prepayment"
RATE_RESET = "rate_reset"
RESTRUCTURE = "restructure"


@dataclass(frozen=True)
class HistoryEntry:
    kind: str
    on: date
    amount: Decimal | None = None
    mode: str | None = None
    annual_rate: Decimal | None = None
    terms: LoanTerms | None = None

    def engine_event(self) -> LoanEvent:
        mode = PrepaymentMode(self.mode or PrepaymentMode.REDUCE_INSTALLMENT.value)
        if self.kind == REPAYMENT and self.amount is not None:
            return Repayment(self.on, self.amount, mode)
        if self.kind == PREPAYMENT and self.amount is not None:
            return Prepayment(self.on, self.amount, mode)
        if self.kind == RATE_RESET and self.annual_rate is not None:
            return RateReset(self.on, self.annual_rate)
        raise ValueError(f"history entry {self.kind} on {self.on} is incomplete")


def entry_of(event: LoanEvent) -> HistoryEntry:
    if isinstance(event, Repayment):
        return HistoryEntry(REPAYMENT, event.on, amount=event.amount, mode=event.surplus_mode.value)
    if isinstance(event, Prepayment):
        return HistoryEntry(PREPAYMENT, event.on, amount=event.amount, mode=event.mode.value)
    return HistoryEntry(RATE_RESET, event.on, annual_rate=event.annual_rate)


@dataclass(frozen=True)
class Segment:
    """The loan under one set of terms, from `starts_on` until the next restructuring."""

    starts_on: date
    live: LiveLoan


def replay(terms: LoanTerms, late_interest: LateInterestPolicy, history: Iterable[HistoryEntry]) -> list[Segment]:
    """The segments of a history, each loan built once from all of its events.

    Recording the events one by one (`LiveLoan.record`) would replay the history once per event,
    which makes a loan with years of monthly repayments quadratic to load.
    """
    segments: list[Segment] = []
    starts_on, current, events = terms.start_date, terms, list[LoanEvent]()
    for entry in history:
        if entry.kind == RESTRUCTURE:
            if entry.terms is None:
                raise ValueError(f"restructuring on {entry.on} has no terms")
            segments.append(Segment(starts_on, LiveLoan(current, late_interest, tuple(events))))
            starts_on, current, events = entry.on, entry.terms, []
        else:
            events.append(entry.engine_event())
    segments.append(Segment(starts_on, LiveLoan(current, late_interest, tuple(events))))
    return segments


def record_latest(segments: list[Segment], event: LoanEvent) -> LiveLoan:
    """The loan under its latest terms with `event` recorded.

    Raises InvalidTerms for an event dated before those terms start (field ``on``) or one the
    loan refuses (out of order, too large: the engine's ``events[i].<field>``).
    """
    current = segments[-1]
    if event.on < current.starts_on:
        raise InvalidTerms(
            "on", f"{event.on.isoformat()} is before the loan's current terms start ({current.starts_on})"
        )
    return current.live.record(event)


def request_field(engine_field: str, date_field: str) -> str:
    """The request's field for an engine field: dates become `date_field`, ``events[3].amount`` becomes ``amount``."""
    if engine_field == "on" or engine_field.endswith(".on"):
        return date_field
    return engine_field.rsplit(".", 1)[-1]


def segment_on(segments: list[Segment], day: date) -> Segment:
    """The segment in force on `day` (the first one for days before any restructuring)."""
    chosen = segments[0]
    for segment in segments:
        if segment.starts_on <= day:
            chosen = segment
    return chosen
