"""Loan terms as every service publishes them: the shared amortisation engine's terms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict


class LoanTermsV1(BaseModel):
    """The engine's terms (amounts and rates as decimal strings); the schedule follows from them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    principal: Decimal
    annual_rate: Decimal
    periods: int
    start_date: date
    frequency: str
    method: str
    day_count: str
    grace_periods: int
    grace_kind: str
    installment_multiple: Decimal


class LoanTermsV2(LoanTermsV1):
    """V1 and the optional broken first period: the first installment falls on `first_due_date`."""

    first_due_date: date | None = None
