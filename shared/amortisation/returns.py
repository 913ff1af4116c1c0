"""Returns over dated cash flows: NPV, periodic IRR, XIRR and the multiple on invested capital.

Sign convention: negative = paid out (disbursement, investment), positive = received. Amounts are
`Decimal`; results are `Decimal` with money rounded half-up to the cent and rates / multiples
rounded half-up to 10 decimals. NPV is computed exactly (Decimal, 50 digits); the IRR solvers
(pyxirr) iterate in binary floating point, so their results are only meaningful to about 1e-10.

Discounting is annual compounding over ACT/365 year fractions, the convention of Excel's XNPV and
XIRR: a flow `days` after the valuation date is worth amount / (1 + rate) ** (days / 365).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import pyxirr

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.money import ZERO, exact, round_half_up

RATE_QUANTUM = Decimal("1e-10")
DAYS_PER_YEAR = 365

Flow = tuple[date, Decimal]


def round_rate(value: Decimal) -> Decimal:
    """A rate or ratio rounded half-up to 10 decimals."""
    return round_half_up(value, RATE_QUANTUM)


def discount_factor(rate: Decimal, years: Decimal) -> Decimal:
    """(1 + rate) ** -years for any real `years`, as exp(-years * ln(1 + rate)) in 50 digits.

    Decimal's `**` only accepts integral exponents exactly; ln and exp are correctly rounded in
    the context precision, which keeps the error far below a cent for any loan the engine accepts.
    """
    if rate <= -1:
        raise InvalidTerms("rate", "must be greater than -1")
    with exact():
        if years == 0:
            return Decimal(1)
        return (-years * (1 + rate).ln()).exp()


def _check_flows(flows: Sequence[Flow]) -> None:
    if not flows:
        raise InvalidTerms("flows", "must hold at least one dated amount")


def _check_sign_change(field: str, amounts: Sequence[Decimal]) -> None:
    if not any(amount < 0 for amount in amounts) or not any(amount > 0 for amount in amounts):
        raise InvalidTerms(field, "needs at least one negative (paid out) and one positive (received) amount")


def npv(rate: Decimal, flows: Sequence[Flow], on: date | None = None) -> Decimal:
    """Net present value at `rate` (annual, ACT/365), valued on `on` or else the earliest date."""
    _check_flows(flows)
    valuation = on if on is not None else min(day for day, _ in flows)
    with exact():
        total = sum(
            (amount * discount_factor(rate, Decimal((day - valuation).days) / DAYS_PER_YEAR) for day, amount in flows),
            Decimal(0),
        )
    return round_half_up(total)


def irr(amounts: Sequence[Decimal]) -> Decimal:
    """Internal rate of return per period of equally spaced amounts (the first at period 0)."""
    if not amounts:
        raise InvalidTerms("amounts", "must hold at least one amount")
    _check_sign_change("amounts", amounts)
    result = pyxirr.irr([float(amount) for amount in amounts], silent=True)
    if result is None or not math.isfinite(result):
        raise InvalidTerms("amounts", "have no internal rate of return")
    return round_rate(Decimal(repr(result)))


def xirr(flows: Sequence[Flow]) -> Decimal:
    """Annual internal rate of return of dated flows (ACT/365, as Excel's XIRR)."""
    _check_flows(flows)
    _check_sign_change("flows", [amount for _, amount in flows])
    result = pyxirr.xirr([day for day, _ in flows], [float(amount) for _, amount in flows], silent=True)
    if result is None or not math.isfinite(result):
        raise InvalidTerms("flows", "have no internal rate of return")
    return round_rate(Decimal(repr(result)))


def moic(flows: Sequence[Flow]) -> Decimal:
    """Multiple on invested capital: total received / total paid out (dates are ignored)."""
    _check_flows(flows)
    paid_out = -sum((amount for _, amount in flows if amount < 0), ZERO)
    received = sum((amount for _, amount in flows if amount > 0), ZERO)
    if paid_out == 0:
        raise InvalidTerms("flows", "need at least one negative (paid out) amount")
    with exact():
        return round_rate(received / paid_out)
