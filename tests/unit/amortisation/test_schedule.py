"""The scalar schedule: published vectors (numpy-financial's documented examples) and invariants."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.schedule import build_schedule
from shared.amortisation.terms import DayCount, Frequency, GraceKind, LoanTerms, Method

from tests.unit.amortisation.strategies import loan_terms

D = Decimal

# numpy-financial's ipmt/ppmt docstring: EUR 2,500 at 8.24 % over one year, monthly. Its table shows
# ppmt, ipmt and the running balance rounded from float64; ours rounds interest to the cent every
# month, so each figure may differ by a cent or two and the total interest by a few cents.
NPF_IPMT_EXAMPLE = [
    (200.58, 17.17, 2299.42),
    (201.96, 15.79, 2097.46),
    (203.35, 14.40, 1894.11),
    (204.74, 13.01, 1689.37),
    (206.15, 11.60, 1483.22),
    (207.56, 10.18, 1275.66),
    (208.99, 8.76, 1066.67),
    (210.42, 7.32, 856.25),
    (211.87, 5.88, 644.38),
    (213.32, 4.42, 431.05),
    (214.79, 2.96, 216.26),
    (216.26, 1.49, 0.00),
]


def test_numpy_financial_ipmt_ppmt_example_within_its_tolerance() -> None:
    schedule = build_schedule(LoanTerms(D("2500.00"), D("0.0824"), 12, date(2026, 1, 1)))
    for row, (principal, interest, balance) in zip(schedule.installments, NPF_IPMT_EXAMPLE, strict=True):
        assert float(row.principal) == pytest.approx(principal, abs=0.03)
        assert float(row.interest) == pytest.approx(interest, abs=0.011)
        assert float(row.closing_balance) == pytest.approx(balance, abs=0.03)
    assert float(schedule.total_interest) == pytest.approx(112.98, abs=0.02)


def test_numpy_financial_pmt_example() -> None:
    """npf.pmt(0.075/12, 12*15, 200000) = -1854.0247200054619."""
    schedule = build_schedule(LoanTerms(D("200000.00"), D("0.075"), 180, date(2026, 1, 1)))
    assert schedule.installments[0].payment == D("1854.02")


def test_reference_annuity_rows_to_the_cent() -> None:
    schedule = build_schedule(LoanTerms(D("100000.00"), D("0.035"), 120, date(2026, 1, 31)))
    first, second, last = schedule.installments[0], schedule.installments[1], schedule.installments[-1]
    assert (first.due_date, first.interest, first.principal, first.payment) == (
        date(2026, 2, 28),
        D("291.67"),
        D("697.19"),
        D("988.86"),
    )
    assert second.due_date == date(2026, 3, 31)
    assert last.due_date == date(2036, 1, 31)
    assert (last.opening_balance, last.interest, last.payment, last.closing_balance) == (
        D("985.77"),
        D("2.88"),
        D("988.65"),
        D("0.00"),
    )


def test_due_dates_count_from_the_start_and_clip_to_month_end() -> None:
    schedule = build_schedule(LoanTerms(D("1000.00"), D("0.01"), 4, date(2024, 1, 31)))
    assert [row.due_date for row in schedule.installments] == [
        date(2024, 2, 29),
        date(2024, 3, 31),
        date(2024, 4, 30),
        date(2024, 5, 31),
    ]


def test_capitalised_grace_adds_interest_to_the_balance_and_shows_it() -> None:
    terms = LoanTerms(D("10000.00"), D("0.06"), 6, date(2026, 1, 1), grace_periods=2, grace_kind=GraceKind.CAPITALISED)
    rows = build_schedule(terms).installments
    assert (rows[0].interest, rows[0].capitalised, rows[0].payment, rows[0].closing_balance) == (
        D("50.00"),
        D("50.00"),
        D("0.00"),
        D("10050.00"),
    )
    assert rows[1].capitalised == D("50.25")
    assert all(row.capitalised == 0 for row in rows[2:])
    assert sum(row.principal for row in rows) == D("10100.25")


def test_interest_only_grace_pays_interest_only() -> None:
    terms = LoanTerms(D("12000.00"), D("0.03"), 4, date(2026, 1, 1), grace_periods=2, method=Method.LINEAR)
    rows = build_schedule(terms).installments
    assert [(row.principal, row.payment) for row in rows[:2]] == [(D("0.00"), D("30.00"))] * 2
    assert [row.principal for row in rows[2:]] == [D("6000.00"), D("6000.00")]


def test_bullet_repays_everything_at_the_end() -> None:
    rows = build_schedule(
        LoanTerms(D("50000.00"), D("0.04"), 4, date(2026, 1, 1), frequency=Frequency.QUARTERLY, method=Method.BULLET)
    ).installments
    assert [row.principal for row in rows] == [D("0.00")] * 3 + [D("50000.00")]
    assert all(row.interest == D("500.00") for row in rows)


def test_actual_day_counts_use_the_days_of_each_period() -> None:
    rows = build_schedule(
        LoanTerms(D("36500.00"), D("0.10"), 2, date(2026, 1, 1), day_count=DayCount.ACT_365F, method=Method.BULLET)
    ).installments
    assert [row.interest for row in rows] == [D("310.00"), D("280.00")]
    isda = build_schedule(
        LoanTerms(
            D("36600.00"),
            D("0.10"),
            1,
            date(2023, 12, 1),
            frequency=Frequency.ANNUAL,
            day_count=DayCount.ACT_ACT_ISDA,
            method=Method.BULLET,
        )
    ).installments
    # 31 days of 2023 over 365 + 335 days of leap year 2024 over 366: 3660 x 1.000232... = 3660.85
    assert isda[0].interest == D("3660.85")


def test_installment_multiple_rounds_the_level_payment() -> None:
    terms = LoanTerms(D("100000.00"), D("0.035"), 120, date(2026, 1, 1), installment_multiple=D("5.00"))
    rows = build_schedule(terms).installments
    assert rows[0].payment == D("990.00")
    assert rows[-1].closing_balance == D("0.00")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"periods": 2, "grace_periods": 2}, "periods: must be >= grace_periods + 1"),
        ({"principal": D("0.00")}, "principal: must be greater than 0.00"),
        ({"principal": D("10.001")}, "principal: 10.001 has more than two decimals"),
        ({"annual_rate": D("-0.01")}, "annual_rate: must not be negative"),
        ({"annual_rate": D("0.0350001")}, "annual_rate: must have at most 6 decimals"),
        ({"installment_multiple": D("0.001")}, "installment_multiple: must be a positive multiple of 0.01"),
    ],
)
def test_invalid_terms_name_the_field_and_rule(change: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "principal": D("1000.00"),
        "annual_rate": D("0.01"),
        "periods": 12,
        "start_date": date(2026, 1, 1),
    }
    with pytest.raises(InvalidTerms) as error:
        LoanTerms(**{**base, **change})  # type: ignore[arg-type]
    assert str(error.value) == message


@settings(max_examples=300, deadline=None)
@given(loan_terms())
def test_invariants(terms: LoanTerms) -> None:
    refused: InvalidTerms | None = None
    try:
        schedule = build_schedule(terms)
    except InvalidTerms as exc:
        refused = exc
    if refused is not None:
        # Only an annuity whose rounded level payment cannot amortise the balance is refused.
        assert refused.field in ("installment_multiple", "periods")
        assert terms.method is Method.ANNUITY
        return
    rows = schedule.installments
    assert len(rows) <= terms.periods
    assert rows[-1].closing_balance == D("0.00")
    assert all(row.opening_balance > 0 for row in rows)
    assert schedule.total_principal == terms.principal + schedule.total_capitalised
    for before, after in itertools.pairwise(rows):
        assert after.opening_balance == before.closing_balance
    for row in rows:
        assert row.closing_balance == row.opening_balance + row.capitalised - row.principal
        if row.capitalised:
            assert row.payment == 0
        else:
            assert row.payment == row.principal + row.interest
        assert row.principal >= 0
    if terms.method is Method.ANNUITY:
        # Every amortising row pays the level payment, except one whose interest exceeds it (it repays nothing).
        amortising = [row for row in rows[terms.grace_periods : -1] if row.closing_balance > 0 and row.principal > 0]
        assert len({row.payment for row in amortising}) <= 1
