"""Loan terms: the contract every schedule is computed from, validated field by field."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.money import CENT, MONEY_LIMIT, parse_decimal, parse_money

MAX_RATE_DECIMALS = 6
RATE_QUANTUM = Decimal(1).scaleb(-MAX_RATE_DECIMALS)
MAX_PERIODS = 1200
LAST_REPRESENTABLE_MONTH = 9999 * 12 + 11


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"

    @property
    def months(self) -> int:
        return _MONTHS_PER_PERIOD[self]

    @property
    def per_year(self) -> int:
        return 12 // self.months


_MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
"""Read for every installment of every schedule: one lookup, not a mapping built per call."""


class Method(enum.StrEnum):
    ANNUITY = "annuity"
    LINEAR = "linear"
    BULLET = "bullet"


class DayCount(enum.StrEnum):
    THIRTY_E_360 = "30E/360"
    ACT_360 = "ACT/360"
    ACT_365F = "ACT/365F"
    ACT_ACT_ISDA = "ACT/ACT-ISDA"


class GraceKind(enum.StrEnum):
    INTEREST_ONLY = "interest_only"
    CAPITALISED = "capitalised"


@dataclass(frozen=True)
class LoanTerms:
    """What a loan contract says about repayment. Defaults are part of the contract.

    `periods` counts every installment, grace included. `annual_rate` is a fraction
    (0.035 for 3.5 %) with at most six decimals, as stored in NUMERIC(9,6) columns.

    `first_due_date` makes the first period broken (odd): the first installment falls on that
    date and bears interest for the actual days since `start_date`; the later installments follow
    it at regular intervals. It must fall after the start and at most two periods after it; a first
    due date equal to the regular one is the regular schedule and is stored as None.
    """

    principal: Decimal
    annual_rate: Decimal
    periods: int
    start_date: date
    frequency: Frequency = Frequency.MONTHLY
    method: Method = Method.ANNUITY
    day_count: DayCount = DayCount.THIRTY_E_360
    grace_periods: int = 0
    grace_kind: GraceKind = GraceKind.INTEREST_ONLY
    installment_multiple: Decimal = CENT
    first_due_date: date | None = None

    def __post_init__(self) -> None:
        if self.principal <= 0:
            raise InvalidTerms("principal", "must be greater than 0.00")
        if self.principal >= MONEY_LIMIT:
            raise InvalidTerms("principal", "must stay below 10000000000000000.00")
        if self.principal != self.principal.quantize(CENT):
            raise InvalidTerms("principal", f"{self.principal} has more than two decimals")
        if self.annual_rate < 0:
            raise InvalidTerms("annual_rate", "must not be negative")
        if self.annual_rate >= 1:
            raise InvalidTerms("annual_rate", "is a fraction (0.035 for 3.5 %) and must be below 1")
        if self.annual_rate != self.annual_rate.quantize(RATE_QUANTUM):
            raise InvalidTerms("annual_rate", f"must have at most {MAX_RATE_DECIMALS} decimals")
        if self.grace_periods < 0:
            raise InvalidTerms("grace_periods", "must be >= 0")
        if self.periods < self.grace_periods + 1:
            raise InvalidTerms("periods", "must be >= grace_periods + 1")
        if self.periods > MAX_PERIODS:
            raise InvalidTerms("periods", f"must be <= {MAX_PERIODS}")
        if (
            self.installment_multiple <= 0
            or self.installment_multiple >= MONEY_LIMIT
            or self.installment_multiple != self.installment_multiple.quantize(CENT)
        ):
            raise InvalidTerms("installment_multiple", "must be a positive multiple of 0.01")
        self._check_first_due_date()
        object.__setattr__(
            self, "annual_rate", abs(self.annual_rate) if self.annual_rate.is_zero() else self.annual_rate
        )
        last_month = self._month_number(self.first_due_date or self.start_date) + self.periods * self.frequency.months
        if self.first_due_date is not None:
            last_month -= self.frequency.months
        if last_month > LAST_REPRESENTABLE_MONTH:
            raise InvalidTerms("periods", f"{self.periods} periods from {self.start_date} end after 9999-12-31")
        object.__setattr__(self, "principal", self.principal.quantize(CENT))
        object.__setattr__(self, "installment_multiple", self.installment_multiple.quantize(CENT))

    @staticmethod
    def _month_number(day: date) -> int:
        return day.year * 12 + day.month - 1

    def _check_first_due_date(self) -> None:
        first = self.first_due_date
        if first is None:
            return
        if first <= self.start_date:
            raise InvalidTerms("first_due_date", f"{first} must fall after start_date {self.start_date}")
        if self._month_number(self.start_date) + 2 * self.frequency.months > LAST_REPRESENTABLE_MONTH:
            return
        latest: date = self.start_date + relativedelta(months=2 * self.frequency.months)
        if first > latest:
            raise InvalidTerms(
                "first_due_date", f"{first} is more than two {self.frequency.value} periods after start_date ({latest})"
            )
        regular: date = self.start_date + relativedelta(months=self.frequency.months)
        if first == regular:
            object.__setattr__(self, "first_due_date", None)

    @property
    def amortising_periods(self) -> int:
        return self.periods - self.grace_periods

    def to_json(self) -> dict[str, Any]:
        return {
            "principal": str(self.principal),
            "annual_rate": str(self.annual_rate),
            "periods": self.periods,
            "start_date": self.start_date.isoformat(),
            "frequency": self.frequency.value,
            "method": self.method.value,
            "day_count": self.day_count.value,
            "grace_periods": self.grace_periods,
            "grace_kind": self.grace_kind.value,
            "installment_multiple": str(self.installment_multiple),
            **({"first_due_date": self.first_due_date.isoformat()} if self.first_due_date else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LoanTerms:
        """Parse the JSON form (amounts and rates as decimal strings), naming the first bad field."""
        if not isinstance(data, Mapping):
            raise InvalidTerms("terms", "must be a JSON object")
        known = {
            "principal",
            "annual_rate",
            "periods",
            "start_date",
            "frequency",
            "method",
            "day_count",
            "grace_periods",
            "grace_kind",
            "installment_multiple",
            "first_due_date",
        }
        for key in data:
            if key not in known:
                raise InvalidTerms(str(key), "is not a known term")
        for key in ("principal", "annual_rate", "periods", "start_date"):
            if key not in data:
                raise InvalidTerms(key, "is required")
        return cls(
            principal=parse_money("principal", data["principal"]),
            annual_rate=parse_decimal("annual_rate", data["annual_rate"]),
            periods=_integer("periods", data["periods"]),
            start_date=_date("start_date", data["start_date"]),
            frequency=_choice("frequency", Frequency, data.get("frequency", Frequency.MONTHLY.value)),
            method=_choice("method", Method, data.get("method", Method.ANNUITY.value)),
            day_count=_choice("day_count", DayCount, data.get("day_count", DayCount.THIRTY_E_360.value)),
            grace_periods=_integer("grace_periods", data.get("grace_periods", 0)),
            grace_kind=_choice("grace_kind", GraceKind, data.get("grace_kind", GraceKind.INTEREST_ONLY.value)),
            installment_multiple=parse_money("installment_multiple", data.get("installment_multiple", "0.01")),
            first_due_date=None
            if data.get("first_due_date") is None
            else _date("first_due_date", data["first_due_date"]),
        )


def _integer(field: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTerms(field, "must be a whole number")
    return value


def _date(field: str, value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise InvalidTerms(field, "must be an ISO date such as 2026-03-01")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidTerms(field, f"{value!r} is not an ISO date (YYYY-MM-DD)") from None


def _choice(field: str, kind: type[enum.StrEnum], value: Any) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = " | ".join(member.value for member in kind)
        raise InvalidTerms(field, f"{value!r} is not one of {allowed}") from None
