"""Live loans: surplus and explicit prepayments, fair interest of split periods, rate resets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.loan_events import Prepayment, PrepaymentMode, RateReset, Repayment
from shared.amortisation.money import ZERO
from shared.amortisation.schedule import Schedule
from shared.amortisation.terms import DayCount, LoanTerms, Method

D = Decimal
MONTHLY = LoanTerms(principal=D("12000.00"), annual_rate=D("0.12"), periods=12, start_date=date(2026, 1, 15))
ACT365 = LoanTerms(
    principal=D("10000.00"),
    annual_rate=D("0.05"),
    periods=12,
    start_date=date(2026, 1, 1),
    day_count=DayCount.ACT_365F,
)
TEN_PERCENT = LateInterestPolicy.contractual(D("0.10"))


def assert_closes(schedule: Schedule, prepaid: Decimal) -> None:
    rows = schedule.installments
    assert rows[-1].closing_balance == ZERO
    assert schedule.total_principal + prepaid == schedule.terms.principal + schedule.total_capitalised
    for row in rows:
        assert row.opening_balance + row.capitalised - row.principal == row.closing_balance
        assert row.payment == row.interest - row.capitalised + row.principal


def test_live_surplus_reduces_the_following_installments_by_default() -> None:
    loan = LiveLoan(MONTHLY, TEN_PERCENT).record(Repayment(date(2026, 2, 15), D("3066.19")))

    (allocation,) = loan.allocations()
    assert [(line.number, line.interest, line.principal) for line in allocation.installments] == [
        (1, D("120.00"), D("946.19"))
    ]
    assert (allocation.prepayment, allocation.prepayment_mode) == (D("2000.00"), PrepaymentMode.REDUCE_INSTALLMENT)
    schedule = loan.schedule()
    rows = schedule.installments
    assert len(rows) == 12
    # 9053.81 x 0.01 / (1 - 1.01^-11) = 873.28; first interest 9053.81 x 0.12 / 12 = 90.54
    assert rows[1].opening_balance == D("9053.81")
    assert rows[1].interest == D("90.54")
    assert {row.payment for row in rows[1:-1]} == {D("873.28")}
    assert rows[-1].payment == D("873.25")
    assert_closes(schedule, D("2000.00"))
    assert loan.position(date(2026, 2, 15)).outstanding_principal == D("9053.81")


def test_live_surplus_in_reduce_term_mode_keeps_the_payment_and_shortens_the_schedule() -> None:
    loan = LiveLoan(MONTHLY, TEN_PERCENT).record(
        Repayment(date(2026, 2, 15), D("3066.19"), surplus_mode=PrepaymentMode.REDUCE_TERM)
    )

    schedule = loan.schedule()
    rows = schedule.installments
    assert len(rows) == 10
    assert {row.payment for row in rows[:-1]} == {D("1066.19")}
    assert (rows[-1].due_date, rows[-1].opening_balance, rows[-1].payment) == (
        date(2026, 11, 15),
        D("969.88"),
        D("979.58"),  # 969.88 + 969.88 x 0.01
    )
    assert_closes(schedule, D("2000.00"))
    final = loan.record(Repayment(date(2026, 11, 15), D("10000.00"))).position(date(2026, 11, 15))
    assert final.next_due_date is None


def test_live_prepayment_mid_period_splits_the_interest_at_its_date() -> None:
    loan = LiveLoan(ACT365, TEN_PERCENT).record(Prepayment(date(2026, 1, 11), D("3000.00")))

    first = loan.schedule().installments[0]
    # 10000.00 x 0.05 x 10/365 + 7000.00 x 0.05 x 21/365 = 13.69863 + 20.13699 = 33.83562 -> 33.84
    # (10000.00 for the whole month would be 42.47, 7000.00 would be 29.73)
    assert first.interest == D("33.84")
    # level on 7000.00 over 12: 599.25
    assert (first.opening_balance, first.principal, first.payment) == (D("7000.00"), D("565.41"), D("599.25"))
    assert_closes(loan.schedule(), D("3000.00"))
    # accrued on 21 Jan: 10000 x 0.05 x 10/365 + 7000 x 0.05 x 10/365 = 13.69863 + 9.58904 -> 23.29
    assert loan.position(date(2026, 1, 21)).accrued_interest == D("23.29")
    assert loan.position(date(2026, 1, 21)).outstanding_principal == D("7000.00")


def test_live_prepayment_under_30e_360_uses_the_30e_360_formula_for_the_broken_parts() -> None:
    loan = LiveLoan(MONTHLY, TEN_PERCENT).record(
        Prepayment(date(2026, 1, 31), D("3000.00"), PrepaymentMode.REDUCE_TERM)
    )

    first = loan.schedule().installments[0]
    # 30E/360: 15 Jan -> 31 Jan = 15 days, 31 Jan -> 15 Feb = 15 days:
    # 12000.00 x 0.12 x 15/360 + 9000.00 x 0.12 x 15/360 = 60.00 + 45.00
    assert first.interest == D("105.00")
    assert first.payment == D("1066.19")
    assert_closes(loan.schedule(), D("3000.00"))


def test_live_full_prepayment_leaves_only_the_interest_accrued_until_then() -> None:
    loan = LiveLoan(ACT365, TEN_PERCENT).record(Prepayment(date(2026, 1, 11), D("10000.00")))

    (only,) = loan.schedule().installments
    # 10000.00 x 0.05 x 10/365 = 13.70, due on the original due date
    assert (only.due_date, only.interest, only.principal, only.closing_balance) == (
        date(2026, 2, 1),
        D("13.70"),
        ZERO,
        ZERO,
    )
    assert loan.position(date(2026, 1, 11)).outstanding_principal == ZERO


def test_live_linear_prepayment_recomputes_the_linear_part() -> None:
    terms = LoanTerms(
        principal=D("1200.00"), annual_rate=D("0.06"), periods=12, start_date=date(2026, 1, 15), method=Method.LINEAR
    )
    loan = LiveLoan(terms, TEN_PERCENT).record(Repayment(date(2026, 2, 15), D("206.00")))

    rows = loan.schedule().installments
    # row 1: 6.00 interest + 100.00 principal; 100.00 prepaid leaves 1000.00 over 11 -> 90.91
    assert {row.principal for row in rows[1:-1]} == {D("90.91")}
    assert rows[-1].principal == D("90.90")
    assert_closes(loan.schedule(), D("100.00"))


def test_live_rate_reset_changes_later_interest_and_the_payment() -> None:
    loan = LiveLoan(MONTHLY, TEN_PERCENT).record(RateReset(date(2026, 3, 1), D("0.06")))

    rows = loan.schedule().installments
    assert rows[0].payment == D("1066.19")  # due before the reset: untouched
    # period 15 Feb -> 15 Mar on 11053.81 split on 1 Mar (30E/360: 16 + 14 days):
    # 11053.81 x (0.12 x 16 + 0.06 x 14) / 360 = 58.95365 + 25.79222 = 84.74587 -> 84.75
    assert rows[1].interest == D("84.75")
    # level over the 11 remaining on 11053.81 at 0.5 % a month: 1035.29
    assert {row.payment for row in rows[1:-1]} == {D("1035.29")}
    # 10103.27 x 0.06 / 12 = 50.52
    assert rows[2].interest == D("50.52")
    assert_closes(loan.schedule(), ZERO)
    position = loan.position(date(2026, 3, 1))
    assert position.annual_rate == D("0.06")
    assert loan.position(date(2026, 2, 28)).annual_rate == D("0.12")


def test_live_rate_reset_then_prepayment_in_the_same_period_keeps_every_segment() -> None:
    loan = LiveLoan(ACT365, TEN_PERCENT)
    loan = loan.record(RateReset(date(2026, 1, 11), D("0.03")))
    loan = loan.record(Prepayment(date(2026, 1, 21), D("4000.00")))

    first = loan.schedule().installments[0]
    # 10000 x 0.05 x 10/365 + 10000 x 0.03 x 10/365 + 6000 x 0.03 x 11/365
    # = 13.69863 + 8.21918 + 5.42466 = 27.34247 -> 27.34
    assert first.interest == D("27.34")
    assert_closes(loan.schedule(), D("4000.00"))
