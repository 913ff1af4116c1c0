"""Trividend's rules without a database: average cost, sales, reporting periods, performance ratios."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.amortisation.fair_value import residual_value
from shared.platform.rules import RuleViolation

from services.trividend.domain.follow_up import ReportingPolicy, overdue_period, period_end
from services.trividend.domain.holdings import Movement, MovementKind, check_sale, check_tranche, holding, ownership
from services.trividend.domain.performance import performance

D = Decimal


def test_exits_leave_the_average_cost_of_what_remains_unchanged() -> None:
    movements = [
        Movement(MovementKind.TRANCHE, date(2026, 1, 1), D("10000.00"), 100, 1),
        Movement(MovementKind.TRANCHE, date(2026, 6, 1), D("20000.00"), 100, 2),
        Movement(MovementKind.EXIT, date(2027, 1, 1), D("9000.00"), 60, 3),
        Movement(MovementKind.DIVIDEND, date(2027, 2, 1), D("500.00"), 0, 4),
    ]
    held = holding(movements, date(2027, 12, 31))
    assert (held.shares_held, held.cost, held.realised_gain, held.dividends) == (
        140,
        D("21000.00"),
        D("0.00"),
        D("500.00"),
    )
    assert held.average_cost == D("150")
    assert holding(movements, date(2026, 3, 1)).shares_held == 100


def test_no_sale_exceeds_the_shares_held_that_day_or_strands_a_later_sale() -> None:
    movements = [
        Movement(MovementKind.TRANCHE, date(2026, 1, 1), D("10000.00"), 100, 1),
        Movement(MovementKind.EXIT, date(2026, 12, 1), D("5000.00"), 80, 2),
    ]
    with pytest.raises(RuleViolation) as too_many:
        check_sale(movements, date(2027, 1, 1), 21)
    assert too_many.value.field == "shares_sold"
    with pytest.raises(RuleViolation) as strands:
        check_sale(movements, date(2026, 6, 1), 30)
    assert "2026-12-01" in strands.value.rule
    assert check_sale(movements, date(2027, 1, 1), 20).shares_held == 20


def test_a_tranche_amount_is_shares_times_price_to_the_cent() -> None:
    check_tranche(3, D("33.333333"), D("100.00"))
    for shares, price, amount, field in (
        (3, D("33.34"), D("100.00"), "amount"),
        (0, D("1"), D("0"), "shares"),
        (1, D("0"), D("0"), "price_per_share"),
    ):
        with pytest.raises(RuleViolation) as refused:
            check_tranche(shares, price, amount)
        assert refused.value.field == field
    assert ownership(1, 3) == D("0.333333")
    assert ownership(2, 3) == D("0.666667")
    assert ownership(5, None) is None


def test_reporting_periods_follow_the_calendar_and_a_report_covers_earlier_periods() -> None:
    assert period_end(date(2026, 1, 10), 6) == date(2026, 6, 30)
    assert period_end(date(2026, 7, 1), 6) == date(2026, 12, 31)
    assert period_end(date(2026, 11, 5), 3) == date(2026, 12, 31)
    policy = ReportingPolicy(6, 60)
    assert overdue_period(date(2026, 1, 10), None, date(2026, 8, 29), policy) is None
    assert overdue_period(date(2026, 1, 10), None, date(2026, 8, 30), policy) == date(2026, 6, 30)
    assert overdue_period(date(2026, 1, 10), date(2026, 12, 31), date(2027, 3, 1), policy) is None
    with pytest.raises(ValueError, match="interval_months"):
        ReportingPolicy(5, 60)


def test_performance_ratios_against_a_hand_computed_example() -> None:
    flows = [(date(2026, 1, 1), D("-100000.00")), (date(2027, 1, 1), D("5000.00")), (date(2028, 1, 1), D("30000.00"))]
    figures = performance(date(2028, 12, 31), flows, D("90000.00"), D("30000.00"), D("5000.00"), D("10000.00"), D("25"))
    assert (figures.invested, figures.distributions) == (D("100000.00"), D("35000.00"))
    assert (figures.dpi, figures.rvpi, figures.tvpi) == (D("0.3500000000"), D("0.9000000000"), D("1.2500000000"))
    assert figures.moic == figures.tvpi
    assert figures.invested_per_vte == D("4000.00")
    assert figures.xirr is not None
    assert figures.xirr > 0
    nothing_back = performance(date(2026, 6, 30), flows[:1], D("0.00"), D("0"), D("0"), D("0"), None)
    assert nothing_back.xirr is None
    assert nothing_back.invested_per_vte is None


def test_a_rate_no_decimal_holds_is_no_rate_rather_than_an_error() -> None:
    flows = [(date(2026, 9, 29), D("-100.00")), (date(2026, 9, 30), D("130.00"))]
    assert performance(date(2026, 9, 30), flows, D("0.00"), D("130.00"), D("0"), D("30.00"), None).xirr is None


def test_value_per_share_follows_the_latest_valuation_or_purchase() -> None:
    purchases = [(date(2026, 1, 1), D("10000.00"), 100), (date(2027, 3, 1), D("15000.00"), 100)]
    valuations = [(date(2026, 9, 30), D("20000.00"), 100), (date(2026, 9, 30), D("18000.00"), 100)]
    assert residual_value(100, purchases, valuations, date(2026, 6, 30)) == D("10000.00")
    assert residual_value(100, purchases, valuations, date(2026, 12, 31)) == D("18000.00")  # the later approval
    assert residual_value(50, purchases, valuations, date(2026, 12, 31)) == D("9000.00")  # half sold
    assert residual_value(200, purchases, valuations, date(2027, 3, 1)) == D("30000.00")  # price of recent investment
    assert residual_value(0, purchases, valuations, date(2027, 3, 1)) == D("0.00")
