"""Calendar quarters as the exports name them: ``2026Q3`` runs from 1 July to 30 September 2026."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from shared.platform.rules import RuleViolation

QUARTER_PATTERN = r"^[0-9]{4}Q[1-4]$"
FIRST_YEAR = 2000
LAST_YEAR = 2199


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str, field: str = "quarter") -> Quarter:
        if not re.fullmatch(QUARTER_PATTERN, text):
            raise RuleViolation(field, f"{text!r} is not a quarter like 2026Q3")
        quarter = cls(int(text[:4]), int(text[5]))
        if not FIRST_YEAR <= quarter.year <= LAST_YEAR:
            raise RuleViolation(field, f"{text} is outside the years {FIRST_YEAR}..{LAST_YEAR} the book covers")
        return quarter

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        following = self.following()
        return following.first_day - timedelta(days=1)

    def following(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def last(self, count: int) -> list[Quarter]:
        """The `count` quarters ending with this one, oldest first."""
        quarters = [self]
        while len(quarters) < count:
            quarters.append(quarters[-1].previous())
        return list(reversed(quarters))
