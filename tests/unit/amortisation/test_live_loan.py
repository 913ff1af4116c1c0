"""Live loans: paying per schedule, arrears, late interest, allocation order, validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.late_interest import STATUTORY_COLLECTION_FEE, LateInterestPolicy
from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.loan_events import Prepayment, RateReset, Repayment
from shared.amortisation.money import ZERO
from shared.amortisation.schedule import build_schedule
from shared.amortisation.terms import DayCount, Frequency, GraceKind, LoanTerms, Method

D = Decimal
# 12 000.00 at 12 %, 12 monthly annuities of 1066.19 under 30E/360; row 1: 120.00 + 946.19, row 2: 110.54 + 955.65.
MONTHLY = LoanTerms(principal=D("12000.00"), annual_rate=D("0.12"), periods=12, start_date=date(2026, 1, 15))
# The same loan in 8 quarterly annuities of 1709.48 (row 1: 360.00 interest + 1349.48 principal).
QUARTERLY = LoanTerms(
    principal=D("12000.00"),
    annual_rate=D("0.12"),
    periods=8,
    start_date=date(2026, 1, 15),
    frequency=Frequency.QUARTERLY,
)
TEN_PERCENT = LateInterestPolicy.contractual(D("0.10"))


def pay_per_schedule(loan: LiveLoan) -> LiveLoan:
    for row in loan.schedule().installments:
        if row.payment > 0:  # capitalised grace installments ask for nothing
            loan = loan.record(Repayment(row.due_date, row.payment))
    return loan


@pytest.mark.parametrize(
    "terms",
    [
        MONTHLY,
        QUARTERLY,
        LoanTerms(
            principal=D("5000.00"),
            annual_rate=D("0.045"),
            periods=10,
            start_date=date(2026, 1, 31),
            method=Method.LINEAR,
            day_count=DayCount.ACT_365F,
        ),
        LoanTerms(
            principal=D("8000.00"),
            annual_rate=D("0.07"),
            periods=9,
            start_date=date(2025, 12, 31),
            day_count=DayCount.ACT_ACT_ISDA,
            grace_periods=3,
            grace_kind=GraceKind.CAPITALISED,
        ),
    ],
)
def test_live_loan_paid_per_schedule_has_no_arrears_and_ends_at_zero(terms: LoanTerms) -> None:
    loan = pay_per_schedule(LiveLoan(terms, TEN_PERCENT))

    assert loan.schedule() == build_schedule(terms)
    for row in build_schedule(terms).installments:
        position = loan.position(row.due_date)
        assert position.arrears == ()
        assert position.total_arrears == ZERO
        assert position.days_past_due == 0
        assert position.late_interest == ZERO
        assert position.outstanding_principal == row.closing_balance
    final = loan.position(date(2030, 1, 1))
    assert final.outstanding_principal == ZERO
    assert final.accrued_interest == ZERO
    assert final.next_due_date is None
    assert final.payoff_amount == ZERO
    allocations = loan.allocations()
    assert all(a.prepayment == ZERO and a.excess == ZERO and a.late_interest == ZERO for a in allocations)
    assert sum((a.total for a in allocations), ZERO) == sum(
        (e.amount for e in loan.events if isinstance(e, Repayment)), ZERO
    )


def test_live_missed_installment_shows_arrears_days_past_due_and_late_interest() -> None:
    loan = LiveLoan(QUARTERLY, LateInterestPolicy.contractual(D("0.125")))
    # 720.62 on the due date pays interest 360.00 and principal 360.62, leaving 988.86 of principal.
    loan = loan.record(Repayment(date(2026, 4, 15), D("720.62")))

    position = loan.position(date(2026, 5, 15))

    (line,) = position.arrears
    assert (line.number, line.due_date, line.days_past_due) == (1, date(2026, 4, 15), 30)
    assert (line.interest_due, line.principal_due) == (D("360.00"), D("1349.48"))
    assert (line.interest_paid, line.principal_paid) == (D("360.00"), D("360.62"))
    assert (line.interest_outstanding, line.principal_outstanding) == (ZERO, D("988.86"))
    assert position.total_arrears == D("988.86")
    assert position.days_past_due == 30
    # 988.86 x 0.125 x 30 / 365 = 10.1595... -> 10.16
    assert position.late_interest == D("10.16")
    assert position.outstanding_principal == D("12000.00") - D("360.62")
    assert position.next_due_date == date(2026, 7, 15)


def test_live_late_interest_is_zero_on_the_due_date_and_grows_per_day() -> None:
    loan = LiveLoan(QUARTERLY, LateInterestPolicy.contractual(D("0.125")))

    on_due = loan.position(date(2026, 4, 15))
    assert on_due.days_past_due == 0
    assert on_due.late_interest == ZERO
    assert on_due.total_arrears == D("1709.48")
    # 1709.48 x 0.125 x 1 / 365 = 0.585... -> 0.59
    assert loan.position(date(2026, 4, 16)).late_interest == D("0.59")


def test_live_partial_repayment_is_allocated_late_interest_then_interest_then_principal_oldest_first() -> None:
    loan = LiveLoan(MONTHLY, TEN_PERCENT).record(Repayment(date(2026, 3, 20), D("500.00")))

    (allocation,) = loan.allocations()
    # Late interest: 1066.19 overdue 15 Feb -> 15 Mar (28 days), then 2132.38 for 5 days, at 10 % ACT/365:
    # 1066.19 x 0.10 x 28/365 + 2132.38 x 0.10 x 5/365 = 8.17885 + 2.92107 = 11.09992 -> 11.10
    assert allocation.late_interest == D("11.10")
    assert [(line.number, line.interest, line.principal) for line in allocation.installments] == [
        (1, D("120.00"), D("258.36")),  # 500.00 - 11.10 - 120.00 - 110.54
        (2, D("110.54"), ZERO),
    ]
    assert (allocation.interest, allocation.principal, allocation.prepayment) == (D("230.54"), D("258.36"), ZERO)
    assert allocation.total == D("500.00")

    position = loan.position(date(2026, 3, 20))
    assert position.late_interest == ZERO
    assert [(line.number, line.principal_outstanding, line.days_past_due) for line in position.arrears] == [
        (1, D("687.83"), 33),
        (2, D("955.65"), 5),
    ]
    assert position.total_arrears == D("1643.48")
    assert position.outstanding_principal == D("11741.64")


def test_live_repayment_on_a_due_date_pays_overdue_before_the_current_installment() -> None:
    loan = LiveLoan(MONTHLY, TEN_PERCENT).record(Repayment(date(2026, 3, 15), D("1500.00")))

    (allocation,) = loan.allocations()
    # 28 days on 1066.19: 8.17885 -> 8.18; the installment due today bears no late interest yet.
    assert allocation.late_interest == D("8.18")
    assert [(line.number, line.interest, line.principal) for line in allocation.installments] == [
        (1, D("120.00"), D("946.19")),
        (2, D("110.54"), D("315.09")),  # 1500.00 - 8.18 - 1066.19 - 110.54
    ]


def test_live_collection_fee_is_charged_once_per_overdue_installment_and_paid_after_late_interest() -> None:
    policy = LateInterestPolicy.contractual(D("0.10"), collection_fee=STATUTORY_COLLECTION_FEE)
    loan = LiveLoan(MONTHLY, policy)

    assert loan.position(date(2026, 2, 15)).collection_fees == ZERO
    assert loan.position(date(2026, 2, 16)).collection_fees == D("40.00")
    assert loan.position(date(2026, 3, 16)).collection_fees == D("80.00")

    paid = loan.record(Repayment(date(2026, 3, 20), D("100.00")))
    (allocation,) = paid.allocations()
    assert (allocation.late_interest, allocation.collection_fees) == (D("11.10"), D("80.00"))
    assert allocation.installments[0].interest == D("8.90")
    assert paid.position(date(2026, 4, 1)).collection_fees == ZERO


def test_live_legal_late_rate_changing_mid_arrears_splits_the_accrual() -> None:
    terms = LoanTerms(
        principal=D("12000.00"),
        annual_rate=D("0.12"),
        periods=8,
        start_date=date(2026, 3, 15),
        frequency=Frequency.QUARTERLY,
    )
    legal = LateInterestPolicy.legal(lambda day: D("0.08") if day < date(2026, 7, 1) else D("0.09"))

    position = LiveLoan(terms, legal).position(date(2026, 7, 15))

    # 1709.48 overdue from 15 June: 16 days at 8 % then 14 days at 9 %, ACT/365:
    # 1709.48 x (0.08 x 16 + 0.09 x 14) / 365 = 5.99478 + 5.90120 = 11.89598 -> 11.90
    # (all 30 days at 8 % would be 11.24, at 9 % 12.65)
    assert position.late_interest == D("11.90")


def test_live_accrued_not_due_interest_mid_period() -> None:
    loan = LiveLoan(MONTHLY, TEN_PERCENT)

    # 30E/360 from 15 Jan to 1 Feb is 16 days: 12000.00 x 0.12 x 16/360 = 64.00
    assert loan.position(date(2026, 2, 1)).accrued_interest == D("64.00")
    assert loan.position(date(2026, 1, 15)).accrued_interest == ZERO
    assert loan.position(date(2026, 2, 15)).accrued_interest == ZERO
    # Next period on the scheduled balance 11053.81: 30E/360 15 Feb -> 1 Mar = 16 days -> 58.95
    assert loan.position(date(2026, 3, 1)).accrued_interest == D("58.95")


def test_live_replay_is_deterministic_and_position_ignores_later_events() -> None:
    events = (
        Repayment(date(2026, 2, 15), D("1066.19")),
        Repayment(date(2026, 4, 2), D("3000.00")),
        RateReset(date(2026, 5, 1), D("0.08")),
    )
    first = LiveLoan(MONTHLY, TEN_PERCENT, events)
    second = LiveLoan(MONTHLY, TEN_PERCENT)
    for event in events:
        second = second.record(event)

    assert first == second
    assert first.position(date(2026, 6, 1)) == second.position(date(2026, 6, 1))
    assert first.position(date(2026, 3, 1)) == LiveLoan(MONTHLY, TEN_PERCENT, events[:1]).position(date(2026, 3, 1))
    assert first.schedule(date(2026, 3, 1)) == build_schedule(MONTHLY)


def test_live_events_before_disbursement_are_refused() -> None:
    with pytest.raises(InvalidTerms) as error:
        LiveLoan(MONTHLY, TEN_PERCENT).record(Repayment(date(2026, 1, 14), D("10.00")))
    assert error.value.field == "events[0].on"


def test_live_events_out_of_order_are_refused() -> None:
    loan = LiveLoan(MONTHLY, TEN_PERCENT).record(Repayment(date(2026, 3, 15), D("10.00")))
    with pytest.raises(InvalidTerms) as error:
        loan.record(RateReset(date(2026, 3, 14), D("0.05")))
    assert error.value.field == "events[1].on"
    # the same day is allowed: events of one day keep the order they were recorded in
    assert len(loan.record(Repayment(date(2026, 3, 15), D("10.00"))).allocations()) == 2


def test_live_invalid_amounts_rates_and_dates_name_the_field() -> None:
    with pytest.raises(InvalidTerms) as error:
        Repayment(date(2026, 3, 15), D("0.00"))
    assert error.value.field == "amount"
    with pytest.raises(InvalidTerms) as error:
        Repayment(date(2026, 3, 15), D("1.001"))
    assert error.value.field == "amount"
    with pytest.raises(InvalidTerms) as error:
        Prepayment(date(2026, 3, 15), D("1.00"), "shorter")  # type: ignore[arg-type]
    assert error.value.field == "mode"
    with pytest.raises(InvalidTerms) as error:
        RateReset(date(2026, 3, 15), D("1.5"))
    assert error.value.field == "annual_rate"
    with pytest.raises(InvalidTerms) as error:
        LiveLoan(MONTHLY, TEN_PERCENT).record(Prepayment(date(2026, 2, 15), D("11053.82")))
    assert error.value.field == "events[0].amount"
    with pytest.raises(InvalidTerms) as error:
        LiveLoan(MONTHLY, TEN_PERCENT).position(date(2026, 1, 1))
    assert error.value.field == "as_of"
    with pytest.raises(InvalidTerms) as error:
        LateInterestPolicy()
    assert error.value.field == "late_interest"
