"""Portfolio rules as plain Python: how a financier appears in the consolidated book."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class FinancierEntry:
    """A recognised financier as the consolidated book knows it."""

    financier_id: str
    enterprise_number: str
    name: str
    recognised_from: date
    recognised_until: date | None

    def recognised_on(self, day: date) -> bool:
        return self.recognised_from <= day and (self.recognised_until is None or day <= self.recognised_until)
