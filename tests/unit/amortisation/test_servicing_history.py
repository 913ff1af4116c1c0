"""Replaying a stored servicing history, restructurings included."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.loan_events import Prepayment, PrepaymentMode, Repayment
from shared.amortisation.schedule import build_schedule
from shared.amortisation.servicing_history import (
    HistoryEntry,
    entry_of,
    record_latest,
    replay,
    request_field,
    segment_on,
)
from shared.amortisation.terms import LoanTerms

TERMS = LoanTerms(Decimal("12000.00"), Decimal("0.03"), 12, date(2026, 1, 1))
LATE = LateInterestPolicy.contractual(Decimal("0.05"))


def test_entries_round_trip_engine_events() -> None:
    for event in (
        Repayment(date(2026, 2, 1), Decimal("100.00")),
        Prepayment(date(2026, 2, 1), Decimal("5.00"), PrepaymentMode.REDUCE_TERM),
    ):
        assert entry_of(event).engine_event() == event


def test_a_restructuring_starts_a_new_segment_from_its_day() -> None:
    first = build_schedule(TERMS).installments[0]
    new_terms = LoanTerms(Decimal("11500.00"), Decimal("0.01"), 24, date(2026, 3, 1))
    history = [
        entry_of(Repayment(first.due_date, first.payment)),
        HistoryEntry("restructure", date(2026, 3, 1), terms=new_terms),
    ]
    segments = replay(TERMS, LATE, history)
    assert [segment.starts_on for segment in segments] == [date(2026, 1, 1), date(2026, 3, 1)]
    assert segment_on(segments, date(2026, 2, 15)).live.position(date(2026, 2, 15)).total_arrears == Decimal("0.00")
    later = segment_on(segments, date(2026, 4, 1)).live
    assert later.terms == new_terms
    assert later.schedule().installments[0].opening_balance == Decimal("11500.00")


def test_an_incomplete_entry_is_refused() -> None:
    with pytest.raises(ValueError, match="incomplete"):
        HistoryEntry("repayment", date(2026, 2, 1)).engine_event()


def test_events_before_the_latest_terms_are_refused_and_fields_map_to_the_request() -> None:
    new_terms = LoanTerms(Decimal("11500.00"), Decimal("0.01"), 24, date(2026, 3, 1))
    segments = replay(TERMS, LATE, [HistoryEntry("restructure", date(2026, 3, 1), terms=new_terms)])
    with pytest.raises(InvalidTerms, match=r"^on: 2026-02-15 is before the loan's current terms start \(2026-03-01\)$"):
        record_latest(segments, Repayment(date(2026, 2, 15), Decimal("10.00")))
    assert record_latest(segments, Repayment(date(2026, 4, 1), Decimal("10.00"))).terms == new_terms
    assert request_field("on", "received_on") == "received_on"
    assert request_field("events[3].on", "received_on") == "received_on"
    assert request_field("events[3].amount", "received_on") == "amount"
