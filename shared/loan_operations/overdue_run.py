"""The overdue run: unpaid instalments past their tolerance become overdue, are reminded, and may lead to default.

For a business date D, every payment request still open (or returned) whose due date plus the
tolerance lies before D is checked against the loan replayed on D: an instalment that no longer
owes anything is paid; one whose due date left the schedule (a restructuring took it in) is
closed; the rest are overdue. An overdue instalment's follow-up row keeps its days past due,
delinquency bucket, unpaid amount and the late interest the loan owes (the product's policy, as
the engine computes it).

A loan already followed up is replayed again only when something can have changed: money or a
reversal since its last look, a reminder level or the default threshold reached. Otherwise its
rows only age (days and bucket, one update per due date), so the run's cost follows the day's
events, not the size of the arrears book.

Events tell the back office what to send: ``installment_overdue`` once, ``payment_reminder_due``
at each configured day count (a late run sends the highest level reached, once), and past the
default threshold a default decision is prepared for a person to approve or reject
(``default_proposed``); the run never declares a default itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from shared.amortisation.servicing_history import segment_on
from shared.eventbus.command import CommandContext
from shared.loan_operations.job_runs import Counts, Progress, chunked
from shared.loan_operations.lender import LenderOperations, Payer
from shared.loan_operations.rules import UNPAID, ZERO, RequestStatus, bucket_of, reminder_level
from shared.loan_operations.tables import OverdueColumns, PaymentRequestColumns
from shared.loan_operations.valuation import ValuedLoan, value_chunk
from shared.platform.database import transaction
from shared.platform.rules import Conflict
from shared.servicing import service as core
from shared.servicing.accounts import IN_SERVICE, LoanAccount, LoanStatus
from shared.servicing.decisions import DecisionKind, DecisionStatus
from shared.servicing.service import LoanState, Recorded

C = TypeVar("C", bound=CommandContext)

OVERDUE_RUN = "overdue-run"
FRESH = (RequestStatus.OPEN.value, RequestStatus.RETURNED.value)


def run(ops: LenderOperations[C], engine: Engine, day: date, progress: Progress) -> Counts:
    latest_due = day - timedelta(days=ops.policy.tolerance_days + 1)
    with Session(engine) as session:
        loan_ids = to_look_at(ops, session, day, latest_due)
    progress.total(len(loan_ids))
    counts: Counter[str] = Counter(loans_looked_at=len(loan_ids))
    for chunk in chunked(loan_ids, ops.policy.chunk_size):
        with transaction(engine) as session:
            command = ops.command(session, ops.job_principal)
            valued = value_chunk(ops, command, chunk, day, day)
            payers = ops.payers(session, chunk)
            for loan_id in chunk:
                counts.update(_follow_up(ops, command, loan_id, day, latest_due, valued.get(loan_id), payers))
        progress.advance(len(chunk))
    with transaction(engine) as session:
        counts["overdue_aged"] = age(ops, session, day)
    return dict(counts)


def to_look_at(ops: LenderOperations[C], session: Session, day: date, latest_due: date) -> list[str]:
    """Loans to replay today: an instalment newly past its tolerance, money or a reversal since the last
    look, a reminder level or the default threshold reached. Every other overdue row only ages."""
    requests = ops.tables.payment_request.__table__  # type: ignore[attr-defined]
    overdue = ops.tables.overdue.__table__  # type: ignore[attr-defined]
    entries = ops.lender.tables.entry.__table__  # type: ignore[attr-defined]
    loans = ops.loans.__table__  # type: ignore[attr-defined]
    policy = ops.policy
    fresh = sa.select(requests.c.loan_id).where(requests.c.status.in_(FRESH), requests.c.due_on <= latest_due)
    unpaid = overdue.c.paid_on.is_(None)
    moved = sa.exists().where(entries.c.loan_id == overdue.c.loan_id, entries.c.id > overdue.c.seen_entry_id)
    reminder_due = sa.or_(
        *(
            sa.and_(overdue.c.reminders_sent < level, overdue.c.due_on <= day - timedelta(days=days))
            for level, days in enumerate(policy.reminder_days, start=1)
        )
    )
    default_due = sa.and_(
        overdue.c.default_decision_id.is_(None),
        overdue.c.due_on <= day - timedelta(days=policy.default_after_days),
        sa.exists().where(loans.c.id == overdue.c.loan_id, loans.c.status == LoanStatus.DISBURSED.value),
    )
    followed = sa.select(overdue.c.loan_id).where(unpaid, sa.or_(moved, reminder_due, default_due))
    return sorted(set(session.execute(fresh.union(followed)).scalars()))


def age(ops: LenderOperations[C], session: Session, day: date) -> int:
    """Days past due and bucket of every unpaid overdue row not looked at today, one update per due date."""
    overdue = ops.tables.overdue.__table__  # type: ignore[attr-defined]
    waiting = sa.and_(overdue.c.paid_on.is_(None), overdue.c.updated_on < day)
    aged = 0
    for due_on in session.execute(sa.select(overdue.c.due_on).where(waiting).distinct()).scalars():
        days = (day - due_on).days
        result: sa.CursorResult[Any] = session.execute(  # type: ignore[assignment]
            sa.update(overdue)
            .where(waiting, overdue.c.due_on == due_on)
            .values(days_past_due=days, bucket=bucket_of(days), updated_on=day)
        )
        aged += result.rowcount
    return aged


def _follow_up(
    ops: LenderOperations[C],
    command: C,
    loan_id: str,
    day: date,
    latest_due: date,
    valued: ValuedLoan | None,
    payers: Mapping[str, Payer],
) -> Counts:
    """One loan's unpaid requests past the tolerance, against the loan as the engine valued it or as replayed."""
    session = command.session
    state: LoanState | None = None
    if valued is None:
        state = core.load(ops.lender.unit_of_work(command), ops.lender.product(command), loan_id, lock=True)
        account = state.account
    else:
        account = valued.account
    table = ops.tables.payment_request
    requests = session.exec(
        select(table)
        .where(table.loan_id == loan_id, col(table.status).in_(UNPAID), table.due_on <= latest_due)
        .order_by(col(table.due_on))
    ).all()
    followed = ops.tables.overdue
    follow_ups = {
        row.payment_request_id: row
        for row in session.exec(
            select(followed).where(col(followed.payment_request_id).in_([request.id for request in requests]))
        )
    }
    counts: Counter[str] = Counter()
    if account.status not in IN_SERVICE or account.disbursed_on is None:
        status = RequestStatus.PAID if account.status is LoanStatus.SETTLED else RequestStatus.CLOSED
        for request in requests:
            _close(ops, command, request, status, day, follow_ups)
            counts[status.value] += 1
        return counts
    if state is not None:
        live = segment_on(state.segments, day).live
        owed = {row.due_date: row.owed for row in live.installments_owed(day)}
        late_interest = live.position(day).late_interest
        seen = max((entry.id or 0 for entry in state.entries), default=0)
    else:
        assert valued is not None
        owed = {row.due_date: row.owed for row in valued.installments}
        late_interest, seen = valued.late_interest, valued.seen_entry_id
    proposal = _Proposal()
    for request in requests:
        if request.due_on not in owed:
            _close(ops, command, request, RequestStatus.CLOSED, day, follow_ups)
            counts["closed"] += 1
        elif owed[request.due_on] <= ZERO:
            _close(ops, command, request, RequestStatus.PAID, day, follow_ups)
            counts["paid"] += 1
        else:
            unpaid = owed[request.due_on]
            counts.update(
                _overdue(
                    ops,
                    command,
                    account,
                    request,
                    unpaid,
                    late_interest,
                    day,
                    seen,
                    payers,
                    proposal,
                    follow_ups,
                )
            )
    return counts


