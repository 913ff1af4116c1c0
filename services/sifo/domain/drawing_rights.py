"""Drawing rights (trekkingsrechten): what a financier may draw from SIFO in a fund year.

allocated = reserved (approved, not yet paid out) + drawn + released + available, always.
An allocation is never lowered below what is already reserved, drawn or released.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from shared.platform.rules import Conflict, RuleViolation


class DrawingRightStatus(enum.StrEnum):
    OPEN = "open"
    EXPIRED = "expired"


@dataclass(frozen=True)
class DrawingRightBalance:
    allocated: Decimal
    reserved: Decimal = Decimal("0.00")
    drawn: Decimal = Decimal("0.00")
    released: Decimal = Decimal("0.00")

    def __post_init__(self) -> None:
        if self.allocated <= 0:
            raise RuleViolation("allocated", "must be greater than 0.00")

    @property
    def committed(self) -> Decimal:
        return self.reserved + self.drawn + self.released

    @property
    def available(self) -> Decimal:
        return self.allocated - self.committed

    def reserve(self, amount: Decimal, right_id: str) -> DrawingRightBalance:
        if amount > self.available:
            raise Conflict(
                f"drawing right {right_id} has {self.available} available; reserving {amount} "
                f"falls short by {amount - self.available}",
                available=str(self.available),
                requested=str(amount),
                shortfall=str(amount - self.available),
            )
        return replace(self, reserved=self.reserved + amount)

    def draw(self, amount: Decimal) -> DrawingRightBalance:
        """A reserved amount is paid out."""
        if amount > self.reserved:
            raise Conflict(f"only {self.reserved} is reserved; {amount} cannot be drawn")
        return replace(self, reserved=self.reserved - amount, drawn=self.drawn + amount)

    def unreserve(self, amount: Decimal) -> DrawingRightBalance:
        return replace(self, reserved=self.reserved - min(amount, self.reserved))

    def release(self, amount: Decimal, right_id: str) -> DrawingRightBalance:
        if amount > self.available:
            raise Conflict(f"drawing right {right_id} has {self.available} available; {amount} cannot be released")
        return replace(self, released=self.released + amount)

    def reallocate(self, allocated: Decimal) -> DrawingRightBalance:
        if allocated < self.committed:
            raise RuleViolation(
                "allocated",
                f"{allocated} is below what is already reserved, drawn or released ({self.committed}: "
                f"reserved {self.reserved}, drawn {self.drawn}, released {self.released})",
            )
        return replace(self, allocated=allocated)


@dataclass(frozen=True)
class ValidityWindow:
    valid_from: date
    valid_until: date

    def __post_init__(self) -> None:
        if self.valid_until < self.valid_from:
            raise RuleViolation(
                "valid_until", f"{self.valid_until.isoformat()} is before valid_from {self.valid_from.isoformat()}"
            )

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until


def ensure_fund_year(fund_year: int, window: ValidityWindow) -> None:
    if not window.valid_from.year <= fund_year <= window.valid_until.year:
        raise RuleViolation(
            "fund_year",
            f"{fund_year} is outside the validity window {window.valid_from.isoformat()} to "
            f"{window.valid_until.isoformat()}",
        )
