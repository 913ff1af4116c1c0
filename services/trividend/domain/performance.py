"""Performance of a participation or of the fund on a date, from its dated cash flows.

invested = tranches paid in; distributions = exit proceeds + dividends; residual value = fair value
of the shares still held (their cost when never valued: the price of recent investment);
DPI = distributions / invested; RVPI = residual / invested; TVPI = DPI + RVPI; MOIC = (distributions +
residual) / invested; XIRR over the flows (tranches out, distributions in, the residual value in on
the date) with the shared engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from shared.amortisation.errors import InvalidTerms
from shared.amortisation.money import exact, round_half_up
from shared.amortisation.returns import Flow, round_rate, xirr

from services.trividend.domain.holdings import ZERO


@dataclass(frozen=True)
class Performance:
    as_of: date
    invested: Decimal
    realised: Decimal
    income: Decimal
    fair_value: Decimal
    realised_gain: Decimal
    target_group_vte: Decimal | None
    flows: tuple[Flow, ...]

    @property
    def distributions(self) -> Decimal:
        return self.realised + self.income

    def _ratio(self, amount: Decimal) -> Decimal | None:
        if not self.invested:
            return None
        with exact():
            return round_rate(amount / self.invested)

    @property
    def dpi(self) -> Decimal | None:
        return self._ratio(self.distributions)

    @property
    def rvpi(self) -> Decimal | None:
        return self._ratio(self.fair_value)

    @property
    def tvpi(self) -> Decimal | None:
        return self._ratio(self.distributions + self.fair_value)

    @property
    def moic(self) -> Decimal | None:
        return self.tvpi

    @property
    def xirr(self) -> Decimal | None:
        """None while the flows have no sign change (nothing back yet and nothing held), or when the rate is
        beyond what a decimal holds (a large gain over a few days)."""
        try:
            return xirr(self.flows)
        except (InvalidTerms, InvalidOperation, OverflowError):
            return None

    @property
    def invested_per_vte(self) -> Decimal | None:
        if not self.target_group_vte:
            return None
        return round_half_up(self.invested / self.target_group_vte)


def performance(
    as_of: date,
    flows: Sequence[Flow],
    fair_value: Decimal,
    realised: Decimal,
    income: Decimal,
    realised_gain: Decimal,
    target_group_vte: Decimal | None,
) -> Performance:
    """`flows` are the dated cash flows up to `as_of` (negative paid in); the residual value is added on `as_of`."""
    ordered = sorted(flows, key=lambda flow: flow[0])
    invested = -sum((amount for _, amount in ordered if amount < 0), ZERO)
    with_residual = (*ordered, (as_of, fair_value)) if fair_value else tuple(ordered)
    return Performance(
        as_of=as_of,
        invested=invested,
        realised=realised,
        income=income,
        fair_value=fair_value,
        realised_gain=realised_gain,
        target_group_vte=target_group_vte,
        flows=tuple(with_residual),
    )
