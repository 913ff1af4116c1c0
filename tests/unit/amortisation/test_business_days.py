"""TARGET2 calendar and business-day conventions."""

from datetime import date

import pytest

from shared.amortisation.business_days import BusinessDayConvention, adjust, is_business_day

FOLLOWING = BusinessDayConvention.FOLLOWING
MODIFIED_FOLLOWING = BusinessDayConvention.MODIFIED_FOLLOWING
PRECEDING = BusinessDayConvention.PRECEDING
UNADJUSTED = BusinessDayConvention.UNADJUSTED


@pytest.mark.parametrize(
    "closed",
    [
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 1),  # Labour Day
        date(2026, 12, 25),  # Christmas Day
        date(2025, 12, 26),  # 26 December (a Friday in 2025)
        date(2026, 3, 7),  # Saturday
        date(2026, 3, 8),  # Sunday
    ],
)
def test_target2_closing_days(closed: date) -> None:
    assert not is_business_day(closed)


@pytest.mark.parametrize(
    "open_day",
    [
        date(2026, 4, 2),  # Maundy Thursday
        date(2026, 4, 7),
        date(2026, 5, 14),  # Ascension: a Belgian holiday, not a TARGET2 one
        date(2026, 7, 21),  # Belgian national day
        date(2026, 11, 11),
        date(2026, 12, 24),
        date(2026, 12, 31),
    ],
)
def test_target2_open_days(open_day: date) -> None:
    assert is_business_day(open_day)


def test_easter_weekend_rolls() -> None:
    assert adjust(date(2026, 4, 3), FOLLOWING) == date(2026, 4, 7)
    assert adjust(date(2026, 4, 6), PRECEDING) == date(2026, 4, 2)
    assert adjust(date(2026, 4, 4), MODIFIED_FOLLOWING) == date(2026, 4, 7)


@pytest.mark.parametrize(
    ("day", "following", "modified"),
    [
        (date(2026, 5, 31), date(2026, 6, 1), date(2026, 5, 29)),  # Sunday at month end
        (date(2026, 1, 31), date(2026, 2, 2), date(2026, 1, 30)),  # Saturday at month end
        (date(2026, 2, 28), date(2026, 3, 2), date(2026, 2, 27)),
        (date(2026, 3, 7), date(2026, 3, 9), date(2026, 3, 9)),  # mid-month: same as following
    ],
)
def test_modified_following_rolls_back_at_month_end(day: date, following: date, modified: date) -> None:
    assert adjust(day, FOLLOWING) == following
    assert adjust(day, MODIFIED_FOLLOWING) == modified


def test_modified_following_over_a_year_end_holiday() -> None:
    # 2028-12-31 is a Sunday: following lands on 2 January (1 January is closed), so roll back.
    assert adjust(date(2028, 12, 31), FOLLOWING) == date(2029, 1, 2)
    assert adjust(date(2028, 12, 31), MODIFIED_FOLLOWING) == date(2028, 12, 29)


@pytest.mark.parametrize("convention", list(BusinessDayConvention))
def test_business_days_never_move(convention: BusinessDayConvention) -> None:
    assert adjust(date(2026, 3, 2), convention) == date(2026, 3, 2)


def test_unadjusted_keeps_a_holiday() -> None:
    assert adjust(date(2026, 12, 25), UNADJUSTED) == date(2026, 12, 25)
