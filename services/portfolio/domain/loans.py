"""A loan as the book knows it from the lenders' events, and its line in the book on any date.

Every lender publishes the loan's terms at payout and each later movement with the lender's own
history entry id, so the book replays the loan through the shared engine exactly as the lender
does: the effective entries (reversed ones left out) in the order the lender recorded them. The
order in which events arrive does not matter: a file is complete or it waits for its payout.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.money import from_cents
from shared.amortisation.position import ArrearsLine, LoanPosition, PositionStatus
from shared.amortisation.servicing_history import (
    PREPAYMENT,
    RATE_RESET,
    REPAYMENT,
    RESTRUCTURE,
    HistoryEntry,
)
from shared.amortisation.terms import LoanTerms
from shared.contracts.energy import InstallationV1

from services.portfolio.domain.repayment_log import MODES, RepaymentLog

ZERO = Decimal("0.00")


class Instrument(enum.StrEnum):
    SIFO = "sifo"
    ENERGY = "energy"
    TRIVIDEND = "trividend"


class LineStatus(enum.StrEnum):
    """Where a loan stands on the date asked."""

    COMMITTED = "committed"  # approved, not yet paid out
    CURRENT = "current"
    IN_ARREARS = "in_arrears"
    DEFAULTED = "defaulted"
    WRITTEN_OFF = "written_off"
    SETTLED = "settled"
    CONVERTED = "converted"  # a convertible loan that became shares (the participation shows them)


@dataclass(frozen=True)
class ArrearsBucket:
    name: str
    first_day: int
    last_day: int | None

    def holds(self, days_past_due: int) -> bool:
        return days_past_due >= self.first_day and (self.last_day is None or days_past_due <= self.last_day)


ARREARS_BUCKETS = (
    ArrearsBucket("1-30", 1, 30),
    ArrearsBucket("31-90", 31, 90),
    ArrearsBucket("91-180", 91, 180),
    ArrearsBucket(">180", 181, None),
)


def arrears_by_bucket(lines: tuple[ArrearsLine, ...]) -> dict[str, Decimal]:
    """What is unpaid per bucket of days past due; an installment due on the day itself is not late yet."""
    buckets = {bucket.name: ZERO for bucket in ARREARS_BUCKETS}
    for line in lines:
        for bucket in ARREARS_BUCKETS:
            if bucket.holds(line.days_past_due):
                buckets[bucket.name] += line.outstanding
    return buckets


@dataclass(frozen=True)
class Entry:
    """One movement of a live loan, with the lender's history entry id (its recording order)."""

    entry_id: int
    kind: str
    on: date
    amount: Decimal | None = None
    mode: str | None = None
    annual_rate: Decimal | None = None
    terms: LoanTerms | None = None
    reported_outstanding: Decimal | None = None
    recorded_at: datetime | None = None


@dataclass
class LoanFile:
    """Everything the book has heard about one loan, in any order."""

    loan_id: str
    instrument: Instrument
    enterprise_number: str | None = None
    borrower_name: str | None = None
    investee_id: str | None = None
    financier_id: str | None = None
    drawing_right_id: str | None = None
    budget_year: int | None = None
    target_group_vte: Decimal | None = None
    committed: Decimal | None = None
    contract_rate: Decimal | None = None
    approved_on: date | None = None
    cancelled_on: date | None = None
    converted_on: date | None = None
    disbursed: Decimal | None = None
    disbursed_on: date | None = None
    terms: LoanTerms | None = None
    co2_tonnes_per_year: Decimal | None = None
    installations: tuple[InstallationV1, ...] = ()
    entries: dict[int, Entry] = field(default_factory=dict)
    """Every movement but repayments, by entry id."""
    repayments: RepaymentLog = field(default_factory=RepaymentLog)
    reversed: set[int] = field(default_factory=set)
    defaults: list[tuple[date, datetime]] = field(default_factory=list)
    """Each default: the day it took effect and when it was recorded (published)."""
    written_off: tuple[date, Decimal] | None = None

    def paid_out(self, as_of: date) -> Decimal | None:
        """What was paid out by the end of `as_of`; None before the payout (or before its event arrived)."""
        if self.disbursed_on is not None and self.disbursed_on <= as_of and self.disbursed is not None:
            return self.disbursed
        return None

    def pending_commitment(self, as_of: date) -> Decimal | None:
        """The approved amount still to be paid out on `as_of`: none once paid out or cancelled."""
        if self.paid_out(as_of) is not None or self.committed is None:
            return None
        if self.approved_on is None or self.approved_on > as_of:
            return None
        if self.cancelled_on is not None and self.cancelled_on <= as_of:
            return None
        return self.committed

    def effective_entries(self, as_of: date) -> list[Entry]:
        """The entries the replay uses on `as_of`, in the lender's recording order.

        An entry id heard twice counts as heard last.
        """
        log = self.repayments
        every = dict(self.entries)
        for index, entry_id in enumerate(log.entry_ids):
            every[entry_id] = Entry(
                entry_id,
                REPAYMENT,
                log.day(index),
                from_cents(log.cents[index]),
                MODES[log.modes[index]],
                reported_outstanding=from_cents(log.reported_cents[index]),
            )
        return [
            entry for entry_id, entry in sorted(every.items()) if entry_id not in self.reversed and entry.on <= as_of
        ]


