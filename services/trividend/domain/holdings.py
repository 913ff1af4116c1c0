"""An equity participation's movements and what follows from them on any date.

Tranches buy shares at a price; exits sell them, and the gain or loss is measured against the
average cost of the shares held just before (the cost of what is sold leaves the cost basis at
that average, so the average of what remains does not change). Dividends are income. Nothing
sells more shares than are held on the day of the sale.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.amortisation.money import round_half_up
from shared.platform.rules import RuleViolation

ZERO = Decimal("0.00")
PRICE_QUANTUM = Decimal("0.000001")


class MovementKind(enum.StrEnum):
    TRANCHE = "tranche"
    DIVIDEND = "dividend"
    EXIT = "exit"


@dataclass(frozen=True)
class Movement:
    """One dated movement of a participation, in the order it was recorded (`sequence`)."""

    kind: MovementKind
    on: date
    amount: Decimal
    shares: int = 0
    sequence: int = 0


@dataclass(frozen=True)
class Holding:
    """A participation at the end of a day."""

    shares_held: int
    cost: Decimal
    invested: Decimal
    proceeds: Decimal
    dividends: Decimal
    realised_gain: Decimal

    @property
    def average_cost(self) -> Decimal | None:
        if self.shares_held == 0:
            return None
        return self.cost / self.shares_held


def holding(movements: Sequence[Movement], on: date) -> Holding:
    shares = 0
    cost = invested = proceeds = dividends = gain = ZERO
    for movement in sorted(movements, key=lambda item: (item.on, item.sequence)):
        if movement.on > on:
            break
        if movement.kind is MovementKind.TRANCHE:
            shares += movement.shares
            cost += movement.amount
            invested += movement.amount
        elif movement.kind is MovementKind.DIVIDEND:
            dividends += movement.amount
        else:
            sold_cost = cost_of_sale(shares, cost, movement.shares)
            shares -= movement.shares
            cost -= sold_cost
            proceeds += movement.amount
            gain += movement.amount - sold_cost
    return Holding(shares, cost, invested, proceeds, dividends, gain)


def cost_of_sale(shares_held: int, cost: Decimal, shares_sold: int) -> Decimal:
    """The average cost of `shares_sold` out of `shares_held`; a full exit takes the whole cost basis."""
    if shares_sold == shares_held:
        return cost
    return round_half_up(cost * shares_sold / shares_held)


def tranche_amount(shares: int, price_per_share: Decimal) -> Decimal:
    return round_half_up(price_per_share * shares)


def check_tranche(shares: int, price_per_share: Decimal, amount: Decimal) -> None:
    if price_per_share <= 0:
        raise RuleViolation("price_per_share", f"{price_per_share} must be positive")
    if shares <= 0:
        raise RuleViolation("shares", f"{shares} must be at least 1")
    expected = tranche_amount(shares, price_per_share)
    if amount != expected:
        raise RuleViolation(
            "amount", f"{amount} is not shares x price_per_share ({shares} x {price_per_share} = {expected})"
        )


def check_sale(movements: Sequence[Movement], on: date, shares_sold: int) -> Holding:
    """The holding the day of a sale; refused naming `shares_sold` when it exceeds what is held then or later.

    A sale dated before later movements must also leave every later sale covered.
    """
    if shares_sold <= 0:
        raise RuleViolation("shares_sold", f"{shares_sold} must be at least 1")
    before = holding(movements, on)
    if shares_sold > before.shares_held:
        raise RuleViolation("shares_sold", f"{shares_sold} exceeds the {before.shares_held} shares held on {on}")
    trial = [*movements, Movement(MovementKind.EXIT, on, ZERO, shares_sold, sequence=max_sequence(movements) + 1)]
    running = 0
    for movement in sorted(trial, key=lambda item: (item.on, item.sequence)):
        running += movement.shares if movement.kind is MovementKind.TRANCHE else 0
        running -= movement.shares if movement.kind is MovementKind.EXIT else 0
        if running < 0:
            raise RuleViolation(
                "shares_sold", f"{shares_sold} on {on} would leave the sale of {movement.on} without the shares it sold"
            )
    return before


def max_sequence(movements: Sequence[Movement]) -> int:
    return max((movement.sequence for movement in movements), default=0)


def ownership(shares_held: int, shares_outstanding: int | None) -> Decimal | None:
    """The share of the investee held, to six decimals; unknown without a reported share count."""
    if not shares_outstanding:
        return None
    return round_half_up(Decimal(shares_held) / Decimal(shares_outstanding), PRICE_QUANTUM)
