"""The pure rules of repayment operations: what to ask for, collection dates, buckets, reminders, matching."""

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from shared.amortisation.position import InstallmentOwed
from shared.loan_operations.rules import (
    Candidate,
    bucket_of,
    collection_date,
    execution_date,
    match_on_amount_and_iban,
    next_due_after,
    overdue,
    reminder_level,
    to_request,
)
from shared.loan_operations.scheduler import due_dates, seconds_until

ROWS = [
    InstallmentOwed(1, date(2026, 3, 1), Decimal("100.00"), Decimal("0.00")),
    InstallmentOwed(2, date(2026, 4, 1), Decimal("100.00"), Decimal("40.00")),
    InstallmentOwed(3, date(2026, 5, 1), Decimal("100.00"), Decimal("100.00")),
    InstallmentOwed(4, date(2026, 6, 1), Decimal("100.00"), Decimal("100.00")),
]


def test_only_instalments_due_in_the_window_owing_money_and_never_asked_are_requested() -> None:
    chosen = to_request(ROWS, {date(2026, 5, 1)}, date(2026, 5, 10))
    assert [row.number for row in chosen] == [2]
    assert next_due_after(ROWS, date(2026, 5, 10)) == date(2026, 6, 1)
    assert next_due_after(ROWS, date(2026, 6, 1)) is None


@pytest.mark.parametrize(
    ("due", "run", "collected"),
    [
        (date(2026, 3, 2), date(2026, 2, 20), date(2026, 3, 2)),  # a Monday
        (date(2026, 3, 1), date(2026, 2, 20), date(2026, 3, 2)),  # Sunday -> Monday
        (date(2026, 4, 3), date(2026, 3, 25), date(2026, 4, 7)),  # Good Friday, Easter Monday -> Tuesday
        (date(2026, 12, 25), date(2026, 12, 14), date(2026, 12, 28)),  # Christmas, 26th, then the weekend
        (date(2026, 5, 1), date(2026, 4, 20), date(2026, 5, 4)),  # Labour Day (a Friday)
        (date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 3)),  # never the run's own day
        (date(2026, 1, 5), date(2026, 3, 6), date(2026, 3, 9)),  # overdue: the first business day after the run
    ],
)
def test_collections_fall_on_target2_business_days_after_the_run(due: date, run: date, collected: date) -> None:
    assert collection_date(due, run) == collected


def test_payouts_execute_on_the_requested_day_or_the_run_day_on_a_business_day() -> None:
    assert execution_date(date(2026, 4, 3), date(2026, 3, 30)) == date(2026, 4, 7)
    assert execution_date(date(2026, 3, 2), date(2026, 3, 10)) == date(2026, 3, 10)


@pytest.mark.parametrize(("days", "bucket"), [(1, "1-30"), (30, "1-30"), (31, "31-60"), (90, "61-90"), (91, "90+")])
def test_buckets(days: int, bucket: str) -> None:
    assert bucket_of(days) == bucket


def test_a_reminder_goes_out_once_per_level_and_a_late_run_sends_the_highest_reached() -> None:
    levels = (10, 30, 60)
    assert reminder_level(9, levels, 0) is None
    assert reminder_level(10, levels, 0) == 1
    assert reminder_level(11, levels, 1) is None
    assert reminder_level(45, levels, 0) == 2
    assert reminder_level(400, levels, 3) is None


def test_overdue_after_the_tolerance() -> None:
    assert not overdue(date(2026, 3, 1), 5, date(2026, 3, 6))
    assert overdue(date(2026, 3, 1), 5, date(2026, 3, 7))


def _candidate(request_id: int, loan: str, owed: str, *ibans: str) -> Candidate:
    return Candidate(request_id, loan, Decimal(owed), frozenset(ibans))


def test_matching_on_amount_and_iban_finds_the_one_request_or_says_why_not() -> None:
    a = _candidate(1, "loan-a", "100.00", "BE1")
    b = _candidate(2, "loan-b", "100.00", "BE2")
    c = _candidate(3, "loan-b", "250.00", "BE2")
    assert match_on_amount_and_iban(Decimal("100.00"), "BE1", [a, b, c]).candidate == a
    assert match_on_amount_and_iban(Decimal("100.00"), "BE2", [a, b, c]).candidate == b
    assert match_on_amount_and_iban(Decimal("60.00"), "BE2", [a, b, c]).candidate == b  # partial: the loan's oldest
    twice = match_on_amount_and_iban(
        Decimal("100.00"), "BE3", [_candidate(4, "x", "100.00", "BE3"), _candidate(5, "y", "100.00", "BE3")]
    )
    assert twice.candidate is None
    assert (twice.reason or "").startswith("ambiguous")
    overdue_and_current = [_candidate(6, "z", "100.00", "BE4"), _candidate(7, "z", "100.00", "BE4")]
    assert match_on_amount_and_iban(Decimal("100.00"), "BE4", overdue_and_current).candidate == overdue_and_current[0]
    nobody = match_on_amount_and_iban(Decimal("100.00"), "BE9", [a, b])
    assert nobody.candidate is None
    assert "pays no open instalment" in (nobody.reason or "")
    assert match_on_amount_and_iban(Decimal("100.00"), None, [a]).candidate is None


def test_the_scheduler_catches_up_from_the_day_after_the_last_completed_run() -> None:
    today = date(2026, 3, 10)
    assert due_dates(date(2026, 3, 6), today, started=True) == [date(2026, 3, d) for d in (7, 8, 9, 10)]
    assert due_dates(date(2026, 3, 6), today, started=False) == [date(2026, 3, d) for d in (7, 8, 9)]
    assert due_dates(None, today, started=True) == [today]
    assert due_dates(today, today, started=True) == []
    assert len(due_dates(date(2020, 1, 1), today, started=True)) == 366


def test_the_scheduler_wakes_at_the_start_time_in_brussels() -> None:
    # 04:30 UTC on 30 March 2026 is 06:30 in Brussels (summer time): the next start is tomorrow 06:00.
    moment = datetime(2026, 3, 30, 4, 30, tzinfo=UTC)
    assert seconds_until(moment, time(6, 0)) == pytest.approx(23.5 * 3600)
    assert seconds_until(datetime(2026, 1, 5, 4, 0, tzinfo=UTC), time(6, 0)) == pytest.approx(3600)
