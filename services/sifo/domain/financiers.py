"""Recognised financiers (erkende financiers) and the window in which they may draw."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from shared.platform.rules import RuleViolation, required_text


class FinancierStatus(enum.StrEnum):
    RECOGNISED = "recognised"
    SUSPENDED = "suspended"
    ENDED = "ended"


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

    def describe(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat() if self.end else 'open-ended'}"


@dataclass(frozen=True)
class FinancierRegistration:
    """What it takes to recognise a financier; identifiers arrive already validated."""

    enterprise_number: str
    name: str
    iban: str
    recognition: RecognitionPeriod

    def __post_init__(self) -> None:
        required_text("name", self.name)


@dataclass(frozen=True)
class FinancierStanding:
    """Whether a financier may act on a date: recognised then and not suspended."""

    status: FinancierStatus
    recognition: RecognitionPeriod
    suspended_from: date | None = None

    def ensure_may_draw(self, day: date, field: str) -> None:
        if not self.recognition.covers(day):
            raise RuleViolation(
                field, f"{day.isoformat()} is outside the financier's recognition {self.recognition.describe()}"
            )
        if self.suspended_from is not None and day >= self.suspended_from:
            raise RuleViolation(field, f"the financier is suspended since {self.suspended_from.isoformat()}")

    def ended_on(self, day: date) -> RecognitionPeriod:
        """The recognition cut at `day`: no new drawings after it."""
        if day < self.recognition.start:
            raise RuleViolation(
                "ended_on", f"{day.isoformat()} is before recognised_from {self.recognition.start.isoformat()}"
            )
        if self.recognition.end is not None and day > self.recognition.end:
            raise RuleViolation(
                "ended_on", f"{day.isoformat()} is after the recognition's end {self.recognition.end.isoformat()}"
            )
        return RecognitionPeriod(self.recognition.start, day)
