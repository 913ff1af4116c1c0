from datetime import date

import pytest

from shared.platform.rules import RuleViolation

from services.sifo.domain.financiers import FinancierRegistration, RecognitionPeriod


def test_recognition_may_not_end_before_it_starts() -> None:
    with pytest.raises(RuleViolation, match="recognised_until: 2025-12-31 is before recognised_from 2026-01-01"):
        RecognitionPeriod(date(2026, 1, 1), date(2025, 12, 31))


def test_recognition_covers_its_window_inclusive() -> None:
    period = RecognitionPeriod(date(2026, 1, 1), date(2026, 12, 31))
    assert period.covers(date(2026, 1, 1))
    assert period.covers(date(2026, 12, 31))
    assert not period.covers(date(2027, 1, 1))
    assert RecognitionPeriod(date(2026, 1, 1)).covers(date(2099, 1, 1))


def test_blank_names_are_refused() -> None:
    with pytest.raises(RuleViolation, match="name: must not be blank"):
        FinancierRegistration("0403170701", "   ", "BE68539007547034", RecognitionPeriod(date(2026, 1, 1)))
