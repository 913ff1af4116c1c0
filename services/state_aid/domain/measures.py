"""Which measures count against the ceiling, under which regulation, and which grant dates are accepted.

* A granted measure counts. A reservation counts until it is confirmed, released or its time runs
  out (`reserved_until`); an expired one no longer counts, even before the register marks it.
* The legal basis of a measure granted by the fund follows from its grant date: Regulation (EU)
  No 1407/2013 before 1 January 2024, Regulation (EU) 2023/2831 from then on.
* Grant dates are the lender's business date (a lender may be a day behind the register around
  midnight). A grant dated earlier is historic: only staff (back office) may record one, with a
  reason. No grant is dated further ahead than the horizon.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from shared.amortisation.state_aid import DEFAULT_DE_MINIMIS, AidGrant, DeMinimisRules
from shared.contracts.aid_vocabulary import MeasureStatus
from shared.platform.business_date import as_utc
from shared.platform.rules import RuleViolation


@dataclass(frozen=True)
class CountedMeasure:
    enterprise_number: str
    grant_date: date
    gge: Decimal
    status: MeasureStatus
    reserved_until: datetime | None


def reservation_ran_out(status: MeasureStatus, reserved_until: datetime | None, now: datetime) -> bool:
    return status is MeasureStatus.RESERVED and reserved_until is not None and as_utc(reserved_until) <= now


def counts(measure: CountedMeasure, now: datetime) -> bool:
    if measure.status is MeasureStatus.GRANTED:
        return True
    if measure.status is MeasureStatus.RESERVED:
        return not reservation_ran_out(measure.status, measure.reserved_until, now)
    return False


def counted_grants(measures: Iterable[CountedMeasure], now: datetime) -> list[AidGrant]:
    """The measures that count against the ceiling now, as grants of their own enterprises."""
    return [
        AidGrant(measure.enterprise_number, measure.grant_date, measure.gge)
        for measure in measures
        if counts(measure, now)
    ]


def legal_basis(on: date, rules: DeMinimisRules = DEFAULT_DE_MINIMIS) -> str:
    return rules.in_force(on).regulation


def ensure_ceiling_in_force(field: str, on: date, rules: DeMinimisRules = DEFAULT_DE_MINIMIS) -> None:
    """The register knows the ceilings from the first one on; an earlier date names `field`."""
    first = rules.ceilings[0].effective_from
    if on < first:
        raise RuleViolation(
            field, f"{on.isoformat()} is before {first.isoformat()}, the first de minimis ceiling the register knows"
        )


# A lender dates a grant just before midnight and the register reads it just after: still today's.
SERVICE_CLOCK_TOLERANCE = timedelta(days=1)


@dataclass(frozen=True)
class GrantDatePolicy:
    """How far ahead a grant may be dated (clock differences between services around midnight)."""

    future_horizon_days: int = 1

    def check(self, grant_date: date, today: date, is_staff: bool, reason: str | None) -> None:
        latest = today + timedelta(days=self.future_horizon_days)
        if grant_date > latest:
            raise RuleViolation(
                "grant_date",
                f"{grant_date.isoformat()} is more than {self.future_horizon_days} day(s) after today's business "
                f"date {today.isoformat()}; aid is registered when it is granted",
            )
        if grant_date < today - (timedelta(0) if is_staff else SERVICE_CLOCK_TOLERANCE):
            if not is_staff:
                raise RuleViolation(
                    "grant_date",
                    f"{grant_date.isoformat()} is before today's business date {today.isoformat()}; "
                    "a historic grant is recorded by back-office staff with a reason",
                )
            if reason is None or not reason.strip():
                raise RuleViolation("reason", "a historic grant needs a reason")
