"""The vectorised path equals the Decimal path for every row and field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.amortisation.batch import MIN_CHUNK, BatchTerms, build_batch
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.schedule import build_schedule
from shared.amortisation.terms import LoanTerms, Method

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
