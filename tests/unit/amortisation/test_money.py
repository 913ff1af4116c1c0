"""Cents to euros and back: two decimals exactly, for any amount a ledger can hold."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from shared.amortisation.money import CENT, MONEY_LIMIT, ZERO, from_cents, to_cents

CENTS = st.integers(min_value=-int(MONEY_LIMIT) * 100, max_value=int(MONEY_LIMIT) * 100)


@given(CENTS)
def test_cents_become_the_amount_with_two_decimals_and_come_back(cents: int) -> None:
    amount = from_cents(cents)
    assert amount == Decimal(cents) / 100
    assert amount.as_tuple().exponent == -2
    assert str(amount) == str((Decimal(cents) / 100).quantize(CENT))
    assert to_cents(amount) == cents


def test_no_cents_is_the_shared_zero_of_two_decimals() -> None:
    assert from_cents(0) is ZERO
    assert str(from_cents(0)) == "0.00"
    assert str(from_cents(-1)) == "-0.01"
