"""Live loans, property: random loans and repayment sequences keep the books balanced."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.late_interest import STATUTORY_COLLECTION_FEE, LateInterestPolicy
from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.loan_events import LoanEvent, PrepaymentMode, RateReset, Repayment
from shared.amortisation.money import ZERO, from_cents
from shared.amortisation.terms import DayCount, Frequency, GraceKind, LoanTerms, Method


@st.composite
def loan_terms(draw: st.DrawFn) -> LoanTerms:
    periods = draw(st.integers(1, 24))
    return LoanTerms(
        principal=from_cents(draw(st.integers(10_000, 5_000_000))),
        annual_rate=Decimal(draw(st.integers(0, 1500))) / 10_000,
        periods=periods,
        start_date=date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 730))),
        frequency=draw(st.sampled_from(Frequency)),
        method=draw(st.sampled_from(Method)),
        day_count=draw(st.sampled_from(DayCount)),
        grace_periods=draw(st.integers(0, min(2, periods - 1))),
        grace_kind=draw(st.sampled_from(GraceKind)),
    )


events = st.lists(
    st.tuples(
        st.integers(0, 120),  # days after the previous event
        st.integers(1, 400_000),  # cents
        st.sampled_from(PrepaymentMode),
        st.booleans(),  # also reset the rate that day
    ),
    max_size=10,
)


@settings(max_examples=150, deadline=None)
@given(terms=loan_terms(), steps=events, fee=st.booleans())
def test_live_allocations_sum_to_payments_and_outstanding_never_goes_negative(
    terms: LoanTerms, steps: list[tuple[int, int, PrepaymentMode, bool]], fee: bool
) -> None:
    policy = LateInterestPolicy.contractual(Decimal("0.08"), STATUTORY_COLLECTION_FEE if fee else None)
    loan = LiveLoan(terms, policy)
    on = terms.start_date
    for gap, cents, mode, reset in steps:
        on += timedelta(days=gap)
        if reset:
            loan = loan.record(RateReset(on, Decimal(cents % 1200) / 10_000))
        loan = loan.record(Repayment(on, from_cents(cents), surplus_mode=mode))
        check(loan, on)
    check(loan, on + timedelta(days=400))
    check(loan, terms.start_date + timedelta(days=31 * 12 * terms.periods))


def check(loan: LiveLoan, as_of: date) -> None:
    repayments = [event.amount for event in loan.events if isinstance(event, Repayment)]
    allocations = loan.allocations()
    assert len(allocations) == len(repayments)
    for allocation in allocations:
        parts = (allocation.late_interest, allocation.collection_fees, allocation.prepayment, allocation.excess)
        assert all(part >= 0 for part in parts)
        assert all(line.interest >= 0 and line.principal >= 0 for line in allocation.installments)
        assert allocation.total == allocation.amount
    assert sum((a.total for a in allocations), ZERO) == sum(repayments, ZERO)

    position = loan.position(as_of)
    assert position.outstanding_principal >= 0
    assert position.principal_not_yet_due >= 0
    assert position.late_interest >= 0
    assert position.accrued_interest >= 0
    for line in position.arrears:
        assert line.interest_outstanding >= 0
        assert line.principal_outstanding >= 0
        assert line.outstanding > 0
    arrears_principal = sum((line.principal_outstanding for line in position.arrears), ZERO)
    assert position.outstanding_principal == position.principal_not_yet_due + arrears_principal
    assert position.outstanding_principal == (
        loan.terms.principal + position.capitalised_interest - position.principal_repaid - position.prepaid
    )

    schedule = loan.schedule(as_of)
    assert schedule.total_principal + position.prepaid == loan.terms.principal + schedule.total_capitalised
    for row in schedule.installments:
        assert row.principal >= 0
        assert row.interest >= 0
        assert row.opening_balance + row.capitalised - row.principal == row.closing_balance


@settings(max_examples=100, deadline=None)
@given(
    terms=loan_terms(),
    steps=events,
    fee=st.booleans(),
    asked=st.lists(st.integers(-30, 900), min_size=1, max_size=6),
)
def test_a_loan_asked_again_and_in_any_order_answers_as_a_fresh_one(
    terms: LoanTerms, steps: list[tuple[int, int, PrepaymentMode, bool]], fee: bool, asked: list[int]
) -> None:
    """A question changes the ledger it is answered from (late interest, fees); it must not change the loan."""
    policy = LateInterestPolicy.contractual(Decimal("0.08"), STATUTORY_COLLECTION_FEE if fee else None)
    on = terms.start_date
    history: list[LoanEvent] = []
    for gap, cents, mode, reset in steps:
        on += timedelta(days=gap)
        if reset:
            history.append(RateReset(on, Decimal(cents % 1200) / 10_000))
        history.append(Repayment(on, from_cents(cents), surplus_mode=mode))
    try:
        loan = LiveLoan(terms, policy, tuple(history))
    except InvalidTerms:
        return
    for days in asked:
        day = max(terms.start_date, on + timedelta(days=days))
        fresh = LiveLoan(terms, policy, tuple(history))
        assert loan.position(day) == fresh.position(day)
        assert loan.installments_owed(day) == LiveLoan(terms, policy, tuple(history)).installments_owed(day)
        assert loan.schedule(day) == LiveLoan(terms, policy, tuple(history)).schedule(day)
        assert loan.allocations() == LiveLoan(terms, policy, tuple(history)).allocations()
    assert loan.schedule() == LiveLoan(terms, policy, tuple(history)).schedule()
