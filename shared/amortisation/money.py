"""Money as `Decimal` euros with two decimals, and the conversions to integer cents."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext

from shared.amortisation.errors import InvalidTerms

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
# NUMERIC(18,2) holds amounts below 10^16; anything larger cannot be stored, so it is refused on the way in.
MONEY_LIMIT = Decimal(10) ** 16
# Wide enough that no intermediate of a loan up to 10^12 EUR is ever rounded before the final cent.
PRECISION = 50


EXACT = Context(prec=PRECISION, rounding=ROUND_HALF_UP)
"""The engine's arithmetic, passed explicitly where a hot loop cannot afford to enter a local context."""


@contextmanager
def exact() -> Iterator[Context]:
    """A decimal context wide enough for the engine's intermediate results."""
    with localcontext(EXACT) as context:
        yield context


TONNE_QUANTUM = Decimal("0.001")


def round_half_up(value: Decimal, quantum: Decimal = CENT) -> Decimal:
    """Round to a multiple of `quantum`, halves away from zero: the one rounding rule for money and figures.

    The result keeps the quantum's decimals: cents for money and installment multiples such as
    100.00 or 0.05, 0.001 for tonnes and MWh.
    """
    if quantum is CENT:
        return value.quantize(CENT, context=EXACT)
    places = Decimal(1).scaleb(quantum.as_tuple().exponent, context=EXACT)  # type: ignore[arg-type]
    if quantum == places:
        return value.quantize(quantum, context=EXACT)
    steps = EXACT.divide(value, quantum).quantize(Decimal(1), context=EXACT)
    return EXACT.multiply(steps, quantum).quantize(places, context=EXACT)


def parse_decimal(field: str, value: object) -> Decimal:
    """A Decimal from a JSON string or integer; binary floats are refused, not rounded."""
    if isinstance(value, (bool, float)):
        raise InvalidTerms(field, 'must be a decimal string such as "1234.56", not a binary float')
    if not isinstance(value, (str, int, Decimal)):
        raise InvalidTerms(field, "must be a decimal string")
    try:
        result = Decimal(value) if not isinstance(value, Decimal) else value
    except InvalidOperation:
        raise InvalidTerms(field, f"{value!r} is not a decimal number") from None
    if not result.is_finite():
        raise InvalidTerms(field, "must be a finite number")
    return result


def parse_money(field: str, value: object) -> Decimal:
    """An amount in euro with at most two decimals, returned with exactly two."""
    amount = parse_decimal(field, value)
    if abs(amount) >= MONEY_LIMIT:
        raise InvalidTerms(field, f"{value} is too large: amounts stay below 10000000000000000.00")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidTerms(field, f"{value} has more than two decimals")
    return amount.quantize(CENT)


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    """The amount with exactly two decimals; every zero is the one `ZERO` (a book holds millions of them)."""
    if not cents:
        return ZERO
    return Decimal(cents).scaleb(-2, EXACT)
