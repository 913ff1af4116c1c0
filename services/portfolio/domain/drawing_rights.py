"""SIFO drawing rights in the book: allocated, reserved, drawn, released and available on any date.

allocated = reserved + drawn + released + available, as in SIFO. Reservations and drawings come
from the loans' own events (approved, paid out, cancelled), which carry business dates; changes
of the allocation and releases by decision take effect on the day they were recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from services.portfolio.domain.loans import ZERO, LoanFile

# A change is ordered by its effective day, then by when it was published (the event id breaks ties).
ChangeOrder = tuple[date, datetime, str]


@dataclass
class DrawingRightFile:
    drawing_right_id: str
    financier_id: str | None = None
    fund_year: int | None = None
    valid_from: date | None = None
    valid_until: date | None = None
    allocations: list[tuple[ChangeOrder, Decimal]] = field(default_factory=list)
    releases: list[tuple[date, Decimal]] = field(default_factory=list)


@dataclass(frozen=True)
class DrawingRightLine:
    drawing_right_id: str
    financier_id: str
    fund_year: int
    valid_from: date
    valid_until: date
    allocated: Decimal
    reserved: Decimal
    drawn: Decimal
    released: Decimal

    @property
    def available(self) -> Decimal:
        return self.allocated - self.reserved - self.drawn - self.released


def drawing_right_line(right: DrawingRightFile, loans: Iterable[LoanFile], as_of: date) -> DrawingRightLine | None:
    allocations = sorted((order, amount) for order, amount in right.allocations if order[0] <= as_of)
    if not allocations or right.financier_id is None or right.fund_year is None:
        return None
    assert right.valid_from is not None
    assert right.valid_until is not None
    reserved = drawn = ZERO
    for loan in loans:
        if loan.drawing_right_id != right.drawing_right_id:
            continue
        drawn += loan.paid_out(as_of) or ZERO
        reserved += loan.pending_commitment(as_of) or ZERO
    return DrawingRightLine(
        drawing_right_id=right.drawing_right_id,
        financier_id=right.financier_id,
        fund_year=right.fund_year,
        valid_from=right.valid_from,
        valid_until=right.valid_until,
        allocated=allocations[-1][1],
        reserved=reserved,
        drawn=drawn,
        released=sum((amount for day, amount in right.releases if day <= as_of), ZERO),
    )
