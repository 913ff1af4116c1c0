"""The vectorised positions equal `LiveLoan.position` on every loan they do not flag for a replay."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.amortisation.batch import BatchTerms
from shared.amortisation.batch_positions import (
    NOT_HELD,
    BatchLateInterest,
    BatchRepayments,
    installments_as_of,
    positions_as_of,
    summarise,
)
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.late_interest import STATUTORY_COLLECTION_FEE, LateInterestPolicy
from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.loan_events import LoanEvent, Prepayment, Repayment
from shared.amortisation.money import CENT, from_cents
from shared.amortisation.schedule import build_schedule
from shared.amortisation.terms import DayCount, Frequency, GraceKind, LoanTerms, Method

from tests.unit.amortisation.strategies import loan_terms

Loan = tuple[LoanTerms, LateInterestPolicy, list[LoanEvent]]

POLICIES = (
    LateInterestPolicy.contractual(Decimal("0.08"), STATUTORY_COLLECTION_FEE),
    LateInterestPolicy.contractual(Decimal("0.105")),
    LateInterestPolicy.over_contract_rate(Decimal("0.02"), STATUTORY_COLLECTION_FEE),
    LateInterestPolicy.over_contract_rate(Decimal("0.035")),
)


@st.composite
def loans_with_repayments(draw: st.DrawFn) -> Loan:
    """A loan started in 2020-2021 and repayments around its due dates: on time, late, short, early, too much."""
    drawn = draw(loan_terms(max_periods=36))
    start = date(2020, 1, 1) + timedelta(days=draw(st.integers(0, 730)))
    moved = start - drawn.start_date
    first_due = None
    if drawn.first_due_date is not None:
        # Moving both dates by the same days can stretch a long first period past the two periods
        # the terms allow, as months differ in length; keep it at that limit.
        latest = start + relativedelta(months=2 * drawn.frequency.months)
        first_due = min(drawn.first_due_date + moved, latest)
    terms = replace(drawn, start_date=start, first_due_date=first_due)
    try:
        rows = build_schedule(terms).installments
    except InvalidTerms:
        rows = ()
    events: list[LoanEvent] = []
    last = terms.start_date
    for row in rows[: draw(st.integers(0, len(rows)))]:
        shift = draw(st.sampled_from([0, 0, 0, 3, 17, 45, 120, -10]))
        share = draw(st.sampled_from(["1", "1", "1", "0.6", "0.999", "1.3", "0"]))
        amount = (row.payment * Decimal(share)).quantize(CENT)
        on = max(last, row.due_date + timedelta(days=shift))
        if amount > 0:
            events.append(Repayment(on, amount))
            last = on
    return terms, draw(st.sampled_from(POLICIES)), events


def _positions_equal_live_loans(loans: list[Loan], as_of: date, chunk: int = 16_384, workers: int = 1) -> int:
    """Assert every unflagged loan equals its LiveLoan; returns how many were flagged."""
    terms = [loan[0] for loan in loans]
    repayments, other = BatchRepayments.from_histories([loan[2] for loan in loans])
    assert not other.any()
    batch = BatchTerms.from_terms(terms)
    positions = positions_as_of(
        batch,
        BatchLateInterest.from_policies(batch.rate, [loan[1] for loan in loans]),
        repayments,
        as_of,
        chunk=chunk,
        workers=workers,
    )
    for index, (loan_terms_, policy, events) in enumerate(loans):
        if positions.replay[index]:
            continue
        live = LiveLoan(loan_terms_, policy, tuple(event for event in events if event.on <= as_of))
        assert positions.summary(index) == summarise(live.position(as_of)), (loan_terms_, policy, events)
    return int(positions.replay.sum())


@settings(max_examples=60, deadline=None)
@given(st.lists(loans_with_repayments(), min_size=1, max_size=25), st.integers(0, 3000))
def test_random_books_equal_live_loans(loans: list[Loan], days_after: int) -> None:
    loans = [loan for loan in loans if _schedulable(loan[0])]
    as_of = date(2022, 1, 1) + timedelta(days=days_after)
    _positions_equal_live_loans(loans, as_of, chunk=7, workers=2)


def _installments_equal_live_loans(loans: list[Loan], as_of: date, through: date) -> int:
    """Assert every unflagged loan's installments due by `through` (and the next) equal its LiveLoan's."""
    repayments, other = BatchRepayments.from_histories([loan[2] for loan in loans])
    assert not other.any()
    batch = BatchTerms.from_terms([loan[0] for loan in loans])
    late = BatchLateInterest.from_policies(batch.rate, [loan[1] for loan in loans])
    installments = installments_as_of(batch, late, repayments, as_of, through)
    for index, (terms, policy, events) in enumerate(loans):
        if installments.replay[index]:
            assert installments.of(index) == ()
            continue
        live = LiveLoan(terms, policy, tuple(event for event in events if event.on <= as_of))
        owed = live.installments_owed(as_of)
        after = [row for row in owed if row.due_date > through][:1]
        expected = tuple(row for row in owed if row.due_date <= through) + tuple(after)
        assert installments.of(index) == expected, (terms, policy, events)
        assert from_cents(int(installments.late_interest[index])) == live.position(as_of).late_interest
    return int(installments.replay.sum())


@settings(max_examples=60, deadline=None)
@given(st.lists(loans_with_repayments(), min_size=1, max_size=25), st.integers(0, 3000), st.integers(0, 120))
def test_installments_owed_equal_live_loans(loans: list[Loan], days_after: int, window: int) -> None:
    loans = [loan for loan in loans if _schedulable(loan[0])]
    as_of = date(2022, 1, 1) + timedelta(days=days_after)
    _installments_equal_live_loans(loans, as_of, as_of + timedelta(days=window))


def _schedulable(terms: LoanTerms) -> bool:
    try:
        build_schedule(terms)
    except InvalidTerms:
        return False
    return True


def _book(count: int, payer: str) -> list[Loan]:
    rng = np.random.default_rng(count)
    loans: list[Loan] = []
    for index in range(count):
        terms = LoanTerms(
            principal=Decimal(int(rng.integers(1_000_000, 50_000_000))) / 100,
            annual_rate=Decimal(int(rng.integers(0, 80_000))) / 1_000_000,
            periods=int(rng.integers(12, 121)),
            start_date=date(2018, 1, 1) + timedelta(days=int(rng.integers(0, 1500))),
            frequency=Frequency.MONTHLY if index % 3 else Frequency.QUARTERLY,
            method=Method.ANNUITY if index % 4 else Method.LINEAR,
            day_count=list(DayCount)[index % 4],
            grace_periods=index % 2 * 3,
            grace_kind=GraceKind.INTEREST_ONLY,
        )
        delay = {"on time": 0, "late": 20, "short": 0}[payer]
        share = Decimal("0.7") if payer == "short" else Decimal(1)
        events: list[LoanEvent] = [
            Repayment(row.due_date + timedelta(days=delay), (row.payment * share).quantize(CENT))
            for row in build_schedule(terms).installments
            if row.due_date + timedelta(days=delay) <= date(2024, 6, 30)
        ]
        loans.append((terms, POLICIES[index % len(POLICIES)], events))
    return loans


@pytest.mark.parametrize("payer", ["on time", "late", "short"])
def test_a_book_of_ordinary_payers_needs_no_replay(payer: str) -> None:
    loans = _book(120, payer)
    assert _positions_equal_live_loans(loans, date(2024, 6, 30)) == 0
    assert _positions_equal_live_loans(loans, date(2022, 2, 14)) == 0
    assert _installments_equal_live_loans(loans, date(2024, 6, 30), date(2024, 7, 14)) == 0


def _one(terms: LoanTerms, policy: LateInterestPolicy, events: list[LoanEvent], as_of: date) -> bool:
    repayments, other = BatchRepayments.from_histories([events])
    batch = BatchTerms.from_terms([terms])
    positions = positions_as_of(batch, BatchLateInterest.from_policies(batch.rate, [policy]), repayments, as_of)
    return bool(positions.replay[0] or other[0])


TERMS = LoanTerms(Decimal("12000.00"), Decimal("0.05"), 12, date(2024, 1, 15))
FIRST = build_schedule(TERMS).installments[0]
POLICY = POLICIES[0]


def test_what_changes_the_schedule_is_left_to_the_replay() -> None:
    as_of = date(2024, 6, 1)
    assert not _one(TERMS, POLICY, [Repayment(FIRST.due_date, FIRST.payment)], as_of)
    # a surplus is a prepayment, enough to pay everything settles the loan early
    assert _one(TERMS, POLICY, [Repayment(FIRST.due_date, FIRST.payment + Decimal("500.00"))], as_of)
    assert _one(TERMS, POLICY, [Repayment(date(2024, 3, 1), Decimal("13000.00"))], as_of)
    assert _one(TERMS, POLICY, [Prepayment(date(2024, 3, 1), Decimal("100.00"))], as_of)
    # a rate asked day by day, capitalised grace
    assert _one(TERMS, LateInterestPolicy.legal(lambda day: Decimal("0.1")), [], as_of)
    capitalised = LoanTerms(
        Decimal("12000.00"), Decimal("0.05"), 12, date(2024, 1, 15), grace_periods=2, grace_kind=GraceKind.CAPITALISED
    )
    assert _one(capitalised, POLICY, [], as_of)


LEGAL = LateInterestPolicy.legal(lambda day: Decimal("0.1"))
MARGIN_TOO_HIGH = LateInterestPolicy.over_contract_rate(Decimal("0.97"))
TOO_FINE = LateInterestPolicy.contractual(Decimal("0.0812345"))
CONTRACT_RATES = np.array([0, 35_000, 12_345, 500_000], dtype=np.int64)


@pytest.mark.parametrize(
    ("policy", "rates", "fee"),
    [
        (POLICIES[0], [80_000] * 4, 4000),
        (POLICIES[1], [105_000] * 4, 0),
        (POLICIES[2], [20_000, 55_000, 32_345, 520_000], 4000),
        (POLICIES[3], [35_000, 70_000, 47_345, 535_000], 0),
        (LEGAL, [NOT_HELD] * 4, 0),
        (MARGIN_TOO_HIGH, [970_000, NOT_HELD, 982_345, NOT_HELD], 0),
        (TOO_FINE, [NOT_HELD] * 4, 0),
    ],
)
def test_a_policy_gives_each_loan_its_late_rate_in_millionths(
    policy: LateInterestPolicy, rates: list[int], fee: int
) -> None:
    late = BatchLateInterest.for_policy(policy, CONTRACT_RATES)
    assert list(late.rate) == rates
    assert list(late.collection_fee) == [fee] * 4


def test_loans_with_different_policies_each_get_their_own() -> None:
    policies = [LEGAL, POLICIES[2], MARGIN_TOO_HIGH, POLICIES[2]]
    late = BatchLateInterest.from_policies(CONTRACT_RATES, policies)
    assert list(late.rate) == [NOT_HELD, 55_000, 982_345, 520_000]
    assert list(late.collection_fee) == [0, 4000, 0, 4000]


def test_the_last_installment_paid_on_its_day_settles_without_a_replay() -> None:
    terms = LoanTerms(Decimal("3000.00"), Decimal("0.04"), 3, date(2024, 1, 31))
    events: list[LoanEvent] = [Repayment(row.due_date, row.payment) for row in build_schedule(terms).installments]
    loans: list[Loan] = [(terms, POLICY, events)]
    assert _positions_equal_live_loans(loans, date(2024, 7, 1)) == 0


@pytest.mark.parametrize(
    ("repayments", "rule"),
    [
        (BatchRepayments(np.array([0]), np.array(["2024-01-01"], dtype="datetime64[D]"), np.array([100])), "before"),
        (BatchRepayments(np.array([0]), np.array(["2024-02-01"], dtype="datetime64[D]"), np.array([0])), "greater"),
        (
            BatchRepayments(np.array([1, 0]), np.array(["2024-02-01"] * 2, dtype="datetime64[D]"), np.array([1, 1])),
            "grouped",
        ),
        (
            BatchRepayments(
                np.array([0, 0]), np.array(["2024-03-01", "2024-02-01"], dtype="datetime64[D]"), np.array([1, 1])
            ),
            "date order",
        ),
        (BatchRepayments(np.array([5]), np.array(["2024-02-01"], dtype="datetime64[D]"), np.array([1])), "index"),
    ],
)
def test_repayments_that_cannot_be_replayed_are_refused(repayments: BatchRepayments, rule: str) -> None:
    batch = BatchTerms.from_terms([TERMS, TERMS])
    with pytest.raises(InvalidTerms, match=rule):
        positions_as_of(
            batch,
            BatchLateInterest.from_policies(batch.rate, [POLICY, POLICY]),
            repayments,
            date(2024, 6, 1),
        )


def test_a_date_before_disbursement_is_refused() -> None:
    repayments, _ = BatchRepayments.from_histories([[]])
    batch = BatchTerms.from_terms([TERMS])
    with pytest.raises(InvalidTerms, match="as_of"):
        positions_as_of(
            batch,
            BatchLateInterest.from_policies(batch.rate, [POLICY]),
            repayments,
            date(2024, 1, 14),
        )
