"""The residual value of shares held, between and after valuations.

A valuation gives the fair value of the shares held on its day; a later purchase sets a new price
of recent investment. On any day the shares held are worth the value per share of the most recent
of the two: the latest valuation's fair value / the shares held on its day, or the latest
purchase's amount / its shares. Shares never valued nor bought stand at nothing. Exits between
change how many shares carry that value, not the value per share.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from shared.amortisation.money import ZERO, round_half_up

Purchase = tuple[date, Decimal, int]
"""(day, amount paid, shares bought)"""
Valuation = tuple[date, Decimal, int]
"""(day, fair value, shares held that day)"""


def residual_value(
    shares_held: int, purchases: Sequence[Purchase], valuations: Sequence[Valuation], on: date
) -> Decimal:
    """What `shares_held` shares are worth on `on`, rounded half up to the cent.

    A valuation on the same day as a purchase wins; of two valuations of one day, the later in
    `valuations` (the later approved) wins.
    """
    if shares_held <= 0:
        return ZERO
    prices: list[tuple[date, int, int, Decimal]] = []
    for index, (day, amount, shares) in enumerate(purchases):
        if day <= on and shares > 0:
            prices.append((day, 0, index, amount / shares))
    for index, (day, value, shares) in enumerate(valuations):
        if day <= on and shares > 0:
            prices.append((day, 1, index, value / shares))
    if not prices:
        return ZERO
    return round_half_up(max(prices)[3] * shares_held)
