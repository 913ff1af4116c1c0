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
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
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
from shared.loan_operations.lender import LenderOperations
from shared.loan_operations.rules import (
    Channel,
    LineStatus,
    RequestStatus,
    collection_date,
    next_due_after,
    to_request,
)
from shared.loan_operations.tables import MandateColumns
from shared.loan_operations.valuation import value_chunk
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


def active_mandates(
    session: Session, table: type[MandateColumns], loan_ids: Sequence[str], on: date
) -> dict[str, MandateColumns]:
    """Each loan's mandate in force on `on` (the latest signed, not revoked), if any."""
    rows = session.exec(
        select(table)
        .where(col(table.loan_id).in_(list(loan_ids)), col(table.revoked_on).is_(None), table.signed_on <= on)
        .order_by(col(table.loan_id), col(table.created_at).desc())
    ).all()
    found: dict[str, MandateColumns] = {}
    for mandate in rows:
        found.setdefault(mandate.loan_id, mandate)
    return found


def used_mandates(ops: LenderOperations[C], session: Session, mandate_ids: Sequence[str]) -> set[str]:
    """The mandates under which a collection was asked for and did not come back: their next one is RCUR."""
    requests = ops.tables.payment_request.__table__  # type: ignore[attr-defined]
    lines = ops.tables.statement_line.__table__  # type: ignore[attr-defined]
    came_back = sa.exists().where(lines.c.payment_request_id == requests.c.id, lines.c.status == LineStatus.RETURNED)
    query = sa.select(requests.c.mandate_id).where(requests.c.mandate_id.in_(list(mandate_ids)), ~came_back).distinct()
    return set(session.execute(query).scalars())


def run(ops: LenderOperations[C], engine: Engine, day: date, progress: Progress) -> Counts:
    window_end = day + timedelta(days=ops.policy.collection_window_days)
    with Session(engine) as session:
        loan_ids = candidates(ops, session, window_end)
    progress.total(len(loan_ids))
    counts: Counter[str] = Counter(loans_looked_at=len(loan_ids))
    for chunk in chunked(loan_ids, ops.policy.chunk_size):
        with transaction(engine) as session:
            command = ops.command(session, ops.job_principal)
            counts.update(_ask(ops, command, chunk, day, window_end))
        progress.advance(len(chunk))
    with transaction(engine) as session:
        command = ops.command(session, ops.job_principal)
        counts.update(collection_file(ops, session, day, command.now))
    return dict(counts)


@dataclass(frozen=True)
class _Looked:
    """A loan looked at: what its installments still ask for on the day, and the last history entry seen."""

    account: LoanAccount
    seen_entry_id: int
    installments: Sequence[InstallmentOwed]


def _ask(ops: LenderOperations[C], command: C, chunk: Sequence[str], day: date, window_end: date) -> Counts:
    """One chunk: the loans valued (together where the engine can), then their requests and cursors written."""
    session = command.session
    valued = value_chunk(ops, command, chunk, day, window_end)
    looked: list[_Looked] = []
    for loan_id in chunk:
        engine_valued = valued.get(loan_id)
        found = (
            _replayed(ops, command, loan_id, day)
            if engine_valued is None
            else _Looked(engine_valued.account, engine_valued.seen_entry_id, engine_valued.installments)
        )
        if found is not None:
            looked.append(found)
    ids = [loan.account.id for loan in looked]
    cursors = {
        row.loan_id: row
        for row in session.exec(select(ops.tables.cursor).where(col(ops.tables.cursor.loan_id).in_(ids)))
    }
    table = ops.tables.payment_request
    requested: dict[str, set[date]] = defaultdict(set)
    for loan_id, due_on in session.exec(
        select(col(table.loan_id), col(table.due_on)).where(col(table.loan_id).in_(ids))
    ):
        requested[loan_id].add(due_on)
    asked: list[tuple[LoanAccount, InstallmentOwed]] = []
    for loan in looked:
        account = loan.account
        cursor = cursors.get(account.id) or ops.tables.cursor(loan_id=account.id)
        cursor.seen_entry_id = loan.seen_entry_id
        cursor.next_due_on = None
        if account.status is LoanStatus.DISBURSED:
            asked += [(account, row) for row in to_request(loan.installments, requested[account.id], window_end)]
            cursor.next_due_on = next_due_after(loan.installments, window_end)
        session.add(cursor)
    return _request(ops, command, asked, day) if asked else {}


def _replayed(ops: LenderOperations[C], command: C, loan_id: str, day: date) -> _Looked | None:
    """A loan the engine left to the servicing core, replayed on its own; None when paid out after `day`."""
    state = core.load(ops.lender.unit_of_work(command), ops.lender.product(command), loan_id, lock=True)
    account = state.account
    if account.status is LoanStatus.DISBURSED and (account.disbursed_on is None or day < account.disbursed_on):
        return None  # paid out after the run's date: looked at again by the next run, no cursor yet
    seen = max((entry.id or 0 for entry in state.entries), default=0)
    installments: tuple[InstallmentOwed, ...] = ()
    if account.status is LoanStatus.DISBURSED:
        installments = segment_on(state.segments, day).live.installments_owed(day)
    return _Looked(account, seen, installments)


def _request(
    ops: LenderOperations[C], command: C, asked: Sequence[tuple[LoanAccount, InstallmentOwed]], day: date
) -> Counts:
    """A payment request for each installment asked for, with its reference and its event, in one flush.

    A loan with a mandate in force is collected by direct debit: the first collection under a
    mandate is FRST (also after one came back), the following ones RCUR.
    """
    session = command.session
    table = ops.tables.payment_request
    loan_ids = sorted({account.id for account, _ in asked})
    mandates = active_mandates(session, ops.tables.mandate, loan_ids, day)
    used = used_mandates(ops, session, sorted({mandate.id for mandate in mandates.values()}))
    payers = ops.payers(session, loan_ids)
    rows = []
    for account, installment in asked:
        mandate = mandates.get(account.id)
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
            row.sequence_type = (SequenceType.RECURRING if mandate.id in used else SequenceType.FIRST).value
            used.add(mandate.id)
            row.collection_on = collection_date(installment.due_date, max(day, command.today))
        rows.append(row)
    session.add_all(rows)
    session.flush()
    counts: Counter[str] = Counter()
    for (account, _), row in zip(asked, rows, strict=True):
        assert row.id is not None
        row.structured_reference = structured_reference.structured_reference(ops.service_digit, row.id)
        session.add(row)
        mandate = mandates.get(account.id)
        payer = payers[account.id]
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
        counts["direct_debits" if mandate is not None else "invitations"] += 1
    return counts


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
