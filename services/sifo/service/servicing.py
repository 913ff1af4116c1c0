"""Servicing a disbursed loan: repayments, prepayments, rate resets and the loan as of a date.

The servicing history (`sifo_loan_event`) is replayed through the shared engine's `LiveLoan`
for every answer. A restructuring starts a new segment: from its date the loan follows the new
terms, whose principal is everything owed on that day.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from shared.amortisation.allocation import Allocation
from shared.amortisation.errors import InvalidTerms
from shared.amortisation.late_interest import LateInterestPolicy
from shared.amortisation.live_loan import LiveLoan
from shared.amortisation.loan_events import LoanEvent, Prepayment, PrepaymentMode, RateReset, Repayment
from shared.amortisation.position import LoanPosition
from shared.amortisation.schedule import Schedule
from shared.amortisation.servicing_history import (
    HistoryEntry,
    Segment,
    entry_of,
    record_latest,
    replay,
    request_field,
    segment_on,
)
from shared.platform.rules import RuleViolation

from services.sifo import events
from services.sifo.domain.loans import LoanStatus, SifoPolicy, ensure_status
from services.sifo.models import SifoLoan, SifoLoanEvent
from services.sifo.service.context import Command, get_for_update
from services.sifo.service.loans import terms_of

SERVICEABLE = (LoanStatus.DISBURSED, LoanStatus.DEFAULTED)


def late_interest_policy(loan: SifoLoan, policy: SifoPolicy) -> LateInterestPolicy:
    """Contractual late interest: the loan's own rate plus the fund's late-interest margin."""
    return LateInterestPolicy.contractual(loan.annual_rate + policy.late_interest_margin)


def _entry(row: SifoLoanEvent) -> HistoryEntry:
    return HistoryEntry(
        kind=row.kind,
        on=row.on,
        amount=row.amount,
        mode=row.mode,
        annual_rate=row.annual_rate,
        terms=json.loads(row.terms) if row.terms else None,
    )


def segments(session: Session, loan: SifoLoan, policy: SifoPolicy) -> list[Segment]:
    rows = session.exec(
        select(SifoLoanEvent).where(SifoLoanEvent.loan_id == loan.id).order_by(col(SifoLoanEvent.id))
    ).all()
    return replay(terms_of(loan), late_interest_policy(loan, policy), [_entry(row) for row in rows])


def _record(command: Command, loan: SifoLoan, event: LoanEvent, field: str) -> LiveLoan:
    """Check the event against the replayed loan (order, amounts), then store it."""
    try:
        live = record_latest(segments(command.session, loan, command.policy), event)
    except InvalidTerms as exc:
        raise RuleViolation(request_field(exc.field, field), exc.rule) from None
    entry = entry_of(event)
    command.session.add(
        SifoLoanEvent(
            loan_id=loan.id,
            kind=entry.kind,
            on=entry.on,
            amount=entry.amount,
            mode=entry.mode,
            annual_rate=entry.annual_rate,
            recorded_by=command.actor,
            recorded_at=command.now,
        )
    )
    return live


def record_repayment(
    command: Command, loan_id: str, received_on: date, amount: Decimal, surplus_mode: PrepaymentMode
) -> tuple[SifoLoan, Allocation, LoanPosition]:
    loan = get_for_update(command.session, SifoLoan, loan_id, "loan")
    command.ensure_visible("loan", loan_id, loan.financier_id)
    ensure_status(LoanStatus(loan.status), SERVICEABLE, "a repayment", loan_id)
    live = _record(command, loan, Repayment(received_on, amount, surplus_mode), "received_on")
    allocation = live.allocations()[-1]
    position = live.position(received_on)
    command.publish(events.repayment_recorded(loan, allocation, position))
    return loan, allocation, position


def record_prepayment(
    command: Command, loan_id: str, received_on: date, amount: Decimal, mode: PrepaymentMode
) -> tuple[SifoLoan, LoanPosition]:
    loan = get_for_update(command.session, SifoLoan, loan_id, "loan")
    command.ensure_visible("loan", loan_id, loan.financier_id)
    ensure_status(LoanStatus(loan.status), (LoanStatus.DISBURSED,), "a prepayment", loan_id)
    live = _record(command, loan, Prepayment(received_on, amount, mode), "received_on")
    position = live.position(received_on)
    command.publish(events.prepaid(loan, received_on, amount, mode, position))
    return loan, position


def reset_rate(command: Command, loan_id: str, effective_on: date, annual_rate: Decimal) -> SifoLoan:
    loan = get_for_update(command.session, SifoLoan, loan_id, "loan")
    ensure_status(LoanStatus(loan.status), (LoanStatus.DISBURSED,), "a rate reset", loan_id)
    _record(command, loan, RateReset(effective_on, annual_rate), "effective_on")
    command.publish(events.rate_reset(loan, effective_on, annual_rate))
    return loan


@dataclass(frozen=True)
class LoanView:
    loan: SifoLoan
    as_of: date
    position: LoanPosition | None
    schedule: Schedule | None
    allocations: tuple[Allocation, ...]
    history: list[SifoLoanEvent]


def view(command: Command, loan: SifoLoan, as_of: date) -> LoanView:
    history = list(
        command.session.exec(
            select(SifoLoanEvent).where(SifoLoanEvent.loan_id == loan.id).order_by(col(SifoLoanEvent.id))
        ).all()
    )
    if loan.disbursed_on is None or as_of < loan.disbursed_on:
        return LoanView(loan, as_of, None, None, (), history)
    segment = segment_on(segments(command.session, loan, command.policy), as_of)
    try:
        position = segment.live.position(as_of)
    except InvalidTerms as exc:
        raise RuleViolation("as_of", exc.rule) from None
    return LoanView(loan, as_of, position, segment.live.schedule(as_of), segment.live.allocations(as_of), history)


def position_on(command: Command, loan: SifoLoan, day: date) -> LoanPosition:
    segment = segment_on(segments(command.session, loan, command.policy), day)
    try:
        return segment.live.position(day)
    except InvalidTerms as exc:
        raise RuleViolation("effective_on", exc.rule) from None
