"""Money as borrowers really pay: early payments, payoff quotes, rate in force, rebuilt schedules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.late_interest import STATUTORY_COLLECTION_FEE, LateInterestPolicy
from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.loan_events import Prepayment, PrepaymentMode, RateReset, Repayment
from shared.amortisation.money import ZERO, from_cents
from shared.amortisation.position import PositionStatus
from shared.amortisation.reference_rates import legal_late_payment_rate
from shared.amortisation.schedule import build_schedule
from shared.amortisation.terms import Frequency, GraceKind, LoanTerms

from tests.unit.amortisation.strategies import loan_terms

D = Decimal
HUNDRED_K = LoanTerms(principal=D("100000.00"), annual_rate=D("0.045"), periods=120, start_date=date(2026, 1, 15))
MARGIN = LateInterestPolicy.over_contract_rate(D("0.02"))


def valid(terms: LoanTerms) -> bool:
    try:
        build_schedule(terms)
    except InvalidTerms:
        return False
    return True


# -- 1. a payment before the due date pays the next installment ----------------------------------


def test_the_first_installment_paid_two_days_early_is_that_installment_not_a_prepayment() -> None:
    loan = LiveLoan(HUNDRED_K, MARGIN).record(Repayment(date(2026, 2, 13), D("1036.38")))

    (allocation,) = loan.allocations()
    assert [(line.number, line.interest, line.principal) for line in allocation.installments] == [
        (1, D("375.00"), D("661.38"))
    ]
    assert (allocation.prepayment, allocation.excess) == (ZERO, ZERO)
    position = loan.position(date(2026, 3, 1))
    assert (position.total_arrears, position.days_past_due, position.late_interest) == (ZERO, 0, ZERO)
    assert position.status is PositionStatus.CURRENT
    assert position.outstanding_principal == D("99338.62")
    assert loan.schedule() == build_schedule(HUNDRED_K)


def test_only_what_exceeds_the_next_installment_is_a_prepayment() -> None:
    loan = LiveLoan(HUNDRED_K, MARGIN).record(Repayment(date(2026, 2, 13), D("3036.38")))

    (allocation,) = loan.allocations()
    assert allocation.principal == D("661.38")
    assert allocation.prepayment == D("2000.00")
    rows = loan.schedule().installments
    assert rows[0] == build_schedule(HUNDRED_K).installments[0]
    # the prepayment lowers the balance from the next period on: 99338.62 - 2000.00
    assert rows[1].opening_balance == D("97338.62")
    assert loan.position(date(2026, 3, 16)).total_arrears == rows[1].payment


@settings(max_examples=60, deadline=None)
@given(terms=loan_terms(max_periods=36), days_early=st.integers(0, 27))
def test_paying_every_installment_early_never_leaves_arrears(terms: LoanTerms, days_early: int) -> None:
    assume(valid(terms))
    loan = LiveLoan(terms, MARGIN)
    for row in build_schedule(terms).installments:
        if row.payment == 0:
            continue
        paid_on = max(row.due_date - timedelta(days=days_early), terms.start_date)
        loan = loan.record(Repayment(paid_on, row.payment))
        position = loan.position(row.due_date + timedelta(days=1))
        assert position.total_arrears == ZERO
        assert position.late_interest == ZERO
    assert loan.position(build_schedule(terms).installments[-1].due_date).status is PositionStatus.SETTLED


# -- 2. the payoff quote settles the loan --------------------------------------------------------


def test_paying_the_payoff_quote_settles_the_loan_for_good() -> None:
    loan = LiveLoan(HUNDRED_K, MARGIN).record(Repayment(date(2026, 2, 15), D("1036.38")))
    quote = loan.position(date(2026, 3, 10)).payoff_amount
    # 99338.62 + 30E/360 interest 15 Feb -> 10 Mar (25 days): 99338.62 x 0.045 x 25/360 = 310.43
    assert quote == D("99649.05")

    settled = loan.record(Repayment(date(2026, 3, 10), quote))

    allocation = settled.allocations()[-1]
    assert (allocation.interest, allocation.principal, allocation.excess) == (D("310.43"), D("99338.62"), ZERO)
    for day in (date(2026, 3, 10), date(2026, 3, 16), date(2036, 2, 1)):
        position = settled.position(day)
        assert position.status is PositionStatus.SETTLED
        assert position.payoff_amount == ZERO
        assert (position.outstanding_principal, position.total_arrears, position.late_interest) == (ZERO, ZERO, ZERO)
        assert position.next_due_date is None
    assert settled.schedule().installments[-1].due_date == date(2026, 3, 10)


@st.composite
def histories(draw: st.DrawFn) -> tuple[LoanTerms, list[tuple[int, int]], int]:
    terms = draw(loan_terms(max_periods=30))
    payments = draw(st.lists(st.tuples(st.integers(0, 90), st.integers(1, 300_000)), max_size=6))
    return terms, payments, draw(st.integers(0, 500))


@settings(max_examples=150, deadline=None)
@given(case=histories(), fee=st.booleans())
def test_the_payoff_quote_of_any_day_settles_any_loan(
    case: tuple[LoanTerms, list[tuple[int, int]], int], fee: bool
) -> None:
    terms, payments, gap = case
    assume(valid(terms))
    policy = LateInterestPolicy.contractual(D("0.08"), STATUTORY_COLLECTION_FEE if fee else None)
    loan = LiveLoan(terms, policy)
    on = terms.start_date
    for days, cents in payments:
        on += timedelta(days=days)
        loan = loan.record(Repayment(on, from_cents(cents)))
    on += timedelta(days=gap)
    quote = loan.position(on).payoff_amount
    assume(quote > 0)

    settled = loan.record(Repayment(on, quote))

    assert settled.allocations()[-1].total == quote
    assert settled.allocations()[-1].excess == ZERO
    for later in (on, on + timedelta(days=40), on + timedelta(days=4000)):
        position = settled.position(later)
        assert position.status is PositionStatus.SETTLED, later
        assert position.payoff_amount == ZERO
        assert position.total_arrears == ZERO
    schedule = settled.schedule()
    assert schedule.total_principal + settled.position(on).prepaid == terms.principal + schedule.total_capitalised


def test_a_payment_above_the_quote_settles_and_the_rest_is_excess() -> None:
    loan = LiveLoan(HUNDRED_K, MARGIN)
    quote = loan.position(date(2026, 2, 1)).payoff_amount
    settled = loan.record(Repayment(date(2026, 2, 1), quote + D("10.00")))
    assert settled.allocations()[-1].excess == D("10.00")
    assert settled.position(date(2026, 2, 1)).status is PositionStatus.SETTLED


def test_a_payoff_after_paying_ahead_charges_only_the_interest_accrued() -> None:
    loan = LiveLoan(HUNDRED_K, MARGIN).record(Repayment(date(2026, 2, 13), D("1036.38")))
    # 375.00 paid ahead; 28 days accrued by 13 Feb are 350.00: the other 25.00 counts as principal
    assert loan.position(date(2026, 2, 13)).payoff_amount == D("99338.62") - D("25.00")
    settled = loan.record(Repayment(date(2026, 2, 13), D("99313.62")))
    assert settled.position(date(2026, 6, 1)).status is PositionStatus.SETTLED
    (final,) = settled.schedule().installments
    assert (final.interest, final.principal) == (D("350.00"), D("100000.00"))


def test_a_second_installment_paid_ahead_is_that_installment_and_its_interest_is_credited_at_payoff() -> None:
    loan = LiveLoan(HUNDRED_K, MARGIN).record(Repayment(date(2026, 2, 13), D("1036.38")))
    loan = loan.record(Repayment(date(2026, 2, 14), D("1036.38")))
    second = loan.allocations()[-1]
    assert ([line.number for line in second.installments], second.prepayment) == ([2], ZERO)
    assert loan.position(date(2026, 3, 16)).total_arrears == ZERO
    # on 25 Feb the second period has run 10 days: 99,338.62 x 0.045 x 10/360 = 124.17 accrued
    # against 372.52 paid ahead on it; the other 248.35 counts as principal repaid
    position = loan.position(date(2026, 2, 25))
    assert position.payoff_amount == D("100000.00") - D("661.38") - D("663.86") - D("248.35")
    settled = loan.record(Repayment(date(2026, 2, 25), position.payoff_amount))
    assert settled.position(date(2026, 2, 25)).status is PositionStatus.SETTLED
    assert settled.schedule().installments[-1].interest == D("124.17")


def test_money_received_in_a_capitalised_grace_period_is_a_prepayment_from_that_day() -> None:
    terms = LoanTerms(
        D("100000.00"), D("0.045"), 36, date(2026, 1, 15), grace_periods=12, grace_kind=GraceKind.CAPITALISED
    )
    loan = LiveLoan(terms, MARGIN).record(Repayment(date(2026, 3, 1), D("50000.00")))
    (allocation,) = loan.allocations()
    assert (allocation.installments, allocation.prepayment) == ((), D("50000.00"))
    assert loan.position(date(2026, 3, 1)).outstanding_principal < D("51000.00")


# -- 3. a level payment that does not amortise is refused; original and rebuilt agree ------------


def test_an_installment_multiple_that_rounds_the_payment_away_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidTerms) as error:
        build_schedule(LoanTerms(D("1000.00"), D("0.045"), 120, date(2026, 1, 15), installment_multiple=D("100.00")))
    assert error.value.field == "installment_multiple"
    assert "0.00" in error.value.rule


@settings(max_examples=150, deadline=None)
@given(terms=loan_terms(max_periods=60))
def test_a_reset_to_the_same_rate_on_the_start_date_rebuilds_the_original_schedule(terms: LoanTerms) -> None:
    assume(valid(terms))
    original = build_schedule(terms)
    rebuilt = LiveLoan(terms, MARGIN).record(RateReset(terms.start_date, terms.annual_rate)).schedule()
    assert [row.to_json() for row in rebuilt.installments] == [row.to_json() for row in original.installments]
    assert all(row.principal >= 0 for row in original.installments)


# -- 5. late interest follows the rate in force --------------------------------------------------


def test_late_interest_over_the_contract_rate_follows_a_reset() -> None:
    terms = LoanTerms(D("12000.00"), D("0.01"), 12, date(2026, 1, 15))
    first = build_schedule(terms).installments[0]
    loan = LiveLoan(terms, MARGIN).record(RateReset(date(2026, 3, 1), D("0.06")))

    # installment 1 (due 15 Feb) overdue 14 days at 1 % + 2 % and, after the reset on 1 March,
    # 14 days at 6 % + 2 %; installment 2 (its amount changed by the reset) overdue from 15 March.
    position = loan.position(date(2026, 3, 15))
    expected = first.payment * (D("0.03") * 14 + D("0.08") * 14) / 365
    assert position.late_interest == expected.quantize(D("0.01"))


def test_the_legal_rate_is_a_policy_and_a_date_past_its_table_is_named() -> None:
    legal = LateInterestPolicy.legal(legal_late_payment_rate, STATUTORY_COLLECTION_FEE)
    loan = LiveLoan(LoanTerms(D("12000.00"), D("0.01"), 12, date(2026, 1, 15)), legal)
    assert loan.position(date(2026, 3, 1)).collection_fees == D("40.00")
    with pytest.raises(InvalidTerms) as error:
        loan.position(date(2027, 3, 1))
    assert "outside the legal late-payment table" in error.value.rule


# -- 9. a broken first period --------------------------------------------------------------------


def test_a_broken_first_period_bears_interest_for_its_actual_days() -> None:
    terms = LoanTerms(D("12000.00"), D("0.12"), 12, date(2026, 1, 10), first_due_date=date(2026, 3, 1))
    rows = build_schedule(terms).installments
    # 30E/360 from 10 Jan to 1 Mar: 51 days -> 12000.00 x 0.12 x 51/360 = 204.00
    assert (rows[0].due_date, rows[0].interest) == (date(2026, 3, 1), D("204.00"))
    assert [row.due_date for row in rows[1:3]] == [date(2026, 4, 1), date(2026, 5, 1)]
    assert rows[0].payment == rows[1].payment  # the level payment of the regular periods
    assert rows[-1].closing_balance == ZERO


@pytest.mark.parametrize(
    ("first_due", "rule"),
    [(date(2026, 1, 10), "must fall after start_date"), (date(2026, 3, 11), "more than two monthly periods")],
)
def test_a_first_due_date_outside_its_window_is_refused(first_due: date, rule: str) -> None:
    with pytest.raises(InvalidTerms) as error:
        LoanTerms(D("12000.00"), D("0.12"), 12, date(2026, 1, 10), first_due_date=first_due)
    assert error.value.field == "first_due_date"
    assert rule in error.value.rule


def test_a_first_due_date_on_the_regular_date_is_the_regular_schedule() -> None:
    regular = LoanTerms(D("12000.00"), D("0.12"), 12, date(2026, 1, 31))
    same = LoanTerms(D("12000.00"), D("0.12"), 12, date(2026, 1, 31), first_due_date=date(2026, 2, 28))
    assert same == regular
    assert build_schedule(same) == build_schedule(regular)


def test_prepayment_after_paying_ahead_rebuilds_from_the_next_period() -> None:
    loan = LiveLoan(HUNDRED_K, MARGIN).record(Repayment(date(2026, 2, 13), D("1036.38")))
    loan = loan.record(Prepayment(date(2026, 2, 14), D("9338.62"), PrepaymentMode.REDUCE_TERM))
    rows = loan.schedule().installments
    assert rows[0].payment == D("1036.38")
    assert rows[1].opening_balance == D("90000.00")
    assert rows[1].interest == D("337.50")


def test_a_rebuilt_payment_never_falls_to_a_periods_interest() -> None:
    terms = LoanTerms(D("10000.00"), D("0.045"), 120, date(2026, 1, 15), installment_multiple=D("100.00"))
    loan = LiveLoan(terms, MARGIN).record(Prepayment(date(2026, 3, 1), D("7000.00"), PrepaymentMode.REDUCE_INSTALLMENT))
    rows = loan.schedule().installments
    # recomputed over 118 installments the payment would round to 0.00: it stays 100.00 instead
    assert {row.payment for row in rows[1:-1]} == {D("100.00")}
    assert all(row.principal > 0 for row in rows[1:])
    assert rows[-1].closing_balance == ZERO


def test_prepaying_everything_left_after_paying_ahead_ends_the_schedule() -> None:
    terms = LoanTerms(D("10000.00"), D("0.05"), 12, date(2024, 1, 15))
    loan = LiveLoan(terms, MARGIN).record(Repayment(date(2024, 2, 10), D("856.07")))
    room = loan.position(date(2024, 2, 10)).principal_not_yet_due
    loan = loan.record(Prepayment(date(2024, 2, 10), room))
    (only,) = loan.schedule().installments
    assert (only.number, only.payment) == (1, D("856.07"))
    assert loan.position(date(2024, 2, 15)).status is PositionStatus.SETTLED


def test_when_interest_paid_ahead_covers_all_that_is_owed_any_payment_settles() -> None:
    terms = LoanTerms(D("10000.00"), D("0.05"), 12, date(2024, 1, 15))
    on = date(2024, 1, 20)
    loan = LiveLoan(terms, LateInterestPolicy.contractual(D("0.08")))
    for row in build_schedule(terms).installments[:3]:
        loan = loan.record(Repayment(on, row.payment))
    loan = loan.record(Prepayment(on, D("7496.60")))
    assert loan.position(on).payoff_amount == ZERO  # 50.00 left, more interest than that paid ahead
    settled = loan.record(Repayment(on, D("0.01")))
    assert settled.allocations()[-1].excess == D("0.01")
    assert settled.position(date(2024, 6, 1)).status is PositionStatus.SETTLED


def test_a_rate_of_minus_zero_is_zero() -> None:
    terms = LoanTerms(D("1200.00"), D("-0"), 12, date(2024, 1, 15))
    assert str(terms.annual_rate) == "0"
    assert {str(row.interest) for row in build_schedule(terms).installments} == {"0.00"}
    assert str(RateReset(date(2024, 3, 1), D("-0.000")).annual_rate) == "0.000"


def test_capitalised_grace_that_grows_past_what_money_columns_hold_is_refused() -> None:
    terms = LoanTerms(
        D("1000000.00"),
        D("0.9"),
        1001,
        date(2025, 1, 1),
        Frequency.ANNUAL,
        grace_periods=1000,
        grace_kind=GraceKind.CAPITALISED,
    )
    with pytest.raises(InvalidTerms) as error:
        build_schedule(terms)
    assert error.value.field == "grace_periods"