@dataclass(frozen=True)
class LoanLine:
    """A loan in the book at the end of `as_of`."""

    loan_id: str
    instrument: Instrument
    enterprise_number: str
    borrower_name: str
    financier_id: str | None
    status: LineStatus
    committed: Decimal
    disbursed: Decimal
    disbursed_on: date | None
    outstanding_principal: Decimal
    accrued_interest: Decimal
    arrears: dict[str, Decimal]
    days_past_due: int
    annual_rate: Decimal | None
    maturity: date | None
    written_off: Decimal
    target_group_vte: Decimal | None
    reported_outstanding: Decimal | None
    principal_by_year: dict[int, Decimal]
    approved_on: date | None
    co2_tonnes_per_year: Decimal | None

    @property
    def total_arrears(self) -> Decimal:
        return sum(self.arrears.values(), ZERO)


def _in_force(terms: LoanTerms, policy: LateInterestPolicy, entries: list[Entry]) -> LiveLoan:
    """The loan under the terms of its last restructuring (or its contract), with every movement since.

    This is the last segment of the lender's replay (`servicing_history.replay`): a restructuring's
    terms carry everything owed on its day. Built in one go, the engine replays the movements once.
    """
    start = 0
    for index, entry in enumerate(entries):
        if entry.kind == RESTRUCTURE:
            assert entry.terms is not None
            terms, start = entry.terms, index + 1
    events = [
        HistoryEntry(
            kind=entry.kind, on=entry.on, amount=entry.amount, mode=entry.mode, annual_rate=entry.annual_rate
        ).engine_event()
        for entry in entries[start:]
        if entry.kind in (REPAYMENT, PREPAYMENT, RATE_RESET)
    ]
    return LiveLoan(terms, policy, tuple(events))


def defaulted(file: LoanFile, entries: list[Entry], as_of: date) -> bool:
    """Defaulted when a default is in force and no restructuring was recorded after it, as the lender decides."""
    recorded = [known for day, known in file.defaults if day <= as_of]
    if not recorded:
        return False
    last_default = max(recorded)
    return not any(
        entry.kind == RESTRUCTURE and entry.recorded_at is not None and entry.recorded_at > last_default
        for entry in entries
    )


def _reported(entries: list[Entry]) -> Decimal | None:
    reported = [entry.reported_outstanding for entry in entries if entry.reported_outstanding is not None]
    return reported[-1] if reported else None


@dataclass(frozen=True)
class Valuation:
    """What the engine says of a paid-out loan at the end of a day: the figures its line shows."""

    status: PositionStatus
    outstanding_principal: Decimal
    accrued_interest: Decimal
    arrears: dict[str, Decimal]
    overdue_principal: Decimal
    days_past_due: int
    annual_rate: Decimal

    @classmethod
    def of(cls, position: LoanPosition) -> Valuation:
        return cls(
            status=position.status,
            outstanding_principal=position.outstanding_principal,
            accrued_interest=position.accrued_interest,
            arrears=arrears_by_bucket(position.arrears),
            overdue_principal=sum((line.principal_outstanding for line in position.arrears), ZERO),
            days_past_due=position.days_past_due,
            annual_rate=position.annual_rate,
        )


def loan_line(file: LoanFile, as_of: date, policy: LateInterestPolicy) -> LoanLine | None:
    """The loan at the end of `as_of`, or None when it is not in the book that day.

    Not in the book: not yet approved, cancelled before payout, or paid out but its payout event
    has not arrived yet (the line waits for it rather than guessing).
    """
    if file.enterprise_number is None:
        return None
    if file.paid_out(as_of) is None:
        pending = file.pending_commitment(as_of)
        return None if pending is None else _line(file, LineStatus.COMMITTED, committed=pending)
    assert file.terms is not None
    assert file.disbursed is not None
    if file.converted_on is not None and file.converted_on <= as_of:
        return _line(file, LineStatus.CONVERTED, disbursed=file.disbursed, annual_rate=file.terms.annual_rate)
    entries = file.effective_entries(as_of)
    live = _in_force(file.terms, policy, entries)
    position = live.position(as_of)
    if file.written_off is not None and file.written_off[0] <= as_of:
        return _line(
            file,
            LineStatus.WRITTEN_OFF,
            disbursed=file.disbursed,
            written_off=file.written_off[1],
            annual_rate=position.annual_rate,
            reported=_reported(entries),
        )
    schedule = live.schedule(as_of)
    by_year: dict[int, Decimal] = {}
    for row in schedule.installments:
        if row.due_date > as_of:
            by_year[row.due_date.year] = by_year.get(row.due_date.year, ZERO) + row.principal
    maturity = schedule.installments[-1].due_date if schedule.installments else None
    return serviced_line(
        file,
        as_of,
        Valuation.of(position),
        maturity,
        by_year,
        _reported(entries),
        defaulted(file, entries, as_of),
    )


