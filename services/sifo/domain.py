"""SIFO rules as plain Python: no database, web or Kafka imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.platform.rules import RuleViolation


@dataclass(frozen=True)
class RecognitionPeriod:
    """The window in which a financier is recognised and may draw on SIFO drawing rights."""

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise RuleViolation(
                "recognised_until",
                f"{self.end.isoformat()} is before recognised_from {self.start.isoformat()}",
            )

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class FinancierRegistration:
    """What it takes to recognise a financier; identifiers arrive already validated."""

    enterprise_number: str
    name: str
    iban: str
    recognition: RecognitionPeriod

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise RuleViolation("name", "must not be blank")