def settle_paid(ops: LenderOperations[C], command: C, loan_id: str, recorded: Recorded) -> int:
    """Mark the loan's requests whose instalment owes nothing any more as paid (money just booked).

    What an instalment owes is the loan's, after the allocation: money goes to the oldest arrears
    first, so paying the latest invitation's reference may well leave that instalment unpaid. An
    instalment due by the payment's date is paid when it is not in arrears after it; one due later
    (paid ahead) is asked of the loan replayed, which only payments ahead need.
    """
    day = recorded.allocation.on
    in_arrears = {line.due_date for line in recorded.position.arrears}
    ahead: set[date] = set()
    if any(line.due_date > day for line in recorded.allocation.installments):
        ahead = {
            row.due_date for row in recorded.live.installments_owed(day) if row.due_date > day and row.owed <= ZERO
        }
    table = ops.tables.payment_request
    requests = command.session.exec(select(table).where(table.loan_id == loan_id, col(table.status).in_(UNPAID))).all()
    paid = [
        request
        for request in requests
        if (request.due_on <= day and request.due_on not in in_arrears) or request.due_on in ahead
    ]
    for request in paid:
        _close(ops, command, request, RequestStatus.PAID, day)
    return len(paid)


def _close(
    ops: LenderOperations[C],
    command: C,
    request: PaymentRequestColumns,
    status: RequestStatus,
    day: date,
    follow_ups: Mapping[int, OverdueColumns] | None = None,
) -> None:
    """`follow_ups`: the request's loan's follow-up rows when the caller read them (else it is looked up)."""
    session = command.session
    request.status = status.value
    session.add(request)
    assert request.id is not None
    follow_up = follow_ups.get(request.id) if follow_ups is not None else session.get(ops.tables.overdue, request.id)
    if follow_up is not None and follow_up.paid_on is None:
        follow_up.paid_on = day
        follow_up.unpaid = ZERO
        follow_up.updated_on = day
        session.add(follow_up)
        if follow_up.default_decision_id is not None:
            _withdraw_default(ops, command, follow_up, day)


