"""Figures drawn from the book's lines on one date: exposure per enterprise, social and energy figures,
totals per instrument.

Social figures count each enterprise once per instrument: the target-group employees (VTE) of an
enterprise are those its most recent live loan reports (for a participation, the investee's latest
report), because several positions in one enterprise support the same jobs. Euro per VTE is the
exposure of the positions reporting VTE (loans: outstanding principal plus commitments;
participations: fair value plus undrawn commitment), divided by those VTE. Energy loans report
installations, not jobs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from shared.amortisation.money import round_half_up
from shared.contracts.energy import InstallationV1

from services.portfolio.domain.aid import AidUse
from services.portfolio.domain.loans import ARREARS_BUCKETS, ZERO, Instrument, LineStatus, LoanLine
from services.portfolio.domain.participations import ParticipationLine

_NEVER = date.min
PRODUCING = (LineStatus.CURRENT, LineStatus.IN_ARREARS, LineStatus.DEFAULTED, LineStatus.SETTLED)
"""Loans whose installations were paid out and are still counted (a written-off loan's are not)."""
LIVE = (LineStatus.COMMITTED, LineStatus.CURRENT, LineStatus.IN_ARREARS, LineStatus.DEFAULTED)


@dataclass(frozen=True)
class Exposure:
    enterprise_number: str
    name: str
    outstanding_principal: Decimal
    committed: Decimal
    equity_fair_value: Decimal
    arrears: Decimal
    aid_granted_in_window: Decimal
    aid_ceiling: Decimal | None
    instruments: tuple[str, ...]

    @property
    def total(self) -> Decimal:
        return self.outstanding_principal + self.committed + self.equity_fair_value


def exposures(
    lines: Sequence[LoanLine], aid: Sequence[AidUse], participations: Sequence[ParticipationLine] = ()
) -> list[Exposure]:
    live: dict[str, list[LoanLine]] = {}
    for line in lines:
        if line.status in LIVE:
            live.setdefault(line.enterprise_number, []).append(line)
    held: dict[str, list[ParticipationLine]] = {}
    for participation in participations:
        if participation.live:
            held.setdefault(participation.enterprise_number, []).append(participation)
    uses = {use.enterprise_number: use for use in aid}
    result = []
    for number in sorted(live.keys() | held.keys() | uses.keys()):
        own = live.get(number, [])
        equity = held.get(number, [])
        use = uses.get(number)
        names = sorted(
            {line.borrower_name for line in own if line.borrower_name} | {line.name for line in equity if line.name}
        )
        instruments = {line.instrument.value for line in own} | ({Instrument.TRIVIDEND.value} if equity else set())
        result.append(
            Exposure(
                enterprise_number=number,
                name=names[0] if names else "",
                outstanding_principal=sum((line.outstanding_principal for line in own), ZERO),
                committed=sum((line.committed for line in own), ZERO)
                + sum((line.committed_undrawn for line in equity), ZERO),
                equity_fair_value=sum((line.fair_value for line in equity), ZERO),
                arrears=sum((line.total_arrears for line in own), ZERO),
                aid_granted_in_window=use.granted_in_window if use is not None else ZERO,
                aid_ceiling=use.ceiling if use is not None else None,
                instruments=tuple(sorted(instruments)),
            )
        )
    return result


@dataclass(frozen=True)
class SocialFigures:
    instrument: Instrument
    enterprises: int
    live_loans: int
    target_group_vte: Decimal | None
    exposure: Decimal

    @property
    def euro_per_vte(self) -> Decimal | None:
        if not self.target_group_vte:
            return None
        return round_half_up(self.exposure / self.target_group_vte)


def social_figures(lines: Sequence[LoanLine], participations: Sequence[ParticipationLine] = ()) -> list[SocialFigures]:
    result = []
    for instrument in Instrument:
        live = [line for line in lines if line.instrument is instrument and line.status in LIVE]
        reporting = [line for line in live if line.target_group_vte is not None]
        latest: dict[str, Decimal] = {}
        for line in sorted(reporting, key=lambda line: (line.approved_on or line.disbursed_on or _NEVER, line.loan_id)):
            latest[line.enterprise_number] = line.target_group_vte or ZERO
        exposure = sum((line.outstanding_principal + line.committed for line in reporting), ZERO)
        enterprises = {line.enterprise_number for line in live}
        count = len(live)
        if instrument is Instrument.TRIVIDEND:
            held = [line for line in participations if line.live]
            for position in held:
                if position.target_group_vte is not None:
                    latest[position.enterprise_number] = position.target_group_vte
                    exposure += position.fair_value + position.committed_undrawn
            enterprises |= {position.enterprise_number for position in held}
            count += len(held)
        result.append(
            SocialFigures(
                instrument=instrument,
                enterprises=len(enterprises),
                live_loans=count,
                target_group_vte=sum(latest.values(), ZERO) if latest else None,
                exposure=exposure,
            )
        )
    return result


@dataclass(frozen=True)
class EnergyFigures:
    technology: str
    unit: str
    installations: int
    capacity: Decimal
    investment_cost: Decimal
    yearly_production_kwh: Decimal
    yearly_savings_eur: Decimal


def energy_figures(
    lines: Iterable[LoanLine], installations: Mapping[str, tuple[InstallationV1, ...]]
) -> list[EnergyFigures]:
    """Installations of the energy loans paid out and not written off, per technology and unit."""
    totals: dict[tuple[str, str], list[Decimal]] = {}
    for line in lines:
        if line.instrument is not Instrument.ENERGY or line.status in (LineStatus.COMMITTED, LineStatus.WRITTEN_OFF):
            continue
        for item in installations.get(line.loan_id, ()):
            sums = totals.setdefault((item.technology, item.unit), [ZERO, ZERO, ZERO, ZERO, ZERO])
            sums[0] += 1
            sums[1] += item.capacity
            sums[2] += item.investment_cost
            sums[3] += item.yearly_production_kwh
            sums[4] += item.yearly_savings_eur
    return [
        EnergyFigures(technology, unit, int(sums[0]), sums[1], sums[2], sums[3], sums[4])
        for (technology, unit), sums in sorted(totals.items())
    ]


@dataclass(frozen=True)
class InstrumentTotals:
    instrument: Instrument
    loans: int
    committed: Decimal
    disbursed: Decimal
    outstanding_principal: Decimal
    accrued_interest: Decimal
    arrears: dict[str, Decimal]
    written_off: Decimal
    participations: int
    equity_fair_value: Decimal
    co2_tonnes_per_year: Decimal

    @property
    def total_arrears(self) -> Decimal:
        return sum(self.arrears.values(), ZERO)


def instrument_totals(
    lines: Sequence[LoanLine], participations: Sequence[ParticipationLine] = ()
) -> list[InstrumentTotals]:
    result = []
    for instrument in Instrument:
        own = [line for line in lines if line.instrument is instrument]
        equity = [line for line in participations if line.live] if instrument is Instrument.TRIVIDEND else []
        result.append(
            InstrumentTotals(
                instrument=instrument,
                loans=len(own),
                committed=sum((line.committed for line in own), ZERO)
                + sum((line.committed_undrawn for line in equity), ZERO),
                disbursed=sum((line.disbursed for line in own), ZERO),
                outstanding_principal=sum((line.outstanding_principal for line in own), ZERO),
                accrued_interest=sum((line.accrued_interest for line in own), ZERO),
                arrears={
                    bucket.name: sum((line.arrears[bucket.name] for line in own), ZERO) for bucket in ARREARS_BUCKETS
                },
                written_off=sum((line.written_off for line in own), ZERO),
                participations=len(equity),
                equity_fair_value=sum((line.fair_value for line in equity), ZERO),
                co2_tonnes_per_year=sum(
                    (line.co2_tonnes_per_year or ZERO for line in own if line.status in PRODUCING), Decimal("0.000")
                ),
            )
        )
    return result
