"""Aid measures as the register last published them, and each beneficiary's aid against the ceiling.

The register publishes a measure whole after every change; the book keeps the latest version it
knows (ordered by publication time). Granted aid counts against the
de minimis ceiling in the three-year window ending on the date asked, per beneficiary enterprise
(the register itself adds up single undertakings; the book shows the beneficiary).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from shared.amortisation.state_aid import DeMinimisRules
from shared.contracts.state_aid import MeasureRecordedV1, MeasureStatus

from services.portfolio.domain.loans import ZERO

# Publication order of a version: when it was published (the event id breaks ties).
VersionOrder = tuple[datetime, str]

SHOWN = (MeasureStatus.GRANTED, MeasureStatus.RESERVED)


@dataclass(frozen=True)
class AidUse:
    enterprise_number: str
    granted_in_window: Decimal
    window_start: date
    ceiling: Decimal

    @property
    def headroom(self) -> Decimal:
        return max(self.ceiling - self.granted_in_window, ZERO)


def measures_on(latest: Iterable[MeasureRecordedV1], as_of: date) -> list[MeasureRecordedV1]:
    """Measures granted or reserved with a grant date on or before `as_of`, by grant date and reference."""
    chosen = [measure for measure in latest if measure.status in SHOWN and measure.grant_date <= as_of]
    return sorted(chosen, key=lambda measure: (measure.grant_date, measure.reference))


def aid_use(measures: Iterable[MeasureRecordedV1], as_of: date, rules: DeMinimisRules) -> list[AidUse]:
    """Granted aid per beneficiary in the window ending on `as_of` (it starts the day after `as_of` minus
    the window's years), next to the ceiling in force on `as_of`."""
    after = rules.window_start(as_of)
    totals: dict[str, Decimal] = {}
    for measure in measures:
        if measure.status is MeasureStatus.GRANTED and after < measure.grant_date <= as_of:
            totals[measure.enterprise_number] = totals.get(measure.enterprise_number, ZERO) + measure.gge
    if not totals:
        return []
    ceiling = rules.ceiling(as_of)
    return [AidUse(number, totals[number], after + timedelta(days=1), ceiling) for number in sorted(totals)]
