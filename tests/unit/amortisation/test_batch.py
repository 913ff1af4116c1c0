"""The vectorised path equals the Decimal path for every row and field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.amortisation.batch import MIN_CHUNK, BatchSchedule, BatchTerms, build_batch
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.schedule import build_schedule
from shared.amortisation.terms import DayCount, GraceKind, LoanTerms, Method

from tests.unit.amortisation.strategies import loan_terms

LOANS_PER_EXAMPLE = 100
EXAMPLES = 110  # 11,000 random loans in all


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.lists(loan_terms(max_periods=72), min_size=LOANS_PER_EXAMPLE, max_size=LOANS_PER_EXAMPLE))
def test_batch_equals_scalar_for_random_loans(loans: list[LoanTerms]) -> None:
    batch = build_batch(BatchTerms.from_terms(loans))
    for index, terms in enumerate(loans):
        try:
            expected = [row.to_json() for row in build_schedule(terms).installments]
        except InvalidTerms:
            assert batch.refused[index], terms
            continue
        assert not batch.refused[index], terms
        assert batch.installments(index) == expected, terms


def test_exact_half_cents_round_up_on_both_paths() -> None:
    # 1000.50 x 0.06 / 12 = 5.0025 -> 5.00; 1001.00 x 0.06 / 12 = 5.005 exactly -> 5.01 (half up)
    loans = [
        LoanTerms(Decimal("1000.50"), Decimal("0.06"), 1, date(2026, 1, 1), method=Method.BULLET),
        LoanTerms(Decimal("1001.00"), Decimal("0.06"), 1, date(2026, 1, 1), method=Method.BULLET),
    ]
    batch = build_batch(BatchTerms.from_terms(loans))
    assert batch.interest[:, 0].tolist() == [500, 501]
    assert [build_schedule(t).installments[0].interest for t in loans] == [Decimal("5.00"), Decimal("5.01")]


def test_rows_past_a_loans_end_are_zero_and_dates_are_not_a_time() -> None:
    loans = [
        LoanTerms(Decimal("1200.00"), Decimal("0.02"), 2, date(2026, 1, 31)),
        LoanTerms(Decimal("1200.00"), Decimal("0.02"), 4, date(2026, 1, 31)),
    ]
    batch = build_batch(BatchTerms.from_terms(loans))
    assert batch.principal.shape == (2, 4)
    assert batch.principal[0, 2:].tolist() == [0, 0]
    assert np.isnat(batch.due_date[0, 2:]).all()
    assert str(batch.due_date[1, 0]) == "2026-02-28"


def test_threaded_chunks_equal_one_pass() -> None:
    loans = [
        LoanTerms(
            Decimal(100_000 + n) / 100,
            Decimal(n % 90_000) / 1_000_000,
            3 + n % 5,
            date(2026, 1, 1 + n % 28),
            method=list(Method)[n % 3],
            grace_periods=n % 2,
        )
        for n in range(2 * MIN_CHUNK + 17)
    ]
    terms = BatchTerms.from_terms(loans)
    threaded, single = build_batch(terms, workers=2), build_batch(terms, workers=1)
    for field in ("opening_balance", "interest", "principal", "payment", "capitalised", "closing_balance"):
        assert (getattr(threaded, field) == getattr(single, field)).all(), field
    assert threaded.installments(len(loans) - 1) == [row.to_json() for row in build_schedule(loans[-1]).installments]


def _equal_to_scalar(loans: list[LoanTerms]) -> BatchSchedule:
    batch = build_batch(BatchTerms.from_terms(loans))
    for index, terms in enumerate(loans):
        assert batch.installments(index) == [row.to_json() for row in build_schedule(terms).installments], terms
    return batch


def test_half_cents_round_up_in_grace_rows_and_in_the_rows_after() -> None:
    # 730.00 x 5.25 % x 31 / 365 = 3.255 exactly, which float64 computes as just under the half: every
    # 31-day period must still round up to 3.26. The longest grace (3) makes rows 1-4 one at a time;
    # rows 5-8 are one compiled call. Periods from 2026-01-01: 31, 28, 31, 30, 31, 30, 31, 31 days.
    def loan(periods: int, **options: Any) -> LoanTerms:
        return LoanTerms(
            Decimal("730.00"), Decimal("0.0525"), periods, date(2026, 1, 1), day_count=DayCount.ACT_365F, **options
        )

    loans = [
        loan(8, method=Method.BULLET),
        loan(8, method=Method.BULLET, grace_periods=2),
        loan(8, grace_periods=3, grace_kind=GraceKind.CAPITALISED),
        loan(6, method=Method.LINEAR, grace_periods=1),
    ]
    batch = _equal_to_scalar(loans)
    long_months = [0, 2, 4, 6, 7]
    assert batch.interest[0, long_months].tolist() == [326] * 5
    assert batch.interest[1, long_months].tolist() == [326] * 5
    assert batch.capitalised[2, 0] == 326


def test_level_payments_on_a_rounding_boundary_and_annuities_that_never_amortise() -> None:
    loans = [
        # 4298.26 at 3.75 % over 60 months: 78.674999992 in float64, settled by the Decimal formula.
        LoanTerms(Decimal("4298.26"), Decimal("0.0375"), 60, date(2026, 1, 1)),
        LoanTerms(Decimal("4298.26"), Decimal("0.0375"), 62, date(2026, 1, 1), grace_periods=2),
        # 10000.00 at 12 %, 120 months, paid in multiples of 100.00: 143.47 rounds to 100.00, exactly one
        # month's interest, so the loan never amortises; 50.00 multiples give 150.00, which does.
        LoanTerms(Decimal("10000.00"), Decimal("0.12"), 120, date(2026, 1, 1), installment_multiple=Decimal("100")),
        LoanTerms(Decimal("10000.00"), Decimal("0.12"), 120, date(2026, 1, 1), installment_multiple=Decimal("50")),
    ]
    batch = build_batch(BatchTerms.from_terms(loans))
    assert batch.refused.tolist() == [False, False, True, False]
    with pytest.raises(InvalidTerms):
        build_schedule(loans[2])
    for index in (0, 1, 3):
        assert batch.installments(index) == [row.to_json() for row in build_schedule(loans[index]).installments]
    assert batch.payment[0, 0] == 7867


@pytest.mark.parametrize("day_count", list(DayCount))
def test_calendars_up_to_the_last_year_the_terms_allow(day_count: DayCount) -> None:
    loans = [
        LoanTerms(Decimal("5000.00"), Decimal("0.031"), 13, date(9998, 11, 30), day_count=day_count),
        LoanTerms(
            Decimal("5000.00"),
            Decimal("0.031"),
            12,
            date(9998, 12, 20),
            day_count=day_count,
            first_due_date=date(9999, 1, 31),
        ),
    ]
    batch = _equal_to_scalar(loans)
    assert str(batch.due_date[0, -1]) == "9999-12-30"
    assert str(batch.due_dates_of(1)[-1]) == "9999-12-31"


def test_terms_built_as_columns_past_the_year_9999_are_refused() -> None:
    terms = BatchTerms.from_terms([LoanTerms(Decimal("5000.00"), Decimal("0.031"), 12, date(9998, 12, 31))])
    late = BatchTerms(**{**terms.__dict__, "periods": terms.periods + 1})
    with pytest.raises(InvalidTerms, match="9999"):
        build_batch(late)
