"""Trividend's equity participations in the book: cost, fair value and ownership on any date.

A participation is committed when the investment committee approves it; tranches buy shares,
exits sell them at their average cost (Trividend publishes the cost of what it sold), dividends
are income. Its fair value per share is that of the latest approved valuation or the latest
purchase price, whichever is more recent (a later approval of a quarter replaces an earlier one);
a participation fully exited has no undrawn commitment left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from shared.amortisation.fair_value import residual_value
from shared.amortisation.money import round_half_up
from shared.amortisation.reference_rates import latest_on

from services.portfolio.domain.loans import ZERO

OWNERSHIP_QUANTUM = Decimal("0.000001")
# A movement is ordered by its day, then when it was published (the event id breaks ties).
MovementOrder = tuple[date, datetime, str]


@dataclass
class InvesteeFile:
    investee_id: str
    enterprise_number: str | None = None
    name: str | None = None
    headcounts: list[tuple[date, Decimal]] = field(default_factory=list)
    share_counts: list[tuple[date, int]] = field(default_factory=list)

    def vte_on(self, on: date) -> Decimal | None:
        return latest_on(sorted(self.headcounts, key=_day), on)

    def shares_outstanding_on(self, on: date) -> int | None:
        return latest_on(sorted(self.share_counts, key=_day), on)


def _day(entry: tuple[date, object]) -> date:
    return entry[0]


@dataclass
class ParticipationFile:
    participation_id: str
    investee_id: str | None = None
    enterprise_number: str | None = None
    committed: Decimal | None = None
    approved_on: date | None = None
    tranches: list[tuple[MovementOrder, Decimal, int]] = field(default_factory=list)
    dividends: list[tuple[date, Decimal]] = field(default_factory=list)
    exits: list[tuple[MovementOrder, Decimal, int, Decimal]] = field(default_factory=list)
    """(order, proceeds, shares sold, cost of the shares sold)"""
    valuations: dict[str, tuple[tuple[datetime, str], date, Decimal]] = field(default_factory=dict)
    """Per quarter: the latest approved version (publication order), its day and fair value."""


@dataclass(frozen=True)
class ParticipationLine:
    participation_id: str
    enterprise_number: str
    name: str
    committed_undrawn: Decimal
    shares_held: int
    ownership: Decimal | None
    cost: Decimal
    fair_value: Decimal
    invested: Decimal
    dividends: Decimal
    proceeds: Decimal
    realised_gain: Decimal
    target_group_vte: Decimal | None

    @property
    def live(self) -> bool:
        return self.shares_held > 0 or self.committed_undrawn > 0


def _shares_on(file: ParticipationFile, on: date) -> int:
    bought = sum(shares for order, _amount, shares in file.tranches if order[0] <= on)
    sold = sum(shares for order, _received, shares, _cost in file.exits if order[0] <= on)
    return bought - sold


def participation_line(file: ParticipationFile, investee: InvesteeFile | None, on: date) -> ParticipationLine | None:
    """The participation at the end of `on`; None before the committee approved it (or before that event arrived)."""
    if file.approved_on is None or file.approved_on > on or file.committed is None or file.enterprise_number is None:
        return None
    shares = 0
    invested = sold_cost = proceeds = ZERO
    for _order, amount, bought in (item for item in file.tranches if item[0][0] <= on):
        shares += bought
        invested += amount
    for _order, received, sold, cost in (item for item in file.exits if item[0][0] <= on):
        shares -= sold
        proceeds += received
        sold_cost += cost
    cost_held = invested - sold_cost
    purchases = [(order[0], amount, bought) for order, amount, bought in sorted(file.tranches)]
    valuations = [(day, value, _shares_on(file, day)) for _version, day, value in sorted(file.valuations.values())]
    fair_value = residual_value(shares, purchases, valuations, on)
    exited = shares == 0 and any(item[0][0] <= on for item in file.exits)
    outstanding = investee.shares_outstanding_on(on) if investee is not None else None
    ownership = round_half_up(Decimal(shares) / Decimal(outstanding), OWNERSHIP_QUANTUM) if outstanding else None
    return ParticipationLine(
        participation_id=file.participation_id,
        enterprise_number=file.enterprise_number,
        name=(investee.name if investee is not None else None) or "",
        committed_undrawn=ZERO if exited else max(file.committed - invested, ZERO),
        shares_held=shares,
        ownership=ownership,
        cost=cost_held,
        fair_value=fair_value,
        invested=invested,
        dividends=sum((amount for day, amount in file.dividends if day <= on), ZERO),
        proceeds=proceeds,
        realised_gain=proceeds - sold_cost,
        target_group_vte=investee.vte_on(on) if investee is not None else None,
    )
