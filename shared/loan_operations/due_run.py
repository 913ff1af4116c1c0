"""The due run: every instalment entering the collection window is asked for once, then collected or invited.

For a business date D, the window ends D + `collection_window_days`. A loan is looked at when its
cursor's next due date enters the window, when it was restructured (or an entry reversed) since
the last look, or when it has no cursor yet (newly disbursed). Each is replayed through the
servicing core (its loan row locked, so a repayment cannot interleave), and every instalment of
the schedule in force that is due by the window's end, still owes money and was never asked for
gets a payment request with its own structured reference. A borrower with an active mandate is collected by direct debit
(FRST the first time under the mandate, RCUR after) on a TARGET2 business day; the others get a
payment invitation event. Loans are taken in chunks, one transaction each; after the last chunk
the day's collections go into one pain.008 file per creditor account.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from shared.amortisation.position import InstallmentOwed
from shared.amortisation.servicing_history import segment_on
from shared.banking import structured_reference
from shared.banking.direct_debits import Collection, SequenceType, direct_debit_xml
from shared.eventbus.command import CommandContext
from shared.loan_operations.job_runs import Counts, Progress, chunked
from shared.loan_operations.lender import LenderOperations, Payer
from shared.loan_operations.rules import (
    Channel,
    LineStatus,
    RequestStatus,
    collection_date,
    next_due_after,
    to_request,
)
from shared.loan_operations.tables import MandateColumns
from shared.platform.business_date import business_date
from shared.platform.database import transaction
from shared.servicing import service as core
from shared.servicing.accounts import LoanAccount, LoanStatus
from shared.servicing.entries import EntryKind

C = TypeVar("C", bound=CommandContext)
T = TypeVar("T")

DUE_RUN = "due-run"
RESCHEDULING = (EntryKind.RESTRUCTURE.value, EntryKind.REVERSAL.value)
"""Entries after which a loan is looked at again before its next due date: a restructuring may bring
due dates forward; a reversal may make an instalment paid ahead owe money again."""
PAIN_008 = "pain.008"


def candidates(ops: LenderOperations[C], session: Session, window_end: date) -> list[str]:
    """Loans in service whose next instalment enters the window, restructured since, or never looked at."""
    loans = ops.loans.__table__  # type: ignore[attr-defined]
    cursor = ops.tables.cursor.__table__  # type: ignore[attr-defined]
    entries = ops.lender.tables.entry.__table__  # type: ignore[attr-defined]
    rescheduled = sa.exists().where(
        entries.c.loan_id == loans.c.id, entries.c.id > cursor.c.seen_entry_id, entries.c.kind.in_(RESCHEDULING)
    )
    query = (
        sa.select(loans.c.id)
        .select_from(loans.outerjoin(cursor, cursor.c.loan_id == loans.c.id))
        .where(
            loans.c.status == LoanStatus.DISBURSED.value,
            sa.or_(cursor.c.loan_id.is_(None), cursor.c.next_due_on <= window_end, rescheduled),
        )
        .order_by(loans.c.id)
    )
    return list(session.execute(query).scalars())


def active_mandate(session: Session, table: type[MandateColumns], loan_id: str, on: date) -> MandateColumns | None:
    return session.exec(
        select(table)
        .where(table.loan_id == loan_id, col(table.revoked_on).is_(None), table.signed_on <= on)
        .order_by(col(table.created_at).desc())
    ).first()


def sequence_for(ops: LenderOperations[C], session: Session, mandate_id: str) -> SequenceType:
    """FRST until a collection under the mandate was asked for and did not come back; RCUR after."""
    requests = ops.tables.payment_request.__table__  # type: ignore[attr-defined]
    lines = ops.tables.statement_line.__table__  # type: ignore[attr-defined]
    came_back = sa.exists().where(lines.c.payment_request_id == requests.c.id, lines.c.status == LineStatus.RETURNED)
    earlier = session.execute(
        sa.select(requests.c.id).where(requests.c.mandate_id == mandate_id, ~came_back).limit(1)
    ).first()
    return SequenceType.FIRST if earlier is None else SequenceType.RECURRING


def run(ops: LenderOperations[C], engine: Engine, day: date, progress: Progress) -> Counts:
    window_end = day + timedelta(days=ops.policy.collection_window_days)
    with Session(engine) as session:
        loan_ids = candidates(ops, session, window_end)
    progress.total(len(loan_ids))
    counts: Counter[str] = Counter(loans_looked_at=len(loan_ids))
    for chunk in chunked(loan_ids, ops.policy.chunk_size):
        with transaction(engine) as session:
            command = ops.command(session, ops.job_principal)
            payers = ops.payers(session, chunk)
            for loan_id in chunk:
                counts.update(_ask(ops, command, loan_id, payers[loan_id], day, window_end))
        progress.advance(len(chunk))
    with transaction(engine) as session:
        command = ops.command(session, ops.job_principal)
        counts.update(collection_file(ops, session, day, command.now))
    return dict(counts)


def _ask(ops: LenderOperations[C], command: C, loan_id: str, payer: Payer, day: date, window_end: date) -> Counts:
    session = command.session
    uow = ops.lender.unit_of_work(command)
    state = core.load(uow, ops.lender.product(command), loan_id, lock=True)
    account = state.account
    if account.status is LoanStatus.DISBURSED and (account.disbursed_on is None or day < account.disbursed_on):
        return {}  # paid out after the run's date: looked at again by the next run, no cursor yet
    cursor = session.get(ops.tables.cursor, loan_id) or ops.tables.cursor(loan_id=loan_id)
    cursor.seen_entry_id = max((entry.id or 0 for entry in state.entries), default=0)
    cursor.next_due_on = None
    counts: Counter[str] = Counter()
    if account.status is LoanStatus.DISBURSED:
        installments = segment_on(state.segments, day).live.installments_owed(day)
        table = ops.tables.payment_request
        requested: set[date] = set(session.exec(select(col(table.due_on)).where(table.loan_id == loan_id)).all())
        for installment in to_request(installments, requested, window_end):
            counts[_request(ops, command, account, installment, payer, day)] += 1
        cursor.next_due_on = next_due_after(installments, window_end)
    session.add(cursor)
    return counts


def _request(
    ops: LenderOperations[C], command: C, account: LoanAccount, installment: InstallmentOwed, payer: Payer, day: date
) -> str:
    session = command.session
    table = ops.tables.payment_request
    mandate = active_mandate(session, ops.tables.mandate, account.id, day)
    row = table(
        loan_id=account.id,
        due_on=installment.due_date,
        installment_number=installment.number,
        amount=installment.owed,
        channel=(Channel.DIRECT_DEBIT if mandate is not None else Channel.INVITATION).value,
        status=RequestStatus.OPEN.value,
        business_date=day,
        created_at=command.now,
    )
    if mandate is not None:
        row.mandate_id = mandate.id
        row.sequence_type = sequence_for(ops, session, mandate.id).value
        row.collection_on = collection_date(installment.due_date, max(day, command.today))
    session.add(row)
    session.flush()
    assert row.id is not None
    row.structured_reference = structured_reference.structured_reference(ops.service_digit, row.id)
    session.add(row)
    ops.publish(
        command,
        account,
        ops.events.payment_requested(
            **ops.keys(account),
            request_id=row.id,
            due_on=row.due_on,
            installment_number=row.installment_number,
            amount=row.amount,
            structured_reference=row.structured_reference,
            channel=row.channel,
            payer_name=mandate.debtor_name if mandate is not None else payer.name,
            payer_iban=mandate.debtor_iban if mandate is not None else payer.iban,
            collection_on=row.collection_on,
            mandate_reference=mandate.reference if mandate is not None else None,
            sequence_type=row.sequence_type,
        ),
    )
    return "direct_debits" if mandate is not None else "invitations"


def collection_file(ops: LenderOperations[C], session: Session, day: date, now: datetime) -> Counts:
    """The day's pain.008 file: every direct debit requested up to `day` and not yet in a file."""
    table = ops.tables.payment_request
    mandates = ops.tables.mandate
    rows = session.exec(
        select(table, mandates)
        .join(mandates, col(mandates.id) == col(table.mandate_id))
        .where(
            table.channel == Channel.DIRECT_DEBIT.value,
            col(table.file_id).is_(None),
            table.business_date <= day,
            table.status == RequestStatus.OPEN.value,
        )
        .order_by(col(table.id))
        .with_for_update(of=table)
    ).all()
    if not rows:
        return {}
    creditor = ops.settings.creditor
    files = ops.tables.bank_file
    made = session.exec(
        select(files.id).where(files.kind == PAIN_008, files.business_date == day, files.account_iban == creditor.iban)
    ).first()
    if made is not None:
        # The day's file went out before a resumed run found more: they go in tomorrow's.
        return {"collections_carried": len(rows)}
    # Files are made today: a collection is never before the first business day after the run or today.
    earliest = max(day, business_date(now))
    file_id = str(uuid.uuid4())
    collections = []
    for request, mandate in rows:
        assert request.structured_reference is not None
        assert request.sequence_type is not None
        request.collection_on = max(request.collection_on or day, collection_date(request.due_on, earliest))
        request.file_id = file_id
        session.add(request)
        collections.append(
            Collection(
                end_to_end_id=request.structured_reference,
                debtor_name=mandate.debtor_name,
                debtor_iban=mandate.debtor_iban,
                debtor_bic=mandate.debtor_bic,
                amount=request.amount,
                collection_date=request.collection_on,
                mandate_id=mandate.reference,
                mandate_signed_on=mandate.signed_on,
                sequence=SequenceType(request.sequence_type),
                remittance=f"{structured_reference.formatted(request.structured_reference)} "
                f"instalment {request.installment_number} due {request.due_on.isoformat()}",
            )
        )
    message_id = ops.message_id("DD", day, file_id)
    ops.add_bank_file(
        session,
        file_id=file_id,
        kind=PAIN_008,
        day=day,
        account_iban=creditor.iban,
        message_id=message_id,
        amounts=[collection.amount for collection in collections],
        document=direct_debit_xml(creditor, collections, message_id, now),
        now=now,
    )
    return {"collection_files": 1}