def serviced_by_repayments(file: LoanFile, as_of: date) -> bool:
    """Whether the loan is paid out on `as_of` and its effective movements so far are repayments alone.

    Such a loan's line can come from the vectorised engine (`book_positions.py`), which also checks
    that its repayments were recorded in date order from the payout on.
    """
    if file.enterprise_number is None or file.paid_out(as_of) is None or file.terms is None:
        return False
    if file.converted_on is not None and file.converted_on <= as_of:
        return False
    if file.written_off is not None and file.written_off[0] <= as_of:
        return False
    return not any(entry_id not in file.reversed and entry.on <= as_of for entry_id, entry in file.entries.items())


def serviced_line(
    file: LoanFile,
    as_of: date,
    valuation: Valuation,
    maturity: date | None,
    principal_by_year: dict[int, Decimal],
    reported: Decimal | None,
    defaulted: bool,
) -> LoanLine:
    """The line of a paid-out loan being serviced, from its valuation and the principal its schedule
    still has to fall due, per year of the due date (after `as_of`)."""
    assert file.disbursed is not None
    status = _status(valuation, defaulted)
    by_year = dict(principal_by_year)
    if valuation.overdue_principal:
        by_year[as_of.year] = by_year.get(as_of.year, ZERO) + valuation.overdue_principal
    return _line(
        file,
        status,
        disbursed=file.disbursed,
        valuation=valuation,
        maturity=maturity,
        reported=reported,
        principal_by_year=_scaled(by_year, valuation.outstanding_principal),
    )


def _scaled(by_year: dict[int, Decimal], outstanding: Decimal) -> dict[int, Decimal]:
    """Principal per year of its due date, summing to the outstanding principal (a prepayment ahead of a due
    date can leave the schedule's rounded rows a cent apart from it; the last year absorbs that)."""
    if not by_year or outstanding <= 0:
        return {}
    years = sorted(by_year)
    difference = outstanding - sum(by_year.values(), ZERO)
    result = {year: by_year[year] for year in years}
    result[years[-1]] += difference
    return {year: amount for year, amount in result.items() if amount}


def _status(valuation: Valuation, defaulted: bool) -> LineStatus:
    if valuation.status is PositionStatus.SETTLED:
        return LineStatus.SETTLED
    if defaulted:
        return LineStatus.DEFAULTED
    if valuation.status is PositionStatus.IN_ARREARS and valuation.days_past_due > 0:
        return LineStatus.IN_ARREARS
    return LineStatus.CURRENT


def _line(
    file: LoanFile,
    status: LineStatus,
    *,
    committed: Decimal = ZERO,
    disbursed: Decimal = ZERO,
    valuation: Valuation | None = None,
    written_off: Decimal = ZERO,
    annual_rate: Decimal | None = None,
    maturity: date | None = None,
    reported: Decimal | None = None,
    principal_by_year: dict[int, Decimal] | None = None,
) -> LoanLine:
    assert file.enterprise_number is not None
    buckets = valuation.arrears if valuation is not None else arrears_by_bucket(())
    rate = valuation.annual_rate if valuation is not None else annual_rate
    if rate is None:
        rate = file.terms.annual_rate if file.terms is not None else file.contract_rate
    return LoanLine(
        loan_id=file.loan_id,
        instrument=file.instrument,
        enterprise_number=file.enterprise_number,
        borrower_name=file.borrower_name or "",
        financier_id=file.financier_id,
        status=status,
        committed=committed,
        disbursed=disbursed,
        disbursed_on=file.disbursed_on if disbursed else None,
        outstanding_principal=valuation.outstanding_principal if valuation is not None else ZERO,
        accrued_interest=valuation.accrued_interest if valuation is not None else ZERO,
        arrears=buckets,
        days_past_due=valuation.days_past_due if valuation is not None else 0,
        annual_rate=rate,
        maturity=maturity,
        written_off=written_off,
        target_group_vte=file.target_group_vte,
        reported_outstanding=reported,
        principal_by_year=principal_by_year or {},
        approved_on=file.approved_on,
        co2_tonnes_per_year=file.co2_tonnes_per_year,
    )
