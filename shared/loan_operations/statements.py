"""Bank statements in: camt.053 lines matched to instalments and booked through the servicing core.

A statement is imported once per account and statement id; importing it again changes nothing
and says so. A file that cannot be read (not XML, not camt.053, not valid against its XSD, or of
another account) is refused whole, before anything is stored. Each line is then, in one
transaction with the statement:

* money received, matched on the end-to-end id of our direct debit, else on a structured
  reference (OGM/VCS), else on amount and the payer's IBAN: booked as a repayment of that loan
  through the servicing core (early, partial, late and excess payments are the core's rules);
* a returned direct debit (R-transaction): the repayment its collection booked is reversed, and
  the instalment is unpaid again;
* our own outgoing payments: noted, nothing booked;
* anything else (an unknown reference, several candidates, no candidate, a payment the core
  refuses): put in the review queue with the reason, for a person to book on a loan or dismiss.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from shared.banking import structured_reference
from shared.banking.bank_statements import Statement, StatementLine, StatementRefused, read_statements
from shared.eventbus.command import CommandContext
from shared.loan_operations.lender import LenderOperations
from shared.loan_operations.overdue_run import settle_paid
from shared.loan_operations.rules import (
    UNPAID,
    Candidate,
    Channel,
    LineStatus,
    RequestStatus,
    match_on_amount_and_iban,
)
from shared.loan_operations.tables import PaymentRequestColumns, StatementColumns, StatementLineColumns
from shared.platform.rules import Conflict, NotFound, RuleViolation
from shared.servicing import service as core

C = TypeVar("C", bound=CommandContext)
CENT = Decimal("0.01")


@dataclass
class ImportReport:
    statements: list[StatementColumns] = field(default_factory=list)
    already_imported: list[StatementColumns] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


def import_statements(ops: LenderOperations[C], command: C, document: bytes) -> ImportReport:
    """Import every statement in a camt.053 file (RuleViolation naming ``document`` when it is refused)."""
    try:
        statements = read_statements(document, ops.settings.creditor_iban)
    except StatementRefused as exc:
        raise RuleViolation("document", str(exc)) from None
    report = ImportReport()
    for statement in statements:
        _one_import_at_a_time(command.session, statement)
        existing = command.session.exec(
            select(ops.tables.statement).where(
                ops.tables.statement.account_iban == statement.account_iban,
                ops.tables.statement.statement_id == statement.statement_id,
            )
        ).first()
        if existing is not None:
            report.already_imported.append(existing)
            continue
        report.statements.append(_import(ops, command, statement, document, report.counts))
    return report


def _one_import_at_a_time(session: Session, statement: Statement) -> None:
    """Two uploads of one statement at once: the second waits, then finds it imported (PostgreSQL)."""
    if session.get_bind().dialect.name == "postgresql":
        key = f"statement:{statement.account_iban}:{statement.statement_id}"
        session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def _import(
    ops: LenderOperations[C], command: C, statement: Statement, document: bytes, counts: Counter[str]
) -> StatementColumns:
    session = command.session
    row = ops.tables.statement(
        id=str(uuid.uuid4()),
        account_iban=statement.account_iban,
        statement_id=statement.statement_id[:35],
        message_id=statement.message_id[:35],
        version=statement.version,
        sequence_number=statement.sequence_number,
        created_at=statement.created_at,
        lines=len(statement.lines),
        booked=0,
        returned=0,
        in_review=0,
        document=document.decode("utf-8", errors="replace"),
        imported_at=command.now,
        imported_by=command.actor,
    )
    session.add(row)
    session.flush()
    for line in statement.lines:
        stored = _line_row(ops, row.id, line)
        session.add(stored)
        session.flush()
        _settle(ops, command, line, stored)
        session.add(stored)
        counts[stored.status] += 1
    row.booked = counts[LineStatus.BOOKED]
    row.returned = counts[LineStatus.RETURNED]
    row.in_review = counts[LineStatus.REVIEW]
    session.add(row)
    return row


def _line_row(ops: LenderOperations[C], statement_row_id: str, line: StatementLine) -> StatementLineColumns:
    return ops.tables.statement_line(
        statement_id=statement_row_id,
        number=line.number,
        entry_reference=line.entry_reference,
        booking_date=line.booking_date,
        value_date=line.value_date,
        amount=line.amount,
        currency=line.currency[:3],
        direction="credit" if line.credit else "debit",
        end_to_end_id=line.end_to_end_id[:35] if line.end_to_end_id else None,
        structured_reference=line.structured_reference,
        remittance=line.remittance,
        counterparty_name=line.counterparty_name,
        counterparty_iban=line.counterparty_iban,
        return_reason=line.return_reason,
        status=LineStatus.REVIEW,
    )


def _settle(ops: LenderOperations[C], command: C, line: StatementLine, row: StatementLineColumns) -> None:
    if line.currency != "EUR":
        _review(row, f"currency {line.currency or 'unknown'}: the funds are kept in euro")
    elif line.amount <= 0 or line.amount != line.amount.quantize(CENT):
        _review(row, f"amount {line.amount} is not a positive amount in cents")
    elif line.credit and line.return_reason is not None:
        _review(row, f"money of ours came back ({line.return_reason}): a payout to check, not a repayment")
    elif line.is_return:
        _returned(ops, command, line, row)
    elif not line.credit:
        row.status = LineStatus.OUTGOING
        row.reason = "money paid out by the fund (a payout or a fee): nothing to book"
    else:
        request, reason = _request_for(ops, command.session, line)
        if request is None:
            _review(row, reason or "no payment request matches")
        else:
            _book(ops, command, row, request.loan_id, request)


def _review(row: StatementLineColumns, reason: str) -> None:
    row.status = LineStatus.REVIEW
    row.reason = reason


def _by_reference(session: Session, table: type[PaymentRequestColumns], reference: str) -> PaymentRequestColumns | None:
    return session.exec(select(table).where(table.structured_reference == reference)).first()


def _request_for(
    ops: LenderOperations[C], session: Session, line: StatementLine
) -> tuple[PaymentRequestColumns | None, str | None]:
    table = ops.tables.payment_request
    if line.end_to_end_id is not None and structured_reference.valid(line.end_to_end_id) is not None:
        request = _by_reference(session, table, line.end_to_end_id)
        if request is not None and request.channel == Channel.DIRECT_DEBIT.value:
            return request, None
    if line.structured_reference is not None:
        request = _by_reference(session, table, line.structured_reference)
        if request is None:
            shown = structured_reference.formatted(line.structured_reference)
            return None, f"structured reference {shown} matches no payment request of {ops.service}"
        return request, None
    open_requests = session.exec(select(table).where(col(table.status).in_(UNPAID)).order_by(col(table.id))).all()
    payers = ops.payers(session, sorted({request.loan_id for request in open_requests}))
    mandates = ops.tables.mandate
    mandate_ibans: dict[str, set[str]] = {}
    for mandate in session.exec(select(mandates)).all():
        mandate_ibans.setdefault(mandate.loan_id, set()).add(mandate.debtor_iban)
    candidates = [
        Candidate(
            request_id=request.id or 0,
            loan_id=request.loan_id,
            owed=request.amount,
            payer_ibans=frozenset(
                {iban for iban in (payers[request.loan_id].iban,) if iban} | mandate_ibans.get(request.loan_id, set())
            ),
        )
        for request in open_requests
    ]
    match = match_on_amount_and_iban(line.amount, line.counterparty_iban, candidates)
    if match.candidate is None:
        return None, match.reason
    return session.get(table, match.candidate.request_id), None


def _book(
    ops: LenderOperations[C],
    command: C,
    row: StatementLineColumns,
    loan_id: str,
    request: PaymentRequestColumns | None,
) -> bool:
    """Record the line as a repayment of `loan_id`; a refusal by the core sends it to review, nothing booked.

    The requests the money paid off are marked paid from what the loan owes after the allocation,
    not from the request the line named: money goes to the oldest arrears first.
    """
    session = command.session
    received_on = row.value_date or row.booking_date
    savepoint = session.begin_nested()
    try:
        recorded = core.record_repayment(*ops.lender.on(command, loan_id), received_on, row.amount)
    except (RuleViolation, Conflict, NotFound) as exc:
        savepoint.rollback()
        _review(row, f"loan {loan_id} refused the payment: {exc}")
        row.loan_id = loan_id
        row.payment_request_id = None if request is None else request.id
        return False
    savepoint.commit()
    row.status = LineStatus.BOOKED
    row.loan_id = loan_id
    row.entry_id = recorded.entry.id
    row.payment_request_id = None if request is None else request.id
    settle_paid(ops, command, loan_id, recorded)
    return True


def _returned(ops: LenderOperations[C], command: C, line: StatementLine, row: StatementLineColumns) -> None:
    session = command.session
    table = ops.tables.payment_request
    request = _by_reference(session, table, line.end_to_end_id) if line.end_to_end_id else None
    if request is None:
        _review(row, f"a returned payment ({line.return_reason or 'no reason code'}) that names no collection of ours")
        return
    lines = ops.tables.statement_line
    original = session.exec(
        select(lines)
        .where(lines.payment_request_id == request.id, lines.status == LineStatus.BOOKED, lines.direction == "credit")
        .order_by(col(lines.id).desc())
    ).first()
    row.loan_id = request.loan_id
    row.payment_request_id = request.id
    if original is None or original.entry_id is None:
        _review(row, f"collection {request.structured_reference} came back, but its payment was never booked")
        return
    reason = f"direct debit {request.structured_reference} returned by the bank ({line.return_reason or 'no code'})"
    savepoint = session.begin_nested()
    try:
        core.reverse_returned_payment(
            ops.lender.unit_of_work(command),
            ops.lender.product(command),
            request.loan_id,
            original.entry_id,
            reason,
            line.booking_date,
        )
    except (RuleViolation, Conflict, NotFound) as exc:
        savepoint.rollback()
        _review(row, f"the return could not be reversed on loan {request.loan_id}: {exc}")
        return
    savepoint.commit()
    row.status = LineStatus.RETURNED
    row.reverses_line_id = original.id
    row.reason = reason
    original.status = LineStatus.REVERSED
    session.add(original)
    request.status = RequestStatus.RETURNED.value
    session.add(request)


def resolve(
    ops: LenderOperations[C], command: C, line_id: int, loan_id: str | None, dismiss_reason: str | None
) -> StatementLineColumns:
    """A person settles a line in review: book it on a loan, or dismiss it with a reason."""
    session = command.session
    table = ops.tables.statement_line
    row = session.exec(select(table).where(table.id == line_id).with_for_update()).first()
    if row is None:
        raise NotFound("statement line", str(line_id))
    if row.status != LineStatus.REVIEW:
        raise Conflict(f"statement line {line_id} is {row.status}; only a line in review is resolved")
    if (loan_id is None) == (dismiss_reason is None):
        raise RuleViolation("loan_id", "give either loan_id (book the line) or dismiss_reason, not both or neither")
    if dismiss_reason is not None:
        reason = dismiss_reason.strip()
        if not reason:
            raise RuleViolation("dismiss_reason", "must not be blank")
        row.status = LineStatus.DISMISSED
        row.reason = f"{row.reason}; dismissed: {reason}"
    else:
        assert loan_id is not None
        if row.direction != "credit" or row.currency != "EUR":
            raise Conflict(f"statement line {line_id} is not money received in euro; it can only be dismissed")
        if session.get(ops.loans, loan_id) is None:
            raise NotFound("loan", loan_id)
        received_on = row.value_date or row.booking_date
        recorded = core.record_repayment(*ops.lender.on(command, loan_id), received_on, row.amount)
        settle_paid(ops, command, loan_id, recorded)
        row.status = LineStatus.RESOLVED
        row.loan_id = loan_id
        row.entry_id = recorded.entry.id
    row.resolved_by = command.actor
    row.resolved_at = command.now
    session.add(row)
    return row