def _withdraw_default(ops: LenderOperations[C], command: C, closed: OverdueColumns, day: date) -> None:
    """A default proposed for an instalment that is now paid is withdrawn, unless another one still qualifies."""
    table = ops.tables.overdue
    still = command.session.exec(
        select(table.payment_request_id).where(
            table.loan_id == closed.loan_id,
            col(table.paid_on).is_(None),
            table.payment_request_id != closed.payment_request_id,
            table.due_on <= day - timedelta(days=ops.policy.default_after_days),
        )
    ).first()
    if still is not None or closed.default_decision_id is None:
        return
    uow = ops.lender.unit_of_work(command)
    decision = uow.decision(closed.default_decision_id, lock=True)
    if decision.status is DecisionStatus.PREPARED:
        decision.supersede(command.actor, command.now, f"withdrawn on {day.isoformat()}: the instalment was paid")
        uow.save_decision(decision)


@dataclass
class _Proposal:
    """The default decision prepared for (or found awaiting a person on) the loan followed up, once known:
    the loan's later instalments past the threshold point at it without asking for it again."""

    decision_id: str | None = None


def _overdue(
    ops: LenderOperations[C],
    command: C,
    account: LoanAccount,
    request: PaymentRequestColumns,
    unpaid: Decimal,
    late_interest: Decimal,
    day: date,
    seen_entry_id: int,
    payers: Mapping[str, Payer],
    proposal: _Proposal,
    follow_ups: Mapping[int, OverdueColumns],
) -> Counts:
    session = command.session
    assert request.id is not None
    assert request.structured_reference is not None
    days = (day - request.due_on).days
    counts: Counter[str] = Counter()
    follow_up = follow_ups.get(request.id)
    if follow_up is None or follow_up.paid_on is not None:
        first = follow_up is None
        follow_up = follow_up or ops.tables.overdue(
            payment_request_id=request.id,
            loan_id=account.id,
            due_on=request.due_on,
            overdue_on=day,
            days_past_due=days,
            bucket=bucket_of(days),
            unpaid=unpaid,
            late_interest=late_interest,
            updated_on=day,
        )
        follow_up.paid_on = None
        if first:
            counts["became_overdue"] += 1
            ops.publish(
                command,
                account,
                ops.events.installment_overdue(
                    **ops.keys(account),
                    request_id=request.id,
                    due_on=request.due_on,
                    structured_reference=request.structured_reference,
                    unpaid=unpaid,
                    days_past_due=days,
                    bucket=bucket_of(days),
                    late_interest=late_interest,
                ),
            )
    follow_up.days_past_due = days
    follow_up.bucket = bucket_of(days)
    follow_up.unpaid = unpaid
    follow_up.late_interest = late_interest
    follow_up.updated_on = day
    follow_up.seen_entry_id = seen_entry_id
    request.status = RequestStatus.OVERDUE.value
    session.add(request)
    level = reminder_level(days, ops.policy.reminder_days, follow_up.reminders_sent)
    if level is not None:
        follow_up.reminders_sent = level
        follow_up.last_reminder_on = day
        counts["reminders"] += 1
        ops.publish(
            command,
            account,
            ops.events.reminder_due(
                **ops.keys(account),
                request_id=request.id,
                due_on=request.due_on,
                structured_reference=request.structured_reference,
                level=level,
                days_past_due=days,
                unpaid=unpaid,
                late_interest=late_interest,
                payer_name=payers[account.id].name,
            ),
        )
    if days >= ops.policy.default_after_days and follow_up.default_decision_id is None:
        decision_id = proposal.decision_id or _propose_default(ops, command, account, days, unpaid, day)
        proposal.decision_id = decision_id
        if decision_id is not None:
            follow_up.default_decision_id = decision_id
            counts["default_proposals"] += 1
    session.add(follow_up)
    return counts


def _propose_default(
    ops: LenderOperations[C], command: C, account: LoanAccount, days: int, unpaid: Decimal, day: date
) -> str | None:
    """Prepare a default decision unless the loan is defaulted already or one awaits a person."""
    if account.status is not LoanStatus.DISBURSED:
        return None
    uow = ops.lender.unit_of_work(command)
    pending = uow.pending(account.id, DecisionKind.DEFAULT)
    if pending:
        return pending[0].id
    reason = f"an instalment is {days} days past due (threshold {ops.policy.default_after_days}); unpaid {unpaid}"
    try:
        decision = core.prepare_default(uow, ops.lender.product(command), account.id, day, reason, days)
    except Conflict:
        return None
    ops.publish(
        command,
        account,
        ops.events.default_proposed(
            **ops.keys(account), decision_id=decision.id, proposed_on=day, days_past_due=days, unpaid=unpaid
        ),
    )
    return decision.id
