"""The published parameters of a lender's repayment operations: settings, so a change needs no release."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings

from shared.banking.credit_transfers import Debtor
from shared.banking.direct_debits import Creditor, creditor_identifier
from shared.platform.identifiers import normalise_iban


@dataclass(frozen=True)
class OperationsPolicy:
    collection_window_days: int = 14
    tolerance_days: int = 5
    reminder_days: tuple[int, ...] = (10, 30, 60)
    default_after_days: int = 90
    chunk_size: int = 100


class OperationsSettings(BaseSettings):
    """How a lender collects: the windows and day counts, its creditor identity and the accounts involved.

    Defaults: invitations and direct debits go out 14 days ahead (the SEPA pre-notification
    period); an instalment is overdue 5 days after its due date; reminders at 10, 30 and 60 days
    past due; a default is proposed at 90 days (the usual non-performing threshold). The creditor
    identifier must be the fund's own (AT-02, e.g. ``BE..ZZZ`` + enterprise number).
    """

    collection_window_days: int = Field(default=14, ge=1, le=60)
    overdue_tolerance_days: int = Field(default=5, ge=0, le=60)
    reminder_days: tuple[int, ...] = Field(default=(10, 30, 60), description="days past due of each reminder level")
    default_after_days: int = Field(default=90, ge=1, le=3650)
    debtor_name: str = Field(default="Participatiemaatschappij Vlaanderen", description="account debited by payouts")
    debtor_iban: str = Field(default="BE68539007547034", description="account payouts are paid from")
    debtor_bic: str | None = None
    creditor_name: str = Field(default="Participatiemaatschappij Vlaanderen", max_length=70)
    creditor_iban: str = Field(default="BE68539007547034", description="account instalments are paid into")
    creditor_bic: str | None = None
    creditor_id: str = Field(default="BE76ZZZ0461612904", description="SEPA creditor identifier (AT-02)")
    scheduler_time: time = Field(default=time(6, 0), description="when the daily runs start, Brussels time")
    job_chunk_size: int = Field(default=100, ge=1, le=10_000)

    @field_validator("reminder_days")
    @classmethod
    def _increasing(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(day <= 0 for day in value) or list(value) != sorted(set(value)):
            raise ValueError(f"reminder_days must be positive and increasing, got {list(value)}")
        return value

    @field_validator("debtor_iban", "creditor_iban")
    @classmethod
    def _iban(cls, value: str) -> str:
        return normalise_iban(value)

    @field_validator("creditor_id")
    @classmethod
    def _creditor_id(cls, value: str) -> str:
        return creditor_identifier(value)

    @property
    def operations_policy(self) -> OperationsPolicy:
        return OperationsPolicy(
            collection_window_days=self.collection_window_days,
            tolerance_days=self.overdue_tolerance_days,
            reminder_days=self.reminder_days,
            default_after_days=self.default_after_days,
            chunk_size=self.job_chunk_size,
        )

    @property
    def debtor(self) -> Debtor:
        return Debtor(name=self.debtor_name, iban=self.debtor_iban, bic=self.debtor_bic)

    @property
    def creditor(self) -> Creditor:
        return Creditor(self.creditor_name, self.creditor_iban, self.creditor_id, self.creditor_bic)


__all__ = ["Creditor", "Debtor", "OperationsPolicy", "OperationsSettings"]
