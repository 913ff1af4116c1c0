"""The register's rules without a database: every window containing a grant, undertakings, dates, expiry."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from shared.amortisation.state_aid import AidGrant, DeMinimisExceeded, check_new_grant, headroom_for_grant
from shared.contracts.aid_vocabulary import MeasureStatus
from shared.platform.rules import RuleViolation

from services.state_aid.domain.measures import CountedMeasure, GrantDatePolicy, counts, legal_basis
from services.state_aid.domain.undertakings import Link, Membership, single_undertaking

A, B, C, D = "0403170701", "0202239951", "0200065765", "0417497106"


def grant(on: date, gge: str) -> AidGrant:
    return AidGrant(A, on, Decimal(gge))


def test_a_back_dated_grant_must_fit_the_windows_of_later_grants() -> None:
    later = [grant(date(2026, 3, 10), "250000.00")]
    # The window ending on the new grant's date holds nothing; the one ending on the later grant does.
    with pytest.raises(DeMinimisExceeded) as refused:
        check_new_grant(later, grant(date(2025, 1, 1), "60000.00"))
    assert refused.value.headroom.available == Decimal("50000.00")
    assert refused.value.headroom.window_end == date(2026, 3, 10)
    assert "three years to 2026-03-10" in refused.value.rule
    assert check_new_grant(later, grant(date(2025, 1, 1), "50000.00")).available == Decimal("0.00")


def test_a_grant_three_years_and_a_day_before_no_longer_shares_a_window() -> None:
    old = [grant(date(2023, 3, 9), "300000.00")]
    assert headroom_for_grant(old, A, date(2026, 3, 10)).available == Decimal("300000.00")
    assert headroom_for_grant(old, A, date(2026, 3, 9)).available == Decimal("300000.00")  # three years: out
    assert headroom_for_grant(old, A, date(2026, 3, 8)).available == Decimal("0.00")


def test_later_grants_more_than_three_years_on_are_not_in_any_window_of_the_new_one() -> None:
    later = [grant(date(2029, 1, 2), "300000.00")]
    assert headroom_for_grant(later, A, date(2026, 1, 1)).available == Decimal("300000.00")
    assert headroom_for_grant(later, A, date(2026, 1, 3)).available == Decimal("0.00")


def test_each_window_is_judged_against_the_ceiling_in_force_on_its_last_day() -> None:
    # A window ending in 2023 allows EUR 200,000 (Regulation 1407/2013), one ending in 2024 EUR 300,000.
    earlier = [grant(date(2023, 6, 1), "150000.00")]
    assert headroom_for_grant(earlier, A, date(2023, 12, 1)).available == Decimal("50000.00")
    assert headroom_for_grant(earlier, A, date(2024, 2, 1)).available == Decimal("150000.00")
    # A new grant in 2022 also falls in the 2023 window of the existing grant: 200,000 rules there.
    assert headroom_for_grant(earlier, A, date(2022, 1, 1)).available == Decimal("50000.00")
    assert legal_basis(date(2023, 12, 31)) == "Regulation (EU) No 1407/2013"
    assert legal_basis(date(2024, 1, 1)) == "Regulation (EU) 2023/2831"


def test_the_tightest_window_is_reported() -> None:
    grants = [grant(date(2025, 1, 1), "100000.00"), grant(date(2027, 6, 1), "150000.00")]
    room = headroom_for_grant(grants, A, date(2026, 1, 1))
    assert (room.used, room.available, room.window_end) == (
        Decimal("250000.00"),
        Decimal("50000.00"),
        date(2027, 6, 1),
    )


def test_the_single_undertaking_follows_links_through_others_on_the_day() -> None:
    links = [
        Link(A, B, date(2025, 1, 1), None),
        Link(C, B, date(2025, 6, 1), date(2025, 12, 31)),
        Link(D, C, date(2020, 1, 1), None),
    ]
    assert single_undertaking(A, links, date(2024, 12, 31)) == {A}
    assert single_undertaking(A, links, date(2025, 3, 1)) == {A, B}
    assert single_undertaking(A, links, date(2025, 12, 31)) == {A, B, C, D}
    assert single_undertaking(D, links, date(2026, 1, 1)) == {C, D}


def test_a_reservation_counts_until_its_time_runs_out() -> None:
    now = datetime(2026, 3, 10, 10, tzinfo=UTC)
    reserved = CountedMeasure(A, date(2026, 3, 10), Decimal("1.00"), MeasureStatus.RESERVED, now + timedelta(hours=1))
    assert counts(reserved, now)
    assert not counts(reserved, now + timedelta(hours=1))
    naive = CountedMeasure(A, date(2026, 3, 10), Decimal("1.00"), MeasureStatus.RESERVED, datetime(2026, 3, 10, 11))
    assert counts(naive, now)
    for status in (MeasureStatus.RELEASED, MeasureStatus.EXPIRED):
        assert not counts(CountedMeasure(A, date(2026, 3, 10), Decimal("1.00"), status, None), now)
    assert counts(CountedMeasure(A, date(2026, 3, 10), Decimal("1.00"), MeasureStatus.GRANTED, None), now)


def test_grant_dates_are_today_staff_may_record_history_with_a_reason() -> None:
    policy = GrantDatePolicy(future_horizon_days=1)
    today = date(2026, 3, 10)
    policy.check(today, today, is_staff=False, reason=None)
    policy.check(today + timedelta(days=1), today, is_staff=False, reason=None)
    with pytest.raises(RuleViolation) as ahead:
        policy.check(today + timedelta(days=2), today, is_staff=True, reason="x")
    assert ahead.value.field == "grant_date"
    policy.check(today - timedelta(days=1), today, is_staff=False, reason=None)  # a lender just before midnight
    with pytest.raises(RuleViolation) as past:
        policy.check(today - timedelta(days=2), today, is_staff=False, reason="paper file")
    assert past.value.field == "grant_date"
    with pytest.raises(RuleViolation) as unexplained:
        policy.check(today - timedelta(days=1), today, is_staff=True, reason="  ")
    assert unexplained.value.field == "reason"
    policy.check(today - timedelta(days=400), today, is_staff=True, reason="loan granted on paper in 2025")


def test_each_window_counts_the_undertaking_as_it_stands_on_its_last_day() -> None:
    links = (Link(A, C, date(2026, 6, 1), None),)
    later = [AidGrant(C, date(2026, 7, 1), Decimal("250000.00"))]
    over_time = Membership(A, links)
    # On 1 March A stands alone, but the window ending on C's grant of 1 July holds A and C.
    assert over_time.on(date(2026, 3, 1)) == {A}
    assert over_time.during(date(2026, 3, 1), date(2029, 3, 1)) == {A, C}
    room = headroom_for_grant(later, A, date(2026, 3, 1), members_on=over_time.on)
    assert (room.available, room.window_end) == (Decimal("50000.00"), date(2026, 7, 1))
    with pytest.raises(DeMinimisExceeded):
        check_new_grant(later, grant(date(2026, 3, 1), "50000.01"), members_on=over_time.on)
    # Without the link the later grant is another undertaking's.
    assert headroom_for_grant(later, A, date(2026, 3, 1)).available == Decimal("300000.00")
    # A link that ended before the later grant does not join its window.
    ended = Membership(A, (Link(A, C, date(2026, 1, 1), date(2026, 5, 31)),))
    assert headroom_for_grant(later, A, date(2026, 3, 1), members_on=ended.on).available == Decimal("300000.00")


def test_links_to_the_end_of_the_calendar_are_handled() -> None:
    forever = Membership(A, (Link(A, B, date.min, date.max), Link(C, B, date.max, None)))
    assert forever.during(date(2026, 1, 1), date.max) == {A, B, C}
    assert forever.on(date(2026, 1, 1)) == {A, B}
