"""Hypothesis strategies for loan terms covering every option of the engine."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from hypothesis import strategies as st

from shared.amortisation.terms import DayCount, Frequency, GraceKind, LoanTerms, Method


@st.composite
def loan_terms(draw: st.DrawFn, max_periods: int = 120) -> LoanTerms:
    periods = draw(st.integers(min_value=1, max_value=max_periods))
    grace = draw(st.integers(min_value=0, max_value=min(periods - 1, 24)))
    start = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31)))
    frequency = draw(st.sampled_from(Frequency))
    first_due: date | None = None
    if draw(st.booleans()):
        latest = (start + relativedelta(months=2 * frequency.months) - start).days
        first_due = start + timedelta(days=draw(st.integers(min_value=1, max_value=latest)))
    return LoanTerms(
        principal=Decimal(draw(st.integers(min_value=1, max_value=2_000_000_000))) / 100,
        annual_rate=Decimal(draw(st.integers(min_value=0, max_value=200_000))) / 1_000_000,
        periods=periods,
        start_date=start,
        frequency=frequency,
        method=draw(st.sampled_from(Method)),
        day_count=draw(st.sampled_from(DayCount)),
        grace_periods=grace,
        grace_kind=draw(st.sampled_from(GraceKind)),
        installment_multiple=draw(
            st.sampled_from([Decimal("0.01"), Decimal("0.05"), Decimal("1.00"), Decimal("10.00")])
        ),
        first_due_date=first_due,
    )
